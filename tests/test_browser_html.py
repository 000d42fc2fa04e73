"""Every HTML renderer, opened in a real browser with hostile strings everywhere.

Feature names, category values, class names, document text and settings are
set to payloads that would run a script (each sets ``document.title`` to
``PWNED``, most also call ``fetch``) or load something from the network if
they ever reached the page unescaped. Each page is opened in headless
Chromium; the test asserts that

(a) no script ran: the title is untouched, and the DOM Chromium built has no
    script, frame, plugin, ``<base>``, refresh or event-handler attribute;
    every payload is there as plain text;
(b) nothing was fetched: the page is driven over the DevTools protocol, which
    reports every request made by the page and by any worker or frame it starts
    (whatever the host), while Chromium's own background services (component
    updates, sign-in) are other targets and are not counted; every connection
    Chromium makes goes to an HTTP proxy on a local socket this module opens, so
    nothing leaves the machine; statically, the page has no URL but ``data:`` images.

Controls show the probe can fail: the raw payloads in a page are caught
(script ran, requests made, from the page and from a worker it starts), a plain page
shows no request even though Chromium's services connect meanwhile, and the same page with limekit's
Content-Security-Policy runs and fetches nothing (defence in depth for full
pages). A CSP does not govern navigation, so a raw ``<meta http-equiv=refresh>``
would still leave the page even under it: the controls leave that payload out,
and escaping (checked everywhere else) is what stops it.
:func:`assert_safe_in_browser` is the reusable check.

The browser tests are skipped, with the reason, when no Chromium is installed
(``apt-get install chromium``); the static checks always run.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from limekit import ImageExplainer, TabularExplainer, TextExplainer
from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
from limekit.render.html import CSP

MARKER = "PWNED"
PAYLOADS = (
    "<script>document.title='PWNED';fetch('http://pwned.invalid/s')</script>",
    "<img src=x onerror=\"document.title='PWNED';fetch('http://pwned.invalid/i')\">",
    "\"'><svg onload=\"document.title='PWNED'\">",
    "</style><script>document.title='PWNED'</script>",
    "javascript:document.title='PWNED'",
    "<img src=\"http://pwned.invalid/img.png\">",
    "<link rel=\"stylesheet\" href=\"https://pwned.invalid/x.css\">",
    "</title><iframe src=\"javascript:parent.document.title='PWNED'\"></iframe>",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://pwned.invalid/r\">",
    "<style>@import 'http://pwned.invalid/imp.css';</style>",
    "<base href=\"http://pwned.invalid/\"><a href=\"x\">x</a>",
    "<svg><script>document.title='PWNED'</script></svg>",
    "<math><mtext></p><script>document.title='PWNED'</script></mtext></math>",
    "<object data=\"http://pwned.invalid/o\"></object><embed src=\"https://pwned.invalid/e\">",
)
P = PAYLOADS

# Attributes that take a URL: only data: URIs may appear in them.
_URL_ATTRS = {"src", "href", "action", "formaction", "srcset", "poster", "background",
              "xlink:href", "ping", "cite", "data", "codebase", "longdesc", "manifest",
              "lowsrc", "dynsrc", "icon"}
# Elements that run code, embed another document, fetch, redirect or rebase URLs.
_FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                   "link", "base", "form", "portal", "noscript", "template"}
_CSS_BAD = ("url(", "@import", "expression(", "javascript:", "behavior:", "-moz-binding")


# --------------------------------------------------------------- HTML checks
class _Page(HTMLParser):
    """Tags, attributes, visible text, title text and style text of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.text: list[str] = []
        self.title: list[str] = []
        self.style: list[str] = []
        self._raw: list[str] = []  # open elements whose content is not visible text

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)
        if tag in ("style", "script", "title"):
            self._raw.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    def handle_endtag(self, tag):
        if self._raw and self._raw[-1] == tag:
            self._raw.pop()

    def handle_data(self, data):
        where = self._raw[-1] if self._raw else None
        {"style": self.style, "title": self.title}.get(where, self.text).append(data)


