"""The hook between the explanation data objects and the renderers.

Explanations offer ``str(exp)``, ``to_html()`` and ``plot()``, yet the data layer never
imports the rendering layer (``render/`` sits above it and reads explanations): each
renderer registers itself here under a name when :mod:`limekit.render` is imported,
which ``import limekit`` always does, and the data objects look it up by that name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["register", "renderer"]

_REGISTRY: dict[str, Callable[..., Any]] = {}
F = TypeVar("F", bound=Callable[..., Any])


def register(name: str) -> Callable[[F], F]:
    """Register the decorated function as the renderer called ``name``."""

    def decorate(function: F) -> F:
        _REGISTRY[name] = function
        return function

    return decorate


def renderer(name: str) -> Callable[..., Any]:
    """Return the renderer registered as ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise RuntimeError(f"no renderer {name!r} is registered; import limekit.render "
                           "(import limekit does) before rendering") from None
