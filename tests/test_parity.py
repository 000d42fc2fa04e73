"""Parity with lime 0.2.0.1: the acceptance test for ``limekit.compat``.

The same rows are explained by ``lime.lime_tabular.LimeTabularExplainer`` and
by ``limekit.compat.lime_tabular.LimeTabularExplainer``, each over several
seeds with lime's defaults (5000 samples). Each feature's weight is averaged
over the seeds (zero when a seed did not select it) and the two averaged
vectors must agree:

* Pearson correlation >= 0.95, and
* the same top-5 features (by |averaged weight|), as sets, up to ties.

The two libraries draw different random numbers, so the averages carry
sampling noise (their standard error is measured from the seeds). Often the
5th and 6th features are closer than that noise: for logistic regression on
breast_cancer, for instance, they differ by 1-2% and lime's own top-5 changes
between two sets of 5 seeds. Requiring identical sets there would test the
random numbers, not the method. So a feature may be in one library's top 5
and not the other's only if the other library ranks it at the rank-5
boundary within ``TIE_Z`` standard errors (:func:`assert_top_k_agree`);
where the boundary is clear, the sets must be identical.

Discretized feature descriptions (``'worst area > 1084.00'``) must be
character-for-character lime's.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from limekit.compat import lime_tabular as kit_tabular

lime_tabular = pytest.importorskip("lime.lime_tabular")

SEEDS = tuple(range(5))
NUM_SAMPLES = 5000
CANCER_ROWS = (0, 100, 300)
DIABETES_ROWS = (0, 50, 150)
MIN_CORRELATION = 0.95
TOP_K = 5
#: A rank-5 disagreement counts as a tie when the feature's averaged |weight|
#: is within this many standard errors of the other library's rank-5 boundary.
TIE_Z = 3.0


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer()
    X, y = data.data, data.target
    models = {
        "random_forest": RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y),
        "logistic": make_pipeline(StandardScaler(),
                                  LogisticRegression(max_iter=1000)).fit(X, y),
    }
    return data, models


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes()
    X, y = data.data, data.target
    models = {
        "linear": LinearRegression().fit(X, y),
        "random_forest": RandomForestRegressor(n_estimators=100, random_state=0).fit(X, y),
    }
    return data, models


# ------------------------------------------------------------------ helpers
def seed_weights(module, training_data, predict_fn, row, *, num_features: int,
                 label: int = 1, seeds=SEEDS, **explainer_kwargs) -> np.ndarray:
    """Per-seed weight vectors ``(n_seeds, n_features)``; zero where not selected."""
    out = np.zeros((len(seeds), training_data.shape[1]))
    for s, seed in enumerate(seeds):
        explainer = module.LimeTabularExplainer(training_data, random_state=seed,
                                                **explainer_kwargs)
        exp = explainer.explain_instance(row, predict_fn, labels=(label,),
                                         num_features=num_features, num_samples=NUM_SAMPLES)
        for j, w in exp.as_map()[label]:
            out[s, j] = w
    return out


def correlation(w_lime: np.ndarray, w_kit: np.ndarray) -> float:
    """Pearson correlation of the seed-averaged weight vectors."""
    return float(np.corrcoef(w_lime.mean(axis=0), w_kit.mean(axis=0))[0, 1])


def assert_top_k_agree(w_lime: np.ndarray, w_kit: np.ndarray, k: int = TOP_K) -> None:
    """The top-``k`` features by |averaged weight| agree as sets, up to ties.

    A feature may be in one library's top ``k`` and not the other's only when
    it is a statistical tie in the other: there its averaged |weight| is
    within ``TIE_Z`` standard errors (of the difference of the two seed
    averages) of the rank-``k`` boundary (the midpoint of the ``k``-th and
    ``k+1``-th largest |weight|).
    """
    a_lime, a_kit = np.abs(w_lime.mean(axis=0)), np.abs(w_kit.mean(axis=0))
    top_lime = set(np.argsort(-a_lime, kind="stable")[:k].tolist())
    top_kit = set(np.argsort(-a_kit, kind="stable")[:k].tolist())
    if top_lime == top_kit:
        return
    se = np.sqrt(w_lime.var(axis=0, ddof=1) / len(w_lime)
                 + w_kit.var(axis=0, ddof=1) / len(w_kit))

    def boundary(a):
        return float(np.sort(a)[::-1][k - 1 : k + 1].mean())

    for f, a_other, b_other in [(f, a_lime, boundary(a_lime)) for f in top_kit - top_lime] + [
            (f, a_kit, boundary(a_kit)) for f in top_lime - top_kit]:
        assert abs(a_other[f] - b_other) <= TIE_Z * se[f], (
            f"top-{k} differ (lime {sorted(top_lime)}, limekit {sorted(top_kit)}) and feature "
            f"{f} is not a tie at the other's boundary: "
            f"|w|={a_other[f]:.4g}, boundary {b_other:.4g}, s.e. {se[f]:.3g}"
        )


def compare(training_data, predict_fn, row, *, num_features: int,
            **explainer_kwargs) -> float:
    """Explain ``row`` with both libraries over the seeds, assert parity, return r."""
    w_lime = seed_weights(lime_tabular, training_data, predict_fn, row,
                          num_features=num_features, **explainer_kwargs)
    w_kit = seed_weights(kit_tabular, training_data, predict_fn, row,
                         num_features=num_features, **explainer_kwargs)
    r = correlation(w_lime, w_kit)
    assert r >= MIN_CORRELATION, f"correlation {r:.4f} < {MIN_CORRELATION}"
    assert_top_k_agree(w_lime, w_kit)
    return r


# ------------------------------------------------------------------ classification
@pytest.mark.parametrize("discretize", [True, False], ids=["discretized", "continuous"])
@pytest.mark.parametrize("model_name", ["random_forest", "logistic"])
def test_breast_cancer_parity(cancer, model_name, discretize):
    data, models = cancer
    model = models[model_name]
    for i in CANCER_ROWS:
        compare(data.data, model.predict_proba, data.data[i], num_features=10,
                feature_names=data.feature_names, discretize_continuous=discretize)


def test_forward_selection_parity(cancer):
    """num_features=5 makes lime's 'auto' use forward selection."""
    data, models = cancer
    for i in CANCER_ROWS:
        compare(data.data, models["random_forest"].predict_proba, data.data[i],
                num_features=5, feature_names=data.feature_names)


