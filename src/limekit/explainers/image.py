"""Image LIME: superpixels as interpretable features.

The pipeline is the tabular one with an image representation:

1. segment the image into ``S`` superpixels (:mod:`limekit.representations.image`);
2. draw ``n`` binary masks, each superpixel kept with probability 1/2
   (:class:`~limekit.sampling.BernoulliMaskSampler`, lime's scheme; row 0 keeps all);
3. decode the masks to images chunk by chunk and call the model on each chunk;
   a chunk holds at most ``batch_size`` images and at most ``memory_budget``
   bytes of them (:mod:`limekit._memory`), so memory stays bounded whatever the
   image size;
4. weight samples by the cosine-distance kernel (width 0.25, lime's default);
5. fit one sparse weighted ridge per label (shared with every other explainer).
"""

from __future__ import annotations

import base64
import dataclasses
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._memory import DEFAULT_MEMORY_BUDGET, check_memory_budget, rows_per_chunk
from .._random import check_random_state, explanation_rng, instance_digest
from .._renderers import renderer
from .._schema import Reader, SchemaError, decode_array
from .._validation import check_batch_size, check_class_names, check_mode, check_num_features
from ..batch import BatchExplainMixin
from ..blackbox import BlackBox, as_blackbox, check_consistent_output, check_model_output
from ..calibration import calibrate_neighbourhood
from ..explanation import Explanation, register_kind
from ..kernels import Kernel
from ..representations.image import (
    SEGMENTERS,
    ImageRepresentation,
    check_image,
    check_segments,
    segment_image,
)
from ..sampling import BernoulliMaskSampler
from ..surrogates import check_feature_selection, make_surrogate
from ._common import (
    BOOTSTRAP_STREAM,
    FIDELITY_STREAM,
    apply_link,
    check_calibrator,
    check_fidelity_samples,
    check_link,
    check_num_samples_or_auto,
    diagnose,
    draw_masks,
    fit_neighbourhood,
    heldout_fidelity,
    make_mask_sampler,
    resolve_labels,
    surrogate_for,
)

__all__ = ["ImageExplainer", "ImageExplanation", "image_and_mask"]

_BASE_FIELDS = tuple(f.name for f in dataclasses.fields(Explanation))


# ------------------------------------------------------------ explanation kind
def _encode_array(arr: np.ndarray) -> dict[str, Any]:
    """Exact, JSON-safe encoding of a numeric array: dtype, shape, zlib+base64 bytes."""
    arr = np.ascontiguousarray(arr)
    return {
        "dtype": arr.dtype.str,
        "shape": [int(s) for s in arr.shape],
        "data": base64.b64encode(zlib.compress(arr.tobytes(), 6)).decode("ascii"),
    }


def _frozen(arr: Any, dtype: Any = None) -> np.ndarray:
    """A read-only array (copied only when it is not one already)."""
    a = np.asarray(arr, dtype=dtype)
    if a.flags.writeable or not a.flags.c_contiguous:
        a = np.array(a, copy=True, order="C")
        a.flags.writeable = False
    return a