def _parse(doc: str) -> _Page:
    page = _Page()
    page.feed(doc)
    page.close()
    return page


def html_problems(doc: str, expected_literals=()) -> list[str]:
    """What makes ``doc`` unsafe: active elements, handlers, URLs, missing literals.

    Works on a renderer's output and on the DOM a browser serialised alike.
    """
    page = _parse(doc)
    problems = []
    for tag in sorted(set(page.tags) & _FORBIDDEN_TAGS):
        problems.append(f"<{tag}> element")
    for tag, name, value in page.attrs:
        low = value.strip().lower()
        if name.startswith("on"):
            problems.append(f"event handler {name}= on <{tag}>")
        if name in _URL_ATTRS and not low.startswith("data:image/"):
            problems.append(f"URL attribute {name}={value[:60]!r} on <{tag}>")
        if tag == "meta" and name == "http-equiv" and low != "content-security-policy":
            problems.append(f"<meta http-equiv={value!r}>")
        if name == "style" and any(bad in low for bad in _CSS_BAD):
            problems.append(f"style attribute loads or runs something: {value[:60]!r}")
    css = "".join(page.style).lower()
    problems += [f"stylesheet contains {bad!r}" for bad in _CSS_BAD if bad in css]
    if MARKER in "".join(page.title):
        problems.append("the title was changed by a script")
    shown = "".join(page.text)
    problems += [f"not shown as text: {lit[:60]!r}" for lit in expected_literals
                 if lit not in shown]
    return problems


def csp_of(doc: str) -> str | None:
    """The Content-Security-Policy a full page declares in a ``<meta>``, if any."""
    page = _parse(doc)
    tags = [(t, n, v) for t, n, v in page.attrs if t == "meta"]
    for i, (_, name, value) in enumerate(tags):
        if name == "http-equiv" and value.lower() == "content-security-policy":
            return next((v for _, n, v in tags[i + 1:] if n == "content"), None)
    return None


# ------------------------------------------------------------------ browser
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome",
                                            "google-chrome-stable") if shutil.which(n)), None)
# Headless flags that work in a root sandbox and keep Chromium's own background services
# quiet. They only reduce noise: what counts as the page's traffic is decided by the
# DevTools protocol (each request is reported by the target that made it), not by flags
# or host names, so Chromium's component updater and the like can never be mistaken for
# the page, and nothing the page requests can hide behind an allowed host.
_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages", "--disable-breakpad",
    "--safebrowsing-disable-auto-update", "--metrics-recording-only", "--no-pings",
    "--dns-prefetch-disable", "--bwsi",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,PreconnectToSearch",
)
# Schemes that never leave the browser: embedded images (data:), in-memory objects (blob:).
_LOCAL_SCHEMES = ("data:", "blob:", "about:")


class ProxyTrap:
    """A local socket posing as Chromium's HTTP proxy: records and drops every request.

    It is the sink, not the judge: all of Chromium's traffic (the page's and its own
    background services') goes here instead of to the network, so a test never
    reaches the outside; which requests the page made is told by :class:`DevTools`.
    """

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:  # closed
                return
            with conn:
                conn.settimeout(1.0)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0]
                except OSError:
                    first = b"(no request line)"
            with self._lock:
                self.requests.append(first.decode("latin-1"))

    def close(self) -> None:
        self._server.close()


_TRAMPOLINE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
               "os.execv(sys.argv[3], sys.argv[3:])")


