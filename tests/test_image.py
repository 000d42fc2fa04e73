"""Image explanations: parity with lime 0.2.0.1, known truths, validation, rendering.

Images are small (32×32 to 64×64) so the file runs in seconds; parity uses
lime's own quickshift wrapper as the shared segmentation and lime's default
N = 1000 samples.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import json
import pickle
import types

import numpy as np
import pytest

from limekit.blackbox import as_blackbox
from limekit.compat.lime_image import ImageExplanation as CompatImageExplanation
from limekit.compat.lime_image import LimeImageExplainer
from limekit.compat.wrappers.scikit_image import SegmentationAlgorithm
from limekit.explainers.image import ImageExplainer, ImageExplanation, image_and_mask
from limekit.explanation import Explanation
from limekit.representations.image import (
    ImageRepresentation,
    check_image,
    grid_segments,
    relabel_segments,
    segment_image,
)

lime_image = pytest.importorskip("lime.lime_image")
skimage_data = pytest.importorskip("skimage.data")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 64×64 uint8 RGB photograph (skimage's astronaut, downsampled)."""
    from skimage.transform import resize

    img = resize(skimage_data.astronaut(), (64, 64), anti_aliasing=True)
    return (img * 255).round().astype(np.uint8)


@pytest.fixture(scope="module")
def lime_segmenter():
    from lime.wrappers.scikit_image import SegmentationAlgorithm as LimeSeg

    return LimeSeg("quickshift", kernel_size=2, max_dist=20, ratio=0.5)


def nonlinear_model(images: np.ndarray) -> np.ndarray:
    """A smooth but nonlinear two-class model of brightness in three regions."""
    g = np.asarray(images, dtype=float)
    g = (g.mean(axis=-1) if g.ndim == 4 else g) / 255.0
    a = g[:, 8:32, 8:32].mean(axis=(1, 2))
    b = g[:, 32:, 20:60].mean(axis=(1, 2))
    c = g[:, :20, 40:].std(axis=(1, 2))
    z = 6 * (a - b) + 4 * a * c - 2 * np.abs(a - 0.4)
    p = 1.0 / (1.0 + np.exp(-z))
    return np.column_stack([1 - p, p])


def top_left_model(images: np.ndarray) -> np.ndarray:
    """Probability of class 1 = mean brightness of the top-left quarter only."""
    x = np.asarray(images, dtype=float)
    h, w = x.shape[1] // 2, x.shape[2] // 2
    scale = 255.0 if np.asarray(images).dtype.kind in "ui" else 1.0
    region = x[:, :h, :w]
    p = region.reshape(len(x), -1).mean(axis=1) / scale
    return np.column_stack([1 - p, p])


def unchanged_region_model(reference: np.ndarray):
    """p(class 1) = fraction of the top-left quarter's pixels still equal to ``reference``.

    Whatever replaces a hidden segment (its mean, a colour, a blur), on a noise
    image it changes that segment's pixels, so only the quarter's segments matter.
    """
    ref = np.asarray(reference, dtype=float)

    def model(images):
        x = np.asarray(images, dtype=float)
        h, w = x.shape[1] // 2, x.shape[2] // 2
        same = np.abs(x[:, :h, :w] - ref[:h, :w]) < 1e-9
        p = same.reshape(len(x), -1).mean(axis=1)
        return np.column_stack([1 - p, p])

    return model


