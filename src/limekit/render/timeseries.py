"""Renderers for window (segment) explanations of a time series.

They add the series itself to the generic renderers: the terminal report
gets a sparkline with the windows marked ``+``/``-``, the HTML gets an inline
SVG of the series with windows shaded green (for the label) or red (against),
and :func:`plot_timeseries` draws the same picture with matplotlib.

The HTML keeps :mod:`limekit.render.html`'s guarantees: no script, no event
handlers, no URLs (the SVG is inline HTML5, so it needs no ``xmlns``), and
every user string escaped. Coordinates are numbers formatted here, never text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._optional import require
from .._renderers import register
from .html import render_html
from .plot import NEGATIVE_COLOR, POSITIVE_COLOR, _plain
from .terminal import _cell_width, _clean, _resolve_width, _truncate, render_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..explainers.timeseries import TimeSeriesSegmentExplanation

__all__ = ["render_timeseries_text", "render_timeseries_html", "series_svg", "plot_timeseries"]

_SPARK = "▁▂▃▄▅▆▇█"
#: Label column of the sparkline rows is cut to this many cells.
_MAX_ROW_LABEL = 16
#: Opacity of the strongest shaded window; others scale with |weight| / max |weight|,
#: so windows with negligible weight stay (nearly) unshaded.
_MAX_ALPHA = 0.5
#: Sparkline markers: windows weaker than this fraction of the strongest show as "·",
#: so sampling noise on irrelevant windows does not read as a signal.
MARK_FRACTION = 0.05
# Where the series block goes in render_html's output: before the first label block.
# The marker cannot come from user text, which is always escaped.
_LABEL_MARKER = '<div class="lk-section lk-label">'


def _labels(exp: TimeSeriesSegmentExplanation, labels: int | Sequence[int] | None) -> list[int]:
    if labels is None:
        return exp.labels
    if isinstance(labels, Iterable) and not isinstance(labels, str):
        return [exp._resolve_label(lab) for lab in labels]
    return [exp._resolve_label(labels)]


def _strength(weights: np.ndarray) -> np.ndarray:
    """Per-window shading opacity in ``[0, _MAX_ALPHA]``, proportional to ``|weight|``."""
    scale = float(np.abs(weights).max()) if weights.size else 0.0
    if scale <= 0:
        return np.zeros_like(weights)
    return _MAX_ALPHA * np.abs(weights) / scale


# ------------------------------------------------------------------- terminal
def _cells(n_points: int, n_cells: int) -> np.ndarray:
    """Edges splitting ``n_points`` timesteps into ``n_cells`` contiguous groups."""
    return (np.arange(n_cells + 1) * n_points) // n_cells


@register("series.terminal")
def render_timeseries_text(
    exp: TimeSeriesSegmentExplanation,
    label: int | Sequence[int] | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """The weight table of :func:`~limekit.render.terminal.render_text` plus a sparkline.

    Under the table, the series is drawn as a sparkline (one cell per group of
    timesteps) and, for each label, a row marks each cell ``+`` (its window
    supports the label), ``-`` (against) or ``·`` (not selected, or weaker
    than ``MARK_FRACTION`` of the strongest window).

    Parameters
    ----------
    exp : TimeSeriesSegmentExplanation
    label : int or sequence of int, optional
        Label(s) to show; ``None`` shows all explained labels.
    width : int, optional
        Maximum line width; default the terminal's width (100 without one).
    color : bool, default False
        ANSI colours in the table.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    >>> x = np.r_[np.zeros(20), np.ones(10)]
    >>> exp = SegmentTimeSeriesExplainer(n_segments=3, random_state=0, mode="regression"
    ...                                  ).explain(x, lambda X: X[:, 20:].sum(axis=1))
    >>> print(render_timeseries_text(exp, width=60).splitlines()[-1])
    prediction  ····················++++++++++
    """
    width = _resolve_width(width)
    labs = _labels(exp, label)
    table = render_text(exp, label=labs, width=width, color=color)
    series = np.asarray(exp.series, dtype=float)
    if series.size == 0:
        return table

    names = ["series"] + [
        "prediction" if exp.mode == "regression" else _clean(exp.class_name(lab))
        for lab in labs
    ]
    names = [_truncate(n, _MAX_ROW_LABEL) for n in names]
    label_w = max(_cell_width(n) for n in names)
    n_cells = min(series.size, width - label_w - 2)
    if n_cells < 4:  # too narrow for a readable sparkline
        return table

    edges = _cells(series.size, n_cells)
    means = np.add.reduceat(series, edges[:-1]) / np.diff(edges)
    lo, hi = float(means.min()), float(means.max())
    levels = (np.zeros(n_cells, dtype=int) if hi <= lo
              else np.minimum(((means - lo) / (hi - lo) * len(_SPARK)).astype(int),
                              len(_SPARK) - 1))
    rows = ["".join(_SPARK[v] for v in levels)]

    # Each cell takes the window of its middle timestep.
    bounds = np.asarray(exp.boundaries)
    middle = (edges[:-1] + edges[1:] - 1) // 2
    window = np.searchsorted(bounds, middle, side="right") - 1
    for lab in labs:
        w = exp.segment_weights(lab)
        w = np.where(np.abs(w) >= MARK_FRACTION * np.abs(w).max(), w, 0.0)[window]
        rows.append("".join("+" if v > 0 else "-" if v < 0 else "·" for v in w))

    lines = [table, ""]
    for name, row in zip(names, rows, strict=True):
        lines.append(name + " " * (label_w - _cell_width(name) + 2) + row)
    return "\n".join(lines)


# ----------------------------------------------------------------------- HTML
def series_svg(exp: TimeSeriesSegmentExplanation, label: int | None = None,
               width: int = 640, height: int = 160) -> str:
    """An inline ``<svg>`` of the series, its windows shaded by their weight for ``label``.

    Green windows push towards the label, red ones away; the stronger the
    weight, the darker the shade. Each window carries a ``<title>`` tooltip
    (escaped). No script, no URLs, no ``xmlns`` (not needed inline in HTML5).

    Parameters
    ----------
    exp : TimeSeriesSegmentExplanation
    label : int, optional
        Default the first explained label.
    width, height : int
        Size of the drawing in pixels (it scales down with the page).

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    >>> exp = SegmentTimeSeriesExplainer(n_segments=4, random_state=0, mode="regression"
    ...                                  ).explain(np.arange(8.0), lambda X: X[:, :2].sum(1))
    >>> svg = series_svg(exp)
    >>> svg.startswith("<svg") and "<polyline" in svg and "http" not in svg
    True
    """
    lab = exp._resolve_label(label)
    series = np.asarray(exp.series, dtype=float)
    T = series.size
    pad_l, pad_r, pad_t, pad_b = 48.0, 8.0, 8.0, 20.0
    inner_w, inner_h = width - pad_l - pad_r, height - pad_t - pad_b
    lo, hi = (float(series.min()), float(series.max())) if T else (0.0, 1.0)
    if hi <= lo:  # a flat series sits in the middle
        lo, hi = lo - 1.0, hi + 1.0

    def x_at(t: np.ndarray | float) -> np.ndarray:
        # Timestep t occupies [t, t+1) of T cells; points sit at cell centres.
        return pad_l + np.asarray(t, dtype=float) / max(T, 1) * inner_w

    def y_at(v: np.ndarray) -> np.ndarray:
        return pad_t + (hi - v) / (hi - lo) * inner_h

    weights = exp.segment_weights(lab)
    alpha = _strength(weights)
    name = exp.class_name(lab)
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(f"Series with windows shaded by weight for {name}", quote=True)}" '
        'style="max-width:100%;height:auto;font-size:11px">',
        f'<rect x="{pad_l:.2f}" y="{pad_t:.2f}" width="{inner_w:.2f}" height="{inner_h:.2f}" '
        'fill="#f6f8fa" stroke="#d0d7de"/>',
    ]
    for k, (a, b) in enumerate(exp.segments):
        x0, x1 = float(x_at(a)), float(x_at(b))
        tip = html.escape(f"{exp.feature_descriptions[k]}: {weights[k]:+.4g}", quote=True)
        fill = POSITIVE_COLOR if weights[k] > 0 else NEGATIVE_COLOR
        parts.append(
            f'<rect x="{x0:.2f}" y="{pad_t:.2f}" width="{max(x1 - x0, 0.5):.2f}" '
            f'height="{inner_h:.2f}" fill="{fill}" fill-opacity="{alpha[k]:.3f}">'
            f"<title>{tip}</title></rect>"
        )
        if a > 0:  # window edge
            parts.append(f'<line x1="{x0:.2f}" y1="{pad_t:.2f}" x2="{x0:.2f}" '
                         f'y2="{pad_t + inner_h:.2f}" stroke="#d0d7de" stroke-width="0.5"/>')
    if T:
        xs, ys = x_at(np.arange(T) + 0.5), y_at(series)
        points = " ".join(f"{x:.2f},{y:.2f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="#1f2328" '
                     'stroke-width="1.5" stroke-linejoin="round"/>')
    parts += [
        f'<text x="{pad_l - 4:.2f}" y="{pad_t + 9:.2f}" text-anchor="end" fill="#57606a">'
        f"{hi:.4g}</text>",
        f'<text x="{pad_l - 4:.2f}" y="{pad_t + inner_h:.2f}" text-anchor="end" '
        f'fill="#57606a">{lo:.4g}</text>',
        f'<text x="{pad_l:.2f}" y="{height - 5:.2f}" fill="#57606a">t=0</text>',
        f'<text x="{pad_l + inner_w:.2f}" y="{height - 5:.2f}" text-anchor="end" '
        f'fill="#57606a">t={T}</text>',
        "</svg>",
    ]
    return "".join(parts)


def _series_block(exp: TimeSeriesSegmentExplanation, labels: list[int]) -> str:
    blocks = []
    for lab in labels:
        name = html.escape(exp.class_name(lab), quote=True)
        title = ("Series and window weights" if exp.mode == "regression"
                 else f"Series and window weights for class {name}")
        legend = ("green: raises the prediction, red: lowers it" if exp.mode == "regression"
                  else f"green: for {name}, red: against {name}")
        blocks.append(
            f'<div class="lk-section lk-series"><div class="lk-h">{title}</div>'
            f'<div class="lk-meta">{legend}</div>{series_svg(exp, lab)}</div>'
        )
    return "\n".join(blocks)


@register("series.html")
def render_timeseries_html(
    exp: TimeSeriesSegmentExplanation,
    labels: int | Sequence[int] | None = None,
    full_page: bool = True,
) -> str:
    """Self-contained HTML: :func:`~limekit.render.html.render_html` plus the series SVG.

    Parameters
    ----------
    exp : TimeSeriesSegmentExplanation
    labels : int or sequence of int, optional
        Labels to show; ``None`` shows all.
    full_page : bool, default True
        A whole document, or one ``<div class="limekit">`` for embedding.

    Returns
    -------
    str
        No ``<script>``, no event handlers, no URLs; user strings escaped.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    >>> exp = SegmentTimeSeriesExplainer(n_segments=4, random_state=0, mode="regression"
    ...                                  ).explain(np.arange(8.0), lambda X: X[:, :2].sum(1))
    >>> page = render_timeseries_html(exp)
    >>> "<svg" in page and "<script" not in page
    True
    """
    labs = _labels(exp, labels)
    page = render_html(exp, labels=labs, full_page=full_page)
    block = _series_block(exp, labs)
    if _LABEL_MARKER in page:
        return page.replace(_LABEL_MARKER, block + "\n" + _LABEL_MARKER, 1)
    # No label block (should not happen): put the series before the closing tag.
    cut = page.rfind("</div>")
    return page[:cut] + block + "\n" + page[cut:]


# ----------------------------------------------------------------- matplotlib
@register("series.plot")
def plot_timeseries(
    exp: TimeSeriesSegmentExplanation,
    label: int | None = None,
    ax: Axes | None = None,
    *,
    figsize: tuple[float, float] = (8.0, 3.0),
    **kwargs: Any,
) -> Figure:
    """Draw the series with each window shaded by its weight for ``label``.

    Green windows push towards the label, red ones away; darker means a
    larger ``|weight|``. For the weights as bars use
    :func:`~limekit.render.plot.plot_explanation`.

    Parameters
    ----------
    exp : TimeSeriesSegmentExplanation
    label : int, optional
        Default the first explained label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when omitted.
    figsize : tuple of float, default (8, 3)
        Size of a new figure; ignored with ``ax``.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the series line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    >>> exp = SegmentTimeSeriesExplainer(n_segments=4, random_state=0, mode="regression"
    ...                                  ).explain(np.arange(8.0), lambda X: X[:, :2].sum(1))
    >>> fig = plot_timeseries(exp)
    >>> len(fig.axes)
    1
    """
    lab = exp._resolve_label(label)
    if ax is None:
        plt = require("matplotlib.pyplot")
        fig, ax = plt.subplots(figsize=figsize)
        fig.set_layout_engine("tight")
    else:
        fig = ax.figure
    series = np.asarray(exp.series, dtype=float)
    weights = exp.segment_weights(lab)
    alpha = _strength(weights)
    for k, (a, b) in enumerate(exp.segments):
        if alpha[k] > 0:
            # Windows span whole timestep cells, so edges sit half a step off the points.
            ax.axvspan(a - 0.5, b - 0.5, color=POSITIVE_COLOR if weights[k] > 0
                       else NEGATIVE_COLOR, alpha=float(alpha[k]), linewidth=0)
    line_kwargs = {"color": "#1f2328", "linewidth": 1.5, **kwargs}
    ax.plot(np.arange(series.size), series, **line_kwargs)
    ax.set_xlim(-0.5, series.size - 0.5)
    ax.set_xlabel("t")
    ax.set_ylabel("value")
    if exp.mode == "classification":
        ax.set_title(f"Window weights for class {_plain(exp.class_name(lab))}")
    else:
        ax.set_title("Window weights")
    return fig
