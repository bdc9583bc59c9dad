"""What the browser check's sessions share: the WebDriver keys they press, and typing a URL and
clicking as a person would, through the helpers ui_check.py gives them (`h`)."""

CTRL, ENTER, RELEASE = "\ue009", "\ue007", "\ue000"


def type_in_url(h, value):
    # The URL is a one-line CodeMirror: its text is replaced as a person would (select all, type).
    url = h.wait_for("the URL editor", lambda: h.find("#url .cm-content"))
    h.wd("POST", f"{h.s}/element/{url}/click", {})
    h.keys(url, CTRL + "a" + RELEASE + value)
    h.wait_for(f"the URL to read {value}", lambda: h.text("#url .cm-content") == value)


def click_when_there(h, css):
    # Retried until it lands: a redraw (a tab bar, a tree after a save) may move or cover the
    # element between finding it and clicking it.
    h.wait_for(f"a click on {css}", lambda: (h.click(css), True)[1])
