"""A lime-style ``Explanation`` around limekit's native :class:`~limekit.Explanation`.

lime's ``Explanation`` is a mutable bag of attributes (``local_exp``,
``intercept``, ``score``, ``local_pred``, ``predict_proba`` ...) plus methods
that render it. This module rebuilds that surface from a native explanation,
which stays available as :attr:`Explanation.native` and does all the
rendering (self-contained HTML, matplotlib), so nothing here computes an
explanation.
"""

from __future__ import annotations

import dataclasses
import inspect
import string
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..explanation import Explanation as NativeExplanation

__all__ = ["DomainMapper", "TableDomainMapper", "Explanation", "id_generator"]

#: lime's label for a regression explanation's weights (``local_exp[1]``).
_REGRESSION_LABEL = 1


def _lime_signature(domain_mapper, mode="classification", class_names=None,
                    random_state=None):  # pragma: no cover - a signature only
    """lime's ``Explanation(domain_mapper, mode, class_names, random_state)``."""


class _PlotSource:
    """What the native bar chart reads, from a compat explanation's ``as_list``
    (so ``as_pyplot_figure``'s keyword arguments reach the domain mapper, as in lime)."""

    def __init__(self, exp: Explanation, mapper_kwargs: dict[str, Any]) -> None:
        self._exp, self._kwargs = exp, mapper_kwargs
        self.mode = exp.mode
        self.fidelity = None if exp.native is None else exp.native.fidelity

    def as_list(self, label):
        return self._exp.as_list(label=label, **self._kwargs)

    def _resolve_label(self, label):
        return label if self._exp.native is None else self._exp._native_label(label)

    def class_name(self, label):
        names = self._exp.class_names
        return str(names[label]) if names is not None else str(label)
#: Keyword arguments lime's tabular HTML view accepts; the native renderer has
#: no equivalent, so they are accepted and ignored.
_IGNORED_HTML_KWARGS = frozenset({"show_table", "show_all"})


class DomainMapper:
    """Maps feature ids to display names (lime's base class; identity mapping)."""

    def map_exp_ids(self, exp: Sequence[tuple[int, float]], **kwargs: Any) -> list:
        """Return ``exp`` unchanged.

        Parameters
        ----------
        exp : sequence of (int, float)
            ``(feature id, weight)`` pairs.
        **kwargs
            Ignored.

        Returns
        -------
        list
            The pairs of ``exp`` as a list, ids not replaced.
        """
        return list(exp)

    def visualize_instance_html(self, exp: Sequence[tuple[int, float]], label: int,
                                div_name: str, exp_object_name: str, **kwargs: Any) -> str:
        """HTML of the explained instance for lime's JavaScript view; empty, as in lime's base.

        Parameters
        ----------
        exp : sequence of (int, float)
            ``(feature id, weight)`` pairs.
        label : int
            The explained label.
        div_name : str
            Id of the HTML element to draw into.
        exp_object_name : str
            Name of the JavaScript explanation object.
        **kwargs
            Ignored.

        Returns
        -------
        str
            ``""``: limekit renders explanations with :meth:`Explanation.as_html`.
        """
        return ""


def id_generator(size: int = 15, random_state: Any = None) -> str:
    """A random id of ``size`` upper-case letters and digits (lime's HTML div ids).

    Parameters
    ----------
    size : int, default 15
        Length of the id.
    random_state : int, numpy.random.RandomState or None
        Source of randomness; ``None`` uses NumPy's global generator.

    Returns
    -------
    str
        ``size`` characters drawn uniformly, with replacement, from ``A-Z`` and
        ``0-9``.
    """
    from sklearn.utils import check_random_state

    chars = np.array(list(string.ascii_uppercase + string.digits))
    return "".join(check_random_state(random_state).choice(chars, size, replace=True))


