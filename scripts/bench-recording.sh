#!/usr/bin/env bash
# The cost of recording results in a load run: the same closed-model run (64 connections, 5 s)
# against the bench nginx, with the default `config.record` and with `"record": "none"`, both
# with a database, alternating for `--rounds` rounds. Prints requests/s and CPU per request.
# Usage: scripts/bench-recording.sh [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
[ "${1:-}" = "--rounds" ] && rounds=$2
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
for record in default none; do
  extra=""
  [ "$record" = none ] && extra=', "record": "none"'
  cat >"$work/$record.json" <<JSON
{"request": {"url": "http://127.0.0.1:$port/"}, "config": {"concurrency": 64, "duration": "5s"$extra}}
JSON
done
echo "closed model, 64 connections, 5 s, nginx on 127.0.0.1:$port; every run with --db"
for _ in $(seq "$rounds"); do
  for record in default none; do
    rm -f "$work/v.db"*
    /usr/bin/time -f "%U %S" -o "$work/time" target/release/vayu-cli load "$work/$record.json" \
      --db "$work/v.db" --json >"$work/out.json"
    read -r user sys <"$work/time"
    python3 - "$record" "$work/out.json" "$user" "$sys" <<'PY'
import json, sys
record, path, user, sys_ = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
r = json.load(open(path))
rec = r.get("recording") or {}
print(f"record={record:8} {r['achievedRps']:10.0f} req/s  {(user + sys_) / r['completed'] * 1e6:6.2f} µs CPU/req  "
      f"rows: {rec.get('failuresRecorded', 0) + rec.get('successesSampled', 0)}")
PY
  done
done
