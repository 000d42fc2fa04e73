"""Tests for limekit.explainers.timeseries and limekit.render.timeseries."""

from __future__ import annotations

import doctest
import importlib
import json

import numpy as np
import pytest

from limekit.explainers.timeseries import (
    SegmentTimeSeriesExplainer,
    TimeSeriesExplainer,
    TimeSeriesSegmentExplanation,
    recurrent_feature_names,
)
from limekit.explanation import Explanation
from limekit.representations.timeseries import SeriesSegments
from limekit.sampling import BernoulliMaskSampler

lime_tabular = pytest.importorskip("lime.lime_tabular")


# =====================================================================
# TimeSeriesExplainer (lime's RecurrentTabularExplainer semantics)
# =====================================================================
NAMES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def sequences():
    return np.random.default_rng(0).normal(size=(400, 5, 3))


def seq_model(batch):
    """Depends on five (feature, timestep) cells of a (n, 5, 3) batch, with distinct strengths."""
    assert batch.ndim == 3 and batch.shape[1:] == (5, 3)
    z = (2.0 * batch[:, -1, 0] - 1.5 * batch[:, -3, 1] + 1.2 * batch[:, -2, 2]
         + 0.9 * batch[:, 0, 0] - 0.7 * batch[:, 1, 2])
    p = 1.0 / (1.0 + np.exp(-z))
    return np.column_stack([1.0 - p, p])


def test_feature_names_equal_lime(sequences):
    ours = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=0)
    theirs = lime_tabular.RecurrentTabularExplainer(sequences, feature_names=NAMES,
                                                    random_state=0)
    assert ours.feature_names == list(theirs.feature_names)
    assert ours.feature_names[:5] == ["a_t-4", "a_t-3", "a_t-2", "a_t-1", "a_t-0"]
    assert ours.feature_names == recurrent_feature_names(NAMES, 5)
    assert (ours.n_timesteps, ours.n_features) == (5, 3)


def test_flattening_matches_lime_columns(sequences):
    # Same training columns => the same quartile bin descriptions as lime.
    ours = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=0)
    exp = ours.explain(sequences[3], seq_model, labels=[1], num_features=15, num_samples=300)
    theirs = lime_tabular.RecurrentTabularExplainer(sequences, feature_names=NAMES,
                                                    random_state=0)
    lexp = theirs.explain_instance(sequences[3], seq_model, labels=(1,), num_features=15,
                                   num_samples=300)
    assert {d for d, _ in exp.as_list(1)} == {d for d, _ in lexp.as_list(1)}


def test_model_receives_three_dimensional_input(sequences):
    calls = []

    def model(batch):
        calls.append(np.array(batch))
        return seq_model(batch)

    explainer = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=0)
    exp = explainer.explain(sequences[5], model, num_samples=200, batch_size=64)
    assert [c.shape for c in calls] == [(64, 5, 3)] * 3 + [(8, 5, 3)]
    np.testing.assert_array_equal(calls[0][0], sequences[5])  # row 0 is the instance
    assert exp.settings["explainer"] == "TimeSeriesExplainer"
    assert exp.settings["n_timesteps"] == 5 and exp.settings["n_features"] == 3


def test_model_errors_name_the_three_dimensional_shape(sequences):
    explainer = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=0,
                                    batch_size=50)
    with pytest.raises(RuntimeError, match=r"IndexError.*shape \(50, 5, 3\)"):
        explainer.explain(sequences[0], lambda b: b[:, :, 7], num_samples=100)
    with pytest.raises(ValueError, match="one prediction per row"):
        explainer.explain(sequences[0], lambda b: seq_model(b)[:-1], num_samples=100)


def _weight_vector(pairs, d):
    v = np.zeros(d)
    for i, w in pairs:
        v[i] = w
    return v


