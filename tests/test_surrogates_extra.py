"""Non-default surrogates (MARS, tree, Bayesian ridge, Lasso) against known truths."""

import json

import numpy as np
import pytest

from limekit.surrogates import RidgeSurrogate, WeightedDesign
from limekit.surrogates.bayes import BayesianRidgeSurrogate
from limekit.surrogates.lasso import LassoSurrogate
from limekit.surrogates.mars import MarsModel, MarsSurrogate
from limekit.surrogates.tree import TreeSurrogate


def design(X, y, w=None):
    X = np.asarray(X, dtype=float)
    w = np.ones(len(X)) if w is None else np.asarray(w, dtype=float)
    return WeightedDesign(X, np.asarray(y, dtype=float)[:, None], w)


def fit_all(surrogate, X, y, w=None, features=None):
    d = design(X, y, w)
    S = np.arange(X.shape[1]) if features is None else np.asarray(features)
    return surrogate.fit(d, 0, S, d.X[0]), d


def assert_linear_identity(fit, z0):
    assert fit.intercept + fit.coef @ z0[fit.features] == pytest.approx(fit.local_pred, abs=1e-9)


# ---------------------------------------------------------------------- MARS
def test_mars_recovers_planted_hinge():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(500, 3))
    X[0] = [0.7, 0.5, 0.5]
    y = 3.0 * np.maximum(0.0, X[:, 0] - 0.3) + 0.05 * rng.normal(size=500)
    fit, d = fit_all(MarsSurrogate(), X, y)
    knots = [t for term in fit.details["basis"] for f, s, t in term if f == 0 and s != 0]
    assert knots and min(abs(t - 0.3) for t in knots) < 0.05
    assert fit.coef[0] == pytest.approx(3.0, rel=0.05)
    assert np.all(np.abs(fit.coef[1:]) < 0.15)
    assert fit.score > 0.99
    assert_linear_identity(fit, d.X[0])
    # left of the knot the planted function is flat
    left = MarsSurrogate().fit(d, 0, np.arange(3), np.array([0.1, 0.5, 0.5]))
    assert abs(left.coef[0]) < 0.15


def test_mars_linear_target_gives_linear_coefficients():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(400, 3))
    beta = np.array([2.0, -1.0, 0.5])
    fit, _ = fit_all(MarsSurrogate(), X, 1.0 + X @ beta)
    np.testing.assert_allclose(fit.coef, beta, atol=1e-6)
    noisy, d = fit_all(MarsSurrogate(), X, 1.0 + X @ beta + 0.05 * rng.normal(size=400))
    ols = RidgeSurrogate(alpha=0.0).fit(d, 0, np.arange(3), d.X[0]).coef
    np.testing.assert_allclose(noisy.coef, ols, atol=0.1)


def test_mars_zero_weight_rows_are_ignored():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(400, 2))
    y = 3.0 * np.maximum(0.0, X[:, 0] - 0.4) + 0.02 * rng.normal(size=400)
    bad = np.arange(400) % 4 == 3
    y_corrupt = np.where(bad, 5.0 - 4.0 * X[:, 1], y)  # a different function on a quarter
    w = np.where(bad, 0.0, 1.0)
    weighted, d = fit_all(MarsSurrogate(), X, y_corrupt, w)
    subset, _ = fit_all(MarsSurrogate(), X[~bad], y_corrupt[~bad])
    grid = rng.uniform(size=(50, 2))
    np.testing.assert_allclose(MarsModel.from_details(weighted.details).predict(grid),
                               MarsModel.from_details(subset.details).predict(grid), atol=1e-9)
    unweighted, _ = fit_all(MarsSurrogate(), X, y_corrupt)
    assert abs(unweighted.coef[1]) > 0.5 > abs(weighted.coef[1])


def test_mars_weights_equal_duplicated_rows():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(300, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=300)
    counts = rng.integers(1, 4, size=300)
    counts[0] = 1
    mars = MarsSurrogate(minspan=3, prune=False)  # fixed lattice: n_eff differs
    weighted, _ = fit_all(mars, X, y, counts.astype(float))
    dup, _ = fit_all(mars, np.repeat(X, counts, axis=0), np.repeat(y, counts))
    # same knots (a hinge and its mirror span the same space once the linear
    # term is in, so which of the two is kept may differ by rounding)
    assert ({t for term in weighted.details["basis"] for _, _, t in term}
            == {t for term in dup.details["basis"] for _, _, t in term})
    grid = rng.uniform(size=(50, 3))
    np.testing.assert_allclose(MarsModel.from_details(weighted.details).predict(grid),
                               MarsModel.from_details(dup.details).predict(grid), atol=1e-8)
    np.testing.assert_allclose(weighted.coef, dup.coef, atol=1e-8)
    np.testing.assert_allclose(weighted.local_pred, dup.local_pred, atol=1e-8)


