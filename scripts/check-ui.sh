#!/usr/bin/env bash
# Checks the dashboard in a real browser: headless Chromium driven through chromedriver starts a
# run from /ui/'s form against the bench nginx, sees the live numbers change, the run complete
# and listed, its HTML report render with the right count, and a refused run name its field.
# Screenshots go to docs/ (ui-live.png, ui-report.png). Installs chromium and chromium-driver
# from Debian when missing.
# Usage: scripts/check-ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromedriver >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }
cargo build --release --quiet --bin vayu-engine
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
api_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/vayu-engine --port "$api_port" --db "$work/v.db" --no-pin >"$work/engine.log" 2>&1 &
engine_pid=$!
trap 'kill $engine_pid $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$api_port/health" >/dev/null && break; sleep 0.1; done
python3 scripts/lib/ui_check.py "http://127.0.0.1:$api_port" "http://127.0.0.1:$port/" docs
