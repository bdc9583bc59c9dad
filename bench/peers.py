#!/usr/bin/env python3
"""Closed-model throughput of vayu-cli batch against wrk and oha, on one machine, in one run.

All three hit the same nginx on loopback (bench/nginx.conf: tiny static 200, keep-alive) with the
same connections and threads, in rotating order over several rounds. Each run is timed by
/usr/bin/time for CPU seconds and peak RSS. Raw output and a summary go to
bench/results/<date>-<host>/. Run it through scripts/bench.sh, which installs what is missing.
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAYU_CLI = os.path.join(ROOT, "target", "release", "vayu-cli")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, port):
    prefix = os.path.join(workdir, "nginx")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "nginx.conf")) as f:
        conf = f.read().replace("__PORT__", str(port))
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
    """Runs cmd under /usr/bin/time; returns (stdout, wall s, cpu s, peak RSS KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name] + cmd
        out = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
        wall, user, sys_, rss = tf.read().split()[-4:]
    return out.stdout + out.stderr, float(wall), float(user) + float(sys_), int(rss)


def run_wrk(url, a):
    cmd = ["wrk", f"-t{a.threads}", f"-c{a.connections}", f"-d{a.duration}s", url]
    text, wall, cpu, rss = timed(cmd, a.duration + 60)
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    # wrk's own clock covers only the load phase; use it for the rate.
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    return text, dict(requests=requests, rps=rps, cpu=cpu, rss_kib=rss)


def run_oha(url, a):
    cmd = ["oha", "-z", f"{a.duration}s", "-c", str(a.connections), "--worker-threads", str(a.threads),
           "--no-tui", "--output-format", "json", url]
    text, wall, cpu, rss = timed(cmd, a.duration + 60)
    report = json.loads(text[text.index("{"):text.rindex("}") + 1])
    requests = sum(report.get("statusCodeDistribution", {}).values())
    return text, dict(requests=requests, rps=report["summary"]["requestsPerSec"], cpu=cpu, rss_kib=rss)


def run_vayu(url, a, request_file, total, db=None):
    cmd = [VAYU_CLI, "batch", request_file, "--repeat", str(total), "--concurrency", str(a.connections),
           "--workers", str(a.threads), "--json"]
    if db:
        cmd += ["--db", db]
    text, wall, cpu, rss = timed(cmd, a.duration * 10 + 120)
    report = json.loads(text[text.index("{"):text.rindex("}") + 1])
    if report["failed"]:
        raise RuntimeError(f"vayu batch had {report['failed']} failures: {report['errors']}")
    return text, dict(requests=report["completed"], rps=report["requestsPerSecond"], cpu=cpu, rss_kib=rss)


def run_vayu_load(a, run_file, extra):
    cmd = [VAYU_CLI, "load", run_file, "--workers", str(a.threads), "--json"] + extra
    text, wall, cpu, rss = timed(cmd, 600)
    report = json.loads(text[text.index("{"):text.rindex("}") + 1])
    return text, report, cpu, rss


def run_vayu_closed(a, run_file):
    text, report, cpu, rss = run_vayu_load(a, run_file, ["--concurrency", str(a.connections), "--duration", f"{a.duration}s"])
    return text, dict(requests=report["completed"], rps=report["achievedRps"], cpu=cpu, rss_kib=rss)


