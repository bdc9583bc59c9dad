#!/usr/bin/env python3
"""Vayu against its peers, on one machine, in one run: scripts/bench.sh runs this.

Scenarios (--scenarios, default all), each against nginx on loopback (bench/nginx.conf), each
tool in rotating order over --rounds rounds, every run timed by /usr/bin/time for CPU (user+sys
of the load generator) and peak RSS, every run bounded in time:
  closed   HTTP/1.1, 64 keep-alive connections, 2 threads: vayu batch, vayu load, wrk, oha, hey
  h2       HTTP/2 cleartext, 64 requests in flight on 2 connections: vayu, h2load, oha
  https    HTTPS (TLS 1.3), HTTP/1.1, 64 keep-alive connections, 2 threads: vayu, wrk, oha
  h2tls    HTTPS with HTTP/2 by ALPN, 64 requests in flight on 2 connections: vayu, h2load, oha
  c10k     10,000 concurrent keep-alive connections: vayu, wrk, oha (requests/s, peak RSS)
  script   vayu on /json without and with a typical test script; k6 with the same checks
  scripts  vayu on /json with each script of the scripts table (none, a JSON parse, the status
           test, a chai assertion, the status test and a JSON assertion), back to back; k6 with
           the last one's checks
  recording vayu batch without and with the database (--db), at full speed
  open     open model at rising rates, vayu (default send timing, then 1 ms windows) and wrk2
           (64 connections, 2 threads) in turn: achieved / target, drops, CPU per request,
           corrected latency, until none holds
  startup  vayu-engine start to first successful /health, and idle RSS
Raw output and a summary go to bench/results/<date>-<host>/.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# VAYU_CLI: another build to measure (e.g. an older commit's, for a before/after comparison).
VAYU_CLI = os.environ.get("VAYU_CLI") or os.path.join(ROOT, "target", "release", "vayu-cli")
VAYU_ENGINE = os.environ.get("VAYU_ENGINE") or os.path.join(ROOT, "target", "release", "vayu-engine")
# scripts/bench.sh builds wrk2 from source into target/wrk2 when it is not installed.
WRK2 = shutil.which("wrk2") or (os.path.join(ROOT, "target", "wrk2", "wrk")
                                if os.path.exists(os.path.join(ROOT, "target", "wrk2", "wrk")) else None)
ALL = ["closed", "h2", "https", "h2tls", "c10k", "script", "scripts", "recording", "open", "startup"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(prefix):
    """A key and certificate for 127.0.0.1, made for this run (the TLS scenarios skip verifying it)."""
    key, cert = os.path.join(prefix, "key.pem"), os.path.join(prefix, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


def start_nginx(workdir, port, h2_port, tls_port):
    prefix = os.path.join(workdir, "nginx")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    key, cert = self_signed(prefix)
    with open(os.path.join(ROOT, "bench", "nginx.conf")) as f:
        conf = (f.read().replace("__PORT__", str(port)).replace("__H2PORT__", str(h2_port))
                .replace("__TLSPORT__", str(tls_port)).replace("__CERT__", cert).replace("__KEY__", key))
    conf_path = os.path.join(prefix, "nginx.conf")
    with open(conf_path, "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["nginx", "-p", prefix, "-c", conf_path], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nginx did not start: " + proc.stderr.read().decode(errors="replace"))


def timed(cmd, timeout):
    """Runs cmd under /usr/bin/time; returns (output, wall s, cpu s, peak RSS KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name] + cmd
        out = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
        wall, user, sys_, rss = tf.read().split()[-4:]
    return out.stdout + out.stderr, float(wall), float(user) + float(sys_), int(rss)


def json_of(text):
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


# --- tools: each returns (raw text, {requests, rps, cpu, rss_kib}) -------------------------------

