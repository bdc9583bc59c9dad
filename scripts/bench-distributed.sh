#!/usr/bin/env bash
# One plan split over 1, 2 and 3 engines (vayu-cli load processes with --segment I/N and one
# --start-at) against one nginx on this box, merged with `vayu-cli report merge`: the aggregate
# rate and the merged latency. On one box the engines share its cores with each other and with
# nginx, so this shows that splitting is exact and cheap, not that it scales: that takes boxes.
# Usage: scripts/bench-distributed.sh [--duration 10] [--concurrency 64]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=10 concurrency=64
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
echo "{\"request\": {\"url\": \"http://127.0.0.1:$port/\"}, \"config\": {\"concurrency\": $concurrency, \"duration\": \"${duration}s\"}}" >"$work/run.json"
echo "| engines | requests | merged requests/s | merged p50 / p99 ms | each engine's requests/s |"
echo "| ---: | ---: | ---: | ---: | --- |"
for n in 1 2 3; do
  start=$(date -u -d "+2 seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)
  pids=()
  for i in $(seq "$n"); do
    target/release/vayu-cli load "$work/run.json" --segment "$i/$n" --start-at "$start" --workers 1 --no-pin --json >"$work/r$n-$i.json" &
    pids+=($!)
  done
  wait "${pids[@]}"
  target/release/vayu-cli report merge "$work"/r"$n"-*.json --json >"$work/m$n.json"
  python3 - "$n" "$work" <<'PY'
import glob, json, sys
n, work = sys.argv[1], sys.argv[2]
m = json.load(open(f"{work}/m{n}.json"))
parts = [json.load(open(f)) for f in sorted(glob.glob(f"{work}/r{n}-*.json"))]
lat = m["latencyUs"]["service"]
print(f"| {n} | {m['completed']} | {m['achievedRps']:.0f} | {lat['p50'] / 1000:.3f} / {lat['p99'] / 1000:.3f} | "
      + ", ".join(f"{p['achievedRps']:.0f}" for p in parts) + " |")
PY
  sleep 1
done
