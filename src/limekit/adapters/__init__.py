"""Adapters that let limekit call models from other frameworks on NumPy batches.

:class:`~limekit.adapters.torch.TorchModel` wraps a ``torch.nn.Module``; torch is
imported only when one is built (``pip install 'limekit[torch]'``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["TorchModel"]


def __getattr__(name: str) -> Any:
    # Lazy, so ``import limekit.adapters`` never imports torch.
    if name == "TorchModel":
        from .torch import TorchModel

        return TorchModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
