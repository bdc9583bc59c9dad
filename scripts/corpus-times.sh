#!/usr/bin/env bash
# Wall time of the whole collection corpus (tests/collections/manifest.json) under Newman and
# under Vayu, against the same local httpbin on loopback: every entry run once by `newman run`
# and once by `vayu-cli collection run`, with its environment, globals, data, iteration count,
# folder, bail and delay as the manifest gives them. Prints the two totals.
# Usage: scripts/corpus-times.sh [path/to/vayu-cli]   (default: target/release/vayu-cli, built
# with `cargo build --release` when missing; CARGO_TARGET_DIR is honoured).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
vayu=${1:-$target/release/vayu-cli}
[ -x "$vayu" ] || cargo build --release --bin vayu-cli
command -v newman >/dev/null || { echo "newman is not installed (npm install -g newman@6)" >&2; exit 2; }
python3 -c 'import httpbin, gunicorn' 2>/dev/null || { echo "httpbin and gunicorn are not installed (pip install httpbin gunicorn)" >&2; exit 2; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m gunicorn --bind "127.0.0.1:$port" --workers 2 httpbin:app >/tmp/vayu-corpus-times-httpbin.log 2>&1 &
httpbin=$!
out=$(mktemp -d)
trap 'kill $httpbin; rm -rf "$out"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/get" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"

# One command line per entry and per runner (tab-separated arguments), from the manifest.
python3 - "$base" "$out" <<'PY'
import json, sys
base, out = sys.argv[1], sys.argv[2]
d = 'tests/collections'
for runner in ('newman', 'vayu'):
    lines = []
    for e in json.load(open(f'{d}/manifest.json')):
        a = [f"{d}/{e['collection']}", '--env-var', f'baseUrl={base}']
        if e.get('environmentFile'): a += ['-e', f"{d}/{e['environmentFile']}"]
        elif e.get('environment'):
            env = {'values': [{'key': k, 'value': v} for k, v in e['environment'].items()]}
            p = f"{out}/{e['name']}.environment.json"; json.dump(env, open(p, 'w')); a += ['-e', p]
        if e.get('globalsFile'): a += ['-g', f"{d}/{e['globalsFile']}"]
        elif e.get('globals'):
            g = {'values': [{'key': k, 'value': v} for k, v in e['globals'].items()]}
            p = f"{out}/{e['name']}.globals.json"; json.dump(g, open(p, 'w')); a += ['-g', p]
        if e.get('iterationData'): a += ['-d', f"{d}/{e['iterationData']}"]
        if e.get('iterationCount'): a += ['-n', str(e['iterationCount'])]
        for f in e.get('folder', []): a += ['--folder', f]
        if e.get('bail'): a += ['--bail']
        if e.get('delayRequest'): a += ['--delay-request', str(e['delayRequest'])]
        a += ['--working-dir', d, '-x', '-r', 'cli', '--reporter-cli-no-summary']
        lines.append('\t'.join(a))
    open(f'{out}/{runner}.args', 'w').write('\n'.join(lines) + '\n')
PY

run_all() { # runner command...
    local runner=$1; shift
    while IFS=$'\t' read -r -a args; do
        # -x: a failed assertion is not a failure here; only a run that could not happen is.
        "$@" "${args[@]}" >/dev/null 2>&1 || echo "$runner did not run ${args[0]} (it refuses what it lacks)" >&2
    done <"$out/$runner.args"
}
seconds() { # command... ; prints the wall time in seconds
    local start end
    start=$(date +%s.%N); "$@"; end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}
entries=$(grep -c . "$out/newman.args")
newman_s=$(seconds run_all newman newman run 2>"$out/newman.err")
cat "$out/newman.err"
vayu_s=$(seconds run_all vayu "$vayu" collection run 2>"$out/vayu.err")
cat "$out/vayu.err"
echo "corpus: $entries collections against httpbin at $base"
echo "newman $(newman --version): ${newman_s} s"
echo "vayu-cli ($vayu): ${vayu_s} s"
