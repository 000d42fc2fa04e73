"""limekit.compat: lime scripts run unchanged except for their imports.

Each script-style test is written the way lime's documentation writes it, with
only ``from lime.`` changed to ``from limekit.compat.``. Where lime itself is
deterministic (bin names, signatures, attributes) the results are compared
with the installed ``lime`` 0.2.0.1 exactly.
"""

from __future__ import annotations

import inspect
import pickle
import sys
import types

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression

import limekit
from limekit.compat import explanation as compat_explanation
from limekit.compat.explanation import Explanation, TableDomainMapper
from limekit.compat.lime_tabular import LimeTabularExplainer, RecurrentTabularExplainer

lime_tabular = pytest.importorskip("lime.lime_tabular")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - matplotlib is a test dependency
    matplotlib = None

N = 600  # neighbourhood size for the functional tests (parity tests use lime's 5000)


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(data.data, data.target)
    return data, model


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer()
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(data.data, data.target)
    return data, model


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes()
    model = LinearRegression().fit(data.data, data.target)
    return data, model


@pytest.fixture(scope="module")
def categorical():
    """Two numeric columns and two integer-coded categorical ones."""
    rng = np.random.default_rng(0)
    n = 400
    color = rng.integers(0, 3, n)
    size = rng.integers(0, 2, n)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    X = np.column_stack([a, color, b, size]).astype(float)
    y = ((a + (color == 2) - 0.5 * size) > 0.3).astype(int)
    model = LogisticRegression().fit(X, y)
    names = {1: ["red", "green", "blue"], 3: ["small", "large"]}
    return X, y, model, names


def _kwargs(sig: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.default, p.kind) for p in sig.parameters.values()]


# ------------------------------------------------------------------ signatures
@pytest.mark.parametrize("name", ["LimeTabularExplainer", "RecurrentTabularExplainer"])
def test_signatures_match_lime(name):
    ours = getattr(sys.modules["limekit.compat.lime_tabular"], name)
    theirs = getattr(lime_tabular, name)
    assert _kwargs(inspect.signature(ours.__init__)) == _kwargs(inspect.signature(theirs.__init__))
    assert (_kwargs(inspect.signature(ours.explain_instance))
            == _kwargs(inspect.signature(theirs.explain_instance)))


def test_explanation_method_signatures_match_lime():
    from lime import explanation as lime_explanation

    for method in ("as_list", "as_map", "as_pyplot_figure", "as_html", "save_to_file",
                   "show_in_notebook", "available_labels"):
        ours = inspect.signature(getattr(Explanation, method))
        theirs = inspect.signature(getattr(lime_explanation.Explanation, method))
        assert _kwargs(ours) == _kwargs(theirs), method


# ------------------------------------------------------------------ classification scripts
def test_iris_script_labels_and_top_labels(iris):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     class_names=data.target_names, discretize_continuous=True,
                                     random_state=42)
    exp = explainer.explain_instance(data.data[60], rf.predict_proba, num_features=2,
                                     top_labels=1, num_samples=N)
    top = exp.available_labels()
    assert top == [int(np.argmax(rf.predict_proba(data.data[60:61])))]
    assert len(exp.as_list(label=top[0])) == 2
    assert exp.top_labels == top

    exp = explainer.explain_instance(data.data[60], rf.predict_proba, labels=(0, 2),
                                     num_features=3, num_samples=N)
    assert list(exp.as_map()) == [0, 2]
    assert exp.available_labels() == [0, 2]
    assert exp.top_labels is None
    assert all(len(v) == 3 for v in exp.as_map().values())
    with pytest.raises(KeyError, match="not explained"):
        exp.as_list(label=1)
    np.testing.assert_allclose(exp.predict_proba, rf.predict_proba(data.data[60:61])[0])
    assert isinstance(exp.predict_proba, np.ndarray)
    assert exp.class_names == list(data.target_names)
    # lime keeps the *last* label's score and local prediction; every label's is kept too
    assert exp.score == exp.score_per_label[2]
    assert isinstance(exp.score, float)
    assert isinstance(exp.local_pred, np.ndarray) and exp.local_pred.shape == (1,)
    assert exp.local_pred[0] == exp.local_pred_per_label[2]
    assert set(exp.intercept) == {0, 2}
    assert exp.mode == "classification"


