"""The request and response views of the browser check's workbench session (ui_workbench.py runs
it after the main session, against the same loopback target): an HTML response rendered in its
sandboxed preview with its script not run; an XML response indented in the pretty view; a
form-data body with a text part and a picked file, then the file alone as the body; a path
variable given in the Params section; redirects followed, then not, from the Settings section;
completions of the sandbox's API by path in a test script;
a folder's auth set in the tree and inherited by a new request in it; a response saved as an
example, listed with the request and opened."""
import functools
import json

from ui_steps import CTRL, RELEASE, click_when_there, type_in_url

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def new_request(h, shop, name, url):
    """A new request tab in Shop, named and aimed at `url`."""
    click_when_there(h, f'li[data-collection="{shop}"] > .node .new-request')
    h.type_into("#request-name", name)
    type_in_url(h, url)


def send(h, what):
    """Sends the active tab and waits for a fresh response (the old one is cleared first)."""
    h.js("const s = document.getElementById('response-status'); if (s) s.id = 'response-status-old';")
    click_when_there(h, "#send")
    return h.wait_for(what, lambda: h.text("#response-status"))


def run(h, base, work, problems, shop, env):
    response_views(h, problems, shop)
    bodies(h, work, problems, shop)
    path_and_settings(h, problems, shop)
    script_completions(h, problems)
    auth_and_examples(h, problems, shop)


def echoed(h):
    """The target's echo of the last request: its JSON body, read from the raw view."""
    click_when_there(h, '[data-body-view="raw"]')
    return json.loads(h.wait_for("the echo", lambda: h.text("#response-body pre.raw")))


def pick(h, css, path):
    h.wd("POST", f"{h.s}/element/{h.wait_for(css, lambda: h.find(css))}/value", {"text": path})


def bodies(h, work, problems, shop):
    click = functools.partial(click_when_there, h)
    upload = f"{work}/pixel.bin"
    with open(upload, "wb") as f:
        f.write(b"PNG\x00\x01bytes")
    new_request(h, shop, "Upload", "{{base}}/upload")
    h.type_into("#method", "POST")
    click('#request-sections [data-section="Body"]')
    click("#body-formdata")
    h.keys(h.wait_for("a form-data row", lambda: h.find("#form-data-table tr:last-child .key")), "note")
    h.keys(h.find("#form-data-table tr:first-child .value"), "hi {{base}}")
    h.keys(h.find("#form-data-table tr:last-child .key"), "pic")
    click('#form-data-table tr:nth-child(2) .part-type option[value="file"]')
    pick(h, "#form-data-table tr:nth-child(2) .file-input", upload)
    h.wait_for("the file read", lambda: "pixel.bin" in (h.text("#form-data-table tr:nth-child(2) .file-name") or ""))
    status = send(h, "the upload's response")
    h.shot("ui-form-data.png")
    echo = echoed(h)
    raw = echo.get("raw", "")
    if not status.startswith("200") or not echo.get("contentType", "").startswith("multipart/form-data; boundary=") \
            or 'name="note"' not in raw or "hi http://127.0.0.1" not in raw or 'filename="pixel.bin"' not in raw or "PNG\x00\x01bytes" not in raw:
        problems.append(f"the form-data body arrived as {echo}")
    # The same file as the whole body.
    click("#body-binary")
    pick(h, "#body-file", upload)
    h.wait_for("the file read", lambda: "pixel.bin" in (h.text("#body-pane .file-name") or ""))
    send(h, "the file body's response")
    echo = echoed(h)
    if echo.get("raw") != "PNG\x00\x01bytes" or echo.get("contentType") != "application/octet-stream":
        problems.append(f"the file body arrived as {echo}")


def path_and_settings(h, problems, shop):
    click = functools.partial(click_when_there, h)
    # `:id` in the path, its value in the Params section.
    new_request(h, shop, "User by path", "{{base}}/users/:id")
    h.keys(h.wait_for("the path variables", lambda: h.find("#path-table .value")), "7")
    status = send(h, "the path variable's response")
    if not status.startswith("200") or '"Ada"' not in (h.text("#response-body") or ""):
        problems.append(f"/users/:id with id 7 answered {status!r}")
    # A redirect, followed by default, then not when the setting says so.
    new_request(h, shop, "Redirect", "{{base}}/redirect")
    status = send(h, "the redirect's response")
    if not status.startswith("200"):
        problems.append(f"a redirect was not followed by default: {status!r}")
    click('#request-sections [data-section="Settings"]')
    click("#settings-follow-redirects")
    status = send(h, "the unfollowed redirect")
    if not status.startswith("302"):
        problems.append(f"with redirects not followed the request answered {status!r}")


