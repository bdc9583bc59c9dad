#!/usr/bin/env bash
# Fuzzes the control API against its contract (docs/openapi.yaml) with Schemathesis: every
# check, every phase (examples, coverage, fuzzing, stateful). It starts its own vayu-engine on a
# free loopback port with a fresh database. POST /request and POST /run send what they accept,
# and generated URLs could name hosts off this machine: they are fuzzed in a second pass, in a
# network namespace of their own that has only a loopback interface (needs root, `unshare` and
# `ip`; VAYU_ST_NO_SENDING=1 leaves that pass out), against an engine started inside it. One worker: the
# stateful phase's scenarios share the server, and a parallel scenario's DELETE of a collection
# (which takes its requests along) would look like a created request gone missing.
# Usage: scripts/schemathesis.sh [--max-examples N] [--seed N] [Schemathesis options]
# (installs Schemathesis in a virtualenv)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=100 seed=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max-examples) examples=$2; shift 2 ;;
    # A fixed seed makes the generated cases repeatable (CI uses one).
    --seed) seed=(--seed "$2"); shift 2 ;;
    # Anything else goes to Schemathesis as it is (CI: --exclude-checks, see .ci/run).
    *) extra+=("$1"); shift ;;
  esac
done
venv=${VAYU_ST_VENV:-target/schemathesis-venv}
[ -x "$venv/bin/st" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'schemathesis>=4,<5'; }
cargo build --quiet --bin vayu-engine
engine_bin="${CARGO_TARGET_DIR:-target}/debug/vayu-engine"
export engine_bin venv examples
st_run() {
  "$venv/bin/st" run docs/openapi.yaml --url "http://127.0.0.1:$port" --checks all \
    --max-examples "$examples" --workers 1 "$@"
}
(
  # shellcheck source=scripts/lib/start-engine.sh
  . scripts/lib/start-engine.sh
  st_run "${seed[@]}" "${extra[@]}" --exclude-path-regex '^/(request|run|collections/import)$'
  # The import takes `{"format", "content"}` where `content` is any text (a curl command, a
  # YAML document): a body valid by the schema need not be a document that imports, so
  # positive_data_acceptance does not apply to it; every other check does.
  st_run "${seed[@]}" "${extra[@]}" --include-path-regex '^/collections/import$' \
    --exclude-checks positive_data_acceptance
)
if [ "${VAYU_ST_NO_SENDING:-}" = 1 ]; then
  echo "schemathesis: POST /request and POST /run left out (VAYU_ST_NO_SENDING=1)"
  exit 0
fi
# The sending endpoints: a valid body is not always a runnable plan (a mode needs its fields),
# so positive_data_acceptance does not apply; the rest does (no 500, bounds refused with 4xx).
# At most 4 runs at once on one worker: accepted runs go on in the background.
export -f st_run
unshare --net bash -c '
  set -euo pipefail
  ip link set lo up
  engine_args="--max-runs 4 --workers 1"
  . scripts/lib/start-engine.sh
  st_run "$@" --include-path-regex "^/(request|run)$" --exclude-checks positive_data_acceptance
' sending "${seed[@]}" "${extra[@]}"
