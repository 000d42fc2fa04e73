"""Bayesian ridge surrogate with credible intervals (BayLIME; Zhao et al., UAI 2021).

The surrogate is a Bayesian linear regression ``y = b + zᵀβ + ε`` with a
Gaussian prior ``β ~ N(m0, diag(λ)⁻¹)``, Gaussian noise of precision ``α``
and a flat prior on the intercept. Its posterior mean is the explanation's
weight and its posterior spread gives a credible interval per weight.

* Default (non-informative, BayLIME's "no prior"): ``m0 = 0`` and both
  ``α`` and a scalar ``λ`` are set by maximising the evidence with MacKay's
  fixed-point updates, as scikit-learn's ``BayesianRidge`` does.
* Informative prior: give ``prior_mean`` and ``prior_precision`` (scalar or
  one per feature). The prior precision is then known and only ``α`` is
  estimated (or fixed too, with ``fit_hyper=False``), and the posterior is
  the conjugate closed form ``Σ = (diag(λ) + α ZᵀWZ)⁻¹``,
  ``μ = Σ (diag(λ) m0 + α ZᵀWy)`` on weighted-centred data.

Sample weights are LIME's locality weights, not noise precisions: they are
rescaled to sum to Kish's effective sample size ``n_eff = (Σw)² / Σw²``, and
``n_eff`` replaces the number of samples in the evidence updates. A kernel
that puts nearly all weight on a few samples thus gives wide intervals
instead of falsely confident ones; with equal weights this is the ordinary
Bayesian ridge. The interval is ``μ ± z·σ`` with the normal quantile ``z``
and the posterior standard deviation ``σ`` at the estimated hyperparameters.

The updates run with the target divided by its weighted standard deviation
(all hyperparameters converted accordingly and back), so the result is
equivariant to the target's scale; scikit-learn's ``BayesianRidge`` stalls
at all-zero weights for a target of order 1e6. With equal weights and a
target of moderate scale the two agree to about 1e-6.
"""

from __future__ import annotations

import numbers

import numpy as np

from .lasso import _check_float, _check_int, _weighted_r2
from .linear import SurrogateFit
from .selection import WeightedDesign

__all__ = ["BayesianRidgeSurrogate"]

# Gamma hyperpriors on α and λ (scikit-learn's defaults): nearly flat, they only
# keep the updates finite when the residual or the weights vanish.
_A1 = _A2 = _L1 = _L2 = 1e-6


