#!/usr/bin/env bash
# The soak benchmark: one open-model run at a steady rate with a test script on every response
# and recording on (`--db`), for a long time, sampling the process's RSS, open descriptors and
# the database's size every 10 s. Prints the samples and the verdicts: RSS at the end against
# RSS after the first minute (goal: within 10%), descriptors (no growth), database growth per
# minute.
# Usage: scripts/bench-soak.sh [--rate 5000] [--minutes 10]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=5000 minutes=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
cat >"$work/soak.json" <<JSON
{"request": {"url": "http://127.0.0.1:$port/json",
             "testScript": "pm.test('ok', function () { pm.response.to.have.status(200); pm.expect(pm.response.json().user.id).to.equal(42); });"},
 "config": {"targetRps": $rate, "duration": "${minutes}m"}}
JSON
target/release/vayu-cli load "$work/soak.json" --db "$work/soak.db" --json >"$work/report.json" 2>"$work/err.log" &
pid=$!
echo "soak: $rate requests/s for $minutes min, test script on every response, recording on"
echo "seconds rss_kib fds db_bytes"
samples="$work/samples"
: >"$samples"
elapsed=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 10
  elapsed=$((elapsed + 10))
  kill -0 "$pid" 2>/dev/null || break
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
  db=$(du -cb "$work"/soak.db* 2>/dev/null | tail -1 | cut -f1)
  echo "$elapsed $rss $fds $db" | tee -a "$samples"
done
wait "$pid" || true
python3 - "$samples" "$work/report.json" <<'PY'
import json, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
report = json.load(open(sys.argv[2]))
first = next(r for r in rows if r[0] >= 60)
last = rows[-1]
growth = (last[1] - first[1]) / first[1] * 100
minutes = (last[0] - rows[0][0]) / 60 or 1
print(f"completed {report['completed']} of {report.get('requestsExpected')} planned, "
      f"dropped {report['dropped']}, achieved {report['achievedRps']:.1f}/s, "
      f"tests {report.get('tests', {}).get('tests', {})}")
print(f"RSS after 1 min {first[1]} KiB, at the end {last[1]} KiB: {growth:+.1f}% (goal: within 10%)")
print(f"open descriptors: {min(r[2] for r in rows)}..{max(r[2] for r in rows)} (first {rows[0][2]}, last {last[2]})")
print(f"database: {(last[3] - rows[0][3]) / minutes / 1e6:.2f} MB per minute, {last[3] / 1e6:.1f} MB at the end")
print(f"recording: {report.get('recording')}")
PY
