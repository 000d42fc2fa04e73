"""lime's ``lime.utils.generic_utils``: :func:`has_arg`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..wrappers.scikit_image import _accepts_keyword

__all__ = ["has_arg"]


def has_arg(fn: Callable[..., Any], arg_name: str | None) -> bool:
    """Whether ``fn`` accepts ``arg_name`` as a keyword argument.

    Parameters
    ----------
    fn : callable
        A function, method or object with ``__call__``.
    arg_name : str or None
        The keyword to look for; ``None`` is never accepted.

    Returns
    -------
    bool
        True for a positional-or-keyword or keyword-only parameter of that
        name (``**kwargs`` does not count, as in lime).
    """
    if arg_name is None:
        return False
    return _accepts_keyword(fn, arg_name)
