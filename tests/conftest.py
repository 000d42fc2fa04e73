"""Test-wide settings: headless matplotlib, so the suite runs on machines with no display."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