def rng_image(shape, dtype=np.uint8, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.random(shape).astype(dtype)
    return rng.integers(0, 256, size=shape).astype(dtype)


# -------------------------------------------------------------------- parity
def interaction_model(photo: np.ndarray):
    """Class 1 needs a bright region AND a textured one: a sharp, non-additive model.

    Thresholds sit just below the photo's own values, so hiding a few
    superpixels flips each factor and the mask-to-output map is far from linear.
    """
    g0 = photo.astype(float).mean(axis=-1) / 255
    a0 = g0[8:32, 8:32].mean() - 0.02
    c0 = g0[:20, 40:].std() - 0.03

    def model(images):
        g = np.asarray(images, dtype=float).mean(axis=-1) / 255
        a = g[:, 8:32, 8:32].mean(axis=(1, 2))
        c = g[:, :20, 40:].std(axis=(1, 2))
        p = 0.05 + 0.9 / ((1 + np.exp(-60 * (a - a0))) * (1 + np.exp(-60 * (c - c0))))
        return np.column_stack([1 - p, p])

    return model


def _agreement(exp_a, exp_b, label):
    wa, wb = dict(exp_a.local_exp[label]), dict(exp_b.local_exp[label])
    assert sorted(wa) == sorted(wb)  # every segment is explained, as in lime
    keys = sorted(wa)
    top_a = {f for f, _ in exp_a.local_exp[label][:5]}
    top_b = {f for f, _ in exp_b.local_exp[label][:5]}
    corr = np.corrcoef([wa[k] for k in keys], [wb[k] for k in keys])[0, 1]
    return len(top_a & top_b), corr


@pytest.mark.parametrize("which", ["nonlinear", "interaction"])
def test_parity_with_lime_over_seeds(photo, lime_segmenter, which):
    """Same image, segmentation and model, lime's defaults (N=1000), 5 seeds:
    top-5 overlap and weight correlation, next to lime's own seed-to-seed agreement."""
    model = nonlinear_model if which == "nonlinear" else interaction_model(photo)
    segments = lime_segmenter(photo)
    overlaps, correlations, native_corr, lime_self = [], [], [], []
    for seed in range(5):
        ref = lime_image.LimeImageExplainer(random_state=seed).explain_instance(
            photo, model, top_labels=1, num_samples=1000, segmentation_fn=lime_segmenter)
        ref2 = lime_image.LimeImageExplainer(random_state=seed + 100).explain_instance(
            photo, model, top_labels=1, num_samples=1000, segmentation_fn=lime_segmenter)
        ours = LimeImageExplainer(random_state=seed).explain_instance(
            photo, model, top_labels=1, num_samples=1000,
            segmentation_fn=lime_segmenter, progress_bar=False)
        native = ImageExplainer(random_state=seed).explain(photo, model, segments=segments,
                                                           top_labels=1)
        label = ref.top_labels[0]
        assert ours.top_labels == [label] and native.labels == [label]
        assert np.array_equal(ours.segments, segments)  # quickshift labels are already 0..S-1
        overlap, corr = _agreement(ref, ours, label)
        overlaps.append(overlap)
        correlations.append(corr)
        native_corr.append(_agreement(ref, native, label)[1])
        lime_self.append(_agreement(ref, ref2, label)[1])
        assert abs(ours.intercept[label] - ref.intercept[label]) < 0.05
        assert abs(ours.score - ref.score) < 0.05
        assert ours.local_pred.shape == ref.local_pred.shape == (1,)
    print(f"\nimage parity ({which}): mean top-5 overlap {np.mean(overlaps):.2f}/5, mean "
          f"weight correlation {np.mean(correlations):.4f} (native {np.mean(native_corr):.4f}; "
          f"lime vs lime across seeds {np.mean(lime_self):.4f})")
    assert np.mean(overlaps) >= 4
    assert np.mean(correlations) >= 0.9
    assert np.mean(native_corr) >= 0.9
    # as close to lime as lime is to itself under another seed
    assert np.mean(correlations) >= np.mean(lime_self) - 0.02


def test_perturbed_images_equal_lime_pixel_for_pixel(photo, lime_segmenter):
    """For lime's own masks, limekit's vectorised decoding gives lime's images exactly."""
    explainer = lime_image.LimeImageExplainer(random_state=0)
    captured = {}
    original = explainer.data_labels

    def spy(image, fudged_image, segments, classifier_fn, num_samples, batch_size=10):
        images = []

        def recording_fn(batch):
            images.append(np.array(batch))
            return classifier_fn(batch)

        data, labels = original(image, fudged_image, segments, recording_fn, num_samples,
                                batch_size=batch_size)
        captured.update(data=data, images=np.concatenate(images), segments=segments)
        return data, labels

    explainer.data_labels = spy
    explainer.explain_instance(photo, nonlinear_model, top_labels=1, num_samples=60,
                               segmentation_fn=lime_segmenter)
    seg, n_seg = relabel_segments(captured["segments"])
    rep = ImageRepresentation(photo, seg, n_seg, hide_color=None)
    decoded = np.concatenate(list(rep.decode_chunks(captured["data"], batch_size=7)))
    assert decoded.dtype == captured["images"].dtype == np.uint8
    assert np.array_equal(decoded, captured["images"])


# --------------------------------------------------------------- known truth
def test_model_looking_at_one_region_gets_its_segments():
    image = rng_image((32, 32, 3), seed=1)
    exp = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4}, hide_color=0,
                         random_state=0).explain(image, top_left_model, labels=[1],
                                                 num_samples=400)
    top = sorted(f for f, _ in exp.local_exp[1][:4])
    assert top == [0, 1, 4, 5]  # the four cells of the top-left quarter
    assert all(w > 0 for _, w in exp.local_exp[1][:4])
    outside = [abs(w) for f, w in exp.local_exp[1] if f not in top]
    assert max(outside) < 0.1 * min(abs(w) for _, w in exp.local_exp[1][:4])


