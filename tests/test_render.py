"""Tests for limekit.render: terminal text, HTML and matplotlib renderers."""

from __future__ import annotations

import html
import unicodedata
from html.parser import HTMLParser

import pytest

from limekit.explanation import Explanation, LabelExplanation
from limekit.render import plot_explanation, render_html, render_text

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - matplotlib is a test dependency
    matplotlib = None

needs_mpl = pytest.mark.skipif(matplotlib is None, reason="matplotlib not installed")


# ------------------------------------------------------------------ fixtures
def make_classification() -> Explanation:
    return Explanation(
        mode="classification",
        feature_names=("sepal length", "sepal width", "petal length", "petal width"),
        feature_descriptions=(
            "sepal length <= 5.10",
            "sepal width > 3.30",
            "petal length <= 1.60",
            "petal width <= 0.30",
        ),
        feature_values=("5.1", "3.5", "1.4", "0.2"),
        class_names=("setosa", "versicolor", "virginica"),
        label_explanations={
            2: LabelExplanation(
                weights=((2, 0.3125), (3, -0.12345678), (0, 0.0049)),
                intercept=0.41, score=0.87, local_pred=0.69,
            ),
            1: LabelExplanation(
                weights=((3, 0.2), (2, -0.25)), intercept=0.2, score=0.5, local_pred=0.21,
            ),
        },
        predict_proba=(0.1, 0.2, 0.7),
        num_samples=500,
        settings={"kernel_width": 0.75, "sampler": "lime"},
    )


def make_regression(weights=((0, 1.75), (2, -0.5))) -> Explanation:
    return Explanation(
        mode="regression",
        feature_names=("rooms", "age", "distance"),
        feature_descriptions=("rooms > 6.00", "age <= 40.00", "distance <= 2.50"),
        feature_values=("6.5", "35", "1.9"),
        class_names=None,
        label_explanations={
            0: LabelExplanation(weights=tuple(weights), intercept=10.0, score=0.91,
                                local_pred=12.3),
        },
        predicted_value=12.5,
        num_samples=1000,
    )


SCRIPT = "<script>alert(1)</script>"
ATTR = '"onmouseover=alert(1)'
AMP = "&amp;"
UNICODE = "naïve ✓"
LONG = "feature_" + "x" * 492
CONTROL = "tab\there\nnewline $x^$ \x1b[2J"
WIDE = "特征值特征值特征值"
HOSTILE_NAMES = (SCRIPT, ATTR, AMP, UNICODE, LONG, CONTROL, WIDE)
HOSTILE_VALUES = ("<b>1</b>", "'quoted'", "&lt;", "✓", "2.0", "a\nb", "值")
HOSTILE_CLASSES = ("<img src=x onerror=alert(1)>", "good & 'bad'")
HOSTILE_SETTING = "<script>alert('s')</script>"


def make_hostile() -> Explanation:
    n = len(HOSTILE_NAMES)
    weights = tuple((i, (-1) ** i * (n - i) / 10) for i in range(n))
    return Explanation(
        mode="classification",
        feature_names=HOSTILE_NAMES,
        feature_descriptions=HOSTILE_NAMES,
        feature_values=HOSTILE_VALUES,
        class_names=HOSTILE_CLASSES,
        label_explanations={
            0: LabelExplanation(weights=weights, intercept=0.1, score=0.5, local_pred=0.3),
        },
        predict_proba=(0.6, 0.4),
        num_samples=10,
        settings={"note": HOSTILE_SETTING, "nested": {"<k>": ['"v"']}},
    )


