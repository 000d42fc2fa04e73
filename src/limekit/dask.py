"""Explain every row of a Dask DataFrame, one partition at a time, on a Dask cluster.

This is a thin layer over :meth:`limekit.TabularExplainer.explain_batch`: each
partition is handed to ``explain_batch`` on a worker and its tidy
:meth:`~limekit.ExplanationBatch.to_frame` comes back as one partition of the
result. Dask is optional (``pip install 'limekit[dask]'``) and is imported
only when :func:`explain_dataframe` is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._optional import require
from .explainers._common import DEFAULT_NUM_FEATURES

if TYPE_CHECKING:  # pragma: no cover - typing only
    import dask.dataframe

    from .explainers.tabular import TabularExplainer

__all__ = ["explain_dataframe", "explanation_meta"]

#: Columns of the tidy frame, in order (``ExplanationBatch.to_frame``).
FRAME_COLUMNS = ("row_id", "label", "class_name", "rank", "feature", "description", "value",
                 "weight")


def _string_dtype() -> Any:
    """The dtype pandas itself gives a column of Python strings.

    ``object`` with pandas 2, the ``str`` dtype with pandas 3: the same dtype
    that :meth:`ExplanationBatch.to_frame` produces in-process, so a result
    computed by Dask compares equal to one computed locally.
    """
    return pd.Series(["x"]).dtype


def explanation_meta(index_dtype: Any = np.int64) -> pd.DataFrame:
    """The empty frame describing :func:`explain_dataframe`'s output (Dask's ``meta``).

    Parameters
    ----------
    index_dtype : dtype, default int64
        Dtype of the ``row_id`` column: the index dtype of the explained frame.

    Returns
    -------
    pandas.DataFrame
        Zero rows; columns ``row_id`` (``index_dtype``), ``label`` (int64),
        ``class_name`` (string), ``rank`` (int64), ``feature``, ``description``,
        ``value`` (string) and ``weight`` (float64).

    Examples
    --------
    >>> from limekit.dask import explanation_meta
    >>> list(explanation_meta().columns)
    ['row_id', 'label', 'class_name', 'rank', 'feature', 'description', 'value', 'weight']
    >>> str(explanation_meta().dtypes["weight"])
    'float64'
    """
    text = _string_dtype()
    dtypes = {"row_id": index_dtype, "label": np.int64, "class_name": text, "rank": np.int64,
              "feature": text, "description": text, "value": text, "weight": np.float64}
    return pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in FRAME_COLUMNS})


def _explain_partition(part: pd.DataFrame, explainer: TabularExplainer, model: Any,
                       columns: list, options: dict[str, Any],
                       index_dtype: Any, training: list | None = None) -> pd.DataFrame:
    """Explain one pandas partition; runs on a worker (module level, so it pickles).

    ``columns`` are the ddf's columns in the explainer's feature order; when they are
    named differently, they are renamed to the explainer's ``training`` columns.
    """
    meta = explanation_meta(index_dtype)
    if len(part) == 0:
        return meta
    rows = part[columns]
    if training is not None and list(columns) != list(training):
        rows = rows.set_axis(list(training), axis=1)
    frame = explainer.explain_batch(rows, model, progress=False, **options).to_frame()
    return frame.loc[:, list(meta.columns)].astype(meta.dtypes.to_dict())


def _training_columns(explainer: TabularExplainer) -> list:
    """The columns the explainer was fitted on (what an instance must be indexed by)."""
    rep = getattr(explainer, "representation", None)
    cols = getattr(rep, "columns_", None)
    return list(cols) if cols is not None else list(explainer.feature_names)


def explain_dataframe(ddf: dask.dataframe.DataFrame, explainer: TabularExplainer, model: Any, *,
                      labels: Sequence[int] | None = None, top_labels: int | None = None,
                      num_features: int | None = DEFAULT_NUM_FEATURES, num_samples: int = 5000,
                      batch_size: int | None = None,
                      columns: Sequence[Any] | None = None) -> dask.dataframe.DataFrame:
    """Explain every row of a Dask DataFrame; returns a lazy tidy frame of weights.

    Each partition is explained on a worker with
    :meth:`TabularExplainer.explain_batch` (``progress=False``) and turned
    into rows with :meth:`ExplanationBatch.to_frame`. Every row's explanation
    is identical to ``explainer.explain(row, model, ...)``: its randomness
    depends on the explainer's seed and the row's values only, not on the
    partitioning, the worker or the order rows are explained in.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Rows to explain. It may hold more columns than the explainer's; only
        ``columns`` are passed on.
    explainer : TabularExplainer
        A fitted explainer. It travels to the workers by pickling, inside the
        task graph; it keeps per-feature statistics rather than the training
        rows, so it stays small (about 150 kB for 30 features) whatever the
        size of the training data.
    model : callable or estimator
        The black box, as for :meth:`TabularExplainer.explain`; it must pickle.
    labels : sequence of int, optional
        Classes to explain. Default: the predicted class (classification), the
        output (regression); as in :meth:`TabularExplainer.explain`.
    top_labels : int, optional
        Explain the ``top_labels`` most probable classes instead.
    num_features : int or None, default 10
        Features in each explanation; ``None`` keeps all.
    num_samples : int, default 5000
        Neighbourhood size of each row's explanation.
    batch_size : int, optional
        Most model rows per call inside a partition (see *Memory* below).
        Default: the explainer's ``batch_size``, else ``explain_batch``'s
        default (groups of about 20 000 perturbed samples).
    columns : sequence, optional
        Columns of ``ddf`` to explain, in the explainer's feature order.
        Default: the columns the explainer was fitted on (for an explainer
        built from an array, its ``feature_names``).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; one row per (explained row, label, selected feature) with
        columns ``row_id`` (the ``ddf`` index value, with the index dtype),
        ``label`` (int64), ``class_name``, ``rank`` (int64, 1 = strongest),
        ``feature``, ``description``, ``value`` (strings) and ``weight``
        (float64). Within a partition the index is a fresh ``RangeIndex``; use
        ``row_id`` to join back to ``ddf``.

    Raises
    ------
    ImportError
        If Dask is not installed (``pip install 'limekit[dask]'``).
    TypeError
        If ``ddf`` is not a Dask DataFrame.
    ValueError
        If ``ddf`` lacks one of ``columns``.

    Notes
    -----
    **Memory.** A partition is never explained all at once: ``explain_batch``
    draws, decodes and scores its rows in groups of
    ``max(1, batch_size // num_samples)`` rows, so a worker holds at most one
    group's ``batch_size × n_features`` perturbed inputs (plus the model's
    output for them) at a time, whatever the partition size. What grows with
    the partition is only the input rows and the result, about
    ``num_features × labels`` small rows per explained row. Peak memory per
    worker therefore stays flat as the total number of rows grows; lower
    ``batch_size`` if a wide model input or a memory-hungry model needs it.

    **Parallelism.** One task per partition; use at least as many partitions
    as worker threads. ``explain_batch``'s own ``n_jobs`` is left at 1:
    Dask provides the parallelism.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit import TabularExplainer
    >>> from limekit.dask import explain_dataframe
    >>> data = load_iris(as_frame=True)
    >>> X, y = data.data, data.target
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> explainer = TabularExplainer(X, random_state=0)
    >>> ddf = dd.from_pandas(X.iloc[:6], npartitions=2)
    >>> weights = explain_dataframe(ddf, explainer, model, num_features=2, num_samples=500)
    >>> list(weights.columns)
    ['row_id', 'label', 'class_name', 'rank', 'feature', 'description', 'value', 'weight']
    >>> frame = weights.compute()  # the default (threaded) scheduler, without a Client
    >>> frame.groupby("row_id").size().tolist()
    [2, 2, 2, 2, 2, 2]

    On a cluster, create a ``dask.distributed.Client`` first; ``compute()``
    then runs on its workers.
    """
    require("dask")
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # dask without its dataframe extra (pyarrow)
        raise ImportError(
            "dask.dataframe is needed by limekit.dask but could not be imported "
            f"({exc}); install it with: pip install 'limekit[dask]' 'dask[dataframe]'"
        ) from exc
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(
            f"ddf must be a dask.dataframe.DataFrame, got {type(ddf).__name__}; "
            "wrap a pandas DataFrame with dask.dataframe.from_pandas(df, npartitions=...) "
            "or use explainer.explain_batch(df, model) directly."
        )
    training = _training_columns(explainer)
    cols = list(columns) if columns is not None else training
    if len(cols) != len(training):
        raise ValueError(
            f"columns names {len(cols)} columns but the explainer was fitted on "
            f"{len(training)} ({training!r}); name one ddf column per explainer feature, in "
            "the explainer's order."
        )
    missing = [c for c in cols if c not in ddf.columns]
    if missing:
        raise ValueError(
            f"ddf lacks the column(s) {missing!r} the explainer needs; pass columns=[...] "
            f"naming the ddf columns in the explainer's feature order (ddf has "
            f"{list(ddf.columns)!r})."
        )
    options = {"labels": None if labels is None else list(labels), "top_labels": top_labels,
               "num_features": num_features, "num_samples": num_samples,
               "batch_size": batch_size}
    index_dtype = ddf.index.dtype
    return ddf[cols].map_partitions(_explain_partition, explainer, model, cols, options,
                                    index_dtype, training,
                                    meta=explanation_meta(index_dtype),
                                    align_dataframes=False)
