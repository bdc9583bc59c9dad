"""The workbench part of scripts/check-ui.sh, driven as a person would use it (see ui_check.py
for the WebDriver helpers it is given): against a loopback target started here, it creates a
collection, an environment with `base` and a request using `{{base}}` with a test script; sends
it with Ctrl+Enter and sees the 200, the timing waterfall, the passing test and the variable the
script set in the environment; saves it with Ctrl+S; sends a POST with a JSON body, then as
GraphQL; exports the collection; finds the sends in the searchable history; imports a Postman
collection file through the file picker and runs it into the runner (one assertion fails, by
design); builds a constant-arrival-rate load test of the request in the form, round-trips it
through the JSON view, starts it, sees it live and stops it; reloads and finds the tabs restored
with their unsaved marks. Every wait is for a condition, never a fixed sleep."""
import functools
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ui_collections
import ui_requests
from ui_steps import CTRL, ENTER, RELEASE, click_when_there, type_in_url

PAGE = "<!doctype html><html><body><h1>Hello preview</h1><p>rendered, not run</p><script>document.title = 'ran'</script></body></html>"
FEED = '<?xml version="1.0"?><feed><item id="1"><title>One</title></item><item id="2"><title>Two</title></item></feed>'


class Target(BaseHTTPRequestHandler):
    """The loopback API the session's requests go to."""

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, content_type, text):
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/users/7"):
            self.reply(200, {"id": 7, "name": "Ada", "query": self.path.partition("?")[2]})
        elif self.path == "/page.html":
            self.send_text("text/html; charset=utf-8", PAGE)
        elif self.path == "/feed.xml":
            self.send_text("application/xml", FEED)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/users/7")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/whoami":
            self.reply(200, {"authorization": self.headers.get("Authorization")})
        else:
            self.reply(404, {"error": "no such page"})

    def do_POST(self):
        # What arrived, for the page to show: JSON read back, any other body as its bytes (latin-1).
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type") or ""
        if "json" in content_type:
            self.reply(200, {"method": "POST", "contentType": content_type, "json": json.loads(body.decode() or "null")})
        else:
            self.reply(200, {"method": "POST", "contentType": content_type, "length": len(body), "raw": body.decode("latin-1")})

    def log_message(self, *args):
        pass


def start_target():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run(h, engine, shots, work, problems):
    server, base = start_target()
    try:
        shop, env = session(h, engine, base, shots, work, problems)
        ui_requests.run(h, base, work, problems, shop, env)
        ui_collections.run(h, engine, base, work, problems, shop, env)
        console_is_clean(h, problems)
    finally:
        server.shutdown()