def cells(line: str) -> int:
    """Terminal cells a line occupies (wide East Asian characters take two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if matplotlib is not None:
        plt.close("all")


# ---------------------------------------------------------------------- text
def test_text_lists_every_description_with_signed_weight():
    exp = make_classification()
    text = render_text(exp, width=120)
    for lab, le in exp.label_explanations.items():
        assert f"class {exp.class_names[lab]} (label {lab})" in text
        for i, w in le.weights:
            assert exp.feature_descriptions[i] in text
            assert f"{w:+.4g}" in text
    assert "-0.1235" in text and "+0.3125" in text
    assert "Predicted class: virginica (p=0.700)" in text
    assert "intercept=0.41" in text and "local_pred=0.69" in text and "score(R²)=0.87" in text


def test_text_rows_in_rank_order_and_bars_point_by_sign():
    exp = make_classification()
    lines = render_text(exp, label=2, width=120).splitlines()
    rows = [ln for ln in lines if ln[:1].isdigit()]
    assert [r.split()[0] for r in rows] == ["1", "2", "3"]
    strong, negative, tiny = rows
    assert "petal length" in strong and "petal width" in negative and "sepal length" in tiny
    # Positive bars grow right of the axis, negative ones left of it.
    assert strong.index("│") < strong.index("█")
    assert negative.index("█") < negative.index("│")
    # Bar length is proportional to |weight|; the strongest one is full.
    n_strong, n_neg = strong.count("█"), negative.count("█")
    assert n_strong > n_neg > 0
    assert n_neg == round(0.12345678 / 0.3125 * n_strong)
    assert "█" not in tiny and "▏" in tiny  # too small for a block, still visible


def test_text_label_selection():
    exp = make_classification()
    only = render_text(exp, label=1, width=100)
    assert "class versicolor" in only and "class virginica" not in only
    both = render_text(exp, width=100)
    assert both.index("class virginica") < both.index("class versicolor")
    with pytest.raises(KeyError):
        render_text(exp, label=0)


@pytest.mark.parametrize("width", [8, 20, 33, 50, 80, 120, 200])
@pytest.mark.parametrize("factory", [make_classification, make_regression, make_hostile])
def test_text_respects_width(factory, width):
    text = render_text(factory(), width=width)
    lines = text.splitlines()
    assert len(lines) > 3
    assert max(len(ln) for ln in lines) <= width
    assert max(cells(ln) for ln in lines) <= width


def test_text_hostile_strings_are_contained():
    exp = make_hostile()
    text = render_text(exp, width=100)
    assert SCRIPT in text and UNICODE in text and AMP in text and WIDE in text
    assert LONG not in text and LONG[:20] in text and "…" in text
    # Control characters never reach the terminal: no escape sequences, no
    # newlines splitting a row.
    assert "\x1b" not in text and "\t" not in text
    rows = [ln for ln in text.splitlines() if ln[:1].isdigit()]
    assert len(rows) == len(HOSTILE_NAMES)
    assert "-0.6" in text and "+0.7" in text


def test_text_regression_and_str():
    exp = make_regression()
    text = render_text(exp, width=100)
    assert "regression" in text
    assert "Predicted value: 12.5" in text
    assert "model=12.5" in text and "local_pred=12.3" in text
    assert "rooms > 6.00" in text and "+1.75" in text and "-0.5" in text
    assert "Class probabilities" not in text
    assert str(exp) == exp.to_text()
    assert "Predicted value: 12.5" in str(exp)
    assert "Predicted class: virginica" in str(make_classification())


def test_text_colour_is_opt_in():
    exp = make_classification()
    assert "\x1b" not in render_text(exp, width=100)
    coloured = render_text(exp, width=100, color=True)
    assert "\x1b[32m+0.3125\x1b[0m" in coloured
    assert "\x1b[31m-0.1235\x1b[0m" in coloured


def test_text_empty_weights_and_top_classes():
    text = render_text(make_regression(weights=()), width=60)
    assert "no features selected" in text
    exp = make_many_classes()
    header = render_text(exp, width=300).splitlines()[2]
    assert header.startswith("Class probabilities: c3 0.400  c1 0.200")
    assert "(+2 more)" in header and "c0" not in header and "c6" not in header


def test_text_rejects_bad_width():
    with pytest.raises(ValueError, match="width"):
        render_text(make_classification(), width=0)


# ---------------------------------------------------------------------- html
class _Collector(HTMLParser):
    """Records tags, attributes and text, and checks that tags nest properly."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(doc: str) -> _Collector:
    parser = _Collector()
    parser.feed(doc)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return parser


