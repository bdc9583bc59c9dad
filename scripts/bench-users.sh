#!/usr/bin/env bash
# The virtual-users benchmark: what a virtual user costs. Against the bench nginx, with the
# open-file limit raised:
#   requests  `vayu-cli load`, one request with a test script, closed model, --users requests in
#             flight (libcurl's connection state for that many connections, no users);
#   users     the same request as a one-step flow under constant-vus with --users users;
#   startup   per-vu-iterations, --users users × 1 iteration: creating them all and one request each.
# Prints peak RSS (GNU time) and wall time; (users − requests) / users is the memory per user
# beyond the connections.
# Usage: scripts/bench-users.sh [--users N] [--duration S]
set -euo pipefail
cd "$(dirname "$0")/.."
users=10000 duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet --bin vayu-cli
ulimit -n "$(ulimit -Hn)"
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
url="http://127.0.0.1:$port/json"
step="{\"name\": \"page\", \"url\": \"$url\", \"testScript\": \"pm.test('ok', () => pm.response.to.have.status(200));\"}"
echo "{\"request\": $step, \"config\": {\"duration\": \"${duration}s\", \"concurrency\": $users, \"record\": \"none\"}}" >"$work/requests.json"
echo "{\"flow\": [$step], \"config\": {\"executor\": \"constant-vus\", \"vus\": $users, \"duration\": \"${duration}s\", \"record\": \"none\"}}" >"$work/users.json"
echo "{\"flow\": [$step], \"config\": {\"executor\": \"per-vu-iterations\", \"vus\": $users, \"iterations\": 1, \"record\": \"none\"}}" >"$work/startup.json"
echo "$users users / connections, ${duration}s; nginx on 127.0.0.1:$port; $(nproc) cores"
for name in requests users startup; do
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/vayu-cli load "$work/$name.json" --json >"$work/out" 2>"$work/err" \
    || { echo "$name failed:"; tail -5 "$work/err"; continue; }
  read -r wall rss_kb <"$work/time"
  summary=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); f=r.get("flow") or {}; print(r["completed"], r["failed"], f.get("users", "-"))' "$work/out")
  read -r completed failed created <<<"$summary"
  printf '%-9s peak RSS %8.1f MiB  wall %6.2f s  requests %8d  failed %d  users %s\n' "$name" "$(awk "BEGIN { print $rss_kb / 1024 }")" "$wall" "$completed" "$failed" "$created"
done
