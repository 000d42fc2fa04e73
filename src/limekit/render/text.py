"""Renderers for text explanations: words highlighted in place, in HTML and in a terminal.

Both read only the plain data of a
:class:`~limekit.explainers.text.TextExplanation` (the text, the span of each
word occurrence and the per-feature weights).

* :func:`render_text_html` writes the prediction and weight bar chart of
  :func:`~limekit.render.html.render_html`, followed by the document with every
  selected word's background green (evidence for the class) or red (against),
  its opacity proportional to ``|weight|``. The same safety rules as
  :mod:`limekit.render.html` hold: every user string (the text, the words,
  class names) is escaped with ``quote=True``; there is no script, event
  handler or URL; CSS classes are prefixed ``lk-``.
* :func:`render_text_explanation` writes the terminal table of
  :func:`~limekit.render.terminal.render_text`, followed by the document
  wrapped to the width with each selected word marked ``[word+]`` or
  ``[word-]``.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .._renderers import register
from .html import _page, render_html
from .terminal import _resolve_width, render_text

if TYPE_CHECKING:
    from ..explainers.text import TextExplanation

__all__ = ["render_text_html", "render_text_explanation", "mark_text"]

# Colours of render/html.py's positive and negative bars, as RGB for rgba().
_POS_RGB = "46,125,50"
_NEG_RGB = "198,40,40"
#: Highest background opacity: dark text stays readable on the strongest colour.
_MAX_ALPHA = 0.5

_TEXT_CSS = """\
.limekit .lk-text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.7;\
border:1px solid #d0d7de;border-radius:4px;padding:8px 10px;background:#fff}
.limekit .lk-w{border-radius:3px;padding:0 1px}
.limekit .lk-w-pos{box-shadow:inset 0 -2px 0 rgb(46,125,50)}
.limekit .lk-w-neg{box-shadow:inset 0 -2px 0 rgb(198,40,40)}
"""

# Bidirectional overrides would reorder the displayed text; they carry no meaning here.
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Characters HTML forbids in text (and bidi overrides); tab, newline and CR are fine.
_HTML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Control characters (Cc) would break a terminal's layout or inject escape sequences.
_TERM_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ANSI = {"+": "\x1b[32m", "-": "\x1b[31m"}
_RESET = "\x1b[0m"
_MARK = re.compile(r"\[([^\[\]\n]*)([+-])\]")


def _resolve_labels(exp: TextExplanation, labels: int | Sequence[int] | None) -> list[int]:
    if labels is None:
        return exp.labels
    if isinstance(labels, Iterable) and not isinstance(labels, str):
        return [exp._resolve_label(lab) for lab in labels]
    return [exp._resolve_label(labels)]


def _segments(exp: TextExplanation, label: int) -> list[tuple[str, float | None]]:
    """The text as ``(piece, weight)``: ``weight`` is None outside selected words."""
    weights = exp.token_weights(label)
    selected = {int(i) for i, _ in exp.label_explanations[label].weights}
    out: list[tuple[str, float | None]] = []
    pos = 0
    text = exp.text
    for (a, b), f, w in zip(exp.token_spans, exp.token_features, weights.tolist(), strict=True):
        if f not in selected:
            continue
        if a > pos:
            out.append((text[pos:a], None))
        out.append((text[a:b], float(w)))
        pos = b
    if pos < len(text):
        out.append((text[pos:], None))
    return out


# ------------------------------------------------------------------------ HTML
def _html_text(value: str) -> str:
    """Escape document text; controls HTML forbids (NUL, C0 but tab/newline) become U+FFFD."""
    return html.escape(_HTML_UNSAFE.sub("\ufffd", value), quote=True)


def _text_block(exp: TextExplanation, label: int, opacity: bool) -> str:
    segments = _segments(exp, label)
    scale = max((abs(w) for _, w in segments if w is not None), default=0.0)
    parts = []
    for piece, w in segments:
        if w is None:
            parts.append(_html_text(piece))
            continue
        alpha = _MAX_ALPHA * (abs(w) / scale if (opacity and scale > 0) else 1.0)
        sign, rgb = ("pos", _POS_RGB) if w >= 0 else ("neg", _NEG_RGB)
        parts.append(
            f'<span class="lk-w lk-w-{sign}" style="background-color:rgba({rgb},{alpha:.3f})" '
            f'title="{_html_text(piece)}: {w:+.4g}">{_html_text(piece)}</span>'
        )
    name = html.escape(exp.class_name(label), quote=True)
    title = ("Text with highlighted words" if exp.mode == "regression"
             else f"Text with highlighted words, class {name}")
    legend = ("green raises the prediction, red lowers it" if exp.mode == "regression"
              else f"green: evidence for {name}; red: evidence against")
    return (
        f'<div class="lk-section lk-text-section"><div class="lk-h">{title}</div>'
        f'<div class="lk-meta">{legend}; opacity &prop; |weight|</div>'
        f'<div class="lk-text">{"".join(parts)}</div></div>'
    )


@register("text.html")
def render_text_html(exp: TextExplanation, labels: int | Sequence[int] | None = None,
                     full_page: bool = True, show_text: bool = True,
                     opacity: bool = True) -> str:
    """Render a text explanation as self-contained, script-free HTML.

    Parameters
    ----------
    exp : TextExplanation
    labels : int or sequence of int, optional
        Labels to show; ``None`` shows every explained label.
    full_page : bool, default True
        A complete document, or one ``<div>`` element for embedding (Jupyter).
    show_text : bool, default True
        Include the highlighted document (lime's ``text`` option).
    opacity : bool, default True
        Fade each word's colour with ``|weight|``; ``False`` uses full colour
        for every selected word (lime's ``opacity`` option).

    Returns
    -------
    str
        HTML with no ``<script>``, no event handler and no URL; every string
        from the user or the model is escaped.

    Raises
    ------
    KeyError
        If one of ``labels`` was not explained.

    Examples
    --------
    >>> page = render_text_html(exp)  # doctest: +SKIP
    >>> "<script" in page  # doctest: +SKIP
    False
    """
    labs = _resolve_labels(exp, labels)
    chart = render_html(exp, labels=labs, full_page=False)
    text = ""
    if show_text:
        blocks = "\n".join(_text_block(exp, lab, opacity) for lab in labs)
        text = f'<div class="limekit lk-text-explanation">\n{blocks}\n</div>'
    if not full_page:
        return f'<div class="lk-root">\n<style>{_TEXT_CSS}</style>\n{chart}\n{text}\n</div>'
    return _page("limekit text explanation", _TEXT_CSS, f"{chart}\n{text}")


# -------------------------------------------------------------------- terminal
def _clean_line(value: str) -> str:
    """A document line safe for a terminal: control characters become spaces."""
    return _TERM_CONTROL.sub(" ", _BIDI_RE.sub("", value))


def mark_text(exp: TextExplanation, label: int | None = None,
              max_chars: int | None = None) -> str:
    """The document with each selected word written ``[word+]`` or ``[word-]``.

    Parameters
    ----------
    exp : TextExplanation
    label : int, optional
        Default: the first explained label.
    max_chars : int, optional
        Keep only this many characters of the document (an ellipsis and the
        number of characters left out mark the cut).

    Returns
    -------
    str
    """
    lab = exp._resolve_label(label)
    out = []
    used = 0
    for piece, w in _segments(exp, lab):
        if max_chars is not None and used + len(piece) > max_chars:
            out.append(piece[: max(0, max_chars - used)])  # a cut word is shown unmarked
            out.append(f"… (+{len(exp.text) - max_chars} characters)")
            break
        used += len(piece)
        out.append(piece if w is None else f"[{piece}{'+' if w >= 0 else '-'}]")
    return "".join(out)


@register("text.terminal")
def render_text_explanation(exp: TextExplanation, label: int | Sequence[int] | None = None,
                            width: int | None = None, color: bool = False,
                            max_chars: int | None = None) -> str:
    """Render a text explanation for a terminal: weights table, then the marked text.

    Parameters
    ----------
    exp : TextExplanation
    label : int or sequence of int, optional
        Label(s) to show; ``None`` shows every explained label.
    width : int, optional
        Maximum line width; default the terminal's width (100 without one).
    color : bool, default False
        Colour positive marks green and negative ones red (ANSI codes).
    max_chars : int, optional
        Show at most this many characters of the document.

    Returns
    -------
    str

    Examples
    --------
    >>> print(render_text_explanation(exp, width=80))  # doctest: +SKIP
    """
    w = _resolve_width(width)
    labels = _resolve_labels(exp, label)
    parts = [render_text(exp, label=labels, width=w, color=color)]
    for lab in labels:
        title = ("prediction" if exp.mode == "regression"
                 else f"class {_clean_line(exp.class_name(lab))}")
        signs = ("[word+] raises, [word-] lowers" if exp.mode == "regression"
                 else "[word+] for, [word-] against")
        rule = f"── text, {title} ({signs}) "
        parts.append("")
        parts.append(textwrap.shorten(rule, w, placeholder="…") if len(rule) > w
                     else rule + "─" * max(0, min(w, 80) - len(rule)))
        lines = []
        for line in mark_text(exp, lab, max_chars=max_chars).split("\n"):
            wrapped = textwrap.wrap(_clean_line(line), width=max(1, w), break_on_hyphens=False,
                                    replace_whitespace=False, drop_whitespace=True)
            lines.extend(wrapped or [""])
        body = "\n".join(lines)
        if color:
            body = _MARK.sub(lambda m: f"{_ANSI[m.group(2)]}[{m.group(1)}{m.group(2)}]{_RESET}",
                             body)
        parts.append(body)
    return "\n".join(parts)
