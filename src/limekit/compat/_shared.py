"""Helpers shared by the lime-compatible explainers (translation of lime's arguments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..kernels import exponential_kernel

#: scikit-learn distance names that scipy spells differently.
_METRIC_ALIASES = {"manhattan": "cityblock", "l1": "cityblock", "l2": "euclidean"}


def _default_kernel(d: np.ndarray, kernel_width: float) -> np.ndarray:
    """lime's default kernel ``sqrt(exp(-d² / w²))`` (limekit's exponential kernel)."""
    return exponential_kernel(np.asarray(d, dtype=float), kernel_width)


class _KeywordKernel:
    """Adapts a lime kernel ``kernel(d, kernel_width=w)`` to limekit's ``fn(d, width)``.

    lime calls the kernel with ``kernel_width`` as a keyword; so does this
    adapter, so a kernel written for lime behaves identically. A class (not a
    lambda) so that explainers pickle.
    """

    def __init__(self, kernel: Callable[..., Any]) -> None:
        self.kernel = kernel

    def __call__(self, d: np.ndarray, width: float) -> np.ndarray:
        return np.asarray(self.kernel(d, kernel_width=width), dtype=float)


def _seed_from(random_state: Any) -> int | None:
    """An integer seed from lime's ``random_state`` (None, int or RandomState)."""
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    raise ValueError(
        f"random_state must be None, an int or a numpy.random.RandomState, got {random_state!r}"
    )