def wrk(url, conns, threads, dur):
    text, _, cpu, rss = timed(["wrk", f"-t{threads}", f"-c{conns}", f"-d{dur}s", url], dur + 120)
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    # wrk counts these among its requests without saying so in the totals.
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    failed = sum(int(n) for n in errors.groups()) if errors else 0
    failed += int(non_2xx.group(1)) if non_2xx else 0
    if failed:
        print(f"note: wrk reported {failed} socket errors or non-2xx/3xx responses of {requests}", flush=True)
    return text, dict(requests=requests, rps=float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), cpu=cpu, rss_kib=rss)


def wrk2(url, conns, threads, dur, rate):
    """wrk2 at a constant rate; its latency is corrected from the intended send times."""
    text, _, cpu, rss = timed([WRK2, f"-t{threads}", f"-c{conns}", f"-d{dur}s", f"-R{rate}", "--latency", url], dur + 120)
    requests = int(re.search(r"(\d+) requests in", text).group(1))

    def ms(q):
        value = re.search(rf"{q}\s+([\d.]+)(us|ms|s)\b", text)
        scale = {"us": 0.001, "ms": 1, "s": 1000}[value.group(2)]
        return float(value.group(1)) * scale

    return text, dict(requests=requests, rps=requests / dur, cpu=cpu, rss_kib=rss,
                      p50=ms("50.000%"), p99=ms("99.000%"))


def oha(url, conns, threads, dur, extra=()):
    cmd = ["oha", "-z", f"{dur}s", "-c", str(conns), "--worker-threads", str(threads), "--no-tui",
           "--output-format", "json", *extra, url]
    text, _, cpu, rss = timed(cmd, dur + 120)
    report = json_of(text)
    requests = sum(report.get("statusCodeDistribution", {}).values())
    return text, dict(requests=requests, rps=report["summary"]["requestsPerSec"], cpu=cpu, rss_kib=rss)


def hey(url, conns, threads, dur):
    text, _, cpu, rss = timed(["hey", "-z", f"{dur}s", "-c", str(conns), "-cpus", str(threads), url], dur + 120)
    codes = re.findall(r"\[(\d+)\]\s+(\d+) responses", text)
    requests = sum(int(n) for _, n in codes)
    return text, dict(requests=requests, rps=float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), cpu=cpu, rss_kib=rss)


def h2load(url, conns, streams, threads, dur):
    cmd = ["h2load", "-c", str(conns), "-m", str(streams), "-t", str(threads), "-D", str(dur), url]
    text, wall, cpu, rss = timed(cmd, dur + 120)
    done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    return text, dict(requests=done, rps=rps, cpu=cpu, rss_kib=rss)


K6_CHECK_SCRIPT = """
import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: __VUS__, duration: '__DUR__s', summaryTrendStats: ['avg'] };
export default function () {
  const r = http.get('__URL__');
  check(r, {
    'status is 200': (x) => x.status === 200,
    __CHECK__
  });
}
"""
K6_USER_ID = "'has the user id': (x) => x.json().user.id === 42,"


def k6_check(url, vus, threads, dur, work, check=K6_USER_ID):
    """k6 with the same two checks as Vayu's test script (the status and `check`), on `threads` cores."""
    script, summary = os.path.join(work, "k6-check.js"), os.path.join(work, "k6-summary.json")
    with open(script, "w") as f:
        f.write(K6_CHECK_SCRIPT.replace("__VUS__", str(vus)).replace("__DUR__", str(dur)).replace("__URL__", url)
                .replace("__CHECK__", check))
    env = dict(os.environ, GOMAXPROCS=str(threads), K6_NO_USAGE_REPORT="true")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, "k6", "run", "--quiet", "--no-color",
               "--summary-export", summary, script]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=dur + 120, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"k6 failed ({out.returncode}): {out.stderr[-2000:]}")
        wall, user, sys_, rss = tf.read().split()[-4:]
    with open(summary) as f:
        report = json.load(f)
    reqs = report["metrics"]["http_reqs"]
    checks = report["metrics"]["checks"]
    if checks.get("fails", 0):
        print(f"note: k6 had {checks['fails']} failed checks", flush=True)
    return out.stdout + out.stderr, dict(requests=int(reqs["count"]), rps=reqs["rate"],
                                         cpu=float(user) + float(sys_), rss_kib=int(rss))


