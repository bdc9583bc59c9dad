#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium through chromedriver's WebDriver API (stdlib only),
against an engine started with --token: the page asks for the token and says when it is refused;
a run started from the form shows its live numbers changing (corrected and service latency), then
completes into its report drawn in the page, and is listed; its HTML report, downloaded from the
page and opened from a file:// URL, shows the JSON report's numbers; a saved environment picked in the
form goes into the run file; a saved collection picked in the form runs into its report; a refused run names its field, selected in the run file. Then the workbench session
of ui_workbench.py. Saves screenshots. Used by scripts/check-ui.sh.

usage: ui_check.py ENGINE_URL TOKEN SHOTS_DIR WORK_DIR
"""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import types
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ui_workbench  # noqa: E402 (found next to this file)

engine, token, shots, work = sys.argv[1:5]
# chromedriver on a free loopback port.
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
wd_port = probe.getsockname()[1]
probe.close()
driver = subprocess.Popen(["chromedriver", f"--port={wd_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def wd(method, path, body=None):
    try:
        return json.loads(call(f"http://127.0.0.1:{wd_port}" + path, method, body))["value"]
    except urllib.error.HTTPError as e:
        # WebDriver says why in the body (no such element, not interactable, ...).
        raise RuntimeError(f"WebDriver {method} {path}: {e.code} {e.read()[:400]!r}") from None


def engine_api(method, path, body=None):
    return call(engine + path, method, body, {"Authorization": "Bearer " + token})


def wait_for(what, check, seconds=30):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as e:
            last = e
        time.sleep(0.2)
    raise SystemExit(f"ui check: timed out waiting for {what}" + (f" (last: {str(last)[:300]})" if last else ""))


for _ in range(50):
    try:
        wd("GET", "/status")
        break
    except Exception:
        time.sleep(0.1)
session = wd("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:loggingPrefs": {"browser": "ALL"}, "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    # No sandbox and no /dev/shm: CI containers have neither to spare.
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"],
    "prefs": {"download.default_directory": work, "download.prompt_for_download": False}}}}})["sessionId"]
s = f"/session/{session}"
problems = []
try:
    def find(css):
        return wd("POST", s + "/element", {"using": "css selector", "value": css})["element-6066-11e4-a52e-4f735466cecf"]

    def text(css):
        # Found and read in one step: the live view redraws every 100 ms, and an element found
        # first and read after a redraw would be gone (a stale element, 404).
        return wd("POST", s + "/execute/sync", {
            "script": "const e = document.querySelector(arguments[0]); return e ? e.innerText : null",
            "args": [css]})

    def js(script):
        return wd("POST", s + "/execute/sync", {"script": script, "args": []})

    def type_into(css, value):
        box = wait_for(css, lambda: find(css))
        wd("POST", f"{s}/element/{box}/clear", {})
        wd("POST", f"{s}/element/{box}/value", {"text": value})

    def click(css):
        wd("POST", f"{s}/element/{find(css)}/click", {})

    def shot(name):
        with open(f"{shots}/{name}", "wb") as f:
            f.write(base64.b64decode(wd("GET", s + "/screenshot")))

    def rendered():
        return js("const r = document.getElementById('report'); return r && r.getAttribute('data-rendered')") == "true"

    # The page asks for the token; a wrong one is refused, the right one opens the form.
    wd("POST", s + "/url", {"url": engine + "/ui/#/new"})
    type_into("#token", "not-the-token")
    click("#token-submit")
    wait_for("the refusal of a wrong token", lambda: text("#token-refused"))
    type_into("#token", token)
    click("#token-submit")
    wait_for("the form", lambda: find("#run-file"))
    if js("return sessionStorage.getItem('vayu-token')") != token:
        problems.append("the token is not kept in the tab's sessionStorage")
    if js("return document.cookie") or token in wd("GET", s + "/url"):
        problems.append("the token went into a cookie or the URL")

    # Start an open-model run from the form; its target is the engine's own /health.
    run = {"request": {"url": engine + "/health", "headers": {"Authorization": "Bearer " + token}},
           "config": {"targetRps": 200, "duration": "6s"}}
    type_into("#run-file", json.dumps(run))
    click("#start")
    # The live view: its numbers change while the run goes.
    first = wait_for("the live numbers", lambda: text("#sent"))
    wait_for("the numbers to change", lambda: text("#sent") != first)
    codes = wait_for("the status codes", lambda: text("#details"))
    if "200" not in codes:
        problems.append(f"the live view's responses show {codes!r}, no 200")
    latency = wait_for("the latency table", lambda: text("#latency"))
    if "corrected" not in latency or "service time" not in latency:
        problems.append(f"the live view does not show corrected and service latency: {latency!r}")
    time.sleep(1.5)
    shot("ui-live.png")
    run_id = wd("GET", s + "/url").split("#/run/")[1]
    # The run completes; the view turns into its report, drawn in the page.
    wait_for("the report in the page", rendered)
    if text("#status") != "completed":
        problems.append(f"the report says {text('#status')}, not completed")
    sent = text("#requests-sent")
    if sent.replace(",", "") != "1200":
        problems.append(f"the report in the page shows {sent} requests sent, not 1,200")
    if js("return document.querySelectorAll('#report canvas').length") != 3:
        problems.append("the report in the page has not its 3 charts")
    shot("ui-report.png")
    # Its HTML report downloads from the page (a fetch with the token).
    click(f'button[data-file="vayu-{run_id}.html"]')
    downloaded = f"{work}/vayu-{run_id}.html"
    wait_for("the download", lambda: os.path.exists(downloaded) and os.path.getsize(downloaded) > 0)
    # The run is in the list.
    wd("POST", s + "/url", {"url": engine + "/ui/#/runs"})
    row = wait_for("the runs list", lambda: text(f'tr[data-run="{run_id}"]'))
    if "completed" not in row:
        problems.append(f"the list shows {row!r}")

    # The downloaded HTML report shows the JSON report's numbers, opened from the file.
    report = json.loads(engine_api("GET", f"/run/{run_id}/report"))
    if open(downloaded, "rb").read() != engine_api("GET", f"/run/{run_id}/report.html"):
        problems.append("the downloaded HTML report is not what GET /run/{id}/report.html gives")
    wd("POST", s + "/url", {"url": f"file://{downloaded}"})
    wait_for("the HTML report to render", rendered)
    shown = {k: text("#" + k).replace(",", "") for k in ["requests-sent", "status", "run-id"]}
    expected = {"requests-sent": str(report["requestsSent"]), "status": report["status"], "run-id": run_id}
    if shown != expected:
        problems.append(f"the HTML report shows {shown}, the JSON report {expected}")
    if "NaN" in js("return document.body.innerText"):
        problems.append("NaN in the HTML report")

    # A saved environment picked in the form goes into the run file.
    env = json.loads(engine_api("POST", "/environments", {"name": "staging", "variables": {"base": engine}}))
    wd("POST", s + "/url", {"url": engine + "/ui/#/new"})
    wait_for("the environment picker", lambda: find(f'#environment option[value="{env["id"]}"]'))
    click(f'#environment option[value="{env["id"]}"]')
    picked = json.loads(js("return document.getElementById('run-file').value"))
    if picked.get("environmentId") != env["id"]:
        problems.append(f"picking the environment left the run file {picked}")

    # A saved collection picked in the form runs once through, into its report in the page.
    health = {"method": "GET", "url": engine + "/health", "header": [{"key": "Authorization", "value": "Bearer " + token}]}
    test = "pm.test('up', function () { pm.expect(pm.response.json().status).to.equal('ok'); });"
    collection = json.loads(engine_api("POST", "/collections/import", {
        "info": {"name": "Engine checks", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "health", "request": health, "event": [{"listen": "test", "script": {"exec": [test]}}]}]}))
    wd("POST", s + "/refresh", {})  # the form lists what was saved when it was drawn
    wait_for("the collection picker", lambda: find(f'#collection option[value="{collection["id"]}"]'))
    click(f'#collection option[value="{collection["id"]}"]')
    click("#start")
    wait_for("the collection run's report", rendered)
    if text("#collection") != "Engine checks" or text("#status") != "passed":
        problems.append(f"the collection run's report shows {text('#collection')!r} {text('#status')!r}")
    if not find('button[data-file$=".xml"]'):
        problems.append("no JUnit download for the collection run")

    # A refused run shows the field the engine names.
    wd("POST", s + "/url", {"url": engine + "/ui/#/new"})
    type_into("#run-file", json.dumps({"request": {"url": engine + "/health"}, "config": {"targetRps": -1, "duration": "1s"}}))
    click("#start")
    refusal = wait_for("the refusal", lambda: text("#run-error"))
    if "config.targetRps" not in refusal:
        problems.append(f"the refusal does not name the field: {refusal!r}")
    selected = js("const b = document.getElementById('run-file'); return b.value.substring(b.selectionStart, b.selectionEnd)")
    if selected != '"targetRps"':
        problems.append(f"the run file's text has {selected!r} selected, not the field named")

    # The workbench, as a person uses it (ui_workbench.py).
    def keys(element, value):
        wd("POST", f"{s}/element/{element}/value", {"text": value})

    helpers = types.SimpleNamespace(
        find=find, text=text, js=js, click=click, type_into=type_into, shot=shot, wait_for=wait_for,
        rendered=rendered, keys=keys, wd=wd, s=s, api=engine_api, go=lambda url: wd("POST", s + "/url", {"url": url}))
    ui_workbench.run(helpers, engine, shots, work, problems)
finally:
    try:
        wd("DELETE", s)
    finally:
        driver.terminate()
for p in problems:
    print("ui check:", p)
print("ui check:", "ok (token, form, live view, report in the page, list, HTML report from a file, environment, collection run, refusal; "
      "workbench: collection, environment, send with waterfall and test, variables set by a script, save, curl, JSON and "
      "GraphQL POST, export, history search, import (Postman, environment, curl) and run, load test from the form, "
      "tabs after a reload, engine panel, dark theme, HTML preview, XML pretty, HAR import with hosts and report, "
      "CSV data run streamed, drag move, clean console)"
      if not problems else "FAILED")
sys.exit(1 if problems else 0)
