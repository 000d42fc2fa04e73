"""Tabular interpretable representation: column kinds, bins, encode and decode.

Every column is one of three kinds:

* ``categorical``: a finite set of values with training frequencies; its
  interpretable value is 1 when a sample has the instance's value.
* ``binned``: a continuous column cut into bins (lime's discretized mode); its
  interpretable value is 1 when a sample falls in the instance's bin, and model
  inputs are drawn from a normal truncated to the bin.
* ``continuous``: a continuous column kept as a z-score, so surrogate weights
  are per training standard deviation.

Samples travel as *codes* (an ``n × d`` float matrix): a category or bin index
for discrete columns, the raw value for continuous ones. The sampler draws
codes; this module turns codes into the interpretable matrix ``Z`` and back
into model inputs with the training data's columns and dtypes.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from .. import _compiled, _pool
from .._fast.discrete import DiscreteTable
from .._fast.packed import PackedBinary
from .._random import stream_seed
from .._validation import check_finite_column, format_names
from .discretize import bin_edges

__all__ = ["TabularRepresentation", "TabularMarginals", "InstanceRow", "BinStatistics",
           "bin_statistics"]

CATEGORICAL, BINNED, CONTINUOUS = "categorical", "binned", "continuous"


@dataclass(frozen=True)
class TabularMarginals:
    """What a tabular sampler needs to know: the per-column sampling distributions.

    ``discrete`` columns draw an index from ``probabilities[j]``; ``gaussian``
    columns draw ``center + scale · N(0, 1)`` (center chosen by the sampler).
    """

    n_features: int
    discrete: np.ndarray                 # column indices
    probabilities: tuple[np.ndarray, ...]  # one probability vector per discrete column
    gaussian: np.ndarray                 # column indices
    mean: np.ndarray                     # training mean of each gaussian column
    scale: np.ndarray                    # training std of each gaussian column (0 if constant)
    table: DiscreteTable                 # precomputed inverse CDFs of the discrete columns
    ordered: np.ndarray | None = None    # per discrete column: True for bins (ordered)


class InstanceRow:
    """One validated instance: its values in the training columns' order.

    A plain object rather than a pandas Series: an explanation reads the values
    several times (codes, seed, descriptions, model input), and a Series costs
    more to build and read than a 5000-sample neighbourhood of a cheap model
    costs to score. ``name`` labels the row in error messages (its id in a batch).
    """

    __slots__ = ("values", "name")

    def __init__(self, values: np.ndarray, name=None) -> None:
        self.values = values  # 1-D object array
        self.name = name

    def to_numpy(self, dtype=object) -> np.ndarray:
        """The values (as a Series would give them); do not modify."""
        return self.values if dtype is object else self.values.astype(dtype)

    def __repr__(self) -> str:
        return f"InstanceRow({self.values.tolist()!r}, name={self.name!r})"


@dataclass
class _Column:
    name: str
    kind: str
    dtype: object = None              # pandas dtype of the original column
    is_integer: bool = False
    categories: np.ndarray | None = None   # categorical: values, sorted
    freqs: np.ndarray | None = None        # categorical / binned: probability per code
    edges: np.ndarray | None = None        # binned: interior edges
    bin_mean: np.ndarray | None = None
    bin_std: np.ndarray | None = None
    bin_lo: np.ndarray | None = None
    bin_hi: np.ndarray | None = None
    mean: float = 0.0
    std: float = 1.0


@dataclass(frozen=True)
class BinStatistics:
    """The bins of one continuous column and the statistics lime samples them with.

    Attributes
    ----------
    edges : ndarray
        Sorted interior bin edges (bin ``b`` is ``searchsorted(edges, v) == b``).
    freqs : ndarray
        Probability of each bin (``edges.size + 1`` entries).
    mean, std : ndarray
        Mean and standard deviation of the training values in each bin.
    lo, hi : ndarray
        Bounds of each bin (the column's minimum and maximum at the ends).
    """

    edges: np.ndarray
    freqs: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def bin_statistics(x: np.ndarray, edges: np.ndarray) -> BinStatistics:
    """Per-bin frequency, mean, std and bounds of the values ``x`` cut at ``edges``.

    Parameters
    ----------
    x : ndarray of float
        The column's training values.
    edges : ndarray of float
        Sorted unique interior edges.

    Returns
    -------
    BinStatistics
    """
    x = np.asarray(x, dtype=float)
    edges = np.asarray(edges, dtype=float)
    # Moments of x / 2^e (exact scaling): squares of values beyond ~1e154 would overflow
    scale = _power_of_two_scale(x)
    xs = x / scale
    codes = np.searchsorted(edges, x)
    nb = edges.size + 1
    counts = np.bincount(codes, minlength=nb).astype(float)
    sums = np.bincount(codes, weights=xs, minlength=nb)
    sq = np.bincount(codes, weights=xs * xs, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
        var = np.where(counts > 0, sq / np.maximum(counts, 1) - mean * mean, 0.0)
    return BinStatistics(edges=edges, freqs=counts / counts.sum(), mean=mean * scale,
                         std=np.sqrt(np.maximum(var, 0.0)) * scale,
                         lo=np.concatenate([[x.min()], edges]),
                         hi=np.concatenate([edges, [x.max()]]))


def _is_sparse(data) -> bool:
    """Whether ``data`` is a scipy.sparse matrix or array."""
    return hasattr(data, "toarray") and hasattr(data, "nnz") and hasattr(data, "tocsc")


def _is_categorical_dtype(dtype) -> bool:
    return (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_string_dtype(dtype))


class TabularRepresentation:
    """Fit the column kinds and statistics of a training table.

    Parameters
    ----------
    training_data : ndarray or DataFrame, shape (n_rows, n_features)
    feature_names : sequence of str, optional
        Defaults to the DataFrame's columns, else ``x0, x1, ...``.
    categorical_features : sequence of int or str, optional
        Columns to treat as categorical (indices or names). With a DataFrame,
        object, category, string and bool columns are categorical anyway.
    discretizer : {"quartile", "decile", "entropy"} or None
        How to bin continuous columns; ``None`` keeps them continuous.
    training_labels : array-like, optional
        Needed by ``discretizer="entropy"``.
    seed : int, optional
        Seed for the entropy discretizer's tree.

    Notes
    -----
    A scipy.sparse ``training_data`` (CSR, CSC, ...) is read column statistic by
    column statistic without densifying it; every column is then continuous
    (``discretizer=None``, no categorical features), instances may be sparse
    rows, and the model is called with CSR matrices.
    """

    def __init__(self, training_data, feature_names: Sequence[str] | None = None,
                 categorical_features: Sequence[int | str] | None = None,
                 discretizer: str | None = "quartile", training_labels=None,
                 seed: int | None = None) -> None:
        if _is_sparse(training_data):
            self._fit_sparse(training_data, feature_names, categorical_features, discretizer)
            return
        frame, self.input_kind = _as_training_frame(training_data, feature_names)
        n_rows, n_cols = frame.shape
        if n_rows < 2:
            raise ValueError(
                f"training_data has {n_rows} row(s); at least 2 are needed to estimate the "
                "feature distributions to sample from."
            )
        if n_cols < 1:
            raise ValueError("training_data has no columns")
        self.columns_ = list(frame.columns)
        self.feature_names = [str(c) for c in frame.columns]
        if feature_names is not None and self.input_kind == "frame":
            # display names may differ from the columns the model is called with
            self.feature_names = [str(f) for f in feature_names]
        if len(set(self.feature_names)) != n_cols:
            raise ValueError(f"feature names must be unique, got {format_names(self.feature_names)}")
        self.discretizer = discretizer
        labels = None if training_labels is None else np.asarray(training_labels)
        if labels is not None and labels.shape[0] != n_rows:
            raise ValueError(
                f"training_labels has {labels.shape[0]} entries but training_data has "
                f"{n_rows} rows"
            )

        categorical = _resolve_categorical(categorical_features, self.feature_names,
                                           [str(c) for c in self.columns_])
        self.columns: list[_Column] = []
        for j, name in enumerate(self.feature_names):
            series = frame.iloc[:, j]
            is_cat = j in categorical or (self.input_kind == "frame"
                                          and _is_categorical_dtype(series.dtype))
            if is_cat:
                self.columns.append(_fit_categorical(name, series))
            else:
                self.columns.append(_fit_numeric(name, series, discretizer, labels, seed))
        self._index()

    def _fit_sparse(self, data, feature_names, categorical_features, discretizer) -> None:
        """Continuous columns from a scipy.sparse matrix's column moments (no densifying)."""
        if discretizer is not None:
            raise ValueError(
                "sparse training_data can only be explained continuous: pass discretizer=None "
                "(binning needs each column's quantiles), or a dense array to discretize."
            )
        if categorical_features is not None and len(categorical_features):
            raise ValueError("categorical_features are not supported with sparse training_data; "
                             "pass a dense array or DataFrame for categorical columns.")
        X = data.tocsc().astype(float)
        n_rows, n_cols = X.shape
        if n_rows < 2:
            raise ValueError(
                f"training_data has {n_rows} row(s); at least 2 are needed to estimate the "
                "feature distributions to sample from."
            )
        if n_cols < 1:
            raise ValueError("training_data has no columns")
        if not np.all(np.isfinite(X.data)):
            raise ValueError("training_data has NaN or infinite values; impute them first.")
        names = ([f"x{j}" for j in range(n_cols)] if feature_names is None
                 else [str(f) for f in feature_names])
        if len(names) != n_cols:
            raise ValueError(f"feature_names has {len(names)} names but training_data has "
                             f"{n_cols} columns")
        if len(set(names)) != n_cols:
            raise ValueError(f"feature names must be unique, got {format_names(names)}")
        self.input_kind = "sparse"
        self.columns_ = list(names)
        self.feature_names = list(names)
        self.discretizer = None
        mean = np.asarray(X.mean(axis=0)).ravel()
        var = np.asarray(X.multiply(X).mean(axis=0)).ravel() - mean * mean
        std = np.sqrt(np.maximum(var, 0.0))
        self.columns = [_Column(name=name, kind=CONTINUOUS, dtype=np.dtype(float),
                                mean=float(m), std=float(s))
                        for name, m, s in zip(names, mean, std, strict=True)]
        self._index()

    def with_statistics(self, bins: dict[int, BinStatistics] | None = None,
                        categories: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
                        ) -> TabularRepresentation:
        """A copy whose columns use given statistics instead of the training data's.

        For bins and frequencies computed elsewhere (lime's discretizer objects,
        ``training_data_stats``): column ``j`` in ``bins`` becomes binned with
        those edges and per-bin statistics; column ``j`` in ``categories``
        becomes categorical with those ``(values, frequencies)``.

        Parameters
        ----------
        bins : dict of int to BinStatistics, optional
        categories : dict of int to (values, frequencies), optional
            Frequencies need not be normalised.

        Returns
        -------
        TabularRepresentation
        """
        new = copy.copy(self)
        new.__dict__.pop("_bin_names", None)
        new.columns = [copy.copy(c) for c in self.columns]
        for j, st in (bins or {}).items():
            col = new.columns[int(j)]
            if col.kind == CATEGORICAL:
                raise ValueError(f"feature {col.name!r} is categorical; it cannot be binned")
            col.kind, col.edges, col.freqs = BINNED, np.asarray(st.edges, float), st.freqs
            col.bin_mean, col.bin_std, col.bin_lo, col.bin_hi = st.mean, st.std, st.lo, st.hi
        for j, (values, freqs) in (categories or {}).items():
            col = new.columns[int(j)]
            freqs = np.asarray(freqs, dtype=float)
            col.kind, col.categories, col.freqs = CATEGORICAL, np.asarray(values), freqs / freqs.sum()
        new._index()
        return new

    # ------------------------------------------------------------ structure
    def _index(self) -> None:
        kinds = np.array([c.kind for c in self.columns])
        self.discrete_idx = np.flatnonzero(kinds != CONTINUOUS)
        self.continuous_idx = np.flatnonzero(kinds == CONTINUOUS)
        self.binned_idx = np.flatnonzero(kinds == BINNED)
        self.categorical_idx = np.flatnonzero(kinds == CATEGORICAL)
        self.numeric_idx = np.flatnonzero(kinds != CATEGORICAL)
        self._marginals = self._build_marginals()
        self._bin_tables = self._build_bin_tables()
        width = max([0] + [self.columns[j].edges.size for j in self.binned_idx])
        self._padded_edges = np.full((self.binned_idx.size, width), np.inf)
        for r, j in enumerate(self.binned_idx):
            edges = self.columns[j].edges
            self._padded_edges[r, : edges.size] = edges

    @property
    def n_features(self) -> int:
        return len(self.columns)

    @property
    def categorical_features(self) -> list[int]:
        return self.categorical_idx.tolist()

    def marginals(self) -> TabularMarginals:
        """Per-column sampling distributions (computed once at fit time)."""
        return self._marginals

    def _build_marginals(self) -> TabularMarginals:
        cont = [self.columns[j] for j in self.continuous_idx]
        return TabularMarginals(
            n_features=self.n_features,
            discrete=self.discrete_idx,
            probabilities=tuple(self.columns[j].freqs for j in self.discrete_idx),
            gaussian=self.continuous_idx,
            mean=np.array([c.mean for c in cont], dtype=float),
            scale=np.array([c.std for c in cont], dtype=float),
            table=DiscreteTable(tuple(self.columns[j].freqs for j in self.discrete_idx)),
            ordered=np.array([self.columns[j].kind == BINNED for j in self.discrete_idx],
                             dtype=bool),
        )

    # --------------------------------------------------------------- encode
    def check_instance(self, instance) -> InstanceRow:
        """Validate one instance and return its values in the training columns' order."""
        names = self.__dict__.get("_row_names")
        if names is None:
            names = self._row_names = [str(c) for c in self.columns_]
        values = _as_row(instance, names)
        row = InstanceRow(values)
        numeric = self.numeric_idx
        try:  # the common case, checked in one vectorised pass
            if np.all(np.isfinite(values[numeric].astype(float))):
                numeric = numeric[:0]
        except (TypeError, ValueError):
            pass  # the loop below names the offending feature
        for j in np.concatenate([self.categorical_idx, numeric]):
            col, value = self.columns[j], values[j]
            if col.kind == CATEGORICAL:
                if _is_missing(value):
                    raise ValueError(
                        f"the instance has a missing value in categorical feature {col.name!r}; "
                        "fill it with one of the training categories."
                    )
                if not np.any(_category_match(col.categories, value)):
                    raise ValueError(
                        f"the instance has value {value!r} in categorical feature {col.name!r}, "
                        "which never occurs in the training data (known values: "
                        f"{format_names(col.categories)}); map it to a known category or add "
                        "rows with it to training_data."
                    )
            else:
                try:
                    x = float(value)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"the instance has non-numeric value {value!r} in numeric feature "
                        f"{col.name!r}"
                    ) from None
                if not np.isfinite(x):
                    kind = "NaN" if np.isnan(x) else "an infinite value"
                    raise ValueError(
                        f"the instance has {kind} in feature {col.name!r}; impute it before "
                        "explaining."
                    )
        c = self.continuous_idx
        if c.size:
            # continuous features enter the surrogate as z-scores; one so far out that its
            # square overflows would silently wreck the fit
            m = self._marginals
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                z = np.abs((values[c].astype(float) - m.mean) / np.where(m.scale > 0, m.scale,
                                                                       1.0))
            far = np.flatnonzero(~(z < 1e100))
            if far.size:
                col = self.columns[c[far[0]]]
                raise ValueError(
                    f"the instance's value in feature {col.name!r} lies {z[far[0]]:.3g} "
                    f"training standard deviations (std {col.std:.3g}) from the training "
                    "mean, beyond what a local model can represent; rescale the feature or "
                    "explain it discretized."
                )
        return row

    def encode(self, row: InstanceRow) -> np.ndarray:
        """Codes of a validated instance: category/bin index, or the raw value."""
        values = row.to_numpy(dtype=object)
        codes = np.empty(self.n_features)
        b = self.binned_idx
        if b.size:
            # bin index = number of edges strictly below the value (searchsorted, left),
            # for all binned columns at once on +inf-padded edges
            x = values[b].astype(float)
            codes[b] = (self._padded_edges < x[:, None]).sum(axis=1)
        for j in self.categorical_idx:
            col = self.columns[j]
            codes[j] = int(np.flatnonzero(_category_match(col.categories, values[j]))[0])
        c = self.continuous_idx
        if c.size:
            codes[c] = values[c].astype(float)
        return codes

    def can_fuse_lime(self) -> bool:
        """Whether :meth:`lime_binned_neighbourhood` applies: all columns binned, none
        integer, narrow tables, and numba."""
        t = self._bin_tables
        return not (t is None or self.binned_idx.size != self.n_features
                    or t["is_integer"].any() or self._marginals.table.wide.size
                    or not _compiled.enabled())

    def lime_binned_neighbourhood(self, instance_codes: np.ndarray, n: int,
                                  rng: np.random.Generator | np.uint64, pooled: list | None = None,
                                  weight_table: np.ndarray | None = None,
                                  values_out: np.ndarray | None = None):
        """lime's neighbourhood for all-binned, non-integer data in one compiled pass:
        ``(Z, values, per-row values)``, or ``None`` where the staged path applies
        (see :meth:`can_fuse_lime`). ``Z`` is a :class:`~limekit.sampling.PackedBinary`
        (the 0/1 samples as row bit masks); the per-row values are the kernel weights
        from ``weight_table`` (see :func:`limekit._compiled.lime_binned`), or the
        squared distances without one.

        With a ``pooled`` list, ``values`` come from the thread's array pool
        (:mod:`limekit._pool`) and are appended to it, for the caller to give back
        once nothing refers to them; ``values_out`` (C-ordered ``(n, d)`` float64,
        e.g. this instance's rows of a batch's stacked model input) receives the
        values instead."""
        if not self.can_fuse_lime():
            return None
        values = values_out
        if pooled is not None and values is None:
            values = _pool.take((n, self.n_features))
            pooled.append(values)
        _, values, per_row, masks = _compiled.lime_binned(
            stream_seed(rng), n, self._marginals.table, instance_codes, self._bin_tables,
            QUANTILES, values, weight_table)
        # row 0 is the instance: in its own bin everywhere
        return PackedBinary(masks, self.n_features, np.ones(self.n_features)), values, per_row

    def instance_positions(self, row: InstanceRow, instance_codes: np.ndarray) -> np.ndarray:
        """Codes that decode back to the instance's own values: for binned columns the
        bin index plus the instance's position inside the bin's tabulated quantile
        function (so a sample that keeps a feature can keep its exact value)."""
        codes = instance_codes.astype(float).copy()
        t = self._bin_tables
        if t is None:
            return codes
        q = t["quantiles"].reshape(len(self.binned_idx), t["width"], QUANTILES + 1)
        values = row.to_numpy(dtype=object)
        for c, j in enumerate(self.binned_idx):
            b = int(instance_codes[j])
            knots = q[c, b]
            x = float(values[j])
            k = int(np.clip(np.searchsorted(knots, x, side="right") - 1, 0, QUANTILES - 1))
            span = knots[k + 1] - knots[k]
            frac = 0.0 if span <= 0 else min(max((x - knots[k]) / span, 0.0), 1.0)
            codes[j] = b + min((k + frac) / QUANTILES, 1.0 - 2.0 ** -20)
        return codes

    def to_interpretable(self, codes: np.ndarray, instance_codes: np.ndarray) -> np.ndarray:
        """The interpretable matrix Z: 1/0 "same as the instance" for discrete columns,
        the z-score for continuous ones."""
        d = self.discrete_idx
        # the integer part of a discrete code is its category/bin (see DiscreteTable)
        if d.size == self.n_features:  # all discrete: skip the column gather
            fast = _compiled.same_bin(codes, instance_codes)
            if fast is not None:
                return fast
            same = np.floor(codes) == instance_codes
            return same.astype(float)
        Z = np.empty(codes.shape, dtype=float)
        Z[:, d] = np.floor(codes[:, d]) == instance_codes[d]
        c = self.continuous_idx
        if c.size:
            m = self._marginals
            scale = np.where(m.scale > 0, m.scale, 1.0)
            Z[:, c] = (codes[:, c] - m.mean) / scale
        return Z

    # --------------------------------------------------------------- decode
    def decode(self, codes: np.ndarray, rows: InstanceRow | list[InstanceRow]):
        """Model inputs for ``codes``, with each instance restored in its first row.

        ``codes`` holds one neighbourhood per instance in ``rows``, stacked
        (``len(codes) // len(rows)`` samples each); the first sample of each
        is replaced by the instance itself. Returns a DataFrame with the
        training columns and dtypes when the explainer was fitted on a
        DataFrame, else a 2-D ndarray.
        """
        rows = [rows] if isinstance(rows, InstanceRow) else list(rows)
        n, d = codes.shape
        starts = np.arange(len(rows)) * (n // len(rows))
        inst = np.array([r.to_numpy(dtype=object) for r in rows], dtype=object)
        b, c = self.binned_idx, self.continuous_idx
        if b.size == d:  # all binned (all-numeric data, discretized): no column gathers
            numeric = self._undiscretize(codes)
        else:
            numeric = np.empty((n, d))
            if b.size:
                numeric[:, b] = self._undiscretize(codes[:, b])
            if c.size:
                numeric[:, c] = codes[:, c]
        cats = {j: self.columns[j].categories[codes[:, j].astype(np.intp)]
                for j in self.categorical_idx}
        return self._model_input(numeric, cats, inst, starts)

    def decode_values(self, numeric: np.ndarray, rows: InstanceRow | list[InstanceRow],
                      category_codes: np.ndarray | None = None, restore: bool = True):
        """Model inputs from sampled *values* (N-ball, realistic and Shapley samplers).

        ``numeric`` is ``(n, d)`` (categorical columns ignored); categorical
        columns take ``category_codes`` (``(n, n_categorical)`` indices into the
        training categories) or, when ``None``, each instance's own value. With
        ``restore`` the first row of each instance's block is the instance.
        """
        rows = [rows] if isinstance(rows, InstanceRow) else list(rows)
        n = numeric.shape[0]
        block = n // len(rows)
        starts = np.arange(len(rows)) * block if restore else np.arange(0)
        inst = np.array([r.to_numpy(dtype=object) for r in rows], dtype=object)
        # the samplers hand over fresh arrays: restoring the instance rows in place is safe
        numeric = np.asarray(numeric, dtype=float)
        cats = {}
        for k, j in enumerate(self.categorical_idx):
            col = self.columns[j]
            if category_codes is not None:
                cats[j] = col.categories[category_codes[:, k].astype(np.intp)]
            else:
                own = np.array([int(np.flatnonzero(_category_match(col.categories, r))[0])
                                for r in inst[:, j]])
                cats[j] = col.categories[np.repeat(own, block)]
        return self._model_input(numeric, cats, inst if restore else inst[:0], starts)

    def interpretable_from_values(self, numeric: np.ndarray, instance_codes: np.ndarray,
                                  category_codes: np.ndarray | None = None) -> np.ndarray:
        """The interpretable matrix Z of sampled values: 1/0 "in the instance's bin or
        category" for discrete columns, z-scores for continuous ones."""
        Z = np.empty(numeric.shape, dtype=float)
        for j in self.binned_idx:
            Z[:, j] = np.searchsorted(self.columns[j].edges, numeric[:, j]) == instance_codes[j]
        c = self.continuous_idx
        if c.size:
            m = self._marginals
            Z[:, c] = (numeric[:, c] - m.mean) / np.where(m.scale > 0, m.scale, 1.0)
        for k, j in enumerate(self.categorical_idx):
            Z[:, j] = (1.0 if category_codes is None
                       else category_codes[:, k] == instance_codes[j])
        return Z

    def row_values(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``(numeric, category_codes)`` of rows with the training columns (categorical
        columns' numeric entries are 0); unseen categories raise ValueError."""
        numeric = np.zeros((len(frame), self.n_features))
        codes = np.zeros((len(frame), self.categorical_idx.size), dtype=np.intp)
        for j in self.numeric_idx:
            numeric[:, j] = frame.iloc[:, j].to_numpy(dtype=float)
        for k, j in enumerate(self.categorical_idx):
            col = self.columns[j]
            for i, v in enumerate(frame.iloc[:, j].to_numpy(dtype=object)):
                hit = np.flatnonzero(_category_match(col.categories, v))
                if hit.size == 0:
                    raise ValueError(f"value {v!r} of {col.name!r} is not a training category")
                codes[i, k] = hit[0]
        return numeric, codes

    def _model_input(self, numeric: np.ndarray, cats: dict[int, np.ndarray], inst: np.ndarray,
                     starts: np.ndarray):
        """Numeric columns and categorical values as the model's input type."""
        if self.input_kind == "frame":
            return self._frame(numeric, cats, inst, starts)
        if self.input_kind == "sparse":
            from scipy import sparse

            numeric[starts] = inst.astype(float)
            return sparse.csr_matrix(numeric)
        if all(np.issubdtype(v.dtype, np.number) for v in cats.values()):
            for j, v in cats.items():
                numeric[:, j] = v
            numeric[starts] = inst.astype(float)
            return numeric
        out = numeric.astype(object)
        for j, v in cats.items():
            out[:, j] = v
        out[starts] = inst
        return out

    def _frame(self, numeric: np.ndarray, cats: dict[int, np.ndarray], inst: np.ndarray,
               starts: np.ndarray) -> pd.DataFrame:
        """A DataFrame with the training columns and dtypes; instance rows restored.

        Built from plain arrays (not one Series per column) because the model
        is called on one such frame per group and pandas' per-column overhead
        would otherwise rival the sampling itself.
        """
        data = {}
        for j, col in enumerate(self.columns):
            if j in cats:
                v = cats[j]  # a fresh array from fancy indexing: safe to modify
                v[starts] = inst[:, j]
                data[self.columns_[j]] = pd.Series(v).astype(col.dtype)
                continue
            v = numeric[:, j]
            if col.is_integer:
                v = np.rint(v)
            v[starts] = inst[:, j].astype(float)
            if isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
                v = pd.array(v, dtype=col.dtype)  # Int64, Float64, ...: numpy cannot cast
            elif v.dtype != col.dtype:
                v = v.astype(col.dtype)
            data[self.columns_[j]] = v
        return pd.DataFrame(data)

    def _build_bin_tables(self) -> dict[str, np.ndarray] | None:
        """Tabulated quantile functions of each bin's truncated normal.

        lime draws a binned column's value from N(bin mean, bin std²) truncated
        to the bin. Drawing truncated normals per sample (rejection, or scipy's
        ``truncnorm``) dominated the cost of an explanation, so the quantile
        function of every bin is tabulated here once, at ``QUANTILES + 1``
        evenly spaced probabilities, and a sample's value is read off by linear
        interpolation at its position ``v`` inside the bin's mass (the code's
        fractional part). Every 1/QUANTILES slice of the bin's probability
        carries exactly its mass; only the shape inside a slice is linearised.
        Degenerate bins (zero width or spread) yield their mean (lime returns
        a z-score there, a known defect).
        """
        cols = [self.columns[j] for j in self.binned_idx]
        if not cols:
            return None
        width = max(c.bin_mean.size for c in cols)
        quantiles = np.zeros((len(cols), width, QUANTILES + 1))
        lo_t, hi_t = np.zeros((len(cols), width)), np.zeros((len(cols), width))
        for i, c in enumerate(cols):
            nb = c.bin_mean.size
            quantiles[i, :nb] = truncated_normal_quantiles(
                c.bin_mean, c.bin_std, c.bin_lo, c.bin_hi, QUANTILES)
            lo_t[i, :nb], hi_t[i, :nb] = c.bin_lo, c.bin_hi
        offsets = np.arange(len(cols)) * width * (QUANTILES + 1)
        return {
            "width": width,
            "row_offsets": offsets.astype(float),
            "quantiles": quantiles.ravel(),
            "lo": lo_t.ravel(),
            "hi": hi_t.ravel(),
            "is_integer": np.array([c.is_integer for c in cols]),
        }

    def _undiscretize(self, codes: np.ndarray) -> np.ndarray:
        """Values of binned columns from their codes (bin index + position in the bin)."""
        t = self._bin_tables
        out = _compiled.undiscretize(codes, t["quantiles"], t["row_offsets"], QUANTILES)
        if out is None:
            out = _interpolate_quantiles(codes, t)
        ints = t["is_integer"]
        if ints.any():
            # Keep integer columns integer *and* inside the sampled bin.
            bins = codes[:, ints].astype(np.intp)
            flat = bins + np.flatnonzero(ints) * t["width"]
            lo, hi = t["lo"].take(flat), t["hi"].take(flat)
            first = bins == 0
            lo_int = np.where(first, np.ceil(lo), np.floor(lo) + 1)
            hi_int = np.floor(hi)
            out[:, ints] = np.clip(np.rint(out[:, ints]), lo_int, np.maximum(lo_int, hi_int))
        return out

    # --------------------------------------------------------------- labels
    def describe(self, row: InstanceRow, instance_codes: np.ndarray) -> tuple[list[str], list[str]]:
        """(description, formatted value) of each feature for this instance."""
        values = row.to_numpy(dtype=object)
        # bin names are fixed per (column, bin): formatted once per explainer
        names = self.__dict__.get("_bin_names")
        if not isinstance(names, list):  # first use (or an older pickle's dict)
            names = self._bin_names = [
                [_bin_name(c.name, c.edges, b) for b in range(c.edges.size + 1)]
                if c.kind == BINNED else None for c in self.columns]
        descriptions, shown = [], []
        for j, (col, value, code) in enumerate(zip(self.columns, values,
                                                    instance_codes.tolist(), strict=True)):
            if col.kind == CATEGORICAL:
                descriptions.append(f"{col.name}={value}")
                shown.append(str(value))
                continue
            shown.append(f"{float(value):.2f}")
            descriptions.append(names[j][int(code)] if col.kind == BINNED else col.name)
        return descriptions, shown


# ---------------------------------------------------------------- fitting helpers
def _as_training_frame(data, feature_names) -> tuple[pd.DataFrame, str]:
    if isinstance(data, pd.DataFrame):
        if feature_names is not None and len(feature_names) != data.shape[1]:
            raise ValueError(
                f"feature_names has {len(feature_names)} names but training_data has "
                f"{data.shape[1]} columns"
            )
        if data.columns.duplicated().any():
            dup = data.columns[data.columns.duplicated()].tolist()
            raise ValueError(f"training_data has duplicated column names: {format_names(dup)}")
        return data, "frame"
    if hasattr(data, "toarray") and hasattr(data, "nnz"):
        raise TypeError("sparse training_data is not supported yet; pass a dense array "
                        "(training_data.toarray()) or a DataFrame")
    if iter(data) is data if hasattr(data, "__iter__") else False:
        raise TypeError(f"training_data must be an array, a list of rows or a DataFrame, got "
                        f"an iterator ({type(data).__name__}); pass list(...) of it")
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise ValueError(
            f"training_data must be 2-D (rows × features), got shape {arr.shape}; "
            "reshape a single feature with X.reshape(-1, 1)."
        )
    if feature_names is None:
        feature_names = [f"x{j}" for j in range(arr.shape[1])]
    feature_names = [str(f) for f in feature_names]
    if len(feature_names) != arr.shape[1]:
        raise ValueError(
            f"feature_names has {len(feature_names)} names but training_data has "
            f"{arr.shape[1]} columns"
        )
    frame = pd.DataFrame(arr, columns=feature_names, copy=False)
    return frame, "array"


def _resolve_categorical(categorical_features, names: list[str],
                         columns: list[str]) -> set[int]:
    out: set[int] = set()
    for f in categorical_features or ():
        if isinstance(f, (int, np.integer)) and not isinstance(f, bool):
            if not 0 <= f < len(names):
                raise ValueError(
                    f"categorical feature index {f} is out of range for {len(names)} features"
                )
            out.add(int(f))
        elif str(f) in columns:
            out.add(columns.index(str(f)))
        elif str(f) in names:
            out.add(names.index(str(f)))
        else:
            raise ValueError(
                f"categorical feature {f!r} is not a column; columns are {format_names(names)}"
            )
    return out


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _category_match(categories: np.ndarray, value) -> np.ndarray:
    """Boolean mask of ``categories == value`` that treats 1 and 1.0 alike but not '1'."""
    if np.issubdtype(categories.dtype, np.number):
        try:
            return categories == float(value)
        except (TypeError, ValueError):
            return np.zeros(categories.shape, dtype=bool)
    return np.fromiter((bool(c == value) for c in categories), dtype=bool,
                       count=categories.size)


def _fit_categorical(name: str, series: pd.Series) -> _Column:
    if series.isna().any():
        row = int(np.flatnonzero(series.isna().to_numpy())[0])
        raise ValueError(
            f"training_data has a missing value in categorical feature {name!r} (row {row}); "
            "fill missing categories (e.g. with 'missing') before explaining."
        )
    raw = series.to_numpy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw = series.astype(object).to_numpy()
    try:
        values, counts = np.unique(raw, return_counts=True)
    except TypeError:  # mixed types that do not sort: fall back to string order
        keys = np.array([str(v) for v in raw])
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        values = raw[first]
        # two categories that print alike (1 and "1") would merge into one silently
        typed = {(type(v).__name__, str(v)) for v in raw}
        if len(typed) != len(values):
            seen: dict[str, set[str]] = {}
            for t, k in typed:
                seen.setdefault(k, set()).add(t)
            clash = next(k for k, types in seen.items() if len(types) > 1)
            raise ValueError(
                f"categorical feature {name!r} holds {clash!r} as values of different types "
                f"({', '.join(sorted(seen[clash]))}); they display alike but are different "
                "categories: convert the column to one type (e.g. astype(str)) first."
            ) from None
    if np.issubdtype(values.dtype, np.number):
        check_finite_column(values.astype(float), name, "training_data")
    else:  # an object column may still hold float inf/nan among its categories
        floats = [v for v in values if isinstance(v, (float, np.floating))]
        if floats:
            check_finite_column(np.array(floats, dtype=float), name, "training_data")
    return _Column(name=name, kind=CATEGORICAL, dtype=series.dtype, categories=values,
                   freqs=counts / counts.sum())


def _fit_numeric(name: str, series: pd.Series, discretizer, labels, seed) -> _Column:
    if (pd.api.types.is_datetime64_any_dtype(series.dtype)
            or pd.api.types.is_timedelta64_dtype(series.dtype)
            or isinstance(series.dtype, pd.PeriodDtype)):
        raise TypeError(
            f"training_data column {name!r} holds dates or durations ({series.dtype}); "
            "convert it to numbers the model understands (e.g. days since a reference "
            "date, or the year/month as columns) before explaining."
        )
    if pd.api.types.is_complex_dtype(series.dtype):
        raise TypeError(
            f"training_data column {name!r} is complex; explain real and imaginary parts as "
            "two real columns."
        )
    try:
        x = series.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"training_data column {name!r} is not numeric; list it in categorical_features "
            "(or give it a 'category' dtype in a DataFrame)."
        ) from None
    check_finite_column(x, name, "training_data")
    is_int = pd.api.types.is_integer_dtype(series.dtype)
    # Moments of x / 2^e (exact scaling): squares of values beyond ~1e154 would overflow
    scale = _power_of_two_scale(x)
    xs = x / scale
    col = _Column(name=name, kind=CONTINUOUS, dtype=series.dtype, is_integer=is_int,
                  mean=float(xs.mean()) * scale, std=float(xs.std()) * scale)
    if discretizer is None:
        return col
    st = bin_statistics(x, bin_edges(x, discretizer, labels=labels, seed=seed))
    col.kind = BINNED
    col.edges = st.edges
    col.freqs = st.freqs
    col.bin_mean, col.bin_std, col.bin_lo, col.bin_hi = st.mean, st.std, st.lo, st.hi
    return col


def _power_of_two_scale(x: np.ndarray) -> float:
    """A power of two near ``max |x|`` (1 for all-zero data): dividing by it is exact and
    keeps squares and sums of extreme magnitudes finite."""
    top = float(np.max(np.abs(x))) if x.size else 0.0
    if not np.isfinite(top) or top == 0.0:
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(top)[1])))


