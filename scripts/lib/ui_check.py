#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium through chromedriver's WebDriver API (stdlib only):
starts a run from the form, watches the live view's numbers change, sees the run complete and
listed, opens its HTML report. Saves screenshots. Used by scripts/check-ui.sh.

usage: ui_check.py ENGINE_URL TARGET_URL SHOTS_DIR
"""
import base64
import json
import subprocess
import sys
import time
import urllib.request

engine, target, shots = sys.argv[1], sys.argv[2], sys.argv[3]
# chromedriver on a free loopback port.
import socket
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
wd_port = probe.getsockname()[1]
probe.close()
driver = subprocess.Popen(["chromedriver", f"--port={wd_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wd(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{wd_port}" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]


def wait_for(what, check, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"ui check: timed out waiting for {what}")


for _ in range(50):
    try:
        wd("GET", "/status")
        break
    except Exception:
        time.sleep(0.1)
session = wd("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    # No sandbox and no /dev/shm: CI containers have neither to spare.
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1100"]}}}})["sessionId"]
s = f"/session/{session}"
problems = []
try:
    def find(css):
        return wd("POST", s + "/element", {"using": "css selector", "value": css})["element-6066-11e4-a52e-4f735466cecf"]

    def text(css):
        return wd("GET", f"{s}/element/{find(css)}/text")

    def shot(name):
        with open(f"{shots}/{name}", "wb") as f:
            f.write(base64.b64decode(wd("GET", s + "/screenshot")))

    # Start a run from the form.
    wd("POST", s + "/url", {"url": engine + "/ui/#/new"})
    box = wait_for("the form", lambda: find("#run-file"))
    wd("POST", f"{s}/element/{box}/clear", {})
    run = {"request": {"url": target}, "config": {"targetRps": 200, "duration": "6s"}}
    wd("POST", f"{s}/element/{box}/value", {"text": json.dumps(run)})
    wd("POST", f"{s}/element/{find('#start')}/click", {})
    # The live view: its numbers change while the run goes.
    first = wait_for("the live numbers", lambda: text("#sent"))
    wait_for("the numbers to change", lambda: text("#sent") != first)
    codes = wait_for("the status codes", lambda: text("#details"))
    if "200" not in codes:
        problems.append(f"the live view's responses show {codes!r}, no 200")
    time.sleep(1.5)
    shot("ui-live.png")
    url = wd("GET", s + "/url")
    run_id = url.split("#/run/")[1]
    # The run completes; the view turns into the finished run's.
    wait_for("the run to complete", lambda: text("#status") == "completed")
    link = wait_for("the report link", lambda: find("#report-link"))
    # The run is in the list.
    wd("POST", s + "/url", {"url": engine + "/ui/#/runs"})
    row = wait_for("the runs list", lambda: text(f'tr[data-run="{run_id}"]'))
    if "completed" not in row:
        problems.append(f"the list shows {row!r}")
    # Its HTML report renders.
    wd("POST", s + "/url", {"url": f"{engine}/run/{run_id}/report.html"})
    wait_for("the report to render", lambda: wd("POST", s + "/execute/sync", {
        "script": "return document.getElementById('report').getAttribute('data-rendered')", "args": []}) == "true")
    sent = text("#requests-sent")
    if sent.replace(",", "") != "1200":
        problems.append(f"the report shows {sent} requests sent, not 1,200")
    shot("ui-report.png")
    # A refused run shows the field the engine names.
    wd("POST", s + "/url", {"url": engine + "/ui/#/new"})
    box = wait_for("the form", lambda: find("#run-file"))
    wd("POST", f"{s}/element/{box}/clear", {})
    wd("POST", f"{s}/element/{box}/value", {"text": json.dumps({"request": {"url": target}, "config": {"targetRps": -1, "duration": "1s"}})})
    wd("POST", f"{s}/element/{find('#start')}/click", {})
    refusal = wait_for("the refusal", lambda: text("#run-error"))
    if "config.targetRps" not in refusal:
        problems.append(f"the refusal does not name the field: {refusal!r}")
finally:
    try:
        wd("DELETE", s)
    finally:
        driver.terminate()
for p in problems:
    print("ui check:", p)
print("ui check:", "ok (form, live view, list, report, refusal)" if not problems else "FAILED")
sys.exit(1 if problems else 0)
