"""Stability: do repeated explanations of one instance agree?

Explain the same instance several times (different seeds, or the same seed
with different neighbourhood sizes) and compare the runs pairwise
(see :doc:`/methods/metrics`):

* :func:`jaccard_at_k`: overlap of the top-k feature sets (by ``|weight|``);
* :func:`kendall_tau`: rank correlation of the full importance rankings;
* :func:`sign_agreement`: whether the runs agree on the direction of the
  features either of them ranks in its top k.

Each function returns the mean over all ``n_runs · (n_runs - 1) / 2`` pairs of
runs, and accepts a list of limekit Explanations or an ``(n_runs, d)`` array of
weights from any explainer.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import kendalltau

from ._weights import _check_count, attribution_matrix

__all__ = ["StabilityReport", "jaccard_at_k", "kendall_tau", "sign_agreement",
           "stability_report"]


@dataclass(frozen=True)
class StabilityReport:
    """Pairwise agreement between repeated explanations of one instance.

    Attributes
    ----------
    jaccard : float
        Mean pairwise Jaccard index of the top-k feature sets (1 = identical sets).
    kendall_tau : float
        Mean pairwise Kendall τ-b of the ``|weight|`` rankings (1 = same order);
        NaN if some run gives every feature the same ``|weight|``.
    sign_agreement : float
        Mean pairwise share of top-k-union features whose signs agree.
    k : int
    n_runs : int
    """

    jaccard: float
    kendall_tau: float
    sign_agreement: float
    k: int
    n_runs: int

    def to_dict(self) -> dict[str, Any]:
        """Convert the report to a JSON-compatible dict.

        Returns
        -------
        dict
            ``jaccard``, ``kendall_tau``, ``sign_agreement``, ``k`` and ``n_runs``;
            an undefined (NaN) figure becomes ``None``.
        """
        def f(x: float) -> float | None:
            return None if math.isnan(x) else float(x)

        return {"jaccard": f(self.jaccard), "kendall_tau": f(self.kendall_tau),
                "sign_agreement": f(self.sign_agreement), "k": int(self.k),
                "n_runs": int(self.n_runs)}


def jaccard_at_k(attributions: Any, k: int = 5, label: int | None = None) -> float:
    """Mean pairwise Jaccard index of the top-``k`` features across runs.

    Parameters
    ----------
    attributions : array-like of shape (n_runs, d), or sequence of Explanations
        One row (or Explanation) per run, all over the same ``d`` features.
    k : int, default 5
        Size of the top set, ranked by ``|weight|``; ties are broken by the
        lower feature index so the result is deterministic.
    label : int, optional
        Label to use from each Explanation (default: each one's first label).

    Returns
    -------
    float in [0, 1]
        The mean over all pairs of runs; 1 when every run selects the same top set.

    Notes
    -----
    An Explanation gives weight 0 to the features it did not select. If a run
    has fewer than ``k`` non-zero weights its top-k set is filled up with
    zero-weight features in index order, which says nothing about the model; a
    ``UserWarning`` is raised then: pick ``k <= num_features``.

    Examples
    --------
    >>> jaccard_at_k([[3.0, 2.0, 1.0, 0.0], [0.0, 3.0, 2.0, 1.0]], k=2)
    0.3333333333333333
    """
    return _jaccard(*_prepare(attributions, k, label))


def _jaccard(A: np.ndarray, k: int) -> float:
    M = _top_k_mask(A, k).astype(float)
    inter = M @ M.T
    iu = np.triu_indices(A.shape[0], 1)
    # |S_i ∪ S_j| = 2k - |S_i ∩ S_j| because every set has exactly k members
    return float(np.mean(inter[iu] / (2 * k - inter[iu])))


def kendall_tau(attributions: Any, label: int | None = None) -> float:
    """Mean pairwise Kendall τ-b between the runs' importance rankings.

    Features are ranked by ``|weight|`` (importance, regardless of direction);
    τ-b accounts for ties, e.g. the zero weights of features an Explanation
    did not select.

    Parameters
    ----------
    attributions : array-like of shape (n_runs, d), or sequence of Explanations
        One row (or Explanation) per run, all over the same ``d`` features.
    label : int, optional
        Label to use from each Explanation.

    Returns
    -------
    float in [-1, 1]
        NaN when a run gives all features the same ``|weight|`` (its ranking,
        and so τ, is undefined).

    Examples
    --------
    >>> kendall_tau([[3.0, 2.0, 1.0], [-3.0, 2.0, 1.0]])
    1.0
    >>> kendall_tau([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    -1.0
    """
    return _kendall(_prepare(attributions, None, label)[0])


def _kendall(A: np.ndarray) -> float:
    importance = np.abs(A)
    n = A.shape[0]
    constant = np.ptp(importance, axis=1) == 0
    taus = []
    for i in range(n):
        for j in range(i + 1, n):
            if constant[i] or constant[j]:
                taus.append(math.nan)  # scipy would warn; the ranking is undefined
            else:
                taus.append(kendalltau(importance[i], importance[j]).statistic)
    return float(np.mean(taus))


def sign_agreement(attributions: Any, k: int = 5, label: int | None = None) -> float:
    """Mean pairwise sign agreement on the union of the two runs' top-``k`` features.

    For runs ``i`` and ``j`` with top-k sets ``S_i``, ``S_j`` (as in
    :func:`jaccard_at_k`), the share of features ``f`` in ``S_i ∪ S_j`` with
    ``sign(a_i[f]) == sign(a_j[f])``. A feature one run did not select
    (weight 0) disagrees with a signed weight in the other run.

    Parameters
    ----------
    attributions : array-like of shape (n_runs, d), or sequence of Explanations
        One row (or Explanation) per run, all over the same ``d`` features.
    k : int, default 5
        Size of each run's top set, ranked by ``|weight|``.
    label : int, optional
        Label to use from each Explanation (default: each one's first label).

    Returns
    -------
    float in [0, 1]
        The mean over all pairs of runs; 1 when the signs always agree.

    Examples
    --------
    >>> sign_agreement([[3.0, -2.0, 0.1], [3.0, 2.0, 0.1]], k=2)
    0.5
    """
    return _signs(*_prepare(attributions, k, label))


def _signs(A: np.ndarray, k: int) -> float:
    M = _top_k_mask(A, k)
    S = np.sign(A)
    iu, ju = np.triu_indices(A.shape[0], 1)
    union = M[iu] | M[ju]
    agree = union & (S[iu] == S[ju])
    return float(np.mean(agree.sum(axis=1) / union.sum(axis=1)))


def stability_report(attributions: Any, k: int = 5, label: int | None = None) -> StabilityReport:
    """All stability figures at once.

    Parameters
    ----------
    attributions : array-like of shape (n_runs, d), or sequence of Explanations
        One row (or Explanation) per run, all over the same ``d`` features.
    k : int, default 5
        Top-k size for the Jaccard index and sign agreement.
    label : int, optional
        Label to use from each Explanation (default: each one's first label).

    Returns
    -------
    StabilityReport
        The Jaccard index, Kendall's τ and sign agreement across the runs.

    Examples
    --------
    >>> runs = [[0.5, -0.2, 0.1, 0.0], [0.4, -0.3, 0.0, 0.1], [0.6, -0.25, 0.2, 0.0]]
    >>> report = stability_report(runs, k=2)
    >>> report.jaccard, report.sign_agreement, report.n_runs
    (1.0, 1.0, 3)
    """
    A, k = _prepare(attributions, k, label)
    return StabilityReport(jaccard=_jaccard(A, k), kendall_tau=_kendall(A),
                           sign_agreement=_signs(A, k), k=k, n_runs=A.shape[0])


# ------------------------------------------------------------------ helpers
def _prepare(attributions: Any, k: int | None, label: int | None) -> tuple[np.ndarray, int]:
    A = attribution_matrix(attributions, label)
    n, d = A.shape
    if n < 2:
        raise ValueError(
            f"stability needs at least 2 runs to compare, got {n}; pass one row (or "
            "Explanation) per run."
        )
    if k is None:
        return A, d
    k = _check_count(k, "k")
    if k > d:
        raise ValueError(f"k={k} is larger than the number of features ({d}); use k <= {d}")
    short = np.flatnonzero(np.count_nonzero(A, axis=1) < k)
    if short.size:
        warnings.warn(
            f"run(s) {short.tolist()} have fewer than k={k} non-zero weights; their top-k sets "
            "are filled with zero-weight features in index order. Use k <= num_features.",
            UserWarning, stacklevel=3,
        )
    return A, k


def _top_k_mask(A: np.ndarray, k: int) -> np.ndarray:
    # stable sort on -|a|: among equal |a| the lower index comes first
    order = np.argsort(-np.abs(A), axis=1, kind="stable")[:, :k]
    M = np.zeros(A.shape, dtype=bool)
    np.put_along_axis(M, order, True, axis=1)
    return M


def explain_with_stability(explainer: Any, instance: Any, model: Any, n_runs: int = 5,
                           k: int = 5, **explain_kwargs: Any):
    """Explain ``instance`` and attach how stable the explanation is across seeds.

    The explainer is run with ``n_runs`` seeds (its own ``random_state``, then
    ``random_state + 1, ...``; 0, 1, ... when it has none); the first run is
    returned with ``diagnostics["stability"]`` holding the
    :class:`StabilityReport` of all runs (shown in every rendering). Costs
    ``n_runs`` explanations.

    Parameters
    ----------
    explainer : object
        Any limekit explainer with ``random_state`` and ``explain``.
    instance, model : object
        As for ``explainer.explain``.
    n_runs : int, default 5
        Number of explanations, each with its own seed.
    k : int, default 5
        Top-k size for the Jaccard index and sign agreement.
    **explain_kwargs
        Passed to ``explain``.

    Returns
    -------
    Explanation
        The first run's explanation, with ``diagnostics["stability"]`` set.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit import TabularExplainer
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> exp = explain_with_stability(TabularExplainer(X, random_state=0), X[0], model,
    ...                              n_runs=3, k=2, num_samples=500)
    >>> sorted(exp.diagnostics["stability"])
    ['jaccard', 'k', 'kendall_tau', 'n_runs', 'sign_agreement']
    """
    import copy
    import dataclasses

    if isinstance(n_runs, bool) or not isinstance(n_runs, (int, np.integer)) or n_runs < 2:
        raise ValueError(f"n_runs must be an int >= 2 to compare seeds, got {n_runs!r}")
    base = getattr(explainer, "random_state", None)
    base = 0 if base is None else int(base)
    runs = []
    for i in range(int(n_runs)):
        seeded = copy.copy(explainer)
        seeded.random_state = base + i
        runs.append(seeded.explain(instance, model, **explain_kwargs))
    label = runs[0].labels[0]
    report = stability_report(runs, k=min(k, len(runs[0].feature_names)), label=label)
    diagnostics = dict(runs[0].diagnostics or {})
    diagnostics["stability"] = report.to_dict()
    return dataclasses.replace(runs[0], diagnostics=diagnostics)
