"""The request and response views of the browser check's workbench session (ui_workbench.py runs
it after the main session, against the same loopback target): an HTML response rendered in its
sandboxed preview with its script not run, and an XML response indented in the pretty view."""
import functools

from ui_steps import click_when_there, type_in_url

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
