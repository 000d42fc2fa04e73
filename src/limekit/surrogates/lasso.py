"""Weighted Lasso surrogate: an L1-penalised linear model fitted on the neighbourhood.

This module also holds the small helpers the non-default surrogates share
(the weighted R² with :class:`~limekit.surrogates.RidgeSurrogate`'s convention
and parameter checks).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._validation import check_int as _check_int
from .linear import SurrogateFit
from .selection import WeightedDesign

__all__ = ["LassoSurrogate"]


# ---------------------------------------------------------------- shared helpers
def _weighted_r2(design: WeightedDesign, label: int, pred: np.ndarray) -> float:
    """Weighted R² of ``pred`` against ``design.Y[:, label]`` on the fitting samples.

    Same convention as :class:`RidgeSurrogate`: a target constant up to rounding
    has a TSS made of noise, so R² is 1 if it is fitted exactly and 0 otherwise.
    """
    y = design.Y[:, label]
    resid = y - pred
    rss = float(design.w @ (resid * resid))
    tss = float(design.tss[label])
    noise = 1e-12 * float(design.w @ (y * y)) + 1e-300
    if tss > noise:
        return 1.0 - rss / tss
    return 1.0 if rss <= noise else 0.0


def _check_float(value, name: str, low: float = 0.0, high: float = np.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not np.isfinite(value) or too_low or too_high:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be a finite number in {lo}{low:g}, {high:g}{hi}, "
                         f"got {value}")
    return value


# ---------------------------------------------------------------------- surrogate
class LassoSurrogate:
    """Weighted Lasso with an unpenalised intercept.

    Minimises ``(1 / (2 Σw)) Σ w_i (y_i − b − z_iᵀβ)² + alpha · ‖β‖₁`` with
    scikit-learn's coordinate descent (``Lasso`` with ``sample_weight``), so the
    penalty does not depend on the scale of the kernel weights. Features the
    penalty zeroes keep a zero weight in the explanation.

    This is *not* lime's K-Lasso: K-Lasso uses the Lasso path only to choose
    ``K`` features and then fits them without an L1 penalty; that is
    ``feature_selection="lasso_path"`` with the default ridge surrogate. Use
    this class when you want the shrunken Lasso weights themselves.

    Parameters
    ----------
    alpha : float, default 0.01
        L1 penalty, in units of half the weighted mean squared error; larger
        values give sparser, more shrunken weights. ``0`` is not allowed (use
        ``RidgeSurrogate(alpha=0)`` for weighted least squares).
    max_iter : int, default 10000
        Coordinate-descent iterations.
    tol : float, default 1e-6
        Coordinate-descent tolerance (scikit-learn's ``tol``).

    Notes
    -----
    ``intercept + Σ coef · z0 = local_pred`` holds as for every limekit surrogate.
    ``details`` is ``{"kind": "lasso", "alpha": alpha, "n_nonzero": k}``.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.surrogates import WeightedDesign
    >>> from limekit.surrogates.lasso import LassoSurrogate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = 2.0 * X[:, 0] + 0.01 * rng.normal(size=200)
    >>> design = WeightedDesign(X, y[:, None], np.ones(200))
    >>> fit = LassoSurrogate(alpha=0.05).fit(design, 0, np.arange(3), X[0])
    >>> round(float(fit.coef[0]), 2)
    1.95
    >>> fit.details
    {'kind': 'lasso', 'alpha': 0.05, 'n_nonzero': 1}
    """

    def __init__(self, alpha: float = 0.01, max_iter: int = 10_000, tol: float = 1e-6) -> None:
        self.alpha = _check_float(alpha, "alpha", low=0.0, low_open=True)
        self.max_iter = _check_int(max_iter, "max_iter", 1)
        self.tol = _check_float(tol, "tol", low=0.0, low_open=True)

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Fit on ``design.X[:, features]`` and target ``design.Y[:, label]``.

        Parameters
        ----------
        design : WeightedDesign
            The weighted neighbourhood: interpretable samples ``X``, model
            outputs ``Y`` and kernel weights ``w``.
        label : int
            Column of ``design.Y`` to fit (the explained label).
        features : ndarray of int
            Indices of the selected features (columns of ``design.X``).
        z0 : ndarray of shape (n_features,)
            The explained instance in the interpretable space.

        Returns
        -------
        SurrogateFit
            The selected features' weights, intercept, weighted R² and the
            prediction at ``z0``.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso

        S = np.asarray(features, dtype=np.intp)
        y = design.Y[:, label]
        if S.size == 0:
            coef, intercept = np.zeros(0), float(design.y_mean[label])
        else:
            X, w = design.X[:, S], design.w / design.w.max()  # scale-free; no underflow
            keep = w > 0  # zero-weight rows carry no information; sklearn need not see them
            reg = Lasso(alpha=self.alpha, max_iter=self.max_iter, tol=self.tol)
            with warnings.catch_warnings():
                # the fit is usable even if not fully converged; the score reports fidelity
                warnings.simplefilter("ignore", ConvergenceWarning)
                reg.fit(X[keep], y[keep], sample_weight=w[keep])
            coef = np.asarray(reg.coef_, dtype=float).copy()
            intercept = float(reg.intercept_)
        pred = design.X[:, S] @ coef + intercept
        local_pred = float(z0[S] @ coef + intercept)
        details = {"kind": "lasso", "alpha": self.alpha,
                   "n_nonzero": int(np.count_nonzero(coef))}
        return SurrogateFit(features=S, coef=coef, intercept=intercept,
                            score=_weighted_r2(design, label, pred), local_pred=local_pred,
                            details=details)

    def __repr__(self) -> str:
        return (f"LassoSurrogate(alpha={self.alpha:g}, max_iter={self.max_iter}, "
                f"tol={self.tol:g})")