def vayu_batch(request_file, total, conns, threads, timeout, db=None):
    cmd = [VAYU_CLI, "batch", request_file, "--repeat", str(total), "--concurrency", str(conns),
           "--workers", str(threads), "--json"] + (["--db", db] if db else [])
    text, _, cpu, rss = timed(cmd, timeout)
    report = json_of(text)
    if report["failed"] > report["completed"] / 100:
        raise RuntimeError(f"vayu batch had {report['failed']} failures: {report['errors']}")
    if report["failed"]:
        print(f"note: vayu batch had {report['failed']} failed requests: {report['errors']}", flush=True)
    return text, dict(requests=report["completed"], rps=report["requestsPerSecond"], cpu=cpu, rss_kib=rss)


def vayu_load(run_file, threads, extra, timeout=600):
    text, _, cpu, rss = timed([VAYU_CLI, "load", run_file, "--workers", str(threads), "--json"] + extra, timeout)
    return text, json_of(text), cpu, rss


def calibrated_total(request_file, conns, threads, dur):
    """vayu batch runs a count, not a duration: size it from a short run to last about `dur`."""
    _, r = vayu_batch(request_file, 30_000, conns, threads, 300)
    return max(10_000, int(r["rps"] * dur))


# --- scenarios ---------------------------------------------------------------------------------

def rotate(name, tools, rounds, raw_dir):
    """Runs every tool once per round, rotating the order; returns {tool: [results]}."""
    results = {t: [] for t in tools}
    order = list(tools)
    for rnd in range(rounds):
        for tool in order:
            text, r = tools[tool]()
            r["cpu_per_100k"] = r["cpu"] / max(r["requests"], 1) * 100_000
            results[tool].append(r)
            with open(os.path.join(raw_dir, f"{name}-round{rnd + 1}-{tool.replace(' ', '_')}.txt"), "w") as f:
                f.write(text)
            print(f"{name} round {rnd + 1} {tool:18} {r['rps']:>10.0f} req/s  {r['cpu_per_100k']:.3f} CPU-s/100k  "
                  f"{r['rss_kib'] / 1024:.1f} MiB", flush=True)
            time.sleep(1)
        order = order[1:] + order[:1]
    return results


