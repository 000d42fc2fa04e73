"""lime's ``lime.lime_image`` API on limekit's native image pipeline.

Change ``from lime.lime_image import LimeImageExplainer`` to
``from limekit.compat.lime_image import LimeImageExplainer``: the constructor
and ``explain_instance`` keep lime 0.2.0.1's signatures and defaults, and the
returned :class:`ImageExplanation` has lime's attributes (``image``,
``segments``, ``local_exp``, ``intercept``, ``score``, ``local_pred``,
``top_labels``) and ``get_image_and_mask``. All the work is done by
:class:`limekit.explainers.image.ImageExplainer`.

Differences from lime
---------------------
* Perturbed images are built in one vectorised step per batch instead of a
  deep copy and a loop over superpixels per sample (the result is the same
  image, pixel for pixel).
* Every superpixel is a feature: with ``slic`` (labels from 1) lime has a
  superpixel that is never hidden and a feature that covers no pixel; here the
  native explainer re-indexes the labels to ``0..S-1`` internally, and the
  compat explanation reports them under the segmentation's own labels
  (``segments`` is the map ``segmentation_fn`` returned, and the keys of
  ``local_exp`` are its labels, so ``segments == key`` is the superpixel).
* Reproducible: an explanation depends only on ``random_state`` and the image
  (lime draws from one shared stream). ``random_seed`` is accepted but, as in
  lime with scikit-image >= 0.19 (which renamed quickshift's seed argument),
  it does not change the segmentation.
* ``progress_bar`` (from lime's later releases) is accepted; the bar is shown
  only when tqdm is installed.
* Inputs are validated up front (image shape, NaN, segmentation shape, model
  output). ``model_regressor`` is fitted in place, as in lime.
* ``top_labels`` are lime's, ties included: ``np.argsort`` of the
  probabilities at the image, the last ``top_labels`` reversed. (When a tie at
  the cut-off makes them differ from the native choice, the native
  explanation is recomputed for lime's labels: same seed, same samples.)
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..explainers.image import ImageExplainer, image_and_mask
from ..explainers.image import ImageExplanation as NativeImageExplanation
from ..kernels import Kernel
from ..representations.image import ImageRepresentation
from ._shared import _METRIC_ALIASES, _InPlaceEstimator, _KeywordKernel, _seed_from

__all__ = ["LimeImageExplainer", "ImageExplanation"]

#: scikit-learn distance names that scipy spells differently.


class ImageExplanation:
    """Image explanation with lime's API: the image, its segments and one linear model per label.

    Built by :meth:`LimeImageExplainer.explain_instance`; as in lime,
    ``ImageExplanation(image, segments)`` also makes an empty one to fill in
    by hand (``local_exp`` and the rest start as empty dicts).

    Parameters
    ----------
    image : ndarray
        The image.
    segments : ndarray of int (H, W)
        Its superpixel labels.
    top_labels : list of int, optional
        The explained top labels, most probable first.

    Attributes
    ----------
    image : ndarray
        The explained image (RGB: lime turns grey images into RGB).
    segments : ndarray of int (H, W)
        Superpixel labels: the map ``segmentation_fn`` returned (the default
        quickshift's otherwise), unchanged.
    local_exp : dict of int to list of (int, float)
        ``{label: [(segment, weight), ...]}``, strongest first, in lime's
        order (least probable of the top labels first); ``segment`` is a
        label of ``segments``.
    intercept : dict of int to float
    score : float
        Weighted R² of the surrogate of the last explained label (lime keeps
        only that one); :attr:`score_per_label` has all of them.
    local_pred : ndarray of shape (1,)
        Surrogate prediction at the image for the last explained label.
    score_per_label, local_pred_per_label : dict of int to float
    top_labels : list of int or None
        With ``top_labels=k``: the k most probable classes, most probable first.
    native : limekit.explainers.image.ImageExplanation
        The native explanation (JSON, HTML with overlays, matplotlib).
    """

    def __init__(self, image, segments=None, *, top_labels: list[int] | None = None) -> None:
        # lime's constructor: ImageExplanation(image, segments), empty until filled in.
        if isinstance(image, NativeImageExplanation):  # built by the explainer
            self._from_native(image, top_labels, segments)
            return
        self.native = None
        self.image = image
        self.segments = segments
        self.top_labels = None if top_labels is None else list(top_labels)
        self.intercept: dict = {}
        self.local_exp: dict = {}
        self.local_pred: Any = {}
        self.score: Any = {}
        self.score_per_label: dict = {}
        self.local_pred_per_label: dict = {}
        self._to_native = None

    def _from_native(self, native: NativeImageExplanation, top_labels: list[int] | None,
                     segments: Any) -> None:
        self.native = native
        self.image = native.image
        # The segmentation's own labels (native ones are re-indexed to 0..S-1 in
        # sorted order of the labels): lime's local_exp keys are those labels.
        ids = None
        if segments is not None:
            seg = np.asarray(segments)
            ids = np.unique(seg)
            if ids.size != native.n_segments or np.array_equal(ids, np.arange(ids.size)):
                ids = None
        self.segments = native.segments if ids is None else seg
        self._to_native = None if ids is None else {int(v): j for j, v in enumerate(ids)}
        les = native.label_explanations
        order = list(les)
        if top_labels is not None:
            # lime fits the top labels from the least to the most probable
            order = [k for k in reversed(top_labels) if k in les]
        self.top_labels = None if top_labels is None else list(top_labels)

        def own(weights):
            return list(weights) if ids is None else [(int(ids[f]), w) for f, w in weights]

        self.local_exp = {k: own(les[k].weights) for k in order}
        self.intercept = {k: les[k].intercept for k in order}
        self.score_per_label = {k: les[k].score for k in order}
        self.local_pred_per_label = {k: les[k].local_pred for k in order}
        last = order[-1]
        self.score = float(self.score_per_label[last])
        self.local_pred = np.array([self.local_pred_per_label[last]], dtype=float)

    def get_image_and_mask(self, label: int, positive_only: bool = True,
                           negative_only: bool = False, hide_rest: bool = False,
                           num_features: int = 5, min_weight: float = 0.) -> tuple[np.ndarray,
                                                                                    np.ndarray]:
        """The image with the label's top superpixels, and their mask (lime's semantics).

        Parameters
        ----------
        label : int
            Label to show.
        positive_only : bool, default True
            Only superpixels that push towards ``label``.
        negative_only : bool, default False
            Only superpixels that push against ``label``; with both False, the
            strongest of either sign, green (for) or red (against).
        hide_rest : bool, default False
            Black out the other superpixels (the image is then float64, as in lime).
        num_features : int, default 5
            Most superpixels to show, strongest first.
        min_weight : float, default 0.0
            Smallest absolute weight a superpixel needs to be shown.

        Returns
        -------
        (image, mask)
            ``mask`` is 1 (or ±1 by sign) on the chosen superpixels; usable with
            ``skimage.segmentation.mark_boundaries``.

        Raises
        ------
        KeyError
            If ``label`` was not explained.
        ValueError
            If ``positive_only`` and ``negative_only`` are both True.
        """
        if label not in self.local_exp:
            raise KeyError(f"Label not in explanation: {label!r} was not explained; "
                           f"explained labels are {list(self.local_exp)}")
        weights, segments = self.local_exp[label], self.segments
        if self._to_native is not None:  # the segmentation's labels -> the native 0..S-1
            weights = [(self._to_native[int(f)], w) for f, w in weights]
            segments = self.native.segments
        return image_and_mask(self.image, segments, weights,
                              positive_only=positive_only, negative_only=negative_only,
                              hide_rest=hide_rest, num_features=num_features,
                              min_weight=min_weight, rest_dtype=np.float64)

    def as_html(self, **kwargs: Any) -> str:
        """Self-contained HTML with overlays (limekit addition; lime has none for images).

        Parameters
        ----------
        **kwargs
            Passed to the native explanation's ``to_html``: ``labels``,
            ``full_page`` and ``num_features`` (segments tinted per overlay).

        Returns
        -------
        str
            The HTML, with the overlays embedded as PNG data URIs, no script
            and every user string escaped.
        """
        if self.native is None:
            raise ValueError("as_html needs an explanation computed by explain_instance")
        return self.native.to_html(**kwargs)

    def _repr_html_(self) -> str | None:
        return None if self.native is None else self.native.to_html(full_page=False)

    def __repr__(self) -> str:
        n_seg = (self.native.n_segments if self.native is not None
                 else None if self.segments is None else int(np.unique(self.segments).size))
        return (f"<limekit.compat ImageExplanation labels={list(self.local_exp)} "
                f"segments={n_seg}>")


class LimeImageExplainer:
    """Image explainer with lime's API, computed by the native :class:`~limekit.ImageExplainer`.

    Parameters
    ----------
    kernel_width : float, default 0.25
        Width of the kernel on the cosine distance between masks.
    kernel : callable, optional
        ``kernel(d, kernel_width)`` turning distances into weights; default
        ``sqrt(exp(-d² / kernel_width²))``.
    verbose : bool, default False
        Print each label's intercept, local prediction and model prediction.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the ``num_features`` superpixels of each explanation are chosen,
        as in lime; default ``"auto"``.
    random_state : int or numpy.random.RandomState, optional
        Seed; a ``RandomState`` is turned into an integer seed once, here.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.compat.lime_image import LimeImageExplainer
    >>> from limekit.compat.wrappers.scikit_image import SegmentationAlgorithm
    >>> image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    >>> def predict(images):
    ...     p = images[:, :16].mean(axis=(1, 2, 3)) / 255.0
    ...     return np.column_stack([1 - p, p])
    >>> explainer = LimeImageExplainer(random_state=0)
    >>> seg = SegmentationAlgorithm("slic", n_segments=16, compactness=10)
    >>> exp = explainer.explain_instance(image, predict, top_labels=2, num_samples=200,
    ...                                  segmentation_fn=seg)
    >>> sorted(exp.local_exp) == sorted(exp.top_labels)
    True
    """

    def __init__(self, kernel_width=.25, kernel=None, verbose=False,
                 feature_selection='auto', random_state=None) -> None:
        self.random_state = _seed_from(random_state)
        self.kernel_width = float(kernel_width)
        self.kernel_fn = None if kernel is None else _KeywordKernel(kernel)
        self.verbose = bool(verbose)
        self.feature_selection = feature_selection
        self.native = ImageExplainer(kernel_width=self.kernel_width,
                                     feature_selection=feature_selection,
                                     random_state=self.random_state, kernel=self.kernel_fn)

    def explain_instance(self, image, classifier_fn, labels=(1,),
                         hide_color=None,
                         top_labels=5, num_features=100000, num_samples=1000,
                         batch_size=10,
                         segmentation_fn=None,
                         distance_metric='cosine',
                         model_regressor=None,
                         random_seed=None,
                         progress_bar=True) -> ImageExplanation:
        """Explain the classifier's prediction for one image (lime's ``explain_instance``).

        Parameters
        ----------
        image : ndarray (H, W, 3) or (H, W)
            A grey image is turned into RGB first, as in lime (the classifier
            then receives RGB images).
        classifier_fn : callable
            ``classifier_fn(images)`` returns probabilities ``(n, n_classes)``.
        labels : iterable of int, default (1,)
            Classes to explain when ``top_labels`` is falsy.
        hide_color : number, colour or None
            Colour of hidden superpixels; ``None`` uses each one's mean colour.
        top_labels : int, default 5
            Explain the ``top_labels`` most probable classes (overrides ``labels``).
        num_features : int, default 100000
            Superpixels per explanation (all of them by default).
        num_samples : int, default 1000
            Neighbourhood size: perturbed images sent to the classifier.
        batch_size : int, default 10
            Images per call of ``classifier_fn``.
        segmentation_fn : callable, optional
            ``segmentation_fn(image) -> labels``; default quickshift with
            ``kernel_size=4, max_dist=200, ratio=0.2``.
        distance_metric : str, default "cosine"
            Distance between the binary superpixel masks and the all-ones mask
            (scipy/scikit-learn names).
        model_regressor : regressor, optional
            A scikit-learn style linear regressor used instead of ``Ridge(alpha=1)``.
        random_seed : int, optional
            Accepted for compatibility; no effect (see the module notes).
        progress_bar : bool, default True
            Show a tqdm bar over the model calls when tqdm is installed.

        Returns
        -------
        ImageExplanation
            The lime-style explanation: ``local_exp`` holds the superpixel
            weights of each label, ``get_image_and_mask`` draws them.
        """
        img = np.asarray(image)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)  # lime's gray2rgb
        # A shallow copy carries this call's options; the explainer itself is never changed.
        native = copy.copy(self.native)
        native.hide_color = hide_color
        if model_regressor is not None:
            native.surrogate = _InPlaceEstimator(model_regressor)
        metric = _METRIC_ALIASES.get(distance_metric, distance_metric)
        if metric != native.kernel.metric:
            native.kernel = Kernel(self.kernel_width, metric, self.kernel_fn)

        segments = None
        if segmentation_fn is not None:
            segments = segmentation_fn(img)
        use_top = int(top_labels) if top_labels else None
        label_arg = None if use_top else [int(v) for v in np.atleast_1d(np.asarray(labels))]
        options = dict(num_features=num_features, num_samples=num_samples,
                       batch_size=batch_size, segments=segments,
                       distance_metric=metric, progress_bar=bool(progress_bar))
        exp = native.explain(img, classifier_fn, labels=label_arg, top_labels=use_top, **options)
        top = None
        if use_top:
            # lime's choice, ties in numpy's own argsort order: np.argsort(preds)[-k:] reversed
            top = [int(k) for k in np.argsort(np.asarray(exp.predict_proba))[-use_top:][::-1]]
            if set(top) != set(exp.labels):  # a tie at the cut-off: explain lime's labels
                exp = native.explain(img, classifier_fn, labels=top, top_labels=None, **options)
        out = ImageExplanation(exp, segments, top_labels=top)
        if self.verbose:
            for label in out.local_exp:
                print("Intercept", out.intercept[label])
                print("Prediction_local", [out.local_pred_per_label[label]])
                print("Right:", exp.predict_proba[label])
        return out

    def data_labels(self, image, fudged_image, segments, classifier_fn, num_samples,
                    batch_size=10):
        """A neighbourhood of masks and the model's outputs on their images (lime's method).

        Parameters
        ----------
        image : ndarray (H, W, C)
            The image to explain.
        fudged_image : ndarray like ``image``
            What hidden superpixels show.
        segments : ndarray of int (H, W)
            Superpixel labels ``0..S-1``.
        classifier_fn : callable
            ``classifier_fn(images)`` returns one row of outputs per image.
        num_samples : int
            Number of masks to draw, the all-ones row 0 included.
        batch_size : int, default 10
            Images per model call.

        Returns
        -------
        data : ndarray of int, shape (num_samples, S)
            1 where a superpixel is shown; row 0 shows all of them.
        labels : ndarray, shape (num_samples, n_outputs)
            The classifier's outputs on the image of each mask, in row order.
        """
        img = np.asarray(image)
        seg = np.asarray(segments).astype(np.intp)
        n_features = np.unique(seg).shape[0]
        rep = ImageRepresentation(img, seg, n_features)
        rep.fill = np.asarray(fudged_image, dtype=img.dtype).reshape(img.shape)
        rng = np.random.default_rng(self.random_state)
        data = rng.integers(0, 2, size=(int(num_samples), n_features))
        data[0, :] = 1
        labels = [np.asarray(classifier_fn(chunk))
                  for chunk in rep.decode_chunks(data, batch_size=batch_size)]
        return data, np.concatenate(labels) if labels else np.empty((0,))

    def __repr__(self) -> str:
        return (f"LimeImageExplainer(kernel_width={self.kernel_width:g}, "
                f"feature_selection={self.feature_selection!r}, "
                f"random_state={self.random_state})")
