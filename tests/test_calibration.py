"""ReCalX: per-perturbation-level temperature scaling (limekit.calibration)."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from limekit.calibration import (
    CalibratedModel,
    CalibrationReport,
    ReCalX,
    _calibration_errors,
    calibrate_neighbourhood,
)


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def overconfident():
    """An MLP that is over-confident on mean-replaced inputs (ECE up to ~0.4 at high levels).

    Measured alternatives under mean replacement: a RandomForest is *under*-confident
    (fitted T < 1) and gradient boosting on breast_cancer is inconsistent across splits;
    this MLP is over-confident on every split tried.
    """
    X, y = make_classification(n_samples=900, n_features=12, n_informative=6, n_redundant=2,
                               n_classes=3, n_clusters_per_class=1, random_state=0)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, train_size=0.4, random_state=0,
                                                  stratify=y)
    X_val, X_te, y_val, y_te = train_test_split(X_rest, y_rest, train_size=0.5,
                                                random_state=0, stratify=y_rest)
    model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,),
                                                          max_iter=2000, random_state=0))
    model.fit(X_tr, y_tr)
    cal = ReCalX(random_state=0).fit(model, X_val, y_val)
    return model, cal, (X_val, y_val), (X_te, y_te)


def _planted(slope):
    """y ~ Bernoulli(sigmoid(3 x0)) on 10 Gaussian features; a model sigmoid(slope x0) that
    outputs the exact marginal P(y=1) = 0.5 when x0 is hidden (NaN)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1000, 10))
    y = (rng.random(1000) < expit(3 * X[:, 0])).astype(int)

    def model(Z):
        p = np.where(np.isnan(Z[:, 0]), 0.5, expit(slope * np.nan_to_num(Z[:, 0])))
        return np.column_stack([1 - p, p])

    return X, y, model


def _hide_nan(X, hidden):
    return np.where(hidden, np.nan, X)


# ------------------------------------------------------------- known truths
def test_max_calibration_error_drops_by_half_on_held_out_data(overconfident):
    model, cal, _, (X_te, y_te) = overconfident
    report = cal.report(model, X_te, y_te)
    assert report.max_error_before > 0.2  # the planted problem is there
    assert report.max_error_after <= 0.5 * report.max_error_before
    assert report.max_error_reduction >= 0.5
    assert report.mean_error_after < report.mean_error_before
    # over-confidence grows with the perturbation level: softening temperatures, rising
    assert np.all(cal.temperatures_[:9] > 1)
    assert cal.temperatures_[8] > cal.temperatures_[0]


def test_temperatures_positive_finite_and_argmax_never_changes(overconfident):
    model, cal, _, (X_te, _) = overconfident
    assert np.all(np.isfinite(cal.temperatures_)) and np.all(cal.temperatures_ > 0)
    rng = np.random.default_rng(0)
    X = np.vstack([X_te, rng.normal(scale=3, size=(2000, X_te.shape[1]))])
    proba = model.predict_proba(X)
    levels = rng.random(len(X))
    out = cal.calibrate(proba, levels)
    assert np.array_equal(out.argmax(axis=1), proba.argmax(axis=1))
    assert np.allclose(out.sum(axis=1), 1.0)
    # hand formula: p^(1/T) / sum_c p_c^(1/T) with T of the level's bin
    T = cal.temperatures_[np.minimum((levels * 10).astype(int), 9)]
    powered = np.clip(proba, 1e-12, None) ** (1 / T[:, None])
    assert np.allclose(out, powered / powered.sum(axis=1, keepdims=True))
    assert np.allclose(cal.temperature(levels), T)


def test_temperature_is_one_for_a_model_calibrated_under_perturbation():
    X, y, model = _planted(slope=3.0)  # the true conditional probability at every level
    cal = ReCalX(n_copies=5, perturbation=_hide_nan, random_state=0).fit(model, X, y)
    assert cal.fitted_bins_.all()
    assert np.all(np.abs(np.log(cal.temperatures_)) < np.log(1.25)), cal.temperatures_


def test_temperature_detects_planted_overconfidence():
    X, y, model = _planted(slope=6.0)  # logits twice too large where x0 is visible
    cal = ReCalX(n_copies=5, perturbation=_hide_nan, random_state=0).fit(model, X, y)
    assert 1.7 < cal.temperatures_[0] < 2.3, cal.temperatures_


