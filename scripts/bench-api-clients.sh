#!/usr/bin/env bash
# Slow and many clients against the daemon (issue 14): 1,000 idle connections and 100 clients
# trickling bodies a byte a second, while GET /health is timed and a load run started meanwhile
# must complete. Prints the figures as Markdown table rows (bench/api_clients.py).
# Usage: scripts/bench-api-clients.sh [--engine PATH] [--seconds 40] [--idle 1000] [--trickle 100]
# (--engine: another vayu-engine binary, e.g. an older build to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
engine="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --seconds|--idle|--trickle) args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$engine" ]; then
  cargo build --release --quiet --bin vayu-engine
  engine=target/release/vayu-engine
fi
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
api_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VAYU_LOG=warn "$engine" --port "$api_port" --db "$work/v.db" >"$work/engine.log" 2>&1 &
engine_pid=$!
trap 'kill $engine_pid $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$api_port/health" >/dev/null && break; sleep 0.1; done
echo "engine: $engine ($("$engine" --version))"
echo
echo "| measure | figure |"
echo "| --- | --- |"
status=0
python3 bench/api_clients.py --api "127.0.0.1:$api_port" --target "http://127.0.0.1:$port/" "${args[@]}" || status=$?
echo
echo "engine threads at the end: $(ls /proc/$engine_pid/task | wc -l); its log's last lines:"
tail -3 "$work/engine.log"
exit $status