def rate_sweep(a, run_file, raw_dir):
    """Open-model runs at rising rates: achieved/target, dropped, corrected p99. Stops after the
    first rate the machine does not hold (achieved < 99% of target, or any drop)."""
    rows = []
    for rate in a.rates:
        text, r, cpu, rss = run_vayu_load(a, run_file, ["--rps", str(rate), "--duration", f"{a.sweep_duration}s"])
        with open(os.path.join(raw_dir, f"rate-{rate}.json"), "w") as f:
            f.write(text)
        sent_share = r["requestsSent"] / r["requestsExpected"]
        accuracy = r["achievedRps"] / r["targetRps"]
        held = accuracy >= 0.99 and r["dropped"] == 0 and r["failed"] == 0
        rows.append(dict(rate=rate, achieved=r["achievedRps"], accuracy=accuracy, sent_share=sent_share,
                         dropped=r["dropped"], failed=r["failed"], p99=r["latencyUs"]["corrected"]["p99"],
                         service_p99=r["latencyUs"]["service"]["p99"], cpu=cpu, held=held))
        print(f"rate {rate:>7}/s: achieved {r['achievedRps']:>9.0f}/s ({accuracy:.4f}), dropped {r['dropped']}, "
              f"corrected p99 {rows[-1]['p99'] / 1000:.2f} ms", flush=True)
        time.sleep(1)
        if not held:
            break
    return rows


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
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="rounds; tools rotate order each round (default 3)")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", help="results folder (default bench/results/<date>-<host>)")
    p.add_argument("--with-recording", action="store_true",
                   help="also run vayu with --db (recording on) in the rotation, for the on/off ratio")
    p.add_argument("--with-load", action="store_true",
                   help="also run 'vayu-cli load --concurrency' (closed model) in the rotation")
    p.add_argument("--with-script", action="store_true",
                   help="also run vayu on /json without and with a typical test script, for the ratio")
    p.add_argument("--rate-sweep", action="store_true",
                   help="after the rounds, open-model runs at --rates until one is not held")
    p.add_argument("--rates", type=lambda t: [int(x) for x in t.split(",")],
                   default=[1000, 10000, 20000, 30000, 40000, 50000, 60000, 70000, 80000],
                   help="rates for --rate-sweep, requests/s (default 1000,10000,20000,...,80000)")
    p.add_argument("--sweep-duration", type=int, default=10, help="seconds per sweep rate (default 10)")
    a = p.parse_args()

    for tool in ["nginx", "wrk", "oha", "/usr/bin/time"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/bench.sh, which installs it")
    if not os.path.exists(VAYU_CLI):
        raise SystemExit("target/release/vayu-cli is missing: run scripts/bench.sh, which builds it")

    stamp = datetime.datetime.now().strftime("%Y-%m-%d")
    out_dir = a.out or os.path.join(ROOT, "bench", "results", f"{stamp}-{socket.gethostname()}")
    raw_dir = os.path.join(out_dir, "raw")
    os.makedirs(raw_dir, exist_ok=True)

    workdir = tempfile.mkdtemp(prefix="vayu-bench-")
    port = free_port()
    nginx = start_nginx(workdir, port)

    def cleanup(*_):
        nginx.terminate()
        try:
            nginx.wait(5)
        except subprocess.TimeoutExpired:
            nginx.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    signal.signal(signal.SIGINT, lambda *_: (cleanup(), sys.exit(130)))
    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(143)))
    try:
        url = f"http://127.0.0.1:{port}/"
        request_file = os.path.join(workdir, "request.json")
        with open(request_file, "w") as f:
            json.dump({"url": url}, f)
        # vayu-cli batch runs a count, not a duration: size it from a short calibration run.
        _, cal = run_vayu(url, argparse.Namespace(**{**vars(a), "duration": 5}), request_file, 50_000)
        total = int(cal["rps"] * a.duration)

        tools = {
            "vayu": lambda: run_vayu(url, a, request_file, total),
            "wrk": lambda: run_wrk(url, a),
            "oha": lambda: run_oha(url, a),
        }
        if a.with_recording:
            db = os.path.join(workdir, "recording.db")
            tools["vayu+db"] = lambda: run_vayu(url, a, request_file, total, db)
        run_file = os.path.join(workdir, "run.json")
        with open(run_file, "w") as f:
            json.dump({"request": {"url": url}, "config": {"duration": a.duration, "concurrency": a.connections}}, f)
        if a.with_load:
            tools["vayu load"] = lambda: run_vayu_closed(a, run_file)
        if a.with_script:
            json_url = url + "json"
            plain_file = os.path.join(workdir, "json.json")
            script_file = os.path.join(workdir, "json-script.json")
            with open(plain_file, "w") as f:
                json.dump({"url": json_url}, f)
            with open(script_file, "w") as f:
                json.dump({"url": json_url, "testScript": [
                    "pm.test('status is 200', () => pm.response.to.have.status(200));",
                    "pm.test('has the user id', () => pm.expect(pm.response.json().user.id).to.equal(42));"]}, f)
            tools["vayu json"] = lambda: run_vayu(json_url, a, plain_file, total)
            tools["vayu json+script"] = lambda: run_vayu(json_url, a, script_file, total)
        results = {name: [] for name in tools}
        order = list(tools)
        for rnd in range(a.rounds):
            for name in order:
                text, r = tools[name]()
                r["cpu_per_100k"] = r["cpu"] / r["requests"] * 100_000
                results[name].append(r)
                with open(os.path.join(raw_dir, f"round{rnd + 1}-{name}.txt"), "w") as f:
                    f.write(text)
                print(f"round {rnd + 1} {name:5} {r['rps']:>10.0f} req/s  {r['cpu_per_100k']:.3f} CPU-s/100k  "
                      f"{r['rss_kib'] / 1024:.1f} MiB", flush=True)
                time.sleep(1)
            order = order[1:] + order[:1]
        sweep = rate_sweep(a, run_file, raw_dir) if a.rate_sweep else []
    finally:
        cleanup()

    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("rps", "cpu_per_100k", "rss_kib")}
           for n, rs in results.items()}
    best_rps = max(m["rps"] for n, m in med.items() if not n.startswith("vayu"))
    lines = [
        f"# Closed model, HTTP/1.1, {a.connections} keep-alive connections, {a.threads} threads",
        "",
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {machine()}",
        "- command: scripts/bench.sh " + " ".join(sys.argv[1:]),
        f"- target: nginx (bench/nginx.conf, 1 worker process) on 127.0.0.1, same machine",
        f"- figures: median of {a.rounds} rounds; CPU = user+sys of the load generator (/usr/bin/time)",
        "",
        "| tool | requests/s | CPU s per 100k requests | peak RSS MiB | requests/s vs wrk | vs best peer |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in med.items():
        lines.append(f"| {name} | {m['rps']:.0f} | {m['cpu_per_100k']:.3f} | {m['rss_kib'] / 1024:.1f} | "
                     f"{m['rps'] / med['wrk']['rps']:.2f} | {m['rps'] / best_rps:.2f} |")
    if "vayu json+script" in med:
        lines += ["", f"Test script on every response (vayu json+script) vs none (vayu json): requests/s ratio "
                      f"{med['vayu json+script']['rps'] / med['vayu json']['rps']:.3f}, CPU per request ratio "
                      f"{med['vayu json+script']['cpu_per_100k'] / med['vayu json']['cpu_per_100k']:.3f}"]
    if "vayu+db" in med:
        lines += ["", f"Recording on (vayu+db) vs off (vayu): requests/s ratio "
                      f"{med['vayu+db']['rps'] / med['vayu']['rps']:.3f}, CPU per request ratio "
                      f"{med['vayu+db']['cpu_per_100k'] / med['vayu']['cpu_per_100k']:.3f}"]
    if sweep:
        held = [r for r in sweep if r["held"]]
        lines += ["", f"## Open-model rate accuracy ({a.sweep_duration} s per rate, {a.threads} workers)", "",
                  "| target/s | achieved/s | achieved / target | sent / planned | dropped | failed | corrected p99 ms | service p99 ms | held |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for r in sweep:
            lines.append(f"| {r['rate']} | {r['achieved']:.0f} | {r['accuracy']:.4f} | {r['sent_share']:.4f} | {r['dropped']} | "
                         f"{r['failed']} | {r['p99'] / 1000:.2f} | {r['service_p99'] / 1000:.2f} | {'yes' if r['held'] else 'no'} |")
        lines += ["", f"Highest rate held: {held[-1]['rate'] if held else 'none'}/s"]
    lines += ["", "Per round:", ""]
    for name, rs in results.items():
        lines.append(f"- {name}: " + ", ".join(f"{r['rps']:.0f} req/s ({r['cpu_per_100k']:.3f} CPU-s/100k)" for r in rs))
    summary = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(summary)
    print("\n" + summary)
    print(f"raw output in {raw_dir}")


if __name__ == "__main__":
    main()