def test_html_escapes_every_hostile_string():
    exp = make_hostile()
    for doc in (render_html(exp), render_html(exp, full_page=False)):
        user_strings = (*HOSTILE_NAMES, *HOSTILE_VALUES, *HOSTILE_CLASSES, HOSTILE_SETTING)
        for s in user_strings:
            assert html.escape(s, quote=True) in doc, s
            if any(c in s for c in "<>\"'"):
                assert s not in doc, s
        assert "&amp;amp;" in doc  # '&amp;' escaped once more, not passed through
        assert "<script" not in doc.lower()
        assert "onmouseover=alert" not in doc.replace("&quot;onmouseover=alert", "")
        assert "<img" not in doc
        parsed = parse(doc)
        # After unescaping, the page shows exactly the user's strings:
        # no double escaping, no truncation in HTML.
        shown = "".join(parsed.text)
        for s in (SCRIPT, ATTR, AMP, UNICODE, LONG, WIDE, HOSTILE_CLASSES[0]):
            assert s in shown, s
        assert "<script>alert('s')</script>" in shown
        assert "script" not in parsed.tags and "img" not in parsed.tags
        assert not any(name.startswith("on") for name, _ in parsed.attrs)
        assert {name for name, _ in parsed.attrs} <= {"class", "style", "lang", "charset",
                                                       "name", "content", "http-equiv"}


@pytest.mark.parametrize("factory", [make_classification, make_regression, make_hostile])
def test_html_is_self_contained_and_deterministic(factory):
    exp = factory()
    for full in (True, False):
        doc = render_html(exp, full_page=full)
        low = doc.lower().replace("http-equiv", "")  # the CSP <meta> of full pages
        assert "http" not in low and "//" not in doc and "url(" not in low
        assert "<script" not in low and "javascript" not in low and "@import" not in low
        assert "<link" not in low and "<img" not in low and "@font-face" not in low
        assert doc == render_html(exp, full_page=full)
        assert doc == render_html(Explanation.from_dict(exp.to_dict()), full_page=full)


def test_html_full_page_versus_fragment():
    exp = make_classification()
    page = render_html(exp)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert page.rstrip().endswith("</html>")
    assert page.count("<style>") == 1 and page.index("<style>") < page.index("<body>")
    parse(page)
    frag = render_html(exp, full_page=False)
    assert frag.startswith('<div class="limekit">') and frag.endswith("</div>")
    assert "<html" not in frag and "<head" not in frag and "DOCTYPE" not in frag
    assert "<style>" in frag and ".lk-bar-pos" in frag
    parsed = parse(frag)
    assert parsed.tags[0] == "div"
    # Every class we emit is namespaced so notebook styles cannot collide.
    classes = {c for name, v in parsed.attrs if name == "class" for c in v.split()}
    assert classes and all(c == "limekit" or c.startswith("lk-") for c in classes)
    assert exp._repr_html_() == frag
    assert exp.to_html() == page


def test_html_classification_content():
    exp = make_classification()
    doc = render_html(exp, full_page=False)
    assert "Prediction probabilities" in doc
    # Probability bars, most probable first.
    assert doc.index(">virginica<") < doc.index(">versicolor<") < doc.index(">setosa<")
    assert 'style="width:70.00%"' in doc and ">0.700<" in doc
    for lab in (2, 1):
        assert f"Local explanation for class {exp.class_names[lab]}" in doc
    assert html.escape("petal length <= 1.60") in doc
    assert ">+0.3125<" in doc and ">-0.1235<" in doc and ">+0.2<" in doc and ">-0.25<" in doc
    # Three positive and two negative weights across the two labels.
    assert doc.count('class="lk-bar lk-bar-pos"') == 3
    assert doc.count('class="lk-bar lk-bar-neg"') == 2
    assert 'class="lk-bar lk-bar-pos" style="width:100.00%"' in doc
    assert "intercept <b>0.41</b>" in doc and "local prediction <b>0.69</b>" in doc
    assert "R&sup2; <b>0.87</b>" in doc
    # Feature values table covers exactly the features in the explanation.
    values = doc[doc.index("Feature values"):]
    for name, value in [("petal length", "1.4"), ("petal width", "0.2"), ("sepal length", "5.1")]:
        assert f"<td>{name}</td><td>{value}</td>" in values
    assert "sepal width" not in values
    assert "kernel_width" in doc


