"""Compat gaps found running lime's tutorials (tests/test_lime_tutorials.py)."""

from __future__ import annotations

import numpy as np
import pytest

from limekit.compat.exceptions import LimeError
from limekit.compat.explanation import DomainMapper, Explanation
from limekit.compat.lime_image import ImageExplanation, LimeImageExplainer
from limekit.compat.lime_text import LimeTextExplainer

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

IMAGE = np.random.default_rng(0).integers(0, 256, (16, 16, 3)).astype(np.uint8)
# four 8x8 superpixels labelled 10, 20, 30, 40 (a user's own segment map)
SEGMENTS = np.repeat(np.repeat(np.arange(1, 5).reshape(2, 2) * 10, 8, 0), 8, 1)


def tied_model(images):
    """20 classes; 0 and 1 follow the top-left block, the other 18 tie exactly."""
    p = np.asarray(images)[:, :8, :8].mean(axis=(1, 2, 3)) / 255
    out = np.full((len(images), 20), 0.01)
    out[:, 0], out[:, 1] = p, 1 - p
    return out / out.sum(axis=1, keepdims=True)


def _explain(**kw):
    return LimeImageExplainer(random_state=0).explain_instance(
        IMAGE, tied_model, num_samples=100, segmentation_fn=lambda img: SEGMENTS,
        progress_bar=False, **kw)


def test_image_top_labels_break_ties_like_lime():
    exp = _explain(top_labels=5)
    preds = tied_model(IMAGE[None])[0]
    lime_top = list(np.argsort(preds)[-5:])[::-1]  # lime_image.explain_instance
    assert exp.top_labels == [int(k) for k in lime_top]
    assert list(exp.local_exp) == exp.top_labels[::-1]
    for label in exp.top_labels:  # the Faces tutorial's loop
        exp.get_image_and_mask(label, positive_only=True, num_features=5, hide_rest=False)


def test_image_keeps_the_users_segment_labels():
    exp = _explain(top_labels=1)
    assert exp.segments is SEGMENTS or np.array_equal(exp.segments, SEGMENTS)
    label = exp.top_labels[0]
    assert sorted(f for f, _ in exp.local_exp[label]) == [10, 20, 30, 40]
    (best, weight), *_ = exp.local_exp[label]
    _, mask = exp.get_image_and_mask(label, positive_only=False, num_features=1)
    assert np.array_equal(mask != 0, SEGMENTS == best)
    # the native explanation keeps its own 0..S-1 numbering, unchanged
    assert exp.native.segments.min() == 0 and exp.native.n_segments == 4
    assert dict(exp.native.label_explanations[label].weights)[[10, 20, 30, 40].index(best)] \
        == weight


def test_image_segments_from_zero_are_unchanged():
    seg = SEGMENTS // 10 - 1
    exp = LimeImageExplainer(random_state=0).explain_instance(
        IMAGE, tied_model, top_labels=1, num_samples=100, segmentation_fn=lambda img: seg,
        progress_bar=False)
    assert np.array_equal(exp.segments, seg)
    assert exp.local_exp[exp.top_labels[0]] == list(
        exp.native.label_explanations[exp.top_labels[0]].weights)


def test_image_explanation_by_hand_as_in_lime():
    exp = ImageExplanation(IMAGE, SEGMENTS)
    assert exp.image is IMAGE and exp.segments is SEGMENTS
    assert exp.local_exp == {} and exp.intercept == {} and exp.score == {}
    exp.local_exp[3] = [(20, 0.5), (40, -0.25)]
    temp, mask = exp.get_image_and_mask(3, positive_only=False, num_features=2)
    assert np.array_equal(mask, np.where(SEGMENTS == 20, 1, np.where(SEGMENTS == 40, -1, 0)))
    with pytest.raises(KeyError):
        exp.get_image_and_mask(0)


def test_explanation_by_hand_as_in_lime():
    exp = Explanation(DomainMapper(), mode="classification", class_names=["no", "yes"])
    assert exp.native is None and exp.local_exp == {} and exp.top_labels is None
    exp.local_exp[1] = [(0, 0.5), (3, -0.25)]
    assert exp.as_list(label=1) == [(0, 0.5), (3, -0.25)]
    assert exp.available_labels() == [1]
    fig = exp.as_pyplot_figure(label=1)
    assert fig.axes[0].get_title() == "Local explanation for class yes"
    reg = Explanation(DomainMapper(), "regression")
    assert reg.class_names == ["negative", "positive"] and reg.dummy_label == 1
    with pytest.raises(LimeError):
        Explanation(DomainMapper(), mode="ranking")


def test_as_pyplot_figure_passes_domain_mapper_options_as_lime():
    explainer = LimeTextExplainer(class_names=["bad", "good"], random_state=0)

    def model(docs):
        return np.array([[0.2, 0.8] if "good" in d else [0.9, 0.1] for d in docs])

    exp = explainer.explain_instance("good food and a good place", model, num_features=3,
                                     num_samples=200)
    fig = exp.as_pyplot_figure(positions=True)
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert names == [n for n, _ in exp.as_list(positions=True)]
    assert any("_" in n for n in names)
    assert len(exp.as_pyplot_figure(num_features=1).axes[0].patches) == 1  # limekit extra