def test_mars_gcv_pruning_removes_noise_terms():
    forward_noise = pruned_noise = 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        X = rng.uniform(size=(800, 4))
        y = 2.0 * X[:, 0] + 0.3 * rng.normal(size=800)  # features 1..3 are pure noise
        d = design(X, y)
        kw = {"threshold": 0.0, "max_terms": 15}  # force the forward pass into the noise
        full = MarsSurrogate(prune=False, **kw).fit(d, 0, np.arange(4), d.X[0])
        pruned = MarsSurrogate(**kw).fit(d, 0, np.arange(4), d.X[0])

        def noise_terms(fit):
            return sum(any(f != 0 for f, _, _ in term) for term in fit.details["basis"])
        forward_noise += noise_terms(full)
        pruned_noise += noise_terms(pruned)
        assert pruned.coef[0] == pytest.approx(2.0, abs=0.15)
    assert forward_noise >= 40
    assert pruned_noise <= 0.1 * forward_noise


def test_mars_interaction_needs_degree_two():
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(600, 2))
    X[0] = [0.8, 0.3]
    y = 5.0 * np.maximum(0.0, X[:, 0] - 0.4) * np.maximum(0.0, 0.6 - X[:, 1])
    additive, _ = fit_all(MarsSurrogate(), X, y)
    fit, d = fit_all(MarsSurrogate(max_degree=2), X, y)
    assert any(len(term) == 2 for term in fit.details["basis"])
    assert fit.score > 0.99 > additive.score
    # ∂g/∂x0 = 5·(0.6 − x1) = 1.5 and ∂g/∂x1 = −5·(x0 − 0.4) = −2 at the instance
    np.testing.assert_allclose(fit.coef, [1.5, -2.0], rtol=0.1)
    assert_linear_identity(fit, d.X[0])


def test_mars_model_slopes_contributions_and_round_trip():
    model = MarsModel(terms=((), ((0, 1, 0.5),), ((0, -1, 0.5), (1, 0, 0.0))),
                      coef=np.array([1.0, 2.0, 3.0]))
    Z = np.array([[0.9, 2.0], [0.5, 1.0], [0.1, 1.0]])
    np.testing.assert_allclose(model.predict(Z), [1.8, 1.0, 2.2])
    # at the knot: mean of left (−3·x1 = −3) and right (2) slopes for x0
    np.testing.assert_allclose(model.slopes(Z[1], [0, 1]), [-0.5, 0.0])
    np.testing.assert_allclose(model.slopes(Z[2], [1, 0]), [1.2, -3.0])
    assert model.term_strings() == ["1", "max(0, x0 - 0.5)", "max(0, 0.5 - x0) * x1"]
    again = MarsModel.from_details(json.loads(json.dumps(model.to_details())))
    np.testing.assert_array_equal(again.predict(Z), model.predict(Z))
    with pytest.raises(ValueError, match="MARS model"):
        MarsModel.from_details({"kind": "tree"})
    with pytest.raises(ValueError, match="columns"):
        model.predict(np.zeros((2, 1)))


def test_mars_contributions_move_feature_to_its_mean():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(300, 2))
    y = 2.0 * X[:, 0] - X[:, 1]
    fit, d = fit_all(MarsSurrogate(), X, y)
    expected = np.array([2.0, -1.0]) * (d.X[0] - d.x_mean)
    np.testing.assert_allclose(fit.details["contributions"], expected, atol=1e-6)


# ---------------------------------------------------------------------- tree
def _holds(cond, X):
    name, op, thr = cond.split()
    x = X[:, int(name[1:])]
    return x <= float(thr) if op == "<=" else x > float(thr)


