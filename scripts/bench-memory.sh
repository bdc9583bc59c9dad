#!/usr/bin/env bash
# Memory for large run bodies: a daemon takes rounds of runs at once, each with a large request
# body, and its RSS is printed at its peak and after the runs end (bench/memory_after_runs.py).
# Usage: scripts/bench-memory.sh [--engine PATH] [--runs 4] [--rounds 3] [--size-mb 7]
# (--engine: another vayu-engine binary, e.g. an older build to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
engine="" runs=4 rounds=3 size=7
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --size-mb) size=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$engine" ]; then
  cargo build --release --quiet --bin vayu-engine
  engine=target/release/vayu-engine
fi
engine_bin=$engine engine_args="--workers 2"
# shellcheck source=scripts/lib/start-engine.sh
. scripts/lib/start-engine.sh
echo "engine: $engine ($("$engine" --version))"
python3 bench/memory_after_runs.py "$engine_pid" "$port" "$runs" "$rounds" "$size"
