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

    One uniform per draw and one ``searchsorted`` over all columns' cumulative
    probabilities, offset by the column number so that they form one sorted
    array (column ``j``'s CDF lives in ``[j, j + 1]``). Returns ``(n, m)``.
    """
    m = len(probabilities)
    if m == 0:
        return np.empty((n, 0), dtype=np.intp)
    cdfs, starts = [], np.empty(m, dtype=np.intp)
    pos = 0
    for j, p in enumerate(probabilities):
        c = np.cumsum(p, dtype=float)
        c /= c[-1]
        c[-1] = 1.0 + 1e-9  # the last category takes all of [.., 1)
        cdfs.append(c + j)
        starts[j] = pos
        pos += c.size
    flat = np.concatenate(cdfs)
    u = rng.random((n, m)) + np.arange(m)
    return np.searchsorted(flat, u, side="right") - starts


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
