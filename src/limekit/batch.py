"""Many explanations at once: the result container and the group runner.

Explainers split the rows to explain into groups whose neighbourhoods are
decoded and scored together (one model call per group, memory bounded by the
group); this module runs those groups, serially or with joblib, behind an
optional tqdm progress bar, and collects the explanations in row order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .explanation import Explanation

__all__ = ["ExplanationBatch", "run_groups"]

FRAME_COLUMNS = ["row_id", "label", "class_name", "rank", "feature", "description", "value",
                 "weight"]


class ExplanationBatch(list):
    """A list of :class:`~limekit.explanation.Explanation`, one per explained row.

    Parameters
    ----------
    explanations : sequence of Explanation
        The explanations, one per row, in row order.
    row_ids : sequence, optional
        Identifier of each row (the DataFrame index, or positions).
    """

    def __init__(self, explanations: Sequence[Explanation], row_ids: Sequence | None = None):
        super().__init__(explanations)
        self.row_ids = list(range(len(self)) if row_ids is None else row_ids)
        if len(self.row_ids) != len(self):
            raise ValueError(f"{len(self.row_ids)} row ids for {len(self)} explanations")

    def to_frame(self) -> pd.DataFrame:
        """Tabulate every explanation in one tidy data frame.

        Returns
        -------
        pandas.DataFrame
            A row per (explained row, label, selected feature), with columns
            ``row_id, label, class_name, rank, feature, description, value, weight``.
        """
        frames = []
        for rid, exp in zip(self.row_ids, self, strict=True):
            f = exp.to_frame()
            f.insert(0, "row_id", [rid] * len(f))
            frames.append(f)
        if not frames:
            return pd.DataFrame(columns=FRAME_COLUMNS)
        return pd.concat(frames, ignore_index=True)[FRAME_COLUMNS]

    def __reduce__(self):
        return (ExplanationBatch, (list(self), self.row_ids))

    def __repr__(self) -> str:
        return f"<ExplanationBatch of {len(self)} explanations>"


def run_groups(fn: Callable[..., list], groups: list[list], args: tuple, *, n_jobs: int = 1,
               progress: bool = True, unit: str = "rows", total: int | None = None,
               tasks_per_worker: int = 4, max_groups_per_task: int = 64) -> list:
    """Call ``fn(group, *args)`` for every group and concatenate the results in group order.

    With ``n_jobs != 1`` the groups run in joblib workers (``fn``'s owner and
    ``args`` must pickle), consecutive groups packed into equal tasks, at least
    ``tasks_per_worker`` per worker and at most ``max_groups_per_task`` groups
    each (:func:`_task_sizes`). Every task ships the explainer and the model to
    its worker and waits on the parent for dispatch (a few ms for a tabular
    explainer: the work of ~4 rows), so one task per small group wasted a fifth
    of the workers' time; equal tasks (a tabular group's cost barely varies)
    keep the workers finishing together, and the cap keeps the progress bar
    moving on long runs. Results never depend on ``n_jobs``: each explanation's
    randomness comes from its own row.

    Parameters
    ----------
    fn : callable
        Called as ``fn(group, *args)``; returns a list of results.
    groups : list of list
        The groups of work items (rows, instances).
    args : tuple
        Further positional arguments of ``fn``, shared by every group.
    n_jobs : int, default 1
        Number of joblib workers; ``-1`` uses all cores, ``1`` runs serially.
    progress : bool, default True
        Show a tqdm progress bar (when tqdm is installed and there is more
        than one group).
    unit : str, default "rows"
        The progress bar's unit.
    total : int, optional
        The progress bar's total (the number of results expected).
    tasks_per_worker : int, default 4
        Minimum number of tasks per worker when running in parallel.
    max_groups_per_task : int, default 64
        Maximum number of groups packed into one task.

    Returns
    -------
    list
        The concatenated results of every call, in group order.

    Raises
    ------
    ValueError
        If ``n_jobs`` is not a non-zero int.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int (-1 for all cores), got {n_jobs!r}")
    bar = _progress_bar(progress and len(groups) > 1, total, unit)
    out: list = []
    try:
        if n_jobs == 1:
            results: Any = (fn(g, *args) for g in groups)
        else:
            from joblib import Parallel, delayed, effective_n_jobs

            tasks, start = [], 0
            for size in _task_sizes(len(groups), effective_n_jobs(n_jobs), tasks_per_worker,
                                    max_groups_per_task):
                tasks.append(groups[start : start + size])
                start += size
            results = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_run_task)(fn, task, args) for task in tasks)
        for res in results:
            out.extend(res)
            if bar is not None:
                bar.update(len(res))
    finally:
        if bar is not None:
            bar.close()
    return out


def _task_sizes(n_groups: int, workers: int, tasks_per_worker: int,
                max_groups: int) -> list[int]:
    """Sizes of equal (±1) consecutive tasks covering ``n_groups`` groups: at least
    ``workers · tasks_per_worker`` tasks, none above ``max_groups`` groups."""
    n_tasks = min(n_groups, max(workers * tasks_per_worker, -(-n_groups // max_groups)))
    q, r = divmod(n_groups, n_tasks)
    return [q + (i < r) for i in range(n_tasks)]


def _run_task(fn: Callable[..., list], groups: list[list], args: tuple) -> list:
    """One worker task: ``fn`` over consecutive groups, results concatenated."""
    out: list = []
    for group in groups:
        out.extend(fn(group, *args))
    return out


def _progress_bar(enabled: bool, total: int | None, unit: str):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress bars are an optional extra
        return None
    return tqdm(total=total, unit=unit, desc="explaining", leave=False)


class BatchExplainMixin:
    """``explain_batch`` for explainers whose instances are explained one at a time
    (text, images, series): each instance's explanation equals ``explain(instance)``,
    run serially or in joblib workers, with a progress bar."""

    def explain_batch(self, instances, model: Any, *, n_jobs: int = 1, progress: bool = True,
                      **explain_kwargs: Any) -> ExplanationBatch:
        """Explain every instance of ``instances``; keyword arguments go to ``explain``.

        Parameters
        ----------
        instances : sequence
            Texts (a list of str), images (a list or an array stacked on the
            first axis), or series, as :meth:`explain` takes them one by one.
        model : callable or estimator
            The model to explain, as :meth:`explain` takes it.
        n_jobs : int, default 1
            Instances explained in parallel with joblib (``-1``: all cores).
        progress : bool, default True
            Show a tqdm progress bar (when tqdm is installed).
        **explain_kwargs
            Passed on to :meth:`explain` (``labels``, ``num_samples``, ...).

        Returns
        -------
        ExplanationBatch
            One explanation per instance, in order; each equals
            ``explain(instance, model, **explain_kwargs)``.
        """
        if isinstance(instances, (str, bytes)):
            raise TypeError("explain_batch takes a sequence of instances (e.g. a list of "
                            "texts); use explain() for a single one")
        items = list(instances)
        if not items:
            raise ValueError("there are no instances to explain")
        results = run_groups(self._explain_each, [[(i, x)] for i, x in enumerate(items)],
                             (model, explain_kwargs),
                             n_jobs=n_jobs, progress=progress, unit="instances",
                             total=len(items), tasks_per_worker=32, max_groups_per_task=8)
        return ExplanationBatch(results)

    def _explain_each(self, group: list, model: Any, kwargs: dict) -> list:
        out = []
        for i, x in group:
            try:
                out.append(self.explain(x, model, **kwargs))
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"instance {i}: {exc}") from exc
        return out