@pytest.mark.parametrize("num_features", [15, 10])
def test_parity_with_lime_recurrent_explainer(sequences, num_features):
    """Seed-averaged weights agree with lime's: correlation >= 0.9, top-5 overlap >= 4."""
    instance = sequences[7]
    ours, theirs = [], []
    for seed in range(5):
        lexp = lime_tabular.RecurrentTabularExplainer(
            sequences, feature_names=NAMES, random_state=seed
        ).explain_instance(instance, seq_model, labels=(1,), num_features=num_features,
                           num_samples=2000)
        theirs.append(_weight_vector(lexp.as_map()[1], 15))
        exp = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=seed).explain(
            instance, seq_model, labels=[1], num_features=num_features, num_samples=2000)
        ours.append(_weight_vector(exp.as_map()[1], 15))
    mo, ml = np.mean(ours, axis=0), np.mean(theirs, axis=0)
    corr = float(np.corrcoef(mo, ml)[0, 1])
    overlap = len(set(np.argsort(-np.abs(mo))[:5]) & set(np.argsort(-np.abs(ml))[:5]))
    assert corr >= 0.9, corr
    assert overlap >= 4, overlap


def test_regression_and_estimator_models(sequences):
    class Estimator:
        def predict_proba(self, batch):
            return seq_model(batch)

    explainer = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=1)
    exp = explainer.explain(sequences[0], Estimator(), num_samples=300)
    assert exp.mode == "classification" and len(exp.as_list()) == 10

    reg = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=1,
                              mode="regression", discretizer=None)
    exp = reg.explain(sequences[0], lambda b: 3.0 * b[:, -1, 0], num_features=3,
                      num_samples=500)
    assert exp.as_list()[0][0] == "a_t-0"


def test_univariate_and_batched_instance_forms(sequences):
    uni = sequences[:, :, :1]
    explainer = TimeSeriesExplainer(uni, feature_names=["v"], random_state=0,
                                    mode="regression")
    model = lambda b: b[:, -1, 0]  # noqa: E731
    e1 = explainer.explain(uni[0, :, 0], model, num_samples=200)
    e2 = explainer.explain(uni[0], model, num_samples=200)
    e3 = explainer.explain(uni[:1], model, num_samples=200)
    assert e1 == e2 == e3


def test_determinism(sequences):
    a = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=3)
    b = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=3)
    b.explain(sequences[1], seq_model, num_samples=100)  # history must not matter
    assert a.explain(sequences[0], seq_model, num_samples=300) == \
        b.explain(sequences[0], seq_model, num_samples=300)


def test_bad_training_data_shapes(sequences):
    with pytest.raises(ValueError, match=r"3-D .*X\[:, :, None\]"):
        TimeSeriesExplainer(sequences[:, :, 0])
    with pytest.raises(ValueError, match="3-D"):
        TimeSeriesExplainer(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="one name per feature"):
        TimeSeriesExplainer(sequences, feature_names=["a", "b"])
    bad = sequences.copy()
    bad[4, 2, 1] = np.nan
    with pytest.raises(ValueError, match="sequence 4, timestep 2, feature 1"):
        TimeSeriesExplainer(bad)


def test_bad_instance_shapes(sequences):
    explainer = TimeSeriesExplainer(sequences, feature_names=NAMES, random_state=0)
    with pytest.raises(ValueError, match=r"shape \(5, 3\).*got shape \(4, 3\)"):
        explainer.explain(sequences[0, :4], seq_model)
    with pytest.raises(ValueError, match=r"got shape \(5, 2\)"):
        explainer.explain(sequences[0, :, :2], seq_model)
    with pytest.raises(ValueError, match="transposed"):
        explainer.explain(sequences[0].T, seq_model)
    with pytest.raises(ValueError, match="one sequence at a time"):
        explainer.explain(sequences[:2], seq_model)
    bad = sequences[0].copy()
    bad[4, 2] = np.inf
    with pytest.raises(ValueError, match=r"'c' at timestep 4 \(c_t-0\)"):
        explainer.explain(bad, seq_model)


# =====================================================================
# SegmentTimeSeriesExplainer
# =====================================================================
T = 100
TIME = np.arange(T)


def bump_series(noise: float = 0.1) -> np.ndarray:
    rng = np.random.default_rng(1)
    return (np.sin(TIME / 9.0) + np.where((TIME >= 40) & (TIME < 50), 3.0, 0.0)
            + noise * rng.normal(size=T))


def window_model(batch):
    """A classifier that looks only at t in [40, 50)."""
    assert batch.ndim == 2 and batch.shape[1] == T
    p = 1.0 / (1.0 + np.exp(-4.0 * (batch[:, 40:50].mean(axis=1) - 1.5)))
    return np.column_stack([1.0 - p, p])


