"""Matplotlib bar chart of an :class:`~limekit.explanation.Explanation`.

matplotlib is optional (``pip install 'limekit[plot]'``) and imported only when
a plot is drawn. The global backend is never touched: figures are created with
:mod:`matplotlib.pyplot` so they display in notebooks and with ``plt.show()``.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from .._optional import require
from .._renderers import register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..explanation import Explanation

__all__ = ["plot_explanation"]

POSITIVE_COLOR = "#2e7d32"
NEGATIVE_COLOR = "#c62828"
#: Tick labels longer than this are cut, so one long name cannot squash the bars.
MAX_LABEL_CHARS = 60


def _plain(text: str, limit: int | None = None) -> str:
    """Make a user string display literally in matplotlib text."""
    # Control characters (newlines, escape codes) would break the tick layout
    # or show as missing glyphs.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(text))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    # "$...$" would be parsed as mathtext and can raise at draw time.
    return text.replace("$", r"\$")


@register("plot")
def plot_explanation(
    exp: Explanation,
    label: int | None = None,
    ax: Axes | None = None,
    *,
    num_features: int | None = None,
    figsize: tuple[float, float] | None = None,
    **kwargs: Any,
) -> Figure:
    """Draw the weights of one label as a horizontal bar chart.

    Bars are ordered strongest first (at the top), green for weights that push
    towards the label and red for weights that push away from it, with a
    vertical line at zero.

    Parameters
    ----------
    exp : Explanation
        The explanation to plot.
    label : int, optional
        Label to plot; ``None`` plots the first explained label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into. A new figure is created when omitted.
    num_features : int, optional
        Show only the ``num_features`` strongest features.
    figsize : tuple of float, optional
        Size of the new figure in inches; ignored when ``ax`` is given.
        Defaults to a height that grows with the number of bars.
    **kwargs
        Passed on to :meth:`matplotlib.axes.Axes.barh` (e.g. ``height``,
        ``edgecolor``, or ``color`` to override the green/red colouring).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the chart (``ax.figure`` when ``ax`` is given).

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    KeyError
        If ``label`` was not explained.

    Examples
    --------
    >>> fig = plot_explanation(exp, num_features=5)  # doctest: +SKIP
    >>> fig.savefig("explanation.png")  # doctest: +SKIP
    """
    items = exp.as_list(label)
    if num_features is not None:
        if num_features < 0:
            raise ValueError(f"num_features must be >= 0, got {num_features}")
        items = items[: int(num_features)]
    lab = exp._resolve_label(label)

    if ax is None:
        plt = require("matplotlib.pyplot")
        if figsize is None:
            # Widen for long tick labels so the bars keep a usable share.
            longest = max((len(_plain(d, MAX_LABEL_CHARS)) for d, _ in items), default=0)
            figsize = (max(6.4, 3.5 + 0.075 * longest), max(2.5, 0.4 * len(items) + 1.3))
        fig, ax = plt.subplots(figsize=figsize)
        # Long descriptions otherwise run off the left edge. Only for figures
        # we own: a caller's figure keeps the layout the caller chose.
        fig.set_layout_engine("tight")
    else:
        fig = ax.figure

    n = len(items)
    weights = [float(w) for _, w in items]
    # First item (strongest) gets the largest y so it sits at the top.
    ys = list(range(n - 1, -1, -1))
    colors = [POSITIVE_COLOR if w > 0 else NEGATIVE_COLOR for w in weights]
    bar_kwargs = {"color": colors, "align": "center", **kwargs}
    if n:
        ax.barh(ys, weights, **bar_kwargs)
        ax.set_yticks(ys)
        ax.set_yticklabels([_plain(desc, MAX_LABEL_CHARS) for desc, _ in items])
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no features selected", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("weight")
    if exp.mode == "classification":
        ax.set_title(f"Local explanation for class {_plain(exp.class_name(lab))}")
    else:
        ax.set_title("Local explanation")
    fid = (exp.fidelity or {}).get(lab)
    if fid is not None:
        ax.set_xlabel(f"weight  (held-out R² {fid['r2']:.2f}, RMSE {fid['rmse']:.3g}, "
                      f"{int(fid['n'])} fresh samples)")
    return fig
