"""Complexity: how concentrated is an attribution on few features?

* :func:`sparseness` (Chalasani et al. 2020, as in Quantus): the Gini index of
  ``|a|``; 0 when all features matter equally, ``(d - 1) / d`` when one
  feature carries everything. Higher = sparser = easier to read.
* :func:`complexity` (Bhatt et al. 2020, as in Quantus): the Shannon entropy
  (natural log) of the distribution ``|a| / Σ|a|``; ``log d`` for uniform
  attributions, 0 for a single feature. Lower = simpler.

Both accept one attribution vector ``(d,)`` (returning a float) or a matrix
``(n, d)`` / sequence of Explanations (returning one value per row).
An all-zero attribution concentrates on nothing and is scored as uniform
(sparseness 0, complexity ``log d``), the limit of Quantus' small-epsilon
convention.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import entr

from ._weights import _is_single, attribution_matrix

__all__ = ["sparseness", "complexity"]


def sparseness(attributions: Any, label: int | None = None) -> float | np.ndarray:
    """Gini index of the absolute attributions.

    With ``|a|`` sorted ascending, ``G = Σ_i (2i - d - 1) |a|_(i) / (d Σ|a|)``
    for ``i = 1..d``.

    Parameters
    ----------
    attributions : array-like of shape (d,) or (n, d), Explanation, or sequence of them
        One attribution vector (or Explanation) per row, as for
        :func:`attribution_matrix`.
    label : int, optional
        Label to use from Explanations.

    Returns
    -------
    float, or ndarray of shape (n,) for 2-D input
        The sparseness of each attribution vector.

    Examples
    --------
    >>> sparseness([0.0, 0.0, 1.0])
    0.6666666666666666
    >>> sparseness([[1.0, -1.0, 1.0], [0.0, 0.0, 0.0]])
    array([0., 0.])
    """
    A, single = _absolute(attributions, label)
    d = A.shape[1]
    S = np.sort(A, axis=1)
    coef = 2.0 * np.arange(1, d + 1) - d - 1
    total = S.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    g = np.where(total > 0, (S @ coef) / (d * safe), 0.0)
    return float(g[0]) if single else g


def complexity(attributions: Any, label: int | None = None) -> float | np.ndarray:
    """Entropy of the normalised absolute attributions.

    ``H = -Σ_j p_j log p_j`` with ``p = |a| / Σ|a|`` (natural log, ``0 log 0 = 0``).

    Parameters
    ----------
    attributions : array-like of shape (d,) or (n, d), Explanation, or sequence of them
        One attribution vector (or Explanation) per row, as for
        :func:`attribution_matrix`.
    label : int, optional
        Label to use from Explanations.

    Returns
    -------
    float, or ndarray of shape (n,) for 2-D input
        The complexity of each attribution vector.

    Examples
    --------
    >>> import math
    >>> complexity([1.0, -1.0, 1.0, 1.0]) == math.log(4)
    True
    >>> complexity([0.0, 3.0, 0.0])
    0.0
    """
    A, single = _absolute(attributions, label)
    total = A.sum(axis=1, keepdims=True)
    # all-zero rows are scored as uniform (see the module notes)
    P = np.where(total > 0, A / np.where(total > 0, total, 1.0), 1.0 / A.shape[1])
    h = entr(P).sum(axis=1)
    return float(h[0]) if single else h


def _absolute(attributions: Any, label: int | None) -> tuple[np.ndarray, bool]:
    A = attribution_matrix(attributions, label)
    return np.abs(A), _is_single(attributions)