def test_top_labels_order_like_lime(iris):
    data, rf = iris
    row = data.data[70]
    ours = LimeTabularExplainer(data.data, random_state=1).explain_instance(
        row, rf.predict_proba, top_labels=3, num_features=2, num_samples=N)
    theirs = lime_tabular.LimeTabularExplainer(data.data, random_state=1).explain_instance(
        row, rf.predict_proba, top_labels=3, num_features=2, num_samples=N)
    assert ours.top_labels == [int(k) for k in theirs.top_labels]
    assert ours.available_labels() == [int(k) for k in theirs.available_labels()]
    # lime fits the least probable label first, so local_exp lists labels in that order
    assert list(ours.local_exp) == [int(k) for k in theirs.local_exp]
    assert ours.score == ours.score_per_label[ours.top_labels[0]]


def test_breast_cancer_script(cancer):
    data, rf = cancer
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     class_names=data.target_names, random_state=0)
    exp = explainer.explain_instance(data.data[3], rf.predict_proba, num_features=5,
                                     num_samples=N)
    items = exp.as_list()
    assert len(items) == 5
    assert all(isinstance(n, str) and isinstance(w, float) for n, w in items)
    weights = [abs(w) for _, w in items]
    assert weights == sorted(weights, reverse=True)
    assert exp.as_map()[1] == [(i, w) for i, w in exp.local_exp[1]]
    assert isinstance(exp.native, limekit.Explanation)


def test_default_names_and_num_features_clipped(iris):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, random_state=0)
    assert explainer.feature_names == ["0", "1", "2", "3"]
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, labels=(0,),
                                     num_features=50, num_samples=N)
    assert len(exp.as_list(label=0)) == 4  # clipped to the number of features, like lime
    assert exp.class_names == ["0", "1", "2"]


def test_categorical_names_match_lime(categorical):
    X, y, model, names = categorical
    kwargs = dict(feature_names=["a", "color", "b", "size"], categorical_features=[1, 3],
                  categorical_names=names, class_names=["no", "yes"], random_state=3)
    row = X[5]
    for discretize in (True, False):
        ours = LimeTabularExplainer(X, discretize_continuous=discretize, **kwargs)
        theirs = lime_tabular.LimeTabularExplainer(X, discretize_continuous=discretize, **kwargs)
        assert ours.categorical_features == theirs.categorical_features
        e1 = ours.explain_instance(row, model.predict_proba, num_features=4, num_samples=N)
        e2 = theirs.explain_instance(row, model.predict_proba, num_features=4, num_samples=N)
        assert e1.domain_mapper.feature_names == e2.domain_mapper.feature_names
        assert e1.domain_mapper.feature_values == e2.domain_mapper.feature_values
        assert (e1.domain_mapper.discretized_feature_names
                == e2.domain_mapper.discretized_feature_names)
        assert {n for n, _ in e1.as_list()} == {n for n, _ in e2.as_list()}
        color = names[1][int(row[1])]
        assert f"color={color}" in dict(e1.as_list())
        # the native explanation (HTML, plots) shows the same names
        assert f"color={color}" in e1.native.feature_descriptions


def test_categorical_names_without_entry_raise(categorical):
    X, _, model, _ = categorical
    explainer = LimeTabularExplainer(X, categorical_features=[1], categorical_names={1: ["r"]},
                                     random_state=0)
    row = X[np.flatnonzero(X[:, 1] == 2)[0]]
    with pytest.raises(ValueError, match=r"categorical_names\[1\]"):
        explainer.explain_instance(row, model.predict_proba, num_samples=N)


@pytest.mark.parametrize("discretizer", ["quartile", "decile", "entropy"])
def test_discretizer_bins_and_names_match_lime(cancer, discretizer):
    data, rf = cancer
    kwargs = dict(feature_names=data.feature_names, training_labels=data.target,
                  discretizer=discretizer, random_state=0)
    ours = LimeTabularExplainer(data.data, **kwargs)
    theirs = lime_tabular.LimeTabularExplainer(data.data, **kwargs)
    assert ours.discretizer.names == theirs.discretizer.names
    assert sorted(ours.discretizer.lambdas) == sorted(theirs.discretizer.lambdas)
    np.testing.assert_array_equal(ours.discretizer.discretize(data.data[:20]),
                                  theirs.discretizer.discretize(data.data[:20]))
    e1 = ours.explain_instance(data.data[7], rf.predict_proba, num_features=30, num_samples=N)
    e2 = theirs.explain_instance(data.data[7], rf.predict_proba, num_features=30, num_samples=N)
    assert {n for n, _ in e1.as_list()} == {n for n, _ in e2.as_list()}
    assert (e1.domain_mapper.discretized_feature_names
            == e2.domain_mapper.discretized_feature_names)