def response_views(h, problems, shop):
    click = functools.partial(click_when_there, h)
    # An HTML page: highlighted in the pretty view, rendered in the preview, its script not run.
    new_request(h, shop, "Page", "{{base}}/page.html")
    status = send(h, "the page's response")
    if not status.startswith("200"):
        problems.append(f"the HTML page answered {status!r}")
    if "<h1>Hello preview</h1>" not in (h.wait_for("the page's source", lambda: h.text("#response-body .cm-content")) or ""):
        problems.append(f"the pretty view does not show the page's source: {h.text('#response-body')!r}")
    click('[data-body-view="preview"]')
    frame = h.wait_for("the preview", lambda: h.find("#response-preview"))
    h.wd("POST", f"{h.s}/frame", {"id": {ELEMENT: frame}})
    try:
        heading = h.wait_for("the rendered page", lambda: h.text("h1"))
        title = h.js("return document.title")
    finally:
        h.wd("POST", f"{h.s}/frame", {"id": None})
    h.shot("ui-html-preview.png")
    if heading != "Hello preview":
        problems.append(f"the preview shows {heading!r}")
    if title == "ran":
        problems.append("the preview ran the page's script")
    # An XML document: indented and foldable in the pretty view.
    new_request(h, shop, "Feed", "{{base}}/feed.xml")
    send(h, "the feed's response")
    lines = h.wait_for("the feed, indented", lambda: h.js(
        "const l = [...document.querySelectorAll('#response-body .cm-line')].map((x) => x.textContent); return l.length > 1 && l"))
    if '  <item id="1">' not in lines or "<feed>" not in lines:
        problems.append(f"the XML body is not indented: {lines}")
    if not h.js("return !!document.querySelector('#response-body .cm-foldGutter')"):
        problems.append("the XML body cannot be folded")


def script_completions(h, problems):
    # Completions follow the path typed: pm.response.to. offers the assertions' words.
    click_when_there(h, '#request-sections [data-section="Tests"]')
    editor = h.wait_for("the tests editor", lambda: h.find("#tests-editor .cm-content"))
    h.wd("POST", f"{h.s}/element/{editor}/click", {})
    h.keys(editor, "pm.response.to.ha")
    offered = h.wait_for("the completions", lambda: h.text(".cm-tooltip-autocomplete"))
    if "have" not in offered.split():
        problems.append(f"after pm.response.to.ha the editor offers {offered!r}")
    h.keys(editor, "\ue00c")  # Escape closes the list
    # At the top of pm, its members, not Object's.
    h.keys(editor, CTRL + "a" + RELEASE + "pm.")
    members = h.wait_for("pm's members", lambda: h.text(".cm-tooltip-autocomplete"))
    if "response" not in members.split() or "constructor" in members.split():
        problems.append(f"after pm. the editor offers {members!r}")
    h.keys(editor, "\ue00c")


def auth_and_examples(h, problems, shop):
    click = functools.partial(click_when_there, h)
    # Shop's auth, a bearer token, set from the tree.
    click(f'li[data-collection="{shop}"] > .node .auth')
    click('#folder-auth #auth-type option[value="bearer"]')
    h.keys(h.wait_for("the token field", lambda: h.find("#folder-auth #auth-token")), "sekret")
    click("#folder-auth-save")
    h.wait_for("the folder's auth saved", lambda: not h.js("return !!document.getElementById('folder-auth')"))
    # A new request in Shop inherits it, says so, and sends it.
    new_request(h, shop, "Who am I", "{{base}}/whoami")
    click('#request-sections [data-section="Auth"]')
    line = h.wait_for("the inherited auth", lambda: h.text("#auth-inherited"))
    if "bearer" not in line or "Shop" not in line:
        problems.append(f"the Auth section says {line!r} for a request in Shop")
    send(h, "the inherited auth's response")
    if echoed(h).get("authorization") != "Bearer sekret":
        problems.append(f"the inherited bearer token was not sent: {h.text('#response-body')!r}")
    # Saved, its auth stays inherited, and the engine says from where.
    h.keys(h.find("#url .cm-content"), CTRL + "s" + RELEASE)
    h.wait_for("the save", lambda: h.js("return !document.querySelector('.tab.on.dirty')"))
    request = h.wait_for("Who am I in the tree", lambda: h.js(
        "const r = [...document.querySelectorAll('#tree li.request')].find((li) => li.querySelector('.name').textContent === 'Who am I');"
        "return r && r.getAttribute('data-request')"))
    saved = json.loads(h.api("GET", f"/requests/{request}"))
    if saved.get("auth") is not None or ((saved.get("inheritedAuth") or {}).get("from") or {}).get("name") != "Shop":
        problems.append(f"the saved request's auth is {saved.get('auth')!r}, inherited {saved.get('inheritedAuth')!r}")
    # Its response kept as an example: listed with the request, opened, and in the export.
    send(h, "the saved request's response")
    h.type_into("#example-name", "signed in")
    click("#save-example")
    h.wait_for("the example saved", lambda: "example" in (h.text("#notice") or ""))
    click('#request-sections [data-section="Examples"]')
    click('#examples li[data-example="0"] a')
    body = h.wait_for("the example's body", lambda: h.text("#example-body .cm-content"))
    if "Bearer sekret" not in body:
        problems.append(f"the example shows {body!r}")
    click("#example .close")
    exported = json.loads(h.api("GET", f"/collections/{shop}/export"))
    item = next((i for i in exported["item"] if i["name"] == "Who am I"), {})
    if [(r.get("name"), r.get("code")) for r in item.get("response", [])] != [("signed in", 200)]:
        problems.append(f"the export's Who am I has the examples {item.get('response')}")