def test_tree_rules_are_weighted_leaf_means_and_saabas_sums():
    rng = np.random.default_rng(6)
    X = rng.integers(0, 3, size=(400, 3)).astype(float)
    X[0] = [2.0, 2.0, 0.0]
    y = 2.0 * (X[:, 1] > 0.5) + 1.0 * (X[:, 0] > 1.5) + 0.1 * rng.normal(size=400)
    w = rng.uniform(0.2, 1.0, size=400)
    fit, d = fit_all(TreeSurrogate(max_depth=3), X, y, w)
    rules = fit.details["rules"]
    assert sum(r["weight"] for r in rules) == pytest.approx(1.0)
    for rule in rules:  # brute force: each leaf is the weighted mean of its samples
        mask = np.all([_holds(c, X) for c in rule["conditions"]], axis=0)
        assert rule["value"] == pytest.approx(np.average(y[mask], weights=w[mask]))
        assert rule["weight"] == pytest.approx(w[mask].sum() / w.sum())
    assert all(_holds(c, X[:1])[0] for c in fit.details["path"])
    assert np.average(y, weights=w) == pytest.approx(fit.details["root_value"])
    assert fit.coef.sum() == pytest.approx(fit.local_pred - fit.details["root_value"])
    assert fit.local_pred == pytest.approx(3.0, abs=0.1)
    # brute-force Saabas: walk the path, crediting each change of the node mean
    expected, mask = np.zeros(3), np.ones(400, dtype=bool)
    for cond in fit.details["path"]:
        before = np.average(y[mask], weights=w[mask])
        mask &= _holds(cond, X)
        expected[int(cond.split()[0][1:])] += np.average(y[mask], weights=w[mask]) - before
    np.testing.assert_allclose(fit.coef, expected, atol=1e-9)
    assert fit.coef[2] == 0.0 and fit.coef[0] > 0.5 and fit.coef[1] > 0.5
    assert_linear_identity(fit, d.X[0])


def test_tree_saabas_hand_computed():
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]] * 5, dtype=float)
    y = np.array([4.0, 2.0, 1.0, 0.0] * 5)  # splits x0 first (gain), then x1
    fit, _ = fit_all(TreeSurrogate(max_depth=2, min_samples_leaf=1), X, y)
    # root 1.75 → x0 = 1: 3.0 → x1 = 1: 4.0
    np.testing.assert_allclose(fit.coef, [1.25, 1.0])
    assert fit.details["path"] == ["x0 > 0.5", "x1 > 0.5"]
    assert fit.intercept == pytest.approx(1.75)


# --------------------------------------------------------------------- bayes
@pytest.mark.parametrize("width", [None, 1.0, 0.5])
def test_bayes_credible_intervals_cover_at_nominal_rate(width):
    # with kernel weights too: the weights are rescaled to Kish's effective sample
    # size (scikit-learn's sample_weight semantics cover 0.998 at width 1, 0.71 at 0.5)
    beta = np.array([1.0, -2.0, 0.5])
    covered = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(50, 3))
        y = 0.3 + X @ beta + 0.5 * rng.normal(size=50)
        w = np.ones(50) if width is None else np.exp(-(X**2).sum(axis=1) / (2 * width**2))
        fit, _ = fit_all(BayesianRidgeSurrogate(), X, y, w)
        lo, hi = np.array(fit.details["lower"]), np.array(fit.details["upper"])
        covered.append((lo <= beta) & (beta <= hi))
    assert 0.88 <= np.mean(covered) <= 0.99


def test_bayes_matches_sklearn_bayesian_ridge_with_equal_weights():
    from sklearn.linear_model import BayesianRidge

    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + 0.7 * rng.normal(size=40) + 3.0
    fit, _ = fit_all(BayesianRidgeSurrogate(tol=1e-10, max_iter=1000), X, y)
    ref = BayesianRidge(tol=1e-10, max_iter=1000).fit(X, y)
    # (limekit runs the evidence updates in standardised units, so the nearly flat
    # Gamma hyperpriors act slightly differently: agreement to ~1e-6, not 1e-12)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-5)
    np.testing.assert_allclose(fit.details["std"], np.sqrt(np.diag(ref.sigma_)), rtol=1e-5)
    assert fit.details["noise_precision"] == pytest.approx(ref.alpha_, rel=1e-5)
    assert fit.intercept == pytest.approx(ref.intercept_, rel=1e-5)
    # and, unlike BayesianRidge, it is equivariant to the target's scale
    big, _ = fit_all(BayesianRidgeSurrogate(tol=1e-10, max_iter=1000), X, 1e6 * y)
    np.testing.assert_allclose(big.coef, 1e6 * fit.coef, rtol=1e-8)
    np.testing.assert_allclose(big.details["std"], 1e6 * np.array(fit.details["std"]),
                               rtol=1e-8)