def test_entropy_needs_labels(cancer):
    data, _ = cancer
    with pytest.raises(ValueError, match="training_labels"):
        LimeTabularExplainer(data.data, discretizer="entropy")


def test_continuous_mode(cancer):
    data, rf = cancer
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     discretize_continuous=False, random_state=0)
    lime_explainer = lime_tabular.LimeTabularExplainer(
        data.data, feature_names=data.feature_names, discretize_continuous=False)
    assert explainer.discretizer is None
    assert explainer.categorical_features == lime_explainer.categorical_features == []
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, num_features=6,
                                     num_samples=N)
    assert {n for n, _ in exp.as_list()} <= set(data.feature_names)
    assert exp.domain_mapper.discretized_feature_names is None
    assert exp.native.settings["discretizer"] is None


def test_sample_around_instance(cancer):
    data, rf = cancer
    a = LimeTabularExplainer(data.data, discretize_continuous=False, random_state=0,
                             sample_around_instance=True)
    assert a.native.sampler.sample_around_instance is True
    exp = a.explain_instance(data.data[0], rf.predict_proba, num_samples=N)
    assert exp.native.settings["sample_around_instance"] is True


def test_kernel_callable_and_kernel_fn(iris):
    data, rf = iris
    calls = []

    def kernel(d, kernel_width):
        calls.append(kernel_width)
        return np.sqrt(np.exp(-(d ** 2) / kernel_width ** 2))

    ours = LimeTabularExplainer(data.data, kernel=kernel, kernel_width=1.5, random_state=0)
    theirs = lime_tabular.LimeTabularExplainer(data.data, kernel=kernel, kernel_width=1.5)
    d = np.linspace(0, 3, 7)
    np.testing.assert_allclose(ours.kernel_fn(d), theirs.base.kernel_fn(d))
    calls.clear()
    exp = ours.explain_instance(data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    assert calls == [1.5]
    # the default kernel is lime's
    default = LimeTabularExplainer(data.data)
    lime_default = lime_tabular.LimeTabularExplainer(data.data)
    np.testing.assert_allclose(default.kernel_fn(d), lime_default.base.kernel_fn(d))
    # a flat kernel gives every sample the same weight: the explanation changes
    flat = LimeTabularExplainer(data.data, kernel=lambda d, kernel_width: np.ones_like(d),
                                random_state=0)
    exp_flat = flat.explain_instance(data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    assert exp_flat.as_list(label=0) != exp.as_list(label=0)


def test_distance_metric_names(iris):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, random_state=0)
    for metric in ("manhattan", "cosine", "l2"):
        exp = explainer.explain_instance(data.data[0], rf.predict_proba, labels=(0,),
                                         num_samples=N, distance_metric=metric)
        assert len(exp.as_list(label=0)) == 4


def test_model_regressor_lasso(cancer):
    data, rf = cancer
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     random_state=0)
    ridge = explainer.explain_instance(data.data[0], rf.predict_proba, num_features=5,
                                       num_samples=N)
    lasso = Lasso(alpha=0.01)
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, num_features=5,
                                     num_samples=N, model_regressor=lasso)
    assert "Lasso" in exp.native.settings["surrogate"]
    assert len(exp.as_list()) == 5
    assert exp.as_list() != ridge.as_list()
    # same samples and selected features, only the final fit differs
    assert {n for n, _ in exp.as_list()} == {n for n, _ in ridge.as_list()}
    # the explainer keeps its own surrogate
    again = explainer.explain_instance(data.data[0], rf.predict_proba, num_features=5,
                                       num_samples=N)
    assert again.as_list() == ridge.as_list()


@pytest.mark.parametrize("selection", ["forward_selection", "highest_weights", "lasso_path",
                                       "none", "auto"])
