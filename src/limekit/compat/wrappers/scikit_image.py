"""lime's ``lime.wrappers.scikit_image``: scikit-image segmenters with stored parameters.

``SegmentationAlgorithm("quickshift", kernel_size=4, max_dist=200, ratio=0.2)``
is a callable ``image -> labels`` to pass as ``segmentation_fn``. As in lime,
parameters the scikit-image function does not accept are dropped silently
(lime passes ``random_seed`` this way). scikit-image is imported when a
wrapper is built, not when this module is imported.

Differences from lime: an unknown ``algo_type`` raises ``ValueError`` at
construction (lime builds an object that fails when called).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from ..._optional import require

__all__ = ["BaseWrapper", "SegmentationAlgorithm"]

#: The algorithms lime wraps.
ALGORITHMS = ("quickshift", "felzenszwalb", "slic")


def _accepts_keyword(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` takes ``name`` as a keyword (lime's ``has_arg``)."""
    try:
        signature = inspect.signature(fn)
    except ValueError:  # some builtins / Cython functions
        signature = inspect.signature(fn.__call__)
    param = signature.parameters.get(name)
    return param is not None and param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                inspect.Parameter.KEYWORD_ONLY)


class BaseWrapper:
    """A target function with stored keyword parameters (lime's ``BaseWrapper``).

    Parameters
    ----------
    target_fn : callable, optional
        The function the stored parameters are meant for; without it, the
        wrapper's own ``__call__`` (in a callable subclass) is the target.
    **target_params
        Keyword arguments for ``target_fn``.
    """

    def __init__(self, target_fn: Callable[..., Any] | None = None, **target_params: Any) -> None:
        self.target_fn = target_fn
        self.target_params = target_params

    def _check_params(self, parameters: dict[str, Any]) -> None:
        """Raise ValueError if a parameter is not a keyword of the target function."""
        fn = self.target_fn
        if fn is None and callable(self):
            fn = self.__call__
        if fn is None:
            raise TypeError("invalid argument: tested object is not callable, please provide "
                            "a valid target_fn")
        if not callable(fn):  # lime looks up fn.__call__: AttributeError
            raise AttributeError(f"target_fn {type(fn).__name__!r} object is not callable "
                                 "(it has no __call__)")
        if isinstance(parameters, str):
            raise TypeError("invalid argument: list or dictionary expected")
        for p in parameters:
            if not _accepts_keyword(fn, p):
                raise ValueError(f"{p} is not a valid parameter")

    def set_params(self, **params: Any) -> None:
        """Replace the stored parameters (each must be a keyword of the target function).

        Parameters
        ----------
        **params
            The new keyword parameters of the target function; they replace
            all the stored ones.

        Raises
        ------
        ValueError
            If a parameter is not a keyword of the target function.
        TypeError
            If there is no callable target.
        """
        self._check_params(params)
        self.target_params = params

    def filter_params(self, fn: Callable[..., Any], override: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
        """The stored parameters that ``fn`` accepts, updated with ``override``.

        Parameters
        ----------
        fn : callable
            The function whose keyword parameters are kept.
        override : dict, optional
            Parameters added after filtering (they replace stored ones of the
            same name and are not filtered).

        Returns
        -------
        dict
            A new dict of keyword arguments for ``fn``.
        """
        result = {k: v for k, v in self.target_params.items() if _accepts_keyword(fn, k)}
        result.update(override or {})
        return result


class SegmentationAlgorithm(BaseWrapper):
    """A scikit-image segmentation function with fixed parameters (lime's wrapper).

    Parameters
    ----------
    algo_type : {"quickshift", "slic", "felzenszwalb"}
        The :mod:`skimage.segmentation` function to wrap.
    **target_params
        Parameters of the scikit-image function; others are ignored.

    Examples
    --------
    >>> import numpy as np
    >>> seg = SegmentationAlgorithm("slic", n_segments=4, compactness=10, random_seed=1)
    >>> sorted(seg.target_params)  # random_seed is not a slic parameter: dropped, as in lime
    ['compactness', 'n_segments']
    >>> seg(np.zeros((16, 16, 3))).shape
    (16, 16)
    """

    def __init__(self, algo_type: str, **target_params: Any) -> None:
        if algo_type not in ALGORITHMS:
            raise ValueError(f"algo_type must be one of {ALGORITHMS}, got {algo_type!r}")
        self.algo_type = algo_type
        require("skimage")  # names the limekit[image] extra when missing
        fn = getattr(importlib.import_module("skimage.segmentation"), algo_type)
        BaseWrapper.__init__(self, fn, **target_params)
        self.set_params(**self.filter_params(fn))

    def __call__(self, *args: Any) -> Any:
        return self.target_fn(args[0], **self.target_params)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.target_params.items())
        return f"SegmentationAlgorithm({self.algo_type!r}{', ' if params else ''}{params})"