def test_bayes_known_hyperparameters_are_ridge():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(30, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=30)
    fit, d = fit_all(BayesianRidgeSurrogate(alpha_init=4.0, prior_precision=2.0,
                                            fit_hyper=False), X, y)
    ridge = RidgeSurrogate(alpha=0.5).fit(d, 0, np.arange(3), d.X[0])
    np.testing.assert_allclose(fit.coef, ridge.coef, rtol=1e-10)
    assert fit.details["noise_precision"] == 4.0 and fit.details["prior_precision"] == 2.0


def test_bayes_informative_prior_pulls_towards_prior_with_few_samples():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(5, 2))
    y = X @ [1.0, 1.0] + 0.3 * rng.normal(size=5)
    prior = BayesianRidgeSurrogate(prior_mean=[3.0, 3.0], prior_precision=100.0)
    strong, _ = fit_all(prior, X, y)
    default, _ = fit_all(BayesianRidgeSurrogate(), X, y)
    assert np.all(np.abs(strong.coef - 3.0) < 0.2)
    assert np.all(np.abs(default.coef - 1.0) < np.abs(strong.coef - 1.0))
    # with many samples the data win
    X = rng.normal(size=(2000, 2))
    y = X @ [1.0, 1.0] + 0.3 * rng.normal(size=2000)
    many, _ = fit_all(prior, X, y)
    np.testing.assert_allclose(many.coef, [1.0, 1.0], atol=0.1)


def test_bayes_per_feature_prior_is_indexed_by_feature():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(6, 3))
    y = rng.normal(size=6)
    prior = BayesianRidgeSurrogate(prior_mean=[5.0, -5.0, 0.0],
                                   prior_precision=[1e6, 1e6, 1e6])
    fit, _ = fit_all(prior, X, y, features=[1, 0])
    np.testing.assert_allclose(fit.coef, [-5.0, 5.0], atol=1e-3)
    assert fit.details["prior_precision"] == [1e6, 1e6]
    with pytest.raises(ValueError, match="one value per feature"):
        fit_all(BayesianRidgeSurrogate(prior_mean=[1.0, 2.0]), X, y)


# --------------------------------------------------------------------- lasso
def test_lasso_weights_equal_duplicated_rows_and_sparsity():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(150, 4))
    y = 2.0 * X[:, 0] - 1.0 * X[:, 1] + 0.1 * rng.normal(size=150)
    counts = rng.integers(1, 4, size=150)
    lasso = LassoSurrogate(alpha=0.05, tol=1e-10)
    weighted, _ = fit_all(lasso, X, y, counts.astype(float))
    dup, _ = fit_all(lasso, np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coef, dup.coef, atol=1e-6)
    assert weighted.intercept == pytest.approx(dup.intercept, abs=1e-6)
    assert weighted.coef[2] == weighted.coef[3] == 0.0
    assert weighted.details["n_nonzero"] == 2
    # the L1 penalty shrinks: weaker than least squares, by about alpha / variance
    assert 1.85 < weighted.coef[0] < 2.0


# -------------------------------------------------------------- all of them
SURROGATES = [MarsSurrogate(), MarsSurrogate(max_degree=2), TreeSurrogate(),
              BayesianRidgeSurrogate(), LassoSurrogate()]
IDS = ["mars", "mars2", "tree", "bayes", "lasso"]


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
def test_constant_target_gives_zero_weights(surrogate):
    rng = np.random.default_rng(12)
    X = rng.uniform(size=(100, 3))
    fit, d = fit_all(surrogate, X, np.full(100, 0.7))
    np.testing.assert_allclose(fit.coef, 0.0, atol=1e-6)
    assert fit.local_pred == pytest.approx(0.7)
    assert fit.score == 1.0
    assert_linear_identity(fit, d.X[0])
    json.dumps(fit.details, allow_nan=False)


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
def test_constant_column_and_empty_selection(surrogate):
    rng = np.random.default_rng(13)
    X = rng.uniform(size=(200, 3))
    X[:, 1] = 1.0
    y = 2.0 * X[:, 0] + 0.01 * rng.normal(size=200)
    fit, d = fit_all(surrogate, X, y)
    assert np.all(np.isfinite(fit.coef)) and fit.coef[1] == pytest.approx(0.0, abs=1e-9)
    assert np.isfinite([fit.intercept, fit.score, fit.local_pred]).all()
    assert_linear_identity(fit, d.X[0])
    empty = surrogate.fit(d, 0, np.zeros(0, dtype=int), d.X[0])
    assert empty.coef.shape == (0,) and empty.local_pred == pytest.approx(d.y_mean[0])
    assert empty.score == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
