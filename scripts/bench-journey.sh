#!/usr/bin/env bash
# The journey benchmark: a 3-step user journey (POST /login → GET /items with the token →
# POST /cart with a JSON body; a check on each response) against the bench nginx, run by
# `vayu-cli load` (a flow, constant-vus), Locust (PyPI, HttpUser) and Artillery (npm), each for
# --duration seconds with --users users, alternating, --rounds times. Prints requests, 401s,
# wall and CPU time (user + system, children included) and requests per CPU-second.
# Locust installs into target/bench-venv and Artillery into target/bench-npm when missing.
# Usage: scripts/bench-journey.sh [--duration S] [--users N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=10 users=32 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x target/bench-venv/bin/locust ] || { python3 -m venv target/bench-venv && target/bench-venv/bin/pip install -q locust; }
artillery=$(command -v artillery || echo target/bench-npm/bin/artillery)
[ -x "$artillery" ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install -q --prefix target/bench-npm -g artillery@2
cargo build --release --quiet --bin vayu-cli
# shellcheck source=scripts/lib/bench-nginx.sh
. scripts/lib/bench-nginx.sh
base="http://127.0.0.1:$port"

cat >"$work/journey.json" <<JSON
{"flow": [
  {"name": "login", "method": "POST", "url": "$base/login", "body": {"user": "ada", "password": "pw"},
   "testScript": "pm.test('logged in', () => pm.response.to.have.status(200)); pm.environment.set('token', pm.response.json().token);"},
  {"name": "items", "url": "$base/items", "headers": {"Authorization": "Bearer {{token}}"},
   "testScript": "pm.test('two items', () => pm.expect(pm.response.json().items).to.have.lengthOf(2));"},
  {"name": "cart", "method": "POST", "url": "$base/cart", "headers": {"Authorization": "Bearer {{token}}"},
   "body": {"item": 1, "qty": 2}, "testScript": "pm.test('added', () => pm.response.to.have.status(201));"}
 ],
 "config": {"executor": "constant-vus", "vus": $users, "duration": "${duration}s", "record": "none"}}
JSON

cat >"$work/locustfile.py" <<'PY'
from locust import HttpUser, task

class Shopper(HttpUser):
    @task
    def journey(self):
        with self.client.post("/login", json={"user": "ada", "password": "pw"}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure("not logged in")
                return
            token = r.json()["token"]
        auth = {"Authorization": "Bearer " + token}
        with self.client.get("/items", headers=auth, catch_response=True) as r:
            if len(r.json().get("items", [])) != 2:
                r.failure("not two items")
        with self.client.post("/cart", json={"item": 1, "qty": 2}, headers=auth, catch_response=True) as r:
            if r.status_code != 201:
                r.failure("not added")
PY

# Artillery is an open model (each arrival runs the journey once): the arrival rate is set
# high enough to keep it saturated; its own CPU is what is compared.
cat >"$work/artillery.yml" <<YML
config:
  target: "$base"
  phases: [{duration: $duration, arrivalRate: 400}]
scenarios:
  - flow:
      - post: {url: "/login", json: {user: ada, password: pw}, capture: {json: "\$.token", as: token}, expect: [{statusCode: 200}]}
      - get: {url: "/items", headers: {Authorization: "Bearer {{ token }}"}, expect: [{statusCode: 200}]}
      - post: {url: "/cart", headers: {Authorization: "Bearer {{ token }}"}, json: {item: 1, qty: 2}, expect: [{statusCode: 201}]}
YML

measure() { # name requests-counter command...: prints one line
  local name=$1 count=$2; shift 2
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { echo "$name failed:"; tail -5 "$work/err"; return 0; }
  read -r wall user sys <"$work/time"
  read -r requests unauthorized < <($count)
  awk -v n="$name" -v r="$requests" -v u="$unauthorized" -v w="$wall" -v c="$(awk "BEGIN { print $user + $sys }")" \
    'BEGIN { printf "%-9s requests %8d  401s %d  wall %6.2f s  cpu %6.2f s  %8.0f req/s  %8.0f req/cpu-s\n", n, r, u, w, c, r / w, r / c }'
}
vayu_count() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["completed"], r["statusCodes"].get("401", 0))' "$work/out"; }
locust_count() { python3 -c 'import csv,sys; rows=[r for r in csv.DictReader(open(sys.argv[1])) if r["Name"]=="Aggregated"]; print(rows[0]["Request Count"], rows[0]["Failure Count"])' "$work/locust_stats.csv"; }
artillery_count() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["aggregate"]["counters"]; print(c.get("http.requests",0), c.get("http.codes.401",0))' "$work/artillery.json"; }

echo "3-step journey, $users users (Artillery: 400 arrivals/s), ${duration}s; nginx on 127.0.0.1:$port; $(nproc) cores"
for _ in $(seq "$rounds"); do
  measure vayu vayu_count target/release/vayu-cli load "$work/journey.json" --json
  measure locust locust_count target/bench-venv/bin/locust -f "$work/locustfile.py" --headless -u "$users" -r "$users" -t "${duration}s" --host "$base" --only-summary --csv "$work/locust"
  measure artillery artillery_count "$artillery" run --quiet --output "$work/artillery.json" "$work/artillery.yml"
done
