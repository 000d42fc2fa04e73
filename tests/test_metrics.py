"""limekit.metrics: hand-computed values, brute-force comparisons, planted truths, validation."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy.stats import entropy, kendalltau
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_squared_error, r2_score

from limekit import Explanation, LabelExplanation, TabularExplainer
from limekit.metrics import (
    attribution_matrix,
    attribution_vector,
    complexity,
    effective_sample_size,
    faithfulness_correlation,
    fidelity_scores,
    insertion_deletion,
    jaccard_at_k,
    kendall_tau,
    linear_surrogate_predict,
    local_lipschitz_estimate,
    max_sensitivity,
    sign_agreement,
    sparseness,
    stability_report,
)


def make_exp(weights_by_label, d, intercept=0.0, mode="classification"):
    """A hand-made Explanation: {label: [(feature, weight), ...]} over d features."""
    names = tuple(f"f{i}" for i in range(d))
    les = {lab: LabelExplanation(weights=tuple(w), intercept=intercept, score=1.0,
                                 local_pred=0.0)
           for lab, w in weights_by_label.items()}
    return Explanation(mode=mode, feature_names=names, feature_descriptions=names,
                       feature_values=tuple("0" for _ in names),
                       class_names=("a", "b", "c") if mode == "classification" else None,
                       label_explanations=les)


# ====================================================================== weights
def test_attribution_vector_from_explanation_fills_unselected_with_zero():
    exp = make_exp({2: [(3, -0.5), (0, 0.25)], 0: [(1, 1.0)]}, d=5)
    np.testing.assert_array_equal(attribution_vector(exp), [0.25, 0, 0, -0.5, 0])
    np.testing.assert_array_equal(attribution_vector(exp, label=0), [0, 1.0, 0, 0, 0])
    le = exp.label_explanations[0]
    np.testing.assert_array_equal(attribution_vector(le, n_features=5), [0, 1.0, 0, 0, 0])
    with pytest.raises(KeyError, match="label 1 was not explained"):
        attribution_vector(exp, label=1)
    with pytest.raises(ValueError, match="n_features"):
        attribution_vector(le)
    with pytest.raises(ValueError, match="n_features=4"):
        attribution_vector(exp, n_features=4)


def test_attribution_vector_and_matrix_validate_arrays():
    np.testing.assert_array_equal(attribution_vector([1, 2]), [1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        attribution_vector([[1.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        attribution_vector([1.0, np.nan])
    with pytest.raises(ValueError, match="empty"):
        attribution_vector([])
    with pytest.raises(TypeError, match="numeric"):
        attribution_vector(["a", "b"])
    assert attribution_matrix(np.ones(3)).shape == (1, 3)
    with pytest.raises(ValueError, match="different lengths"):
        attribution_matrix([[1.0, 2.0], [1.0]])
    with pytest.raises(ValueError, match="2-D"):
        attribution_matrix(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="empty"):
        attribution_matrix([])
    with pytest.raises(ValueError, match="different numbers of features"):
        attribution_matrix([make_exp({0: [(0, 1.0)]}, 3), make_exp({0: [(0, 1.0)]}, 4)])


# ===================================================================== fidelity
def test_fidelity_scores_hand_computed_and_match_sklearn_weighted():
    r = fidelity_scores([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 4.0])
    # SSE = 1, TSS = 5  =>  rmse = sqrt(1/4), r2 = 1 - 1/5
    assert r.rmse == pytest.approx(0.5) and r.r2 == pytest.approx(0.8)
    assert r.n == 4 and r.effective_n == pytest.approx(4.0)
    rng = np.random.default_rng(0)
    y, s, w = rng.normal(size=50), rng.normal(size=50), rng.uniform(size=50)
    r = fidelity_scores(y, s, sample_weight=w)
    assert r.rmse == pytest.approx(math.sqrt(mean_squared_error(y, s, sample_weight=w)))
    assert r.r2 == pytest.approx(r2_score(y, s, sample_weight=w))
    assert r.effective_n == pytest.approx(w.sum() ** 2 / (w @ w))
    # zero weight removes a sample exactly
    r0 = fidelity_scores(np.r_[y, 100.0], np.r_[s, -100.0], sample_weight=np.r_[w, 0.0])
    assert r0.rmse == pytest.approx(r.rmse) and r0.r2 == pytest.approx(r.r2)


def test_fidelity_report_constant_model_r2_undefined_and_json():
    r = fidelity_scores([1.0, 1.0, 1.0], [1.0, 1.5, 0.5])
    assert math.isnan(r.r2) and r.rmse == pytest.approx(math.sqrt(0.5 / 3))
    d = r.to_dict()
    assert d["r2"] is None
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def test_fidelity_validation():
    with pytest.raises(ValueError, match="same samples"):
        fidelity_scores([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        fidelity_scores([1.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        fidelity_scores([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="proba"):
        fidelity_scores(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        fidelity_scores([1.0, 2.0], [1.0, 2.0], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="sums to 0"):
        fidelity_scores([1.0, 2.0], [1.0, 2.0], sample_weight=[0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        fidelity_scores([1.0, 2.0], [1.0, 2.0], sample_weight=[1.0])


def test_effective_sample_size_known_values():
    assert effective_sample_size([1.0, 1.0, 0.0, 0.0]) == pytest.approx(2.0)
    assert effective_sample_size([3.0, 1.0]) == pytest.approx(16 / 10)
    assert effective_sample_size([1e-300, 1e-300]) == pytest.approx(2.0)  # no underflow
    assert effective_sample_size(np.full(7, 1e200)) == pytest.approx(7.0)  # no overflow
    with pytest.raises(ValueError, match="1-D"):
        effective_sample_size(np.ones((2, 2)))


def test_linear_surrogate_predict_is_intercept_plus_dense_weights():
    exp = make_exp({1: [(2, 2.0), (0, -1.0)]}, d=3, intercept=0.5)
    Z = np.array([[1.0, 1.0, 1.0], [0.0, 5.0, 0.0], [2.0, 0.0, 3.0]])
    np.testing.assert_allclose(linear_surrogate_predict(exp, Z), [1.5, 0.5, 4.5])
    assert linear_surrogate_predict(exp, [1.0, 0.0, 0.0]) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        linear_surrogate_predict(exp, np.ones((2, 4)))
    with pytest.raises(TypeError, match="Explanation"):
        linear_surrogate_predict(np.ones(3), Z)


# ==================================================================== stability
def brute_jaccard(A, k):
    sets = [set(np.argsort(-np.abs(a), kind="stable")[:k].tolist()) for a in A]
    return np.mean([len(a & b) / len(a | b) for a, b in itertools.combinations(sets, 2)])


def test_jaccard_hand_computed_and_brute_force():
    # top-2 sets {0, 1} and {1, 2}: |∩| = 1, |∪| = 3
    assert jaccard_at_k([[3.0, 2.0, 1.0, 0.0], [0.0, 3.0, 2.0, 1.0]], k=2) == pytest.approx(1 / 3)
    assert jaccard_at_k([[1.0, 2.0, 3.0]] * 3, k=2) == 1.0
    assert jaccard_at_k([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]], k=2) == 0.0
    # ties broken by the lower index: top-2 of [1, 1, 1] is {0, 1}
    assert jaccard_at_k([[1.0, 1.0, 1.0], [1.0, 1.0, 0.5]], k=2) == 1.0
    rng = np.random.default_rng(1)
    A = rng.normal(size=(6, 9))
    for k in (1, 3, 9):
        assert jaccard_at_k(A, k=k) == pytest.approx(brute_jaccard(A, k))


def test_kendall_tau_matches_scipy_pairwise():
    assert kendall_tau([[3.0, 2.0, 1.0], [-3.0, 2.0, -1.0]]) == pytest.approx(1.0)
    assert kendall_tau([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]]) == pytest.approx(-1.0)
    rng = np.random.default_rng(2)
    A = rng.normal(size=(4, 8))
    want = np.mean([kendalltau(np.abs(a), np.abs(b)).statistic
                    for a, b in itertools.combinations(A, 2)])
    assert kendall_tau(A) == pytest.approx(want)
    assert math.isnan(kendall_tau([[1.0, -1.0, 1.0], [1.0, 2.0, 3.0]]))


def test_sign_agreement_hand_computed_and_brute_force():
    # union of top-2 = {0, 1}; feature 1 flips sign
    assert sign_agreement([[3.0, -2.0, 0.1], [3.0, 2.0, 0.1]], k=2) == pytest.approx(0.5)
    # top-1 {0} vs {1}: union {0, 1}; feature 0 (+ vs +) agrees, feature 1 (0 vs -) does not
    assert sign_agreement([[2.0, 0.0], [1.0, -3.0]], k=1) == pytest.approx(0.5)
    rng = np.random.default_rng(3)
    A = rng.normal(size=(5, 7))
    tops = [set(np.argsort(-np.abs(a), kind="stable")[:3]) for a in A]
    want = np.mean([np.mean([np.sign(A[i, f]) == np.sign(A[j, f]) for f in tops[i] | tops[j]])
                    for i, j in itertools.combinations(range(5), 2)])
    assert sign_agreement(A, k=3) == pytest.approx(want)


def test_stability_report_and_explanation_input():
    exps = [make_exp({0: [(0, 0.5), (1, -0.2)]}, 4), make_exp({0: [(0, 0.4), (2, 0.3)]}, 4)]
    rep = stability_report(exps, k=2)
    assert rep.jaccard == pytest.approx(1 / 3)
    # union {0, 1, 2}: 0 agrees (+/+), 1 (-/0) and 2 (0/+) do not
    assert rep.sign_agreement == pytest.approx(1 / 3)
    assert (rep.k, rep.n_runs) == (2, 2)
    assert rep == stability_report(attribution_matrix(exps), k=2)
    assert json.loads(json.dumps(rep.to_dict())) == rep.to_dict()


def test_stability_validation():
    A = np.eye(3)
    with pytest.raises(ValueError, match="larger than the number of features"):
        jaccard_at_k(A, k=4)
    with pytest.raises(ValueError, match="at least 1"):
        jaccard_at_k(A, k=0)
    with pytest.raises(TypeError, match="int"):
        sign_agreement(A, k=2.0)
    with pytest.raises(ValueError, match="at least 2 runs"):
        stability_report([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="NaN"):
        kendall_tau([[1.0, np.nan], [1.0, 2.0]])
    with pytest.warns(UserWarning, match="fewer than k=2 non-zero"):
        jaccard_at_k([[1.0, 0.0, 0.0], [1.0, 2.0, 0.0]], k=2)


# ================================================================= perturbation
COEF = np.array([1.0, -2.0, 3.0, 0.5, 4.0, -1.0])
X0 = np.array([2.0, 1.0, 1.0, -2.0, 0.5, 3.0])


class CountingModel:
    """f(X) = X @ COEF + 1, counting calls and rows."""

    def __init__(self):
        self.calls, self.rows = 0, 0

    def __call__(self, X):
        self.calls += 1
        self.rows += len(X)
        return X @ COEF + 1.0


def test_insertion_deletion_curves_are_cumulative_sums_on_a_linear_model():
    model = CountingModel()
    contrib = COEF * X0  # [2, -2, 3, -1, 2, -3]
    res = insertion_deletion(model, X0, contrib, fraction=0.5)
    assert model.calls == 1  # all perturbed inputs scored in one call
    order = np.argsort(-contrib, kind="stable")  # [2, 0, 4, 3, 1, 5]: tie 0/4 -> 0 first
    np.testing.assert_array_equal(order[:3], [2, 0, 4])
    np.testing.assert_array_equal(res.steps, [0, 1, 2, 3])
    top = np.r_[0.0, np.cumsum(contrib[order[:3]])]  # [0, 3, 5, 7]
    f_x = contrib.sum() + 1.0
    np.testing.assert_allclose(res.deletion_curve, f_x - top)
    np.testing.assert_allclose(res.insertion_curve, 1.0 + top)
    assert res.insertion_auc == pytest.approx(np.mean(1.0 + top))
    assert res.deletion_auc == pytest.approx(np.mean(f_x - top))
    json.dumps(res.to_dict())


def test_insertion_deletion_step_baseline_and_batching():
    contrib = COEF * X0
    base = np.arange(6.0)
    res = insertion_deletion(CountingModel(), X0, contrib, baseline=base, fraction=5 / 6, step=2)
    np.testing.assert_array_equal(res.steps, [0, 2, 4, 5])  # the last step is capped at K = 5
    order = np.argsort(-contrib, kind="stable")
    gain = COEF * (X0 - base)
    want_del = [X0 @ COEF + 1 - gain[order[:s]].sum() for s in res.steps]
    want_ins = [base @ COEF + 1 + gain[order[:s]].sum() for s in res.steps]
    np.testing.assert_allclose(res.deletion_curve, want_del)
    np.testing.assert_allclose(res.insertion_curve, want_ins)
    # baseline="mean" of a background equals passing the mean
    bg = np.random.default_rng(0).normal(size=(20, 6))
    a = insertion_deletion(CountingModel(), X0, contrib, baseline="mean", background=bg)
    b = insertion_deletion(CountingModel(), X0, contrib, baseline=bg.mean(axis=0))
    np.testing.assert_allclose(a.deletion_curve, b.deletion_curve)
    # batch_size chunks the same rows: identical result, ceil(rows / batch) calls
    model = CountingModel()
    c = insertion_deletion(model, X0, contrib, baseline=base, fraction=5 / 6, step=2,
                           batch_size=3)
    assert model.calls == math.ceil(model.rows / 3) and model.rows == 2 * 4
    np.testing.assert_allclose(c.insertion_curve, res.insertion_curve)


def test_insertion_deletion_many_instances_equal_one_by_one():
    rng = np.random.default_rng(4)
    X, A = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    model = CountingModel()
    many = insertion_deletion(model, X, A, step=2, fraction=1.0)
    assert model.calls == 1 and many.insertion_curve.shape == (3, 4)
    for i in range(3):
        one = insertion_deletion(CountingModel(), X[i], A[i], step=2, fraction=1.0)
        np.testing.assert_allclose(many.deletion_curve[i], one.deletion_curve)
        assert many.insertion_auc[i] == pytest.approx(one.insertion_auc)


def test_insertion_deletion_multiclass_label_and_validation():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

    def proba_like(X):
        return X @ W.T  # 3 "classes"

    x, a = np.array([1.0, 2.0]), np.array([0.1, 0.9])
    res = insertion_deletion(proba_like, x, a, label=1, fraction=1.0)
    # class 1 reads feature 1 only, which the attribution ranks first
    np.testing.assert_allclose(res.deletion_curve, [2.0, 0.0, 0.0])
    np.testing.assert_allclose(res.insertion_curve, [0.0, 2.0, 2.0])
    # an Explanation's first label is followed by default
    exp = make_exp({1: [(1, 0.9), (0, 0.1)]}, d=2)
    assert insertion_deletion(proba_like, x, exp, fraction=1.0).to_dict() == res.to_dict()
    with pytest.raises(ValueError, match="label="):
        insertion_deletion(proba_like, x, a)
    with pytest.raises(ValueError, match="out of range"):
        insertion_deletion(proba_like, x, a, label=3)
    with pytest.raises(ValueError, match="attributions have shape"):
        insertion_deletion(proba_like, x, np.ones(3), label=0)
    with pytest.raises(ValueError, match="fraction"):
        insertion_deletion(proba_like, x, a, label=0, fraction=0.0)
    with pytest.raises(ValueError, match="background"):
        insertion_deletion(proba_like, x, a, label=0, baseline="mean")
    with pytest.raises(ValueError, match="baseline must"):
        insertion_deletion(proba_like, x, a, label=0, baseline=np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        insertion_deletion(proba_like, [1.0, np.nan], a, label=0)
    with pytest.raises(ValueError, match="returned shape"):
        insertion_deletion(lambda X: np.ones(len(X) + 1), x, a)
    with pytest.raises(ValueError, match="NaN or infinite"):
        insertion_deletion(lambda X: np.full(len(X), np.nan), x, a)
    with pytest.raises(TypeError, match="callable"):
        insertion_deletion("model", x, a)


def test_faithfulness_correlation_planted_truth():
    model = CountingModel()
    base = np.full(6, 0.5)
    true = COEF * (X0 - base)
    fc = faithfulness_correlation(model, X0, true, baseline=base, subset_size=2, n_runs=50,
                                  random_state=0)
    assert fc == pytest.approx(1.0, abs=1e-12)
    assert model.calls == 1 and model.rows == 1 + 50
    rng = np.random.default_rng(5)
    randoms = [faithfulness_correlation(model, X0, rng.normal(size=6), baseline=base,
                                        subset_size=2, n_runs=50, random_state=0)
               for _ in range(5)]
    assert max(randoms) < 0.9 and np.mean(randoms) < 0.5
    # same seed => same subsets => same score; another seed draws other subsets
    a = rng.normal(size=6)
    s3 = faithfulness_correlation(model, X0, a, random_state=3)
    assert s3 == faithfulness_correlation(model, X0, a, random_state=3)
    assert s3 != faithfulness_correlation(model, X0, a, random_state=4)


def test_faithfulness_correlation_brute_force_and_edge_cases():
    rng = np.random.default_rng(6)
    a = rng.normal(size=6)

    def model(X):
        return np.tanh(X) @ COEF

    got = faithfulness_correlation(model, X0, a, subset_size=3, n_runs=20, random_state=11)
    # replay the documented draw: the first 3 of a random permutation per run
    picks = np.argsort(np.random.default_rng(11).random((1, 20, 6)), axis=2)[0, :, :3]
    sums, drops = [], []
    for S in picks:
        xp = X0.copy()
        xp[S] = 0.0
        sums.append(a[S].sum())
        drops.append(model(X0[None])[0] - model(xp[None])[0])
    assert got == pytest.approx(np.corrcoef(sums, drops)[0, 1])
    # an all-zero attribution has no variation to correlate
    assert math.isnan(faithfulness_correlation(model, X0, np.zeros(6), random_state=0))
    # 2-D input: one score per instance
    X = rng.normal(size=(3, 6))
    out = faithfulness_correlation(CountingModel(), X, COEF * X, n_runs=10, random_state=0)
    assert out.shape == (3,)
    np.testing.assert_allclose(out, 1.0)
    with pytest.raises(ValueError, match="smaller than the number of features"):
        faithfulness_correlation(model, X0, a, subset_size=6)
    with pytest.raises(ValueError, match="at least 2"):
        faithfulness_correlation(model, X0, a, n_runs=1)
    with pytest.raises(TypeError, match="random_state"):
        faithfulness_correlation(model, X0, a, random_state="seed")


# =================================================================== robustness
def test_max_sensitivity_constant_and_linear_bound():
    x = np.array([1.0, 2.0])
    assert max_sensitivity(lambda z: np.array([0.3, -1.0]), x, random_state=0) == 0.0
    r, c = 0.1, 2.0
    # e(x) = c x: ‖e(x') - e(x)‖ / ‖e(x)‖ = ‖δ‖ / ‖x‖ <= r √d / ‖x‖ (a corner of the cube)
    bound = r * math.sqrt(2) / np.linalg.norm(x)
    s = max_sensitivity(lambda z: c * z, x, radius=r, n_samples=2000, random_state=0)
    assert 0.97 * bound <= s <= bound + 1e-12
    # absolute change (Yeh) and Quantus' input-normalised variant
    s_abs = max_sensitivity(lambda z: c * z, x, radius=r, n_samples=2000, relative_to=None,
                            random_state=0)
    assert s_abs == pytest.approx(s * c * np.linalg.norm(x))
    s_in = max_sensitivity(lambda z: c * z, x, radius=r, n_samples=2000,
                           relative_to="input", random_state=0)
    assert s_in == pytest.approx(s_abs / np.linalg.norm(x))
    # L∞ norm: ‖c δ‖∞ / ‖c x‖∞ <= r / max|x|
    s_inf = max_sensitivity(lambda z: c * z, x, radius=r, n_samples=500, norm=np.inf,
                            random_state=0)
    assert 0.97 * r / 2.0 <= s_inf <= r / 2.0 + 1e-12


def test_max_sensitivity_per_feature_radius_batched_and_deterministic():
    x = np.array([1.0, 10.0, 100.0])
    radius = 0.01 * np.abs(x)
    calls = []

    def explain_fn(z):
        calls.append(1)
        return z ** 2

    s1 = max_sensitivity(explain_fn, x, radius=radius, n_samples=5, random_state=3)
    assert len(calls) == 6
    s2 = max_sensitivity(lambda Z: Z ** 2, x, radius=radius, n_samples=5, batched=True,
                         random_state=3)
    assert s1 == s2 > 0
    with pytest.raises(ValueError, match="radius"):
        max_sensitivity(explain_fn, x, radius=-0.1)
    with pytest.raises(ValueError, match="radius must be a number or have shape"):
        max_sensitivity(explain_fn, x, radius=[0.1, 0.1])
    with pytest.raises(ValueError, match="norm"):
        max_sensitivity(explain_fn, x, norm="l2")
    with pytest.raises(ValueError, match="relative_to"):
        max_sensitivity(explain_fn, x, relative_to="both")
    with pytest.raises(ValueError, match="one instance"):
        max_sensitivity(explain_fn, np.ones((2, 3)))
    with pytest.raises(ValueError, match="at least 1"):
        max_sensitivity(explain_fn, x, n_samples=0)
    with pytest.raises(ValueError, match="one weight per feature"):
        max_sensitivity(lambda z: z[:2], x)
    with pytest.raises(ValueError, match="expected"):
        max_sensitivity(lambda Z: Z[:, :2], x, batched=True)


def test_local_lipschitz_of_linear_map_is_spectral_norm():
    A = np.random.default_rng(8).normal(size=(3, 3))
    spectral = np.linalg.norm(A, 2)
    x = np.array([0.5, -1.0, 2.0])
    for dist in ("uniform", "gaussian"):
        L = local_lipschitz_estimate(lambda z: A @ z, x, n_samples=3000, distribution=dist,
                                     random_state=0)
        assert 0.97 * spectral <= L <= spectral * (1 + 1e-12)
    # a constant explanation is 0-Lipschitz
    assert local_lipschitz_estimate(lambda z: np.ones(3), x, random_state=0) == 0.0
    with pytest.raises(ValueError, match="distribution"):
        local_lipschitz_estimate(lambda z: z, x, distribution="laplace")


# =================================================================== complexity
def quantus_gini(a):
    a = np.sort(np.abs(np.asarray(a, dtype=float)))
    n = a.size
    return sum((2 * (i + 1) - n - 1) * a[i] for i in range(n)) / (n * a.sum())


def test_sparseness_known_values():
    assert sparseness([0.0, 0.0, 1.0]) == pytest.approx(2 / 3)
    assert sparseness([0.0, 0.0, 0.0, -5.0]) == pytest.approx(3 / 4)  # (d - 1) / d
    assert sparseness([2.0, -2.0, 2.0]) == pytest.approx(0.0)
    assert sparseness(np.zeros(4)) == 0.0
    rng = np.random.default_rng(9)
    A = rng.normal(size=(4, 7))
    np.testing.assert_allclose(sparseness(A), [quantus_gini(a) for a in A])
    assert sparseness(3.0 * A[0]) == pytest.approx(sparseness(A[0]))
    exp = make_exp({0: [(0, 1.0)]}, d=3)
    assert sparseness(exp) == pytest.approx(2 / 3)
    np.testing.assert_allclose(sparseness([exp, exp]), [2 / 3, 2 / 3])


def test_complexity_known_values():
    for d in (1, 3, 10):
        assert complexity(np.ones(d)) == pytest.approx(math.log(d))
    assert complexity([0.0, -4.0, 0.0]) == 0.0
    assert complexity(np.zeros(5)) == pytest.approx(math.log(5))
    rng = np.random.default_rng(10)
    A = rng.normal(size=(3, 6))
    np.testing.assert_allclose(complexity(A), [entropy(np.abs(a)) for a in A])
    assert isinstance(complexity(A[0]), float) and complexity(A).shape == (3,)
    with pytest.raises(ValueError, match="NaN"):
        complexity([1.0, np.inf])
    with pytest.raises(ValueError, match="empty"):
        sparseness(np.zeros((2, 0)))


# ================================================================== integration
@pytest.fixture(scope="module")
def diabetes_linear():
    X, y = load_diabetes(return_X_y=True)
    return X, LinearRegression().fit(X, y)


def test_tabular_explanations_fidelity_stability_faithfulness(diabetes_linear):
    X, model = diabetes_linear
    x, d = X[0], X.shape[1]
    exps = [TabularExplainer(X, mode="regression", discretizer=None, random_state=seed)
            .explain(x, model, num_features=d, num_samples=500) for seed in range(4)]
    exp = exps[0]
    # continuous interpretable space: z = (x - mean) / std; the surrogate at z0 is local_pred
    mean, std = X.mean(axis=0), X.std(axis=0)
    z0 = (x - mean) / std
    assert linear_surrogate_predict(exp, z0) == pytest.approx(exp.local_pred[0])

    # fidelity on FRESH samples from lime's Gaussian neighbourhood, kernel-weighted
    rng = np.random.default_rng(123)
    Z = rng.standard_normal((2000, d))
    w = np.exp(-((Z - z0) ** 2).sum(axis=1) / (2 * (0.75 * math.sqrt(d)) ** 2))
    full = fidelity_scores(model.predict(mean + Z * std), linear_surrogate_predict(exp, Z), w)
    # the model is linear in z, so the all-feature surrogate is near-exact
    assert full.r2 > 0.99
    two = TabularExplainer(X, mode="regression", discretizer=None, random_state=0).explain(
        x, model, num_features=2, num_samples=500)
    short = fidelity_scores(model.predict(mean + Z * std), linear_surrogate_predict(two, Z), w)
    assert short.r2 < full.r2 - 0.05 and short.rmse > full.rmse

    # stability across seeds: a linear model gives near-identical explanations
    rep = stability_report(exps, k=3)
    assert rep.jaccard == 1.0 and rep.sign_agreement == 1.0 and rep.kendall_tau > 0.8
    assert rep == stability_report(np.array([attribution_vector(e) for e in exps]), k=3)

    # weight · z0 is each feature's contribution relative to the mean: faithful by construction
    contrib = attribution_vector(exp) * z0
    fc = faithfulness_correlation(model.predict, x, contrib, baseline="mean", background=X,
                                  n_runs=30, random_state=0)
    assert fc > 0.99
    good = insertion_deletion(model.predict, x, contrib, baseline="mean", background=X)
    bad = insertion_deletion(model.predict, x, -contrib, baseline="mean", background=X)
    assert good.insertion_auc > bad.insertion_auc and good.deletion_auc < bad.deletion_auc
    # the Explanation path orders by the raw weights
    by_exp = insertion_deletion(model.predict, x, exp, baseline="mean", background=X)
    assert by_exp.to_dict() == insertion_deletion(model.predict, x, attribution_vector(exp),
                                                  baseline="mean", background=X).to_dict()


def test_tabular_classification_labels_and_robustness():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    x = X[60]
    exps = [TabularExplainer(X, random_state=seed).explain(x, model, top_labels=2,
                                                            num_samples=400)
            for seed in (1, 2, 3)]
    top = exps[0].labels[0]
    assert top == int(np.argmax(model.predict_proba(x[None])))
    res = insertion_deletion(model.predict_proba, x, exps[0], baseline="mean", background=X)
    assert res.deletion_curve[0] == pytest.approx(model.predict_proba(x[None])[0, top])
    second = exps[0].labels[1]
    res2 = insertion_deletion(model.predict_proba, x, exps[0], label=second, baseline="mean",
                              background=X)
    assert res2.deletion_curve[0] == pytest.approx(model.predict_proba(x[None])[0, second])
    rep = stability_report(exps, k=2, label=second)
    assert 0.0 <= rep.jaccard <= 1.0 and rep.n_runs == 3
    assert sparseness(exps, label=top).shape == (3,)

    explainer = TabularExplainer(X, discretizer=None, random_state=0)

    def explain_fn(z):
        return explainer.explain(z, model, labels=[top], num_samples=300)

    kwargs = dict(radius=0.05 * X.std(axis=0), n_samples=3, label=top, random_state=0)
    s = max_sensitivity(explain_fn, x, **kwargs)
    assert 0.0 < s < 1.0
    assert s == max_sensitivity(explain_fn, x, **kwargs)  # explainer seed + metric seed
    L = local_lipschitz_estimate(explain_fn, x, **kwargs)
    assert np.isfinite(L) and L > 0