def _bin_name(name: str, edges: np.ndarray, b: int) -> str:
    if b == 0:
        return f"{name} <= {edges[0]:.2f}"
    if b == edges.size:
        return f"{name} > {edges[-1]:.2f}"
    return f"{edges[b - 1]:.2f} < {name} <= {edges[b]:.2f}"


QUANTILES = 128


def _interpolate_quantiles(codes: np.ndarray, t: dict[str, np.ndarray]) -> np.ndarray:
    """NumPy reference of :func:`limekit._compiled.undiscretize` (same operations)."""
    # Position on the concatenated quantile tables. Knot k of bin b of column c
    # sits at (c * width + b) * (QUANTILES + 1) + k, and a code b + v wants
    # k = v * QUANTILES: that is code * QUANTILES + b + c * width * (QUANTILES + 1).
    pos = codes * QUANTILES
    pos += codes.astype(np.intp)
    pos += t["row_offsets"]
    at = pos.astype(np.intp)
    frac = pos - at
    q = t["quantiles"]
    left = q.take(at)
    out = q.take(at + 1)
    out -= left
    out *= frac
    out += left
    return out


def truncated_normal_quantiles(mean, std, lo, hi, n: int = QUANTILES) -> np.ndarray:
    """Quantiles of N(mean, std²) truncated to [lo, hi] at probabilities 0, 1/n, ..., 1.

    Vectorised over intervals: returns ``(len(mean), n + 1)``. Intervals in
    the upper tail are mirrored to the lower tail so the normal CDF keeps its
    precision; a zero-width or zero-spread interval yields its mean.
    """
    mean, std, lo, hi = (np.asarray(v, dtype=float)[:, None] for v in (mean, std, lo, hi))
    live = (std > 1e-12 * np.maximum(1.0, np.abs(mean))) & (hi > lo)
    s = np.where(live, std, 1.0)
    a, b = (lo - mean) / s, (hi - mean) / s
    flip = a > 0
    a2, b2 = np.where(flip, -b, a), np.where(flip, -a, b)
    pa, pb = ndtr(a2), ndtr(b2)
    t = np.linspace(0.0, 1.0, n + 1)[None, :]
    t = np.where(flip, 1.0 - t, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = ndtri(pa + t * (pb - pa))
    # beyond the CDF's resolution (both ends deep in a tail) the interval is tiny in
    # probability but not in value: spread it linearly rather than return inf
    z = np.where(np.isfinite(z) & (pb > pa), z, a2 + t * (b2 - a2))
    z = np.where(flip, -z, z)
    q = np.where(live, mean + s * z, np.clip(mean, lo, hi))
    # the ends are the interval's bounds exactly (ndtri loses them near probability 1)
    q[:, 0] = np.where(live[:, 0], lo[:, 0], q[:, 0])
    q[:, -1] = np.where(live[:, 0], hi[:, 0], q[:, -1])
    return np.clip(q, lo, hi)


def _as_row(instance, names: list[str]) -> np.ndarray:
    """One instance's values (object array) in the training columns' order, checking
    names and length."""
    d = len(names)
    if _is_sparse(instance):
        if instance.shape[0] != 1:
            raise ValueError(f"explain one instance at a time: got a sparse matrix of shape "
                             f"{instance.shape}; pass X[i] (one row).")
        instance = instance.toarray().ravel()
    if isinstance(instance, pd.DataFrame):
        if instance.shape[0] != 1:
            raise ValueError(
                f"explain one instance at a time: got a DataFrame with {instance.shape[0]} rows; "
                "pass df.iloc[i] (or df.iloc[[i]])."
            )
        instance = instance.iloc[0]
    if isinstance(instance, dict):
        instance = pd.Series(instance)
    if isinstance(instance, pd.Series) and not isinstance(instance.index, pd.RangeIndex):
        got = [str(i) for i in instance.index]
        missing = [n for n in names if n not in got]
        extra = [g for g in got if g not in names]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {format_names(missing)}")
            if extra:
                parts.append(f"unexpected {format_names(extra)}")
            raise ValueError(
                "the instance's column names do not match the training data: "
                + "; ".join(parts) + ". Select the training columns, e.g. row[explainer.feature_names]."
            )
        lookup = dict(zip(got, instance.to_numpy(dtype=object), strict=True))
        out = np.empty(d, dtype=object)
        out[:] = [lookup[n] for n in names]
        return out
    arr = np.asarray(instance, dtype=object)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 1 or arr.shape[0] != d:
        raise ValueError(
            f"the instance must have {d} features (one row); got shape {np.shape(instance)}. "
            "Pass one row, e.g. X[i], not X[i:i+1, :k]."
        )
    return arr.copy()  # the caller's array may change after this call
