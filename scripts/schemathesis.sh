#!/usr/bin/env bash
# Fuzzes the control API against its contract (docs/openapi.yaml) with Schemathesis: every
# check, every phase (examples, coverage, fuzzing, stateful). It starts its own vayu-engine on a
# free loopback port with a fresh database. POST /request and POST /run are left out: requests
# they accept are sent, and generated URLs could name hosts off this machine. One worker: the
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
# shellcheck source=scripts/lib/start-engine.sh
. scripts/lib/start-engine.sh
"$venv/bin/st" run docs/openapi.yaml --url "http://127.0.0.1:$port" --checks all \
  --max-examples "$examples" --workers 1 "${seed[@]}" "${extra[@]}" --exclude-path-regex '^/(request|run)$'
