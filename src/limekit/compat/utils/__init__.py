"""lime's ``lime.utils`` package: :mod:`~limekit.compat.utils.generic_utils`."""

__all__ = ["generic_utils"]