def test_known_truth_with_content_segmentation(photo):
    exp = ImageExplainer(segmenter="slic", segmenter_kwargs={"n_segments": 30}, hide_color=0,
                         random_state=0).explain(photo, top_left_model, labels=[1],
                                                 num_samples=500)
    region = np.zeros(photo.shape[:2], bool)
    region[:32, :32] = True
    for f, w in exp.local_exp[1][:3]:
        assert w > 0
        assert region[exp.segments == f].mean() > 0.5  # mostly inside the region


# ------------------------------------------------------------- segmentation
@pytest.mark.parametrize("offset_labels", [
    lambda s: s + 1,                        # slic-style, numbered from 1
    lambda s: np.array([3, 10, 99, 7])[s],  # non-contiguous, not sorted
    lambda s: (s * 5 - 40).astype(np.int32),  # negative labels
    lambda s: s.astype(float),              # integer-valued floats
])
def test_segments_are_relabelled_to_0_S(offset_labels):
    image = rng_image((24, 24, 3))
    base = grid_segments(image.shape, 2)  # 4 segments 0..3

    def segmenter(img):
        return offset_labels(base)

    exp = ImageExplainer(segmenter=segmenter, random_state=0).explain(
        image, top_left_model, labels=[1], num_samples=200)
    ref = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 2}, random_state=0
                         ).explain(image, top_left_model, labels=[1], num_samples=200)
    assert exp.n_segments == 4
    assert sorted(np.unique(exp.segments).tolist()) == [0, 1, 2, 3]
    assert np.all(np.bincount(exp.segments.ravel()) > 0)  # no dead (empty) feature
    # the same partition numbered the same way gives the same explanation
    if np.array_equal(exp.segments, ref.segments):
        assert exp.local_exp == ref.local_exp


def test_slic_has_no_dead_feature(photo):
    segments = ImageExplainer(segmenter="slic").segment(photo)
    counts = np.bincount(segments.ravel())
    assert segments.min() == 0 and np.all(counts > 0)
    # lime's wrapper keeps slic's labels from 1: label 0 covers no pixel
    from lime.wrappers.scikit_image import SegmentationAlgorithm as LimeSeg

    lime_labels = LimeSeg("slic")(photo)
    assert lime_labels.min() == 1
    # limekit's compat explainer re-indexes them internally (every feature is a
    # superpixel) and reports them under slic's own labels, as lime's keys are
    exp = LimeImageExplainer(random_state=0).explain_instance(
        photo, nonlinear_model, top_labels=1, num_samples=100,
        segmentation_fn=SegmentationAlgorithm("slic"), progress_bar=False)
    assert exp.segments.min() == 1 and exp.native.segments.min() == 0
    keys = sorted(f for f, _ in exp.local_exp[exp.top_labels[0]])
    assert keys == sorted(np.unique(exp.segments).tolist())


@pytest.mark.parametrize("segmenter", ["quickshift", "slic", "felzenszwalb", "grid"])
@pytest.mark.parametrize("shape", [(32, 32), (32, 32, 1), (32, 32, 3), (32, 32, 4)])
def test_named_segmenters_on_every_channel_layout(segmenter, shape):
    image = rng_image(shape)
    seg, n = segment_image(check_image(image), segmenter)
    assert seg.shape == (32, 32) and seg.min() == 0 and seg.max() == n - 1


# ----------------------------------------------------- layouts and dtypes
@pytest.mark.parametrize("shape", [(32, 40), (32, 40, 1), (32, 40, 3), (32, 40, 4)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64, np.uint16])
def test_layouts_and_dtypes_reach_the_model_unchanged(shape, dtype):
    image = rng_image(shape, dtype)
    seen = []

    def model(batch):
        seen.append((batch.shape[1:], batch.dtype))
        return top_left_model(batch)

    exp = ImageExplainer(segmenter="grid", random_state=0).explain(
        image, model, num_samples=60, batch_size=25)
    assert set(seen) == {(shape, np.dtype(dtype))}
    assert exp.image.dtype == np.dtype(dtype) and exp.image.shape == shape
    img, mask = exp.image_and_mask(positive_only=True)
    assert img.dtype == np.dtype(dtype) and mask.shape == shape[:2]
    img, mask = exp.image_and_mask(positive_only=False)
    assert img.dtype == np.dtype(dtype)
    assert img.shape == (shape if len(shape) == 3 and shape[2] > 1 else (*shape[:2], 3))