class TableDomainMapper(DomainMapper):
    """Feature names and values of one explained table row (lime's ``TableDomainMapper``).

    Parameters
    ----------
    feature_names : sequence of str
        Name of every column; categorical ones read ``"name=value"`` as in lime.
    feature_values : sequence of str
        The row's values formatted for display (``"%.2f"``, ``"True"`` for
        categorical columns, as lime does).
    scaled_row : array-like, optional
        The row as the surrogate sees it (lime's ``scaled_data[0]``).
    categorical_features : sequence of int, optional
        Columns that are categorical (all of them in discretized mode).
    discretized_feature_names : sequence of str, optional
        Name of each column's bin for this row (``"age <= 37.00"``); used
        instead of ``feature_names`` by :meth:`map_exp_ids` when given.
    feature_indexes : sequence of int, optional
        For a sparse row, the columns of its stored values (lime's attribute).

    Attributes
    ----------
    exp_feature_names : list of str
        Same as ``feature_names`` (lime keeps both).
    """

    def __init__(self, feature_names: Sequence[str], feature_values: Sequence[str],
                 scaled_row: Any = None,
                 categorical_features: Sequence[int] | None = None,
                 discretized_feature_names: Sequence[str] | None = None,
                 feature_indexes: Sequence[int] | None = None) -> None:
        self.scaled_row = scaled_row
        self.feature_indexes = feature_indexes
        self.feature_names = list(feature_names)
        self.exp_feature_names = self.feature_names
        self.feature_values = list(feature_values)
        self.categorical_features = list(categorical_features or [])
        self.discretized_feature_names = (None if discretized_feature_names is None
                                          else list(discretized_feature_names))
        self.all_categorical = (len(self.categorical_features) == len(self.feature_names)
                                and not hasattr(scaled_row, "nnz"))  # lime: never when sparse

    def map_exp_ids(self, exp: Sequence[tuple[int, float]], **kwargs: Any
                    ) -> list[tuple[str, float]]:
        """Replace feature ids by their names.

        Parameters
        ----------
        exp : sequence of (int, float)
            ``(feature id, weight)`` pairs.
        **kwargs
            Ignored (accepted for lime compatibility).

        Returns
        -------
        list of (str, float)
            The discretized name of each feature when the explainer binned
            continuous features, else its plain (or ``name=value``) name.
        """
        names = (self.discretized_feature_names if self.discretized_feature_names is not None
                 else self.feature_names)
        return [(names[int(i)], w) for i, w in exp]

    def __repr__(self) -> str:
        return f"TableDomainMapper(n_features={len(self.feature_names)})"


