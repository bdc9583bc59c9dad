#!/usr/bin/env bash
# The collection-run benchmark: a 1,000-request collection (a test script on every request, no
# delay) run by Newman 6 and by `vayu-cli collection run` against the same local nginx, each
# `--rounds` times, alternating. Prints wall time and CPU (user + system) per run.
# Usage: scripts/bench-collection.sh [--requests N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=1000 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v newman >/dev/null || npm install -g newman@6
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
python3 - "$requests" "$port" >"$work/collection.json" <<'PY'
import json, sys
n, port = int(sys.argv[1]), sys.argv[2]
test = ["pm.test('status is 200', function () { pm.response.to.have.status(200); });",
        "pm.test('user', function () { pm.expect(pm.response.json().user.name).to.equal('Ada Lovelace'); });",
        "pm.environment.set('last', pm.response.json().user.id);"]
items = [{"name": f"request {i}", "request": {"method": "GET", "url": f"http://127.0.0.1:{port}/json?i={i}"},
          "event": [{"listen": "test", "script": {"exec": test}}]} for i in range(n)]
print(json.dumps({"info": {"name": "bench", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": items}))
PY
measure() { # name, command...: prints "name wall_s cpu_s"
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out" 2>&1 || { echo "$name failed:"; tail -5 "$work/out"; exit 1; }
  read -r wall user sys <"$work/time"
  printf '%-7s wall %6.2f s  cpu %6.2f s\n' "$name" "$wall" "$(awk "BEGIN { print $user + $sys }")"
}
echo "collection of $requests requests, each with a test script; nginx on 127.0.0.1:$port"
for _ in $(seq "$rounds"); do
  measure newman newman run "$work/collection.json" -r cli --reporter-cli-no-summary
  measure vayu target/release/vayu-cli collection run "$work/collection.json" -r cli
done
