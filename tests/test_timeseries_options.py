"""The segment time-series explainer takes the options every mask explainer takes."""

from __future__ import annotations

import numpy as np
import pytest

from limekit import ReCalX
from limekit.explainers.timeseries import SegmentTimeSeriesExplainer

T = 40
SERIES = np.where((np.arange(T) >= 20) & (np.arange(T) < 28), 2.0, 0.0)


def bump_model(batch):
    p = 1.0 / (1.0 + np.exp(-3.0 * (np.asarray(batch)[:, 20:28].mean(axis=1) - 1.0)))
    return np.column_stack([1 - p, p])


def _explainer(**kw):
    return SegmentTimeSeriesExplainer(n_segments=5, baseline="zero", random_state=0, **kw)


def test_lime_names_the_bernoulli_sampler():
    a = _explainer(sampler="lime").explain(SERIES, bump_model, labels=[1], num_samples=300)
    b = _explainer(sampler="bernoulli").explain(SERIES, bump_model, labels=[1], num_samples=300)
    assert a.as_list(1) == b.as_list(1)


def test_fidelity_samples_measure_the_surrogate_on_fresh_masks():
    exp = _explainer(fidelity_samples=200).explain(SERIES, bump_model, labels=[1],
                                                   num_samples=300)
    fid = exp.fidelity[1]
    assert fid["n"] <= 199  # the instance row is never a held-out sample
    assert fid["r2"] > 0.5
    assert _explainer().explain(SERIES, bump_model, labels=[1], num_samples=300).fidelity is None


def test_a_custom_kernel_is_used():
    flat = _explainer(kernel=lambda d, width: np.ones_like(d)).explain(
        SERIES, bump_model, labels=[1], num_samples=300)
    assert flat.effective_sample_size == pytest.approx(300)
    default = _explainer().explain(SERIES, bump_model, labels=[1], num_samples=300)
    assert default.effective_sample_size < 300


def test_calibrate_feeds_recalibrated_probabilities_to_the_surrogate():
    rng = np.random.default_rng(0)
    X_val = np.where(rng.random((60, 5)) < 0.5, 2.0, 0.0).repeat(8, axis=1)  # (60, 40)
    y_val = (X_val[:, 20:28].mean(axis=1) > 1.0).astype(int)
    calibrator = ReCalX(random_state=0).fit(bump_model, X_val, y_val)
    plain = _explainer().explain(SERIES, bump_model, labels=[1], num_samples=300)
    calibrated = _explainer(calibrate=calibrator).explain(SERIES, bump_model, labels=[1],
                                                          num_samples=300)
    assert calibrated.settings["calibration"] is not None
    assert plain.settings["calibration"] is None
    assert calibrated.as_list(1) != plain.as_list(1)
    with pytest.raises(TypeError, match="ReCalX"):
        _explainer(calibrate="yes")
