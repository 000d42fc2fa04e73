"""A ``torch.nn.Module`` as a NumPy-in, NumPy-out model for limekit.

Explainers hand models NumPy batches of channels-last images ``(N, H, W, C)``
(or ``(N, H, W)`` for grey); PyTorch vision models want float ``NCHW``
tensors. :class:`TorchModel` does that conversion, runs the module in
evaluation mode without building a graph, and returns NumPy. torch is imported
lazily, so limekit does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._optional import require

__all__ = ["TorchModel", "is_torch_module"]


def is_torch_module(obj: Any) -> bool:
    """Tell whether an object is a PyTorch module, without importing torch.

    Parameters
    ----------
    obj : object
        Any object.

    Returns
    -------
    bool
        True when a class in the type's MRO is ``torch.nn.Module``.
    """
    return any(c.__name__ == "Module" and c.__module__.startswith("torch.nn")
               for c in type(obj).__mro__)


class TorchModel:
    """Call a PyTorch module on NumPy image batches.

    Parameters
    ----------
    module : torch.nn.Module
        The network. It is switched to ``eval()`` for each call and its
        previous train/eval mode is restored afterwards.
    device : str or torch.device, optional
        Where inputs are sent; default the device of the module's first
        parameter (CPU for a module without parameters). The module itself is
        not moved.
    softmax : bool, default False
        Apply ``softmax`` over dimension 1 to the output (for modules that
        return logits, when explaining class probabilities).
    channels_last_input : bool, default True
        Inputs are ``(N, H, W, C)`` and are permuted to ``(N, C, H, W)``.
        ``(N, H, W)`` inputs always get a channel axis of size 1. With False,
        inputs are passed in their own layout.
    dtype : torch.dtype or str, default "float32"
        Data type of the input tensor, as a ``torch.dtype`` or the name of
        one (no rescaling: uint8 255 becomes 255.0).
    preprocess : callable, optional
        ``preprocess(tensor) -> tensor`` applied on ``device`` after layout and
        dtype conversion, e.g. ``lambda x: (x / 255 - mean) / std``.

    Examples
    --------
    >>> import torch  # doctest: +SKIP
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(3))  # doctest: +SKIP
    >>> model = TorchModel(net, softmax=True)  # doctest: +SKIP
    >>> model(np.zeros((2, 8, 8, 3), np.uint8)).shape  # doctest: +SKIP
    (2, 3)
    """

    def __init__(self, module: Any, device: Any = None, softmax: bool = False,
                 channels_last_input: bool = True, dtype: Any = "float32",
                 preprocess: Callable[[Any], Any] | None = None) -> None:
        torch = require("torch")
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
        if isinstance(dtype, str):
            resolved = getattr(torch, dtype, None)
            if not isinstance(resolved, torch.dtype):
                raise ValueError(f"unknown torch dtype {dtype!r}")
            dtype = resolved
        if device is None:
            param = next(iter(module.parameters()), None)
            device = param.device if param is not None else "cpu"
        self.module = module
        self.device = torch.device(device)
        self.softmax = bool(softmax)
        self.channels_last_input = bool(channels_last_input)
        self.dtype = dtype
        self.preprocess = preprocess

    def to_tensor(self, images: Any) -> Any:
        """Convert a NumPy batch into the tensor the module receives.

        Parameters
        ----------
        images : array-like of shape (N, H, W, C) or (N, H, W)
            Numeric batch of images (channels-last unless
            ``channels_last_input=False``).

        Returns
        -------
        torch.Tensor
            The batch in ``NCHW`` layout (a channel axis of size 1 added to
            grey images), with the configured ``dtype``, on ``device``, after
            ``preprocess``.

        Raises
        ------
        ValueError
            If ``images`` has fewer than 2 dimensions.
        TypeError
            If ``images`` is not numeric.
        """
        torch = require("torch")
        arr = np.asarray(images)
        if arr.ndim < 2:
            raise ValueError(f"TorchModel expects a batch of images, got shape {arr.shape}")
        if arr.dtype.kind not in "uifb":
            raise TypeError(f"TorchModel expects numeric images, got dtype {arr.dtype}")
        if arr.dtype == np.uint16 or arr.dtype == np.uint32 or arr.dtype == np.uint64:
            arr = arr.astype(np.int64)  # torch has no unsigned types above 8 bits
        x = torch.from_numpy(np.ascontiguousarray(arr))
        if x.ndim == 3:
            x = x.unsqueeze(1)            # (N, H, W) -> (N, 1, H, W)
        elif x.ndim == 4 and self.channels_last_input:
            x = x.permute(0, 3, 1, 2)     # (N, H, W, C) -> (N, C, H, W)
        x = x.to(device=self.device, dtype=self.dtype).contiguous()
        if self.preprocess is not None:
            x = self.preprocess(x)
        return x

    def __call__(self, images: Any) -> np.ndarray:
        """Model outputs for a NumPy batch, as a float64 NumPy array."""
        torch = require("torch")
        x = self.to_tensor(images)
        was_training = self.module.training
        self.module.eval()
        try:
            with torch.no_grad():
                out = self.module(x)
        finally:
            if was_training:
                self.module.train()
        if not isinstance(out, torch.Tensor):
            raise TypeError(
                f"the module returned {type(out).__name__}, not a tensor; wrap it so that "
                "forward() returns one (n, n_outputs) tensor, e.g. the logits."
            )
        if self.softmax:
            out = torch.softmax(out, dim=1)
        return out.detach().to("cpu", torch.float64).numpy()

    def __repr__(self) -> str:
        return (f"TorchModel({type(self.module).__name__}, device={str(self.device)!r}, "
                f"softmax={self.softmax}, channels_last_input={self.channels_last_input})")