def test_details_are_plain_json_and_fits_deterministic(surrogate):
    rng = np.random.default_rng(14)
    X = rng.normal(size=(300, 4))
    y = np.tanh(X[:, 0]) + 0.5 * X[:, 1] * (X[:, 2] > 0)
    w = np.exp(-(X**2).sum(axis=1) / 4)
    fit, d = fit_all(surrogate, X, y, w, features=[2, 0, 1])
    assert json.loads(json.dumps(fit.details, allow_nan=False)) == fit.details

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or type(v) in (str, float, int, bool)
    assert plain(fit.details)
    assert fit.details["kind"] in ("mars", "tree", "bayes", "lasso")
    assert list(fit.features) == [2, 0, 1] and fit.coef.shape == (3,)
    assert_linear_identity(fit, d.X[0])
    again = surrogate.fit(d, 0, np.array([2, 0, 1]), d.X[0])
    np.testing.assert_array_equal(again.coef, fit.coef)
    assert again.details == fit.details
    assert type(surrogate).__name__ in repr(surrogate)


@pytest.mark.parametrize("cls, kwargs, exc", [
    (MarsSurrogate, {"max_terms": 0}, ValueError),
    (MarsSurrogate, {"max_degree": 1.5}, TypeError),
    (MarsSurrogate, {"penalty": -1}, ValueError),
    (MarsSurrogate, {"endspan": 0.5}, ValueError),
    (MarsSurrogate, {"min_support": 1.0}, ValueError),
    (MarsSurrogate, {"minspan": 0}, ValueError),
    (MarsSurrogate, {"prune": "yes"}, TypeError),
    (TreeSurrogate, {"max_depth": 0}, ValueError),
    (TreeSurrogate, {"min_samples_leaf": 1.5}, ValueError),
    (TreeSurrogate, {"min_samples_leaf": "5"}, TypeError),
    (BayesianRidgeSurrogate, {"credible_level": 1.0}, ValueError),
    (BayesianRidgeSurrogate, {"prior_precision": 0.0}, ValueError),
    (BayesianRidgeSurrogate, {"prior_mean": [[1.0]]}, ValueError),
    (BayesianRidgeSurrogate, {"prior_mean": [np.nan]}, ValueError),
    (BayesianRidgeSurrogate, {"fit_hyper": False}, ValueError),
    (BayesianRidgeSurrogate, {"alpha_init": -1.0}, ValueError),
    (LassoSurrogate, {"alpha": 0.0}, ValueError),
    (LassoSurrogate, {"alpha": float("inf")}, ValueError),
    (LassoSurrogate, {"max_iter": True}, TypeError),
])
def test_invalid_parameters_raise(cls, kwargs, exc):
    with pytest.raises(exc, match=next(iter(kwargs))):
        cls(**kwargs)


# ------------------------------------------------------------ in an explainer
@pytest.mark.parametrize("surrogate", SURROGATES[:1] + SURROGATES[2:], ids=IDS[:1] + IDS[2:])
def test_tabular_explainer_with_surrogate(surrogate):
    kind = {"MarsSurrogate": "mars", "TreeSurrogate": "tree",
            "BayesianRidgeSurrogate": "bayes", "LassoSurrogate": "lasso"}
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    from limekit import Explanation, TabularExplainer

    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    explainer = TabularExplainer(X, mode="regression", discretizer=None, random_state=0,
                                 surrogate=surrogate)
    exp = explainer.explain(X[3], model, num_features=5, num_samples=1000)
    le = exp.label_explanations[0]
    assert len(le.weights) == 5
    assert np.isfinite([w for _, w in le.weights] + [le.intercept, le.score, le.local_pred]).all()
    assert le.details["kind"] == kind[type(surrogate).__name__]
    assert exp.settings["surrogate"] == repr(surrogate)
    assert Explanation.from_json(exp.to_json()) == exp
    z0 = (X[3] - X.mean(axis=0)) / X.std(axis=0)  # continuous mode: training z-scores
    linear = le.intercept + sum(w * z0[i] for i, w in le.weights)
    assert linear == pytest.approx(le.local_pred, abs=1e-8)
