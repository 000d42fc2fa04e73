"""Text explanations: lime parity, known truths, safety of the renderings, input checks.

lime 0.2.0.1 is the reference: tokenisation and perturbed texts are compared
exactly; explanations (random) are compared on seed-averaged weights, since two
independent runs of lime itself differ by about as much.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import re

import numpy as np
import pytest
from lime.lime_text import IndexedCharacters as LimeIndexedCharacters
from lime.lime_text import IndexedString as LimeIndexedString
from lime.lime_text import LimeTextExplainer as LimeLimeTextExplainer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from limekit.compat.lime_text import IndexedString, LimeTextExplainer
from limekit.datasets.text import load_reviews
from limekit.explainers.text import TextExplainer, TextExplanation
from limekit.explanation import Explanation
from limekit.render.text import mark_text, render_text_explanation, render_text_html
from limekit.representations import text as text_rep
from limekit.representations.text import TextRepresentation, tokenize


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def reviews():
    return load_reviews()


@pytest.fixture(scope="module")
def pipeline(reviews):
    """lime's canonical text set-up: TF-IDF + logistic regression."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(
        reviews.texts, reviews.labels)


@pytest.fixture(scope="module")
def document(reviews):
    """A ~90-word document: six positive reviews and one negative one."""
    return " ".join([*reviews.texts[1:12:2], reviews.texts[0]])


def word_model(word: str, base: float = 0.1, slope: float = 0.8):
    """P(class 1) = base + slope · [word occurs]: a model that depends on one word only."""
    def predict(texts):
        p = np.array([base + slope * (word in re.findall(r"\w+", t)) for t in texts])
        return np.column_stack([1 - p, p])
    return predict


