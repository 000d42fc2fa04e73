"""Plain-text rendering of an :class:`~limekit.explanation.Explanation` for terminals.

The output is a small report: a header with the model's prediction, then one
table per explained label listing the selected features, the instance's value
of each, its signed weight and a bar of unicode blocks proportional to
``|weight|``. Every line fits in the requested width, measured in terminal
cells (wide East Asian characters count twice), so the report survives any
feature name a user can throw at it.
"""

from __future__ import annotations

import shutil
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .._renderers import register

if TYPE_CHECKING:
    from ..explanation import Explanation

__all__ = ["render_text"]

DEFAULT_WIDTH = 100
#: How many class probabilities the header lists (the most probable ones).
TOP_CLASSES = 5

_ELLIPSIS = "…"
_FULL = "█"
# Thin blocks hugging the axis, so a weight too small for one full cell still shows.
_TINY_POS = "▏"
_TINY_NEG = "▕"
_AXIS = "│"
_GAP = "  "
_MAX_HALF_BAR = 20
_MIN_HALF_BAR = 6
_MIN_DESC = 16
_MAX_VALUE = 20
_RULE_WIDTH = 80

_ANSI = {"green": "\x1b[32m", "red": "\x1b[31m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"

# Bidirectional overrides can make a feature name display as something else;
# they carry no meaning in a table, so they are dropped.
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# ----------------------------------------------------------------- cell helpers
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cell_width(text: str) -> int:
    """Columns ``text`` occupies on a terminal."""
    return sum(_char_width(ch) for ch in text)


def _truncate(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` cells, marking the cut with an ellipsis."""
    if _cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out: list[str] = []
    used = 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + _ELLIPSIS


def _pad(text: str, width: int, align: str = "<") -> str:
    """Truncate or pad ``text`` to exactly ``width`` cells."""
    text = _truncate(text, width)
    fill = " " * max(0, width - _cell_width(text))
    return fill + text if align == ">" else text + fill


def _clean(value: object) -> str:
    """Make a user string safe for a one-line cell.

    Control characters (newlines, tabs, escape sequences) would break the table
    layout or inject terminal commands, so they become spaces.
    """
    chars = []
    for ch in str(value):
        if ch in _BIDI:
            continue
        chars.append(" " if unicodedata.category(ch) == "Cc" else ch)
    return "".join(chars)


def _fmt(x: float, signed: bool = False) -> str:
    """Four significant digits; explicit sign for weights."""
    return format(float(x), "+.4g" if signed else ".4g")


# ---------------------------------------------------------------------- lines
class _Line:
    """A line made of (text, style) pieces, laid out before colouring.

    Widths are checked on the plain text; ANSI codes are added only when the
    line fits, because escape codes occupy no cells but would be cut in half by
    truncation.
    """

    def __init__(self, *pieces: tuple[str, str | None]) -> None:
        self.pieces = [p for p in pieces if p[0]]

    def render(self, width: int, color: bool) -> str:
        pieces = list(self.pieces)
        # Trailing padding is invisible but makes copy-paste and diffs noisy.
        while pieces and not pieces[-1][0].rstrip():
            pieces.pop()
        if pieces:
            pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1])
        plain = "".join(text for text, _ in pieces)
        if _cell_width(plain) > width:
            return _truncate(plain, width)
        if not color:
            return plain
        return "".join(
            f"{_ANSI[style]}{text}{_RESET}" if style else text for text, style in pieces
        )


def _wrap(items: Sequence[str], width: int, sep: str = "  ", indent: str = "  ") -> list[str]:
    """Greedily pack ``items`` into lines of at most ``width`` cells.

    Used for key=value summaries, which read better wrapped than cut off.
    """
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}{sep}{item}" if current else item
        if current and _cell_width(candidate) > width:
            lines.append(current)
            current = indent + item
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _resolve_width(width: int | None) -> int:
    if width is None:
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    width = int(width)
    if width < 1:
        raise ValueError(f"width must be a positive number of columns, got {width}")
    return width


def _resolve_labels(exp: Explanation, label: int | Sequence[int] | None) -> list[int]:
    if label is None:
        return exp.labels
    if isinstance(label, Iterable) and not isinstance(label, str):
        return [exp._resolve_label(lab) for lab in label]
    return [exp._resolve_label(label)]


def _header(exp: Explanation, width: int) -> list[_Line]:
    title = f"limekit explanation ({_clean(exp.mode)}, num_samples={exp.num_samples})"
    lines = [_Line((title, "bold"))]
    if exp.mode == "regression":
        if exp.predicted_value is not None:
            lines.append(_Line((f"Predicted value: {_fmt(exp.predicted_value)}", None)))
        return lines
    if exp.predict_proba:
        proba = list(exp.predict_proba)
        # Ties broken by class index so the order never depends on float noise.
        order = sorted(range(len(proba)), key=lambda k: (-proba[k], k))
        top = order[0]
        lines.append(_Line(
            (f"Predicted class: {_clean(exp.class_name(top))} (p={proba[top]:.3f})", None)
        ))
        if len(proba) > 1:
            items = [
                f"{_clean(exp.class_name(k))} {proba[k]:.3f}" for k in order[:TOP_CLASSES]
            ]
            items[0] = f"Class probabilities: {items[0]}"
            if len(proba) > TOP_CLASSES:
                items.append(f"(+{len(proba) - TOP_CLASSES} more)")
            lines.extend(_Line((text, None)) for text in _wrap(items, width))
    return lines


def _bar(weight: float, scale: float, half: int, left: bool, right: bool) -> str:
    n = round(abs(weight) / scale * half) if scale > 0 else 0
    if weight > 0:
        blocks = _FULL * n if n else _TINY_POS
    elif weight < 0:
        blocks = _FULL * n if n else _TINY_NEG
    else:
        blocks = ""
    neg = (blocks if weight < 0 else "").rjust(half) if left else ""
    pos = (blocks if weight > 0 else "").ljust(half) if right else ""
    return neg + _AXIS + pos


def _label_section(exp: Explanation, label: int, width: int) -> list[_Line]:
    le = exp.label_explanations[label]
    if exp.mode == "regression":
        title = "prediction"
    else:
        title = f"class {_clean(exp.class_name(label))} (label {label})"
    rule = f"── {title} "
    # A rule across a very wide terminal only adds noise; stop at a page width.
    rule_w = min(width, max(_RULE_WIDTH, _cell_width(rule) + 2))
    lines = [_Line((rule + "─" * max(0, rule_w - _cell_width(rule)), "bold"))]

    stats = [
        *(["scale=log-odds"] if exp.settings.get("link") == "logit" else []),
        f"intercept={_fmt(le.intercept)}",
        f"local_pred={_fmt(le.local_pred)}",
        f"score(R²)={_fmt(le.score)}",
    ]
    # The model's own output next to local_pred shows at a glance how faithful
    # the surrogate is at the instance.
    if exp.mode == "regression" and exp.predicted_value is not None:
        stats.append(f"model={_fmt(exp.predicted_value)}")
    elif exp.predict_proba and 0 <= label < len(exp.predict_proba):
        stats.append(f"model p={exp.predict_proba[label]:.3f}")
    lines.extend(_Line((text, "dim")) for text in _wrap(stats, width))
    fid = (exp.fidelity or {}).get(label)
    if fid is not None:
        trust = (f"held-out fidelity: R²={_fmt(fid['r2'])} RMSE={_fmt(fid['rmse'])} "
                 f"on {int(fid['n'])} fresh samples")
        lines.extend(_Line((text, "dim")) for text in _wrap([trust], width))

    if not le.weights:
        lines.append(_Line(("(no features selected)", None)))
        return lines

    rows = [
        (
            str(rank),
            _clean(exp.feature_descriptions[i]),
            _clean(exp.feature_values[i]),
            _fmt(w, signed=True),
            float(w),
        )
        for rank, (i, w) in enumerate(le.weights, start=1)
    ]
    rank_w = max(1, max(len(r[0]) for r in rows))
    weight_w = max(len("weight"), max(len(r[3]) for r in rows))
    # Values are short as a rule; on narrow terminals they yield room to descriptions.
    value_cap = max(len("value"), min(_MAX_VALUE, width // 5))
    value_w = min(value_cap, max(len("value"), max(_cell_width(r[2]) for r in rows)))
    desc_nat = max(len("feature"), max(_cell_width(r[1]) for r in rows))

    left = any(r[4] < 0 for r in rows)
    right = any(r[4] > 0 for r in rows)
    sides = int(left) + int(right)
    # Space left for the description and the bar once the fixed columns are placed.
    avail = width - (rank_w + value_w + weight_w + 3 * len(_GAP))
    half = 0
    if sides:
        overhead = len(_GAP) + len(_AXIS)
        half = min(_MAX_HALF_BAR, (avail - desc_nat - overhead) // sides)
        if half < _MIN_HALF_BAR:
            # A bar is only readable with a few cells; take them from a long
            # description, but never shrink it below a legible minimum.
            half = min(_MIN_HALF_BAR, (avail - min(desc_nat, _MIN_DESC) - overhead) // sides)
        if half < 2:
            half = 0
    bar_w = len(_GAP) + len(_AXIS) + sides * half if half else 0
    desc_w = max(1, min(desc_nat, avail - bar_w))
    scale = max(abs(r[4]) for r in rows)

    lines.append(_Line(
        (_pad("#", rank_w, ">") + _GAP + _pad("feature", desc_w) + _GAP
         + _pad("value", value_w) + _GAP + _pad("weight", weight_w, ">"), "bold"),
    ))
    for rank, desc, value, wtext, w in rows:
        style = "green" if w > 0 else "red" if w < 0 else None
        pieces: list[tuple[str, str | None]] = [
            (_pad(rank, rank_w, ">") + _GAP + _pad(desc, desc_w) + _GAP
             + _pad(value, value_w) + _GAP, None),
            (_pad(wtext, weight_w, ">"), style),
        ]
        if half:
            pieces += [(_GAP, None), (_bar(w, scale, half, left, right), style)]
        lines.append(_Line(*pieces))
    return lines


@register("terminal")
def render_text(
    exp: Explanation,
    label: int | Sequence[int] | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """Render an explanation as a readable plain-text report.

    Parameters
    ----------
    exp : Explanation
        The explanation to render.
    label : int or sequence of int, optional
        Label(s) to show. ``None`` shows every explained label, one table each,
        in the order they were explained.
    width : int, optional
        Maximum line width in terminal columns. Defaults to the terminal's
        width, or 100 columns when there is no terminal.
    color : bool, default False
        Colour positive weights green and negative ones red with ANSI escape
        codes. Off by default so the text is safe to log or write to files.

    Returns
    -------
    str
        The report, lines separated by ``"\\n"``, none wider than ``width``.

    Raises
    ------
    KeyError
        If ``label`` was not explained.
    ValueError
        If ``width`` is not positive.

    Examples
    --------
    >>> print(render_text(exp, width=80))  # doctest: +SKIP
    limekit explanation (classification, num_samples=5000)
    Predicted class: setosa (p=0.981)
    ...
    """
    width = _resolve_width(width)
    labels = _resolve_labels(exp, label)
    lines = _header(exp, width)
    for lab in labels:
        lines.append(_Line())
        lines.extend(_label_section(exp, lab, width))
    lines.extend(_trust_lines(exp, width))
    return "\n".join(line.render(width, color) for line in lines)


def _trust_lines(exp: Explanation, width: int) -> list[_Line]:
    """Effective sample size and quality warnings, so the reader knows how far to trust it."""
    if not exp.diagnostics:
        return []
    out = [_Line()]
    ess = exp.effective_sample_size
    if ess is not None and exp.num_samples:
        out.extend(_Line((t, "dim")) for t in _wrap(
            [f"effective sample size {ess:.0f} of {int(exp.num_samples)}"], width))
    stab = exp.diagnostics.get("stability")
    if stab:
        out.extend(_Line((t, "dim")) for t in _wrap(
            [f"stability over {stab['n_runs']} seeds: top-{stab['k']} Jaccard "
             f"{_fmt_opt(stab['jaccard'])}, Kendall τ {_fmt_opt(stab['kendall_tau'])}, "
             f"sign agreement {_fmt_opt(stab['sign_agreement'])}"], width))
    for note in exp.warnings:
        # a warning says what to change: wrap it, never cut it off
        text = textwrap.wrap("warning: " + _clean(note), width=max(20, width),
                             subsequent_indent="  ")
        out.extend(_Line((t, "red")) for t in text)
    return out


def _fmt_opt(x) -> str:
    return "n/a" if x is None else f"{float(x):.2f}"
