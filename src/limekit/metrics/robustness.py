"""Robustness: how much does an explanation change when the input changes a little?

* :func:`max_sensitivity` (Yeh et al. 2019; Captum's / Quantus' Monte-Carlo
  estimate): the largest change of the explanation over random points of an
  L∞ ball around ``x``.
* :func:`local_lipschitz_estimate` (Alvarez-Melis & Jaakkola 2018, as in
  Quantus): the largest ratio ``‖e(x) - e(x')‖₂ / ‖x - x'‖₂`` over random
  nearby points ``x'``.

Both are sampled lower bounds of a supremum: more samples can only raise them.
``explain_fn(x) -> (d,)`` returns the attribution vector of one instance (an
Explanation is accepted too and converted with :func:`attribution_vector`).
Explaining is the expensive step, so ``n_samples`` is small by default.

Examples
--------
A limekit explainer wrapped as ``explain_fn``. Fix the explained label, so
that every perturbed point is explained for the same class, and use an
explainer seed so the result is reproducible:

>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from limekit import TabularExplainer
>>> from limekit.metrics import attribution_vector, max_sensitivity
>>> X, y = load_iris(return_X_y=True)
>>> model = LogisticRegression(max_iter=500).fit(X, y)
>>> explainer = TabularExplainer(X, discretizer=None, random_state=0)
>>> def explain_fn(z):
...     exp = explainer.explain(z, model, labels=[0], num_samples=300)
...     return attribution_vector(exp, label=0)
>>> sens = max_sensitivity(explain_fn, X[0], radius=0.05 * X.std(axis=0), n_samples=3,
...                        random_state=0)
>>> 0.0 <= sens < 1.0
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._weights import (
    _as_float_array,
    _check_count,
    _check_not_empty_finite,
    _rng,
    attribution_matrix,
    attribution_vector,
)

__all__ = ["max_sensitivity", "local_lipschitz_estimate"]

_NORMS = {"fro": 2, 2: 2, 1: 1, np.inf: np.inf}
_RELATIVE = ("explanation", "input", None)


def max_sensitivity(explain_fn: Callable[[np.ndarray], Any], x: Any, *,
                    radius: float | Any = 0.1, n_samples: int = 10, norm: str | float = "fro",
                    relative_to: str | None = "explanation", label: int | None = None,
                    batched: bool = False,
                    random_state: int | np.random.Generator | None = None) -> float:
    """Max-sensitivity of an explanation in an L∞ ball around ``x``.

    ``max_k ‖e(x'_k) - e(x)‖ / ‖e(x)‖`` over ``n_samples`` points ``x'_k``
    drawn uniformly from ``[x - radius, x + radius]`` (each coordinate
    independently), as Captum's ``sensitivity_max`` does.

    Parameters
    ----------
    explain_fn : callable
        ``explain_fn(x) -> (d,)`` attribution vector (or Explanation) of one
        instance. With ``batched=True``: ``explain_fn(X) -> (m, d)`` (or a
        sequence of Explanations) for ``X`` of shape ``(m, d)``.
    x : array-like of shape (d,)
        The explained instance.
    radius : float or array-like of shape (d,), default 0.1
        Half-width of the ball per coordinate; pass e.g. ``0.1 * X.std(axis=0)``
        for features on different scales.
    n_samples : int, default 10
        Perturbed points (explanations computed).
    norm : {"fro", 2, 1, inf}, default "fro"
        Norm of the explanation change ("fro" is the Euclidean norm of the vector).
    relative_to : {"explanation", "input", None}, default "explanation"
        Denominator: ``‖e(x)‖`` (Captum; 1 where ``e(x) = 0``), ``‖x‖``
        (Quantus' ``MaxSensitivity``), or none (Yeh et al.'s absolute change).
    label : int, optional
        Label used when ``explain_fn`` returns Explanations.
    batched : bool, default False
        Call ``explain_fn`` once with all perturbed points.
    random_state : int, Generator or None
        Seed for the perturbations; the same seed gives the same result.

    Returns
    -------
    float
        0 for an explanation that does not change; larger is less robust.

    Examples
    --------
    >>> import numpy as np
    >>> max_sensitivity(lambda z: np.array([1.0, 2.0]), [0.5, 0.5], random_state=0)
    0.0
    """
    ord_ = _norm(norm)
    if relative_to not in _RELATIVE:
        raise ValueError(f"relative_to must be one of {_RELATIVE}, got {relative_to!r}")
    x, X_pert = _perturb(x, radius, n_samples, "uniform", random_state)
    e0, E = _explain(explain_fn, x, X_pert, label, batched)
    change = np.linalg.norm(E - e0, ord=ord_, axis=1)
    if relative_to == "explanation":
        denom = float(np.linalg.norm(e0, ord=ord_))
    elif relative_to == "input":
        denom = float(np.linalg.norm(x, ord=ord_))
    else:
        denom = 1.0
    # Captum's convention: a zero denominator leaves the change absolute
    return float(change.max() / (denom if denom > 0 else 1.0))


def local_lipschitz_estimate(explain_fn: Callable[[np.ndarray], Any], x: Any, *,
                             radius: float | Any = 0.1, n_samples: int = 10,
                             distribution: str = "uniform", label: int | None = None,
                             batched: bool = False,
                             random_state: int | np.random.Generator | None = None) -> float:
    """Sampled local Lipschitz constant of an explanation around ``x``.

    ``max_k ‖e(x) - e(x'_k)‖₂ / ‖x - x'_k‖₂`` over ``n_samples`` nearby points.

    Parameters
    ----------
    explain_fn : callable
        As in :func:`max_sensitivity`.
    x : array-like of shape (d,)
        The explained instance.
    radius : float or array-like of shape (d,), default 0.1
        Half-width of the L∞ ball (``distribution="uniform"``) or standard
        deviation of the Gaussian noise (``"gaussian"``, Quantus' default with
        ``radius=0.1``), per coordinate.
    n_samples : int, default 10
        Perturbed points (explanations computed).
    distribution : {"uniform", "gaussian"}, default "uniform"
        How the perturbed points are drawn.
    label : int, optional
        Label used when ``explain_fn`` returns Explanations.
    batched : bool, default False
        Call ``explain_fn`` once with all perturbed points.
    random_state : int, Generator or None
        Seed for the perturbations; the same seed gives the same result.

    Returns
    -------
    float
        A lower bound of the Lipschitz constant on the neighbourhood; for
        ``e(x) = A x`` it never exceeds the spectral norm ``‖A‖₂``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([3.0, 1.0])
    >>> L = local_lipschitz_estimate(lambda z: A @ z, [1.0, 1.0], n_samples=200, random_state=0)
    >>> 2.9 < L <= 3.0
    True
    """
    if distribution not in ("uniform", "gaussian"):
        raise ValueError(f"distribution must be 'uniform' or 'gaussian', got {distribution!r}")
    x, X_pert = _perturb(x, radius, n_samples, distribution, random_state)
    e0, E = _explain(explain_fn, x, X_pert, label, batched)
    step = np.linalg.norm(X_pert - x, axis=1)
    moved = step > 0  # a draw landing exactly on x carries no information
    if not moved.any():
        raise ValueError("no perturbed point differs from x; increase radius")
    ratios = np.linalg.norm(E[moved] - e0, axis=1) / step[moved]
    return float(ratios.max())


# ------------------------------------------------------------------ helpers
def _norm(norm: Any) -> float:
    try:
        return _NORMS[norm]
    except (KeyError, TypeError):
        raise ValueError(f"norm must be 'fro', 2, 1 or numpy.inf, got {norm!r}") from None


def _perturb(x: Any, radius: Any, n_samples: Any, distribution: str,
             random_state: Any) -> tuple[np.ndarray, np.ndarray]:
    xa = _as_float_array(x, "x")
    if xa.ndim != 1:
        raise ValueError(f"x must be one instance of shape (d,), got shape {xa.shape}")
    _check_not_empty_finite(xa, "x")
    r = _as_float_array(radius, "radius")
    if r.ndim > 1 or (r.ndim == 1 and r.shape != xa.shape):
        raise ValueError(f"radius must be a number or have shape {xa.shape}, got {r.shape}")
    if not np.isfinite(r).all() or (r < 0).any() or not (r > 0).any():
        raise ValueError(f"radius must be finite, non-negative and not all 0, got {radius!r}")
    n = _check_count(n_samples, "n_samples")
    rng = _rng(random_state)
    if distribution == "uniform":
        noise = rng.uniform(-1.0, 1.0, size=(n, xa.shape[0])) * r
    else:
        noise = rng.standard_normal((n, xa.shape[0])) * r
    return xa, xa + noise


def _explain(explain_fn: Callable[[np.ndarray], Any], x: np.ndarray, X_pert: np.ndarray,
             label: int | None, batched: bool) -> tuple[np.ndarray, np.ndarray]:
    """Explanations of ``x`` and of every perturbed point, as dense arrays."""
    if not callable(explain_fn):
        raise TypeError(f"explain_fn must be callable, got {type(explain_fn).__name__}")
    d = x.shape[0]
    if batched:
        E = attribution_matrix(explain_fn(np.vstack([x, X_pert])), label)
        if E.shape != (X_pert.shape[0] + 1, d):
            raise ValueError(
                f"explain_fn returned attributions of shape {E.shape} for "
                f"{X_pert.shape[0] + 1} inputs of {d} features; expected "
                f"({X_pert.shape[0] + 1}, {d})"
            )
        return E[0], E[1:]
    # one explanation per point: explain_fn is the per-instance unit of work here
    rows = [attribution_vector(explain_fn(z), label) for z in np.vstack([x, X_pert])]
    lengths = {r.shape[0] for r in rows}
    if lengths != {d}:
        raise ValueError(
            f"explain_fn must return one weight per feature ({d}), got lengths {sorted(lengths)}"
        )
    return rows[0], np.vstack(rows[1:])
