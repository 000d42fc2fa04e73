"""lime's ``lime.wrappers`` package: :mod:`~limekit.compat.wrappers.scikit_image`."""

__all__ = ["scikit_image"]
