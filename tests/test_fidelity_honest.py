"""The held-out fidelity figure tells the truth about the surrogate.

Regression tests for defects an independent check found: a nonlinear surrogate was
scored through its tangent plane, the instance's own row (where every surrogate
agrees with the model) sat in the "fresh" samples, a flat model was reported as a
poor fit, and the advice recommended the surrogate already in use.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from limekit import ExplanationQualityWarning, TabularExplainer, TextExplainer
from limekit.explainers._common import heldout_fidelity
from limekit.explanation import LabelExplanation
from limekit.surrogates import MarsSurrogate

DOC = "good fun story with great acting and a long plot"


def _and_model(docs):
    """High only when both "good" and "fun" are present: an interaction, not additive."""
    p = np.array([0.1 + 0.8 * (("good" in d.split()) and ("fun" in d.split())) for d in docs])
    return np.column_stack([1 - p, p])


def test_mars_is_scored_as_the_model_it_is():
    exp = TextExplainer(random_state=0, surrogate=MarsSurrogate(max_degree=2),
                        fidelity_samples=1000, feature_selection="none").explain(
        DOC, _and_model, labels=[1], num_samples=2000)
    fid = exp.fidelity[1]
    # the product of the two words is exactly a degree-2 MARS term: the model is recovered
    assert fid["r2"] > 0.99
    # the weights shown are the slopes at the instance; as a plane they fit much worse
    assert fid["linear_r2"] < fid["r2"] - 0.1
    assert not any("held-out fidelity is poor" in w for w in exp.warnings)


def test_linear_surrogates_report_a_single_figure():
    exp = TextExplainer(random_state=0, fidelity_samples=500).explain(
        DOC, _and_model, labels=[1], num_samples=1000)
    assert set(exp.fidelity[1]) == {"rmse", "r2", "n"}


def test_the_instance_row_is_not_a_held_out_sample():
    # row 0 (the instance) carries nearly all the weight, as with a narrow kernel, and the
    # surrogate matches the model only there: it must be scored on the other rows
    Z = np.array([[1.0], [0.0], [0.0], [0.0], [0.0]])
    Y = np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 1.0]])
    w = np.array([1.0, 1e-6, 1e-6, 1e-6, 1e-6])
    fits = {1: LabelExplanation(weights=((0, 0.5),), intercept=0.5, score=1.0, local_pred=1.0)}
    fid = heldout_fidelity(fits, [1], Z, Y, w)["1"]
    assert fid["n"] == 4
    assert fid["r2"] == pytest.approx(0.0)  # the constant 0.5 explains none of the 0/1 swings


def test_a_flat_model_is_not_reported_as_a_poor_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))

    def flat(A):
        p = 0.3 + 1e-12 * np.sin(np.asarray(A)[:, 0])  # nothing to explain here
        return np.column_stack([1 - p, p])

    with warnings.catch_warnings():
        warnings.simplefilter("error", ExplanationQualityWarning)
        exp = TabularExplainer(X, random_state=0, fidelity_samples=500).explain(
            X[0], flat, num_samples=1000)
    assert all(f["r2"] == 1.0 for f in exp.fidelity.values())


def test_advice_never_recommends_the_surrogate_in_use():
    def noise(docs):  # a deterministic but structureless model: nothing fits it
        p = np.array([(hash(d) % 1000) / 1000 for d in docs]) * 0.8 + 0.1
        return np.column_stack([1 - p, p])

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        mars = TextExplainer(random_state=0, surrogate="mars", fidelity_samples=300).explain(
            DOC, noise, labels=[1], num_samples=300)
        ridge = TextExplainer(random_state=0, fidelity_samples=300).explain(
            DOC, noise, labels=[1], num_samples=300)
    poor_mars = [w for w in mars.warnings if "held-out fidelity is poor" in w]
    poor_ridge = [w for w in ridge.warnings if "held-out fidelity is poor" in w]
    assert poor_mars and poor_ridge
    assert "surrogate='mars'" not in poor_mars[0]
    assert "surrogate='mars'" in poor_ridge[0]


@pytest.mark.parametrize("surrogate", ["bayes", "mars"])
def test_per_feature_details_line_up_with_the_displayed_weights(surrogate):
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    X, y = load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    exp = TabularExplainer(X, mode="regression", discretizer=None, sampler="kernel",
                           surrogate=surrogate, random_state=0).explain(
        X[3], model, num_features=6, num_samples=1500)
    le = exp.label_explanations[0]
    assert [j for j, _ in le.weights] == le.details["features"]
    shown = np.array([w for _, w in le.weights])
    assert np.all(np.diff(np.abs(shown)) <= 0)  # strongest first
    if surrogate == "bayes":  # the weight is the centre of its credible interval
        centre = (np.array(le.details["lower"]) + np.array(le.details["upper"])) / 2
        np.testing.assert_allclose(centre, shown, rtol=1e-9, atol=1e-9)
    else:  # the weights are the local slopes
        np.testing.assert_allclose(le.details["slopes"], shown, rtol=1e-12)