# ------------------------------------------------------------ tokenisation
TEXTS = [
    "Hello, world! Hello again; the world is big.",
    "  leading space and trailing!!  ",
    "x",
    "café naïve résumé café — 東京 東京 𝔘nicode end",
    "a\nb\n\nc a",
    "lone \ud800 surrogate \ud800",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("bow", [True, False])
@pytest.mark.parametrize("char_level", [False, True])
def test_tokens_and_perturbed_texts_match_lime(text, bow, char_level):
    ref = (LimeIndexedCharacters(text, bow=bow) if char_level
           else LimeIndexedString(text, bow=bow))
    doc = tokenize(text, bow=bow, char_level=char_level)
    assert doc.n_features == ref.num_words()
    assert list(doc.words) == list(ref.inverse_vocab)
    assert "".join(doc.pieces) == text
    for j in range(doc.n_features):
        assert doc.starts[doc.positions(j)].tolist() == np.atleast_1d(
            ref.string_position(j)).tolist()
    rng = np.random.default_rng(1)
    Z = (rng.random((40, doc.n_features)) < 0.5).astype(float)
    Z[0] = 1.0
    for z, got in zip(Z, doc.decode(Z), strict=True):
        assert got == ref.inverse_removing(np.flatnonzero(z == 0))


def test_bag_of_words_removes_every_occurrence_positional_masks_one():
    z_bow = tokenize("the cat saw the dog", bow=True)
    the = z_bow.words.index("the")
    z = np.ones((1, z_bow.n_features))
    z[0, the] = 0
    assert z_bow.decode(z) == [" cat saw  dog"]
    z_pos = tokenize("the cat saw the dog", bow=False)
    z = np.ones((1, z_pos.n_features))
    z[0, 3] = 0  # the second "the"
    assert z_pos.decode(z) == ["the cat saw UNKWORDZ dog"]
    custom = tokenize("the cat", bow=False, mask_string="<?>")
    assert custom.decode(np.array([[0.0, 1.0]])) == ["<?> cat"]


def test_decode_in_row_blocks_equals_one_block(monkeypatch):
    doc = tokenize("one two three two one four", bow=False)
    Z = (np.random.default_rng(0).random((257, doc.n_features)) < 0.5).astype(float)
    whole = tokenize(doc.text, bow=False).decode(Z)
    monkeypatch.setattr(text_rep, "_DECODE_CELLS", 50)  # a few rows per block
    assert tokenize(doc.text, bow=False).decode(Z) == whole


def test_callable_split_expression_and_its_errors():
    doc = tokenize("New York is big", split_expression=lambda s: ["New York", "big"])
    assert doc.words == ("New York", "big")
    assert doc.decode(np.array([[0.0, 1.0]])) == [" is big"]
    with pytest.raises(ValueError, match="does not occur in the text"):
        tokenize("abc", split_expression=lambda s: ["zzz"])
    with pytest.raises(ValueError, match="not a valid regular expression"):
        TextRepresentation(split_expression="([")


def test_indexed_string_compat_matches_lime():
    text = "the cat saw the dog, the end"
    for bow in (True, False):
        ours, ref = IndexedString(text, bow=bow), LimeIndexedString(text, bow=bow)
        assert ours.num_words() == ref.num_words()
        assert ours.as_list == ref.as_list
        assert ours.inverse_vocab == ref.inverse_vocab
        for j in range(ours.num_words()):
            assert ours.word(j) == ref.word(j)
            assert ours.string_position(j).tolist() == np.atleast_1d(
                ref.string_position(j)).tolist()
        assert ours.inverse_removing([0, 2]) == ref.inverse_removing([0, 2])


# ------------------------------------------------------------- lime parity
def _averaged(maps):
    out: dict[int, float] = {}
    for m in maps:
        for i, w in m.items():
            out[i] = out.get(i, 0.0) + w / len(maps)
    return out


def _top(weights, k=5):
    return set(sorted(weights, key=lambda i: -abs(weights[i]))[:k])


@pytest.mark.parametrize("bow", [True, False])
def test_parity_with_lime_tfidf_logreg(pipeline, document, bow):
    label = int(np.argmax(pipeline.predict_proba([document])[0]))
    ours, theirs = [], []
    for seed in range(5):
        lime_exp = LimeLimeTextExplainer(bow=bow, random_state=seed).explain_instance(
            document, pipeline.predict_proba, labels=(label,), num_features=10)
        kit_exp = TextExplainer(bow=bow, random_state=seed).explain(
            document, pipeline, labels=[label], num_features=10)
        theirs.append(dict(lime_exp.as_map()[label]))
        ours.append(dict(kit_exp.as_map()[label]))
        # Same features (ids): tokenisation is identical, so ids are comparable.
        assert kit_exp.feature_descriptions == tuple(lime_exp.domain_mapper.indexed_string
                                                     .inverse_vocab)
    a, b = _averaged(theirs), _averaged(ours)
    assert len(_top(a) & _top(b)) >= 4
    keys = sorted(set(a) | set(b))
    corr = np.corrcoef([a.get(k, 0.0) for k in keys], [b.get(k, 0.0) for k in keys])[0, 1]
    assert corr >= 0.9


# ------------------------------------------------------------- known truths
def test_a_word_the_model_scores_linearly_gets_the_largest_weight():
    text = "the service was excellent and the room was quiet but small"
    exp = TextExplainer(random_state=0).explain(text, word_model("excellent"), labels=[1],
                                                num_features=5, num_samples=2000)
    (top_word, top_w), *rest = exp.as_list()
    assert top_word == "excellent"
    assert 0.6 < top_w < 0.85  # the model's slope, shrunk a little by the ridge penalty
    assert all(abs(w) < 0.05 for _, w in rest)


def test_regression_mode():
    def score(texts):
        return np.array([2.0 * t.split().count("good") - 1.0 * t.split().count("bad")
                         for t in texts])

    text = "good food , bad parking , good staff , quiet street"
    exp = TextExplainer(mode="regression", random_state=0).explain(text, score, num_features=3,
                                                                   num_samples=2000)
    assert exp.mode == "regression" and exp.class_names is None
    assert exp.predicted_value == pytest.approx(3.0)
    weights = dict(exp.as_list())
    assert weights["good"] > 0 > weights["bad"]
    assert abs(weights["good"]) > abs(weights["bad"])
    assert exp.labels == [0]


def test_char_level():
    def has_z(texts):
        p = np.array([0.9 if "z" in t else 0.1 for t in texts])
        return np.column_stack([1 - p, p])

    exp = TextExplainer(char_level=True, random_state=0).explain("lazy fox", has_z, labels=[1],
                                                                 num_features=3,
                                                                 num_samples=1000)
    assert exp.as_list()[0][0] == "z"
    assert exp.settings["char_level"] is True
    assert len(exp.token_spans) == len("lazy fox")
    pos = TextExplainer(char_level=True, bow=False, random_state=0)
    exp2 = pos.explain("zz top", has_z, labels=[1], num_features=2, num_samples=500)
    assert exp2.feature_names[0] == "z_0" and exp2.feature_names[1] == "z_1"


def test_top_labels_and_class_names(pipeline, document):
    exp = TextExplainer(class_names=["neg", "pos"], random_state=0).explain(
        document, pipeline, top_labels=2, num_samples=500)
    proba = pipeline.predict_proba([document])[0]
    assert exp.labels == list(np.argsort(-proba))
    assert exp.class_names == ("neg", "pos")
    np.testing.assert_allclose(exp.predict_proba, proba)


# ---------------------------------------------------------- determinism & JSON
def test_same_seed_same_explanation_independent_of_history(pipeline, document):
    a = TextExplainer(random_state=7)
    first = a.explain(document, pipeline, num_samples=800)
    a.explain("something else entirely", pipeline, num_samples=300)
    again = a.explain(document, pipeline, num_samples=800)
    fresh = TextExplainer(random_state=7).explain(document, pipeline, num_samples=800)
    assert first == again == fresh
    other = TextExplainer(random_state=8).explain(document, pipeline, num_samples=800)
    assert other != first


def test_json_round_trip(pipeline, document):
    exp = TextExplainer(bow=False, random_state=0).explain(
        "Tricky \"quotes\", <tags> & ünïcödé " + document, pipeline, num_samples=500)
    back = Explanation.from_json(exp.to_json())
    assert isinstance(back, TextExplanation)
    assert back == exp
    assert json.loads(exp.to_json())["kind"] == "text"
    assert back.text[slice(*back.token_spans[0])] == "Tricky"


def test_batch_size_splits_model_calls_without_changing_the_explanation(pipeline, document):
    sizes: list[int] = []

    def spy(texts):
        assert isinstance(texts, list) and all(isinstance(t, str) for t in texts)
        sizes.append(len(texts))
        return pipeline.predict_proba(texts)

    explainer = TextExplainer(random_state=3)
    chunked = explainer.explain(document, spy, num_samples=1000, batch_size=300)
    assert sizes == [300, 300, 300, 100]
    sizes.clear()
    whole = explainer.explain(document, spy, num_samples=1000)
    assert sizes == [1000]
    assert chunked == whole


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("bad", ["", "   \n\t  "])
def test_empty_or_blank_text_is_rejected(pipeline, bad):
    with pytest.raises(ValueError, match="empty or only whitespace"):
        TextExplainer().explain(bad, pipeline)


def test_text_without_words_is_rejected(pipeline):
    with pytest.raises(ValueError, match="no words found"):
        TextExplainer().explain("!!! ... ???", pipeline)


@pytest.mark.parametrize("bad", [None, 42, ["a list", "of texts"], b"bytes"])
def test_non_string_input_is_rejected(pipeline, bad):
    with pytest.raises(TypeError, match="must be a str"):
        TextExplainer().explain(bad, pipeline)


def test_model_returning_wrong_number_of_rows(document):
    def short(texts):
        return np.tile([0.5, 0.5], (len(texts) - 1, 1))

    with pytest.raises(ValueError, match="one prediction per row"):
        TextExplainer(random_state=0).explain(document, short, num_samples=100)


def test_bad_settings():
    with pytest.raises(ValueError, match="feature_selection"):
        TextExplainer(feature_selection="magic")
    with pytest.raises(ValueError, match="mode"):
        TextExplainer(mode="ranking")
    with pytest.raises(ValueError, match="kernel_width"):
        TextExplainer(kernel_width=0)
    with pytest.raises(TypeError, match="mask_string"):
        TextExplainer(bow=False, mask_string=3)


# --------------------------------------------------------------- rendering
def test_html_escapes_the_document_and_has_no_script():
    nasty = 'Great <script>alert("x")</script> film, it\'s "excellent" & fun'
    exp = TextExplainer(class_names=["<b>bad</b>", 'go"od'], random_state=0).explain(
        nasty, word_model("excellent"), labels=[1], num_samples=500)
    for page in (exp.to_html(), exp.to_html(full_page=False), exp._repr_html_()):
        low = page.lower()
        assert "<script" not in low and "javascript:" not in low
        assert "http://" not in low and "https://" not in low
        assert not re.search(r"\son\w+\s*=", low)  # no event handlers
        # "script" is a word, so it may sit in a highlight span between &lt; and &gt;
        assert re.search(r"&lt;(<span[^>]*>)?script(</span>)?&gt;", page)
        assert "&quot;" in page and "&amp;" in page
        assert "&lt;b&gt;bad&lt;/b&gt;" in page
        assert "<b>bad</b>" not in page
        assert 'class="lk-w lk-w-pos"' in page  # "excellent" highlighted
    # opacity follows |weight|; the strongest word has the highest alpha
    alphas = [float(a) for a in re.findall(r"rgba\(\d+,\d+,\d+,([\d.]+)\)", exp.to_html())]
    assert max(alphas) == pytest.approx(0.5)
    flat = render_text_html(exp, opacity=False)
    assert set(re.findall(r"rgba\(\d+,\d+,\d+,([\d.]+)\)", flat)) == {"0.500"}
    assert "lk-text" not in render_text_html(exp, show_text=False).split("</style>", 2)[-1]


def test_terminal_rendering_marks_top_words():
    text = "the service was excellent\x1b[31m and the room was quiet"
    exp = TextExplainer(random_state=0).explain(text, word_model("excellent"), labels=[1],
                                                num_features=2, num_samples=500)
    out = render_text_explanation(exp, width=60)
    assert "[excellent+]" in out
    assert "\x1b" not in out  # control characters from the text never reach the terminal
    assert all(len(line) <= 60 for line in out.splitlines())
    assert "[excellent+]" in str(exp)
    assert mark_text(exp, max_chars=10).startswith("the servic… (+")
    coloured = render_text_explanation(exp, width=60, color=True)
    assert "\x1b[32m[excellent+]\x1b[0m" in coloured


def test_token_weights_align_with_spans():
    text = "good good bad"
    exp = TextExplainer(random_state=0).explain(text, word_model("good"), labels=[1],
                                                num_samples=300)
    w = exp.token_weights()
    assert w.shape == (3,) and w[0] == w[1] and w[0] > 0


# ------------------------------------------------------------------ compat
def test_compat_signatures_equal_lime():
    assert (inspect.signature(LimeTextExplainer.__init__)
            == inspect.signature(LimeLimeTextExplainer.__init__))
    assert (inspect.signature(LimeTextExplainer.explain_instance)
            == inspect.signature(LimeLimeTextExplainer.explain_instance))


def test_compat_explanation_surface(pipeline, document, tmp_path):
    explainer = LimeTextExplainer(class_names=["neg", "pos"], random_state=0)
    exp = explainer.explain_instance(document, pipeline.predict_proba, num_features=6,
                                     num_samples=600)
    assert exp.available_labels() == [1]
    words = exp.as_list()
    assert len(words) == 6 and all(isinstance(w, str) and isinstance(v, float)
                                   for w, v in words)
    assert all(re.fullmatch(r"\w+_\d+(-\d+)*", w) for w, _ in exp.as_list(positions=True))
    assert set(exp.as_map()) == {1} and exp.local_exp is exp.as_map()
    assert isinstance(exp.intercept[1], float) and isinstance(exp.score, float)
    assert exp.local_pred.shape == (1,)
    np.testing.assert_allclose(exp.predict_proba, pipeline.predict_proba([document])[0])
    page = exp.as_html(text=True, opacity=False)
    assert "lk-text" in page and "<script" not in page.lower()
    with pytest.raises(TypeError, match="unexpected keyword"):
        exp.as_html(show_table=True)
    path = tmp_path / "exp.html"
    exp.save_to_file(str(path))
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    top = explainer.explain_instance(document, pipeline.predict_proba, top_labels=2,
                                     num_samples=300)
    proba = pipeline.predict_proba([document])[0]
    assert top.available_labels() == list(np.argsort(-proba))
    fig = exp.as_pyplot_figure()
    assert fig is not None
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_compat_model_regressor_and_positional(pipeline, document):
    from sklearn.linear_model import Ridge

    regressor = Ridge(alpha=1.0)
    exp = LimeTextExplainer(bow=False, random_state=0).explain_instance(
        document, pipeline.predict_proba, num_features=4, num_samples=500,
        model_regressor=regressor)
    assert hasattr(regressor, "coef_")  # fitted in place, as lime does
    assert len(exp.as_list()) == 4


# ------------------------------------------------------------------- demo & docs
def test_demo_runs_on_the_bundled_corpus(tmp_path):
    from limekit.demos.text import run_text_demo

    lines: list[str] = []
    html_path = tmp_path / "demo.html"
    exp = run_text_demo(seed=0, html_path=str(html_path), corpus="reviews", num_samples=500,
                        width=80, print_fn=lines.append)
    assert isinstance(exp, TextExplanation)
    assert html_path.exists() and "lk-text" in html_path.read_text(encoding="utf-8")
    assert any("[" in line and "+]" in line or "-]" in line for line in lines)


@pytest.mark.parametrize("name", ["limekit.explainers.text", "limekit.compat.lime_text",
                                  "limekit.datasets.text", "limekit.demos.text"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
