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
* ``discretizer`` may be a lime-style discretizer object (from
  :mod:`limekit.compat.discretize`, lime's own, or a subclass); its bins and
  per-bin statistics are used, and its ``random_state`` is combined with the
  explainer's into limekit's one seed. ``training_data_stats`` is supported
  as in lime.
* Sparse ``training_data`` and rows (scipy.sparse) are explained in
  continuous mode, as lime does, by the native explainer (which reads the
  training matrix's column moments without densifying it). The neighbourhood
  is the dense equivalent's: every column is sampled, not only the row's
  non-zero ones as in lime, so the weights equal those of ``X.toarray()``.
* With ``random_state=None`` the seed is drawn from NumPy's global generator
  (``np.random.seed`` makes a script reproducible, as in lime).
* Inputs are validated up front: a model returning NaN, ``class_names`` of the
  wrong length, or a categorical value never seen in training raise a
  ``ValueError`` that names the problem.
* ``model_regressor`` is fitted in place, and ``explain_instance`` fills in
  ``explainer.class_names``, as in lime.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from ..explainers.tabular import TabularExplainer
from ..explanation import Explanation as NativeExplanation
from ..representations.tabular import BINNED, BinStatistics, _bin_name
from ._shared import (
    _METRIC_ALIASES,
    _default_kernel,
    _index_list,
    _InPlaceEstimator,
    _KeywordKernel,
    _seed_from,
)
from .discretize import BaseDiscretizer, StatsDiscretizer
from .explanation import Explanation, TableDomainMapper
from .lime_base import LimeBase

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


class DiscretizerInfo(BaseDiscretizer):
    """The bins limekit fitted for ``discretizer='quartile'|'decile'|'entropy'``.

    lime exposes its ``BaseDiscretizer`` as ``explainer.discretizer``; this is
    one (``names``, ``lambdas``, ``means``, ``stds``, ``mins``, ``maxs``,
    ``discretize``, ``undiscretize``), read from the native representation
    rather than fitted a second time.

    Attributes
    ----------
    names : dict of int to list of str
        For every discretized column, the description of each of its bins.
    to_discretize : list of int
        The discretized columns.
    """

    def __init__(self, names: dict[int, list[str]], bins: dict[int, BinStatistics],
                 random_state: Any = None) -> None:
        self.to_discretize = sorted(bins)
        self.data_stats = None
        self.names = names
        self.random_state = check_random_state(random_state)
        self._edges = {j: np.asarray(st.edges, dtype=float) for j, st in bins.items()}
        self.lambdas = {j: functools.partial(np.searchsorted, e) for j, e in self._edges.items()}
        self.means = {j: st.mean.tolist() for j, st in bins.items()}
        self.stds = {j: (st.std + 1e-11).tolist() for j, st in bins.items()}  # as lime
        self.mins = {j: st.lo.tolist() for j, st in bins.items()}
        self.maxs = {j: st.hi.tolist() for j, st in bins.items()}

    @classmethod
    def from_representation(cls, rep: Any, random_state: Any = None) -> DiscretizerInfo:
        """The binned columns of a fitted :class:`~limekit.representations.tabular.TabularRepresentation`."""
        bins, names = {}, {}
        for j, col in enumerate(rep.columns):
            if col.kind != BINNED:
                continue
            bins[j] = BinStatistics(edges=col.edges, freqs=col.freqs, mean=col.bin_mean,
                                    std=col.bin_std, lo=col.bin_lo, hi=col.bin_hi)
            names[j] = [_bin_name(rep.feature_names[j], col.edges, b)
                        for b in range(col.edges.size + 1)]
        return cls(names, bins, random_state)

    def bins(self, data=None, labels=None):
        """The interior edges of every discretized column, in ``to_discretize`` order."""
        return [self._edges[j] for j in self.to_discretize]

    def __repr__(self) -> str:
        return f"DiscretizerInfo(n_discretized={len(self._edges)})"


#: Keys lime requires in ``training_data_stats``.
_STATS_KEYS = ("means", "mins", "maxs", "stds", "feature_values", "feature_frequencies")


def _is_sparse(data: Any) -> bool:
    return hasattr(data, "toarray") and hasattr(data, "nnz")


def _is_discretizer(obj: Any) -> bool:
    """A lime-style discretizer: this module's, lime's own, or a user's subclass of either."""
    return all(hasattr(obj, a) for a in ("lambdas", "names", "means", "stds", "mins", "maxs",
                                         "discretize"))


def _names_dict(categorical_names: Any) -> dict:
    """lime's ``categorical_names`` with integer keys (NumPy integer keys accepted)."""
    if categorical_names is None:
        return {}
    items = (categorical_names.items() if hasattr(categorical_names, "items")
             else enumerate(categorical_names))
    return {int(k) if isinstance(k, (int, np.integer)) else k: v for k, v in items}


def _combined_seed(seed: int, other: Any) -> int:
    """One seed from the explainer's and a discretizer's random state (not consumed)."""
    if other is None:
        return seed
    other_seed = _seed_from(copy.deepcopy(other))
    return int(np.random.SeedSequence([seed, other_seed]).generate_state(1)[0] >> 1)


def _as_numeric(training_data: Any) -> np.ndarray:
    """lime's training data as an array: float where possible, as lime computes in floats."""
    arr = np.asarray(training_data)
    try:
        return arr.astype(float)
    except (TypeError, ValueError):
        return arr  # string categories: the native representation handles them



class LimeTabularExplainer:
    """Tabular explainer with lime's API, computed by :class:`limekit.TabularExplainer`.

    Parameters
    ----------
    training_data : ndarray or scipy.sparse matrix of shape (n_rows, n_features)
        Data the neighbourhood's per-feature distributions come from (sparse
        data is explained continuous, as in lime).
    mode : {"classification", "regression"}, default "classification"
        Whether the model returns class probabilities or values.
    training_labels : array-like, optional
        Training targets; needed by ``discretizer="entropy"``.
    feature_names : sequence of str, optional
        Column names; default ``'0', '1', ...``.
    categorical_features : sequence or array of int, optional
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
        How the ``num_features`` features of each explanation are chosen, as
        in lime; default ``"auto"``.
    discretize_continuous : bool, default True
        Bin the non-categorical columns (``False`` keeps them continuous, with
        weights per training standard deviation).
    discretizer : {"quartile", "decile", "entropy"} or discretizer, default "quartile"
        Only used when ``discretize_continuous`` is True: a name, or a
        :class:`~limekit.compat.discretize.BaseDiscretizer` (lime's own work too).
    sample_around_instance : bool, default False
        Continuous mode: centre the Gaussian samples on the instance.
    random_state : int or numpy.random.RandomState, optional
        Seed. A ``RandomState`` is turned into an integer seed once, here;
        ``None`` draws one from NumPy's global generator.
    training_data_stats : dict, optional
        Precomputed statistics, lime's ``"means"``, ``"mins"``, ``"maxs"``, ``"stds"``, ``"bins"``,
        ``"feature_values"`` and ``"feature_frequencies"`` to use instead of
        statistics of ``training_data`` (discretized mode).

    Attributes
    ----------
    native : limekit.TabularExplainer
        The native explainer that does the work.
    feature_names : list
    categorical_features : list of int
        As in lime: every column in discretized mode, else the categorical ones.
    categorical_names : dict
    class_names : list or None
        Filled in by :meth:`explain_instance` when not given, as in lime.
    mode : str
    discretizer : BaseDiscretizer or None
        The bins (``.names``, ``.discretize``, ``.means`` ...) in discretized mode.
    feature_values, feature_frequencies : dict of int to list / ndarray
        Values (bin indices in discretized mode) of each categorical column
        and their training frequencies, as in lime.
    scaler : sklearn.preprocessing.StandardScaler
        lime's scaler (mean 0 and scale 1 for categorical columns).
    base : limekit.compat.lime_base.LimeBase
    kernel_fn : callable
        ``kernel_fn(d)``: the kernel with the width bound, as in lime.
    kernel_width : float
    feature_selection : str
    random_state : int
        The integer seed in use.

    Raises
    ------
    ValueError
        For an unknown ``discretizer``, or a training table that is not 2-D.

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
        self.random_state = _seed_from(random_state)
        self.mode = mode
        self.categorical_names = _names_dict(categorical_names)
        self.sample_around_instance = sample_around_instance
        self.training_data_stats = training_data_stats
        if training_data_stats:
            self.validate_training_data_stats(training_data_stats)

        sparse = _is_sparse(training_data)
        data = training_data if sparse else _as_numeric(training_data)
        if data.ndim != 2:
            raise ValueError(
                f"training_data must be a 2-D array (rows × features), got shape {data.shape}"
            )
        n_cols = data.shape[1]
        categorical = _index_list(categorical_features)
        self.feature_names = (list(feature_names) if feature_names is not None
                              else [str(i) for i in range(n_cols)])
        self.categorical_features = list(categorical)
        self.verbose = bool(verbose)
        self.feature_selection = feature_selection
        self.class_names = None if class_names is None else list(class_names)

        # what bins the continuous columns: a name for limekit, or a discretizer object
        native_discretizer: str | None = None
        binner = None
        if discretize_continuous and not sparse:  # lime explains sparse data continuous
            if training_data_stats:
                binner = StatsDiscretizer(data, categorical, self.feature_names,
                                          labels=training_labels,
                                          data_stats=training_data_stats,
                                          random_state=self.random_state)
            elif isinstance(discretizer, str) and discretizer in ("quartile", "decile",
                                                                  "entropy"):
                native_discretizer = discretizer
            elif _is_discretizer(discretizer):
                binner = discretizer
            else:
                raise ValueError("Discretizer must be 'quartile', 'decile', 'entropy' or a "
                                 f"BaseDiscretizer instance, got {discretizer!r}")

        if kernel_width is None:
            kernel_width = 0.75 * np.sqrt(n_cols)
        self.kernel_width = float(kernel_width)
        user_kernel = kernel if kernel is not None else _default_kernel
        self.kernel_fn = functools.partial(user_kernel, kernel_width=self.kernel_width)

        seed = self.random_state
        if binner is not None and binner is discretizer:
            # lime draws the undiscretized values from the discretizer's random state
            # and the rest from the explainer's: limekit has one seed, made from both
            # (a StatsDiscretizer shares the explainer's random state: nothing to combine)
            seed = _combined_seed(seed, getattr(binner, "random_state", None))
        binned = sorted(int(j) for j in binner.lambdas) if binner is not None else []
        native_categorical = ([j for j in range(n_cols) if j not in binned]
                              if binner is not None else categorical)
        self.native = TabularExplainer(
            data, mode=mode, feature_names=[str(f) for f in self.feature_names],
            categorical_features=native_categorical,
            class_names=None if class_names is None else [str(c) for c in class_names],
            discretizer=native_discretizer, kernel_width=self.kernel_width,
            feature_selection=feature_selection, random_state=seed,
            # only the entropy bins read the labels (lime ignores them otherwise)
            training_labels=training_labels if native_discretizer == "entropy" else None,
            sample_around_instance=sample_around_instance,
            kernel=None if kernel is None else _KeywordKernel(kernel),
        )
        if binner is not None:
            self._use_discretizer(binner, data, binned, native_categorical)
        rep = self.native.representation
        self._categorical_idx = list(self.native.categorical_features)
        if binner is not None:
            self.discretizer = binner
        elif native_discretizer is not None:
            self.discretizer = DiscretizerInfo.from_representation(rep, self.random_state)
        else:
            self.discretizer = None
        if self.discretizer is not None:
            self.categorical_features = list(range(n_cols))
        else:
            self.categorical_features = list(self._categorical_idx)
        self._fill_lime_attributes(rep)

    def _use_discretizer(self, binner, data, binned, categorical) -> None:
        """Bin the native representation with a lime-style discretizer object's bins."""
        stats = self.training_data_stats
        bins, categories = {}, {}
        for j in binned:
            edges = np.asarray(binner.mins[j], dtype=float)[1:]
            if stats:
                freqs = np.zeros(edges.size + 1)
                for v, f in zip(stats["feature_values"][j], stats["feature_frequencies"][j],
                                strict=True):
                    freqs[int(v)] += float(f)
            else:
                codes = np.searchsorted(edges, np.asarray(data[:, j], dtype=float))
                freqs = np.bincount(codes, minlength=edges.size + 1).astype(float)
            bins[j] = BinStatistics(edges=edges, freqs=freqs / freqs.sum(),
                                    mean=np.asarray(binner.means[j], dtype=float),
                                    std=np.asarray(binner.stds[j], dtype=float),
                                    lo=np.asarray(binner.mins[j], dtype=float),
                                    hi=np.asarray(binner.maxs[j], dtype=float))
        if stats:
            for j in categorical:
                categories[j] = (np.asarray(stats["feature_values"][j]),
                                 np.asarray(stats["feature_frequencies"][j], dtype=float))
        self.native.representation = self.native.representation.with_statistics(bins,
                                                                                 categories)
        self.native.discretizer = type(binner).__name__

    def _fill_lime_attributes(self, rep) -> None:
        """lime's ``feature_values``, ``feature_frequencies``, ``scaler`` and ``base``."""
        from sklearn.preprocessing import StandardScaler

        self.feature_values, self.feature_frequencies = {}, {}
        stats = self.training_data_stats
        for j in self.categorical_features:
            if stats:
                values = list(stats["feature_values"][j])
                freqs = np.asarray(stats["feature_frequencies"][j], dtype=float)
            else:
                col = rep.columns[j]
                freqs = np.asarray(col.freqs, dtype=float)
                if col.kind == BINNED:  # lime counts the bins that occur
                    values = np.flatnonzero(freqs > 0).tolist()
                    freqs = freqs[freqs > 0]
                else:
                    values = col.categories.tolist()
            self.feature_values[j] = values
            self.feature_frequencies[j] = freqs / freqs.sum()
        d = rep.n_features
        mean = np.array([c.mean for c in rep.columns], dtype=float)
        std = np.array([c.std for c in rep.columns], dtype=float)
        mean[self.categorical_features] = 0.0
        std[self.categorical_features] = 1.0
        self.scaler = StandardScaler(with_mean=False)
        self.scaler.mean_, self.scaler.var_ = mean, std ** 2
        self.scaler.scale_ = np.where(std > 0, std, 1.0)
        self.scaler.n_features_in_, self.scaler.n_samples_seen_ = d, 0
        self.base = LimeBase(self.kernel_fn, self.verbose, random_state=self.random_state)

    @staticmethod
    def convert_and_round(values):
        """``values`` formatted as lime shows them (``'%.2f'``).

        Parameters
        ----------
        values : iterable of float
            The numbers to format.

        Returns
        -------
        list of str
            Each value with two decimals, e.g. ``'5.10'``.
        """
        return ["%.2f" % v for v in values]  # noqa: UP031 - lime's exact formatting

    @staticmethod
    def validate_training_data_stats(training_data_stats):
        """Check that ``training_data_stats`` has every key lime needs.

        Parameters
        ----------
        training_data_stats : dict
            The statistics passed as ``training_data_stats`` to the constructor.

        Raises
        ------
        Exception
            Naming the missing keys (lime raises a bare ``Exception``).
        """
        missing = sorted(set(_STATS_KEYS) - set(training_data_stats))
        if missing:
            raise Exception(f"Missing keys in training_data_stats. Details: {missing}")

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
            The row to explain, with the training data's columns (a sparse row
            is accepted for sparse training data).
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
            ``Ridge(alpha=1)``; fitted in place, as in lime (with several labels
            it ends fitted on the last one).

        Returns
        -------
        limekit.compat.explanation.Explanation
            The lime-style explanation: ``as_list`` gives ``(feature
            description, weight)`` pairs, ``local_exp`` the weights by column.
        """
        if _is_sparse(data_row):
            row = data_row.tocsr()  # the native explainer reads sparse rows
        else:
            row = np.asarray(data_row)
        n_cols = self.native.representation.n_features
        k = min(int(num_features), n_cols)
        native = self.native
        if model_regressor is not None:
            native = copy.copy(native)  # shares the fitted representation; swaps the surrogate
            native.surrogate = _InPlaceEstimator(model_regressor)
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
        if classification:  # as lime, explaining fills in the explainer's class names
            self.class_names = (list(self.class_names) if self.class_names is not None
                                else [str(c) for c in range(len(native_exp.predict_proba))])
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
        sparse_row = row if _is_sparse(row) else None
        flat = row.toarray().ravel() if sparse_row is not None else row.ravel()
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
            codes = self.discretizer.discretize(np.asarray(flat, dtype=float))
            for j in self.discretizer.names:
                discretized[j] = self.discretizer.names[j][int(codes[j])]
        if sparse_row is not None:  # lime: the stored values and their columns
            scaled_row = sparse_row.multiply(self.scaler.scale_).tocsr()
            shown, indexes = self.convert_and_round(sparse_row.data), sparse_row.indices
        else:
            with np.errstate(invalid="ignore"):
                scaled_row = (np.asarray(flat, dtype=float) - self.scaler.mean_) / self.scaler.scale_
            scaled_row[self.categorical_features] = 1.0  # a sample's "same as the instance"
            shown, indexes = values, None
        mapper = TableDomainMapper(names, shown, scaled_row, self.categorical_features,
                                   discretized_feature_names=discretized,
                                   feature_indexes=indexes)
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
    """Explainer with lime's API for ``(n_samples, n_timesteps, n_features)`` inputs (e.g. RNNs).

    The training data is flattened feature by feature, so column
    ``f * n_timesteps + t`` is feature ``f`` at timestep ``t``, named
    ``"{name}_t-{n_timesteps - 1 - t}"`` (``_t-0`` is the last timestep), as in
    lime. Rows passed to :meth:`explain_instance` are ``(n_timesteps,
    n_features)`` arrays and the model is called with 3-D arrays.

    Parameters
    ----------
    training_data : ndarray of shape (n_samples, n_timesteps, n_features)
        Training sequences the neighbourhood's per-column distributions come
        from (after flattening).
    mode : {"classification", "regression"}, default "classification"
        Whether the model returns class probabilities or values.
    training_labels : array-like, optional
        Training targets; needed by ``discretizer="entropy"``.
    feature_names : sequence of str, optional
        One name per feature (not per timestep); default ``'0', '1', ...``.
    categorical_features : sequence of int, optional
        Categorical columns, as indices of the flattened columns.
    categorical_names : dict of int to sequence of str, optional
        Value names of categorical columns (flattened indices), as for
        :class:`LimeTabularExplainer`.
    kernel_width : float, optional
        Default ``0.75 * sqrt(n_timesteps * n_features)``.
    kernel : callable, optional
        ``kernel(d, kernel_width)`` turning distances into weights; default
        ``sqrt(exp(-d² / kernel_width²))``.
    verbose : bool, default False
        Print each surrogate's intercept and local prediction, as lime does.
    class_names : sequence, optional
        Names of the model's output columns; default ``'0', '1', ...``.
    feature_selection : str, default "auto"
        How the features of each explanation are chosen, as for
        :class:`LimeTabularExplainer`.
    discretize_continuous : bool, default True
        Bin the non-categorical columns.
    discretizer : {"quartile", "decile", "entropy"} or discretizer, default "quartile"
        Only used when ``discretize_continuous`` is True.
    random_state : int or numpy.random.RandomState, optional
        Seed. A ``RandomState`` is turned into an integer seed once, here.

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
            The sequence to explain.
        classifier_fn : callable
            Takes ``(n, n_timesteps, n_features)`` arrays; returns probabilities
            (or values in regression mode).
        labels : iterable of int, default (1,)
            Classes to explain (classification).
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int, default 10
            Flattened columns (feature at a timestep) per explanation.
        num_samples : int, default 5000
            Neighbourhood size.
        distance_metric : str, default "euclidean"
            Distance in the interpretable space (scipy/scikit-learn names).
        model_regressor : regressor, optional
            A scikit-learn style linear regressor used as the surrogate instead
            of ``Ridge(alpha=1)``, as for :meth:`LimeTabularExplainer.explain_instance`.

        Returns
        -------
        limekit.compat.explanation.Explanation
            The lime-style explanation; its features are named
            ``"{name}_t-{k}"`` (``k`` timesteps before the last).

        Raises
        ------
        ValueError
            If ``data_row`` does not have shape ``(n_timesteps, n_features)``.
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
