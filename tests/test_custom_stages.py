"""A user's own sampler, surrogate and kernel plug into every explainer.

The stages are interfaces, not a closed list: a new tabular sampler is a subclass of
:class:`limekit.sampling.TabularSampler` with one ``draw`` method; a mask sampler (text,
images, series) any object with ``draw(d, n, rng)``; a surrogate any object with
``fit(design, label, features, z0) -> SurrogateFit``; a kernel any
``kernel(distances, width) -> weights``.
"""

from __future__ import annotations

import numpy as np
import pytest

from limekit import (
    ImageExplainer,
    SegmentTimeSeriesExplainer,
    TabularExplainer,
    TextExplainer,
)
from limekit.sampling import LimeTabularSampler, TabularSampler
from limekit.surrogates import SurrogateFit


# ------------------------------------------------------------------ the stages
class SwapOneColumn(TabularSampler):
    """Each sample changes one column of the instance, drawn as lime draws it."""

    def draw(self, marginals, instance_codes, n, rng):
        codes = np.tile(instance_codes, (n, 1))
        column = rng.integers(0, marginals.n_features, size=n)
        lime_codes = LimeTabularSampler().draw(marginals, instance_codes, n, rng)
        codes[np.arange(n), column] = lime_codes[np.arange(n), column]
        codes[0] = instance_codes
        return codes

    def __repr__(self):
        return "SwapOneColumn()"


class KeepHalf:
    """A mask sampler: each feature shown with probability 1/2."""

    def draw(self, d, n, rng):
        Z = (rng.random((n, d)) < 0.5).astype(float)
        Z[0] = 1.0
        return Z


class WeightedMeanDifference:
    """A surrogate: each feature's weight is the weighted difference of the outputs
    with the feature on and off (a crude but honest linear summary)."""

    def fit(self, design, label, features, z0):
        X, y, w = design.X, design.Y[:, label], design.w
        S = np.asarray(features, dtype=np.intp)
        coef = np.empty(S.size)
        for i, j in enumerate(S):
            on = X[:, j] > 0.5
            coef[i] = (np.average(y[on], weights=w[on]) if on.any() else 0.0) - (
                np.average(y[~on], weights=w[~on]) if (~on).any() else 0.0)
        intercept = float(np.average(y, weights=w) - design.x_mean[S] @ coef)
        local = intercept + float(coef @ z0[S])
        return SurrogateFit(features=S, coef=coef, intercept=intercept, score=0.0,
                            local_pred=local)


def flat_kernel(distances, width):
    return np.ones_like(distances)


# ------------------------------------------------------------------- the cases
def _tabular_case():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))

    def model(A):
        p = 1 / (1 + np.exp(-3 * np.asarray(A)[:, 0]))
        return np.column_stack([1 - p, p])

    return X, model


def _text_model(docs):
    p = np.array([0.2 + 0.6 * ("good" in d.split()) for d in docs])
    return np.column_stack([1 - p, p])


def _image_model(images):
    p = np.asarray(images)[:, :8, :8].mean(axis=(1, 2, 3)) / 255.0
    return np.column_stack([1 - p, p])


def _series_model(batch):
    p = 1 / (1 + np.exp(-4 * (np.asarray(batch)[:, 10:20].mean(axis=1) - 0.5)))
    return np.column_stack([1 - p, p])


IMAGE = np.zeros((16, 16, 3), dtype=np.uint8)
IMAGE[:8, :8] = 255
SERIES = np.r_[np.zeros(10), np.ones(10), np.zeros(20)]


def _explain(kind, **options):
    if kind == "tabular":
        X, model = _tabular_case()
        return TabularExplainer(X, random_state=0, **options).explain(
            X[1], model, labels=[1], num_features=2, num_samples=500)
    if kind == "text":
        return TextExplainer(random_state=0, **options).explain(
            "a good and fun story", _text_model, labels=[1], num_features=2, num_samples=500)
    if kind == "image":
        return ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 2}, hide_color=0,
                              random_state=0, **options).explain(
            IMAGE, _image_model, labels=[1], num_features=2, num_samples=200)
    return SegmentTimeSeriesExplainer(n_segments=4, baseline="zero", random_state=0,
                                      **options).explain(SERIES, _series_model, labels=[1],
                                                         num_features=2, num_samples=300)


KINDS = ["tabular", "text", "image", "series"]
# the feature that drives each case's model
DRIVER = {"tabular": 0, "text": None, "image": 0, "series": 1}


def _top_feature(exp) -> int:
    return exp.label_explanations[1].weights[0][0]


@pytest.mark.parametrize("kind", KINDS)
def test_a_user_surrogate_plugs_in(kind):
    exp = _explain(kind, surrogate=WeightedMeanDifference())
    assert "WeightedMeanDifference" in exp.settings["surrogate"]
    weights = dict(exp.label_explanations[1].weights)
    assert np.isfinite(list(weights.values())).all()
    if DRIVER[kind] is not None:
        assert _top_feature(exp) == DRIVER[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_a_user_kernel_plugs_in(kind):
    flat = _explain(kind, kernel=flat_kernel)
    default = _explain(kind)
    assert flat.effective_sample_size == pytest.approx(flat.num_samples)
    assert default.effective_sample_size < default.num_samples


@pytest.mark.parametrize("kind", ["text", "image", "series"])
def test_a_user_mask_sampler_plugs_in(kind):
    exp = _explain(kind, sampler=KeepHalf())
    again = _explain(kind, sampler=KeepHalf())
    assert exp.as_list(1) == again.as_list(1)  # seeded like the built-in samplers
    if DRIVER[kind] is not None:
        assert _top_feature(exp) == DRIVER[kind]


def test_a_user_tabular_sampler_plugs_in():
    exp = _explain("tabular", sampler=SwapOneColumn())
    assert exp.settings["sampler"] == "SwapOneColumn()"
    assert _top_feature(exp) == 0
    assert exp.as_list(1) == _explain("tabular", sampler=SwapOneColumn()).as_list(1)
    # every sample differs from the instance in at most one column
    X, model = _tabular_case()
    explainer = TabularExplainer(X, random_state=0, sampler=SwapOneColumn())
    rep = explainer.representation
    row = rep.check_instance(X[1])
    part, Z, w = explainer._draw(row, rep.encode(row), 50, np.random.default_rng(0),
                                 explainer.kernel)
    changed = (np.asarray(Z) == 0).sum(axis=1)
    assert changed.max() == 1 and changed[0] == 0


def test_a_tabular_sampler_must_implement_something():
    class Nothing(TabularSampler):
        pass

    X, model = _tabular_case()
    with pytest.raises(NotImplementedError, match="must implement draw"):
        TabularExplainer(X, sampler=Nothing(), random_state=0).explain(X[0], model)
    with pytest.raises(TypeError, match="TabularSampler"):
        TabularExplainer(X, sampler=object())