def _above_four(fd: int) -> int:
    """``fd`` moved to a number above 4 (a close-on-exec copy; the original is closed)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


class DevTools:
    """Chromium driven over ``--remote-debugging-pipe`` (the DevTools protocol on fds 3/4).

    Messages are JSON objects separated by NUL bytes. A reader thread files responses
    by id and keeps every event; each new child target of the page (a worker, a frame
    in another process) is attached, gets its Network domain enabled and is resumed, so
    requests made from anywhere inside the page are reported.
    """

    def __init__(self, args: list[str]) -> None:
        # pipe ends numbered above 4, so that moving them onto 3 and 4 clobbers neither
        to_child_r, self._to_child, self._from_child, from_child_w = (
            _above_four(fd) for pair in (os.pipe(), os.pipe()) for fd in pair)
        # a small trampoline puts the two pipe ends on the fds Chromium expects, then
        # becomes Chromium (a POSIX shell cannot name fds above 9)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _TRAMPOLINE, str(to_child_r), str(from_child_w), *args],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # own process group: ended with it, and only it
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._cond = threading.Condition()
        self._responses: dict[int, dict] = {}
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _send(self, method: str, params: dict | None = None, session: str | None = None
              ) -> int:
        with self._write_lock:
            self._next_id += 1
            message = {"id": self._next_id, "method": method, "params": params or {}}
            if session is not None:
                message["sessionId"] = session
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
            return self._next_id

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        """Send a command and wait for its result; raise on a protocol error."""
        ident = self._send(method, params, session)
        with self._cond:
            if not self._cond.wait_for(lambda: ident in self._responses, timeout):
                raise RuntimeError(f"chromium did not answer {method} in {timeout} s")
            reply = self._responses.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._cond.notify_all()
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if message.get("method") == "Target.attachedToTarget":
                    self._watch(message["params"]["sessionId"])
                with self._cond:
                    if "id" in message:
                        self._responses[message["id"]] = message
                    else:
                        self.events.append(message)
                    self._cond.notify_all()

    def _watch(self, session: str) -> None:
        # a child target is paused until resumed: enable its network reporting first
        self._send("Network.enable", None, session)
        self._send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                            "flatten": True}, session)
        self._send("Runtime.runIfWaitingForDebugger", None, session)

    def wait_quiet(self, quiet: float, cap: float) -> None:
        """Wait until no event arrived for ``quiet`` seconds (at most ``cap`` seconds)."""
        end = time.monotonic() + cap
        with self._cond:
            while True:
                seen = len(self.events)
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait_for(lambda seen=seen: len(self.events) != seen, min(quiet, left))
                if len(self.events) == seen:
                    return

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass


@dataclasses.dataclass
class PageRun:
    """What Chromium did with one page: the DOM it built and the requests the page made.

    ``sent`` are requests that left the browser (to the trap); ``blocked`` were stopped
    inside it before any connection (``(url, reason)``, e.g. by the page's CSP).
    """

    dom: str
    title: str
    sent: list[str]
    blocked: list[tuple[str, str]]


def open_in_browser(doc: str, folder: Path, trap: ProxyTrap) -> PageRun:
    """Load ``doc`` in headless Chromium and report what the page did."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "page.html"
    path.write_text(doc, encoding="utf-8")
    page_url = path.as_uri()
    args = [CHROMIUM, *_FLAGS, f"--user-data-dir={folder / 'profile'}",
            f"--proxy-server=http://127.0.0.1:{trap.port}", "--proxy-bypass-list=<-loopback>",
            "--remote-debugging-pipe", "about:blank"]
    tools = DevTools(args)
    try:
        target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.call("Target.attachToTarget", {"targetId": target,
                                                       "flatten": True})["sessionId"]
        tools.call("Network.enable", None, session)
        tools.call("Page.enable", None, session)
        tools.call("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                            "flatten": True}, session)
        sessions = {session}
        tools.call("Page.navigate", {"url": page_url}, session)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session
                      for e in list(tools.events)):
            if time.monotonic() > deadline or tools.proc.poll() is not None:
                raise RuntimeError(f"chromium did not load {path}")
            time.sleep(0.05)
        tools.wait_quiet(quiet=0.5, cap=5.0)  # timers, workers and late loads
        result = tools.call("Runtime.evaluate", {
            "expression": "[document.documentElement.outerHTML, document.title]",
            "returnByValue": True}, session)
        dom, title = result["result"]["value"]
        events = list(tools.events)
    finally:
        tools.close()
    # every session that belongs to the page: its own and its descendants'
    for event in events:
        if event.get("method") == "Target.attachedToTarget" and event.get("sessionId") in sessions:
            sessions.add(event["params"]["sessionId"])
    requests: dict[tuple[str, str], str] = {}
    blocked: dict[tuple[str, str], str] = {}
    for event in events:
        key = (event.get("sessionId"), event.get("params", {}).get("requestId"))
        if event.get("sessionId") not in sessions:
            continue
        if event.get("method") == "Network.requestWillBeSent":
            request = event["params"]["request"]
            url = request["url"]
            if url != page_url and not url.startswith(_LOCAL_SCHEMES):
                requests[key] = f"{request['method']} {url}"
        elif event.get("method") == "Network.loadingFailed" and event["params"].get(
                "blockedReason"):
            blocked[key] = event["params"]["blockedReason"]
    sent = [r for k, r in requests.items() if k not in blocked]
    stopped = [(r, blocked[k]) for k, r in requests.items() if k in blocked]
    return PageRun(dom=dom, title=title, sent=sent, blocked=stopped)


def browser_problems(doc: str, folder: Path, trap: ProxyTrap, expected_literals=()
                     ) -> list[str]:
    """What went wrong when Chromium opened ``doc``: scripts, elements, requests.

    A request the browser blocked itself still counts: it means a payload reached the
    page as markup.
    """
    run = open_in_browser(doc, folder, trap)
    problems = [f"browser DOM: {p}" for p in html_problems(run.dom, expected_literals)]
    if MARKER in run.title:
        problems.append("the title was changed by a script")
    problems += [f"network request: {r}" for r in run.sent]
    problems += [f"blocked request ({why}): {r}" for r, why in run.blocked]
    return problems


def assert_safe_in_browser(doc: str, expected_literals, folder: Path, trap: ProxyTrap) -> None:
    """Assert ``doc`` is inert both as written and as Chromium runs it.

    Parameters
    ----------
    doc : str
        The HTML (a full page or a body fragment).
    expected_literals : iterable of str
        User strings that must be displayed verbatim as text.
    folder : Path
        Scratch folder for the page and the browser profile.
    trap : ProxyTrap
        The proxy every connection of Chromium goes to.
    """
    expected_literals = list(expected_literals)
    static = html_problems(doc, expected_literals)
    assert not static, "\n".join(static)
    dynamic = browser_problems(doc, folder, trap, expected_literals)
    assert not dynamic, "\n".join(dynamic)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """(trap, scratch folder factory); skips when Chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    trap = ProxyTrap()
    root = tmp_path_factory.mktemp("browser")
    counter = iter(range(10**6))
    yield trap, lambda: root / f"run{next(counter)}"
    trap.close()


# ------------------------------------------------------------- explanations
def _hostile_segmenter(image, **kwargs):
    """A 4 x 4 grid whose reported name is a payload (it appears in the settings)."""
    h, w = image.shape[:2]
    return (np.arange(h)[:, None] * 4 // h) * 4 + (np.arange(w)[None, :] * 4 // w)


_hostile_segmenter.__qualname__ = P[0]
_hostile_segmenter.__name__ = P[0]


@pytest.fixture(scope="module")
def explanations():
    """One explanation per kind, each with payloads wherever user text goes."""
    rng = np.random.default_rng(0)
    n = 120
    cat = np.array([P[3], P[4], P[6]], dtype=object)
    X = pd.DataFrame({P[0]: rng.normal(size=n), P[1]: rng.normal(size=n),
                      P[2]: rng.normal(size=n), P[5]: cat[rng.integers(0, 3, size=n)]})

    def table_model(frame):
        z = frame[P[0]].to_numpy() + 2.0 * (frame[P[5]].to_numpy() == P[3])
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1 - p, p])

    row = X.iloc[int(np.flatnonzero(X[P[5]].to_numpy() == P[3])[0])]
    tab = TabularExplainer(X, class_names=[P[7], P[8]], random_state=0).explain(
        row, table_model, num_features=4, num_samples=300)
    tab_literals = [P[0], P[1], P[2], P[5], P[3], P[7], P[8]]

    text = " ".join(PAYLOADS)

    def text_model(docs):
        p = np.array([0.2 + 0.6 * ("onerror" in d) for d in docs])
        return np.column_stack([1 - p, p])

    txt = TextExplainer(class_names=[P[9], P[10]], random_state=0).explain(
        text, text_model, num_features=6, num_samples=300)
    txt_literals = [text, P[9], P[10]]

    image = rng.integers(0, 256, size=(24, 24, 3), dtype=np.uint8)

    def image_model(images):
        p = images[:, :12, :12].mean(axis=(1, 2, 3)) / 255.0
        return np.column_stack([1 - p, p])

    kwargs = {"note": P[2]}
    img = ImageExplainer(segmenter=_hostile_segmenter, segmenter_kwargs=kwargs, hide_color=0,
                         class_names=[P[1], P[11]], random_state=0).explain(
        image, image_model, top_labels=2, num_samples=200)
    img_literals = [P[1], P[11], P[0], json.dumps(kwargs, ensure_ascii=False)]

    series = np.r_[np.zeros(20), np.ones(10), np.zeros(10)]

    def series_model(batch):
        p = 1.0 / (1.0 + np.exp(-4.0 * (np.asarray(batch)[:, 20:30].mean(axis=1) - 0.5)))
        return np.column_stack([1 - p, p])

    ts = SegmentTimeSeriesExplainer(n_segments=4, class_names=[P[12], P[13]],
                                    random_state=0).explain(series, series_model,
                                                            top_labels=2, num_samples=200)
    ts_literals = [P[12], P[13]]
    return {"tabular": (tab, tab_literals), "text": (txt, txt_literals),
            "image": (img, img_literals), "timeseries": (ts, ts_literals)}


def _fairness():
    fairness = pytest.importorskip("limekit.fairness")
    res = fairness.FairnessImportance(
        (P[0], P[1]), np.array([0.2, -0.01]), np.array([0.1, -0.05]), np.array([0.3, 0.02]),
        "occlusion", "refit", "demographic_parity", 0.7, 0.95, 100, P[2], (P[3], P[4]),
        {"note": P[5]})
    return res, [P[0], P[1]]


def _treatment():
    treatment = pytest.importorskip("limekit.treatment")
    fields = {f.name for f in dataclasses.fields(treatment.TreatmentExplanation)}
    values = dict(feature_names=(P[0], P[1]), treatment_names=(P[2], P[3]),
                  instance=(0.5, -1.0), recommended=1, harmful_outcome=False,
                  effects=(0.0, 0.4), outcomes=(1.0, 1.4), model_outcomes=(1.0, 1.3),
                  baseline_intercept=1.0, baseline_coef=(0.1, -0.2), effect_intercepts=(0.4,),
                  effect_coef=((0.3, 0.0),), score=0.9, num_samples=100,
                  settings={"note": P[4]})
    if not set(values) <= fields:
        pytest.skip("TreatmentExplanation's fields changed; update this test")
    return treatment.TreatmentExplanation(**values), [P[0], P[1], P[2], P[3]]


def _full_page(kind, explanations):
    if kind == "treatment":
        exp, literals = _treatment()
        return exp.to_html(), literals
    exp, literals = explanations[kind]
    return exp.to_html(), literals


# ---------------------------------------------------------------- static
@pytest.mark.parametrize("kind", ["tabular", "text", "image", "timeseries", "treatment"])
def test_full_pages_are_inert_as_written(kind, explanations):
    page, literals = _full_page(kind, explanations)
    assert page.startswith("<!DOCTYPE html>")
    problems = html_problems(page, literals)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["tabular", "text", "image", "timeseries", "treatment"])
def test_full_pages_declare_the_csp_first(kind, explanations):
    page, _ = _full_page(kind, explanations)
    assert csp_of(page) == CSP
    head = page[: page.index("</head>")]
    # the policy comes before anything it governs (styles), right after the charset
    assert head.index("Content-Security-Policy") < head.index("<style>")
    assert "script-src" not in CSP and "default-src 'none'" in CSP  # no script source at all


def test_static_checks_catch_raw_payloads():
    raw = "<div>" + "".join(PAYLOADS) + "</div>"
    problems = " ".join(html_problems(raw))
    for what in ("<script>", "<iframe>", "<link>", "<base>", "<object>", "<embed>",
                 "event handler onerror=", "URL attribute src='http://pwned.invalid/img.png'",
                 "<meta http-equiv='refresh'>", "@import"):
        assert what in problems, what


# ---------------------------------------------------------------- browser
@pytest.mark.parametrize("kind", ["tabular", "text", "image", "timeseries", "treatment"])
def test_full_page_in_browser(kind, explanations, browser):
    trap, folder = browser
    page, literals = _full_page(kind, explanations)
    assert_safe_in_browser(page, literals, folder(), trap)


def test_notebook_fragments_in_browser(explanations, browser):
    """The ``_repr_html_`` fragments carry no CSP: escaping alone must hold."""
    trap, folder = browser
    parts, literals = [], []
    for kind in ("tabular", "text", "image", "timeseries"):
        exp, lits = explanations[kind]
        parts.append(exp._repr_html_())
        literals += lits
    for make in (_fairness, _treatment):
        obj, lits = make()
        parts.append(obj._repr_html_())
        literals += lits
    doc = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fragments</title>"
           "</head><body>" + "\n".join(parts) + "</body></html>")
    assert csp_of(doc) is None
    assert_safe_in_browser(doc, literals, folder(), trap)


# A dedicated worker that fetches: its request is made by a child target of the page,
# which the probe must attach to and watch as well.
_WORKER = ("<script>new Worker(URL.createObjectURL(new Blob(["
           "[\"fetch('http://pwned.invalid/worker')\"]])));</script>")


def _raw_page(csp: str | None) -> str:
    """All payloads unescaped but the refresh, whose navigation would replace the page."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">' if csp else ""
    body = "".join(f"<div>{p}</div>" for p in PAYLOADS if "refresh" not in p)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + meta
            + f"<title>raw</title></head><body>{body}{_WORKER}</body></html>")