TRAIN_MEAN = np.sin(TIME / 9.0)  # a per-timestep "training mean" baseline

BASELINES = ["mean", "zero", -1.0, "linear", TRAIN_MEAN]
BASELINE_IDS = ["mean", "zero", "number", "linear", "array"]


@pytest.mark.parametrize("sampler", ["bernoulli", "uniform_count"])
@pytest.mark.parametrize("baseline", BASELINES, ids=BASELINE_IDS)
def test_known_truth_window_gets_the_largest_weight(baseline, sampler):
    explainer = SegmentTimeSeriesExplainer(n_segments=10, baseline=baseline, random_state=0,
                                           class_names=["low", "high"], sampler=sampler)
    exp = explainer.explain(bump_series(), window_model, labels=[1], num_samples=500)
    assert isinstance(exp, TimeSeriesSegmentExplanation)
    top, weight = exp.as_list(1)[0]
    assert top == "t[40:50]" and weight > 0.5
    others = np.delete(exp.segment_weights(1), 4)
    assert np.abs(others).max() < 0.05 * weight
    assert exp.segments[4] == (40, 50)


def test_every_baseline_decodes_as_documented():
    x = np.arange(12.0) ** 1.5
    Z = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])

    def hidden(baseline):
        return SeriesSegments(x, 4, baseline).decode(Z)

    for out in (hidden("mean"), hidden("zero"), hidden(2.5), hidden("linear"),
                hidden(np.full(12, 7.0))):
        np.testing.assert_array_equal(out[2], x)          # all shown: the series itself
        np.testing.assert_array_equal(out[0, :3], x[:3])  # shown window untouched
    np.testing.assert_allclose(hidden("mean")[0, 3:6], x.mean())
    np.testing.assert_array_equal(hidden("zero")[0, 3:6], 0.0)
    np.testing.assert_array_equal(hidden(2.5)[0, 9:], 2.5)
    np.testing.assert_array_equal(hidden(np.arange(12.0))[0, 3:6], [3.0, 4.0, 5.0])
    lin = hidden("linear")
    # window [3, 6): the line from (2, x[2]) to (6, x[6])
    np.testing.assert_allclose(lin[0, 3:6], x[2] + (np.arange(3, 6) - 2) / 4 * (x[6] - x[2]))
    np.testing.assert_allclose(lin[0, 9:], x[8])   # last window: flat at its left neighbour
    np.testing.assert_allclose(lin[1, :3], x[3])   # first window: flat at its right neighbour
    np.testing.assert_allclose(SeriesSegments(x, 1, "linear").decode(np.zeros((1, 1))),
                               np.full((1, 12), x.mean()))


def test_windows_cover_the_series_with_near_equal_sizes():
    seg = SeriesSegments(np.zeros(23), 5)
    assert seg.boundaries.tolist() == [0, 4, 9, 13, 18, 23]
    assert seg.describe()[0][0] == "t[0:4]"


def test_determinism_and_batch_size():
    x = bump_series()
    a = SegmentTimeSeriesExplainer(random_state=5).explain(x, window_model, num_samples=300)
    b_explainer = SegmentTimeSeriesExplainer(random_state=5)
    b_explainer.explain(x[::-1].copy(), window_model, num_samples=100)
    calls = []

    def model(batch):
        calls.append(batch.shape)
        return window_model(batch)

    b = b_explainer.explain(x, model, num_samples=300, batch_size=128)
    assert a == b
    assert calls == [(128, T), (128, T), (44, T)]
    c = SegmentTimeSeriesExplainer(random_state=6).explain(x, window_model, num_samples=300)
    assert c != a
    # (T, 1) and (1, T) are the same series as (T,)
    assert SegmentTimeSeriesExplainer(random_state=5).explain(
        x[:, None], window_model, num_samples=300) == a
    assert SegmentTimeSeriesExplainer(random_state=5).explain(
        x[None, :], window_model, num_samples=300) == a


def test_json_round_trip():
    exp = SegmentTimeSeriesExplainer(random_state=0, class_names=["low", "high"]).explain(
        bump_series(), window_model, top_labels=2, num_samples=300)
    text = exp.to_json()
    back = Explanation.from_json(text)
    assert type(back) is TimeSeriesSegmentExplanation
    assert back == exp
    assert back.series == exp.series and back.boundaries == exp.boundaries
    assert json.loads(text)["kind"] == "timeseries_segments"
    assert Explanation.from_dict(exp.to_dict()) == exp


