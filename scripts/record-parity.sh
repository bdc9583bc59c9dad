#!/usr/bin/env bash
# Re-records tests/parity/newman.json: runs the parity corpus with Newman 6 against a local
# httpbin on loopback. Installs Newman (npm) and httpbin with gunicorn (PyPI) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v newman >/dev/null || npm install -g newman@6
python3 -c 'import httpbin, gunicorn' 2>/dev/null || pip install httpbin gunicorn
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m gunicorn --bind "127.0.0.1:$port" --workers 2 httpbin:app >/tmp/vayu-parity-httpbin.log 2>&1 &
httpbin=$!
trap 'kill $httpbin' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/get" >/dev/null && break; sleep 0.2; done
node scripts/parity/record.mjs "http://127.0.0.1:$port"
node scripts/parity/record-collections.mjs "http://127.0.0.1:$port"
