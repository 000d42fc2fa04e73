"""lime's ``lime.exceptions``: :class:`LimeError`."""

__all__ = ["LimeError"]


class LimeError(Exception):
    """Raised for errors specific to lime's API (as ``lime.exceptions.LimeError``)."""
