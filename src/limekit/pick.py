"""SP-LIME: choose a few explanations that together show what the model relies on.

Submodular pick (Ribeiro, Singh & Guestrin, KDD 2016, §4) turns many local
explanations into a short, non-redundant overview of a model. From ``n``
explanations over ``d`` interpretable features it builds

* the explanation matrix ``W`` (``n × d``): ``W[i, j]`` is the absolute weight
  of feature ``j`` in explanation ``i``, summed over the explained labels;
* the global importance ``I[j] = sqrt(sum_i W[i, j])``;
* the coverage of a set ``V`` of explanations,
  ``c(V) = sum_j I[j] * [some i in V has W[i, j] > 0]``,

and greedily adds the explanation with the largest coverage gain until
``budget`` are chosen. Coverage is monotone submodular, so the greedy set is
within a factor ``1 - 1/e`` of the best set of that size.

Which features are "the same" across explanations
-------------------------------------------------
``features="names"`` matches features by :attr:`Explanation.feature_names`.
For tabular and time-series explanations these are the columns, identical for
every explanation of one explainer, and ``W`` has one column per feature in
that order. Explanations whose names differ come from different feature
spaces and are rejected, except text, where each document has its own words.
Image features are superpixels numbered per image (``"segment 3"``), so they
mean the same thing across images only with a shared segmentation (e.g. a
fixed grid); images with different numbers of segments are rejected.

``features="descriptions"`` matches features by
:attr:`Explanation.feature_descriptions`, the strings ``as_list`` shows: the
words of a text, or a tabular feature's bin for *this* instance
(``"age <= 37.00"``), so different bins of one column count as different
features. This is what ``lime``'s ``SubmodularPick`` does.

``features="auto"`` (default) uses the words for text explanations (the
descriptions; for bag-of-words text they equal the names, and with
``bow=False`` the names carry a position, which no other text shares) and the
names otherwise. When the features are matched across explanations that do
not all share the same list, ``W`` has one column per distinct feature that
carries a weight, in order of first appearance.

Differences from ``lime``
-------------------------
* ``W`` sums absolute weights over labels, ``sum_l |w_l|`` as in the paper;
  lime takes ``|sum_l w_l|``, which cancels for a binary classifier explained
  for both classes. With one label per explanation (lime's default
  ``top_labels=1``) the two agree.
* Ties (equal gains up to rounding, ``1e-12`` relative to ``sum(I)``) go to
  the explanation with the largest index, which is what lime's loop does for
  exact ties.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ._random import check_random_state
from .explanation import Explanation

__all__ = ["PickResult", "submodular_pick", "pick_explanations"]

_FEATURES = ("auto", "names", "descriptions")
#: Gains closer than this (relative to the total importance) are a tie: summing the
#: same importances in another order must not decide which explanation is picked.
_TIE_RTOL = 1e-12


@dataclasses.dataclass(frozen=True, eq=False)
class PickResult:
    """The explanations chosen by :func:`submodular_pick`, and how they were chosen.

    Attributes
    ----------
    indices : ndarray of int, shape (n_picked,)
        Positions of the picked explanations in the input, in pick order.
    gains : ndarray of float, shape (n_picked,)
        Coverage added by each pick (non-increasing: coverage is submodular).
    coverage : float
        Coverage of the picked set, ``sum(gains)``.
    importance : ndarray of float, shape (n_features,)
        Global importance ``I[j] = sqrt(sum_i W[i, j])`` of every feature.
    W : ndarray of float, shape (n_explanations, n_features)
        The explanation matrix: absolute weights summed over the counted labels.
    feature_names : tuple of str
        The feature of every column of ``W``.
    explanations : tuple of Explanation
        The picked explanations, in pick order.
    sample_indices : ndarray of int or None
        :func:`pick_explanations` only: the row of ``X`` that each explanation
        (each row of ``W``) explains, so ``sample_indices[indices]`` are the
        picked rows of ``X``.
    """

    indices: np.ndarray
    gains: np.ndarray
    coverage: float
    importance: np.ndarray
    W: np.ndarray
    feature_names: tuple[str, ...]
    explanations: tuple[Explanation, ...]
    sample_indices: np.ndarray | None = None

    @property
    def total_importance(self) -> float:
        """Coverage of all explanations together, ``sum(importance)``."""
        return float(self.importance.sum())

    @property
    def coverage_fraction(self) -> float:
        """``coverage / total_importance`` (0 when no feature carries any weight)."""
        total = self.total_importance
        return self.coverage / total if total > 0 else 0.0

    @property
    def rows(self) -> np.ndarray | None:
        """The picked rows of ``X`` (:func:`pick_explanations`), else ``None``."""
        return None if self.sample_indices is None else self.sample_indices[self.indices]

    def newly_covered(self) -> list[list[str]]:
        """For every pick, the features it covered first, most important first.

        Returns
        -------
        list of list of str
            One list per pick, in pick order: the names of the features the
            pick was the first to cover, by decreasing global importance.
        """
        present = self.W > 0
        covered = np.zeros(self.W.shape[1], dtype=bool)
        out = []
        for i in self.indices:
            new = np.flatnonzero(present[i] & ~covered)
            new = new[np.argsort(-self.importance[new], kind="stable")]
            out.append([self.feature_names[j] for j in new])
            covered |= present[i]
        return out

    def to_frame(self):
        """Tabulate the picks as a data frame, one row per pick.

        Returns
        -------
        pandas.DataFrame
            Columns ``step`` (from 1), ``index`` (position in the explanations),
            ``row`` (only from :func:`pick_explanations`: the picked row of
            ``X``), ``gain``, ``coverage`` (cumulative), ``coverage_fraction``
            and ``new_features`` (the features the pick covered first,
            comma-separated, most important first).
        """
        import pandas as pd

        cumulative = np.cumsum(self.gains)
        total = self.total_importance
        data: dict[str, Any] = {
            "step": np.arange(1, self.indices.size + 1),
            "index": self.indices,
        }
        if self.sample_indices is not None:
            data["row"] = self.rows
        data["gain"] = self.gains
        data["coverage"] = cumulative
        data["coverage_fraction"] = cumulative / total if total > 0 else np.zeros_like(cumulative)
        data["new_features"] = [", ".join(f) for f in self.newly_covered()]
        return pd.DataFrame(data)

    def __str__(self) -> str:
        n, d = self.W.shape
        lines = [
            f"SP-LIME pick: {self.indices.size} of {n} explanations; coverage "
            f"{self.coverage:.4g} of {self.total_importance:.4g} "
            f"({100 * self.coverage_fraction:.1f}%) over {d} features",
            f"{'step':>4}  {'index':>6}  {'gain':>9}  {'coverage':>9}  newly covered",
        ]
        cumulative = np.cumsum(self.gains)
        for step, (i, g, c, new) in enumerate(
                zip(self.indices, self.gains, cumulative, self.newly_covered(), strict=True), 1):
            text = ", ".join(new) if new else "-"
            if len(text) > 48:  # keep one line per pick on an 80-column terminal
                text = text[:45] + "..."
            lines.append(f"{step:>4}  {int(i):>6}  {g:>9.4g}  {c:>9.4g}  {text}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<PickResult indices={self.indices.tolist()} coverage={self.coverage:.4g} "
                f"({100 * self.coverage_fraction:.1f}%) n_explanations={self.W.shape[0]} "
                f"n_features={self.W.shape[1]}>")


# ---------------------------------------------------------------------- core
def _check_budget(budget: Any) -> int:
    if isinstance(budget, (bool, np.bool_)) or not isinstance(budget, (int, np.integer)):
        raise TypeError(f"budget must be an int (the number of explanations to pick), "
                        f"got {type(budget).__name__}")
    if budget < 1:
        raise ValueError(f"budget must be at least 1, got {budget}")
    return int(budget)


def _warn_budget(budget: int, n: int, stacklevel: int) -> None:
    """lime's behaviour for a budget above the number of explanations: warn, return all."""
    if budget > n:
        warnings.warn(
            f"budget={budget} is larger than the number of explanations ({n}); all {n} are "
            "returned, in pick order.", UserWarning, stacklevel=stacklevel + 1)


