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


def _index_list(values: Any) -> list[Any]:
    """lime's list-like arguments (list, tuple, ndarray, range, None) as a plain list.

    Integers become Python ints, so ``np.array([0])`` and ``[0]`` behave alike
    (no truth-value test on an array, and index 0 is kept); other items (a
    column name, say) are kept as they are.
    """
    if values is None:
        return []
    if isinstance(values, (str, bytes)):
        return [values]
    items = np.asarray(values, dtype=object).ravel().tolist() if isinstance(
        values, np.ndarray) else list(values)
    return [int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
            for v in items]


def _seed_from(random_state: Any) -> int:
    """An integer seed from lime's ``random_state`` (None, int or RandomState).

    ``None`` draws the seed from NumPy's global generator, as lime's
    ``check_random_state(None)`` does, so ``np.random.seed(0)`` beforehand makes
    a lime script reproducible here too.
    """
    if random_state is None:
        return int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002 - lime uses the global RNG
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    raise ValueError(
        f"random_state must be None, an int or a numpy.random.RandomState, got {random_state!r}"
    )


class _FitInPlace:
    """Lets limekit's :class:`~limekit.surrogates.EstimatorSurrogate` fit the user's object.

    The surrogate clones its regressor before every fit; lime fits the
    ``model_regressor`` it was given, so a script can read its ``coef_``
    afterwards. ``clone`` of this wrapper is the wrapper itself
    (``__sklearn_clone__``), and fitting it fits the wrapped regressor.
    """

    def __init__(self, regressor: Any) -> None:
        self.regressor = regressor

    def __sklearn_clone__(self) -> _FitInPlace:
        return self

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _FitInPlace:
        self.regressor.fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X: Any) -> Any:
        return self.regressor.predict(X)

    def __getattr__(self, name: str) -> Any:  # coef_, intercept_, ...
        if name == "regressor":  # not yet set (unpickling)
            raise AttributeError(name)
        return getattr(self.regressor, name)

    def __repr__(self) -> str:
        return repr(self.regressor)


def _InPlaceEstimator(regressor: Any) -> Any:  # noqa: N802 - reads as a class at call sites
    """A surrogate that fits ``regressor`` itself, as lime's ``model_regressor``."""
    from ..surrogates import EstimatorSurrogate

    return EstimatorSurrogate(_FitInPlace(regressor))
