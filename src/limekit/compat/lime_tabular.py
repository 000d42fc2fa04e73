"""lime's ``lime.lime_tabular`` API on limekit's native tabular pipeline.

Change ``from lime.lime_tabular import ...`` to
``from limekit.compat.lime_tabular import ...`` and a lime script keeps
working: :class:`LimeTabularExplainer` and :class:`RecurrentTabularExplainer`
have lime 0.2.0.1's constructor and ``explain_instance`` signatures and
defaults, and return a lime-style :class:`~limekit.compat.explanation.Explanation`.
Every call is translated to :class:`limekit.TabularExplainer`, which does all
the work (sampling, kernel, feature selection, surrogate).

Differences from lime
---------------------
* Reproducible: an explanation depends only on ``random_state`` and the row,
  so explaining a row twice gives the same result (lime draws both from one
  shared random stream). A ``numpy.random.RandomState`` is turned into an
  integer seed once, at construction.
* Explainers and explanations pickle.
* ``discretizer`` given as a lime ``BaseDiscretizer`` instance, sparse
  ``training_data`` and ``training_data_stats`` raise ``NotImplementedError``.
* Inputs are validated up front: a model returning NaN, ``class_names`` of the
  wrong length, or a categorical value never seen in training raise a
  ``ValueError`` that names the problem.
* ``model_regressor`` is cloned for every fit (lime refits the object you
  pass), and ``explainer.class_names`` is not overwritten by ``explain_instance``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..explainers.tabular import TabularExplainer
from ..explanation import Explanation as NativeExplanation
from ..representations.tabular import BINNED, _bin_name
from ..surrogates import EstimatorSurrogate
from ._shared import _METRIC_ALIASES, _default_kernel, _KeywordKernel, _seed_from
from .explanation import Explanation, TableDomainMapper

__all__ = ["LimeTabularExplainer", "RecurrentTabularExplainer", "TableDomainMapper"]



class _RegressionOutputs:
    """Wraps a regression ``predict_fn``: keeps lime's output handling and records the range.

    lime accepts an ``(n, k)`` output and explains its first column; it also
    reports the smallest and largest prediction over the neighbourhood
    (``min_value`` / ``max_value``), which this wrapper records as the native
    pipeline calls it.
    """

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.min_value = np.inf
        self.max_value = -np.inf

    def __call__(self, X: Any) -> Any:
        out = self.fn(X)
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            return out  # the native pipeline reports what is wrong
        if arr.ndim == 2 and arr.shape[1] >= 1:
            arr = arr[:, 0]
        if arr.ndim == 1 and arr.size and np.all(np.isfinite(arr)):
            self.min_value = min(self.min_value, float(arr.min()))
            self.max_value = max(self.max_value, float(arr.max()))
        return arr


class DiscretizerInfo:
    """The bins of the discretized features, read-only (stands in for lime's discretizer).

    lime exposes its ``BaseDiscretizer`` as ``explainer.discretizer``; code
    that reads ``discretizer.names`` or calls ``discretizer.discretize`` keeps
    working with this object. The binning itself is done by limekit's
    representation.

    Attributes
    ----------
    names : dict of int to list of str
        For every discretized column, the description of each of its bins.
    bins : dict of int to ndarray
        Interior bin edges of every discretized column.
    to_discretize : list of int
        The discretized columns.
    """

    def __init__(self, names: dict[int, list[str]], bins: dict[int, np.ndarray]) -> None:
        self.names = names
        self.bins = bins
        self.to_discretize = sorted(bins)

    @property
    def lambdas(self) -> dict[int, Callable[[Any], Any]]:
        """``{column: f}`` where ``f(values)`` gives bin indices (lime's attribute)."""
        return {j: functools.partial(np.searchsorted, edges) for j, edges in self.bins.items()}

    def discretize(self, data: Any) -> np.ndarray:
        """Replace the discretized columns of ``data`` (1-D row or 2-D) by their bin index.

        Parameters
        ----------
        data : array-like of shape (n_features,) or (n_rows, n_features)

        Returns
        -------
        ndarray
            A float copy of ``data`` with bin indices in the discretized columns.
        """
        out = np.array(data, dtype=float, copy=True)
        for j, edges in self.bins.items():
            out[..., j] = np.searchsorted(edges, out[..., j])
        return out

    def __repr__(self) -> str:
        return f"DiscretizerInfo(n_discretized={len(self.bins)})"


def _as_numeric(training_data: Any) -> np.ndarray:
    """lime's training data as an array: float where possible, as lime computes in floats."""
    if hasattr(training_data, "toarray") and hasattr(training_data, "nnz"):
        raise NotImplementedError(
            "sparse training_data is not supported by limekit.compat; pass a dense array "
            "(training_data.toarray()), with discretize_continuous=False to sample as lime "
            "does for sparse data."
        )
    arr = np.asarray(training_data)
    try:
        return arr.astype(float)
    except (TypeError, ValueError):
        return arr  # string categories: the native representation handles them


class LimeTabularExplainer:
    """lime's tabular explainer, computed by :class:`limekit.TabularExplainer`.

    Parameters
    ----------
    training_data : ndarray of shape (n_rows, n_features)
        Data the neighbourhood's per-feature distributions come from.
    mode : {"classification", "regression"}, default "classification"
    training_labels : array-like, optional
        Training targets; needed by ``discretizer="entropy"``.
    feature_names : sequence of str, optional
        Column names; default ``'0', '1', ...``.
    categorical_features : sequence of int, optional
        Categorical columns (integer codes, as in lime).
    categorical_names : dict of int to sequence of str, optional
        ``categorical_names[j][v]`` names value ``v`` of column ``j``; used in
        descriptions such as ``"sex=female"``.
    kernel_width : float, optional
        Default ``0.75 * sqrt(n_features)``.
    kernel : callable, optional
        ``kernel(d, kernel_width)`` turning distances into weights; default
        ``sqrt(exp(-d² / kernel_width²))``.
    verbose : bool, default False
        Print each surrogate's intercept and local prediction, and the model's
        value at the instance, as lime does.
    class_names : sequence, optional
        Names of the model's output columns; default ``'0', '1', ...``.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
    discretize_continuous : bool, default True
        Bin the non-categorical columns (``False`` keeps them continuous, with
        weights per training standard deviation).
    discretizer : {"quartile", "decile", "entropy"}, default "quartile"
        Only used when ``discretize_continuous`` is True. A lime
        ``BaseDiscretizer`` instance is not supported.
    sample_around_instance : bool, default False
        Continuous mode: centre the Gaussian samples on the instance.
    random_state : int or numpy.random.RandomState, optional
        Seed. A ``RandomState`` is turned into an integer seed once, here.
    training_data_stats : dict, optional
        Not supported (raises ``NotImplementedError``).

    Attributes
    ----------
    native : limekit.TabularExplainer
        The native explainer that does the work.
    feature_names : list
    categorical_features : list of int
        As in lime: every column in discretized mode, else the categorical ones.
    categorical_names : dict
    class_names : list or None
    mode : str
    discretizer : DiscretizerInfo or None
        The bins (``.names``, ``.discretize``) in discretized mode.
    kernel_fn : callable
        ``kernel_fn(d)``: the kernel with the width bound, as in lime.
    kernel_width : float
    feature_selection : str
    random_state : int or None
        The integer seed in use.

    Raises
    ------
    NotImplementedError
        For a lime discretizer instance, ``training_data_stats`` or sparse data.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from limekit.compat.lime_tabular import LimeTabularExplainer
    >>> iris = load_iris()
    >>> rf = RandomForestClassifier(n_estimators=20, random_state=0).fit(iris.data, iris.target)
    >>> explainer = LimeTabularExplainer(iris.data, feature_names=iris.feature_names,
    ...                                  class_names=iris.target_names, random_state=0)
    >>> exp = explainer.explain_instance(iris.data[0], rf.predict_proba, labels=(0,),
    ...                                  num_features=2, num_samples=500)
    >>> len(exp.as_list(label=0))
    2
    """

    def __init__(self,
                 training_data,
                 mode="classification",
                 training_labels=None,
                 feature_names=None,
                 categorical_features=None,
                 categorical_names=None,
                 kernel_width=None,
                 kernel=None,
                 verbose=False,
                 class_names=None,
                 feature_selection='auto',
                 discretize_continuous=True,
                 discretizer='quartile',
                 sample_around_instance=False,
                 random_state=None,
                 training_data_stats=None) -> None:
        if training_data_stats:
            raise NotImplementedError(
                "training_data_stats is not supported by limekit.compat: the native explainer "
                "needs the training rows. Pass training_data (a representative sample is "
                "enough) and leave training_data_stats=None."
            )
        native_discretizer: str | None = None
        if discretize_continuous:
            if not isinstance(discretizer, str):
                raise NotImplementedError(
                    f"discretizer={type(discretizer).__name__} instance is not supported by "
                    "limekit.compat; use discretizer='quartile', 'decile' or 'entropy' (or "
                    "discretize_continuous=False)."
                )
            if discretizer not in ("quartile", "decile", "entropy"):
                raise ValueError(
                    f"discretizer must be 'quartile', 'decile' or 'entropy', got {discretizer!r}"
                )
            native_discretizer = discretizer

        data = _as_numeric(training_data)
        if data.ndim != 2:
            raise ValueError(
                f"training_data must be a 2-D array (rows × features), got shape {data.shape}"
            )
        n_cols = data.shape[1]
        self.mode = mode
        self.verbose = bool(verbose)
        self.random_state = _seed_from(random_state)
        self.feature_names = (list(feature_names) if feature_names is not None
                              else [str(i) for i in range(n_cols)])
        self.categorical_names = dict(categorical_names or {})
        self.sample_around_instance = sample_around_instance
        self.training_data_stats = None
        self.feature_selection = feature_selection
        self.class_names = None if class_names is None else list(class_names)

        if kernel_width is None:
            kernel_width = 0.75 * np.sqrt(n_cols)
        self.kernel_width = float(kernel_width)
        user_kernel = kernel if kernel is not None else _default_kernel
        self.kernel_fn = functools.partial(user_kernel, kernel_width=self.kernel_width)

        self.native = TabularExplainer(
            data, mode=mode, feature_names=[str(f) for f in self.feature_names],
            categorical_features=list(categorical_features or []),
            class_names=None if class_names is None else [str(c) for c in class_names],
            discretizer=native_discretizer, kernel_width=self.kernel_width,
            feature_selection=feature_selection, random_state=self.random_state,
            training_labels=training_labels, sample_around_instance=sample_around_instance,
            kernel=None if kernel is None else _KeywordKernel(kernel),
        )
        rep = self.native.representation
        self._categorical_idx = list(self.native.categorical_features)
        bins = {j: np.asarray(col.edges, dtype=float)
                for j, col in enumerate(rep.columns) if col.kind == BINNED}
        if native_discretizer is None:
            self.discretizer = None
            self.categorical_features = list(self._categorical_idx)
        else:
            names = {j: [_bin_name(rep.feature_names[j], edges, b)
                         for b in range(edges.size + 1)] for j, edges in bins.items()}
            self.discretizer = DiscretizerInfo(names, bins)
            self.categorical_features = list(range(n_cols))

    # ---------------------------------------------------------------- explain
    def explain_instance(self,
                         data_row,
                         predict_fn,
                         labels=(1,),
                         top_labels=None,
                         num_features=10,
                         num_samples=5000,
                         distance_metric='euclidean',
                         model_regressor=None) -> Explanation:
        """Explain the model's prediction for one row (lime's ``explain_instance``).

        Parameters
        ----------
        data_row : 1-D array of shape (n_features,)
        predict_fn : callable
            ``predict_fn(X)`` returns class probabilities ``(n, n_classes)``
            (classification) or predictions ``(n,)`` (regression).
        labels : iterable of int, default (1,)
            Classes to explain (classification).
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int, default 10
            Features per explanation (at most the number of columns).
        num_samples : int, default 5000
            Neighbourhood size.
        distance_metric : str, default "euclidean"
            Distance in the interpretable space (scipy/scikit-learn names).
        model_regressor : regressor, optional
            A scikit-learn style linear regressor (``fit(X, y, sample_weight)``,
            ``coef_``, ``intercept_``) used as the surrogate instead of
            ``Ridge(alpha=1)``; it is cloned, not fitted in place.

        Returns
        -------
        limekit.compat.explanation.Explanation
        """
        if hasattr(data_row, "toarray") and hasattr(data_row, "nnz"):
            raise NotImplementedError("sparse rows are not supported by limekit.compat; pass "
                                      "data_row.toarray().ravel()")
        row = np.asarray(data_row)
        n_cols = self.native.representation.n_features
        k = min(int(num_features), n_cols)
        native = self.native
        if model_regressor is not None:
            native = copy.copy(native)  # shares the fitted representation; swaps the surrogate
            native.surrogate = EstimatorSurrogate(model_regressor)
        metric = _METRIC_ALIASES.get(distance_metric, distance_metric)

        classification = self.mode == "classification"
        fn = predict_fn if classification else _RegressionOutputs(predict_fn)
        if classification:
            use_top = int(top_labels) if top_labels else None
            label_arg = None if use_top else list(np.atleast_1d(np.asarray(labels)).tolist())
            native_exp = native.explain(row, fn, labels=label_arg, top_labels=use_top,
                                        num_features=k, num_samples=num_samples,
                                        distance_metric=metric)
        else:
            use_top = None
            native_exp = native.explain(row, fn, num_features=k, num_samples=num_samples,
                                        distance_metric=metric)

        native_exp, mapper = self._lime_names(native_exp, row)
        exp = Explanation(
            native_exp, mapper,
            top_labels=native_exp.labels if use_top else None,
            min_value=None if classification else fn.min_value,
            max_value=None if classification else fn.max_value,
            random_state=self.random_state,
        )
        if classification and self.class_names is not None:
            exp.class_names = list(self.class_names)
        if self.verbose:
            self._print_fits(exp)
        return exp

    # ---------------------------------------------------------------- helpers
    def _category_label(self, j: int, value: Any) -> str:
        """lime's ``name=value`` text of categorical column ``j``."""
        try:
            code: Any = int(value)
        except (TypeError, ValueError):
            code = value
        if j in self.categorical_names:
            names = self.categorical_names[j]
            try:
                code = names[code]
            except (IndexError, KeyError, TypeError):
                raise ValueError(
                    f"categorical_names[{j}] has no entry for value {value!r} of feature "
                    f"{self.feature_names[j]!r} (it has {len(names)} names)"
                ) from None
        return f"{self.feature_names[j]}={code}"

    def _lime_names(self, native_exp: NativeExplanation, row: np.ndarray
                    ) -> tuple[NativeExplanation, TableDomainMapper]:
        """Feature names and values as lime shows them, in the native explanation too."""
        flat = row.ravel()
        names = [str(f) for f in self.feature_names]
        values = []
        for v in flat:
            try:
                values.append("%.2f" % v)  # noqa: UP031 - lime's exact formatting
            except TypeError:
                values.append(str(v))
        native_values = list(values)
        for j in self._categorical_idx:
            text = self._category_label(j, flat[j])
            names[j] = text
            values[j] = "True"
            native_values[j] = text.split("=", 1)[1] if "=" in text else text
        discretized = None
        if self.discretizer is not None:
            discretized = list(names)
            for j in self.discretizer.bins:
                discretized[j] = native_exp.feature_descriptions[j]
        mapper = TableDomainMapper(names, values, self.categorical_features,
                                   discretized_feature_names=discretized)
        native_exp = dataclasses.replace(
            native_exp,
            feature_descriptions=tuple(discretized if discretized is not None else names),
            feature_values=tuple(native_values),
            settings={**native_exp.settings, "api": "limekit.compat.lime_tabular"},
        )
        return native_exp, mapper

    def _print_fits(self, exp: Explanation) -> None:
        """What lime prints per label with ``verbose=True``."""
        if self.mode == "classification":
            for label in exp.local_exp:
                print("Intercept", exp.intercept[label])
                print("Prediction_local", np.array([exp.local_pred_per_label[label]]))
                print("Right:", exp.predict_proba[label])
        else:
            print("Intercept", exp.intercept[0])
            print("Prediction_local", exp.local_pred)
            print("Right:", exp.predicted_value)

    def __repr__(self) -> str:
        return f"LimeTabularExplainer(native={self.native!r})"


class _RecurrentPredict:
    """Reshapes flattened rows back to ``(n, timesteps, features)`` before calling ``func``."""

    def __init__(self, func: Callable[[Any], Any], n_features: int, n_timesteps: int) -> None:
        self.func = func
        self.n_features = n_features
        self.n_timesteps = n_timesteps

    def __call__(self, X: np.ndarray) -> Any:
        X = np.asarray(X)
        cube = X.reshape(X.shape[0], self.n_features, self.n_timesteps)
        return self.func(np.transpose(cube, axes=(0, 2, 1)))


class RecurrentTabularExplainer(LimeTabularExplainer):
    """lime's explainer for ``(n_samples, n_timesteps, n_features)`` inputs (e.g. RNNs).

    The training data is flattened feature by feature, so column
    ``f * n_timesteps + t`` is feature ``f`` at timestep ``t``, named
    ``"{name}_t-{n_timesteps - 1 - t}"`` (``_t-0`` is the last timestep), as in
    lime. Rows passed to :meth:`explain_instance` are ``(n_timesteps,
    n_features)`` arrays and the model is called with 3-D arrays.

    Parameters
    ----------
    training_data : ndarray of shape (n_samples, n_timesteps, n_features)
    feature_names : sequence of str
        One name per feature (not per timestep); default ``'0', '1', ...``.
    **others
        ``mode``, ``training_labels``, ``categorical_features``,
        ``categorical_names``, ``kernel_width``, ``kernel``, ``verbose``,
        ``class_names``, ``feature_selection``, ``discretize_continuous``,
        ``discretizer`` and ``random_state`` are as for
        :class:`LimeTabularExplainer` (column indices refer to the flattened
        columns).

    Attributes
    ----------
    n_timesteps, n_features : int
    """

    def __init__(self, training_data, mode="classification",
                 training_labels=None, feature_names=None,
                 categorical_features=None, categorical_names=None,
                 kernel_width=None, kernel=None, verbose=False, class_names=None,
                 feature_selection='auto', discretize_continuous=True,
                 discretizer='quartile', random_state=None) -> None:
        cube = np.asarray(training_data)
        if cube.ndim != 3:
            raise ValueError(
                "training_data must be 3-D (n_samples, n_timesteps, n_features), got shape "
                f"{cube.shape}"
            )
        n_samples, n_timesteps, n_features = cube.shape
        flat = np.transpose(cube, axes=(0, 2, 1)).reshape(n_samples, n_timesteps * n_features)
        self.n_timesteps = n_timesteps
        self.n_features = n_features
        if feature_names is None:
            feature_names = [str(j) for j in range(n_features)]
        if len(feature_names) != n_features:
            raise ValueError(
                f"feature_names has {len(feature_names)} names but training_data has "
                f"{n_features} features per timestep"
            )
        flat_names = [f"{name}_t-{n_timesteps - (t + 1)}"
                      for name in feature_names for t in range(n_timesteps)]
        super().__init__(
            flat, mode=mode, training_labels=training_labels, feature_names=flat_names,
            categorical_features=categorical_features, categorical_names=categorical_names,
            kernel_width=kernel_width, kernel=kernel, verbose=verbose, class_names=class_names,
            feature_selection=feature_selection, discretize_continuous=discretize_continuous,
            discretizer=discretizer, random_state=random_state)

    def _make_predict_proba(self, func: Callable[[Any], Any]) -> Callable[[np.ndarray], Any]:
        """Wrap ``func`` (which takes 3-D input) to accept flattened 2-D rows."""
        return _RecurrentPredict(func, self.n_features, self.n_timesteps)

    def explain_instance(self, data_row, classifier_fn, labels=(1,),
                         top_labels=None, num_features=10, num_samples=5000,
                         distance_metric='euclidean', model_regressor=None) -> Explanation:
        """Explain the model's prediction for one sequence.

        Parameters
        ----------
        data_row : ndarray of shape (n_timesteps, n_features)
        classifier_fn : callable
            Takes ``(n, n_timesteps, n_features)`` arrays; returns probabilities
            (or values in regression mode).
        labels, top_labels, num_features, num_samples, distance_metric, model_regressor
            As for :meth:`LimeTabularExplainer.explain_instance`.

        Returns
        -------
        limekit.compat.explanation.Explanation
        """
        row = np.asarray(data_row)
        expected = (self.n_timesteps, self.n_features)
        if row.shape != expected:
            raise ValueError(f"data_row must have shape {expected} (timesteps, features), "
                             f"got {row.shape}")
        flat = row.T.reshape(self.n_timesteps * self.n_features)
        return super().explain_instance(
            flat, self._make_predict_proba(classifier_fn), labels=labels,
            top_labels=top_labels, num_features=num_features, num_samples=num_samples,
            distance_metric=distance_metric, model_regressor=model_regressor)
