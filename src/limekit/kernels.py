"""Distances between samples and the explained instance, and proximity kernels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _compiled

__all__ = ["euclidean_distances", "cosine_distances", "exponential_kernel", "Kernel"]


def euclidean_distances(Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Compute the Euclidean distance of every row of ``Z`` to ``z0``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The samples, one per row.
    z0 : ndarray of shape (n_features,)
        The explained instance.

    Returns
    -------
    ndarray of float, shape (n_samples,)
        The distance of each row to ``z0``.
    """
    squared = _compiled.squared_euclidean(Z, z0)
    if squared is None:
        squared = _squared_euclidean_left_to_right(Z, z0)
    return np.sqrt(squared)


def _squared_euclidean_left_to_right(Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    # One column at a time, so each row's sum runs left to right exactly as in the
    # compiled kernel: the two paths agree to the last bit (einsum's and pairwise
    # sums reorder the additions and differ in the last bits on non-integer data).
    Z = np.asarray(Z, dtype=float)
    squared = np.zeros(Z.shape[0])
    for j in range(Z.shape[1]):
        diff = Z[:, j] - z0[j]
        squared += diff * diff
    return squared


def cosine_distances(Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Compute the cosine distance ``1 - cos(Z_i, z0)`` of every row of ``Z`` to ``z0``.

    An all-zero row is at distance 1.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The samples, one per row.
    z0 : ndarray of shape (n_features,)
        The explained instance.

    Returns
    -------
    ndarray of float, shape (n_samples,)
        The distance of each row to ``z0``.
    """
    num = Z @ z0
    den = np.linalg.norm(Z, axis=1) * np.linalg.norm(z0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.clip(1.0 - sim, 0.0, 2.0)


_DISTANCES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "euclidean": euclidean_distances,
    "cosine": cosine_distances,
}


def exponential_kernel(d: np.ndarray, width: float) -> np.ndarray:
    """Compute lime's kernel ``sqrt(exp(-d²/w²)) = exp(-d²/(2w²))``.

    Parameters
    ----------
    d : ndarray
        Distances to the explained instance.
    width : float
        Kernel width ``w`` (> 0).

    Returns
    -------
    ndarray of float
        The weight of each distance, in (0, 1], shaped like ``d``.
    """
    return np.exp(-(d * d) / (2.0 * width * width))


class Kernel:
    """Proximity weights from distances.

    Parameters
    ----------
    width : float
        Kernel width ``w`` (> 0).
    metric : {"euclidean", "cosine"}
        Distance in the interpretable space.
    fn : callable, optional
        ``fn(distances, width) -> weights``; defaults to :func:`exponential_kernel`.
    """

    def __init__(self, width: float, metric: str = "euclidean",
                 fn: Callable[[np.ndarray, float], np.ndarray] | None = None) -> None:
        if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, float, np.number)):
            raise TypeError(f"kernel_width must be a number, got {type(width).__name__}")
        width = float(width)
        if not np.isfinite(width) or width <= 0:
            raise ValueError(f"kernel_width must be a positive finite number, got {width}")
        if metric not in _DISTANCES:
            from scipy.spatial.distance import cdist

            try:
                cdist(np.zeros((1, 2)), np.ones((1, 2)), metric=metric)
            except (ValueError, TypeError):
                raise ValueError(
                    f"unknown distance metric {metric!r}; use 'euclidean', 'cosine' or any "
                    "metric name scipy.spatial.distance.cdist accepts"
                ) from None
        self.width = width
        self.metric = metric
        self.fn = fn

    def distances(self, Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
        """Compute the distance of every sample to the instance, in this kernel's metric.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features)
            The samples, one per row.
        z0 : ndarray of shape (n_features,)
            The explained instance.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            The distance of each row to ``z0``.
        """
        if self.metric in _DISTANCES:
            return _DISTANCES[self.metric](Z, z0)
        from scipy.spatial.distance import cdist

        return cdist(Z, z0[None, :], metric=self.metric)[:, 0]

    def weights(self, distances: np.ndarray) -> np.ndarray:
        """Turn distances into proximity weights.

        Parameters
        ----------
        distances : ndarray
            Distances to the explained instance, as :meth:`distances` returns.

        Returns
        -------
        ndarray of float
            One finite, non-negative weight per distance.

        Raises
        ------
        ValueError
            If a custom kernel function returns anything else.
        """
        fn = self.fn or exponential_kernel
        w = np.asarray(fn(distances, self.width), dtype=float)
        if w.shape != distances.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("the kernel function must return one finite, non-negative "
                             "weight per distance")
        return w

    def weight_table(self, n_features: int) -> np.ndarray | None:
        """Tabulate the weights of 0/1 samples by the number of features they change.

        The built-in kernel is elementwise, so looking a sample's weight up
        here gives the same value as :meth:`weights` of its distance.

        Parameters
        ----------
        n_features : int
            Number of interpretable features.

        Returns
        -------
        ndarray of float, shape (n_features + 1,) or None
            Entry ``k`` is the weight of a sample at squared euclidean distance
            ``k`` from the instance; ``None`` when a custom kernel function must
            see every distance (as in lime) or the metric is not euclidean.
        """
        if self.fn is not None or self.metric != "euclidean":
            return None
        tables = self.__dict__.setdefault("_weight_tables", {})
        table = tables.get(n_features)
        if table is None:
            table = tables[n_features] = self.weights(
                np.sqrt(np.arange(n_features + 1, dtype=float)))
        return table

    def __repr__(self) -> str:
        return f"Kernel(width={self.width:g}, metric={self.metric!r})"