def image_and_mask(image: np.ndarray, segments: np.ndarray, weights: Sequence[tuple[int, float]],
                   positive_only: bool = True, negative_only: bool = False,
                   hide_rest: bool = False, num_features: int = 5, min_weight: float = 0.0,
                   rest_dtype: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """lime's ``get_image_and_mask`` on plain arrays (vectorised with a lookup table).

    ``weights`` are ``(segment, weight)`` pairs, strongest first. With
    ``positive_only`` (``negative_only``) the first ``num_features`` segments of
    positive (negative) weight above ``min_weight`` in magnitude are kept and
    the mask is 1 on them; otherwise the ``num_features`` strongest segments
    with ``|w| >= min_weight`` are kept, the mask is +1/−1 by sign and the
    kept segments get their green (positive) or red (negative) channel set
    to the image maximum. ``hide_rest`` blacks out everything else;
    ``rest_dtype`` is the dtype of that black canvas (default: the image's;
    lime uses float64).
    """
    if positive_only and negative_only:
        raise ValueError("positive_only and negative_only cannot both be True")
    if isinstance(num_features, bool) or int(num_features) < 0:
        raise ValueError(f"num_features must be a non-negative int, got {num_features!r}")
    k = int(num_features)
    n_seg = int(segments.max()) + 1 if segments.size else 0
    if positive_only:
        chosen = [(int(f), 1) for f, w in weights if w > 0 and w > min_weight][:k]
    elif negative_only:
        # the mask marks chosen segments with 1 whatever their sign, as lime does
        chosen = [(int(f), 1) for f, w in weights if w < 0 and abs(w) > min_weight][:k]
    else:
        chosen = [(int(f), -1 if w < 0 else 1) for f, w in list(weights)[:k]
                  if not abs(w) < min_weight]
    sign = np.zeros(max(n_seg, 1 + max((f for f, _ in chosen), default=0)), dtype=np.int8)
    for f, s in chosen:
        sign[f] = s
    pix_sign = sign[segments]
    mask = pix_sign.astype(segments.dtype)
    shown = pix_sign != 0
    if hide_rest:
        temp = np.zeros(image.shape, dtype=image.dtype if rest_dtype is None else rest_dtype)
        temp[shown] = image[shown]
    else:
        temp = image.copy()
    if positive_only or negative_only or not chosen:
        return temp, mask
    if temp.ndim == 2 or temp.shape[2] == 1:  # colouring needs channels: grey becomes RGB
        temp = np.repeat(temp.reshape(*temp.shape[:2], 1), 3, axis=2)
    top = np.max(image)
    temp[pix_sign > 0, 1] = top
    temp[pix_sign < 0, 0] = top
    return temp, mask


@register_kind("image")
@dataclass(frozen=True, eq=False)
class ImageExplanation(Explanation):
    """An explained image prediction: the :class:`~limekit.Explanation` plus its superpixels.

    Features are segments: feature ``i`` is the set of pixels where
    ``segments == i``.

    Attributes
    ----------
    segments : ndarray of int (H, W)
        Superpixel label of every pixel, ``0..S-1`` (read-only).
    image : ndarray (H, W) or (H, W, C)
        The explained image, dtype preserved (read-only).
    """

    segments: np.ndarray | None = None
    image: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.segments is None or self.image is None:
            raise TypeError("ImageExplanation needs segments and image")
        object.__setattr__(self, "segments", _frozen(self.segments, np.intp))
        object.__setattr__(self, "image", _frozen(self.image))
        if self.segments.shape != self.image.shape[:2]:
            raise ValueError(f"segments of shape {self.segments.shape} do not match an image "
                             f"of shape {self.image.shape}")

    # --------------------------------------------------------------- equality
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (all(getattr(self, f) == getattr(other, f) for f in _BASE_FIELDS)
                and np.array_equal(self.segments, other.segments)
                and self.image.dtype == other.image.dtype
                and np.array_equal(self.image, other.image))

    __hash__ = None  # type: ignore[assignment]  # holds arrays and dicts

    # ---------------------------------------------------------- serialisation
    def _domain_to_dict(self) -> dict[str, Any]:
        # Labels fit in 16 bits for any realistic segmentation: 4× smaller JSON.
        seg_dtype = np.uint16 if self.segments.max(initial=0) < 2**16 else np.int32
        return {"segments": _encode_array(self.segments.astype(seg_dtype)),
                "image": _encode_array(self.image)}

    @classmethod
    def _domain_from_dict(cls, d: Reader, n_features: int) -> dict[str, Any]:
        image = decode_array(d.raw("image", required=True), f"{d.path}.image")
        segments = decode_array(d.raw("segments", required=True), f"{d.path}.segments",
                                dtypes="ui")
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
            raise SchemaError(f"{d.path}.image must be (H, W) or (H, W, 1|3|4), got shape "
                              f"{image.shape}")
        if segments.shape != image.shape[:2]:
            raise SchemaError(f"{d.path}.segments has shape {segments.shape}, the image "
                              f"{image.shape[:2]}")
        if segments.size and (segments.min() < 0 or segments.max() >= n_features):
            raise SchemaError(f"{d.path}.segments labels must be 0..{n_features - 1}")
        return {"segments": segments.astype(np.intp), "image": image}

    # -------------------------------------------------------------------- use
    @property
    def n_segments(self) -> int:
        """Number of superpixels."""
        return len(self.feature_names)

    def image_and_mask(self, label: int | None = None, positive_only: bool = True,
                       negative_only: bool = False, hide_rest: bool = False,
                       num_features: int = 5, min_weight: float = 0.0
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The image with the most important superpixels highlighted, and their mask.

        lime's ``get_image_and_mask`` semantics; the returned image keeps the
        explained image's dtype (a grayscale image becomes RGB when both signs
        are coloured). lime's arrays are float64 with ``hide_rest``.

        Parameters
        ----------
        label : int, optional
            Label to show; default the first explained (top) label.
        positive_only : bool, default True
            Keep only segments that push towards ``label``.
        negative_only : bool, default False
            Keep only segments that push against ``label``. With both False,
            keep the strongest of either sign and colour them (green for,
            red against).
        hide_rest : bool, default False
            Black out every segment that is not kept.
        num_features : int, default 5
            How many segments to keep.
        min_weight : float, default 0.0
            Ignore segments whose weight is smaller in magnitude.

        Returns
        -------
        image : ndarray
            The explained image with the kept segments coloured (and the rest
            blacked out with ``hide_rest``).
        mask : ndarray of int (H, W)
            1 on kept segments (+1/−1 by sign when both signs are shown), 0 elsewhere;
            usable with ``skimage.segmentation.mark_boundaries``.
        """
        lab = self._resolve_label(label)
        return image_and_mask(self.image, self.segments, self.label_explanations[lab].weights,
                              positive_only=positive_only, negative_only=negative_only,
                              hide_rest=hide_rest, num_features=num_features,
                              min_weight=min_weight)

    def overlay(self, label: int | None = None, num_features: int = 5) -> np.ndarray:
        """Tint the strongest segments green (for the label) or red (against it).

        Parameters
        ----------
        label : int, optional
            Label to show; ``None`` means the first explained (top) label.
        num_features : int, default 5
            How many of the strongest segments (by ``|weight|``) to tint.

        Returns
        -------
        ndarray of float, shape (H, W, 3)
            The RGB overlay, values in [0, 1], at the image's own size.
        """
        return renderer("image.overlay")(self, label=label, num_features=num_features, scale=1)

    def overlay_png(self, label: int | None = None, num_features: int = 5) -> bytes:
        """Encode :meth:`overlay` as PNG (upscaled for small images).

        Parameters
        ----------
        label : int, optional
            Label to show; ``None`` means the first explained (top) label.
        num_features : int, default 5
            How many of the strongest segments (by ``|weight|``) to tint.

        Returns
        -------
        bytes
            The PNG file's bytes.
        """
        return renderer("image.png")(renderer("image.overlay")(self, label=label, num_features=num_features))

    def to_html(self, labels: list[int] | None = None, full_page: bool = True,
                num_features: int = 5) -> str:
        """Render as self-contained HTML, the overlays embedded as PNG data URIs.

        Parameters
        ----------
        labels : int or sequence of int, optional
            Labels to show, in that order; ``None`` shows every explained label.
        full_page : bool, default True
            ``True`` returns a complete document, ``False`` one ``<div>`` to embed.
        num_features : int, default 5
            How many of the strongest segments to tint in each overlay.

        Returns
        -------
        str
            The HTML: no script, no network access, every user string escaped.
        """
        return renderer("image.html")(self, labels=labels, full_page=full_page,
                                 num_features=num_features)

    def plot(self, label: int | None = None, ax=None, num_features: int = 5, **kwargs: Any):
        """Plot the image, its overlay and the strongest weights (three panels).

        Parameters
        ----------
        label : int, optional
            Label to show; ``None`` means the first explained (top) label.
        ax : matplotlib.axes.Axes, optional
            Draw only the overlay, into these axes.
        num_features : int, default 5
            How many of the strongest segments to show.
        **kwargs
            Passed on to :func:`matplotlib.pyplot.subplots` (e.g. ``figsize``).

        Returns
        -------
        matplotlib.figure.Figure
            The figure drawn into.
        """
        return renderer("image.plot")(self, label=label, ax=ax, num_features=num_features,
                                      **kwargs)

    def __repr__(self) -> str:
        labs = ", ".join(self.class_name(k) for k in self.labels)
        return (f"<ImageExplanation mode={self.mode!r} labels=[{labs}] "
                f"image={self.image.shape} {self.image.dtype} segments={self.n_segments} "
                f"num_samples={self.num_samples}>")


# ------------------------------------------------------------------ explainer
def _json_safe(value: Any) -> Any:
    """Settings values as JSON types (so ``from_json(to_json(e)) == e``)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else repr(float(value))
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if callable(value):
        return getattr(value, "__qualname__", None) or type(value).__name__
    return repr(value)


class ImageExplainer(BatchExplainMixin):
    """Explain an image classifier's prediction with superpixel LIME.

    Parameters
    ----------
    segmenter : {"quickshift", "slic", "felzenszwalb", "grid"} or callable, default "quickshift"
        How the image is split into superpixels. ``"quickshift"`` uses lime's
        settings (``kernel_size=4, max_dist=200, ratio=0.2``); ``"grid"`` is a
        cheap regular grid (``rows``/``cols``, default 8×8) that needs no
        scikit-image. A callable ``f(image, **segmenter_kwargs)`` returns one
        integer label per pixel. Labels are re-indexed to ``0..S-1`` whatever
        their numbering (so slic's labels from 1 leave no dead feature).
    hide_color : None, number, sequence of numbers, or "blur", default None
        What hidden superpixels become: their own mean colour (``None``,
        lime's default), a constant colour, or a blurred copy of the image.
    kernel_width : float, default 0.25
        Width of the exponential kernel on the cosine distance between a
        sample's mask and the all-ones mask (lime's default).
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        lime's feature selection; ``"auto"`` is forward selection for at most
        6 features, else the highest ridge weights.
    random_state : int, optional
        Seed. An explanation depends only on the seed, the image and the settings.
    mode : {"classification", "regression"}, default "classification"
    surrogate : {"ridge", "lasso", "mars", "tree", "bayes"} or object, optional
        The local model; default ``"ridge"`` (``RidgeSurrogate(alpha=1.0)``, as in
        lime). ``"mars"`` fits splines (nonlinear, reports local slopes),
        ``"tree"`` a shallow tree (rules), ``"bayes"`` Bayesian ridge (credible
        intervals in ``details``), ``"lasso"`` a weighted Lasso; any object with
        ``fit(design, label, features, z0) -> SurrogateFit`` works.
    segmenter_kwargs : dict, optional
        Options for the segmenter (e.g. ``{"n_segments": 50}`` for slic).
    class_names : sequence of str, optional
        Names of the model's output columns.
    kernel : callable, optional
        ``kernel(distances, width) -> weights``; default lime's exponential kernel.
    sampler : {"lime", "kernel", "kernelshap"} or sampler object, default "lime"
        ``"lime"`` keeps each segment with probability 0.5, weighted by the
        kernel; ``"kernel"`` draws masks from the kernel (GLIME, unit weights);
        ``"kernelshap"`` draws Shapley coalitions and reports Shapley values.
    fidelity_samples : int, default 0
        When positive, measure each surrogate on this many fresh samples
        (held-out RMSE and R² in ``exp.fidelity``; as many extra model calls).
    calibrate : limekit.calibration.ReCalX, optional
        A fitted ReCalX calibrator: probabilities of the perturbed samples are
        recalibrated for their perturbation level (share of features hidden)
        before the surrogate sees them (see :doc:`/methods/recalx`).
    link : {"identity", "logit", "auto"}, default "identity"
        Fit the surrogate to probabilities or to log-odds (see the ``link`` of
        :class:`~limekit.TabularExplainer`); the choice is in ``exp.settings``.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.image import ImageExplainer
    >>> rng = np.random.default_rng(0)
    >>> image = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    >>> def model(images):  # "bright" if the top-left quarter is bright
    ...     p = images[:, :16, :16].mean(axis=(1, 2, 3)) / 255.0
    ...     return np.column_stack([1 - p, p])
    >>> explainer = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4},
    ...                            hide_color=0, random_state=0)
    >>> exp = explainer.explain(image, model, labels=[1], num_samples=300)
    >>> exp.n_segments
    16
    >>> top = [seg for seg, _ in exp.local_exp[1][:4]]
    >>> sorted(top)  # the four grid cells of the top-left quarter
    [0, 1, 4, 5]
    >>> img, mask = exp.image_and_mask(1, num_features=4)
    >>> mask.shape
    (32, 32)
    """

    def __init__(self, segmenter: str | Callable[..., Any] = "quickshift",
                 hide_color: Any = None, kernel_width: float = 0.25,
                 feature_selection: str = "auto", random_state: int | None = None,
                 mode: str = "classification", surrogate=None,
                 segmenter_kwargs: dict[str, Any] | None = None, *,
                 class_names: Sequence[str] | None = None,
                 kernel: Callable[[np.ndarray, float], np.ndarray] | None = None,
                 sampler="lime", fidelity_samples: int = 0, calibrate=None,
                 link: str = "identity") -> None:
        self.fidelity_samples = check_fidelity_samples(fidelity_samples)
        self.mode = check_mode(mode)
        self.link = check_link(link, self.mode)
        self.calibrate = check_calibrator(calibrate, self.mode)
        self.random_state = check_random_state(random_state)
        check_feature_selection(feature_selection)
        if not callable(segmenter) and segmenter not in SEGMENTERS:
            raise ValueError(f"segmenter must be one of {SEGMENTERS} or a callable "
                             f"image -> labels, got {segmenter!r}")
        if segmenter_kwargs is not None and not isinstance(segmenter_kwargs, dict):
            raise TypeError(f"segmenter_kwargs must be a dict, got "
                            f"{type(segmenter_kwargs).__name__}")
        if isinstance(hide_color, str) and hide_color != "blur":
            raise ValueError(f"hide_color must be None, a number, a colour or 'blur', "
                             f"got {hide_color!r}")
        self.segmenter = segmenter
        self.segmenter_kwargs = dict(segmenter_kwargs or {})
        self.hide_color = hide_color
        self.feature_selection = feature_selection
        self.kernel = Kernel(kernel_width, metric="cosine", fn=kernel)
        self.sampler = make_mask_sampler(sampler, BernoulliMaskSampler(0.5), self.kernel)
        self.surrogate = make_surrogate(surrogate)
        self.class_names = check_class_names(class_names)

    @property
    def kernel_width(self) -> float:
        return self.kernel.width

    # ---------------------------------------------------------------- explain
    def segment(self, image: Any) -> np.ndarray:
        """Segment an image into the superpixels :meth:`explain` would use.

        Parameters
        ----------
        image : array_like, shape (H, W) or (H, W, C)
            The image.

        Returns
        -------
        ndarray of int, shape (H, W)
            The superpixel label of every pixel, ``0..S-1``.
        """
        img = check_image(image)
        return segment_image(img, self.segmenter, **self.segmenter_kwargs)[0]

    def explain(self, image: Any, model: Any, labels: Sequence[int] | None = None,
                top_labels: int | None = 5, num_features: int = 100000,
                num_samples: int = 1000, batch_size: int | None = 10,
                segments: Any = None, *, distance_metric: str = "cosine",
                progress_bar: bool = False,
                memory_budget: int | None = DEFAULT_MEMORY_BUDGET) -> ImageExplanation:
        """Explain the model's prediction for one image.

        Parameters
        ----------
        image : ndarray (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
            Grayscale, RGB or RGBA, integer or float; the model receives
            perturbed images of the same shape and dtype.
        model : callable, estimator or torch.nn.Module
            Takes a batch ``(b, H, W[, C])`` and returns class probabilities
            ``(b, n_classes)`` (or values, in regression mode).
        labels : sequence of int, optional
            Classes to explain; when given, ``top_labels`` is ignored.
        top_labels : int or None, default 5
            Without ``labels``: explain the ``top_labels`` most probable classes.
            With both None: the predicted class.
        num_features : int, default 100000
            Superpixels kept in each explanation (clipped to the number of
            superpixels, so the default keeps all of them, as lime does).
        num_samples : int or "auto", default 1000
            Neighbourhood size (row 0 is the image itself); ``"auto"`` doubles it
            from 1000 until the top segments are settled.
        batch_size : int or None, default 10
            Most images decoded and sent to the model per call. ``None``:
            as many as ``memory_budget`` allows.
        segments : array-like (H, W), optional
            A precomputed segmentation to use instead of the segmenter.
        distance_metric : str, default "cosine"
            Distance between masks (lime's); any ``scipy`` ``cdist`` metric.
        progress_bar : bool, default False
            Show a tqdm progress bar over the model calls (if tqdm is installed).
        memory_budget : int or None, default 256 MiB
            Most bytes of perturbed images alive at once: each model call gets
            at most ``max(1, memory_budget // bytes_per_image)`` images (and at
            most ``batch_size``), where ``bytes_per_image`` is what decoding one
            takes (``image.nbytes`` plus its pixel mask, see
            :attr:`~limekit.representations.image.ImageRepresentation.bytes_per_image`).
            On top come the image-sized tables decoding keeps (8 bytes per pixel
            for the segmentation, twice the image for the fill and the
            difference image), the model's own memory, and segmentation:
            scikit-image's slic and quickshift peak near 120 bytes per pixel,
            felzenszwalb near 330 (measured), so for very large images prefer
            ``segmenter="grid"`` or precomputed ``segments``. ``None``: no byte
            limit.

        Returns
        -------
        ImageExplanation
            The explanation, with the image and its superpixels.
        """
        img = check_image(image)
        n = check_num_samples_or_auto(num_samples)
        batch_size = check_batch_size(batch_size)
        budget = check_memory_budget(memory_budget)
        kernel = (self.kernel if distance_metric == self.kernel.metric
                  else Kernel(self.kernel.width, distance_metric, self.kernel.fn))
        blackbox = as_blackbox(model, self.mode)

        if segments is not None:
            seg, n_seg = check_segments(segments, img.shape, source="segments")
        else:
            seg, n_seg = segment_image(img, self.segmenter, **self.segmenter_kwargs)
            if isinstance(self.segmenter, str):
                # Ours alone (a callable might hand back an array it keeps): read-only,
                # the explanation can hold it without a copy (8 bytes per pixel).
                seg.flags.writeable = False
        rep = ImageRepresentation(img, seg, n_seg, self.hide_color)
        k = check_num_features(num_features, n_seg, default=True)

        # The digest reads the pixels and labels in place (the same bytes as
        # tobytes(), without two image-sized copies).
        key = instance_digest(
            str(img.shape).encode(), img.dtype.str.encode(), _byte_view(img),
            _byte_view(seg, np.int64))
        rng = explanation_rng(self.random_state, key)
        rows = rows_per_chunk(rep.bytes_per_image, budget, max_rows=batch_size)

        def draw(size, stream, show_progress=False):
            gen = rng if stream == 0 else explanation_rng(self.random_state, (*key, stream))
            Zs, ws = draw_masks(self.sampler, n_seg, size, gen, kernel)
            Ys = _predict_chunks(blackbox, rep, Zs, rows, show_progress)
            if self.calibrate is not None:
                Ys = calibrate_neighbourhood(self.calibrate, Ys, Zs)
            return Zs, ws, Ys

        def resolve(y0):
            return resolve_labels(y0, self.mode, labels,
                                  top_labels if labels is None else None, self.class_names)

        surrogate = surrogate_for(self.sampler, self.surrogate)
        boot_rng = explanation_rng(self.random_state, (*key, BOOTSTRAP_STREAM))
        predictors: dict = {}
        Z, weights, Y, label_list, link, fits, extra = fit_neighbourhood(
            lambda size, stream: draw(size, stream, progress_bar), resolve, n, k,
            self.feature_selection, surrogate, boot_rng, self.link, predictors)
        n = int(Z.shape[0])
        fidelity = None
        if self.fidelity_samples:
            rng_f = explanation_rng(self.random_state, (*key, FIDELITY_STREAM))
            Zf, wf = draw_masks(self.sampler, n_seg, self.fidelity_samples, rng_f, kernel)
            Yf = _predict_chunks(blackbox, rep, Zf, rows, False)
            if self.calibrate is not None:
                Yf = calibrate_neighbourhood(self.calibrate, Yf, Zf)
            fidelity = heldout_fidelity(fits, label_list, Zf, apply_link(Yf, link), wf,
                                        predictors)
        diagnostics = diagnose(weights, max(len(le.weights) for le in fits.values()), fidelity,
                               nonlinear_surrogate=bool(predictors))

        names = tuple(f"segment {i}" for i in range(n_seg))
        is_clf = self.mode == "classification"
        return ImageExplanation(
            mode=self.mode,
            diagnostics=diagnostics,
            feature_names=names,
            feature_descriptions=names,
            feature_values=tuple(f"{int(c)} px" for c in rep.segment_sizes()),
            class_names=(tuple(self.class_names or [str(i) for i in range(Y.shape[1])])
                         if is_clf else None),
            label_explanations=fits,
            predict_proba=tuple(float(p) for p in Y[0]) if is_clf else None,
            predicted_value=None if is_clf else float(Y[0, 0]),
            num_samples=n,
            settings={
                "explainer": "ImageExplainer",
                "segmenter": ("precomputed" if segments is not None
                              else _json_safe(self.segmenter)),
                "segmenter_kwargs": _json_safe(self.segmenter_kwargs),
                "n_segments": n_seg,
                "hide_color": _json_safe(self.hide_color),
                "kernel_width": self.kernel.width,
                "sampler": repr(self.sampler),
                "distance_metric": distance_metric,
                "feature_selection": self.feature_selection,
                "num_features": k,
                "batch_size": None if batch_size is None else int(batch_size),
                "surrogate": repr(self.surrogate),
                "link": link,
                **extra,
                "random_state": self.random_state,
            },
            segments=seg,
            image=img,
        )

    def __repr__(self) -> str:
        seg = self.segmenter if isinstance(self.segmenter, str) else _json_safe(self.segmenter)
        return (f"ImageExplainer(segmenter={seg!r}, hide_color={self.hide_color!r}, "
                f"kernel_width={self.kernel.width:g}, "
                f"feature_selection={self.feature_selection!r}, mode={self.mode!r}, "
                f"random_state={self.random_state})")


def _byte_view(arr: np.ndarray, dtype: Any = None) -> np.ndarray:
    """The bytes of ``arr`` (as ``dtype``) in C order as a flat uint8 array, copied only
    when the layout or dtype differs."""
    return np.ascontiguousarray(arr, dtype=dtype).reshape(-1).view(np.uint8)


def _predict_chunks(blackbox: BlackBox, rep: ImageRepresentation, Z: np.ndarray,
                    batch_size: int | None, progress_bar: bool) -> np.ndarray:
    """Decode and predict chunk by chunk; only one chunk of images is alive at a time."""
    n = Z.shape[0]
    chunks = rep.decode_chunks(Z, batch_size)
    bar = None
    if progress_bar:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, unit="img")
        except ImportError:  # the bar is a nicety; never fail for it
            bar = None
    parts: list[np.ndarray] = []
    done = 0
    try:
        for chunk in chunks:
            # checks one row per image and numeric output; errors name the images
            out = blackbox._call(chunk, start=done, total=n)
            size = len(chunk)
            # Released before the generator builds the next chunk, so that only
            # one chunk of images is alive at a time (the memory budget's premise).
            del chunk
            check_consistent_output(out, parts, done, n)
            parts.append(out)
            done += size
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
    # Validated once over all samples so row numbers in errors are sample rows.
    return check_model_output(np.concatenate(parts, axis=0), n, blackbox.mode)
