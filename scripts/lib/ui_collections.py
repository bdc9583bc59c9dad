"""The collection part of the browser check's workbench session that follows the main one
(ui_workbench.py runs it, against the same loopback target): a HAR recording imported with its
hosts picked and its report shown whole (what was left out, what was linked up); a collection
run from a CSV data file with its rows streamed into the runner while it runs; and a folder
made in a collection, with a request moved into it by dragging it in the tree."""
import functools
import json

from ui_steps import click_when_there

DRAG = """
const [from, to] = [document.querySelector(arguments[0]), document.querySelector(arguments[1])];
const data = new DataTransfer();
from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, cancelable: true, dataTransfer: data}));
to.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
to.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));
from.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: data}));
"""


def pick_files(h, *paths):
    h.wd("POST", f"{h.s}/element/{h.find('#import-file')}/value", {"text": "\n".join(paths)})


def collection_named(h, name):
    return h.wait_for(f"{name} in the tree", lambda: h.js(
        "const n = [...document.querySelectorAll('#tree li.folder')].find((li) => li.querySelector('.name').textContent === arguments[0]);"
        "return n && n.getAttribute('data-collection')".replace("arguments[0]", json.dumps(name))))


def run(h, engine, base, work, problems, shop, env):
    h.go(engine + "/ui/#/work")
    har_import(h, base, work, problems)
    data_file_run(h, engine, base, work, problems, env)
    drag_move(h, engine, problems, shop)


def har_entry(url, response_text="", mime="application/json", started="2026-12-06T10:00:00.000Z"):
    return {"startedDateTime": started, "time": 5,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [], "cookies": [],
                        "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": len(response_text), "mimeType": mime, "text": response_text},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(response_text)},
            "cache": {}, "timings": {"send": 0, "wait": 5, "receive": 0}}


def har_import(h, base, work, problems):
    # A login giving a token that the next request sends back, a script (a static asset) and a
    # request to another host (never sent: the import only reads it).
    token = "tok4e1b9c07d2"
    har = {"log": {"version": "1.2", "creator": {"name": "check", "version": "1"}, "entries": [
        har_entry(f"{base}/users/7", json.dumps({"token": token})),
        har_entry(f"{base}/users/7?session={token}", "{}", started="2026-12-06T10:00:01.000Z"),
        har_entry(f"{base}/app.js", "x()", "application/javascript", "2026-12-06T10:00:02.000Z"),
        har_entry("http://127.0.0.2:9/track", "{}", started="2026-12-06T10:00:03.000Z")]}}
    path = f"{work}/shop.har"
    with open(path, "w") as f:
        json.dump(har, f)
    pick_files(h, path)
    hosts = h.wait_for("the HAR's hosts", lambda: h.text("#har-hosts"))
    if "127.0.0.2:9 (1)" not in hosts or "(3)" not in hosts:
        problems.append(f"the HAR import lists the hosts {hosts!r}")
    click_when_there(h, "#har-import")
    report = h.wait_for("the import report", lambda: h.text("#import-report"))
    if "static" not in report or "127.0.0.2" not in report or "{{" not in report:
        problems.append(f"the import report does not show what was left out and linked up: {report!r}")
    collection = collection_named(h, "shop")
    names = h.js(f"return [...document.querySelectorAll('li[data-collection=\"{collection}\"] li.request .name')].map((n) => n.textContent)")
    if len(names) != 2:
        problems.append(f"the HAR import saved {names}")
    click_when_there(h, "#import-report .buttons button")


def data_file_run(h, engine, base, work, problems, env):
    # A collection whose request reads `id` from the data; the CSV's third row asks for a user
    # the target does not have.
    path = f"{work}/data-driven.postman_collection.json"
    with open(path, "w") as f:
        json.dump({"info": {"name": "Data driven", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                   "item": [{"name": "user by id", "request": {"method": "GET", "url": "{{base}}/users/{{id}}"},
                             "event": [{"listen": "test", "script": {"exec": ["pm.test('found', () => pm.response.to.have.status(200));"]}}]}]}, f)
    csv = f"{work}/ids.csv"
    with open(csv, "w") as f:
        f.write("id\n7\n7\n8\n")
    pick_files(h, path)
    collection = collection_named(h, "Data driven")
    click_when_there(h, f'li[data-collection="{collection}"] > .node .run')
    h.wd("POST", f"{h.s}/element/{h.wait_for('the data file input', lambda: h.find('#runner-data-file'))}/value", {"text": csv})
    h.wait_for("the data file read into the box", lambda: h.js("return document.getElementById('runner-data').value").startswith("id\n7"))
    click_when_there(h, f'#runner-environment option[value="{env}"]')
    # A second before each of the three requests: the run is running for three seconds, so a
    # page drawing slowly on a busy machine still shows rows while it runs.
    h.type_into("#runner-delay", "1000")
    click_when_there(h, "#runner-start")
    # Rows arrive while the run runs.
    h.wait_for("a streamed row while the run runs", lambda: h.js(
        "const s = document.getElementById('status'); return s && s.textContent === 'running' && document.querySelectorAll('#runner-table tbody tr').length >= 1"))
    h.wait_for("the data run's report", h.rendered, 60)
    urls = h.js("const t = [...document.querySelectorAll('#report table')].pop();"
                "return [...t.querySelectorAll('tbody tr')].map((r) => r.children[3].textContent.replace(/^.*\\/users/, '/users'))")
    if h.text("#status") != "failed" or urls != ["/users/7", "/users/7", "/users/8"]:
        problems.append(f"the CSV-driven run is not three iterations with the third failing: {h.text('#status')!r} {urls}")


def drag_move(h, engine, problems, shop):
    # A folder made in Shop shows in the tree under it; "Get user" dragged onto it moves there.
    h.go(engine + "/ui/#/work")
    click_when_there(h, f'li[data-collection="{shop}"] > .node .new-folder')
    target = h.wait_for("the new folder under Shop", lambda: h.js(
        f"const f = document.querySelector('li[data-collection=\"{shop}\"] > ul > li.folder'); return f && f.getAttribute('data-collection')"))
    source = f'li[data-collection="{shop}"] li.request'
    request = h.wait_for("Get user in Shop", lambda: h.js(
        f"const r = [...document.querySelectorAll('{source}')].find((li) => li.querySelector('.name').textContent === 'Get user');"
        "return r && r.getAttribute('data-request')"))
    h.js(DRAG.replace("arguments[0]", json.dumps(f'li.request[data-request="{request}"] > .node'))
         .replace("arguments[1]", json.dumps(f'li[data-collection="{target}"] > .node')))
    h.wait_for("Get user in the folder", lambda: h.find(f'li[data-collection="{target}"] li.request[data-request="{request}"]'))
    moved = json.loads(h.api("GET", f"/requests/{request}"))
    if moved.get("collectionId") != target:
        problems.append(f"the engine has the dragged request in {moved.get('collectionId')!r}, not the folder {target}")
