"""Local fidelity: how closely a surrogate follows the black box around an instance.

The surrogate's own ``score`` is its weighted R² on the samples it was fitted
on, an optimistic, in-sample figure. The LEMON / MARS protocol (:doc:`/methods/metrics`)
measures fidelity instead on *fresh* samples from the neighbourhood: draw new
points around the instance (independently of the explainer's draw), evaluate
the black box (probability of the explained class, or the regression output)
and the surrogate on them, and report RMSE and R². This module computes those
figures; drawing the fresh samples is the caller's choice, so that no sampler
is favoured (report them on several neighbourhoods, e.g. an N-ball and lime's
Gaussian).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..explanation import Explanation
from ._weights import _as_float_array, _check_not_empty_finite, attribution_vector

__all__ = ["FidelityReport", "fidelity_scores", "linear_surrogate_predict",
           "effective_sample_size"]


@dataclass(frozen=True)
class FidelityReport:
    """Agreement of a surrogate with the black box on evaluation samples.

    Attributes
    ----------
    rmse : float
        (Weighted) root-mean-square difference between model and surrogate.
    r2 : float
        (Weighted) coefficient of determination of the surrogate as a predictor
        of the model, ``1 - SSE / TSS``; NaN when the model is constant on the
        samples (TSS = 0), where R² is undefined.
    n : int
        Number of evaluation samples.
    effective_n : float
        Kish effective sample size of the weights (``n`` when unweighted).
    """

    rmse: float
    r2: float
    n: int
    effective_n: float

    def to_dict(self) -> dict[str, Any]:
        """Convert the report to a JSON-compatible dict.

        Returns
        -------
        dict
            ``rmse``, ``r2``, ``n`` and ``effective_n``; an undefined (NaN) figure
            becomes ``None``.
        """
        return {"rmse": _json_float(self.rmse), "r2": _json_float(self.r2), "n": int(self.n),
                "effective_n": _json_float(self.effective_n)}


def fidelity_scores(model_values: Any, surrogate_values: Any,
                    sample_weight: Any | None = None) -> FidelityReport:
    """RMSE and R² of a surrogate against the black box on evaluation samples.

    Parameters
    ----------
    model_values : array-like of shape (n,)
        Black-box output on the evaluation samples (probability of the
        explained class, or the regression value).
    surrogate_values : array-like of shape (n,)
        The surrogate's prediction on the same samples, e.g. from
        :func:`linear_surrogate_predict`.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights, e.g. the proximity kernel, to measure fidelity
        where the explanation claims to hold. Default: all 1.

    Returns
    -------
    FidelityReport
        The weighted RMSE and R² of the surrogate against the model, and the
        effective sample size of the weights.

    Notes
    -----
    With weights ``w`` and residuals ``e = model - surrogate``:
    ``rmse = sqrt(Σ w e² / Σ w)`` and
    ``r2 = 1 - Σ w e² / Σ w (model - ȳ_w)²`` with ``ȳ_w`` the weighted mean of
    the model values. Use samples the surrogate was *not* fitted on; on its own
    training samples these figures are in-sample and optimistic.

    Examples
    --------
    >>> report = fidelity_scores([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 4.0])
    >>> report.rmse, report.r2
    (0.5, 0.8)
    >>> report.to_dict()
    {'rmse': 0.5, 'r2': 0.8, 'n': 4, 'effective_n': 4.0}
    """
    y = _vector(model_values, "model_values")
    s = _vector(surrogate_values, "surrogate_values")
    if y.shape != s.shape:
        raise ValueError(
            f"model_values has {y.shape[0]} values but surrogate_values has {s.shape[0]}; "
            "evaluate both on the same samples."
        )
    if y.shape[0] < 2:
        raise ValueError(f"need at least 2 evaluation samples, got {y.shape[0]}")
    w = np.ones_like(y) if sample_weight is None else _weights(sample_weight, y.shape[0])
    total = w.sum()
    sse = float(w @ (y - s) ** 2)
    y_mean = float(w @ y) / total
    tss = float(w @ (y - y_mean) ** 2)
    # tolerance relative to the data: a model constant up to rounding has no variance to explain
    tiny = np.finfo(float).eps * max(1.0, float(np.max(np.abs(y)))) ** 2 * total
    r2 = 1.0 - sse / tss if tss > tiny else math.nan
    return FidelityReport(rmse=math.sqrt(sse / total), r2=r2, n=int(y.shape[0]),
                          effective_n=_kish(w))


def linear_surrogate_predict(explanation: Explanation, Z: Any,
                             label: int | None = None) -> np.ndarray | float:
    """Evaluate an explanation's linear surrogate on interpretable samples.

    ``intercept + Z @ w`` with ``w`` the dense weight vector (unselected
    features 0), i.e. the surrogate limekit fitted, applied to new points of
    the interpretable space.

    Parameters
    ----------
    explanation : Explanation
        The explanation whose surrogate to evaluate.
    Z : array-like of shape (n, d) or (d,)
        Samples in the explanation's interpretable representation (tabular
        with a discretizer: 1 if the feature is in the instance's bin, else 0;
        continuous: z-scores ``(x - training mean) / training std``; text and
        images: 1 if the word/superpixel is kept).
    label : int, optional
        Explained label; default the explanation's first.

    Returns
    -------
    ndarray of shape (n,), or float for 1-D ``Z``
        The surrogate's prediction (intercept plus weighted features) at each sample.

    Notes
    -----
    Exact for the linear surrogates (ridge, lasso, forward selection). For a
    nonlinear surrogate the explanation's weights are a linearisation and this
    is only its linear part.

    Examples
    --------
    >>> from limekit import Explanation, LabelExplanation
    >>> le = LabelExplanation(weights=((1, 2.0),), intercept=0.5, score=1.0, local_pred=2.5)
    >>> exp = Explanation(mode="regression", feature_names=("a", "b"),
    ...                   feature_descriptions=("a", "b"), feature_values=("0", "1"),
    ...                   class_names=None, label_explanations={0: le})
    >>> linear_surrogate_predict(exp, [[1, 1], [0, 0]])
    array([2.5, 0.5])
    >>> linear_surrogate_predict(exp, [0, 1]) == exp.local_pred[0]
    True
    """
    if not isinstance(explanation, Explanation):
        raise TypeError(
            f"explanation must be a limekit Explanation, got {type(explanation).__name__}; "
            "for plain weights compute intercept + Z @ weights directly."
        )
    lab = explanation._resolve_label(label)
    w = attribution_vector(explanation, lab)
    Za = _as_float_array(Z, "Z")
    if Za.ndim not in (1, 2) or Za.shape[-1] != w.shape[0]:
        raise ValueError(
            f"Z must have shape (n, {w.shape[0]}) or ({w.shape[0]},) to match the "
            f"explanation's {w.shape[0]} features, got {Za.shape}"
        )
    _check_not_empty_finite(Za, "Z")
    out = explanation.label_explanations[lab].intercept + Za @ w
    return float(out) if Za.ndim == 1 else out


def effective_sample_size(weights: Any) -> float:
    """Kish effective sample size ``(Σw)² / Σw²`` of non-negative weights.

    ``n`` for equal weights; close to 1 when one sample carries almost all the
    weight (the unstable regime of LIME with narrow kernels, see :doc:`/methods/glime`).

    Parameters
    ----------
    weights : array-like of shape (n,)
        Non-negative sample weights.

    Returns
    -------
    float
        The effective number of samples, between 1 and ``n``.

    Examples
    --------
    >>> effective_sample_size([1.0, 1.0, 1.0, 1.0])
    4.0
    >>> effective_sample_size([1.0, 0.0, 0.0, 0.0])
    1.0
    """
    w = _as_float_array(weights, "weights")
    if w.ndim != 1:
        raise ValueError(f"weights must be 1-D, got shape {w.shape}")
    return _kish(_weights(w, w.shape[0]))


# ------------------------------------------------------------------ helpers
def _vector(x: Any, name: str) -> np.ndarray:
    a = _as_float_array(x, name)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one value per sample), got shape {a.shape}; for class "
            "probabilities pass the explained class's column, e.g. proba[:, label]."
        )
    _check_not_empty_finite(a, name)
    return a


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    w = _as_float_array(sample_weight, "sample_weight")
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}")
    _check_not_empty_finite(w, "sample_weight")
    if (w < 0).any():
        raise ValueError("sample_weight must be non-negative")
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to 0; at least one sample needs positive weight")
    return w


def _kish(w: np.ndarray) -> float:
    # rescale first so huge or tiny weights do not overflow/underflow the squares
    w = w / w.max()
    return float(w.sum() ** 2 / (w @ w))


def _json_float(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
