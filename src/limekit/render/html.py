"""Self-contained HTML rendering of an :class:`~limekit.explanation.Explanation`.

The output is safe to open from an untrusted source and to embed in a
notebook: styles are inline, bars are CSS-width ``<div>`` elements, and there
is no JavaScript and no reference to anything outside the document (no
scripts, fonts, images or links). Every string that came from the user or the
model (feature names, descriptions, values, class names, settings) goes
through :func:`html.escape` with ``quote=True`` before it is written. All CSS
classes are prefixed ``lk-`` and scoped under ``.limekit`` so they cannot clash
with a notebook's own styles. The output is a pure function of the
explanation: rendering twice gives identical text.

Full pages also carry a Content-Security-Policy (:data:`CSP`) that forbids
every script, plugin, frame, form target and network load except inline
styles and ``data:`` images: should escaping ever miss something, the
browser still runs nothing and fetches nothing. (A ``<meta>`` policy cannot
apply to fragments embedded in a notebook; there escaping is the guard.)
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._renderers import register

if TYPE_CHECKING:
    from ..explanation import Explanation

__all__ = ["render_html", "CSP"]

#: Content-Security-Policy of every full page limekit writes: nothing may load or
#: run except the page's own inline styles and ``data:`` images.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")

#: How many classes the prediction block shows (the most probable ones).
TOP_CLASSES = 5

_CSS = """\
.limekit{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;\
font-size:13px;line-height:1.4;color:#1f2328;background:#fff;padding:8px 12px;\
max-width:900px;box-sizing:border-box}
.limekit *{box-sizing:border-box}
.limekit .lk-header{color:#57606a;margin-bottom:6px}
.limekit .lk-mode{font-weight:600;color:#1f2328;text-transform:capitalize}
.limekit .lk-section{margin:10px 0 14px 0}
.limekit .lk-h{font-size:14px;font-weight:600;margin:0 0 6px 0}
.limekit .lk-meta{color:#57606a;margin:0 0 6px 0}
.limekit .lk-meta b{color:#1f2328;font-weight:600}
.limekit .lk-chart{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr) auto;\
gap:3px 8px;align-items:center}
.limekit .lk-name{text-align:right;overflow-wrap:anywhere}
.limekit .lk-track{display:flex;height:14px}
.limekit .lk-half{flex:1 1 0;display:flex;height:100%}
.limekit .lk-half-neg{justify-content:flex-end;border-right:1px solid #57606a}
.limekit .lk-full{flex:1 1 0;display:flex;height:100%;background:#eaeef2}
.limekit .lk-bar{height:100%}
.limekit .lk-bar-pos{background:#2e7d32}
.limekit .lk-bar-neg{background:#c62828}
.limekit .lk-bar-proba{background:#1f6feb}
.limekit .lk-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.limekit .lk-pos{color:#2e7d32}
.limekit .lk-neg{color:#c62828}
.limekit .lk-trust ul{margin:0;padding-left:18px;color:#57606a}
.limekit .lk-warning{color:#9a6700}
.limekit .lk-legend{display:flex;justify-content:space-between;color:#57606a;font-size:12px}
.limekit .lk-empty{color:#57606a;font-style:italic}
.limekit .lk-predicted{font-size:16px;font-weight:600}
.limekit table.lk-table{border-collapse:collapse;font-size:13px}
.limekit .lk-table th,.limekit .lk-table td{border-bottom:1px solid #d0d7de;padding:2px 10px;\
text-align:left;overflow-wrap:anywhere}
.limekit .lk-table th{font-weight:600}
.limekit details.lk-settings summary{cursor:pointer;color:#57606a}
"""


def _e(value: object) -> str:
    """Escape any user or model supplied value for text or attribute context."""
    return html.escape(str(value), quote=True)


def _num(x: float, signed: bool = False) -> str:
    return format(float(x), "+.4g" if signed else ".4g")


def _pct(fraction: float) -> str:
    """CSS percentage clamped to [0, 100]; numbers only, never user text."""
    fraction = float(fraction)
    if not fraction > 0:  # also catches NaN
        fraction = 0.0
    return f"{min(fraction, 1.0) * 100:.2f}%"


def _resolve_labels(exp: Explanation, labels: int | Sequence[int] | None) -> list[int]:
    if labels is None:
        return exp.labels
    if isinstance(labels, Iterable) and not isinstance(labels, str):
        return [exp._resolve_label(lab) for lab in labels]
    return [exp._resolve_label(labels)]


def _header(exp: Explanation) -> str:
    parts = [f'<span class="lk-mode">{_e(exp.mode)}</span> explanation']
    if exp.num_samples:
        parts.append(f"{int(exp.num_samples)} samples")
    return f'<div class="lk-header">{" &middot; ".join(parts)}</div>'


def _prediction_block(exp: Explanation) -> str:
    if exp.mode == "regression":
        if exp.predicted_value is None:
            return ""
        return (
            '<div class="lk-section lk-prediction"><div class="lk-h">Predicted value</div>'
            f'<div class="lk-predicted">{_e(_num(exp.predicted_value))}</div></div>'
        )
    if not exp.predict_proba:
        return ""
    proba = [float(p) for p in exp.predict_proba]
    # Index breaks ties so equal probabilities keep a stable order.
    order = sorted(range(len(proba)), key=lambda k: (-proba[k], k))[:TOP_CLASSES]
    rows = []
    for k in order:
        rows.append(
            f'<div class="lk-name">{_e(exp.class_name(k))}</div>'
            f'<div class="lk-track"><div class="lk-full">'
            f'<div class="lk-bar lk-bar-proba" style="width:{_pct(proba[k])}"></div>'
            f"</div></div>"
            f'<div class="lk-num">{proba[k]:.3f}</div>'
        )
    title = "Prediction probabilities"
    if len(proba) > TOP_CLASSES:
        title += f" (top {TOP_CLASSES} of {len(proba)})"
    return (
        f'<div class="lk-section lk-prediction"><div class="lk-h">{title}</div>'
        f'<div class="lk-chart">{"".join(rows)}</div></div>'
    )


def _label_block(exp: Explanation, label: int) -> str:
    le = exp.label_explanations[label]
    name = _e(exp.class_name(label))
    if exp.mode == "regression":
        title = "Local explanation"
    else:
        title = f"Local explanation for class {name}"
    meta = [
        f"intercept <b>{_num(le.intercept)}</b>",
        f"local prediction <b>{_num(le.local_pred)}</b>",
        f"R&sup2; <b>{_num(le.score)}</b>",
    ]
    fid = (exp.fidelity or {}).get(label)
    if fid is not None:
        meta.append(f"held-out R&sup2; <b>{_num(fid['r2'])}</b>, RMSE "
                    f"<b>{_num(fid['rmse'])}</b> on {int(fid['n'])} fresh samples")
    # Shown beside the surrogate's local prediction so its fidelity at the
    # instance can be judged at a glance.
    if exp.mode == "regression" and exp.predicted_value is not None:
        meta.append(f"model <b>{_num(exp.predicted_value)}</b>")
    elif exp.predict_proba and 0 <= label < len(exp.predict_proba):
        meta.append(f"model probability <b>{float(exp.predict_proba[label]):.3f}</b>")
    out = [
        f'<div class="lk-section lk-label"><div class="lk-h">{title}</div>',
        f'<div class="lk-meta">{" &middot; ".join(meta)}</div>',
    ]
    if not le.weights:
        out.append('<div class="lk-empty">No features were selected for this label.</div></div>')
        return "".join(out)

    scale = max(abs(float(w)) for _, w in le.weights)
    rows = []
    if exp.mode == "classification":
        rows.append(
            f'<div></div><div class="lk-legend"><span>&larr; against {name}</span>'
            f"<span>for {name} &rarr;</span></div><div></div>"
        )
    for i, w in le.weights:
        w = float(w)
        width = _pct(abs(w) / scale) if scale > 0 else _pct(0.0)
        bar_cls, num_cls = ("lk-bar-pos", "lk-pos") if w >= 0 else ("lk-bar-neg", "lk-neg")
        bar = f'<div class="lk-bar {bar_cls}" style="width:{width}"></div>'
        neg, pos = ("", bar) if w >= 0 else (bar, "")
        rows.append(
            f'<div class="lk-name">{_e(exp.feature_descriptions[i])}</div>'
            f'<div class="lk-track"><div class="lk-half lk-half-neg">{neg}</div>'
            f'<div class="lk-half">{pos}</div></div>'
            f'<div class="lk-num {num_cls}">{_num(w, signed=True)}</div>'
        )
    out.append(f'<div class="lk-chart">{"".join(rows)}</div></div>')
    return "".join(out)


def _values_block(exp: Explanation, labels: list[int]) -> str:
    seen: dict[int, None] = {}  # ordered set: first appearance, strongest first
    for lab in labels:
        for i, _ in exp.label_explanations[lab].weights:
            seen.setdefault(int(i), None)
    if not seen:
        return ""
    rows = "".join(
        f"<tr><td>{_e(exp.feature_names[i])}</td><td>{_e(exp.feature_values[i])}</td></tr>"
        for i in seen
    )
    return (
        '<div class="lk-section lk-values"><div class="lk-h">Feature values</div>'
        '<table class="lk-table"><thead><tr><th>Feature</th><th>Value</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _setting_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _settings_block(exp: Explanation) -> str:
    if not exp.settings:
        return ""
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td>{_e(_setting_text(v))}</td></tr>"
        for k, v in exp.settings.items()
    )
    return (
        '<details class="lk-section lk-settings"><summary>Settings</summary>'
        f'<table class="lk-table"><tbody>{rows}</tbody></table></details>'
    )


def _page(title: str, css: str, body: str) -> str:
    """A complete document: charset and CSP first in ``<head>``, then styles and ``body``.

    ``title`` and ``css`` are limekit's own constants, never user text.
    """
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _trust_block(exp: Explanation) -> str:
    """Effective sample size and quality warnings (every string escaped)."""
    if not exp.diagnostics:
        return ""
    items = []
    ess = exp.effective_sample_size
    if ess is not None and exp.num_samples:
        items.append(f"<li>effective sample size {ess:.0f} of {int(exp.num_samples)}</li>")
    stab = exp.diagnostics.get("stability")
    if stab:
        def f(x):
            return "n/a" if x is None else f"{float(x):.2f}"
        items.append(f"<li>stability over {int(stab['n_runs'])} seeds: top-{int(stab['k'])} "
                     f"Jaccard <b>{f(stab['jaccard'])}</b>, Kendall &tau; "
                     f"<b>{f(stab['kendall_tau'])}</b>, sign agreement "
                     f"<b>{f(stab['sign_agreement'])}</b></li>")
    items.extend(f'<li class="lk-warning">warning: {_e(note)}</li>' for note in exp.warnings)
    if not items:
        return ""
    return ('<div class="lk-section lk-trust"><div class="lk-h">How far to trust it</div>'
            f'<ul>{"".join(items)}</ul></div>')


def _fragment(exp: Explanation, labels: list[int], with_style: bool) -> str:
    parts = ['<div class="limekit">']
    if with_style:
        parts.append(f"<style>{_CSS}</style>")
    parts.append(_header(exp))
    parts.append(_prediction_block(exp))
    parts.extend(_label_block(exp, lab) for lab in labels)
    parts.append(_values_block(exp, labels))
    parts.append(_trust_block(exp))
    parts.append(_settings_block(exp))
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


@register("html")
def render_html(
    exp: Explanation,
    labels: int | Sequence[int] | None = None,
    full_page: bool = True,
) -> str:
    """Render an explanation as self-contained, script-free HTML.

    Parameters
    ----------
    exp : Explanation
        The explanation to render.
    labels : int or sequence of int, optional
        Labels to show, in that order. ``None`` shows every explained label.
    full_page : bool, default True
        ``True`` returns a complete document (``<!DOCTYPE html>`` with a
        ``<head>`` holding the styles); ``False`` returns one
        ``<div class="limekit">`` element carrying its own ``<style>``, for
        embedding (this is what Jupyter's ``_repr_html_`` shows).

    Returns
    -------
    str
        The HTML. It contains no ``<script>``, no event handlers and no URLs;
        user strings are escaped with :func:`html.escape` (``quote=True``).
        A full page also declares the :data:`CSP` policy.

    Raises
    ------
    KeyError
        If one of ``labels`` was not explained.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit import TabularExplainer
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> exp = TabularExplainer(X, mode="regression", random_state=0).explain(
    ...     X[0], lambda Z: Z[:, 0], num_samples=200)
    >>> page = render_html(exp)
    >>> page.startswith("<!DOCTYPE html>") and CSP in page and "<script" not in page
    True
    >>> render_html(exp, full_page=False).startswith('<div class="limekit">')
    True
    """
    labs = _resolve_labels(exp, labels)
    if not full_page:
        return _fragment(exp, labs, with_style=True)
    body = _fragment(exp, labs, with_style=False)
    return _page("limekit explanation", _CSS, body)