@pytest.mark.parametrize("selection", ["lasso_path", "highest_weights", "none"])
def test_feature_selection_parity(cancer, selection):
    data, models = cancer
    compare(data.data, models["random_forest"].predict_proba, data.data[CANCER_ROWS[0]],
            num_features=10, feature_names=data.feature_names,
            feature_selection=selection)


def test_discretized_descriptions_match_lime(cancer):
    data, models = cancer
    predict = models["random_forest"].predict_proba
    for i in CANCER_ROWS:
        row = data.data[i]
        kwargs = dict(feature_names=data.feature_names, random_state=0)
        ours = kit_tabular.LimeTabularExplainer(data.data, **kwargs).explain_instance(
            row, predict, num_features=30, num_samples=500)
        theirs = lime_tabular.LimeTabularExplainer(data.data, **kwargs).explain_instance(
            row, predict, num_features=30, num_samples=500)
        assert {d for d, _ in ours.as_list()} == {d for d, _ in theirs.as_list()}
        assert (ours.domain_mapper.discretized_feature_names
                == theirs.domain_mapper.discretized_feature_names)


def test_issue_example_description(cancer):
    data, models = cancer
    exp = kit_tabular.LimeTabularExplainer(
        data.data, feature_names=data.feature_names, random_state=0).explain_instance(
        data.data[0], models["random_forest"].predict_proba, num_features=30, num_samples=500)
    assert "worst area > 1084.00" in dict(exp.as_list())


# ------------------------------------------------------------------ regression
# 'sex' takes two values in diabetes. lime bins it into quartile bins of zero
# width and then undiscretizes those samples to 0 instead of the bin's value
# (a known lime defect that limekit does not copy), which changes that
# feature's weight; declared categorical, both libraries treat it identically.
@pytest.mark.parametrize("discretize", [True, False], ids=["discretized", "continuous"])
@pytest.mark.parametrize("model_name", ["linear", "random_forest"])
def test_diabetes_regression_parity(diabetes, model_name, discretize):
    data, models = diabetes
    for i in DIABETES_ROWS:
        compare(data.data, models[model_name].predict, data.data[i], num_features=5,
                mode="regression", feature_names=data.feature_names,
                categorical_features=[1], discretize_continuous=discretize)