class Explanation:
    """One explained prediction, with lime 0.2.0.1's attributes and methods.

    Built by :meth:`limekit.compat.lime_tabular.LimeTabularExplainer.explain_instance`
    as ``Explanation(native, domain_mapper, top_labels=...)``. lime's own
    constructor also works: ``Explanation(domain_mapper, mode='classification',
    class_names=None, random_state=None)`` makes an empty explanation to fill
    in by hand (``local_exp``, ``intercept`` ...; ``native`` is then ``None``,
    and ``as_list``, ``as_map``, ``available_labels`` and ``as_pyplot_figure``
    read the filled-in dicts; an invalid mode raises ``LimeError``).

    Parameters
    ----------
    *args
        Either ``(native, domain_mapper=None)``: the native
        :class:`limekit.Explanation` (its ``feature_descriptions`` are what
        :meth:`as_list` shows when no ``domain_mapper`` is given) and an optional
        :class:`DomainMapper` mapping feature ids to names; or lime's
        ``(domain_mapper, mode='classification', class_names=None,
        random_state=None)`` for an empty explanation to fill in by hand.
    top_labels : sequence of int, optional
        The labels chosen by ``top_labels=k``, most probable first.
    min_value, max_value : float, optional
        Regression: smallest and largest model output over the neighbourhood.
    **kwargs
        The same arguments by name: ``native``, ``domain_mapper``, ``mode``,
        ``class_names`` and ``random_state`` (the explainer's seed).

    Attributes
    ----------
    native : limekit.Explanation
        The underlying native explanation (JSON, pandas, terminal rendering ...).
    mode : {"classification", "regression"}
    domain_mapper : DomainMapper
    local_exp : dict of int to list of (int, float)
        ``{label: [(feature id, weight), ...]}``, strongest first. For
        regression, as in lime, ``local_exp[1]`` holds the weights and
        ``local_exp[0]`` their negation.
    intercept : dict of int to float
        Surrogate intercept per label.
    score : float
        Weighted R² of the surrogate of the *last* explained label (lime keeps
        only that one); see :attr:`score_per_label`.
    local_pred : ndarray of shape (1,)
        Surrogate prediction at the instance for the last explained label;
        see :attr:`local_pred_per_label`.
    score_per_label, local_pred_per_label : dict of int to float
        Every label's score and local prediction (keyed like ``intercept``).
    class_names : list
        Classification: the class names (``'0', '1', ...`` by default).
        Regression: ``['negative', 'positive']`` as in lime.
    predict_proba : ndarray
        Classification only: the model's probabilities at the instance.
    top_labels : list of int or None
        Classification only: labels chosen by ``top_labels``, most probable first.
    predicted_value, min_value, max_value : float
        Regression only: the model's output at the instance, and the range of
        its outputs over the neighbourhood.
    dummy_label : int
        Regression only: ``1``, the key of the weights in ``local_exp``.
    random_state : int or None
    """

    def __init__(self, *args: Any, top_labels: Sequence[int] | None = None,
                 min_value: float | None = None, max_value: float | None = None,
                 **kwargs: Any) -> None:
        if args and isinstance(args[0], NativeExplanation) or "native" in kwargs:
            self._from_native(*args, top_labels=top_labels, min_value=min_value,
                              max_value=max_value, **kwargs)
        else:
            self._empty(*inspect.signature(_lime_signature).bind(*args, **kwargs).args)

    def _empty(self, domain_mapper, mode="classification", class_names=None,
               random_state=None) -> None:
        """lime's constructor: an explanation with no label yet, filled in by hand."""
        from .exceptions import LimeError

        self.native = None
        self.random_state = random_state
        self.mode = mode
        self.domain_mapper = domain_mapper
        self.local_exp: dict = {}
        self.intercept: dict = {}
        self.score: Any = None
        self.local_pred: Any = None
        self.score_per_label: dict = {}
        self.local_pred_per_label: dict = {}
        if mode == "classification":
            self.class_names = class_names
            self.top_labels = None
            self.predict_proba = None
        elif mode == "regression":
            self.class_names = ["negative", "positive"]
            self.predicted_value = None
            self.min_value = 0.0
            self.max_value = 1.0
            self.dummy_label = _REGRESSION_LABEL
        else:
            raise LimeError(f'Invalid explanation mode "{mode}". Should be either '
                            '"classification" or "regression".')

    def _from_native(self, native: NativeExplanation, domain_mapper: DomainMapper | None = None,
                     *, top_labels: Sequence[int] | None = None, min_value: float | None = None,
                     max_value: float | None = None, random_state: int | None = None) -> None:
        self.native = native
        self.mode = native.mode
        self.random_state = random_state
        self.domain_mapper = (domain_mapper if domain_mapper is not None
                              else _mapper_from_native(native))
        les = native.label_explanations
        if native.mode == "classification":
            self.class_names = list(native.class_names or ())
            self.top_labels = None if top_labels is None else [int(k) for k in top_labels]
            self.predict_proba = np.asarray(native.predict_proba, dtype=float)
            # lime explains top labels from the least to the most probable, so the
            # most probable one is "last" (and its score/local_pred are kept).
            order = list(native.labels)
            if self.top_labels is not None:
                order = [k for k in reversed(self.top_labels) if k in les]
            self.local_exp = {k: list(les[k].weights) for k in order}
            self.intercept = {k: les[k].intercept for k in order}
            self.score_per_label = {k: les[k].score for k in order}
            self.local_pred_per_label = {k: les[k].local_pred for k in order}
            last = order[-1]
        else:
            (le,) = les.values()
            self.class_names = ["negative", "positive"]
            self.predicted_value = float(native.predicted_value)  # type: ignore[arg-type]
            self.min_value = 0.0 if min_value is None else float(min_value)
            self.max_value = 1.0 if max_value is None else float(max_value)
            self.dummy_label = _REGRESSION_LABEL
            weights = list(le.weights)
            self.local_exp = {0: [(i, -w) for i, w in weights], 1: weights}
            self.intercept = {0: le.intercept, 1: le.intercept}
            self.score_per_label = {0: le.score, 1: le.score}
            self.local_pred_per_label = {0: le.local_pred, 1: le.local_pred}
            last = _REGRESSION_LABEL
        self.score = float(self.score_per_label[last])
        self.local_pred = np.array([self.local_pred_per_label[last]], dtype=float)

    # ------------------------------------------------------------------ access
    def available_labels(self) -> list[int]:
        """List the labels that were explained (the ``top_labels`` when those were asked for).

        Returns
        -------
        list of int
            The explained classes: the ``top_labels``, most probable first,
            when those were asked for, else the keys of ``local_exp``.

        Raises
        ------
        NotImplementedError
            For regression explanations, as in lime.
        """
        if self.mode != "classification":
            raise NotImplementedError("available_labels is not supported for regression "
                                      "explanations; use as_list() or as_map().")
        return list(self.top_labels) if self.top_labels else list(self.local_exp)

    def _label_weights(self, label: int) -> list[tuple[int, float]]:
        key = label if self.mode == "classification" else _REGRESSION_LABEL
        try:
            return self.local_exp[key]
        except KeyError:
            raise KeyError(
                f"label {label!r} was not explained; explained labels are "
                f"{list(self.local_exp)}. Pass labels=[...] or top_labels=k to "
                "explain_instance() to explain other labels."
            ) from None

    def as_list(self, label: int = 1, **kwargs: Any) -> list[tuple[str, float]]:
        """``[(feature description, weight)]`` for ``label``, strongest first.

        Parameters
        ----------
        label : int, default 1
            Class to show; ignored for regression.
        **kwargs
            Passed to ``domain_mapper.map_exp_ids``.

        Returns
        -------
        list of (str, float)
            ``(feature description, weight)`` pairs, the description given by
            the ``domain_mapper``, strongest weight first.

        Raises
        ------
        KeyError
            If ``label`` was not explained.
        """
        mapped = self.domain_mapper.map_exp_ids(self._label_weights(label), **kwargs)
        return [(name, float(w)) for name, w in mapped]

    def as_map(self) -> dict[int, list[tuple[int, float]]]:
        """Return the weights of every explained label by feature id.

        Returns
        -------
        dict of int to list of (int, float)
            ``{label: [(feature id, weight), ...]}``, strongest first: the
            ``local_exp`` dict itself (not a copy).
        """
        return self.local_exp

    def _native_label(self, label: int) -> int:
        if self.mode == "classification":
            self._label_weights(label)  # a clear KeyError for unexplained labels
            return int(label)
        return self.native.labels[0]

    # --------------------------------------------------------------- render
    def as_pyplot_figure(self, label: int = 1, **kwargs: Any):
        """A matplotlib horizontal bar chart of ``label``'s weights.

        Parameters
        ----------
        label : int, default 1
            Class to plot; ignored for regression.
        **kwargs
            As in lime, the ``domain_mapper``'s ``map_exp_ids`` options (text:
            ``positions=True``) shape the bar names; the others go to
            :func:`limekit.render.plot.plot_explanation` (``num_features``,
            ``figsize`` or ``Axes.barh`` options, a limekit addition).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the chart (green bars for positive weights,
            red for negative, as in lime).

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        KeyError
            If ``label`` was not explained.
        """
        from ..render.plot import plot_explanation

        self._label_weights(label)  # a clear KeyError for unexplained labels
        # As in lime, the domain mapper's own options (text: positions=) shape the
        # names; the rest go to the native chart (num_features, figsize, barh options).
        accepted = inspect.signature(self.domain_mapper.map_exp_ids).parameters
        mapper_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in accepted and k != "exp"}
        return plot_explanation(_PlotSource(self, mapper_kwargs), label=label, **kwargs)

    def _html(self, labels: Iterable[int] | None, predict_proba: bool,
              show_predicted_value: bool, kwargs: dict[str, Any], full_page: bool,
              caller: str) -> str:
        """Render with the native HTML renderer, translating lime's options."""
        from ..render.html import render_html

        unknown = sorted(set(kwargs) - _IGNORED_HTML_KWARGS)
        if unknown:
            raise TypeError(f"{caller}() got unexpected keyword argument(s) {unknown}")
        native_labels = None
        if self.mode == "classification":
            labs = self.available_labels() if labels is None else list(labels)
            native_labels = [self._native_label(k) for k in labs]
        source = self.native
        # The native page shows the prediction block whenever the data has one.
        if self.mode == "classification" and not predict_proba:
            source = dataclasses.replace(source, predict_proba=None)
        if self.mode == "regression" and not show_predicted_value:
            source = dataclasses.replace(source, predicted_value=None)
        return render_html(source, labels=native_labels, full_page=full_page)

    def as_html(self, labels: Iterable[int] | None = None, predict_proba: bool = True,
                show_predicted_value: bool = True, **kwargs: Any) -> str:
        """A complete, self-contained HTML page (inline CSS, no JavaScript).

        Parameters
        ----------
        labels : iterable of int, optional
            Classes to show; default :meth:`available_labels`. Ignored for
            regression.
        predict_proba : bool, default True
            Classification: show the model's class probabilities.
        show_predicted_value : bool, default True
            Regression: show the model's predicted value.
        **kwargs
            Options of lime's HTML views. For tables, ``show_table`` and
            ``show_all`` are accepted and ignored (the page always lists the
            values of the shown features); a text explanation takes ``text``
            and ``opacity`` instead (see
            :class:`~limekit.compat.lime_text.TextExplanation`).

        Returns
        -------
        str
            HTML with every user-supplied string escaped and no ``<script>``.

        Raises
        ------
        KeyError
            If one of ``labels`` was not explained.
        TypeError
            For any other keyword argument.
        """
        return self._html(labels, predict_proba, show_predicted_value, kwargs, full_page=True,
                          caller="as_html")

    def save_to_file(self, file_path: str, labels: Iterable[int] | None = None,
                     predict_proba: bool = True, show_predicted_value: bool = True,
                     **kwargs: Any) -> None:
        """Write :meth:`as_html` to ``file_path`` (UTF-8).

        Parameters
        ----------
        file_path : str or path-like
            The file to write; an existing file is overwritten.
        labels : iterable of int, optional
            Classes to show; default :meth:`available_labels`. Ignored for
            regression.
        predict_proba : bool, default True
            Classification: show the model's class probabilities.
        show_predicted_value : bool, default True
            Regression: show the model's predicted value.
        **kwargs
            View options, as for :meth:`as_html`.
        """
        page = self.as_html(labels=labels, predict_proba=predict_proba,
                            show_predicted_value=show_predicted_value, **kwargs)
        with open(file_path, "w", encoding="utf-8") as fh:
            fh.write(page)

    def show_in_notebook(self, labels: Iterable[int] | None = None, predict_proba: bool = True,
                         show_predicted_value: bool = True, **kwargs: Any) -> None:
        """Display the explanation in a Jupyter notebook.

        Parameters
        ----------
        labels : iterable of int, optional
            Classes to show; default :meth:`available_labels`. Ignored for
            regression.
        predict_proba : bool, default True
            Classification: show the model's class probabilities.
        show_predicted_value : bool, default True
            Regression: show the model's predicted value.
        **kwargs
            View options, as for :meth:`as_html`.

        Raises
        ------
        ImportError
            If IPython is not installed.
        """
        try:
            from IPython.display import HTML, display
        except ImportError as exc:
            raise ImportError(
                "show_in_notebook needs IPython (pip install ipython); outside a notebook use "
                "as_html() or save_to_file()."
            ) from exc
        display(HTML(self._html(labels, predict_proba, show_predicted_value, kwargs,
                                full_page=False, caller="show_in_notebook")))

    def _repr_html_(self) -> str:
        return self.native._repr_html_()

    def __str__(self) -> str:
        return str(self.native)

    def __repr__(self) -> str:
        labels = list(self.local_exp) if self.mode == "classification" else [_REGRESSION_LABEL]
        return (f"<limekit.compat Explanation mode={self.mode!r} labels={labels} "
                f"features={len(self.native.feature_names)}>")


def _mapper_from_native(native: NativeExplanation) -> TableDomainMapper:
    discretized = native.settings.get("discretizer") is not None
    return TableDomainMapper(
        feature_names=native.feature_names if discretized else native.feature_descriptions,
        feature_values=native.feature_values,
        discretized_feature_names=native.feature_descriptions if discretized else None,
    )
