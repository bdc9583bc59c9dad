#!/usr/bin/env python3
"""Slow and many clients against a running vayu-engine (scripts/bench-api-clients.sh starts it).

Holds `--idle` connections open without a byte sent, and `--trickle` clients each sending a
request body one byte a second (a client cut off, by a 408 say, connects again and goes on).
Meanwhile it asks GET /health every 20 ms on a fresh connection and times the whole exchange,
and after 5 s starts a load run against `--target` and waits for it to complete. Prints the
figures as Markdown table rows and exits 1 if the run did not complete.
"""
import argparse
import json
import socket
import statistics
import threading
import time


def exchange(api, raw, timeout=10.0):
    """Sends `raw` on a fresh connection; returns (status, body) of the reply."""
    with socket.create_connection(api, timeout=timeout) as s:
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed before a reply")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head[9:12]), body


def request(api, method, path, body=None):
    host = f"{api[0]}:{api[1]}"
    extra = b""
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        extra = b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(payload)
    raw = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n".encode()
    return exchange(api, raw + extra + b"\r\n" + payload)


class Trickler(threading.Thread):
    """`count` clients, each sending a long body one byte a second; reconnects the ones cut off."""

    def __init__(self, api, count, stop):
        super().__init__(daemon=True)
        self.api, self.count, self.stop = api, count, stop
        self.cut_off = 0
        self.refusals = {}

    def open(self):
        s = socket.create_connection(self.api, timeout=5)
        s.sendall(
            f"POST /collections HTTP/1.1\r\nHost: {self.api[0]}:{self.api[1]}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".encode()
        )
        s.setblocking(False)
        return s

    def run(self):
        clients = [self.open() for _ in range(self.count)]
        while not self.stop.is_set():
            time.sleep(1)
            for i, s in enumerate(clients):
                try:
                    reply = s.recv(4096)
                    # A reply before the body is whole: a refusal (408), then the close.
                    status = reply[9:12].decode() if reply.startswith(b"HTTP/") else "closed"
                    self.refusals[status] = self.refusals.get(status, 0) + 1
                    self.cut_off += 1
                    s.close()
                    clients[i] = self.open()
                    continue
                except BlockingIOError:
                    pass
                except OSError:
                    clients[i] = self.open()
                    continue
                try:
                    s.send(b" ")
                except OSError:
                    clients[i] = self.open()
        for s in clients:
            s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True, help="host:port of the engine")
    p.add_argument("--target", required=True, help="URL the load run sends to")
    p.add_argument("--idle", type=int, default=1000)
    p.add_argument("--trickle", type=int, default=100)
    p.add_argument("--seconds", type=float, default=40)
    args = p.parse_args()
    host, port = args.api.rsplit(":", 1)
    api = (host, int(port))

    idle = []
    for _ in range(args.idle):
        idle.append(socket.create_connection(api, timeout=5))
    stop = threading.Event()
    trickler = Trickler(api, args.trickle, stop)
    trickler.start()
    time.sleep(1)

    samples, failures = [], 0
    run_id, run_result = None, {}

    def watch_run():
        try:
            start_and_wait()
        except OSError as e:
            run_result["status"] = f"failed: {e or type(e).__name__}"

    def start_and_wait():
        status, body = request(api, "POST", "/run", {
            "request": {"url": args.target},
            "config": {"targetRps": 1000, "duration": "10s"},
        })
        if status != 202:
            run_result["status"] = f"not started ({status}: {body[:200]!r})"
            return
        rid = json.loads(body)["runId"]
        started = time.monotonic()
        while time.monotonic() - started < 60:
            status, body = request(api, "GET", f"/run/{rid}")
            run = json.loads(body)
            if run["status"] not in ("pending", "running"):
                summary = run.get("summary") or {}
                run_result.update(status=run["status"], seconds=time.monotonic() - started,
                                  completed=summary.get("completed"))
                return
            time.sleep(0.5)
        run_result["status"] = "still running after 60 s"

    runner = None
    begin = time.monotonic()
    while time.monotonic() - begin < args.seconds:
        if runner is None and time.monotonic() - begin > 5:
            runner = threading.Thread(target=watch_run, daemon=True)
            runner.start()
        t0 = time.perf_counter()
        try:
            status, _ = request(api, "GET", "/health")
            if status == 200:
                samples.append((time.perf_counter() - t0) * 1000)
            else:
                failures += 1
        except OSError:
            failures += 1
        time.sleep(0.02)
    if runner:
        runner.join(timeout=70)
    stop.set()
    trickler.join(timeout=5)
    open_idle = 0
    for s in idle:
        try:
            s.setblocking(False)
            s.recv(1)
        except BlockingIOError:
            open_idle += 1
        except OSError:
            pass
        s.close()

    samples.sort()
    pct = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] if samples else float("nan")
    print(f"| idle connections held open to the end | {open_idle} of {args.idle} |")
    print(f"| trickling clients | {args.trickle}; cut off {trickler.cut_off} times "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(trickler.refusals.items())) or 'none'}) |")
    print(f"| GET /health answered | {len(samples)} of {len(samples) + failures} |")
    print(f"| GET /health p50 / p99 / max (ms) | {pct(0.5):.2f} / {pct(0.99):.2f} / "
          f"{(samples[-1] if samples else float('nan')):.2f} |")
    if samples:
        print(f"| GET /health mean (ms) | {statistics.mean(samples):.2f} |")
    print(f"| load run started at 5 s (1,000/s for 10 s) | {run_result.get('status')}"
          + (f", {run_result['completed']} requests, done {run_result['seconds']:.1f} s after start"
             if "seconds" in run_result else "") + " |")
    return 0 if run_result.get("status") == "completed" else 1


if __name__ == "__main__":
    raise SystemExit(main())
