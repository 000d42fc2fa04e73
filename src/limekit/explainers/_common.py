"""The stages every explainer shares once the black box has answered:
which labels to explain, and one sparse surrogate per label."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..explanation import LabelExplanation, _finite
from ..surrogates import WeightedDesign, select_features

__all__ = ["resolve_labels", "fit_label_explanations", "DEFAULT_NUM_FEATURES"]

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


def fit_label_explanations(Z: np.ndarray, Y: np.ndarray, weights: np.ndarray,
                           labels: Sequence[int], num_features: int, feature_selection: str,
                           surrogate) -> dict[int, LabelExplanation]:
    """Select features and fit ``surrogate`` for each label on ``(Z, Y[:, label], weights)``.

    The weighted Gram matrix is computed once and shared by all labels.
    Row 0 of ``Z`` is the explained instance.
    """
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
