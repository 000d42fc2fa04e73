"""Samplers: draw a neighbourhood of an instance in the representation's code space.

A sampler knows the per-column distributions (:class:`TabularMarginals`) and
nothing about models or surrogates. Row 0 of every neighbourhood is the
instance itself, as in lime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _compiled
from ._random import raw_words, uniform32

if TYPE_CHECKING:
    from .representations.tabular import TabularMarginals

__all__ = ["LimeTabularSampler", "DiscreteTable", "sample_discrete", "RemoveUniformCountSampler",
           "BernoulliMaskSampler"]


class DiscreteTable:
    """Precomputed inverse-CDF tables for drawing from many small categorical
    distributions at once (built once per explainer, reused for every draw).

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
            self.inv_p[col * self.width : col * self.width + k] = _safe_inverse(probs[j])
        self._offsets = np.arange(self.narrow.size, dtype=np.intp) * self.width
        self.wide_tables = [(lowers[j][1:], lowers[j], _safe_inverse(probs[j]))
                            for j in self.wide]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``(n, m)`` floats: category index plus position inside its mass, in [0, 1)."""
        words = raw_words(rng, n * self.m)
        if self.narrow.size and not self.wide.size:
            fast = _compiled.draw_narrow(words, n, self.boundaries, self.lower, self.inv_p,
                                         self.width, _BELOW_ONE)
            if fast is not None:
                return fast
        u = uniform32(words, n * self.m).reshape(n, self.m)
        out = np.empty((n, self.m)) if self.wide.size else None
        if self.narrow.size:
            all_narrow = self.wide.size == 0
            un = u if all_narrow else u[:, self.narrow]
            idx = np.zeros(un.shape, dtype=np.uint8)  # narrow: at most 16 categories
            for bound in self.boundaries:
                idx += un >= bound
            flat = idx + self._offsets
            v = (un - self.lower.take(flat)) * self.inv_p.take(flat)
            np.minimum(v, _BELOW_ONE, out=v)
            v += idx
            if all_narrow:
                return v
            out[:, self.narrow] = v
        for j, (bounds, lower, inv_p) in zip(self.wide, self.wide_tables, strict=True):
            idx = np.searchsorted(bounds, u[:, j], side="right")
            v = (u[:, j] - lower[idx]) * inv_p[idx]
            out[:, j] = idx + np.minimum(v, _BELOW_ONE)
        return out


# keeps index + v below index + 1 despite rounding, so the integer part is the index
_BELOW_ONE = 1.0 - 2.0 ** -20


def _safe_inverse(p: np.ndarray) -> np.ndarray:
    """1/p, with 0 for categories that are never drawn."""
    return np.divide(1.0, p, out=np.zeros_like(p), where=p > 0)


def sample_discrete(rng: np.random.Generator, probabilities: tuple[np.ndarray, ...],
                    n: int) -> np.ndarray:
    """Draw ``n`` indices for each of several categorical distributions: ``(n, m)``."""
    return DiscreteTable(probabilities).draw(rng, n).astype(np.intp)


class LimeTabularSampler:
    """lime's tabular sampler.

    Discrete (categorical or binned) columns draw a value from the training
    frequencies (the code's integer part; its fraction places a binned value
    inside the bin, see :class:`DiscreteTable`); continuous columns draw ``N(0, 1) · std + center`` where
    center is the training mean, or the instance with ``sample_around_instance``.
    Columns are independent, as in lime.

    Parameters
    ----------
    sample_around_instance : bool, default False
    """

    def __init__(self, sample_around_instance: bool = False) -> None:
        self.sample_around_instance = bool(sample_around_instance)

    def draw(self, marginals: TabularMarginals, instance_codes: np.ndarray, n: int,
             rng: np.random.Generator) -> np.ndarray:
        """``n × d`` codes; row 0 is ``instance_codes``."""
        if marginals.discrete.size == marginals.n_features:
            codes = marginals.table.draw(rng, n)
        else:
            codes = np.empty((n, marginals.n_features))
            if marginals.discrete.size:
                codes[:, marginals.discrete] = marginals.table.draw(rng, n)
        g = marginals.gaussian
        if g.size:
            center = instance_codes[g] if self.sample_around_instance else marginals.mean
            codes[:, g] = rng.standard_normal((n, g.size)) * marginals.scale + center
        codes[0] = instance_codes
        return codes

    def __repr__(self) -> str:
        return f"LimeTabularSampler(sample_around_instance={self.sample_around_instance})"


class RemoveUniformCountSampler:
    """lime's text sampler: each sample hides a uniformly drawn number ``k ∈ 1..d``
    of distinct features (all of them possible), chosen uniformly at random.

    Vectorised: one uniform key per (sample, feature); a sample hides the ``k``
    features with the smallest keys, found with one row-wise sort instead of a
    Python loop of ``choice`` calls. Row 0 keeps everything.
    """

    def draw(self, d: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, d)`` float matrix of 1 (kept) / 0 (hidden)."""
        if d < 1:
            raise ValueError("there are no features to perturb")
        k = rng.integers(1, d + 1, size=n)
        keys = rng.random((n, d))
        kth = np.take_along_axis(np.sort(keys, axis=1), (k - 1)[:, None], axis=1)
        Z = (keys > kth).astype(float)
        Z[0] = 1.0
        return Z

    def __repr__(self) -> str:
        return "RemoveUniformCountSampler()"


class BernoulliMaskSampler:
    """lime's image sampler: each feature is kept independently with probability ``p``.

    Parameters
    ----------
    p : float, default 0.5
    """

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 < p < 1.0:
            raise ValueError(f"p must be in (0, 1), got {p}")
        self.p = float(p)

    def draw(self, d: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, d)`` float matrix of 1 (kept) / 0 (hidden); row 0 keeps everything."""
        if d < 1:
            raise ValueError("there are no features to perturb")
        Z = (rng.random((n, d)) < self.p).astype(float)
        Z[0] = 1.0
        return Z

    def __repr__(self) -> str:
        return f"BernoulliMaskSampler(p={self.p:g})"