def test_feature_selection_options(iris, selection):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, feature_selection=selection, random_state=0)
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, labels=(0,),
                                     num_features=2, num_samples=N)
    n = len(exp.as_list(label=0))
    assert n == 4 if selection == "none" else n <= 2


def test_verbose_prints_like_lime(iris, capsys):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, verbose=True, random_state=0)
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, labels=(0, 1),
                                     num_samples=N)
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["Intercept", "Prediction_local", "Right:"] * 2
    assert out[0] == f"Intercept {exp.intercept[0]}"


# ------------------------------------------------------------------ regression
def test_regression_script(diabetes):
    data, lr = diabetes
    explainer = LimeTabularExplainer(data.data, mode="regression",
                                     feature_names=data.feature_names, random_state=0)
    exp = explainer.explain_instance(data.data[0], lr.predict, num_features=5, num_samples=N)
    assert exp.mode == "regression"
    assert list(exp.as_map()) == [0, 1]
    assert exp.local_exp[0] == [(i, -w) for i, w in exp.local_exp[1]]
    assert exp.as_list() == exp.as_list(label=0) == exp.as_list(label=1)
    assert [w for _, w in exp.as_list()] == [w for _, w in exp.local_exp[1]]
    assert exp.intercept[0] == exp.intercept[1]
    assert exp.dummy_label == 1
    assert exp.class_names == ["negative", "positive"]
    assert exp.predicted_value == pytest.approx(lr.predict(data.data[:1])[0])
    assert exp.min_value <= exp.predicted_value <= exp.max_value
    assert exp.min_value < exp.max_value
    assert isinstance(exp.score, float) and exp.local_pred.shape == (1,)
    assert exp.score_per_label[1] == exp.score
    assert not hasattr(exp, "predict_proba")
    with pytest.raises(NotImplementedError):
        exp.available_labels()
    # a column output is explained like lime does (its first column)
    exp2 = explainer.explain_instance(data.data[0], lambda X: lr.predict(X)[:, None],
                                      num_features=5, num_samples=N)
    assert exp2.as_list() == exp.as_list()


def test_regression_linear_model_recovers_coefficients(diabetes):
    """Continuous mode on a linear model: weights are coef × training std (exact)."""
    data, lr = diabetes
    explainer = LimeTabularExplainer(data.data, mode="regression", discretize_continuous=False,
                                     random_state=0)
    exp = explainer.explain_instance(data.data[10], lr.predict, num_features=10,
                                     num_samples=2000, model_regressor=LinearRegression())
    got = dict(exp.as_map()[1])
    expected = lr.coef_ * data.data.std(axis=0)
    np.testing.assert_allclose([got[j] for j in range(10)], expected, rtol=1e-6)
    assert exp.score == pytest.approx(1.0)


# ------------------------------------------------------------------ recurrent
def test_recurrent_explainer_matches_lime_layout():
    rng = np.random.default_rng(0)
    n, timesteps, features = 300, 4, 3
    cube = rng.normal(size=(n, timesteps, features))
    y = (cube[:, -1, 0] + 0.5 * cube[:, 0, 2] > 0).astype(int)
    flat_model = LogisticRegression().fit(cube.reshape(n, -1), y)

    def predict_3d(X3):
        assert X3.ndim == 3 and X3.shape[1:] == (timesteps, features)
        return flat_model.predict_proba(X3.reshape(X3.shape[0], -1))

    names = ["temp", "wind", "rain"]
    ours = RecurrentTabularExplainer(cube, training_labels=y, feature_names=names,
                                     class_names=["dry", "wet"], random_state=0)
    theirs = lime_tabular.RecurrentTabularExplainer(cube, training_labels=y, feature_names=names,
                                                    class_names=["dry", "wet"], random_state=0)
    assert ours.feature_names == theirs.feature_names
    assert ours.feature_names[:4] == ["temp_t-3", "temp_t-2", "temp_t-1", "temp_t-0"]
    assert ours.discretizer.names == theirs.discretizer.names
    e1 = ours.explain_instance(cube[1], predict_3d, num_features=12, num_samples=N)
    e2 = theirs.explain_instance(cube[1], predict_3d, num_features=12, num_samples=N)
    assert {k for k, _ in e1.as_list()} == {k for k, _ in e2.as_list()}
    np.testing.assert_allclose(e1.predict_proba, e2.predict_proba)
    top = e1.as_list()[0][0]
    assert "temp_t-0" in top or "rain_t-3" in top
    assert pickle.loads(pickle.dumps(ours)).explain_instance(
        cube[1], predict_3d, num_features=12, num_samples=N).as_list() == e1.as_list()
    with pytest.raises(ValueError, match="shape"):
        ours.explain_instance(cube[1].T, predict_3d)