def test_html_is_escaped_and_self_contained():
    names = ["<script>alert(1)</script>", '"onmouseover=alert(1) & co']
    exp = SegmentTimeSeriesExplainer(random_state=0, class_names=names).explain(
        bump_series(), window_model, top_labels=2, num_samples=300)
    for page in (exp.to_html(), exp.to_html(full_page=False), exp._repr_html_()):
        low = page.lower().replace("http-equiv", "")  # the CSP <meta> of full pages
        assert "<script" not in low and "http" not in low and "\"onmouseover" not in page
        assert "&lt;script&gt;" in page and "&quot;onmouseover" in page
        assert page.count("<svg") == 2 and "<polyline" in page
        assert page.count("<title>t[40:50]: +") == 1  # tooltip for the class-1 chart
    assert exp.to_html() == exp.to_html()  # a pure function of the explanation
    one = exp.to_html(labels=[1])
    assert one.count("<svg") == 1


def test_text_report_has_table_and_sparkline():
    exp = SegmentTimeSeriesExplainer(random_state=0, class_names=["low", "high"]).explain(
        bump_series(), window_model, labels=[1], num_features=3, num_samples=300)
    text = str(exp)
    assert "t[40:50]" in text and "series" in text
    for width in (40, 80, 120):
        lines = exp.to_text(width=width).splitlines()
        assert max(len(line) for line in lines) <= width
    marks = exp.to_text(width=200).splitlines()[-1]
    assert marks.startswith("high") and marks.split()[-1].strip("·") == "+" * 10


def test_plot_shades_windows():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    exp = SegmentTimeSeriesExplainer(random_state=0).explain(
        bump_series(), window_model, num_samples=300)
    fig = exp.plot()
    ax = fig.axes[0]
    assert len(ax.lines) == 1 and len(ax.patches) >= 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), exp.series)
    plt.close(fig)
    fig, ax = plt.subplots()
    assert exp.plot(ax=ax) is fig
    plt.close(fig)


def test_regression_mode_and_custom_sampler():
    explainer = SegmentTimeSeriesExplainer(n_segments=5, baseline="zero", mode="regression",
                                           sampler=BernoulliMaskSampler(0.7), random_state=0)
    exp = explainer.explain(np.ones(50), lambda X: X[:, 10:20].sum(axis=1), num_samples=400)
    assert exp.as_list()[0][0] == "t[10:20]"
    assert exp.predicted_value == 10.0 and exp.settings["sampler"] == "BernoulliMaskSampler(p=0.7)"


def test_model_returning_wrong_number_of_rows():
    explainer = SegmentTimeSeriesExplainer(random_state=0)
    with pytest.raises(ValueError, match="one prediction per row"):
        explainer.explain(bump_series(), lambda X: window_model(X)[:-1], num_samples=100)


def test_too_short_series():
    with pytest.raises(ValueError, match=r"5 points, fewer than n_segments=10"):
        SegmentTimeSeriesExplainer(n_segments=10).explain(np.arange(5.0), window_model)


def test_nan_and_bad_inputs():
    x = bump_series()
    x[17] = np.nan
    explainer = SegmentTimeSeriesExplainer(random_state=0)
    with pytest.raises(ValueError, match="NaN or infinite values .* t=17"):
        explainer.explain(x, window_model)
    with pytest.raises(ValueError, match="univariate"):
        explainer.explain(np.zeros((100, 2)), window_model)
    with pytest.raises(ValueError, match="baseline must be one of"):
        SegmentTimeSeriesExplainer(baseline="median")
    with pytest.raises(ValueError, match="baseline array has 99 values"):
        SegmentTimeSeriesExplainer(baseline=np.zeros(99)).explain(bump_series(), window_model)
    with pytest.raises(ValueError, match="n_segments must be at least 1"):
        SegmentTimeSeriesExplainer(n_segments=0)
    with pytest.raises(ValueError, match="sampler must be one of"):
        SegmentTimeSeriesExplainer(sampler="gaussian")


@pytest.mark.parametrize("name", ["limekit.explainers.timeseries", "limekit.render.timeseries"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
