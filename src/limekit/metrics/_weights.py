"""Turn explanations and other libraries' attributions into dense weight arrays.

Every metric in :mod:`limekit.metrics` works on dense attribution vectors: one
weight per feature, in column order. A limekit :class:`~limekit.Explanation`
lists only its selected features, so the features it left out get weight 0.
Plain arrays (SHAP values, gradients, coefficients of another explainer) are
used as they are, after checking their shape and that they are finite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_int
from ..explanation import Explanation, LabelExplanation

__all__ = ["attribution_vector", "attribution_matrix"]


def attribution_vector(explanation_or_array: Any, label: int | None = None,
                       n_features: int | None = None) -> np.ndarray:
    """A dense attribution vector of shape ``(d,)``.

    Parameters
    ----------
    explanation_or_array : Explanation, LabelExplanation or array-like of shape (d,)
        An :class:`~limekit.Explanation` (``d = len(feature_names)``), one of its
        :class:`~limekit.LabelExplanation` (then ``n_features`` is required), or
        weights from any other library.
    label : int, optional
        Which explained label of an Explanation to use; default its first
        explained label (the top label when ``top_labels`` was used). Ignored
        for arrays.
    n_features : int, optional
        Expected number of features ``d``; checked when given.

    Returns
    -------
    ndarray of shape (d,)
        The weight of every feature; features the explanation did not select
        are 0.

    Examples
    --------
    >>> from limekit import Explanation, LabelExplanation
    >>> le = LabelExplanation(weights=((2, 0.5), (0, -0.25)), intercept=0.1, score=0.9,
    ...                       local_pred=0.35)
    >>> exp = Explanation(mode="regression", feature_names=("a", "b", "c"),
    ...                   feature_descriptions=("a", "b", "c"), feature_values=("1", "2", "3"),
    ...                   class_names=None, label_explanations={0: le})
    >>> attribution_vector(exp)
    array([-0.25,  0.  ,  0.5 ])
    >>> attribution_vector([0.1, -0.2, 0.3])
    array([ 0.1, -0.2,  0.3])
    """
    if isinstance(explanation_or_array, Explanation):
        d = len(explanation_or_array.feature_names)
        _check_n_features(d, n_features, "the explanation")
        # the Explanation's own resolver gives the same error message as as_list()
        lab = explanation_or_array._resolve_label(label)
        return _dense(explanation_or_array.label_explanations[lab], d)
    if isinstance(explanation_or_array, LabelExplanation):
        if n_features is None:
            raise ValueError(
                "a LabelExplanation does not know how many features there are; pass "
                "n_features=..., or pass the whole Explanation instead."
            )
        return _dense(explanation_or_array, _check_count(n_features, "n_features"))
    a = _as_float_array(explanation_or_array, "attributions")
    if a.ndim != 1:
        raise ValueError(
            f"attributions must be 1-D (one weight per feature), got shape {a.shape}; "
            "for several explanations use attribution_matrix()."
        )
    _check_not_empty_finite(a, "attributions")
    _check_n_features(a.shape[0], n_features, "attributions")
    return a


def attribution_matrix(attributions: Any, label: int | None = None,
                       n_features: int | None = None) -> np.ndarray:
    """A dense attribution matrix of shape ``(n, d)``, one row per explanation.

    Parameters
    ----------
    attributions : array-like of shape (n, d) or (d,), Explanation, or sequence
        A 2-D array (e.g. SHAP values for one class), one 1-D vector or
        Explanation (giving one row), or a sequence (list, ExplanationBatch)
        of Explanations and/or 1-D vectors.
    label : int, optional
        Label used for every Explanation (see :func:`attribution_vector`).
    n_features : int, optional
        Expected number of columns ``d``; checked when given.

    Returns
    -------
    ndarray of shape (n, d)
        One attribution vector per row; features an explanation did not
        select are 0.

    Examples
    --------
    >>> attribution_matrix([[0.1, 0.2], [0.3, 0.4]]).shape
    (2, 2)
    """
    if isinstance(attributions, (Explanation, LabelExplanation)):
        return attribution_vector(attributions, label, n_features)[None, :]
    if isinstance(attributions, Sequence) and not isinstance(attributions, (str, bytes)):
        if len(attributions) == 0:
            raise ValueError("attributions is empty; pass at least one explanation")
        if any(isinstance(a, (Explanation, LabelExplanation)) for a in attributions):
            rows = [attribution_vector(a, label, n_features) for a in attributions]
            _check_equal_lengths(rows)
            return np.vstack(rows)
    A = _as_float_array(attributions, "attributions")
    if A.ndim == 1:
        A = A[None, :]
    if A.ndim != 2:
        raise ValueError(
            f"attributions must be 2-D (explanations × features), got shape {A.shape}; "
            "for SHAP values of a multi-class model select one class first, e.g. "
            "values[..., label]."
        )
    _check_not_empty_finite(A, "attributions")
    _check_n_features(A.shape[1], n_features, "attributions")
    return A


# ------------------------------------------------------------------ helpers
def _is_single(attributions: Any) -> bool:
    """True when ``attributions`` (already accepted by attribution_matrix) is one vector."""
    if isinstance(attributions, (Explanation, LabelExplanation)):
        return True
    if isinstance(attributions, Sequence) and any(
            isinstance(a, (Explanation, LabelExplanation)) for a in attributions):
        return False
    return np.ndim(attributions) == 1


def _dense(le: LabelExplanation, d: int) -> np.ndarray:
    a = np.zeros(d)
    if le.weights:
        idx = np.array([i for i, _ in le.weights], dtype=np.intp)
        if idx.min() < 0 or idx.max() >= d:
            raise ValueError(
                f"the explanation refers to feature index {int(idx.max())} but has only "
                f"{d} features"
            )
        a[idx] = [w for _, w in le.weights]
    return a


def _as_float_array(x: Any, name: str) -> np.ndarray:
    if isinstance(x, (Explanation, LabelExplanation)):
        raise TypeError(f"{name} must be numeric here, got an {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(
            f"{name} has rows of different lengths; every row needs one value per feature"
        ) from None
    if arr.dtype == object and arr.ndim > 0 and any(np.ndim(v) > 0 for v in arr.flat):
        raise ValueError(
            f"{name} has rows of different lengths; every row needs one value per feature"
        )
    if arr.dtype.kind not in "biuf" and arr.dtype != object:
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    try:
        return arr.astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric, got non-numeric values") from None


def _check_not_empty_finite(a: np.ndarray, name: str) -> None:
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}); pass at least one feature")
    if not np.isfinite(a).all():
        pos = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(
            f"{name} contains NaN or infinite values (first at index {pos}); "
            "replace or drop them before computing metrics."
        )


def _check_n_features(d: int, n_features: int | None, what: str) -> None:
    if n_features is not None and d != _check_count(n_features, "n_features"):
        raise ValueError(f"{what} has {d} features but n_features={n_features}")


def _check_count(value: Any, name: str, minimum: int = 1) -> int:
    return check_int(value, name, minimum)


def _check_equal_lengths(rows: list[np.ndarray]) -> None:
    lengths = sorted({r.shape[0] for r in rows})
    if len(lengths) > 1:
        raise ValueError(
            f"the explanations have different numbers of features ({lengths}); all must "
            "explain the same feature set."
        )


def _check_real(value: Any, name: str, *, positive: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or (positive and value <= 0):
        kind = "a positive finite" if positive else "a finite"
        raise ValueError(f"{name} must be {kind} number, got {value}")
    return value


def _rng(random_state: Any) -> np.random.Generator:
    """A Generator from ``random_state`` (int, Generator or None); never the global RNG."""
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError("random_state must be an int, a numpy Generator or None, not a bool")
    if random_state is None or isinstance(random_state, (int, np.integer, np.random.Generator,
                                                         np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    raise TypeError(
        "random_state must be an int, a numpy Generator or None, got "
        f"{type(random_state).__name__}"
    )
