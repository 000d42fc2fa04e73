"""Perturbation faithfulness: does removing what the explanation calls important change the model?

* :func:`insertion_deletion` (RISE; ID-ExpO; see :doc:`/methods/metrics`): order the features
  by attribution, then *delete* the top ones (replace them by a baseline) or
  *insert* only them (into the baseline) and follow the model's output. A
  faithful explanation makes the deletion curve fall fast (low area) and the
  insertion curve rise fast (high area).
* :func:`faithfulness_correlation` (Bhatt et al. 2020, as in Quantus): the
  Pearson correlation, over random feature subsets, between the summed
  attribution of the subset and the drop of the model output when the subset
  is set to the baseline.

``model_fn`` takes a 2-D array ``(n, d)`` and returns ``(n,)`` values or
``(n, n_classes)`` scores (then ``label`` picks the column). All perturbed
inputs of a call are built as one array and scored in one model call (or in
``batch_size`` chunks). Columns of ``x`` are the explanation's features; for
text or images wrap the model so that it maps an ``(n, d)`` array of feature
values (e.g. 1 = word kept) to outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..explanation import Explanation, LabelExplanation
from ._weights import (
    _as_float_array,
    _check_count,
    _check_not_empty_finite,
    _check_real,
    _rng,
    attribution_matrix,
)

__all__ = ["InsertionDeletionResult", "insertion_deletion", "faithfulness_correlation"]


# eq=False: the fields are arrays, which == cannot reduce to one bool; compare to_dict()
@dataclass(frozen=True, eq=False)
class InsertionDeletionResult:
    """Insertion and deletion curves.

    For a single instance the curves are 1-D and the AUCs floats; for ``n``
    instances the curves are ``(n, n_points)`` arrays and the AUCs ``(n,)``
    arrays.

    Attributes
    ----------
    insertion_curve : ndarray
        Model output when only the top ``steps[i]`` features keep their value
        and the others are at the baseline (``steps[0] = 0``: the baseline).
    deletion_curve : ndarray
        Model output when the top ``steps[i]`` features are replaced by the
        baseline (``steps[0] = 0``: the instance itself).
    insertion_auc : float or ndarray
        Mean of the insertion curve over its points (higher = more faithful).
    deletion_auc : float or ndarray
        Mean of the deletion curve over its points (lower = more faithful).
    steps : ndarray of int
        Number of features inserted/deleted at each curve point.
    """

    insertion_curve: np.ndarray
    deletion_curve: np.ndarray
    insertion_auc: float | np.ndarray
    deletion_auc: float | np.ndarray
    steps: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Convert the result to a JSON-compatible dict.

        Returns
        -------
        dict
            Every field, arrays as lists.
        """
        def conv(v):
            return v.tolist() if isinstance(v, np.ndarray) else float(v)

        return {"insertion_curve": conv(self.insertion_curve),
                "deletion_curve": conv(self.deletion_curve),
                "insertion_auc": conv(self.insertion_auc),
                "deletion_auc": conv(self.deletion_auc),
                "steps": self.steps.tolist()}


