"""Samplers: draw a neighbourhood of an instance in the representation's code space.

A sampler knows the per-column distributions (:class:`TabularMarginals`) and
nothing about models or surrogates. Row 0 of every neighbourhood is the
instance itself, as in lime.
"""

from __future__ import annotations

import numpy as np

from .representations.tabular import TabularMarginals

__all__ = ["LimeTabularSampler", "sample_discrete"]


def sample_discrete(rng: np.random.Generator, probabilities: tuple[np.ndarray, ...],
                    n: int) -> np.ndarray:
    """Draw ``n`` indices for each of several categorical distributions at once.

    One uniform per draw; the index is the number of interior CDF boundaries
    at or below it. With few categories per column (bins, small vocabularies)
    a broadcast comparison against a padded CDF table beats ``searchsorted``
    on unsorted queries several times over; wide columns fall back to it.
    Returns ``(n, m)`` intp.
    """
    m = len(probabilities)
    if m == 0:
        return np.empty((n, 0), dtype=np.intp)
    u = rng.random((n, m))
    widths = [p.size for p in probabilities]
    kmax = max(widths)
    out = np.empty((n, m), dtype=np.intp)
    narrow = [j for j, k in enumerate(widths) if k <= 16]
    if narrow:
        table = np.full((len(narrow), max(1, max(widths[j] for j in narrow) - 1)), 2.0)
        for row, j in enumerate(narrow):
            c = np.cumsum(probabilities[j], dtype=float)
            table[row, : c.size - 1] = c[:-1] / c[-1]
        out[:, narrow] = (u[:, narrow, None] >= table).sum(axis=2)
    for j in (j for j, k in enumerate(widths) if k > 16 or kmax <= 0):
        c = np.cumsum(probabilities[j], dtype=float)
        out[:, j] = np.searchsorted(c[:-1] / c[-1], u[:, j], side="right")
    return out


class LimeTabularSampler:
    """lime's tabular sampler.

    Discrete (categorical or binned) columns draw a value from the training
    frequencies; continuous columns draw ``N(0, 1) · std + center`` where
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
        codes = np.empty((n, marginals.n_features))
        codes[:, marginals.discrete] = sample_discrete(rng, marginals.probabilities, n)
        g = marginals.gaussian
        if g.size:
            center = instance_codes[g] if self.sample_around_instance else marginals.mean
            codes[:, g] = rng.standard_normal((n, g.size)) * marginals.scale + center
        codes[0] = instance_codes
        return codes

    def __repr__(self) -> str:
        return f"LimeTabularSampler(sample_around_instance={self.sample_around_instance})"
