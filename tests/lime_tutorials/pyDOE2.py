"""Stand-in for the ``pyDOE2`` package (not installed, and the test machines are offline).

Only ``lhs(n, samples)``, pyDOE2's default ("classic") Latin hypercube: one
uniform draw in each of ``samples`` equal strata per column, the strata
shuffled per column, from numpy's global random state as pyDOE2 does.
Used by the "Latin Hypercube Sampling" tutorial (test material).
"""

import numpy as np


def lhs(n, samples=None, criterion=None, iterations=None, random_state=None):
    samples = n if samples is None else samples
    rng = np.random if random_state is None else np.random.RandomState(random_state)
    cut = np.linspace(0, 1, samples + 1)
    u = rng.rand(samples, n)
    points = cut[:samples, None] + u * (cut[1:, None] - cut[:samples, None])
    out = np.zeros_like(points)
    for j in range(n):
        out[:, j] = points[rng.permutation(samples), j]
    return out