def session(h, engine, base, shots, work, problems):
    find, text, js, wait_for, keys = h.find, h.text, h.js, h.wait_for, h.keys
    # The console so far (the token's 401s, the refused run) is not this session's.
    h.wd("POST", h.s + "/se/log", {"type": "browser"})

    type_url = functools.partial(type_in_url, h)
    click = functools.partial(click_when_there, h)
    h.go(engine + "/ui/#/work")
    wait_for("the workbench", lambda: find("#tree") and js("return !document.getElementById('workbench').hidden"))

    # A collection, named in place.
    click(".new-collection")
    keys(wait_for("the name box", lambda: find("#tree input.rename")), "Shop" + ENTER)
    shop = wait_for("the collection in the tree", lambda: js(
        "const n = [...document.querySelectorAll('#tree li.folder')].find((li) => li.querySelector('.name').textContent === 'Shop');"
        "return n && n.getAttribute('data-collection')"))

    # An environment with `base`, made active in the header.
    click("#new-environment")
    h.type_into("#environment-name", "local")
    keys(find("#environment-variables tbody tr:last-child .key"), "base")
    keys(find("#environment-variables tbody tr:first-child .value"), base)
    click("#environment-save")
    env = wait_for("the environment in the list", lambda: js(
        "const li = [...document.querySelectorAll('#environments li')].find((l) => l.textContent.startsWith('local'));"
        "return li && li.getAttribute('data-environment')"))
    click(f'#active-environment option[value="{env}"]')

    # A request in Shop with {{base}}, a query param and a test script; Ctrl+Enter sends it.
    click(f'li[data-collection="{shop}"] > .node .new-request')
    h.type_into("#request-name", "Get user")
    type_url("{{base}}/users/7?verbose=1")
    params = wait_for("the params table", lambda: js(
        "return [...document.querySelectorAll('#params-table tbody tr')].map((r) => r.querySelector('.key').value + '=' + r.querySelector('.value').value)"))
    if params[:1] != ["verbose=1"]:
        problems.append(f"the params table does not follow the URL: {params}")
    if "= " + base not in (text("#variables") or ""):
        problems.append(f"{{{{base}}}} is not resolved from the active environment: {text('#variables')!r}")
    click('#request-sections [data-section="Tests"]')
    editor = wait_for("the tests editor", lambda: find("#tests-editor .cm-content"))
    h.wd("POST", f"{h.s}/element/{editor}/click", {})
    keys(editor, "pm.test('status 200', () => pm.response.to.have.status(200)); pm.environment.set('seen', pm.response.json().name);")
    if js("return [...document.querySelectorAll('#url .cm-var')].map((v) => v.textContent + (v.classList.contains('cm-var-unresolved') ? '?' : ''))") != ["{{base}}"]:
        problems.append("{{base}} is not marked resolved in the URL")
    keys(find("#url .cm-content"), CTRL + ENTER + RELEASE)
    status = wait_for("the response", lambda: text("#response-status"))
    if not status.startswith("200"):
        problems.append(f"the request answered {status!r}, not 200")
    phases = js("return [...document.querySelectorAll('#waterfall tr[data-phase]')].map((r) => r.getAttribute('data-phase'))")
    if phases != ["dns", "connect", "tls", "firstByte", "download"]:
        problems.append(f"the waterfall shows {phases}")
    if '"Ada"' not in (text("#response-body") or ""):
        problems.append(f"the response body is not shown: {text('#response-body')!r}")
    h.shot("ui-workbench.png")
    click('#response-sections [data-section="Tests"]')
    passed = wait_for("the test results", lambda: text("#test-results li.pass"))
    if "status 200" not in passed:
        problems.append(f"the test results show {text('#test-results')!r}")
    h.shot("ui-response.png")
    # What the script set is in the environment the page shows (the engine saved it back).
    click(f'#environments li[data-environment="{env}"]')
    seen = wait_for("the variable the script set", lambda: js(
        "return [...document.querySelectorAll('#environment-variables tbody tr')].map((r) => r.querySelector('.key').value + '=' + r.querySelector('.value').value)"
        ".find((v) => v.startsWith('seen='))"))
    if seen != "seen=Ada":
        problems.append(f"the environment shows {seen!r} for what the test script set")
    click("#environment-editor .close")

    # Ctrl+S saves it into Shop; the tab loses its unsaved mark.
    if not find(".tab.on.dirty"):
        problems.append("an unsaved request has no unsaved mark")
    keys(find("#url .cm-content"), CTRL + "s" + RELEASE)
    wait_for("the save", lambda: js("return !document.querySelector('.tab.on.dirty')"))
    wait_for("the request in the tree", lambda: js(
        f"return [...document.querySelectorAll('li[data-collection=\"{shop}\"] li.request .name')].some((n) => n.textContent === 'Get user')"))

    # The saved request as a curl command.
    click("#copy-curl")
    command = wait_for("the curl command", lambda: js("const t = document.getElementById('curl-command'); return t && t.value"))
    if not command.startswith("curl") or "/users/7?verbose=1" not in command:
        problems.append(f"Copy as curl gives {command!r}")
    click("#curl .close")

    # A POST with a JSON body, in a new tab.
    click(f'li[data-collection="{shop}"] > .node .new-request')
    h.type_into("#request-name", "Create user")
    h.type_into("#method", "POST")
    type_url("{{base}}/echo")
    click('#request-sections [data-section="Body"]')
    click("#body-json")
    body = wait_for("the body editor", lambda: find("#body-editor .cm-content"))
    h.wd("POST", f"{h.s}/element/{body}/click", {})
    keys(body, '{"name": "Grace", "admin": false}')
    click("#send")
    wait_for("the POST's response", lambda: (text("#response-status") or "").startswith("200") and '"Grace"' in (text("#response-body") or ""))
    echoed = text("#response-body")
    if '"application/json"' not in echoed or '"POST"' not in echoed:
        problems.append(f"the POST was not sent as JSON: {echoed!r}")
    # The same request as GraphQL: a query and its variables, sent as JSON.
    click("#body-graphql")
    query = wait_for("the GraphQL query editor", lambda: find("#graphql-query .cm-content"))
    h.wd("POST", f"{h.s}/element/{query}/click", {})
    keys(query, "query User { user(id: 7) { name } }")
    click("#send")
    wait_for("the GraphQL request's echo", lambda: "query User" in (text("#response-body") or ""))

    # Shop exported as Postman v2.1 (a download through the page, with the token).
    click(f'li[data-collection="{shop}"] > .node .export')
    exported = f"{work}/Shop.postman_collection.json"
    wait_for("the export", lambda: os.path.exists(exported) and json.load(open(exported)))
    names = sorted(i["name"] for i in json.load(open(exported))["item"])
    if names != ["Get user"]:
        problems.append(f"the exported Shop holds {names}")

    # The history has both, newest first, and searches.
    wait_for("the history", lambda: len(js("return [...document.querySelectorAll('#history li[data-run]')]")) == 3)
    h.type_into("#history-search", "echo")
    wait_for("the history search", lambda: js(
        "const l = [...document.querySelectorAll('#history li[data-run]')]; return l.length === 2 && l.every((i) => i.title.endsWith('/echo'))"))

    # A Postman collection file through the file picker, then run: one assertion fails.
    postman = {"info": {"name": "Imported checks", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
               "item": [
                   {"name": "user", "request": {"method": "GET", "url": "{{base}}/users/7"},
                    "event": [{"listen": "test", "script": {"exec": ["pm.test('found', () => pm.response.to.have.status(200));"]}}]},
                   {"name": "missing", "request": {"method": "GET", "url": "{{base}}/nope"},
                    "event": [{"listen": "test", "script": {"exec": ["pm.test('found', () => pm.response.to.have.status(200));"]}}]}]}
    path = f"{work}/imported.postman_collection.json"
    with open(path, "w") as f:
        json.dump(postman, f)
    # With a Postman environment file picked at the same time.
    env_path = f"{work}/ci.postman_environment.json"
    with open(env_path, "w") as f:
        json.dump({"name": "ci", "values": [{"key": "base", "value": base, "enabled": True}]}, f)
    # And curl commands, as a text file (the engine tells the format).
    curl_path = f"{work}/signup.curl"
    with open(curl_path, "w") as f:
        f.write(f"curl -X POST {base}/echo -H 'Content-Type: application/json' -d '{{\"user\": \"ada\"}}'\n")
    h.wd("POST", f"{h.s}/element/{find('#import-file')}/value", {"text": "\n".join([path, env_path, curl_path])})
    wait_for("the import", lambda: "Imported checks" in (text("#notice") or ""))
    wait_for("the curl import", lambda: js(
        "return [...document.querySelectorAll('#tree li.folder > .node .name')].some((n) => n.textContent === 'signup')"))
    wait_for("the imported environment", lambda: js(
        "return [...document.querySelectorAll('#environments li')].some((l) => l.textContent === 'ci')"))
    imported = wait_for("the imported collection", lambda: js(
        "const n = [...document.querySelectorAll('#tree li.folder')].find((li) => li.querySelector('.name').textContent === 'Imported checks');"
        "return n && n.getAttribute('data-collection')"))
    click(f'li[data-collection="{imported}"] > .node .run')
    click(f'#runner-environment option[value="{env}"]')
    click("#runner-start")
    wait_for("the collection run's report", h.rendered)
    if text("#status") != "failed":
        problems.append(f"the collection run with a failing assertion shows {text('#status')!r}")
    failures = text("#report") or ""
    if "missing" not in failures or "404" not in failures:
        problems.append("the collection run's report does not show its failure")
    h.shot("ui-runner.png")

    # A load test of "Get user" from the form: constant-arrival-rate, a threshold, the JSON view.
    h.go(engine + "/ui/#/work")
    click(wait_for("the Get user tab", lambda: js(
        "const t = [...document.querySelectorAll('#tabs .tab')].find((t) => t.querySelector('.name').textContent === 'Get user');"
        "return t && ('.tab[data-tab=\"' + t.getAttribute('data-tab') + '\"]')")))
    click("#load-test")
    wait_for("the run builder", lambda: find("#executor"))
    if js("return document.getElementById('executor').value") != "constant-arrival-rate":
        problems.append("the run builder does not start with constant-arrival-rate")
    h.type_into("#field-rate", "40")
    h.type_into("#field-duration", "60s")
    click("#add-threshold")
    keys(wait_for("a threshold row", lambda: find("#thresholds .threshold")), "p95<2s")
    wait_for("the plan's chart", lambda: find("#plan-chart canvas"))
    h.shot("ui-load-builder.png")
    click("#advanced")
    plan = json.loads(wait_for("the run file", lambda: text("#run-json .cm-content")))
    config = plan.get("config", {})
    if (config.get("executor"), config.get("rate"), config.get("duration"), config.get("thresholds")) != ("constant-arrival-rate", 40, "60s", ["p95<2s"]) \
            or plan.get("request", {}).get("url") != "{{base}}/users/7?verbose=1" or plan.get("environmentId") != env:
        problems.append(f"the form's run file is {plan}")
    click("#advanced")
    if js("return document.getElementById('field-rate').value") != "40":
        problems.append("the form did not come back from the JSON view with its rate")
    click("#start-load")
    first = wait_for("the live numbers", lambda: text("#sent"))
    wait_for("the numbers to change", lambda: text("#sent") != first)
    wait_for("the live chart", lambda: find("#app .chart canvas"))
    if "200" not in (wait_for("the status codes", lambda: text("#details")) or ""):
        problems.append("the load test's live view shows no 200")
    # Two seconds in (80 sent at 40/s), so the screenshot's chart has a shape.
    wait_for("two seconds of the run", lambda: int(text("#sent").split("/")[0].replace(",", "")) >= 80)
    h.shot("ui-load-live.png")
    click("#stop")
    wait_for("the stopped run's report", h.rendered, 60)
    if text("#status") != "stopped":
        problems.append(f"the stopped load test shows {text('#status')!r}")

    # A reload finds the tabs as they were: Get user saved, Create user never saved (marked).
    h.go(engine + "/ui/#/work")
    h.wd("POST", h.s + "/refresh", {})
    tabs = wait_for("the tabs after a reload", lambda: js(
        "return [...document.querySelectorAll('#tabs .tab')].map((t) => t.querySelector('.name').textContent + (t.classList.contains('dirty') ? '*' : ''))"))
    if tabs != ["Get user", "Create user*"]:
        problems.append(f"after a reload the tabs are {tabs}")
    if text("#url .cm-content") != "{{base}}/users/7?verbose=1":
        problems.append("after a reload the active tab is not the one last used")
    # Its variables resolve again once the environments are read.
    wait_for("{{base}} resolved after the reload", lambda: js(
        "const v = document.querySelector('#url .cm-var'); return v && !v.classList.contains('cm-var-unresolved')"))

    # The engine's line opens its health, settings and metrics.
    click("#engine")
    metrics = wait_for("the engine's metrics", lambda: text("#engine-metrics"))
    if "vayu_requests_total" not in metrics or "workers" not in (text("#engine-info") or ""):
        problems.append(f"the engine panel shows {text('#engine-info')!r}")
    click("#engine-info .close")

    # The same page with the system's dark theme.
    h.wd("POST", h.s + "/goog/cdp/execute", {"cmd": "Emulation.setEmulatedMedia",
                                             "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}})
    if js("return getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)":
        problems.append("the page stays light when the system is dark")
    h.shot("ui-workbench-dark.png")

    # Back to the light theme for what follows.
    h.wd("POST", h.s + "/goog/cdp/execute", {"cmd": "Emulation.setEmulatedMedia", "params": {"features": []}})
    return shop, env


def console_is_clean(h, problems):
    # No script error and no failed call in the session. The policy refuses the <style> and the
    # few style attributes CodeMirror writes (its rules are adopted instead: js/ui-editor.js),
    # which the console reports: not errors of the page.
    errors = [e["message"] for e in h.wd("POST", h.s + "/se/log", {"type": "browser"})
              if e["level"] == "SEVERE" and "inline style" not in e["message"]]
    if errors:
        problems.append(f"the browser console has errors: {errors[:5]}")
