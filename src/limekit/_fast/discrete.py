"""Tabulated inverse CDFs: one uniform per draw gives a category and its position in it."""

from __future__ import annotations

import numpy as np

from .. import _compiled
from .._random import BELOW_ONE, counter_words, stream_seed, uniform32, word_count

__all__ = ["DiscreteTable", "safe_inverse"]


def safe_inverse(p: np.ndarray) -> np.ndarray:
    """Return 1/p, with 0 for categories that are never drawn.

    Parameters
    ----------
    p : ndarray of float
        Probabilities.

    Returns
    -------
    ndarray of float
        Their inverses, 0 where ``p`` is 0.
    """
    return np.divide(1.0, p, out=np.zeros_like(p), where=p > 0)


class DiscreteTable:
    """Precomputed inverse-CDF tables for drawing from many small categorical distributions.

    Built once per explainer, reused for every draw.

    One uniform ``u`` per draw gives the category (how many CDF boundaries lie
    at or below ``u``) *and*, for free, where ``u`` fell inside that
    category's probability mass, ``v ∈ [0, 1)``, uniform and independent of
    the category. :meth:`draw` returns ``index + v``: consumers that need only
    the category take the integer part; binned columns use ``v`` to place the
    value inside the bin (see ``TabularRepresentation``), so no second random
    draw is needed.

    Columns with at most ``narrow_limit`` categories are drawn by a broadcast
    comparison per category (a loop over categories, never over samples),
    several times faster than ``searchsorted`` on unsorted queries; wider
    columns use ``searchsorted``.

    Parameters
    ----------
    probabilities : tuple of ndarray
        One probability vector per column (each sums to 1).
    narrow_limit : int, default 16
        Largest number of categories drawn by broadcast comparison.
    """

    def __init__(self, probabilities: tuple[np.ndarray, ...], narrow_limit: int = 16) -> None:
        widths = np.array([p.size for p in probabilities], dtype=np.intp)
        self.m = len(probabilities)
        self.narrow = np.flatnonzero(widths <= narrow_limit)
        self.wide = np.flatnonzero(widths > narrow_limit)
        probs = [np.asarray(p, dtype=float) / np.sum(p) for p in probabilities]
        lowers = [np.concatenate([[0.0], np.cumsum(p)[:-1]]) for p in probs]
        self.width = max([1] + [int(widths[j]) for j in self.narrow])
        # boundaries[k, c] = P(index <= k) for narrow column c; padding 2.0 is never reached
        self.boundaries = np.full((max(1, self.width - 1), self.narrow.size), 2.0)
        # lower[c * width + k], inv_p[...]: where category k's mass starts, 1 / its mass
        self.lower = np.zeros(self.narrow.size * self.width)
        self.inv_p = np.zeros(self.narrow.size * self.width)
        for col, j in enumerate(self.narrow):
            k = probs[j].size
            self.boundaries[: k - 1, col] = lowers[j][1:]
            self.lower[col * self.width : col * self.width + k] = lowers[j]
            self.inv_p[col * self.width : col * self.width + k] = safe_inverse(probs[j])
        self._offsets = np.arange(self.narrow.size, dtype=np.intp) * self.width
        self.wide_tables = [(lowers[j][1:], lowers[j], safe_inverse(probs[j]))
                            for j in self.wide]

    def draw(self, rng: np.random.Generator | np.uint64, n: int) -> np.ndarray:
        """Draw ``n`` values of every column.

        Parameters
        ----------
        rng : numpy.random.Generator or numpy.uint64
            A Generator, or the seed word of the stream (see ``stream_seed``).
        n : int
            Number of draws.

        Returns
        -------
        ndarray of float, shape (n, m)
            Category index plus the position inside its mass, in [0, 1).
        """
        seed = stream_seed(rng)
        if self.narrow.size and not self.wide.size:
            fast = _compiled.draw_narrow(seed, n, self.boundaries, self.lower, self.inv_p,
                                         self.width, BELOW_ONE)
            if fast is not None:
                return fast
        words = counter_words(seed, word_count(n * self.m))
        # uniform t goes to row t % n of column t // n: column-major, so the compiled
        # kernels fill one column of a block of rows with contiguous words
        u = np.ascontiguousarray(uniform32(words, n * self.m).reshape(self.m, n).T)
        out = np.empty((n, self.m)) if self.wide.size else None
        if self.narrow.size:
            all_narrow = self.wide.size == 0
            un = u if all_narrow else u[:, self.narrow]
            idx = np.zeros(un.shape, dtype=np.uint8)  # narrow: at most 16 categories
            for bound in self.boundaries:
                idx += un >= bound
            flat = idx + self._offsets
            v = (un - self.lower.take(flat)) * self.inv_p.take(flat)
            np.minimum(v, BELOW_ONE, out=v)
            v += idx
            if all_narrow:
                return v
            out[:, self.narrow] = v
        for j, (bounds, lower, inv_p) in zip(self.wide, self.wide_tables, strict=True):
            idx = np.searchsorted(bounds, u[:, j], side="right")
            v = (u[:, j] - lower[idx]) * inv_p[idx]
            out[:, j] = idx + np.minimum(v, BELOW_ONE)
        return out