# ------------------------------------------------------------------ the checks themselves
def test_top_k_check_accepts_ties_and_rejects_clear_swaps():
    rng = np.random.default_rng(0)
    base = np.array([10.0, 9.0, 8.0, 7.0, 6.0, 5.95, 1.0, 0.5])
    noise = 0.2 * rng.standard_normal((5, base.size))
    w_lime = base + noise
    tied = base.copy()
    tied[[4, 5]] = tied[[5, 4]]  # 5th and 6th swap: within noise
    assert_top_k_agree(w_lime, tied + noise[::-1])
    swapped = base.copy()
    swapped[[0, 7]] = swapped[[7, 0]]  # the strongest feature drops to last: a real error
    with pytest.raises(AssertionError, match="not a tie"):
        assert_top_k_agree(w_lime, swapped + noise[::-1])
    assert correlation(w_lime, swapped + noise[::-1]) < MIN_CORRELATION


# ------------------------------------------------------- lime's other input paths
def _seed_weights_with(make_explainer, predict_fn, row, num_features, label=1):
    out = None
    for s, seed in enumerate(SEEDS):
        exp = make_explainer(seed).explain_instance(row, predict_fn, labels=(label,),
                                                    num_features=num_features,
                                                    num_samples=NUM_SAMPLES)
        if out is None:
            out = np.zeros((len(SEEDS), len(exp.domain_mapper.feature_names)))
        for j, w in exp.as_map()[label]:
            out[s, j] = w
    return out


def _assert_parity(w_lime, w_kit):
    r = correlation(w_lime, w_kit)
    assert r >= MIN_CORRELATION, f"correlation {r:.4f} < {MIN_CORRELATION}"
    assert_top_k_agree(w_lime, w_kit)


@pytest.mark.parametrize("name", ["DecileDiscretizer", "EntropyDiscretizer"])
def test_discretizer_object_parity(cancer, name):
    """A discretizer object passed as ``discretizer=`` (lime's and compat's own classes)."""
    lime_discretize = pytest.importorskip("lime.discretize")
    from limekit.compat import discretize as kit_discretize

    data, models = cancer
    X, y = data.data, data.target
    predict = models["random_forest"].predict_proba

    def maker(module, discretize_module):
        def make(seed):
            disc = getattr(discretize_module, name)(X, [], list(data.feature_names), y,
                                                    random_state=seed)
            return module.LimeTabularExplainer(X, feature_names=data.feature_names,
                                               discretizer=disc, random_state=seed)
        return make

    row = X[CANCER_ROWS[1]]
    _assert_parity(_seed_weights_with(maker(lime_tabular, lime_discretize), predict, row, 10),
                   _seed_weights_with(maker(kit_tabular, kit_discretize), predict, row, 10))


def test_training_data_stats_parity(cancer):
    """Explainers built from summary statistics only (``training_data_stats``)."""
    lime_discretize = pytest.importorskip("lime.discretize")

    data, models = cancer
    X = data.data
    disc = lime_discretize.QuartileDiscretizer(X, [], list(data.feature_names), None,
                                               random_state=0)
    codes = disc.discretize(X)
    values = {j: sorted(set(codes[:, j].tolist())) for j in range(X.shape[1])}
    stats = {"means": disc.means, "stds": disc.stds, "mins": disc.mins, "maxs": disc.maxs,
             "bins": {j: q.tolist() for j, q in enumerate(disc.bins(X, None))},
             "feature_values": values,
             "feature_frequencies": {j: [int((codes[:, j] == v).sum()) for v in values[j]]
                                     for j in range(X.shape[1])}}
    predict = models["logistic"].predict_proba

    def maker(module):
        return lambda seed: module.LimeTabularExplainer(
            np.zeros((2, X.shape[1])), feature_names=data.feature_names,
            training_data_stats=stats, random_state=seed)

    row = X[CANCER_ROWS[2]]
    _assert_parity(_seed_weights_with(maker(lime_tabular), predict, row, 10),
                   _seed_weights_with(maker(kit_tabular), predict, row, 10))
