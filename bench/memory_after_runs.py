#!/usr/bin/env python3
"""Memory a daemon takes for large run bodies, and what it holds after they end.

Starts nothing itself: scripts/bench-memory.sh starts the engine and passes its PID and port.
Posts ROUNDS rounds of RUNS runs at once, each with a request body of SIZE_MB (sent to a closed
port, so each run ends at once), and prints the daemon's RSS: at start, its peak while the runs
are taken, a few seconds after each round, and once the workers have been idle long enough to
close their connections (the engine's IDLE_CONNECTIONS_KEPT, 5 s).
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

pid, port = int(sys.argv[1]), int(sys.argv[2])
runs, rounds, size_mb = (int(a) for a in sys.argv[3:6])


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


def post(body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/run", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req).read()
    except urllib.error.HTTPError as e:
        print("refused:", e.read()[:200].decode(), file=sys.stderr)


body = json.dumps({"request": {"url": "http://127.0.0.1:1/", "method": "POST", "body": "x" * (size_mb << 20)},
                   "config": {"mode": "iterations", "iterations": 1}}).encode()
peak, done = [0], threading.Event()


def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_kib())
        time.sleep(0.01)


sampler = threading.Thread(target=sample)
print(f"RSS at start: {rss_kib() / 1024:.1f} MiB")
sampler.start()
for r in range(rounds):
    posts = [threading.Thread(target=post, args=(body,)) for _ in range(runs)]
    for p in posts:
        p.start()
    for p in posts:
        p.join()
    time.sleep(2)
    print(f"round {r + 1}: {runs} runs of {size_mb} MB at once; RSS 2 s after: {rss_kib() / 1024:.1f} MiB")
time.sleep(6)
done.set()
sampler.join()
print(f"peak RSS {peak[0] / 1024:.1f} MiB; 8 s after the last round (workers idle): {rss_kib() / 1024:.1f} MiB")