def _check_vector(value, name: str, positive: bool) -> float | np.ndarray | None:
    """None, a finite scalar, or a finite 1-D vector (positive entries if asked)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number or a 1-D array of numbers, got bool")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or a 1-D array of numbers, "
                        f"got {type(value).__name__}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or 1-D (one value per interpretable "
                         f"feature), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or (positive and not np.all(arr > 0)):
        what = "positive finite" if positive else "finite"
        raise ValueError(f"{name} must contain only {what} values, got {value!r}")
    return float(arr) if arr.ndim == 0 else arr.copy()


def _short(v) -> str:
    if isinstance(v, np.ndarray):
        if v.size <= 6:
            return "[" + ", ".join(f"{x:g}" for x in v) + "]"
        return f"<{v.size} values>"
    return "None" if v is None else f"{v:g}"


class BayesianRidgeSurrogate:
    """Bayesian linear surrogate with per-weight credible intervals (BayLIME).

    Parameters
    ----------
    credible_level : float, default 0.95
        Probability mass of the reported central credible interval.
    prior_mean : float or array of shape (n_features,), optional
        Prior mean of the weights, indexed by *interpretable feature* (all of
        them, not only the selected ones); default 0.
    prior_precision : float or array of shape (n_features,), optional
        Known prior precision ``λ`` of the weights (1 / prior variance). When
        omitted, a scalar ``λ`` is estimated from the data (``fit_hyper``) or
        set to ``lambda_init``.
    alpha_init : float, optional
        Noise precision ``α``: the starting value of the evidence updates, or
        its fixed value with ``fit_hyper=False`` (then required). Default
        ``1 / weighted variance of the target``.
    lambda_init : float, optional
        Starting (or, with ``fit_hyper=False``, fixed) scalar prior precision
        when ``prior_precision`` is not given; default 1.
    fit_hyper : bool, default True
        Estimate ``α`` (and ``λ`` unless ``prior_precision`` is given) by
        evidence maximisation; ``False`` uses the given values as known.
    max_iter : int, default 300
        Most evidence-maximisation iterations.
    tol : float, default 1e-6
        Stop when ``α`` and ``λ`` change by less than this, relatively.

    Notes
    -----
    ``coef`` is the posterior mean; ``intercept + Σ coef · z0 = local_pred`` as
    for every limekit surrogate. ``details`` holds ``"kind": "bayes"``,
    ``"credible_level"``, ``"lower"``, ``"upper"``, ``"std"`` (per selected
    feature), ``"noise_precision"`` (``α``, on the rescaled weights: for equal
    weights, 1 / noise variance), ``"prior_precision"`` (``λ``: a float, or
    one per selected feature when given as a vector) and ``"effective_n"``.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.surrogates import WeightedDesign
    >>> from limekit.surrogates.bayes import BayesianRidgeSurrogate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = 1.0 + 2.0 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=300)
    >>> design = WeightedDesign(X, y[:, None], np.ones(300))
    >>> fit = BayesianRidgeSurrogate().fit(design, 0, np.arange(2), X[0])
    >>> np.round(fit.coef, 2)
    array([ 2., -1.])
    >>> bool(fit.details["lower"][0] < 2.0 < fit.details["upper"][0])
    True
    """

    def __init__(self, credible_level: float = 0.95, prior_mean=None, prior_precision=None,
                 alpha_init: float | None = None, lambda_init: float | None = None,
                 fit_hyper: bool = True, max_iter: int = 300, tol: float = 1e-6) -> None:
        self.credible_level = _check_float(credible_level, "credible_level", 0.0, 1.0,
                                           low_open=True, high_open=True)
        self.prior_mean = _check_vector(prior_mean, "prior_mean", positive=False)
        self.prior_precision = _check_vector(prior_precision, "prior_precision", positive=True)
        self.alpha_init = None if alpha_init is None else _check_float(
            alpha_init, "alpha_init", low_open=True)
        self.lambda_init = None if lambda_init is None else _check_float(
            lambda_init, "lambda_init", low_open=True)
        if not isinstance(fit_hyper, (bool, np.bool_)):
            raise TypeError(f"fit_hyper must be True or False, got {type(fit_hyper).__name__}")
        self.fit_hyper = bool(fit_hyper)
        if not self.fit_hyper and self.alpha_init is None:
            raise ValueError("fit_hyper=False treats the noise precision as known: pass "
                             "alpha_init (1 / noise variance), or use fit_hyper=True")
        self.max_iter = _check_int(max_iter, "max_iter", 1)
        self.tol = _check_float(tol, "tol", low_open=True)

    def _per_feature(self, value, name: str, S: np.ndarray, d: int, default: float):
        if value is None:
            return np.full(S.size, default)
        if isinstance(value, numbers.Real):
            return np.full(S.size, float(value))
        if value.size != d:
            raise ValueError(f"{name} has {value.size} entries but the explanation has {d} "
                             "interpretable features; pass one value per feature, or a scalar")
        return value[S]

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
            prediction at ``z0``, with the credible intervals in ``details``.
        """
        from scipy.stats import norm

        S = np.asarray(features, dtype=np.intp)
        d, p = design.G.shape[0], S.size
        m0 = self._per_feature(self.prior_mean, "prior_mean", S, d, 0.0)
        known_lambda = self.prior_precision is not None
        lam = self._per_feature(self.prior_precision, "prior_precision", S, d,
                                1.0 if self.lambda_init is None else self.lambda_init)
        w = design.w / design.w.max()  # scale-free, and no underflow in Σw²
        sum_w = float(w.sum())
        n_eff = sum_w**2 / float(w @ w)
        c = n_eff / float(design.w.sum())  # rescales the design's weights to sum to n_eff
        G = c * design.G[np.ix_(S, S)]
        b = c * design.B[S, label]
        tss = c * float(design.tss[label])
        # Work in units of the target's weighted standard deviation: the evidence
        # updates are then scale-free (unscaled, a target of order 1e6 gets stuck at
        # the all-zero fixed point, as scikit-learn's BayesianRidge does).
        scale = np.sqrt(tss / n_eff)
        if not np.isfinite(scale) or scale <= 1e-150:
            scale = 1.0  # a constant target: nothing to standardise
        b, tss, m0 = b / scale, tss / scale**2, m0 / scale
        lam = lam * scale**2 if known_lambda or self.lambda_init is not None else lam
        alpha = (self.alpha_init * scale**2 if self.alpha_init is not None
                 else 1.0 / (tss / n_eff + np.finfo(float).eps))

        def posterior(alpha, lam):
            P = np.diag(lam) + alpha * G
            vals, vecs = np.linalg.eigh(P)
            vals = np.maximum(vals, np.finfo(float).tiny)
            cov = (vecs / vals) @ vecs.T
            return cov @ (lam * m0 + alpha * b), cov

        mu, cov = posterior(alpha, lam)
        for _ in range(self.max_iter if self.fit_hyper and p else 0):
            # MacKay's updates: gamma = number of weights the data determine
            gamma = p - float(lam @ np.diag(cov))
            rss = max(tss - 2.0 * float(mu @ b) + float(mu @ G @ mu), 0.0)
            new_alpha = (n_eff - gamma + 2 * _A1) / (rss + 2 * _A2)
            new_lam = lam
            if not known_lambda:
                dev = mu - m0
                new_lam = np.full(p, (gamma + 2 * _L1) / (float(dev @ dev) + 2 * _L2))
            converged = (abs(new_alpha - alpha) <= self.tol * alpha
                         and np.all(np.abs(new_lam - lam) <= self.tol * lam))
            alpha, lam = new_alpha, new_lam
            mu, cov = posterior(alpha, lam)
            if converged:
                break
        # back to the target's units
        mu, cov = mu * scale, cov * scale**2
        alpha, lam = alpha / scale**2, lam / scale**2

        std = np.sqrt(np.maximum(np.diag(cov), 0.0))
        z = float(norm.ppf(0.5 + self.credible_level / 2.0))
        intercept = float(design.y_mean[label] - design.x_mean[S] @ mu)
        local_pred = float(z0[S] @ mu + intercept)
        if isinstance(self.prior_precision, np.ndarray):
            lam_report: float | list[float] = [float(v) for v in lam]
        elif p:
            lam_report = float(lam[0])
        else:  # no features: the prior precision was never used
            lam_report = float(self.prior_precision or self.lambda_init or 1.0)
        details = {"kind": "bayes", "credible_level": self.credible_level,
                   "lower": [float(v) for v in mu - z * std],
                   "upper": [float(v) for v in mu + z * std],
                   "std": [float(v) for v in std],
                   "noise_precision": float(alpha),
                   "prior_precision": lam_report,
                   "effective_n": float(n_eff)}
        pred = design.X[:, S] @ mu + intercept
        return SurrogateFit(features=S, coef=mu, intercept=intercept,
                            score=_weighted_r2(design, label, pred), local_pred=local_pred,
                            details=details)

    def __repr__(self) -> str:
        return (f"BayesianRidgeSurrogate(credible_level={self.credible_level:g}, "
                f"prior_mean={_short(self.prior_mean)}, "
                f"prior_precision={_short(self.prior_precision)}, "
                f"alpha_init={_short(self.alpha_init)}, lambda_init={_short(self.lambda_init)}, "
                f"fit_hyper={self.fit_hyper})")
