"""Private speed machinery behind the stages: tabulated discrete draws and bit-packed rows.

Nothing here is part of the public API; the stages use these structures so that the
black box stays the only expensive step.
"""
