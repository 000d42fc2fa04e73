"""lime's ``lime.discretize``: discretizer classes, on limekit's bins.

:class:`QuartileDiscretizer`, :class:`DecileDiscretizer` and
:class:`EntropyDiscretizer` take lime 0.2.0.1's constructor arguments and
expose its attributes (``names``, ``lambdas``, ``means``, ``stds``, ``mins``,
``maxs``, ``to_discretize``) and methods (``bins``, ``discretize``,
``undiscretize``, ``get_undiscretize_values``). The bin edges come from
limekit's own binning (:func:`limekit.representations.discretize.bin_edges`)
and the per-bin statistics from
:func:`limekit.representations.tabular.bin_statistics`; subclass
:class:`BaseDiscretizer` and override :meth:`~BaseDiscretizer.bins` for a
custom binning, as in lime. Any of them can be passed as
``LimeTabularExplainer(discretizer=...)``.

Differences from lime: :meth:`~BaseDiscretizer.undiscretize` draws each value
from the bin's truncated normal through limekit's tabulated quantile
function (the one the explainers sample with) rather than
``scipy.stats.truncnorm``, so the values differ from lime's for one seed,
though they follow the same distribution; a zero-width bin yields its mean
(lime returns a z-score there, a known defect).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from ..representations.discretize import bin_edges
from ..representations.tabular import (
    QUANTILES,
    BinStatistics,
    _bin_name,
    bin_statistics,
    truncated_normal_quantiles,
)
from ._shared import _index_list, _seed_from

__all__ = ["BaseDiscretizer", "StatsDiscretizer", "QuartileDiscretizer", "DecileDiscretizer",
           "EntropyDiscretizer"]

#: lime adds this to every bin's standard deviation.
_STD_EPSILON = 1e-11


class BaseDiscretizer:
    """Bins continuous columns (lime's abstract ``BaseDiscretizer``).

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features)
        Training data.
    categorical_features : sequence of int
        Columns not to discretize (array-likes accepted).
    feature_names : sequence of str
        Name of every column.
    labels : array-like, optional
        Training targets (used by :class:`EntropyDiscretizer`).
    random_state : int, numpy.random.RandomState or None
        Source of the draws of :meth:`undiscretize`.
    data_stats : dict, optional
        ``"means"``, ``"stds"``, ``"mins"``, ``"maxs"`` (dicts of column to
        per-bin lists) to use instead of statistics computed from ``data``.

    Attributes
    ----------
    to_discretize : list of int
    names : dict of int to list of str
        Description of every bin of every discretized column.
    lambdas : dict of int to callable
        ``lambdas[j](values)`` gives bin indices.
    means, stds, mins, maxs : dict of int to list of float
        Per-bin statistics (lime adds 1e-11 to every std).
    random_state : numpy.random.RandomState
    """

    def __init__(self, data, categorical_features, feature_names, labels=None,
                 random_state=None, data_stats=None) -> None:
        data = np.asarray(data)
        categorical = set(_index_list(categorical_features))
        self.to_discretize = [j for j in range(data.shape[1]) if j not in categorical]
        self.data_stats = data_stats
        self.names: dict[int, list[str]] = {}
        self.lambdas: dict[int, Any] = {}
        self.means: dict[int, list[float]] = {}
        self.stds: dict[int, list[float]] = {}
        self.mins: dict[int, list[float]] = {}
        self.maxs: dict[int, list[float]] = {}
        self.random_state = check_random_state(random_state)
        names = [str(f) for f in feature_names]

        edges_per_feature = [np.unique(np.asarray(b, dtype=float))
                             for b in self.bins(data, labels)]
        if data_stats:
            self.means = data_stats.get("means")
            self.stds = data_stats.get("stds")
            self.mins = data_stats.get("mins")
            self.maxs = data_stats.get("maxs")
        # as lime, a StatsDiscretizer without bins for some columns leaves them out
        for j, edges in zip(self.to_discretize, edges_per_feature, strict=False):
            self.names[j] = [_bin_name(names[j], edges, b) for b in range(edges.size + 1)]
            self.lambdas[j] = functools.partial(np.searchsorted, edges)
            if data_stats:
                continue
            st = bin_statistics(data[:, j].astype(float), edges)
            self.means[j] = st.mean.tolist()
            self.stds[j] = (st.std + _STD_EPSILON).tolist()
            self.mins[j] = st.lo.tolist()
            self.maxs[j] = st.hi.tolist()

    def bins(self, data, labels):
        """Compute the interior bin edges of every column in ``to_discretize`` (to override).

        Parameters
        ----------
        data : ndarray of shape (n_rows, n_features)
            Training data the edges are computed from (all columns; only those in
            ``to_discretize`` are binned).
        labels : array-like of shape (n_rows,) or None
            Training targets, for a supervised binning; ``None`` when none were given.

        Returns
        -------
        list of ndarray
            One array of edges per discretized column, in ``to_discretize`` order.
        """
        raise NotImplementedError("Must override bins() method")

    def discretize(self, data):
        """Replace the discretized columns of ``data`` by their bin index.

        Parameters
        ----------
        data : ndarray of shape (n_features,) or (n_rows, n_features)
            One row or a matrix of rows in the original feature space.

        Returns
        -------
        ndarray
            A copy of ``data`` (same dtype) with bin indices in the discretized columns.
        """
        out = np.array(data, copy=True)
        for j, fn in self.lambdas.items():
            out[..., j] = np.asarray(fn(out[..., j])).astype(int)
        return out

    def _tables(self, feature) -> np.ndarray:
        """Tabulated quantile function of every bin of ``feature`` (limekit's sampler's)."""
        mean, std = np.asarray(self.means[feature], float), np.asarray(self.stds[feature], float)
        lo, hi = np.asarray(self.mins[feature], float), np.asarray(self.maxs[feature], float)
        return truncated_normal_quantiles(mean, std, lo, hi, QUANTILES)

    def get_undiscretize_values(self, feature, values):
        """Draw a value from the truncated normal of each given bin of ``feature``.

        Parameters
        ----------
        feature : int
            Index of a discretized column (a key of ``means``).
        values : array-like of int
            Bin indices.

        Returns
        -------
        ndarray of float
            One value per bin index, with the shape of ``values``.
        """
        bins = np.asarray(values).astype(np.intp)
        q = self._tables(feature)[bins.ravel()]
        pos = self.random_state.uniform(size=bins.size) * QUANTILES
        k = np.minimum(pos.astype(np.intp), QUANTILES - 1)
        rows = np.arange(bins.size)
        left, right = q[rows, k], q[rows, k + 1]
        return (left + (pos - k) * (right - left)).reshape(bins.shape)

    def undiscretize(self, data):
        """Replace bin indices by values drawn inside each bin.

        Parameters
        ----------
        data : ndarray of shape (n_features,) or (n_rows, n_features)
            Discretized data.

        Returns
        -------
        ndarray of float
            A float copy of ``data`` in which each discretized column holds a value
            drawn within its bin (other columns unchanged).
        """
        out = np.array(data, dtype=float, copy=True)
        for j in self.means:
            out[..., j] = self.get_undiscretize_values(j, out[..., j])
        return out

    # --------------------------------------------------- for LimeTabularExplainer
    def _bin_statistics(self, feature, frequencies=None) -> BinStatistics:
        """The native representation's view of ``feature``'s bins."""
        lo = np.asarray(self.mins[feature], dtype=float)
        edges = lo[1:]
        nb = edges.size + 1
        freqs = (np.full(nb, 1.0 / nb) if frequencies is None
                 else np.asarray(frequencies, dtype=float))
        return BinStatistics(edges=edges, freqs=freqs,
                             mean=np.asarray(self.means[feature], dtype=float),
                             std=np.asarray(self.stds[feature], dtype=float),
                             lo=lo, hi=np.asarray(self.maxs[feature], dtype=float))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(to_discretize={self.to_discretize})"


class StatsDiscretizer(BaseDiscretizer):
    """Bins read from ``data_stats["bins"]`` (lime's, for ``training_data_stats``).

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features)
        Training data (its values are not used for the bins or statistics, which
        come from ``data_stats``).
    categorical_features : sequence of int
        Columns not to discretize (array-likes accepted).
    feature_names : sequence of str
        Name of every column.
    labels : array-like, optional
        Training targets (unused).
    random_state : int, numpy.random.RandomState or None
        Source of the draws of :meth:`~BaseDiscretizer.undiscretize`.
    data_stats : dict
        ``"bins"`` (column to interior edges), ``"means"``, ``"stds"``,
        ``"mins"``, ``"maxs"``.
    """

    def __init__(self, data, categorical_features, feature_names, labels=None,
                 random_state=None, data_stats=None) -> None:
        BaseDiscretizer.__init__(self, data, categorical_features, feature_names,
                                 labels=labels, random_state=random_state,
                                 data_stats=data_stats)

    def bins(self, data, labels):
        """Read the edges of ``data_stats["bins"]`` for each discretized column that has them.

        Parameters
        ----------
        data : ndarray of shape (n_rows, n_features)
            Training data (unused: the edges are given).
        labels : array-like or None
            Training targets (unused).

        Returns
        -------
        list of ndarray
            The given edges of every column in ``to_discretize`` that has an entry in
            ``data_stats["bins"]``, in that order; empty without ``"bins"``.
        """
        given = (self.data_stats or {}).get("bins")
        if not isinstance(given, Mapping):
            return []
        return [np.array(given[j]) for j in self.to_discretize if given.get(j) is not None]


class _MethodDiscretizer(BaseDiscretizer):
    """Edges from limekit's :func:`~limekit.representations.discretize.bin_edges`."""

    method = ""

    def __init__(self, data, categorical_features, feature_names, labels=None,
                 random_state=None) -> None:
        BaseDiscretizer.__init__(self, data, categorical_features, feature_names,
                                 labels=labels, random_state=random_state)

    def bins(self, data, labels):
        """Compute limekit's bin edges of every column in ``to_discretize``.

        Parameters
        ----------
        data : ndarray of shape (n_rows, n_features)
            Training data; each discretized column is binned from its values.
        labels : array-like of shape (n_rows,) or None
            Training targets (required by :class:`EntropyDiscretizer`, ignored by
            the quantile binnings).

        Returns
        -------
        list of ndarray
            One array of interior edges per discretized column, in ``to_discretize``
            order.
        """
        return [bin_edges(np.asarray(data[:, j], dtype=float), self.method, labels=labels,
                          seed=self._tree_seed()) for j in self.to_discretize]

    def _tree_seed(self):
        return None