def insertion_deletion(model_fn: Callable[[np.ndarray], Any], x: Any, attributions: Any, *,
                       baseline: float | str | Any = 0.0, background: Any | None = None,
                       label: int | None = None, fraction: float = 0.5, step: int = 1,
                       batch_size: int | None = None) -> InsertionDeletionResult:
    """Insertion and deletion curves of an attribution (RISE / ID-ExpO protocol).

    Features are sorted by attribution, largest (most positive) first; ties go
    to the lower index. With ``K = ceil(fraction · d)`` and
    ``steps = [0, step, 2·step, ..., K]`` (the last step is capped at ``K``),
    deletion replaces the top ``steps[i]`` features of ``x`` by the baseline
    and insertion keeps only them, the rest being at the baseline.

    Parameters
    ----------
    model_fn : callable
        ``model_fn(X) -> (n,)`` or ``(n, n_classes)`` for ``X`` of shape ``(n, d)``.
    x : array-like of shape (d,) or (n, d)
        The explained instance(s).
    attributions : array-like of shape (d,) or (n, d), Explanation, or sequence of Explanations
        One attribution vector per instance.
    baseline : float, array-like of shape (d,), or "mean", default 0.0
        Value a removed feature takes. ``"mean"`` uses the column means of
        ``background``.
    background : array-like of shape (m, d), optional
        Reference data for ``baseline="mean"`` (e.g. the training data).
    label : int, optional
        Column of a 2-D model output to follow. Default: for Explanations, each
        one's first explained label; required for arrays with a multi-column output.
    fraction : float in (0, 1], default 0.5
        Share of the features to insert/delete (K = 50% by default, as in ID-ExpO).
    step : int, default 1
        Features added/removed per curve point.
    batch_size : int, optional
        Most rows per model call; default all in one call.

    Returns
    -------
    InsertionDeletionResult
        The insertion and deletion curves of every instance and their areas.

    Notes
    -----
    AUC convention: the *mean* of the curve over its ``len(steps)`` equally
    spaced points, ``steps[0] = 0`` included, as in ID-ExpO ("mean of the
    class probability over steps"). The trapezoid rule on the normalised axis
    ``t = steps / K`` differs from it by the endpoint correction; compute it
    from the returned curves if needed, e.g.
    ``np.trapezoid(result.deletion_curve, result.steps / result.steps[-1])``.

    Examples
    --------
    A linear model, so each point of the curves is a cumulative sum of
    ``coef · x`` in attribution order:

    >>> import numpy as np
    >>> coef = np.array([1.0, 2.0, 3.0, 4.0])
    >>> x = np.ones(4)
    >>> res = insertion_deletion(lambda X: X @ coef, x, coef * x, fraction=0.5)
    >>> res.steps
    array([0, 1, 2])
    >>> res.deletion_curve
    array([10.,  6.,  3.])
    >>> res.insertion_curve
    array([0., 4., 7.])
    >>> float(res.insertion_auc), float(res.deletion_auc)
    (3.6666666666666665, 6.333333333333333)
    """
    X, single = _instances(x)
    n, d = X.shape
    A, labels = _attributions(attributions, label, n, d)
    base = _baseline(baseline, background, d)
    fraction = _check_real(fraction, "fraction")
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    step = _check_count(step, "step")
    # the tolerance keeps e.g. 0.3 * 10 = 3.0000000000000004 at 3 features
    K = max(1, math.ceil(fraction * d - 1e-9))
    steps = np.minimum(np.arange(math.ceil(K / step) + 1) * step, K)

    order = np.argsort(-A, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(d)[None, :].repeat(n, axis=0), axis=1)
    # mask[r, p, f]: feature f is among the top steps[p] features of instance r
    mask = rank[:, None, :] < steps[None, :, None]
    deleted = np.where(mask, base, X[:, None, :])
    inserted = np.where(mask, X[:, None, :], base)
    P = steps.shape[0]
    scores = _score(model_fn, np.concatenate([deleted, inserted]).reshape(-1, d),
                    np.tile(np.repeat(labels, P), 2), batch_size)
    deletion, insertion = scores.reshape(2, n, P)
    ins_auc, del_auc = insertion.mean(axis=1), deletion.mean(axis=1)
    if single:
        return InsertionDeletionResult(insertion[0], deletion[0], float(ins_auc[0]),
                                       float(del_auc[0]), steps)
    return InsertionDeletionResult(insertion, deletion, ins_auc, del_auc, steps)


