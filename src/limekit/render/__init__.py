"""Renderers for :class:`~limekit.explanation.Explanation`: text, HTML and matplotlib.

Each renderer reads only the explanation's plain data. matplotlib is imported
lazily by :func:`plot_explanation`, so importing this package is cheap.
"""

# every renderer module registers its functions with limekit._renderers on import
from . import image, text, timeseries  # noqa: F401
from .html import render_html
from .plot import plot_explanation
from .terminal import render_text

__all__ = ["plot_explanation", "render_html", "render_text"]