def test_html_label_selection():
    exp = make_classification()
    doc = render_html(exp, labels=[1])
    assert "Local explanation for class versicolor" in doc
    assert "Local explanation for class virginica" not in doc
    with pytest.raises(KeyError):
        render_html(exp, labels=[0])


def test_html_top_five_classes():
    doc = render_html(make_many_classes(), full_page=False)
    block = doc[: doc.index("Local explanation")]
    assert "top 5 of 7" in block
    shown = [name for name in ("c3", "c1", "c2", "c4", "c5") if f">{name}<" in block]
    assert shown == ["c3", "c1", "c2", "c4", "c5"]
    assert [block.index(f">{n}<") for n in shown] == sorted(block.index(f">{n}<") for n in shown)
    assert ">c0<" not in block and ">c6<" not in block


def test_html_regression_shows_predicted_value():
    exp = make_regression()
    doc = render_html(exp)
    assert "Predicted value" in doc and ">12.5<" in doc
    assert "Prediction probabilities" not in doc
    assert "Local explanation<" in doc
    assert "local prediction <b>12.3</b>" in doc and html.escape("rooms > 6.00") in doc
    empty = render_html(make_regression(weights=()))
    assert "No features were selected" in empty
    parse(empty)


def make_many_classes() -> Explanation:
    proba = (0.01, 0.2, 0.15, 0.4, 0.1, 0.09, 0.05)
    return Explanation(
        mode="classification",
        feature_names=("a", "b"),
        feature_descriptions=("a > 1", "b <= 2"),
        feature_values=("2", "1"),
        class_names=tuple(f"c{k}" for k in range(len(proba))),
        label_explanations={
            3: LabelExplanation(weights=((0, 0.3), (1, -0.1)), intercept=0.2, score=0.6,
                                local_pred=0.41),
        },
        predict_proba=proba,
        num_samples=100,
    )


# ---------------------------------------------------------------------- plot
@needs_mpl
def test_plot_bars_title_and_order():
    exp = make_classification()
    fig = exp.plot()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "Local explanation for class virginica"
    assert ax.get_xlabel() == "weight"
    bars = ax.patches
    assert len(bars) == 3
    # Strongest feature at the top (largest y).
    by_y = sorted(bars, key=lambda b: b.get_y(), reverse=True)
    assert [round(b.get_width(), 6) for b in by_y] == [0.3125, -0.123457, 0.0049]
    ticks = zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    labels = {round(t, 6): lbl.get_text() for t, lbl in ticks}
    assert labels[max(labels)] == "petal length <= 1.60"
    assert by_y[0].get_facecolor() == to_rgba("#2e7d32")
    assert by_y[1].get_facecolor() == to_rgba("#c62828")
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines)


@needs_mpl
def test_plot_options_and_given_axes():
    exp = make_classification()
    fig = plot_explanation(exp, label=1, num_features=1, figsize=(4, 3))
    ax = fig.axes[0]
    assert len(ax.patches) == 1
    assert ax.get_title() == "Local explanation for class versicolor"
    assert tuple(fig.get_size_inches()) == (4.0, 3.0)
    fig2, ax2 = plt.subplots()
    assert exp.plot(ax=ax2) is fig2
    assert len(ax2.patches) == 3
    with pytest.raises(KeyError):
        exp.plot(label=0)


@needs_mpl
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # CJK test name vs DejaVu
def test_plot_regression_hostile_and_empty():
    fig = make_regression().plot()
    assert fig.axes[0].get_title() == "Local explanation"
    assert len(fig.axes[0].patches) == 2
    # '$' would be parsed as mathtext; drawing must not raise.
    hostile = make_hostile().plot()
    hostile.canvas.draw()
    assert len(hostile.axes[0].patches) == len(HOSTILE_NAMES)
    empty = make_regression(weights=()).plot()
    empty.canvas.draw()
    assert len(empty.axes[0].patches) == 0