def test_constant_model_at_label_frequency_gets_t_exactly_one():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 5)), rng.integers(0, 3, 200)
    freq = np.bincount(y, minlength=3) / 200  # the loss is stationary exactly at T = 1

    cal = ReCalX(n_bins=5, n_copies=2, random_state=0).fit(
        lambda Z: np.tile(freq, (len(Z), 1)), X, y)
    assert np.allclose(cal.temperatures_, 1.0, atol=1e-4)


def test_fit_predictions_recovers_planted_temperatures():
    # labels drawn from q; the "model" reports softmax(T_true * log q): too sharp by T_true
    rng = np.random.default_rng(0)
    n = 20_000
    q = rng.dirichlet(np.ones(3), n)
    y = (rng.random((n, 1)) > q.cumsum(axis=1)).sum(axis=1)
    levels = rng.random(n)
    t_true = 1 + 3 * np.floor(levels * 4) / 4  # 1, 1.75, 2.5, 3.25 per bin
    p = q ** t_true[:, None]
    p /= p.sum(axis=1, keepdims=True)
    cal = ReCalX(n_bins=4).fit_predictions(p, levels, y)
    assert np.allclose(cal.temperatures_, [1, 1.75, 2.5, 3.25], rtol=0.1), cal.temperatures_
    assert np.allclose(cal.calibrate(p, levels), q, atol=0.08)
    with pytest.raises(RuntimeError, match="fit_predictions"):
        cal.report(None, np.zeros((3, 2)), [0, 1, 0])


def test_uniform_probabilities_give_t_one():
    X, y = np.random.default_rng(0).normal(size=(50, 3)), np.arange(50) % 2
    cal = ReCalX(n_bins=3, n_copies=2).fit(lambda Z: np.full((len(Z), 2), 0.5), X, y)
    assert np.array_equal(cal.temperatures_, np.ones(3))


def test_empty_bins_borrow_the_nearest_fitted_bin():
    # 4 features: levels 0, .25, .5, .75, 1 fall in bins 0, 2, 5, 7, 9 only
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegression(C=100).fit(X, y)
    cal = ReCalX(n_copies=3, random_state=0).fit(model, X, y)
    assert cal.fitted_bins_.tolist() == [True, False, True, False, False,
                                         True, False, True, False, True]
    T = cal.temperatures_
    # bin 1 ties 0/2 -> lower; 3 -> 2; 4 -> 5; 6 ties 5/7 -> 5; 8 ties 7/9 -> 7
    assert [T[1], T[3], T[4], T[6], T[8]] == [T[0], T[2], T[5], T[5], T[7]]


def test_too_few_samples_warns_and_keeps_t_one():
    X, y = np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 0, 1, 1])
    with pytest.warns(UserWarning, match="no level bin"):
        cal = ReCalX(n_bins=2, n_copies=1).fit(LogisticRegression().fit(X, y), X, y)
    assert np.array_equal(cal.temperatures_, [1.0, 1.0])


# ------------------------------------------------------- perturbed copies
class _Recorder:
    """A model that remembers every batch it was called with."""

    def __init__(self, n_classes=2):
        self.calls, self.n_classes = [], n_classes

    def __call__(self, X):
        self.calls.append(X.copy())
        s = np.asarray(X.iloc[:, 0] if isinstance(X, pd.DataFrame) else X[:, 0], dtype=float)
        p = expit(s)
        return np.column_stack([1 - p, p])


def test_mean_replacement_hides_a_fraction_in_each_bin_and_chunks_calls():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 20)) + 5  # no column mean is 0 or equal to a row value
    y = np.arange(30) % 2
    rec = _Recorder()
    cal = ReCalX(n_copies=4, batch_size=500, random_state=0).fit(rec, X, y)
    assert [len(c) for c in rec.calls] == [30, 500, 500, 200]  # unperturbed, then chunks
    Xp = np.concatenate(rec.calls[1:])
    rows = np.repeat(np.arange(30), 40)
    hidden = Xp != X[rows]
    assert np.allclose(Xp[hidden], np.broadcast_to(X.mean(axis=0), Xp.shape)[hidden])
    levels = hidden.mean(axis=1)
    bins = np.tile(np.repeat(np.arange(10), 4), 30)
    assert np.all((levels >= bins / 10 - 1e-12) & ((levels < (bins + 1) / 10) | (bins == 9)))
    assert np.array_equal(cal.n_samples_per_bin_, np.full(10, 120))
    whole = _Recorder()
    ReCalX(n_copies=4, random_state=0).fit(whole, X, y)
    assert len(whole.calls) == 2 and np.array_equal(whole.calls[1], Xp)  # chunking-invariant


