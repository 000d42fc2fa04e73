"""lime's ``lime.submodular_pick`` API: SP-LIME with lime's signature and attributes.

Change ``from lime.submodular_pick import SubmodularPick`` to
``from limekit.compat.submodular_pick import SubmodularPick``.
:class:`SubmodularPick` explains instances with any lime-style explainer
(``explain_instance``), builds lime's explanation matrix from the
explanations' ``as_list`` strings and picks with limekit's greedy coverage
(:mod:`limekit.pick`).

Differences from lime
---------------------
* Reproducible sampling: ``method="sample"`` draws the instances with a
  ``numpy.random.Generator`` seeded from ``explainer.random_state`` (the
  integer seed of a :mod:`limekit.compat` explainer; a
  ``numpy.random.RandomState`` is asked for one seed), never with the global
  ``np.random`` state that lime shuffles. The same seeded explainer and data
  give the same sample and the same pick; with ``random_state=None`` the
  sample is fresh every time, as in lime.
* The explanation matrix sums absolute weights over labels (``sum |w|``, the
  paper's definition); lime takes ``|sum w|``, which cancels for a binary
  classifier explained for both classes. With lime's default
  ``top_labels=1`` both give the same matrix and the same pick.
* ``num_exps_desired`` must be an int (lime fails oddly for non-numbers); it
  is checked before anything is explained. ``0`` (or less) explains the
  sample and picks nothing, as in lime.
* ``data`` may be a pandas DataFrame (rows are passed as arrays).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..pick import _check_budget, _greedy_coverage, _warn_budget
from ._shared import _seed_from

__all__ = ["SubmodularPick"]


def _lime_matrix(explanations: list[Any]) -> np.ndarray:
    """lime's explanation matrix: one column per distinct ``as_list`` string.

    The labels are lime's: ``available_labels()`` for classification, the
    regression weights (label 1) otherwise.
    """
    column: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, exp in enumerate(explanations):
        labels = exp.available_labels() if exp.mode == "classification" else [1]
        for label in labels:
            for feature, value in exp.as_list(label=label):
                rows.append(i)
                cols.append(column.setdefault(feature, len(column)))
                vals.append(abs(float(value)))
    W = np.zeros((len(explanations), len(column)))
    np.add.at(W, (np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)),
              np.asarray(vals, dtype=float))
    return W


class SubmodularPick:
    """SP-LIME with lime 0.2.0.1's interface: explain many instances, keep a covering few.

    Parameters
    ----------
    explainer : lime-style explainer
        Anything with ``explain_instance(row, predict_fn, num_features=...,
        top_labels=..., **kwargs)``, e.g.
        :class:`~limekit.compat.lime_tabular.LimeTabularExplainer` or
        :class:`~limekit.compat.lime_text.LimeTextExplainer`.
    data : ndarray, DataFrame or list
        Instances; ``data[i]`` (``data.iloc[i]`` for a DataFrame) is passed to
        ``explain_instance``.
    predict_fn : callable
        The model's prediction function, as for ``explain_instance``.
    method : {"sample", "full"}, default "sample"
        Explain a random sample of ``sample_size`` instances, or all of ``data``.
    sample_size : int, default 1000
        Instances explained with ``method="sample"`` (all of them, with a
        warning, if ``data`` has fewer).
    num_exps_desired : int, default 5
        Explanations to pick (all, with a warning, if fewer were made).
    num_features : int, default 10
        Features per explanation.
    **kwargs
        Passed to ``explain_instance`` (``num_samples``, ``labels``, ...);
        ``top_labels`` defaults to 1, as in lime.

    Attributes
    ----------
    explanations : list
        Every explanation made, in sampling order.
    V : list of int
        Positions in :attr:`explanations` of the picked ones, in pick order.
    sp_explanations : list
        The picked explanations, ``[explanations[i] for i in V]``.

    Raises
    ------
    ValueError
        For a ``method`` other than ``"sample"`` or ``"full"``.
    TypeError
        If ``num_exps_desired`` is not an int or the explainer has no
        ``explain_instance``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit.compat.lime_tabular import LimeTabularExplainer
    >>> from limekit.compat.submodular_pick import SubmodularPick
    >>> iris = load_iris()
    >>> model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
    >>> explainer = LimeTabularExplainer(iris.data, random_state=0)
    >>> sp = SubmodularPick(explainer, iris.data, model.predict_proba, sample_size=10,
    ...                     num_exps_desired=3, num_features=2, num_samples=300)
    >>> len(sp.explanations), len(sp.V), sp.sp_explanations[0] is sp.explanations[sp.V[0]]
    (10, 3, True)
    """

    def __init__(self,
                 explainer,
                 data,
                 predict_fn,
                 method='sample',
                 sample_size=1000,
                 num_exps_desired=5,
                 num_features=10,
                 **kwargs) -> None:
        if not hasattr(explainer, "explain_instance"):
            raise TypeError(
                f"explainer must have an explain_instance method (a lime-style explainer), got "
                f"{type(explainer).__name__}; for native limekit explainers use "
                "limekit.pick.pick_explanations.")
        # lime explains the sample and picks nothing for a budget of 0 (or less)
        nothing = (isinstance(num_exps_desired, (int, np.integer))
                   and not isinstance(num_exps_desired, (bool, np.bool_))
                   and num_exps_desired < 1)
        budget = 0 if nothing else _check_budget(num_exps_desired)
        top_labels = kwargs.pop("top_labels", 1)
        n = len(data)
        if method == "sample":
            if sample_size > n:
                warnings.warn(f"sample_size={sample_size} is larger than the data ({n} rows); "
                              "using all of it.", UserWarning, stacklevel=2)
                sample_size = n
            rng = np.random.default_rng(_seed_from(getattr(explainer, "random_state", None)))
            sample_indices = rng.permutation(n)[:sample_size]
        elif method == "full":
            sample_indices = np.arange(n)
        else:
            raise ValueError(f"method must be 'sample' or 'full', got {method!r}")

        rows = data.iloc if hasattr(data, "iloc") else data
        self.explanations = []
        for i in sample_indices:
            row = rows[int(i)]
            if hasattr(row, "to_numpy"):
                row = row.to_numpy()
            self.explanations.append(explainer.explain_instance(
                row, predict_fn, num_features=num_features, top_labels=top_labels, **kwargs))
        _warn_budget(budget, len(self.explanations), stacklevel=2)
        picks = (_greedy_coverage(_lime_matrix(self.explanations), budget)[0] if budget
                 else [])
        self.V = [int(i) for i in picks]
        self.sp_explanations = [self.explanations[i] for i in self.V]

    def __repr__(self) -> str:
        return (f"<SubmodularPick V={self.V} of {len(self.explanations)} explanations>")