def test_model_is_called_per_chunk_and_decoding_is_a_generator():
    image = rng_image((32, 32, 3))
    sizes = []

    def model(batch):
        sizes.append(len(batch))
        return top_left_model(batch)

    ImageExplainer(segmenter="grid", random_state=0).explain(image, model, num_samples=95,
                                                             batch_size=10)
    assert sizes == [10] * 9 + [5]
    seg, n = relabel_segments(grid_segments(image.shape))
    rep = ImageRepresentation(image, seg, n)
    chunks = rep.decode_chunks(np.ones((30, n)), batch_size=8)
    assert isinstance(chunks, types.GeneratorType)
    assert [len(c) for c in chunks] == [8, 8, 8, 6]


# ------------------------------------------------------------- hide_color
def _decode_hidden(image, hide_color):
    seg, n = relabel_segments(grid_segments(image.shape, 2))
    rep = ImageRepresentation(image, seg, n, hide_color=hide_color)
    Z = np.array([[1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]], dtype=float)
    return seg, rep.decode(Z)


def test_hide_color_none_uses_each_segment_mean_like_lime():
    image = rng_image((16, 16, 3))
    seg, out = _decode_hidden(image, None)
    assert np.array_equal(out[0], image)
    for s in range(4):
        m = seg == s
        expected = image[m].mean(axis=0).astype(np.uint8)  # lime's truncating assignment
        assert np.all(out[2][m] == expected)
    assert np.array_equal(out[1][seg != 0], image[seg != 0])


def test_hide_color_number_colour_and_blur():
    image = rng_image((16, 16, 3))
    seg, out = _decode_hidden(image, 0)
    assert np.all(out[2] == 0) and np.all(out[1][seg == 0] == 0)
    seg, out = _decode_hidden(image, (255, 0, 10))
    assert np.all(out[2] == np.array([255, 0, 10], np.uint8))
    seg, out = _decode_hidden(image, "blur")
    assert out.dtype == np.uint8 and out[2].std() < image.std()
    seg, out = _decode_hidden(image.astype(np.float32) / 255, 0.5)
    assert out.dtype == np.float32 and np.all(out[2] == 0.5)
    gray = rng_image((16, 16))
    seg, out = _decode_hidden(gray, 7)
    assert out.shape == (3, 16, 16) and np.all(out[2] == 7)


@pytest.mark.parametrize("bad, exc", [
    (300, ValueError), (-1, ValueError), ((1, 2), ValueError), ("red", ValueError),
    (float("nan"), ValueError), (object(), TypeError),
])
def test_bad_hide_color(bad, exc):
    with pytest.raises(exc):
        _decode_hidden(rng_image((16, 16, 3)), bad)


def test_hide_color_variants_end_to_end():
    image = rng_image((32, 32, 3))
    for hc in (None, 0, (0, 0, 255), "blur"):
        exp = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4}, hide_color=hc,
                             random_state=0).explain(image, unchanged_region_model(image),
                                                     labels=[1], num_samples=300)
        assert sorted(f for f, _ in exp.local_exp[1][:4]) == [0, 1, 4, 5]
        assert exp.settings["hide_color"] == (list(hc) if isinstance(hc, tuple) else hc)


# -------------------------------------------------------------- bad inputs
def wrong_rows(batch):
    return top_left_model(batch)[:-1]


@pytest.mark.parametrize("image, match", [
    (np.zeros((1, 1, 3), np.uint8), "too small"),
    (np.zeros((1, 20), np.uint8), "too small"),
    (np.zeros((2, 16, 16, 3), np.uint8), "once per image"),
    (np.zeros((3, 16, 16), np.uint8), "channels-first"),
    (np.zeros((16, 16, 5), np.uint8), "channels"),
    (np.zeros(16), "2-D"),
])
def test_bad_image_shapes(image, match):
    with pytest.raises(ValueError, match=match):
        ImageExplainer(segmenter="grid").explain(image, top_left_model)