def faithfulness_correlation(model_fn: Callable[[np.ndarray], Any], x: Any, attributions: Any,
                             *, baseline: float | str | Any = 0.0, background: Any | None = None,
                             label: int | None = None, subset_size: int | None = None,
                             n_runs: int = 100, batch_size: int | None = None,
                             random_state: int | np.random.Generator | None = None,
                             ) -> float | np.ndarray:
    """Faithfulness correlation (Bhatt, Weller & Moura 2020; Quantus' definition).

    For ``n_runs`` random subsets ``S`` of ``subset_size`` features, set ``x_S``
    to the baseline and record the output drop ``f(x) - f(x with S at the
    baseline)`` and the attribution sum ``Σ_{j∈S} a_j``; the score is the
    Pearson correlation of the two over the runs. 1 means the attribution
    predicts the effect of removing any subset (e.g. ``coef · (x - baseline)``
    for a linear model).

    Parameters
    ----------
    model_fn : callable
        ``model_fn(X) -> (n,)`` or ``(n, n_classes)``.
    x : array-like of shape (d,) or (n, d)
        The explained instance(s).
    attributions : array-like of shape (d,) or (n, d), Explanation, or sequence of Explanations
        One attribution vector per instance.
    baseline, background, label : optional
        As in :func:`insertion_deletion`.
    subset_size : int, optional
        Features removed per run, ``1 <= subset_size < d``; default
        ``ceil(d / 4)`` (Quantus' default of 224 is meant for images).
    n_runs : int, default 100
        Random subsets per instance (at least 2).
    batch_size : int, optional
        As in :func:`insertion_deletion`.
    random_state : int, Generator or None
        Seed for the subsets; the same seed gives the same result.

    Returns
    -------
    float in [-1, 1] (ndarray of shape (n,) for 2-D ``x``)
        NaN when the attribution sums or the output drops do not vary over the
        runs (e.g. an all-zero attribution), where the correlation is undefined.

    Examples
    --------
    >>> import numpy as np
    >>> coef = np.array([1.0, -2.0, 3.0, 0.5, 1.5])
    >>> x = np.array([1.0, 2.0, -1.0, 4.0, 0.5])
    >>> model = lambda X: X @ coef + 1.0
    >>> round(faithfulness_correlation(model, x, coef * x, subset_size=2, random_state=0), 6)
    1.0
    """
    X, single = _instances(x)
    n, d = X.shape
    A, labels = _attributions(attributions, label, n, d)
    base = _baseline(baseline, background, d)
    if d < 2:
        raise ValueError("faithfulness correlation needs at least 2 features")
    if subset_size is None:
        subset_size = min(d - 1, max(1, math.ceil(d / 4)))
    subset_size = _check_count(subset_size, "subset_size")
    if subset_size >= d:
        raise ValueError(
            f"subset_size={subset_size} must be smaller than the number of features ({d}); "
            "removing every feature in every run leaves nothing to correlate."
        )
    n_runs = _check_count(n_runs, "n_runs", minimum=2)
    rng = _rng(random_state)

    # a random subset per (instance, run): the first subset_size of a random permutation
    picks = np.argsort(rng.random((n, n_runs, d)), axis=2)[:, :, :subset_size]
    mask = np.zeros((n, n_runs, d), dtype=bool)
    np.put_along_axis(mask, picks, True, axis=2)
    att_sums = np.einsum("rkd,rd->rk", mask, A)
    perturbed = np.where(mask, base, X[:, None, :]).reshape(-1, d)
    scores = _score(model_fn, np.concatenate([X, perturbed]),
                    np.concatenate([labels, np.repeat(labels, n_runs)]), batch_size)
    drops = scores[:n, None] - scores[n:].reshape(n, n_runs)
    corr = _pearson_rows(att_sums, drops)
    return float(corr[0]) if single else corr


# ------------------------------------------------------------------ helpers
def _instances(x: Any) -> tuple[np.ndarray, bool]:
    X = _as_float_array(x, "x")
    if X.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D (one instance) or 2-D (instances × features), "
                         f"got shape {X.shape}")
    _check_not_empty_finite(X, "x")
    return (X[None, :], True) if X.ndim == 1 else (X, False)


