"""The stages every explainer shares once the black box has answered:
which labels to explain, and one sparse surrogate per label."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..explanation import LabelExplanation, _finite
from ..sampling import KernelMaskSampler, ShapleyMaskSampler
from ..surrogates import WeightedDesign, select_features
from ..surrogates.shapley import ShapleySurrogate

__all__ = ["resolve_labels", "fit_label_explanations", "DEFAULT_NUM_FEATURES",
           "MASK_SAMPLERS", "make_mask_sampler", "draw_masks", "surrogate_for"]

#: ``sampler=`` names accepted by the explainers whose features are masks (text, images,
#: time-series windows). Tabular adds "nball" and "realistic".
MASK_SAMPLERS = ("lime", "kernel", "kernelshap")

DEFAULT_NUM_FEATURES = 10


def resolve_labels(y0: np.ndarray, mode: str, labels: Sequence[int] | None,
                   top_labels: int | None, class_names: Sequence[str] | None) -> list[int]:
    """Labels to explain, given the model's output ``y0`` at the instance.

    Default: the predicted class (classification), the output (regression).
    """
    n_out = y0.shape[0]
    if mode == "regression":
        return [0]
    if class_names is not None and len(class_names) != n_out:
        raise ValueError(
            f"class_names has {len(class_names)} names but the model returns "
            f"{n_out} class probabilities; pass one name per model output column."
        )
    if top_labels is not None:
        if isinstance(top_labels, bool) or int(top_labels) < 1:
            raise ValueError(f"top_labels must be a positive int, got {top_labels!r}")
        # lime's order: ascending stable sort reversed, so among tied probabilities
        # the higher class index comes first
        order = np.argsort(y0, kind="stable")[::-1]
        return [int(i) for i in order[: min(int(top_labels), n_out)]]
    if labels is None:
        return [int(np.argmax(y0))]
    out: list[int] = []
    for lab in np.atleast_1d(np.asarray(labels)).tolist():
        if not isinstance(lab, int) or not 0 <= lab < n_out:
            raise ValueError(
                f"label {lab!r} is not a valid class index; the model returns {n_out} "
                f"classes, so labels must be integers in 0..{n_out - 1}."
            )
        if lab not in out:
            out.append(lab)
    if not out:
        raise ValueError("labels is empty; pass at least one class index or use top_labels")
    return out


def make_mask_sampler(sampler, default, kernel, scale: float = 1.0, min_kept: int = 0):
    """The mask sampler for ``sampler=`` (a name from :data:`MASK_SAMPLERS` or an object).

    ``"lime"`` is the explainer's own (``default``); ``"kernel"`` draws masks
    from ``kernel`` (GLIME-Binomial, unit weights); ``"kernelshap"`` draws
    Shapley coalitions. Objects with ``draw(d, n, rng)`` (kernel-weighted) or
    ``draw_with_weights(d, n, rng)`` pass through.
    """
    if sampler is None or (isinstance(sampler, str) and sampler == "lime"):
        return default
    if isinstance(sampler, str):
        if sampler == "kernel":
            return KernelMaskSampler(kernel.width, kernel.metric, scale, min_kept)
        if sampler == "kernelshap":
            return ShapleyMaskSampler()
        raise ValueError(f"sampler must be one of {MASK_SAMPLERS} or a sampler object, "
                         f"got {sampler!r}")
    if hasattr(sampler, "draw_with_weights") or hasattr(sampler, "draw"):
        return sampler
    raise TypeError(f"sampler must be a name or have draw(d, n, rng); got "
                    f"{type(sampler).__name__}")


def draw_masks(sampler, d: int, n: int, rng: np.random.Generator, kernel,
               scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, weights)``: the sampler's masks, weighted by the kernel unless the
    sampler brings its own weights (kernel-drawn or Shapley samples)."""
    if getattr(sampler, "own_weights", False):
        return sampler.draw_with_weights(d, n, rng)
    Z = sampler.draw(d, n, rng)
    return Z, kernel.weights(kernel.distances(Z, Z[0]) * scale)


def surrogate_for(sampler, surrogate):
    """KernelSHAP samples are fitted by the Shapley surrogate; others by ``surrogate``."""
    return ShapleySurrogate() if getattr(sampler, "shapley", False) else surrogate


def fit_label_explanations(Z: np.ndarray, Y: np.ndarray, weights: np.ndarray,
                           labels: Sequence[int], num_features: int, feature_selection: str,
                           surrogate) -> dict[int, LabelExplanation]:
    """Select features and fit ``surrogate`` for each label on ``(Z, Y[:, label], weights)``.

    The weighted Gram matrix is computed once and shared by all labels.
    Row 0 of ``Z`` is the explained instance.
    """
    if isinstance(surrogate, ShapleySurrogate):
        # Shapley values share the whole prediction: no selection; the two anchor
        # coalitions (infinite weight) are constraints inside the surrogate
        feature_selection, num_features = "none", Z.shape[1]
        finite = np.isfinite(weights)
        weights = np.where(finite, weights, 0.0 if finite.any() and weights[finite].sum() > 0
                           else 1.0)
    design = WeightedDesign(Z, Y[:, list(labels)], weights)
    z0 = Z[0]
    out: dict[int, LabelExplanation] = {}
    for col, label in enumerate(labels):
        selected = select_features(design, col, num_features, feature_selection, z0)
        fit = surrogate.fit(design, col, selected, z0)
        order = np.argsort(-np.abs(fit.coef), kind="stable")
        out[int(label)] = LabelExplanation(
            weights=tuple((int(fit.features[i]), _finite(fit.coef[i])) for i in order),
            intercept=_finite(fit.intercept),
            score=_finite(fit.score),
            local_pred=_finite(fit.local_pred),
            details=fit.details,
        )
    return out
