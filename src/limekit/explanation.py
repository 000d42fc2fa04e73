"""The Explanation: plain data describing one explained prediction.

An :class:`Explanation` holds numbers and strings only (no model, no sampler,
no arrays of samples), so it pickles, serialises to JSON and back exactly, and
can be compared with ``==``. Rendering lives in :mod:`limekit.render`; the
methods here only delegate to it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ._renderers import renderer
from ._schema import (
    MAX_JSON_CHARS,
    Reader,
    SchemaError,
    as_float,
    as_int,
    as_list,
    check_depth,
    check_plain,
)

__all__ = ["Explanation", "LabelExplanation"]

SCHEMA_VERSION = 1

# kind -> Explanation subclass, so from_dict rebuilds text/image/... explanations
_KINDS: dict[str, type] = {}


def register_kind(kind: str):
    """Class decorator: register an :class:`Explanation` subclass for ``kind``.

    A subclass adds its own plain-data fields (text tokens, image segments, ...)
    and overrides ``_domain_to_dict`` / ``_domain_from_dict`` to serialise them.
    """
    def deco(cls):
        _KINDS[kind] = cls
        cls.kind = kind
        return cls
    return deco


@dataclass(frozen=True)
class LabelExplanation:
    """The local surrogate fitted for one label (class, or the regression output).

    Attributes
    ----------
    weights : tuple of (int, float)
        ``(feature index, weight)`` pairs, strongest (largest ``|weight|``) first.
        Only the selected features appear.
    intercept : float
        Intercept of the surrogate.
    score : float
        Weighted R² of the surrogate on the neighbourhood it was fitted on.
    local_pred : float
        Surrogate prediction at the explained instance.
    details : dict or None
        JSON-compatible extras reported by the surrogate or by diagnostics
        (credible intervals, rules, local slopes, ...); ``None`` when there are none.
    """

    weights: tuple[tuple[int, float], ...]
    intercept: float
    score: float
    local_pred: float
    details: dict[str, Any] | None = None


@dataclass(frozen=True, eq=True)
class Explanation:
    """One explained prediction.

    Attributes
    ----------
    mode : {"classification", "regression"}
    feature_names : tuple of str
        Names of the interpretable features, in column order.
    feature_descriptions : tuple of str
        What each interpretable feature means *for this instance*, e.g.
        ``"age <= 37.00"`` or ``"color=red"``; used by :meth:`as_list`.
    feature_values : tuple of str
        The instance's value of each feature, formatted for display.
    class_names : tuple of str or None
        Names of the model's outputs (classification), ``None`` for regression.
    label_explanations : dict of int to LabelExplanation
        One fitted surrogate per explained label, in the order they were asked for.
    predict_proba : tuple of float or None
        The model's probabilities at the instance (classification).
    predicted_value : float or None
        The model's output at the instance (regression).
    num_samples : int
        Neighbourhood size used.
    settings : dict
        The settings that produced this explanation (JSON-compatible values).
    diagnostics : dict or None
        How far to trust it (JSON-compatible): ``effective_sample_size`` (Kish,
        ``(Σw)²/Σw²`` of the kernel weights), ``fidelity`` per label (RMSE and
        R² of the surrogate against the model on *fresh* neighbourhood samples,
        when ``fidelity_samples`` was asked for), ``stability`` (when assessed
        across seeds) and ``warnings`` with what to change.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit import TabularExplainer
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> exp = TabularExplainer(X, random_state=0).explain(X[0], model, num_samples=500)
    >>> exp.labels
    [0]
    >>> len(exp.as_list())
    4
    """

    mode: str
    feature_names: tuple[str, ...]
    feature_descriptions: tuple[str, ...]
    feature_values: tuple[str, ...]
    class_names: tuple[str, ...] | None
    label_explanations: dict[int, LabelExplanation]
    predict_proba: tuple[float, ...] | None = None
    predicted_value: float | None = None
    num_samples: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] | None = None

    kind = "tabular"

    # ------------------------------------------------------------------ access
    @property
    def labels(self) -> list[int]:
        """Explained labels, in the order they were requested (top label first)."""
        return list(self.label_explanations)

    @property
    def intercept(self) -> dict[int, float]:
        """Surrogate intercept per label."""
        return {k: v.intercept for k, v in self.label_explanations.items()}

    @property
    def score(self) -> dict[int, float]:
        """Surrogate weighted R² on its own neighbourhood, per label."""
        return {k: v.score for k, v in self.label_explanations.items()}

    @property
    def local_pred(self) -> dict[int, float]:
        """Surrogate prediction at the instance, per label."""
        return {k: v.local_pred for k, v in self.label_explanations.items()}

    @property
    def local_exp(self) -> dict[int, list[tuple[int, float]]]:
        """``{label: [(feature index, weight), ...]}``, strongest first (lime's ``as_map``)."""
        return {k: list(v.weights) for k, v in self.label_explanations.items()}

    @property
    def prediction(self) -> np.ndarray | float:
        """The model's output at the instance: probabilities, or the regression value."""
        if self.mode == "classification":
            return np.asarray(self.predict_proba, dtype=float)
        return float(self.predicted_value)  # type: ignore[arg-type]

    @property
    def fidelity(self) -> dict[int, dict[str, float]] | None:
        """Held-out fidelity per label, or ``None`` if it was not measured.

        ``{label: {"rmse", "r2", "n"}}``, measured on fresh neighbourhood
        samples (not the ones the surrogate was fitted on, and never the instance
        itself). A surrogate that is not linear in its weights (MARS, a tree) is
        scored as the model it is, and the linearisation its weights display also
        as ``"linear_rmse"`` and ``"linear_r2"``.
        """
        fid = (self.diagnostics or {}).get("fidelity")
        return None if fid is None else {int(k): dict(v) for k, v in fid.items()}

    @property
    def effective_sample_size(self) -> float | None:
        """Kish effective sample size of the neighbourhood's weights."""
        return (self.diagnostics or {}).get("effective_sample_size")

    @property
    def warnings(self) -> list[str]:
        """Quality warnings raised while explaining (empty when none)."""
        return list((self.diagnostics or {}).get("warnings", []))

    def class_name(self, label: int) -> str:
        """Display name of ``label``.

        Parameters
        ----------
        label : int
            A label (output index) of the model.

        Returns
        -------
        str
            Its class name when the explanation has ``class_names``,
            ``"prediction"`` for regression, and the label number otherwise.
        """
        if self.class_names is not None and 0 <= label < len(self.class_names):
            return self.class_names[label]
        return "prediction" if self.mode == "regression" else str(label)

    def _resolve_label(self, label: int | None) -> int:
        if label is None:
            return self.labels[0]
        label = int(label)
        if label not in self.label_explanations:
            raise KeyError(
                f"label {label} was not explained; explained labels are {self.labels}. "
                "Pass labels=[...] or top_labels=k to explain() to explain other labels."
            )
        return label

    def as_list(self, label: int | None = None) -> list[tuple[str, float]]:
        """Return the ``(feature description, weight)`` pairs of one label.

        Parameters
        ----------
        label : int, optional
            The label to return. ``None`` means the first explained label (the
            top label when ``top_labels`` was used, the only one for regression).

        Returns
        -------
        list of (str, float)
            The selected features' descriptions and weights, strongest first.

        Raises
        ------
        KeyError
            If ``label`` was not explained.
        """
        lab = self._resolve_label(label)
        return [(self.feature_descriptions[i], w) for i, w in self.label_explanations[lab].weights]

    def as_map(self) -> dict[int, list[tuple[int, float]]]:
        """Return every label's weights by feature index (lime's ``as_map``).

        Returns
        -------
        dict of int to list of (int, float)
            ``{label: [(feature index, weight), ...]}``, strongest first.
        """
        return self.local_exp

    # ------------------------------------------------------------ serialise
    def to_dict(self) -> dict[str, Any]:
        """Convert to plain data that `json` can write.

        Returns
        -------
        dict
            A JSON-compatible dict; :meth:`from_dict` restores an equal
            explanation from it.
        """
        d = {f: getattr(self, f) for f in _BASE_FIELDS}
        d = asdict(_BaseView(**d))
        d["schema_version"] = SCHEMA_VERSION
        d["kind"] = self.kind
        d["domain"] = self._domain_to_dict()
        d["label_explanations"] = [
            {"label": int(k), **asdict(v), "weights": [[int(i), float(w)] for i, w in v.weights]}
            for k, v in self.label_explanations.items()
        ]
        for key in ("feature_names", "feature_descriptions", "feature_values", "class_names",
                    "predict_proba"):
            if d[key] is not None:
                d[key] = list(d[key])
        return d

    def _domain_to_dict(self) -> dict[str, Any]:
        """JSON-compatible data of a subclass's own fields (none for tabular)."""
        return {}

    @classmethod
    def _domain_from_dict(cls, d: Reader, n_features: int) -> dict[str, Any]:
        """Constructor keyword arguments for a subclass's own fields, validated."""
        return {}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Explanation:
        """Rebuild an explanation from :meth:`to_dict` output (or parsed JSON).

        Parameters
        ----------
        d : dict
            The dict written by :meth:`to_dict`.

        Returns
        -------
        Explanation
            An instance of the subclass registered for the dict's ``kind``
            (``TextExplanation`` for a text explanation, ...).

        Raises
        ------
        ValueError
            If anything in ``d`` is not a valid explanation: the message names the
            field (unknown kind, unsupported schema version, a missing key, a value
            of the wrong type, a non-finite number, a feature index out of range,
            lists of different lengths, an oversized array ...).
        """
        check_depth(d)
        r = Reader(d, "explanation")
        kind = r.string("kind", "tabular")
        target = _KINDS.get(kind)
        if target is None:
            raise SchemaError(
                f"unknown explanation kind {kind!r}; import the limekit module that defines "
                f"it (known kinds: {sorted(_KINDS)})"
            )
        version = r.raw("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise SchemaError(
                f"explanation schema version {version!r} is not supported by this limekit "
                f"(expects {SCHEMA_VERSION}); re-create the explanation with this version."
            )
        mode = r.string("mode", required=True, choices=("classification", "regression"))
        names = r.strings("feature_names", required=True)
        d_features = len(names)
        descriptions = r.strings("feature_descriptions", required=True, length=d_features)
        values = r.strings("feature_values", required=True, length=d_features)
        class_names = r.strings("class_names")
        predict_proba = r.numbers("predict_proba",
                                  length=None if class_names is None else len(class_names))
        if predict_proba is not None and not all(0.0 <= p <= 1.0 for p in predict_proba):
            raise SchemaError("explanation.predict_proba must hold probabilities in [0, 1]")
        predicted_value = r.number("predicted_value")
        if mode == "classification" and (class_names is None or predict_proba is None):
            raise SchemaError("a classification explanation needs class_names and predict_proba")
        if mode == "regression" and predicted_value is None:
            raise SchemaError("a regression explanation needs predicted_value")
        n_labels = len(class_names) if mode == "classification" else 1
        labels: dict[int, LabelExplanation] = {}
        entries = as_list(r.raw("label_explanations", required=True),
                          "explanation.label_explanations")
        if not entries:
            raise SchemaError("explanation.label_explanations is empty")
        for k, entry in enumerate(entries):
            le = Reader(entry, f"explanation.label_explanations[{k}]")
            label = le.integer("label", required=True, high=n_labels - 1)
            if label in labels:
                raise SchemaError(f"label {label} is explained twice")
            pairs = as_list(le.raw("weights", required=True), f"{le.path}.weights")
            weights, seen = [], set()
            for i, pair in enumerate(pairs):
                where = f"{le.path}.weights[{i}]"
                index, weight = as_list(pair, where, length=2)
                index = as_int(index, f"{where}[0]", 0, d_features - 1)
                if index in seen:
                    raise SchemaError(f"{where}: feature {index} appears twice")
                seen.add(index)
                weights.append((index, as_float(weight, f"{where}[1]")))
            details = le.raw("details")
            if details is not None and not isinstance(details, Mapping):
                raise SchemaError(f"{le.path}.details must be an object or null")
            check_plain(details, f"{le.path}.details")
            labels[label] = LabelExplanation(
                weights=tuple(weights),
                intercept=le.number("intercept", required=True),
                score=le.number("score", required=True),
                local_pred=le.number("local_pred", required=True),
                details=None if details is None else dict(details),
            )
        settings = r.raw("settings", {})
        if not isinstance(settings, Mapping):
            raise SchemaError("explanation.settings must be an object")
        check_plain(settings, "explanation.settings")
        return target(
            **target._domain_from_dict(r.obj("domain") or Reader({}, "explanation.domain"),
                                       d_features),
            mode=mode,
            feature_names=names,
            feature_descriptions=descriptions,
            feature_values=values,
            class_names=class_names,
            label_explanations=labels,
            predict_proba=predict_proba,
            predicted_value=predicted_value,
            num_samples=r.integer("num_samples", 0),
            settings=dict(settings),
            diagnostics=_read_diagnostics(r.obj("diagnostics")),
        )

    def to_json(self, **json_kwargs: Any) -> str:
        """Serialise to JSON text.

        Parameters
        ----------
        **json_kwargs
            Passed on to :func:`json.dumps` (e.g. ``indent=2``).

        Returns
        -------
        str
            The JSON of :meth:`to_dict`. Floats are written with full precision,
            so :meth:`from_json` restores an equal explanation.
        """
        return json.dumps(self.to_dict(), allow_nan=False, **json_kwargs)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        """Rebuild an explanation from :meth:`to_json` output.

        Parameters
        ----------
        text : str
            The JSON text.

        Returns
        -------
        Explanation
            An instance of the subclass registered for the JSON's ``kind``.
        """
        if not isinstance(text, (str, bytes, bytearray)):
            raise SchemaError(f"from_json needs JSON text, got {type(text).__name__}")
        if len(text) > MAX_JSON_CHARS:
            raise SchemaError(f"the JSON text has {len(text)} characters, more than the "
                              f"{MAX_JSON_CHARS} an explanation may have")
        try:
            data = json.loads(text)
        except RecursionError:
            raise SchemaError("the JSON text nests too deeply to be an explanation") from None
        except ValueError as exc:  # JSONDecodeError, invalid UTF-8
            raise SchemaError(f"not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def to_frame(self):
        """Tabulate the weights as a tidy data frame.

        Returns
        -------
        pandas.DataFrame
            One row per (label, selected feature), with columns ``label``,
            ``class_name``, ``rank``, ``feature``, ``description``, ``value``
            and ``weight``.
        """
        import pandas as pd

        rows = []
        for lab, le in self.label_explanations.items():
            for rank, (i, w) in enumerate(le.weights, start=1):
                rows.append({
                    "label": lab,
                    "class_name": self.class_name(lab),
                    "rank": rank,
                    "feature": self.feature_names[i],
                    "description": self.feature_descriptions[i],
                    "value": self.feature_values[i],
                    "weight": w,
                })
        columns = ["label", "class_name", "rank", "feature", "description", "value", "weight"]
        return pd.DataFrame(rows, columns=columns)

    # --------------------------------------------------------------- render
    def to_text(self, label: int | None = None, width: int | None = None) -> str:
        """Render as a readable terminal table (what ``str(exp)`` shows).

        Parameters
        ----------
        label : int or sequence of int, optional
            Label(s) to show; ``None`` shows every explained label.
        width : int, optional
            Maximum line width; defaults to the terminal's width, or 100 columns.

        Returns
        -------
        str
            The report (see :func:`limekit.render.render_text`).
        """
        return renderer("terminal")(self, label=label, width=width)

    def to_html(self, labels: list[int] | None = None, full_page: bool = True) -> str:
        """Render as self-contained HTML (inline CSS/SVG, no script, no network).

        Parameters
        ----------
        labels : int or sequence of int, optional
            Labels to show, in that order; ``None`` shows every explained label.
        full_page : bool, default True
            ``True`` returns a complete document, ``False`` one ``<div>`` to embed.

        Returns
        -------
        str
            The HTML, with every user string escaped (see
            :func:`limekit.render.render_html`).
        """
        return renderer("html")(self, labels=labels, full_page=full_page)

    def save_html(self, path: str) -> None:
        """Write :meth:`to_html` to a file, encoded as UTF-8.

        Parameters
        ----------
        path : str
            The file to write; an existing file is overwritten.
        """
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_html())

    def plot(self, label: int | None = None, ax=None, **kwargs: Any):
        """Draw the weights of one label as a matplotlib horizontal bar chart.

        Parameters
        ----------
        label : int, optional
            Label to plot; ``None`` plots the first explained label.
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; a new figure is created when omitted.
        **kwargs
            Passed on to :func:`limekit.render.plot_explanation`
            (``num_features``, ``figsize``, or options of ``Axes.barh``).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the chart.
        """
        return renderer("plot")(self, label=label, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return self.to_html(full_page=False)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        labs = ", ".join(self.class_name(k) for k in self.labels)
        return (f"<Explanation mode={self.mode!r} labels=[{labs}] "
                f"features={len(self.feature_names)} num_samples={self.num_samples}>")


_KINDS["tabular"] = Explanation
_BASE_FIELDS = tuple(f.name for f in Explanation.__dataclass_fields__.values())


@dataclass(frozen=True)
class _BaseView(Explanation):
    """The base fields alone, so ``asdict`` never copies a subclass's large arrays."""


def _finite(x: float) -> float:
    """Python float, rejecting NaN/inf (an explanation never carries them)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x!r} in an explanation")
    return x


def _read_diagnostics(r: Reader | None) -> dict | None:
    """The diagnostics object, with its known figures checked (others kept as they are)."""
    if r is None:
        return None
    check_plain(r.data, r.path)
    out = dict(r.data)
    if r.has("effective_sample_size"):
        ess = r.number("effective_sample_size")
        if ess < 0:
            raise SchemaError("explanation.diagnostics.effective_sample_size must be >= 0")
        out["effective_sample_size"] = ess
    if "warnings" in r.data:
        out["warnings"] = list(r.strings("warnings") or ())
    fidelity = r.obj("fidelity")
    if fidelity is not None:
        checked = {}
        for label, figures in fidelity.data.items():
            where = f"explanation.diagnostics.fidelity[{label!r}]"
            try:
                int(label)
            except ValueError:
                raise SchemaError(f"{where}: the key must be a label number") from None
            f = Reader(figures, where)
            out_f = {"rmse": f.number("rmse", required=True),
                     "r2": f.number("r2", required=True),
                     "n": f.integer("n", required=True)}
            for key in f.data:
                if key not in out_f:
                    out_f[key] = f.number(key)
            checked[str(label)] = out_f
        out["fidelity"] = checked
    return out