def _greedy_coverage(W: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy SP-LIME on a non-negative explanation matrix.

    Returns the picked rows (in order), their coverage gains and the importance
    vector. ``min(budget, n)`` rows are picked; ties go to the largest row index,
    as in lime (its loop keeps the last maximum, visiting rows in increasing order).
    """
    n, d = W.shape
    importance = np.sqrt(W.sum(axis=0))
    present = W > 0
    covered = np.zeros(d, dtype=bool)
    available = np.ones(n, dtype=bool)
    tol = _TIE_RTOL * float(importance.sum())
    picks = np.empty(min(budget, n), dtype=np.intp)
    gains = np.empty(picks.size, dtype=float)
    for step in range(picks.size):
        gain = np.where(present & ~covered, importance, 0.0).sum(axis=1)
        gain[~available] = -np.inf
        best = int(np.flatnonzero(gain >= gain.max() - tol)[-1])
        picks[step], gains[step] = best, gain[best]
        covered |= present[best]
        available[best] = False
    return picks, gains, importance


def _as_explanations(explanations: Any) -> list[Explanation]:
    if isinstance(explanations, Explanation):
        raise TypeError("submodular_pick takes a list of explanations, not a single one; "
                        "pass [explanation] or the result of explain_batch")
    if not isinstance(explanations, Iterable) or isinstance(explanations, (str, bytes)):
        raise TypeError(f"explanations must be a sequence of limekit Explanations, got "
                        f"{type(explanations).__name__}")
    exps = list(explanations)
    if not exps:
        raise ValueError("explanations is empty; explain some instances first "
                         "(e.g. explainer.explain_batch(X, model))")
    for i, e in enumerate(exps):
        if not isinstance(e, Explanation):
            hint = (" (a limekit.compat explanation: pass its .native, or use "
                    "limekit.compat.submodular_pick.SubmodularPick)" if hasattr(e, "native")
                    else "")
            raise TypeError(f"explanations[{i}] is a {type(e).__name__}, not a "
                            f"limekit.Explanation{hint}")
    for attr, what in (("kind", "kinds"), ("mode", "modes")):
        values = [getattr(e, attr) for e in exps]
        if len(set(values)) > 1:
            j = next(k for k, v in enumerate(values) if v != values[0])
            raise ValueError(
                f"explanations mix {what}: explanations[0] is {values[0]!r} but "
                f"explanations[{j}] is {values[j]!r}; pick among explanations of one "
                "explainer and one model.")
    return exps


def _labels_of(exp: Explanation, i: int, label: int | None) -> list[int]:
    if label is None:
        return exp.labels
    if label not in exp.label_explanations:
        raise ValueError(
            f"label {label} was not explained in explanations[{i}] (its labels are "
            f"{exp.labels}); explain it (labels=[{label}] or top_labels) or pass label=None "
            "to sum over each explanation's labels.")
    return [label]


def _explanation_matrix(exps: list[Explanation], label: int | None, features: str
                        ) -> tuple[np.ndarray, tuple[str, ...]]:
    """``W`` (absolute weights summed over labels) and the feature of each column."""
    kind = exps[0].kind
    if features == "auto":
        features = "descriptions" if kind == "text" else "names"
    keys = [e.feature_names if features == "names" else e.feature_descriptions for e in exps]
    shared = all(k == keys[0] for k in keys) and len(set(keys[0])) == len(keys[0])
    if not shared and features == "names" and kind != "text":
        j = next((k for k, v in enumerate(keys) if v != keys[0]), 0)
        raise ValueError(
            f"explanations[0] and explanations[{j}] have different feature_names, so their "
            "weights cannot be compared; pick among explanations of one explainer, or pass "
            "features='descriptions' to match features by their description strings.")

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    column: dict[str, int] = {name: j for j, name in enumerate(keys[0])} if shared else {}
    for i, (exp, names) in enumerate(zip(exps, keys, strict=True)):
        per_feature: dict[int, float] = {}
        for lab in _labels_of(exp, i, label):
            for j, w in exp.label_explanations[lab].weights:
                per_feature[j] = per_feature.get(j, 0.0) + abs(w)
        for j in sorted(per_feature):
            rows.append(i)
            cols.append(column.setdefault(names[j], len(column)))
            vals.append(per_feature[j])
    W = np.zeros((len(exps), len(column)))
    # several features of one explanation may share a description (a repeated word)
    np.add.at(W, (np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)),
              np.asarray(vals, dtype=float))
    return W, tuple(column)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# ----------------------------------------------------------------------- API
def submodular_pick(explanations: Sequence[Explanation], budget: int, label: int | None = None,
                    features: str = "auto") -> PickResult:
    """Pick ``budget`` explanations that together cover the most important features.

    Parameters
    ----------
    explanations : sequence of Explanation
        Explanations from one limekit explainer (tabular, text, image or time
        series), e.g. the result of ``explainer.explain_batch(X, model)``.
    budget : int
        How many explanations to pick (``B`` in the paper). If it exceeds
        ``len(explanations)``, all are returned, in pick order, with a warning
        (as lime does).
    label : int, optional
        Count only this label's weights (every explanation must have it).
        Default: sum over each explanation's explained labels, as lime does.
    features : {"auto", "names", "descriptions"}, default "auto"
        How features are matched across explanations (see the module
        docstring): by ``feature_names`` (columns; the default except for
        text), or by ``feature_descriptions`` (words for text, the default
        there; per-instance bins for tabular, as lime does).

    Returns
    -------
    PickResult
        The picked explanations and their indices in pick order, each pick's
        coverage gain, the total coverage, and the explanation matrix ``W``
        with the global feature importances.

    Raises
    ------
    TypeError
        If ``budget`` is not an int or ``explanations`` holds something else
        than limekit Explanations.
    ValueError
        If ``budget < 1``, ``explanations`` is empty, mixes kinds (tabular,
        text, ...) or modes, ``label`` was not explained, ``features`` is
        unknown, or (``features="names"``, not text) the explanations have
        different feature names.

    Examples
    --------
    >>> from limekit import TextExplainer
    >>> from limekit.pick import submodular_pick
    >>> def model(texts):  # P(positive) rises with "good", falls with "bad"
    ...     return [[0.5 - 0.4 * ("good" in t.split()) + 0.4 * ("bad" in t.split()),
    ...              0.5 + 0.4 * ("good" in t.split()) - 0.4 * ("bad" in t.split())]
    ...             for t in texts]
    >>> docs = ["a good film", "good acting", "a good plot", "bad acting", "a bad film"]
    >>> exps = TextExplainer(random_state=0).explain_batch(
    ...     docs, model, num_features=1, num_samples=200, progress=False)
    >>> result = submodular_pick(exps, budget=2)
    >>> [e.as_list()[0][0] for e in result.explanations]  # one "good", one "bad"
    ['good', 'bad']
    >>> result.coverage_fraction > 0.99
    True
    """
    budget, label = _check_options(budget, label, features)
    exps = _as_explanations(explanations)
    _warn_budget(budget, len(exps), stacklevel=2)
    return _pick(exps, budget, label, features)


def _check_options(budget: Any, label: Any, features: Any) -> tuple[int, int | None]:
    budget = _check_budget(budget)
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}, got {features!r}")
    if label is not None:
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
            raise TypeError(f"label must be an int or None, got {type(label).__name__}")
        label = int(label)
    return budget, label


def _pick(exps: list[Explanation], budget: int, label: int | None, features: str
          ) -> PickResult:
    W, names = _explanation_matrix(exps, label, features)
    picks, gains, importance = _greedy_coverage(W, budget)
    return PickResult(
        indices=_readonly(picks),
        gains=_readonly(gains),
        coverage=float(gains.sum()),
        importance=_readonly(importance),
        W=_readonly(W),
        feature_names=names,
        explanations=tuple(exps[i] for i in picks),
    )


def _take_rows(X: Any, idx: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    if isinstance(X, np.ndarray):
        return X[idx]
    return [X[int(i)] for i in idx]


def pick_explanations(explainer: Any, X: Any, model: Any, budget: int,
                      sample_size: int | None = None, random_state: int | None = None, *,
                      label: int | None = None, features: str = "auto",
                      **explain_kwargs: Any) -> PickResult:
    """Explain a random sample of ``X`` and pick ``budget`` explanations from it (SP-LIME).

    Parameters
    ----------
    explainer : limekit explainer
        Anything with ``explain_batch(X, model, **kwargs)`` returning
        explanations (:class:`~limekit.TabularExplainer`,
        :class:`~limekit.TextExplainer`, ...).
    X : DataFrame, ndarray or list
        Instances to choose from (rows of a table, texts, images, series).
    model : callable or estimator
        The model to explain.
    budget : int
        Number of explanations to pick.
    sample_size : int, optional
        Explain this many instances drawn without replacement (kept in the
        order of ``X``); default: all of ``X``.
    random_state : int, optional
        Seed of the sample. Default: the explainer's ``random_state``, so a
        seeded explainer gives a reproducible pick. No global RNG is used.
    label : int, optional
        Count only this label's weights; default: every explained label (see
        :func:`submodular_pick`).
    features : {"auto", "names", "descriptions"}, default "auto"
        How features are matched across explanations, as in
        :func:`submodular_pick`.
    **explain_kwargs
        Passed to ``explain_batch`` (``num_features``, ``num_samples``,
        ``top_labels``, ``progress``, ...).

    Returns
    -------
    PickResult
        With ``sample_indices`` (the row of ``X`` behind each explanation) and
        :attr:`PickResult.rows` (the picked rows).

    Raises
    ------
    TypeError, ValueError
        For an invalid ``budget`` or ``sample_size``, and as
        :func:`submodular_pick`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit import TabularExplainer
    >>> from limekit.pick import pick_explanations
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> result = pick_explanations(TabularExplainer(X, random_state=0), X, model, budget=3,
    ...                            sample_size=20, num_samples=300, progress=False)
    >>> result.W.shape, len(result.rows)
    ((20, 4), 3)
    """
    budget, label = _check_options(budget, label, features)
    if not hasattr(explainer, "explain_batch"):
        raise TypeError(f"explainer must have an explain_batch method (a limekit explainer), "
                        f"got {type(explainer).__name__}")
    if isinstance(X, (str, bytes)):
        raise TypeError("X must be a collection of instances (e.g. a list of texts), not a "
                        "single string")
    n = len(X)
    if n == 0:
        raise ValueError("X is empty; there is nothing to explain")
    if sample_size is None:
        idx = np.arange(n)
    else:
        if (isinstance(sample_size, (bool, np.bool_))
                or not isinstance(sample_size, (int, np.integer))):
            raise TypeError(f"sample_size must be an int or None, got "
                            f"{type(sample_size).__name__}")
        if not 1 <= sample_size <= n:
            raise ValueError(f"sample_size must be between 1 and len(X)={n}, got {sample_size}; "
                             "pass sample_size=None to explain all of X.")
        seed = getattr(explainer, "random_state", None) if random_state is None else random_state
        rng = np.random.default_rng(check_random_state(seed))
        idx = np.sort(rng.choice(n, size=int(sample_size), replace=False))
    exps = _as_explanations(explainer.explain_batch(_take_rows(X, idx), model,
                                                    **explain_kwargs))
    _warn_budget(budget, len(exps), stacklevel=2)
    result = _pick(exps, budget, label, features)
    return dataclasses.replace(result, sample_indices=_readonly(idx))
