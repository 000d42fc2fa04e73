"""Weighted ridge surrogate (lime's default ``Ridge(alpha=1)`` with sample weights)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .selection import WeightedDesign

__all__ = ["RidgeSurrogate", "EstimatorSurrogate", "SurrogateFit"]


@dataclass(frozen=True)
class SurrogateFit:
    """One label's fitted surrogate in the interpretable space.

    Attributes
    ----------
    features : ndarray of int
        Indices of the selected features.
    coef : ndarray of float
        Weight of each selected feature.
    intercept : float
        Intercept of the surrogate.
    score : float
        Weighted R² on the fitting samples.
    local_pred : float
        Surrogate prediction at the instance (row 0).
    details : dict or None
        JSON-compatible extras beyond linear weights (credible intervals,
        rules, slopes, ...), stored on the `~limekit.LabelExplanation`.
    predict : callable or None
        For a surrogate that is not linear in its weights (MARS, a tree, a
        nonlinear regressor): the fitted model's prediction on interpretable
        samples ``Z`` of shape ``(n, n_features)``, so that its fidelity is
        measured as the model it is, not through the linearisation the
        weights report. ``None`` when the weights and intercept are the model.
    """

    features: np.ndarray   # selected feature indices
    coef: np.ndarray       # weight of each selected feature
    intercept: float
    score: float           # weighted R² on the fitting samples
    local_pred: float      # surrogate at the instance (row 0)
    # JSON-compatible extras a surrogate reports beyond linear weights (credible
    # intervals, rules, slopes, ...); stored on the LabelExplanation as ``details``.
    details: dict[str, Any] | None = None
    predict: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False,
                                                                repr=False)


class RidgeSurrogate:
    """Weighted ridge regression with an unpenalised intercept.

    Solved from the design's shared weighted Gram matrix, so explaining several
    labels costs one ``O(n d²)`` pass plus a small solve per label.

    Parameters
    ----------
    alpha : float, default 1.0
        L2 penalty (lime uses 1.0). ``0`` gives weighted least squares, which
        recovers a linear model's coefficients exactly.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        alpha = float(alpha)
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"alpha must be a non-negative number, got {alpha}")
        self.alpha = alpha

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Fit the weighted ridge regression on ``design.X[:, features]``.

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
        S = np.asarray(features, dtype=np.intp)
        coef = design.solve(S, self.alpha)[:, label]
        intercept = float(design.y_mean[label] - design.x_mean[S] @ coef)
        tss = float(design.tss[label])
        rss = design.residual_sum_of_squares(S, coef, label)
        # A target constant up to rounding has a TSS made of noise; R² is then
        # undefined and scikit-learn's convention applies (1 if fitted exactly, else 0).
        noise = 1e-12 * design.weighted_square_sum(label) + 1e-300
        if tss > noise:
            score = 1.0 - rss / tss
        else:
            score = 1.0 if rss <= noise else 0.0
        local_pred = float(z0[S] @ coef + intercept)
        return SurrogateFit(features=S, coef=coef, intercept=intercept, score=score,
                            local_pred=local_pred)

    def __repr__(self) -> str:
        return f"RidgeSurrogate(alpha={self.alpha:g})"


class EstimatorSurrogate:
    """Any scikit-learn style regressor as the surrogate (lime's ``model_regressor``).

    The regressor must accept ``sample_weight`` in ``fit`` and expose ``coef_``
    and ``intercept_`` after fitting. It is cloned for every fit, so one
    instance can serve many explanations.

    Parameters
    ----------
    regressor : estimator
        An unfitted scikit-learn style linear regressor (``Ridge``, ``Lasso``,
        ``LinearRegression``, ...).
    """

    def __init__(self, regressor) -> None:
        if not (hasattr(regressor, "fit") and hasattr(regressor, "predict")):
            raise TypeError(
                f"model_regressor must have fit and predict, got {type(regressor).__name__}"
            )
        self.regressor = regressor

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Fit a clone of the regressor on ``design.X[:, features]``, weighted by ``design.w``.

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
        from sklearn.base import clone
        from sklearn.metrics import r2_score

        S = np.asarray(features, dtype=np.intp)
        X, y, w = design.X[:, S], design.Y[:, label], design.w
        reg = clone(self.regressor).fit(X, y, sample_weight=w)
        if not hasattr(reg, "coef_"):
            raise TypeError(f"{type(reg).__name__} has no coef_ after fitting; use a linear "
                            "regressor (Ridge, Lasso, LinearRegression, ...)")
        coef = np.ravel(reg.coef_).astype(float)
        intercept = float(np.ravel(getattr(reg, "intercept_", 0.0))[0])
        score = float(r2_score(y, reg.predict(X), sample_weight=w))
        local_pred = float(np.ravel(reg.predict(z0[S].reshape(1, -1)))[0])
        return SurrogateFit(features=S, coef=coef, intercept=intercept, score=score,
                            local_pred=local_pred)

    def __repr__(self) -> str:
        return f"EstimatorSurrogate({self.regressor!r})"