def test_same_seed_same_result_whatever_the_batch_size(overconfident):
    model, cal, (X_val, y_val), _ = overconfident
    again = ReCalX(random_state=0).fit(model, X_val, y_val)
    assert np.array_equal(again.temperatures_, cal.temperatures_)
    # same perturbations; only the MLP's BLAS rounding depends on the batch shape
    chunked = ReCalX(random_state=0, batch_size=777).fit(model, X_val, y_val)
    assert np.allclose(chunked.temperatures_, cal.temperatures_, rtol=1e-6)
    other = ReCalX(random_state=1).fit(model, X_val, y_val)
    assert not np.array_equal(other.temperatures_, cal.temperatures_)


def test_zero_and_marginal_replacement():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 6)) + 5, np.arange(20) % 2
    bg = rng.normal(size=(7, 6)) - 5
    rec = _Recorder()
    ReCalX(n_bins=3, n_copies=2, perturbation="zero", random_state=0).fit(rec, X, y)
    Xp = rec.calls[1]
    assert np.all((Xp == 0) | (Xp == X[np.repeat(np.arange(20), 6)]))
    rec = _Recorder()
    ReCalX(n_bins=3, n_copies=2, perturbation="marginal", random_state=0).fit(
        rec, X, y, background=bg)
    Xp = rec.calls[1]
    hidden = Xp < 0
    # each hidden value comes from the same background row as the other hidden ones
    for row, mask in zip(Xp, hidden, strict=True):
        if mask.any():
            donor = np.flatnonzero(np.all(np.isclose(bg[:, mask], row[mask]), axis=1))
            assert donor.size >= 1


def test_dataframe_mean_for_numbers_and_mode_for_strings():
    rng = np.random.default_rng(0)
    n = 150
    df = pd.DataFrame({"a": rng.normal(size=n) + 2,
                       "colour": rng.choice(["red", "green", "blue"], n, p=[.6, .3, .1]),
                       "b": rng.normal(size=n)})
    y = ((df["a"] > 2) ^ (df["colour"] == "blue")).astype(int).to_numpy()
    pipe = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
        LogisticRegression())
    pipe.fit(df, y)
    seen = []

    def model(Z):
        seen.append(Z)
        return pipe.predict_proba(Z)

    cal = ReCalX(n_bins=3, n_copies=2, random_state=0).fit(model, df, y)
    perturbed = seen[1]
    assert list(perturbed.columns) == ["a", "colour", "b"]
    assert set(perturbed["colour"]) <= {"red", "green", "blue"}
    source = df.iloc[np.repeat(np.arange(n), 6)].reset_index(drop=True)
    changed = perturbed["colour"] != source["colour"]
    assert changed.any() and (perturbed["colour"][changed] == "red").all()  # the mode
    moved = perturbed["a"] != source["a"]
    assert np.allclose(perturbed["a"][moved], df["a"].mean())
    report = cal.report(model, df.iloc[:60], y[:60])
    assert len(report.to_frame()) == 3


# ------------------------------------------------------------------- report
def test_report_has_before_and_after_per_level(overconfident, tmp_path):
    model, cal, _, (X_te, y_te) = overconfident
    report = cal.report(model, X_te, y_te)
    assert isinstance(report, CalibrationReport)
    frame = report.to_frame()
    assert len(frame) == 10
    assert {"ece_before", "ece_after", "kl_before", "kl_after", "nll_before",
            "nll_after", "temperature"} <= set(frame.columns)
    assert (frame["nll_after"] <= frame["nll_before"] + 0.02).all()
    d = json.loads(json.dumps(report.to_dict()))
    assert d["max_ece_before"] == pytest.approx(report.max_error_before)
    assert len(d["levels"]) == 10
    text = str(report)
    assert "ECE before" in text and "0.90–1.00" in text and "lower" in text
    ax = report.plot()
    assert len(ax.lines) == 2
    ax.figure.savefig(tmp_path / "recalx.png")


def test_calibration_errors_by_hand():
    proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]])
    y = np.array([0, 1, 1, 1])
    ece, kl, nll = _calibration_errors(proba, y, n_bins=10)
    # bin 0.9: accuracy .5 at confidence .9; bin 0.6: accuracy 1 at confidence .6
    assert ece == pytest.approx(0.5 * 0.4 + 0.5 * 0.4)
    kl_09 = 0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1)
    assert kl == pytest.approx(0.5 * kl_09 + 0.5 * np.log(1 / 0.6))
    assert nll == pytest.approx(-np.mean(np.log([0.9, 0.1, 0.6, 0.6])))