def test_browser_probe_catches_scripts_and_requests(browser):
    """Control (the canary): unescaped payloads do run and do fetch, and the probe says so."""
    trap, folder = browser
    problems = browser_problems(_raw_page(None), folder(), trap)
    text = "\n".join(problems)
    assert "the title was changed by a script" in text
    assert "network request: GET http://pwned.invalid/" in text
    assert "network request: GET https://pwned.invalid/" in text  # https too
    assert "network request: GET http://pwned.invalid/worker" in text  # from a worker
    # the page's requests did reach the trap: the proxy is the browser's only way out
    assert any("pwned.invalid" in r for r in trap.requests)


def test_browser_probe_ignores_chromium_background_traffic(browser):
    """Chromium's own services may connect (to the trap) while a page loads; only the page's
    requests are counted, so an inert page with no payload shows none."""
    trap, folder = browser
    doc = "<!DOCTYPE html><html><head><title>plain</title></head><body>plain</body></html>"
    assert browser_problems(doc, folder(), trap, ["plain"]) == []


def test_csp_blocks_scripts_and_requests_even_unescaped(browser):
    """Defence in depth: under limekit's CSP the raw payloads run nothing, fetch nothing."""
    trap, folder = browser
    run = open_in_browser(_raw_page(CSP), folder(), trap)
    assert MARKER not in run.title
    assert run.sent == []
    # the probe saw the attempts, and saw the browser stop them
    assert run.blocked and all(why == "csp" for _, why in run.blocked)
