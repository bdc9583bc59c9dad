# Sourced by scripts/bench-collection.sh and scripts/bench-recording.sh: installs nginx and GNU
# time when missing, starts the bench nginx (bench/nginx.conf) on a free loopback port in a
# temporary directory, and stops it on exit. Sets $work (that directory) and $port.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -qq && apt-get install -y -qq nginx-light; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
sed -e "s/__PORT__/$port/" -e "s/__H2PORT__/$((port + 1))/" bench/nginx.conf >"$work/nginx/nginx.conf"
# bench/nginx.conf keeps nginx in the foreground.
"$(command -v nginx || echo /usr/sbin/nginx)" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
# A port taken meanwhile (it, or the h2 port next to it) stops nginx: say so rather than measure errors.
curl -fs "http://127.0.0.1:$port/" >/dev/null || { echo "the bench nginx did not start on port $port" >&2; exit 1; }
