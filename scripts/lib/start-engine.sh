# Sourced by scripts/schemathesis.sh and scripts/check-ui.sh: starts the vayu-engine binary
# "$engine_bin" on a free loopback port with a fresh database in a temporary directory, waits
# until it answers, and stops it (and removes the directory) on exit. Sets $work and $port.
# $engine_args, when set, adds options (e.g. --token).
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086 # engine_args is a list of options
"$engine_bin" --port "$port" --db "$work/v.db" --no-pin ${engine_args:-} >"$work/engine.log" 2>&1 &
engine_pid=$!
trap 'kill $engine_pid 2>/dev/null; rm -rf "$work"' EXIT
# Python rather than curl: a fresh CI machine may not have curl. /ui/ answers without a token.
up() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "http://127.0.0.1:$port/ui/" 2>/dev/null; }
for _ in $(seq 50); do up && break; sleep 0.1; done
up || { echo "vayu-engine did not start:"; cat "$work/engine.log"; exit 1; }