def _attributions(attributions: Any, label: int | None, n: int,
                  d: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense ``(n, d)`` attributions and the model-output column to follow per instance."""
    A = attribution_matrix(attributions, label)
    if A.shape != (n, d):
        raise ValueError(
            f"attributions have shape {A.shape} but x has {n} instance(s) of {d} features; "
            "give one attribution vector per instance, over the same features."
        )
    if label is not None:
        lab = _check_count(label, "label", minimum=0)
        return A, np.full(n, lab)
    exps = [attributions] if isinstance(attributions, Explanation) else (
        list(attributions) if isinstance(attributions, (list, tuple)) else [])
    if exps and all(isinstance(e, Explanation) for e in exps):
        return A, np.array([e.labels[0] for e in exps])
    if any(isinstance(e, (Explanation, LabelExplanation)) for e in exps):
        raise ValueError("mixing Explanations and arrays needs an explicit label=")
    return A, np.full(n, -1)  # -1: no label given; valid only for single-output models


def _baseline(baseline: Any, background: Any, d: int) -> np.ndarray:
    if isinstance(baseline, str):
        if baseline != "mean":
            raise ValueError(f"baseline must be a number, an array or 'mean', got {baseline!r}")
        if background is None:
            raise ValueError("baseline='mean' needs background=... (e.g. the training data)")
        B = _as_float_array(background, "background")
        if B.ndim != 2 or B.shape[1] != d or B.shape[0] == 0:
            raise ValueError(f"background must have shape (m, {d}) with m >= 1, got {B.shape}")
        _check_not_empty_finite(B, "background")
        return B.mean(axis=0)
    if background is not None:
        raise ValueError("background is only used with baseline='mean'")
    if np.ndim(baseline) == 0:
        return np.full(d, _check_real(baseline, "baseline"))
    b = _as_float_array(baseline, "baseline")
    if b.shape != (d,):
        raise ValueError(f"baseline must be a number or have shape ({d},), got {b.shape}")
    _check_not_empty_finite(b, "baseline")
    return b


def _score(model_fn: Callable[[np.ndarray], Any], X: np.ndarray, labels: np.ndarray,
           batch_size: int | None) -> np.ndarray:
    """Model output per row of ``X``, at column ``labels[i]`` for multi-column outputs."""
    if not callable(model_fn):
        raise TypeError(
            f"model_fn must be callable, got {type(model_fn).__name__}; pass e.g. "
            "model.predict_proba or model.predict."
        )
    if batch_size is None:
        chunks = [X]
    else:
        size = _check_count(batch_size, "batch_size")
        chunks = [X[i : i + size] for i in range(0, X.shape[0], size)]
    outs = []
    for chunk in chunks:
        out = np.asarray(model_fn(chunk), dtype=float)
        if out.ndim not in (1, 2) or out.shape[0] != chunk.shape[0]:
            raise ValueError(
                f"model_fn returned shape {out.shape} for {chunk.shape[0]} rows; it must return "
                "(n,) values or (n, n_classes) scores."
            )
        outs.append(out)
    Y = np.concatenate(outs)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if Y.ndim == 2:
        if (labels < 0).any():
            raise ValueError(
                f"model_fn returns {Y.shape[1]} columns; pass label=... to say which to follow"
            )
        if (labels >= Y.shape[1]).any():
            raise ValueError(
                f"label {int(labels.max())} is out of range for a model with "
                f"{Y.shape[1]} outputs"
            )
        Y = Y[np.arange(Y.shape[0]), labels]
    if not np.isfinite(Y).all():
        raise ValueError("model_fn returned NaN or infinite values on the perturbed inputs")
    return Y


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation; NaN where a row of either input is constant."""
    ca = a - a.mean(axis=1, keepdims=True)
    cb = b - b.mean(axis=1, keepdims=True)
    sa = np.sqrt(np.einsum("rk,rk->r", ca, ca))
    sb = np.sqrt(np.einsum("rk,rk->r", cb, cb))
    # relative tolerance: rounding noise in a constant row must not count as variation
    tol = 1e-12 * np.sqrt(a.shape[1])
    ok = (sa > tol * np.abs(a).max(axis=1)) & (sb > tol * np.abs(b).max(axis=1))
    num = np.einsum("rk,rk->r", ca, cb)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, num / np.where(ok, sa * sb, 1.0), np.nan).clip(-1.0, 1.0)