# ---------------------------------------------------------- wrap and hook
def test_wrap_applies_the_level_temperature(overconfident):
    model, cal, _, (X_te, _) = overconfident
    wrapped = cal.wrap(model)
    assert isinstance(wrapped, CalibratedModel)
    levels = np.linspace(0, 1, 20)
    assert np.allclose(wrapped.predict_proba(X_te[:20], levels),
                       cal.calibrate(model.predict_proba(X_te[:20]), levels))
    assert np.allclose(wrapped.predict_proba(X_te[:3], 0.35),
                       cal.calibrate(model.predict_proba(X_te[:3]), [0.35] * 3))


def test_calibrate_neighbourhood_uses_the_fraction_of_zeros(overconfident):
    model, cal, _, (X_te, _) = overconfident
    rng = np.random.default_rng(0)
    Z = (rng.random((40, 12)) < rng.random((40, 1))).astype(float)
    Z[0] = 1  # lime's row 0 is the instance itself
    proba = model.predict_proba(X_te[:40])
    out = calibrate_neighbourhood(cal, proba, Z)
    assert np.allclose(out, cal.calibrate(proba, (Z == 0).mean(axis=1)))
    assert np.allclose(out[0], cal.calibrate(proba[:1], [0.0])[0])
    assert np.array_equal(calibrate_neighbourhood(cal, proba, Z.astype(bool)), out)
    assert np.array_equal(calibrate_neighbourhood(None, proba, Z), proba)
    with pytest.raises(ValueError, match="binary"):
        calibrate_neighbourhood(cal, proba, Z * 0.5)
    with pytest.raises(ValueError, match="one row per"):
        calibrate_neighbourhood(cal, proba, Z[:10])
    with pytest.raises(TypeError, match="fitted ReCalX"):
        calibrate_neighbourhood("cal", proba, Z)


# ------------------------------------------------------------------- errors
def test_bad_inputs_are_rejected_with_a_reason(overconfident):
    model, cal, (X_val, y_val), _ = overconfident
    proba = model.predict_proba(X_val[:5])
    with pytest.raises(ValueError, match=r"levels must lie in \[0, 1\]"):
        cal.calibrate(proba, [0, 0.5, 1.2, 0, 0])
    with pytest.raises(ValueError, match="NaN"):
        cal.calibrate(proba, [0, np.nan, 0, 0, 0])
    with pytest.raises(ValueError, match="one perturbation level per row"):
        cal.calibrate(proba, [0.1, 0.2])
    with pytest.raises(ValueError, match="3 classes"):
        cal.calibrate(proba[:, :2], 0.1)
    bad = proba.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cal.calibrate(bad, 0.1)
    with pytest.raises(ValueError, match="not one of the model's classes"):
        ReCalX().fit(model, X_val, np.where(y_val == 2, 7, y_val))
    with pytest.raises(ValueError, match="labels must be 0..2"):
        ReCalX().fit(model.predict_proba, X_val, np.where(y_val == 2, 3, y_val))
    with pytest.raises(ValueError, match="one label per row"):
        ReCalX().fit(model, X_val, y_val[:-1])
    X_nan = X_val.copy()
    X_nan[3, 4] = np.nan
    with pytest.raises(ValueError, match="row 3, feature 4"):
        ReCalX().fit(model, X_nan, y_val)
    X_reg, y_reg = X_val[:, :3], X_val[:, 0]
    with pytest.raises(TypeError, match="predict_proba"):
        ReCalX().fit(LinearRegression().fit(X_reg, y_reg), X_reg, y_val)
    with pytest.raises(RuntimeError, match="not fitted"):
        ReCalX().calibrate(proba, 0.1)
    with pytest.raises(ValueError, match="perturbation must be"):
        ReCalX(perturbation="blur")
    with pytest.raises(ValueError, match="n_bins"):
        ReCalX(n_bins=0)
    with pytest.raises(ValueError, match="12 features"):
        cal.report(model, X_val[:, :5], y_val)
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "s": ["x", "y", "x"]})
    with pytest.raises(ValueError, match="'zero' needs numeric"):
        ReCalX(perturbation="zero").fit(lambda Z: np.full((len(Z), 2), .5), df, [0, 1, 0])