def test_nan_and_non_numeric_images():
    image = rng_image((16, 16, 3), np.float64)
    image[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*\(3, 4, 1\)"):
        ImageExplainer(segmenter="grid").explain(image, top_left_model)
    with pytest.raises(TypeError):
        ImageExplainer(segmenter="grid").explain(np.zeros((8, 8), bool), top_left_model)
    with pytest.raises(TypeError):
        ImageExplainer(segmenter="grid").explain("cat.png", top_left_model)
    with pytest.raises(TypeError):
        ImageExplainer(segmenter="grid").explain(np.full((8, 8), "a"), top_left_model)


def test_segmenter_returning_the_wrong_shape():
    image = rng_image((16, 16, 3))
    with pytest.raises(ValueError, match=r"shape \(8, 8\).*16×16"):
        ImageExplainer(segmenter=lambda img: np.zeros((8, 8), int)).explain(image,
                                                                           top_left_model)
    with pytest.raises(ValueError, match="segments has shape"):
        ImageExplainer().explain(image, top_left_model, segments=np.zeros((16, 15), int))
    with pytest.raises(ValueError, match="integer"):
        ImageExplainer(segmenter=lambda img: np.full(img.shape[:2], 0.5)).explain(
            image, top_left_model)


def test_bad_model_outputs():
    image = rng_image((16, 16, 3))
    ex = ImageExplainer(segmenter="grid")
    with pytest.raises(ValueError, match="one prediction per row"):
        ex.explain(image, wrong_rows, num_samples=50)
    with pytest.raises(ValueError, match="NaN"):
        ex.explain(image, lambda b: np.full((len(b), 2), np.nan), num_samples=50)

    calls = []

    def changing(batch):
        calls.append(1)
        k = 2 if len(calls) == 1 else 3
        return np.full((len(batch), k), 1.0 / k)

    with pytest.raises(ValueError, match="same number of outputs"):
        ex.explain(image, changing, num_samples=50, batch_size=10)
    with pytest.raises(ValueError, match="softmax"):
        ex.explain(image, lambda b: np.full((len(b), 2), 3.0), num_samples=50)


def test_bad_settings():
    with pytest.raises(ValueError, match="segmenter"):
        ImageExplainer(segmenter="watershed")
    with pytest.raises(ValueError, match="feature_selection"):
        ImageExplainer(feature_selection="magic")
    with pytest.raises(ValueError, match="kernel_width"):
        ImageExplainer(kernel_width=0)
    with pytest.raises(ValueError, match="hide_color"):
        ImageExplainer(hide_color="grey")
    image = rng_image((16, 16, 3))
    with pytest.raises(ValueError, match="batch_size"):
        ImageExplainer(segmenter="grid").explain(image, top_left_model, batch_size=0)
    with pytest.raises(ValueError, match="num_samples"):
        ImageExplainer(segmenter="grid").explain(image, top_left_model, num_samples=1)
    with pytest.raises(TypeError, match="does not accept"):
        ImageExplainer(segmenter="slic", segmenter_kwargs={"bogus": 1}).explain(
            image, top_left_model)
    with pytest.raises(ValueError, match="not a valid class index"):
        ImageExplainer(segmenter="grid").explain(image, top_left_model, labels=[5])


# ------------------------------------------------------ image_and_mask
@pytest.fixture(scope="module")
def signed_exp(photo):
    """An explanation with strong weights of both signs."""
    def model(batch):
        g = np.asarray(batch, float).mean(axis=-1) / 255
        p = 1 / (1 + np.exp(-8 * (g[:, :32, :32].mean((1, 2)) - g[:, 32:, 32:].mean((1, 2)))))
        return np.column_stack([1 - p, p])

    return ImageExplainer(segmenter="slic", segmenter_kwargs={"n_segments": 25},
                          random_state=0).explain(photo, model, labels=[1], num_samples=400)


@pytest.mark.parametrize("positive_only, negative_only", [(True, False), (False, True),
                                                          (False, False)])
@pytest.mark.parametrize("hide_rest", [False, True])
@pytest.mark.parametrize("num_features, min_weight", [(5, 0.0), (3, 0.0), (10, 0.02), (0, 0.0)])
def test_image_and_mask_matches_lime(signed_exp, positive_only, negative_only, hide_rest,
                                     num_features, min_weight):
    weights = signed_exp.local_exp[1]
    assert any(w > 0 for _, w in weights) and any(w < 0 for _, w in weights)
    ref = lime_image.ImageExplanation(np.array(signed_exp.image), np.array(signed_exp.segments))
    ref.local_exp = {1: list(weights)}
    kwargs = dict(positive_only=positive_only, negative_only=negative_only,
                  hide_rest=hide_rest, num_features=num_features, min_weight=min_weight)
    ref_img, ref_mask = ref.get_image_and_mask(1, **kwargs)

    img, mask = signed_exp.image_and_mask(1, **kwargs)
    assert np.array_equal(mask, ref_mask)
    assert np.array_equal(img, ref_img)          # same values ...
    assert img.dtype == signed_exp.image.dtype   # ... in the image's own dtype

    compat = CompatImageExplanation(signed_exp)
    c_img, c_mask = compat.get_image_and_mask(1, **kwargs)
    assert c_img.dtype == ref_img.dtype          # lime's float64 canvas with hide_rest
    assert np.array_equal(c_img, ref_img) and np.array_equal(c_mask, ref_mask)
    assert c_mask.dtype == ref_mask.dtype


def test_image_and_mask_errors(signed_exp):
    with pytest.raises(ValueError):
        signed_exp.image_and_mask(1, positive_only=True, negative_only=True)
    with pytest.raises(KeyError):
        signed_exp.image_and_mask(0)
    compat = CompatImageExplanation(signed_exp)
    with pytest.raises(KeyError, match="Label not in explanation"):
        compat.get_image_and_mask(0)
    with pytest.raises(ValueError):
        compat.get_image_and_mask(1, positive_only=True, negative_only=True)


def test_image_and_mask_function_on_grey():
    image = rng_image((8, 8))
    seg = grid_segments(image.shape, 2)
    img, mask = image_and_mask(image, seg, [(0, 0.5), (3, -0.2)], positive_only=False)
    assert img.shape == (8, 8, 3) and set(np.unique(mask)) == {-1, 0, 1}
    assert np.all(img[seg == 0, 1] == image.max()) and np.all(img[seg == 3, 0] == image.max())


# ------------------------------------------------------------- rendering
def test_html_is_self_contained_and_escapes_class_names(photo):
    names = ["<script>alert('x')</script>", 'cat & "dog"']
    exp = ImageExplainer(segmenter="slic", class_names=names, random_state=0).explain(
        photo, nonlinear_model, num_samples=200)
    for page in (exp.to_html(), exp.to_html(full_page=False), exp._repr_html_()):
        low = page.lower().replace("http-equiv", "")  # the CSP <meta> of full pages
        assert "http" not in low and "<script" not in low and "javascript" not in low
        assert "src=\"data:image/png;base64," in page
        assert "&lt;script&gt;" in page and "cat &amp; &quot;dog&quot;" in page
    assert exp.to_html() == exp.to_html()  # pure function of the explanation
    assert exp.to_html().startswith("<!DOCTYPE html>")


def test_png_overlay_decodes(signed_exp):
    plt = pytest.importorskip("matplotlib.pyplot")
    png = signed_exp.overlay_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = plt.imread(io.BytesIO(png), format="png")
    scale = 256 // 64
    assert decoded.shape[:2] == (64 * scale, 64 * scale)
    over = signed_exp.overlay(num_features=3)
    assert over.shape == (64, 64, 3) and over.min() >= 0 and over.max() <= 1


def test_plot(signed_exp):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = signed_exp.plot()
    assert len(fig.axes) == 3
    plt.close(fig)
    fig, ax = plt.subplots()
    assert signed_exp.plot(ax=ax) is fig
    plt.close(fig)


# ------------------------------------------------------ serialisation
@pytest.mark.parametrize("shape, dtype", [((20, 24, 3), np.uint8), ((20, 24), np.uint8),
                                          ((20, 24, 4), np.float32), ((20, 24, 1), np.float64)])
def test_json_round_trip(shape, dtype):
    image = rng_image(shape, dtype)
    exp = ImageExplainer(segmenter="grid", hide_color=(0,) * (shape[2] if len(shape) == 3
                                                             else 1),
                         random_state=0).explain(image, top_left_model, num_samples=80)
    text = exp.to_json()
    json.loads(text)  # valid JSON
    back = Explanation.from_json(text)
    assert type(back) is ImageExplanation
    assert back == exp
    assert back.image.dtype == np.dtype(dtype) and np.array_equal(back.image, exp.image)
    assert np.array_equal(back.segments, exp.segments)
    assert pickle.loads(pickle.dumps(exp)) == exp
    assert exp != ImageExplainer(segmenter="grid", random_state=1).explain(
        image, top_left_model, num_samples=80)


def test_explanation_arrays_are_read_only(signed_exp):
    with pytest.raises(ValueError):
        signed_exp.image[0, 0, 0] = 1
    with pytest.raises(ValueError):
        signed_exp.segments[0, 0] = 1


# --------------------------------------------------------- determinism
def test_determinism(photo):
    ex = ImageExplainer(segmenter="slic", random_state=3)
    a = ex.explain(photo, nonlinear_model, num_samples=150)
    ex.explain(photo[::-1].copy(), nonlinear_model, num_samples=150)  # in between
    b = ex.explain(photo, nonlinear_model, num_samples=150)
    c = ImageExplainer(segmenter="slic", random_state=3).explain(photo, nonlinear_model,
                                                                 num_samples=150)
    assert a == b == c
    d = ImageExplainer(segmenter="slic", random_state=4).explain(photo, nonlinear_model,
                                                                 num_samples=150)
    assert a.local_exp != d.local_exp
    # the batch size changes how the model is called, not the explanation
    e = ex.explain(photo, nonlinear_model, num_samples=150, batch_size=None)
    assert e.local_exp == a.local_exp


# -------------------------------------------------------------- compat
def test_compat_signatures_match_lime():
    from lime.wrappers import scikit_image as lime_wrappers

    def params(fn):
        """Names, kinds and defaults (annotations are not part of lime's API)."""
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert params(LimeImageExplainer.__init__) == params(lime_image.LimeImageExplainer.__init__)
    ours = params(LimeImageExplainer.explain_instance)
    theirs = params(lime_image.LimeImageExplainer.explain_instance)
    # lime 0.2.0.1's parameters in order, then progress_bar=True from lime's later releases
    assert ours[:len(theirs)] == theirs
    assert [(name, default) for name, _, default in ours[len(theirs):]] == [
        ("progress_bar", True)]
    assert (params(CompatImageExplanation.get_image_and_mask)
            == params(lime_image.ImageExplanation.get_image_and_mask))
    assert (params(SegmentationAlgorithm.__init__)
            == params(lime_wrappers.SegmentationAlgorithm.__init__))


def test_compat_attributes_and_label_order(photo, lime_segmenter):
    def three(batch):
        p = nonlinear_model(batch)[:, 1]
        return np.column_stack([0.6 * (1 - p), 0.4 * (1 - p), p])

    ref = lime_image.LimeImageExplainer(random_state=0).explain_instance(
        photo, three, top_labels=2, num_samples=200, segmentation_fn=lime_segmenter)
    ours = LimeImageExplainer(random_state=np.random.RandomState(0)).explain_instance(
        photo, three, top_labels=2, num_samples=200, segmentation_fn=lime_segmenter,
        progress_bar=False)
    assert [int(k) for k in ref.top_labels] == ours.top_labels
    assert [int(k) for k in ref.local_exp] == list(ours.local_exp)  # least probable first
    assert list(ours.intercept) == list(ours.local_exp)
    assert isinstance(ours.score, float) and ours.local_pred.shape == (1,)
    assert ours.image.shape == photo.shape and ours.segments.shape == photo.shape[:2]
    labels_only = LimeImageExplainer(random_state=0).explain_instance(
        photo, three, labels=(0, 2), top_labels=None, num_samples=100,
        segmentation_fn=lime_segmenter, progress_bar=False)
    assert list(labels_only.local_exp) == [0, 2] and labels_only.top_labels is None


def test_compat_grey_image_becomes_rgb_and_options(capsys):
    image = rng_image((24, 24))
    shapes = []

    def model(batch):
        shapes.append(batch.shape[1:])
        return top_left_model(batch)

    from sklearn.linear_model import Ridge

    exp = LimeImageExplainer(random_state=0, verbose=True).explain_instance(
        image, model, top_labels=1, hide_color=0, num_samples=100,
        segmentation_fn=lambda img: grid_segments(img.shape, 3), model_regressor=Ridge(0.5),
        distance_metric="l2", random_seed=5, progress_bar=False)
    assert set(shapes) == {(24, 24, 3)}
    assert exp.image.shape == (24, 24, 3)
    assert "Intercept" in capsys.readouterr().out
    # the default quickshift segmentation
    default = LimeImageExplainer(random_state=0).explain_instance(
        rng_image((24, 24, 3)), top_left_model, num_samples=50, progress_bar=False)
    assert default.native.settings["segmenter"] == "quickshift"
    assert "data:image/png" in default.as_html()


def test_segmentation_algorithm_like_lime(photo):
    from lime.wrappers.scikit_image import SegmentationAlgorithm as LimeSeg

    for algo, params in [("quickshift", dict(kernel_size=4, max_dist=200, ratio=0.2,
                                             random_seed=3)),
                         ("slic", dict(n_segments=20, compactness=5, random_seed=1)),
                         ("felzenszwalb", dict(scale=50, not_a_param=1))]:
        ours, theirs = SegmentationAlgorithm(algo, **params), LimeSeg(algo, **params)
        assert ours.target_params == theirs.target_params
        assert np.array_equal(ours(photo), theirs(photo))
    with pytest.raises(ValueError, match="algo_type"):
        SegmentationAlgorithm("watershed")
    with pytest.raises(ValueError, match="not a valid parameter"):
        SegmentationAlgorithm("slic").set_params(bogus=1)


# ---------------------------------------------------------------- torch
def _tiny_cnn(torch, channels=3, n_out=2, softmax=False):
    torch.manual_seed(0)
    layers = [torch.nn.Conv2d(channels, 4, 3, padding=1), torch.nn.ReLU(),
              torch.nn.AdaptiveAvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(16, n_out)]
    if softmax:
        layers.append(torch.nn.Softmax(dim=1))
    return torch.nn.Sequential(*layers)


def test_torch_adapter():
    torch = pytest.importorskip("torch")
    from limekit.adapters.torch import TorchModel

    net = _tiny_cnn(torch)
    net.train()
    model = TorchModel(net, softmax=True, preprocess=lambda x: x / 255.0)
    images = rng_image((5, 16, 16, 3))
    out = model(images)
    with torch.no_grad():
        net.eval()
        ref = torch.softmax(net(torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255), 1)
        net.train()
    assert out.dtype == np.float64 and out.shape == (5, 2)
    assert np.allclose(out, ref.numpy(), atol=1e-6)
    assert net.training  # mode restored
    grey = TorchModel(_tiny_cnn(torch, channels=1), softmax=True)
    assert grey(rng_image((4, 16, 16))).shape == (4, 2)

    exp = ImageExplainer(segmenter="grid", random_state=0).explain(
        rng_image((16, 16, 3)), model, num_samples=60, batch_size=16)
    assert exp.labels and np.isclose(sum(exp.predict_proba), 1.0)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        TorchModel(lambda x: x)


def test_blackbox_wraps_a_raw_torch_module():
    torch = pytest.importorskip("torch")
    from limekit.adapters.torch import TorchModel, is_torch_module

    probs = _tiny_cnn(torch, softmax=True)
    bb = as_blackbox(probs, "classification")
    assert isinstance(bb.fn, TorchModel) and not bb.fn.softmax
    assert is_torch_module(probs) and not is_torch_module(torch.nn.Parameter(torch.zeros(1)))
    exp = ImageExplainer(segmenter="grid", random_state=0).explain(
        rng_image((16, 16, 3)), probs, num_samples=60)
    assert len(exp.predict_proba) == 2
    # logits are not probabilities: a clear message says to apply softmax
    with pytest.raises(ValueError, match="softmax"):
        ImageExplainer(segmenter="grid").explain(rng_image((16, 16, 3)),
                                                 _tiny_cnn(torch) .float(), num_samples=60)
    # a regression module returning (n, 1)
    reg = _tiny_cnn(torch, n_out=1)
    exp = ImageExplainer(segmenter="grid", mode="regression", random_state=0).explain(
        rng_image((16, 16, 3)), reg, num_samples=60)
    assert exp.predicted_value is not None


def test_torch_module_detection_needs_no_torch():
    class Module:  # a look-alike outside torch is not a torch module
        pass

    from limekit.adapters.torch import is_torch_module

    assert not is_torch_module(Module())
    assert not is_torch_module(top_left_model)


# ------------------------------------------------------- optional extras
def test_without_scikit_image_the_grid_still_works(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "skimage", None)  # import skimage now fails
    image = rng_image((16, 16, 3))
    with pytest.raises(ImportError, match=r"limekit\[image\]"):
        ImageExplainer().explain(image, top_left_model, num_samples=20)
    with pytest.raises(ImportError, match=r"limekit\[image\]"):
        SegmentationAlgorithm("quickshift")
    exp = ImageExplainer(segmenter="grid", random_state=0).explain(image, top_left_model,
                                                                   num_samples=20)
    assert "data:image/png" in exp.to_html()


def test_regression_mode_and_pickling():
    image = rng_image((16, 16, 3))
    explainer = ImageExplainer(segmenter="grid", mode="regression", hide_color=0,
                               random_state=0)
    exp = explainer.explain(image, lambda b: top_left_model(b)[:, 1], num_samples=100)
    assert exp.labels == [0] and exp.class_names is None
    assert exp.predicted_value == pytest.approx(top_left_model(image[None])[0, 1])
    assert "Superpixels" in exp.to_html()
    again = pickle.loads(pickle.dumps(explainer)).explain(
        image, lambda b: top_left_model(b)[:, 1], num_samples=100)
    assert again == exp
    compat = pickle.loads(pickle.dumps(LimeImageExplainer(random_state=0)))
    assert compat.explain_instance(image, top_left_model, num_samples=30, progress_bar=False,
                                   segmentation_fn=lambda im: grid_segments(im.shape, 2))


# -------------------------------------------------------------- demo, docs
def test_image_demo(tmp_path, capsys):
    from limekit.demos.image import run_image_demo

    path = tmp_path / "demo.html"
    exp = run_image_demo(seed=0, html_path=str(path), num_samples=300)
    out = capsys.readouterr().out
    assert "predicted" in out and "HTML report written" in out
    page = path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "http" not in page.lower().replace("http-equiv", "")  # but the CSP <meta>
    label = exp.labels[0]
    assert exp.predict_proba[label] > 0.5


@pytest.mark.parametrize("name", ["limekit.explainers.image", "limekit.compat.lime_image",
                                  "limekit.compat.wrappers.scikit_image"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