def table(title, results, note=""):
    med = {t: {k: statistics.median(r[k] for r in rs) for k in ("rps", "cpu_per_100k", "rss_kib")} for t, rs in results.items()}
    peers = [m for t, m in med.items() if not t.startswith("vayu")]
    best = max((m["rps"] for m in peers), default=None)
    lines = [f"## {title}", ""]
    if note:
        lines += [note, ""]
    lines += ["| tool | requests/s | CPU s per 100k requests | peak RSS MiB | vs best peer |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for t, m in med.items():
        ratio = f"{m['rps'] / best:.2f}" if best else "-"
        lines.append(f"| {t} | {m['rps']:.0f} | {m['cpu_per_100k']:.3f} | {m['rss_kib'] / 1024:.1f} | {ratio} |")
    lines += ["", "Per round: " + "; ".join(f"{t}: " + ", ".join(f"{r['rps']:.0f}" for r in rs) for t, rs in results.items()), ""]
    return lines, med


def scenario_closed(a, ctx):
    n = calibrated_total(ctx["req"], 64, 2, a.duration)
    tools = {
        "vayu batch": lambda: vayu_batch(ctx["req"], n, 64, 2, a.duration * 10 + 120),
        "vayu load": lambda: (lambda t, r, c, m: (t, dict(requests=r["completed"], rps=r["achievedRps"], cpu=c, rss_kib=m)))(
            *vayu_load(ctx["run"], 2, ["--concurrency", "64", "--duration", f"{a.duration}s"])),
        "wrk": lambda: wrk(ctx["url"], 64, 2, a.duration),
        "oha": lambda: oha(ctx["url"], 64, 2, a.duration),
        "hey": lambda: hey(ctx["url"], 64, 2, a.duration),
    }
    return table("Closed model, HTTP/1.1, 64 keep-alive connections, 2 threads", rotate("closed", tools, a.rounds, ctx["raw"]))[0]


def scenario_h2(a, ctx):
    url = f"http://127.0.0.1:{ctx['h2port']}/"
    req = os.path.join(ctx["work"], "h2.json")
    with open(req, "w") as f:
        json.dump({"url": url, "httpVersion": "2-prior-knowledge"}, f)
    n = calibrated_total(req, 64, 2, a.duration)
    tools = {
        "vayu": lambda: vayu_batch(req, n, 64, 2, a.duration * 10 + 120),
        "h2load": lambda: h2load(url, 2, 32, 2, a.duration),
        "oha": lambda: oha(url, 2, 2, a.duration, ["--http2", "-p", "32"]),
    }
    note = ("64 requests in flight: h2load and oha on 2 connections with 32 streams each; vayu with 64 in "
            "flight over its 2 workers, libcurl multiplexing each worker's requests on one connection.")
    return table("HTTP/2 (cleartext, prior knowledge), 64 requests in flight, 2 threads", rotate("h2", tools, a.rounds, ctx["raw"]), note)[0]


def tls_request(ctx, name, http_version):
    """The TLS server's URL and a request file for it (certificates not verified)."""
    url = f"https://127.0.0.1:{ctx['tlsport']}/"
    req = os.path.join(ctx["work"], f"{name}.json")
    with open(req, "w") as f:
        json.dump({"url": url, "insecure": True, "httpVersion": http_version}, f)
    return url, req


def scenario_https(a, ctx):
    url, req = tls_request(ctx, "https", "1.1")
    n = calibrated_total(req, 64, 2, a.duration)
    tools = {
        "vayu": lambda: vayu_batch(req, n, 64, 2, a.duration * 10 + 120),
        "wrk": lambda: wrk(url, 64, 2, a.duration),
        "oha": lambda: oha(url, 64, 2, a.duration, ["--insecure"]),
    }
    note = ("nginx 1 worker process, TLS 1.3 with a 2048-bit RSA certificate, keep-alive: the handshakes happen "
            "once per connection, so this measures the per-request cost of TLS records. Certificates not verified.")
    return table("HTTPS, HTTP/1.1, 64 keep-alive connections, 2 threads", rotate("https", tools, a.rounds, ctx["raw"]), note)[0]


def scenario_h2tls(a, ctx):
    url, req = tls_request(ctx, "h2tls", "2")
    n = calibrated_total(req, 64, 2, a.duration)
    tools = {
        "vayu": lambda: vayu_batch(req, n, 64, 2, a.duration * 10 + 120),
        "h2load": lambda: h2load(url, 2, 32, 2, a.duration),
        "oha": lambda: oha(url, 2, 2, a.duration, ["--http2", "-p", "32", "--insecure"]),
    }
    note = ("HTTP/2 negotiated by ALPN; 64 requests in flight: h2load and oha on 2 connections with 32 streams each; "
            "vayu with 64 in flight over its 2 workers, libcurl multiplexing each worker's requests on one connection.")
    return table("HTTPS with HTTP/2, 64 requests in flight, 2 threads", rotate("h2tls", tools, a.rounds, ctx["raw"]), note)[0]


def scenario_c10k(a, ctx):
    conns = a.c10k
    n = max(calibrated_total(ctx["req"], conns, 2, a.duration), conns * 5)
    tools = {
        "vayu": lambda: vayu_batch(ctx["req"], n, conns, 2, a.duration * 10 + 180),
        "wrk": lambda: wrk(ctx["url"], conns, 2, a.duration),
        "oha": lambda: oha(ctx["url"], conns, 2, a.duration),
    }
    lines, med = table(f"{conns} concurrent keep-alive connections, 2 threads", rotate("c10k", tools, a.rounds, ctx["raw"]))
    rss = med["vayu"]["rss_kib"] / 1024
    lines.insert(-2, f"Vayu's peak RSS with {conns} connections: {rss:.1f} MiB (target at most 50 MB: {'met' if rss <= 50 else 'not met'}).")
    return lines


def scenario_script(a, ctx):
    json_url = ctx["url"] + "json"
    plain, scripted = os.path.join(ctx["work"], "json.json"), os.path.join(ctx["work"], "json-script.json")
    with open(plain, "w") as f:
        json.dump({"url": json_url}, f)
    with open(scripted, "w") as f:
        json.dump({"url": json_url, "testScript": [
            "pm.test('status is 200', () => pm.response.to.have.status(200));",
            "pm.test('has the user id', () => pm.expect(pm.response.json().user.id).to.equal(42));"]}, f)
    n = calibrated_total(plain, 64, 2, a.duration)
    tools = {
        "vayu json": lambda: vayu_batch(plain, n, 64, 2, a.duration * 10 + 120),
        "vayu json+script": lambda: vayu_batch(scripted, n, 64, 2, a.duration * 20 + 120),
        # A peer that runs a check on every response too (64 VUs, 2 cores).
        "k6 json+check": lambda: k6_check(json_url, 64, 2, a.duration, ctx["work"]),
    }
    lines, med = table("A typical test script on every response vs none (64 connections, 2 workers)",
                       rotate("script", tools, a.rounds, ctx["raw"]))
    ratio = med["vayu json+script"]["rps"] / med["vayu json"]["rps"]
    lines.insert(-2, f"With the script: {ratio:.3f}x the requests/s without it (target at least 0.75: {'met' if ratio >= 0.75 else 'not met'}).")
    return lines


# The scripts table: each row's test script (docs/benchmarks.md); `script-cost` measures the same
# scripts on one core (bench/script_cost.rs).
STATUS_TEST = "pm.test('status is 200', () => pm.response.to.have.status(200));"
SCRIPT_ROWS = [
    ("none", None),
    ("json", "var j = pm.response.json();"),
    ("status", STATUS_TEST),
    ("chai", "pm.test('b', () => pm.expect(1).to.eql(1));"),
    ("status+eql", STATUS_TEST + "\npm.test('has the user name', () => "
                   "pm.expect(pm.response.json().user.name).to.eql('Ada Lovelace'));"),
]
K6_USER_NAME = "'has the user name': (x) => x.json().user.name === 'Ada Lovelace',"


def scenario_scripts(a, ctx):
    json_url = ctx["url"] + "json"
    files = {}
    for name, script in SCRIPT_ROWS:
        files[name] = os.path.join(ctx["work"], f"json-{name.replace('+', '-')}.json")
        with open(files[name], "w") as f:
            json.dump({"url": json_url, **({"testScript": script} if script else {})}, f)
    n = calibrated_total(files["none"], 64, 2, a.duration)
    tools = {f"vayu {name}": (lambda path: lambda: vayu_batch(path, n, 64, 2, a.duration * 20 + 120))(files[name])
             for name, _ in SCRIPT_ROWS}
    # A peer that runs the last row's two checks on every response (64 VUs, 2 cores).
    tools["k6 status+eql"] = lambda: k6_check(json_url, 64, 2, a.duration, ctx["work"], K6_USER_NAME)
    results = rotate("scripts", tools, a.rounds, ctx["raw"])
    med = {t: {k: statistics.median(r[k] for r in rs) for k in ("rps", "cpu_per_100k")} for t, rs in results.items()}
    base = med["vayu none"]["rps"]
    lines = ["## Test scripts on every response (64 connections, 2 workers, nginx /json)", "",
             "| test script | requests/s | CPU µs per response | throughput vs no script |",
             "| --- | ---: | ---: | ---: |"]
    for t, m in med.items():
        lines.append(f"| {t} | {m['rps']:.0f} | {m['cpu_per_100k'] * 10:.1f} | {m['rps'] / base:.2f}x |")
    ratio = med["vayu status+eql"]["rps"] / base
    k6 = med["vayu status+eql"]["rps"] / med["k6 status+eql"]["rps"]
    lines += ["", f"status+eql: {ratio:.3f}x the requests/s without a script (target at least 0.75: "
              f"{'met' if ratio >= 0.75 else 'not met'}); {k6:.2f}x k6 with the same checks (target at least 4: "
              f"{'met' if k6 >= 4 else 'not met'}).",
              "", "Per round: " + "; ".join(f"{t}: " + ", ".join(f"{r['rps']:.0f}" for r in rs) for t, rs in results.items()), ""]
    return lines


def scenario_recording(a, ctx):
    n = calibrated_total(ctx["req"], 64, 2, a.duration)
    db = os.path.join(ctx["work"], "recording.db")
    tools = {
        "vayu": lambda: vayu_batch(ctx["req"], n, 64, 2, a.duration * 10 + 120),
        "vayu --db": lambda: vayu_batch(ctx["req"], n, 64, 2, a.duration * 10 + 120, db),
    }
    lines, med = table("Recording off vs on (vayu batch, 64 connections, 2 workers)", rotate("recording", tools, a.rounds, ctx["raw"]))
    ratio = med["vayu --db"]["rps"] / med["vayu"]["rps"]
    lines.insert(-2, f"Recording on: {ratio:.3f}x the requests/s with it off.")
    return lines


def scenario_open(a, ctx):
    dur = a.sweep_duration
    lines = [f"## Open model: Vayu and wrk2 at rising rates ({dur} s per rate, 64 connections, 2 threads)", ""]
    if not WRK2:
        lines += ["wrk2 is not installed and could not be built (see scripts/bench.sh): Vayu alone.", ""]
    lines += ["wrk2 keeps 64 connections and sends late when they are busy; Vayu sends on time and "
              "opens the connections that takes (default `maxInFlight`; sends beyond it are dropped). "
              "Vayu runs twice per rate: with its default send timing (`sendWindow` \"auto\": each send at "
              "its own time, 50 µs windows only where a worker's sends are that dense) and with "
              "`\"sendWindow\": \"1ms\"`, wrk2's timer granularity. "
              "Held: achieved within 1% of the target, and for Vayu nothing dropped or failed. CPU is "
              "user + sys of the load generator per request sent. Latency: Vayu's corrected (from each "
              "send's intended time) and service p50 / p99; wrk2's (corrected) p50 / p99.", "",
              "| target/s | Vayu achieved/s | dropped | Vayu CPU µs/req | Vayu corrected p50 / p99 ms | Vayu service p50 ms "
              "| Vayu 1 ms windows: dropped, CPU µs/req, corrected p50 / p99 ms "
              "| wrk2 achieved/s | wrk2 CPU µs/req | wrk2 p50 / p99 ms | CPU vs wrk2 (1 ms windows) | held: Vayu, Vayu 1 ms, wrk2 |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    windowed = os.path.join(ctx["work"], "run-1ms.json")
    with open(ctx["run"]) as f:
        spec = json.load(f)
    spec["config"]["sendWindow"] = "1ms"
    with open(windowed, "w") as f:
        json.dump(spec, f)

    def vayu_at(run_file, rate, name):
        text, r, cpu, _ = vayu_load(run_file, 2, ["--rps", str(rate), "--duration", f"{dur}s"])
        with open(os.path.join(ctx["raw"], f"open-{rate}-{name}.json"), "w") as f:
            f.write(text)
        held = r["achievedRps"] / r["targetRps"] >= 0.99 and r["dropped"] == 0 and r["failed"] == 0
        per_request = cpu / max(r["requestsSent"], 1) * 1e6
        print(f"open {rate:>7}/s {name}: achieved {r['achievedRps']:.0f}, dropped {r['dropped']}, "
              f"{per_request:.1f} µs CPU/req, corrected p50 {r['latencyUs']['corrected']['p50']} µs", flush=True)
        return r, per_request, held

    highest = {"vayu": None, "vayu 1 ms": None, "wrk2": None}
    for rate in a.rates:
        r, vayu_cpu, vayu_held = vayu_at(ctx["run"], rate, "vayu")
        lat, svc = r["latencyUs"]["corrected"], r["latencyUs"]["service"]
        row = (f"| {rate} | {r['achievedRps']:.0f} | {r['dropped']} | {vayu_cpu:.1f} | {lat['p50'] / 1000:.3f} / "
               f"{lat['p99'] / 1000:.3f} | {svc['p50'] / 1000:.3f} ")
        time.sleep(1)
        r1, windowed_cpu, windowed_held = vayu_at(windowed, rate, "vayu-1ms")
        lat1 = r1["latencyUs"]["corrected"]
        row += f"| {r1['dropped']}, {windowed_cpu:.1f}, {lat1['p50'] / 1000:.3f} / {lat1['p99'] / 1000:.3f} "
        wrk2_held = False
        if WRK2:
            time.sleep(1)
            text, w = wrk2(ctx["url"], 64, 2, dur, rate)
            with open(os.path.join(ctx["raw"], f"open-{rate}-wrk2.txt"), "w") as f:
                f.write(text)
            wrk2_held = w["rps"] / rate >= 0.99
            wrk2_cpu = w["cpu"] / max(w["requests"], 1) * 1e6
            row += (f"| {w['rps']:.0f} | {wrk2_cpu:.1f} | {w['p50']:.3f} / {w['p99']:.3f} "
                    f"| {vayu_cpu / wrk2_cpu:.2f}x ({windowed_cpu / wrk2_cpu:.2f}x) ")
            print(f"open {rate:>7}/s wrk2: achieved {w['rps']:.0f}, {wrk2_cpu:.1f} µs CPU/req, p50 {w['p50']} ms", flush=True)
        else:
            row += "| - | - | - | - "
        yes = lambda held: "yes" if held else "no"
        lines.append(row + f"| {yes(vayu_held)}, {yes(windowed_held)}, {yes(wrk2_held) if WRK2 else '-'} |")
        for name, held in [("vayu", vayu_held), ("vayu 1 ms", windowed_held), ("wrk2", wrk2_held)]:
            highest[name] = rate if held else highest[name]
        time.sleep(1)
        if not (vayu_held or windowed_held or wrk2_held):
            break
    lines += ["", f"Highest rate held: Vayu {highest['vayu'] or 'none'}/s, Vayu with 1 ms windows "
              f"{highest['vayu 1 ms'] or 'none'}/s, wrk2 {highest['wrk2'] or 'none'}/s", ""]
    return lines


def scenario_startup(a, ctx):
    times, rss = [], 0
    for _ in range(5):
        port, db = free_port(), os.path.join(tempfile.mkdtemp(dir=ctx["work"]), "v.db")
        t0 = time.perf_counter()
        proc = subprocess.Popen([VAYU_ENGINE, "--port", str(port), "--db", db], stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                    break
                except OSError:
                    if time.perf_counter() - t0 > 10:
                        raise RuntimeError("vayu-engine did not answer /health within 10 s")
                    time.sleep(0.001)
            times.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.2)
            with open(f"/proc/{proc.pid}/status") as f:
                rss = int(f.read().split("VmRSS:")[1].split()[0])
        finally:
            proc.terminate()
            proc.wait(10)
    return ["## Daemon start-up", "",
            f"Process start to first successful `/health` (5 starts, includes the poller's own overhead): "
            f"{', '.join(f'{t:.1f}' for t in times)} ms; median {statistics.median(times):.1f} ms "
            f"(target under 100 ms: {'met' if statistics.median(times) < 100 else 'not met'}). Idle RSS: {rss / 1024:.1f} MiB.", ""]


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB, Linux {os.uname().release}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default=",".join(ALL), help=f"comma-separated, from {','.join(ALL)} (default all)")
    p.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="rounds; tools rotate order each round (default 3)")
    p.add_argument("--c10k", type=int, default=10_000, help="connections of the c10k scenario (default 10000)")
    p.add_argument("--rates", type=lambda t: [int(x) for x in t.split(",")],
                   default=[1000, 10000, 20000, 30000, 40000, 50000, 60000, 70000, 80000],
                   help="open-model rates, requests/s, until one is not held")
    p.add_argument("--sweep-duration", type=int, default=10, help="seconds per open-model rate (default 10)")
    p.add_argument("--out", help="results folder (default bench/results/<date>-<host>)")
    a = p.parse_args()
    scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in ALL]
    if unknown:
        raise SystemExit(f"unknown scenarios {unknown}; choose from {ALL}")
    # openssl makes the TLS server's certificate (nginx starts with it for every scenario).
    for tool in ["nginx", "wrk", "oha", "hey", "h2load", "openssl", "/usr/bin/time"] + (["k6"] if {"script", "scripts"} & set(scenarios) else []):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/bench.sh, which installs it")
    for binary in [VAYU_CLI, VAYU_ENGINE]:
        if not os.path.exists(binary):
            raise SystemExit(f"{binary} is missing: run scripts/bench.sh, which builds it")

    stamp = datetime.datetime.now().strftime("%Y-%m-%d")
    out_dir = a.out or os.path.join(ROOT, "bench", "results", f"{stamp}-{socket.gethostname()}")
    raw_dir = os.path.join(out_dir, "raw")
    os.makedirs(raw_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="vayu-bench-")
    port, h2port, tlsport = free_port(), free_port(), free_port()
    nginx = start_nginx(work, port, h2port, tlsport)

    def cleanup(*_):
        nginx.terminate()
        try:
            nginx.wait(5)
        except subprocess.TimeoutExpired:
            nginx.kill()
        shutil.rmtree(work, ignore_errors=True)

    signal.signal(signal.SIGINT, lambda *_: (cleanup(), sys.exit(130)))
    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(143)))
    url = f"http://127.0.0.1:{port}/"
    ctx = {"url": url, "h2port": h2port, "tlsport": tlsport, "work": work, "raw": raw_dir,
           "req": os.path.join(work, "request.json"), "run": os.path.join(work, "run.json")}
    with open(ctx["req"], "w") as f:
        json.dump({"url": url}, f)
    with open(ctx["run"], "w") as f:
        json.dump({"request": {"url": url}, "config": {"duration": a.duration, "concurrency": 64}}, f)
    sections = []
    try:
        for s in scenarios:
            sections += globals()[f"scenario_{s}"](a, ctx)
    finally:
        cleanup()
    head = [f"# Vayu vs peers: {', '.join(scenarios)}", "",
            f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
            f"- machine: {machine()}",
            f"- command: scripts/bench.sh {' '.join(sys.argv[1:])}",
            "- target: nginx (bench/nginx.conf, 1 worker process) on 127.0.0.1, same machine",
            f"- figures: median of {a.rounds} rounds of {a.duration} s; CPU = user+sys of the load generator (/usr/bin/time)", ""]
    summary = "\n".join(head + sections) + "\n"
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(summary)
    print("\n" + summary)
    print(f"raw output in {raw_dir}")


if __name__ == "__main__":
    main()