# ------------------------------------------------------------------ explanation object
def test_as_pyplot_figure(iris):
    if matplotlib is None:  # pragma: no cover
        pytest.skip("matplotlib not installed")
    data, rf = iris
    exp = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                               class_names=data.target_names, random_state=0).explain_instance(
        data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    fig = exp.as_pyplot_figure(label=0)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "setosa" in ax.get_title()
    assert len(ax.patches) == len(exp.as_list(label=0))
    plt.close(fig)
    with pytest.raises(KeyError):
        exp.as_pyplot_figure(label=2)


def test_as_html_is_script_free_and_escaped(iris, tmp_path):
    data, rf = iris
    names = ["<b>bold</b>", "x & y", '"quoted"', "<script>alert(1)</script>"]
    explainer = LimeTabularExplainer(data.data, feature_names=names,
                                     class_names=["<i>setosa</i>", "versicolor", "virginica"],
                                     random_state=0)
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, top_labels=2,
                                     num_samples=N)
    page = exp.as_html()
    assert "<script" not in page.lower()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<i>setosa</i>" not in page and "&lt;i&gt;setosa&lt;/i&gt;" in page
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "Prediction probabilities" in page
    assert "Prediction probabilities" not in exp.as_html(predict_proba=False)
    assert exp.as_html(labels=[exp.top_labels[0]], show_table=False).count(
        "Local explanation for class") == 1
    with pytest.raises(TypeError, match="unexpected"):
        exp.as_html(not_an_option=True)
    path = tmp_path / "exp.html"
    exp.save_to_file(str(path))
    assert path.read_text(encoding="utf-8") == page
    assert exp.as_html() == page  # rendering is pure (lime's consumes its RNG)


def test_regression_html(diabetes):
    data, lr = diabetes
    exp = LimeTabularExplainer(data.data, mode="regression", random_state=0).explain_instance(
        data.data[0], lr.predict, num_samples=N)
    page = exp.as_html()
    assert "Predicted value" in page and "<script" not in page
    assert "Predicted value" not in exp.as_html(show_predicted_value=False)


def test_show_in_notebook(iris, monkeypatch):
    data, rf = iris
    exp = LimeTabularExplainer(data.data, random_state=0).explain_instance(
        data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    shown = []
    display_mod = types.ModuleType("IPython.display")
    display_mod.HTML = lambda text: ("HTML", text)
    display_mod.display = shown.append
    ipython = types.ModuleType("IPython")
    ipython.display = display_mod
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_mod)
    exp.show_in_notebook()
    assert len(shown) == 1 and shown[0][0] == "HTML"
    assert shown[0][1].startswith('<div class="limekit">') and "<script" not in shown[0][1]


