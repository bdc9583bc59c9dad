#!/usr/bin/env bash
# Opens an HTML report in headless Chromium and checks what the browser made of it: the page's
# script ran to its end (data-rendered), one canvas per chart, and the numbers it shows are the
# JSON report's. Writes a screenshot. Installs chromium from Debian when missing.
# Usage: scripts/check-html-report.sh [--screenshot docs/report.png]
set -euo pipefail
cd "$(dirname "$0")/.."
shot=""
[ "${1:-}" = --screenshot ] && shot=$2
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
echo "{\"request\": {\"url\": \"http://127.0.0.1:$port/json\", \"testScript\": \"pm.test('ok', () => pm.response.to.have.status(200));\"},
       \"config\": {\"targetRps\": 500, \"duration\": \"3s\", \"thresholds\": [\"p99<100ms\"]}}" >"$work/run.json"
target/release/vayu-cli load "$work/run.json" --json --report "$work/report.html" >"$work/report.json"
chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$work/report.html" 2>/dev/null >"$work/dom.html"
python3 - "$work/dom.html" "$work/report.json" <<'PY'
import json, re, sys
dom, report = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
problems = []
if 'data-rendered="true"' not in dom:
    problems.append("the page's script did not run to its end")
if dom.count("<canvas") != 3:
    problems.append(f"{dom.count('<canvas')} charts drawn, not 3")
shown = lambda id: re.search(rf'id="{id}">([^<]*)<', dom).group(1)
if shown("requests-sent").replace(",", "") != str(report["requestsSent"]):
    problems.append(f"requests sent shown {shown('requests-sent')}, report {report['requestsSent']}")
if shown("status") != report["status"]:
    problems.append(f"status shown {shown('status')}, report {report['status']}")
if "NaN" in dom:
    problems.append("NaN on the page")
for p in problems:
    print("report page:", p)
print(f"report page: {'ok' if not problems else 'FAILED'} ({report['requestsSent']} requests, 3 charts)")
sys.exit(1 if problems else 0)
PY
if [ -n "$shot" ]; then
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1500 \
    --screenshot="$PWD/$shot" "file://$work/report.html" 2>/dev/null
  echo "screenshot: $shot"
fi