class QuartileDiscretizer(_MethodDiscretizer):
    """Quartile bins of every continuous column (lime's default discretizer).

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features)
        Training data the quartiles and per-bin statistics are computed from.
    categorical_features : sequence of int
        Columns not to discretize (array-likes accepted).
    feature_names : sequence of str
        Name of every column.
    labels : array-like of shape (n_rows,), optional
        Training targets (unused by this binning).
    random_state : int, numpy.random.RandomState or None
        Source of the draws of :meth:`~BaseDiscretizer.undiscretize`.
    """

    method = "quartile"


class DecileDiscretizer(_MethodDiscretizer):
    """Decile bins of every continuous column.

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features)
        Training data the deciles and per-bin statistics are computed from.
    categorical_features : sequence of int
        Columns not to discretize (array-likes accepted).
    feature_names : sequence of str
        Name of every column.
    labels : array-like of shape (n_rows,), optional
        Training targets (unused by this binning).
    random_state : int, numpy.random.RandomState or None
        Source of the draws of :meth:`~BaseDiscretizer.undiscretize`.
    """

    method = "decile"


class EntropyDiscretizer(_MethodDiscretizer):
    """Bins from a depth-3 entropy decision tree on the labels (at most 8 per column).

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features)
        Training data the bins and per-bin statistics are computed from.
    categorical_features : sequence of int
        Columns not to discretize (array-likes accepted).
    feature_names : sequence of str
        Name of every column.
    labels : array-like of shape (n_rows,), optional
        Training targets the tree is fitted to (required).
    random_state : int, numpy.random.RandomState or None
        Seeds the decision tree and the draws of
        :meth:`~BaseDiscretizer.undiscretize`.

    Raises
    ------
    ValueError
        If ``labels`` is None.
    """

    method = "entropy"

    def __init__(self, data, categorical_features, feature_names, labels=None,
                 random_state=None) -> None:
        if labels is None:
            raise ValueError("Labels must be not None when using EntropyDiscretizer")
        _MethodDiscretizer.__init__(self, data, categorical_features, feature_names,
                                    labels=labels, random_state=random_state)

    def _tree_seed(self):
        return _seed_from(self.random_state)