def test_show_in_notebook_without_ipython(iris, monkeypatch):
    data, rf = iris
    exp = LimeTabularExplainer(data.data, random_state=0).explain_instance(
        data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    with pytest.raises(ImportError, match="IPython"):
        exp.show_in_notebook()


def test_domain_mapper(iris):
    data, rf = iris
    exp = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                               random_state=0).explain_instance(
        data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    dm = exp.domain_mapper
    assert isinstance(dm, TableDomainMapper)
    assert dm.feature_names == list(data.feature_names)
    assert dm.feature_values == ["%.2f" % v for v in data.data[0]]  # noqa: UP031
    assert dm.map_exp_ids(exp.local_exp[0]) == [
        (dm.discretized_feature_names[i], w) for i, w in exp.local_exp[0]]
    # an explanation built from a native one alone gets an equivalent mapper
    rebuilt = compat_explanation.Explanation(exp.native)
    assert rebuilt.as_list(label=0) == exp.as_list(label=0)


# ------------------------------------------------------------------ determinism and pickling
def test_determinism(cancer):
    data, rf = cancer
    row = data.data[11]

    def run(explainer):
        return explainer.explain_instance(row, rf.predict_proba, num_features=5,
                                          num_samples=N).as_list()

    a = LimeTabularExplainer(data.data, random_state=7)
    b = LimeTabularExplainer(data.data, random_state=7)
    first = run(a)
    assert run(b) == first
    assert run(a) == first  # lime's second call on the same explainer differs
    lime_explainer = lime_tabular.LimeTabularExplainer(data.data, random_state=7)
    lime_first = run(lime_explainer)
    assert run(lime_explainer) != lime_first  # the lime behaviour limekit fixes
    assert run(LimeTabularExplainer(data.data, random_state=8)) != first


def test_random_state_object_converted_once(iris):
    data, rf = iris
    a = LimeTabularExplainer(data.data, random_state=np.random.RandomState(5))
    b = LimeTabularExplainer(data.data, random_state=np.random.RandomState(5))
    assert isinstance(a.random_state, int) and a.random_state == b.random_state
    ea = a.explain_instance(data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    eb = b.explain_instance(data.data[0], rf.predict_proba, labels=(0,), num_samples=N)
    assert ea.as_list(label=0) == eb.as_list(label=0)
    # random_state=None draws the seed from NumPy's global generator, as lime does
    np.random.seed(3)  # noqa: NPY002 - lime scripts seed the global generator
    first = LimeTabularExplainer(data.data).random_state
    np.random.seed(3)  # noqa: NPY002 - lime scripts seed the global generator
    assert isinstance(first, int) and LimeTabularExplainer(data.data).random_state == first
    with pytest.raises(ValueError, match="random_state"):
        LimeTabularExplainer(data.data, random_state="seed")


def test_pickle_explainer_and_explanation(cancer):
    data, rf = cancer
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     class_names=data.target_names, random_state=0)
    exp = explainer.explain_instance(data.data[2], rf.predict_proba, num_features=4,
                                     num_samples=N)
    restored = pickle.loads(pickle.dumps(explainer))
    again = restored.explain_instance(data.data[2], rf.predict_proba, num_features=4,
                                      num_samples=N)
    assert again.as_list() == exp.as_list()
    exp2 = pickle.loads(pickle.dumps(exp))
    assert exp2.as_list() == exp.as_list()
    assert exp2.as_map() == exp.as_map()
    assert exp2.intercept == exp.intercept and exp2.score == exp.score
    np.testing.assert_array_equal(exp2.predict_proba, exp.predict_proba)
    assert exp2.native == exp.native
    assert exp2.as_html() == exp.as_html()


# ------------------------------------------------------------------ formerly unsupported inputs
def test_lime_inputs_once_rejected_are_accepted(iris):
    from lime.discretize import QuartileDiscretizer

    data, rf = iris
    # lime's own discretizer object: its bins are used
    disc = QuartileDiscretizer(data.data, [], ["a", "b", "c", "d"], random_state=1)
    explainer = LimeTabularExplainer(data.data, discretizer=disc, random_state=0)
    assert explainer.discretizer is disc
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, num_samples=N)
    assert {name for name, _ in exp.as_list()} <= {n for names in disc.names.values()
                                                    for n in names}
    # a discretizer instance is irrelevant when nothing is discretized
    LimeTabularExplainer(data.data, discretizer=disc, discretize_continuous=False)
    with pytest.raises(Exception, match="Missing keys"):
        LimeTabularExplainer(data.data, training_data_stats={"means": {}})
    with pytest.raises(ValueError, match="Discretizer"):
        LimeTabularExplainer(data.data, discretizer="octile")


def test_integer_training_data_is_treated_as_float():
    """lime computes in floats: an int array must not make samples integral."""
    rng = np.random.default_rng(1)
    X = rng.integers(0, 100, size=(300, 3))
    seen = []

    def model(Z):
        seen.append(Z)
        p = 1 / (1 + np.exp(-(Z[:, 0] - 50) / 10))
        return np.column_stack([1 - p, p])

    LimeTabularExplainer(X, random_state=0).explain_instance(X[0], model, num_samples=N)
    assert seen[0].dtype == float
    assert not np.all(seen[0] == np.round(seen[0]))
