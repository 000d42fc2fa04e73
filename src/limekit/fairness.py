"""Fair feature importance: which features make a classifier less fair.

A *fairness score* ``h(y, ŷ, z)`` measures how equally a binary classifier treats
the two groups of a protected attribute ``z`` (higher is fairer, 1 is perfectly
fair):

* demographic parity: ``1 − |P(ŷ=1 | z=1) − P(ŷ=1 | z=0)|``;
* equalized odds: ``1 − ½(|ΔTPR| + |ΔFPR|)``, the gaps in true- and
  false-positive rates between the groups.

The *fair feature importance* of feature ``j`` is how much fairer the model
becomes once it cannot use ``j``, ``ρ(j) = h(model without j's information) −
h(model)``. ``ρ > 0``: the feature adds bias (typically a proxy of ``z``);
``ρ < 0``: it makes the model fairer; ``ρ ≈ 0``: it does not matter for fairness.
Two ways to take the information away:

* **permutation**: shuffle column ``j``. With ``refit=True`` a clone of the
  estimator is retrained on data with ``j`` shuffled and predicts shuffled
  evaluation data; with ``refit=False`` the model trained on the intact data
  predicts shuffled evaluation data. Averaged over ``n_repeats`` shuffles.
* **occlusion**: retrain without ``j``. Exactly (one refit per feature) or, with
  ``minipatch=True``, from one ensemble of models fit on random *minipatches*
  (a fraction of the rows × a fraction of the features): ``ŷ_i`` averages the
  patches that did not see row ``i`` (out-of-bag) and ``ŷ_i^{−j}`` the patches
  that saw neither row ``i`` nor feature ``j``; averaged probabilities are
  thresholded at 0.5 and ``ρ(j) ≈ h(ŷ^{−j}) − h(ŷ)``. No refit per feature.

This follows the fair feature importance scores of Little, Navarro, Segarra and
Allen as **reconstructed** in limekit's methods reference (the published text
was not available to us); the tests check it against planted proxies of the
protected attribute, where the answer is known.

Design choices
--------------
* **"Without feature j" means "column j held at a constant"** (its most frequent
  training value), for arrays and DataFrames alike, rather than deleting the
  column. A constant column carries no information, so a refit model cannot use
  it, yet the table keeps its schema: a ``Pipeline`` whose ``ColumnTransformer``
  selects columns by name or position, or a ``OneHotEncoder`` fitted on string
  categories, keeps working, and positional column indices never shift
  silently. For nearly all estimators this is equivalent to dropping the column
  (trees never split on it; linear models fold it into the intercept).
* **Confidence intervals** are percentile bootstrap intervals over evaluation
  rows with the fitted models held fixed: each resample reweights the same rows
  for ``h(ŷ)`` and ``h(ŷ^{−j})`` (paired). The resampling is stratified on the
  cells the metric conditions on (the groups for demographic parity, group ×
  true class for equalized odds), so no resample loses a group. They measure
  the uncertainty from the finite evaluation set only, not from training: on
  small data another split or estimator seed can move an importance by more
  than its interval is wide.
* **Minipatch estimates are Monte Carlo averages**: each ``ŷ_i^{−j}`` averages
  about ``n_patches·(1 − row_fraction)·(1 − feature_fraction)`` models, and
  features that do not matter scatter around 0 by an amount that shrinks as
  ``n_patches`` grows. Minipatches pay off when there are many features (one
  ensemble instead of one refit per feature).
* The estimator passed in is a template: it is cloned (``sklearn.base.clone``)
  and fitted on the training rows; it is never modified. Its own randomness is
  left alone; fix its ``random_state`` for refits that repeat exactly.

Examples
--------
>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> from limekit.fairness import fair_feature_importance
>>> rng = np.random.default_rng(0)
>>> z = rng.integers(0, 2, 300)                      # protected attribute
>>> proxy = z + 0.3 * rng.standard_normal(300)       # a feature that leaks z
>>> skill = rng.standard_normal(300)                 # a fair, useful feature
>>> y = (skill + 2 * z + rng.standard_normal(300) > 1).astype(int)
>>> X = np.column_stack([proxy, skill])
>>> res = fair_feature_importance(LogisticRegression(), X, y, protected=z,
...                               method="occlusion", n_bootstrap=0, random_state=0)
>>> res.feature_names[int(np.argmax(res.importances))]
'x0'
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._random import check_random_state
from ._validation import check_int as _check_int
from ._validation import format_names

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FairnessImportance",
    "fair_feature_importance",
    "fairness_score",
    "demographic_parity_score",
    "equalized_odds_score",
    "FAIRNESS_METRICS",
]

#: Fairness scores accepted by ``metric=``.
FAIRNESS_METRICS: tuple[str, ...] = ("demographic_parity", "equalized_odds")
_METHODS = ("permutation", "occlusion")


# ------------------------------------------------------------------ labels
def _sorted_unique(values: np.ndarray) -> list[Any]:
    uniq = list(pd.unique(values))
    try:
        return sorted(uniq)
    except TypeError:  # mixed types (e.g. 1 and "a"): order by text instead
        return sorted(uniq, key=str)


def _as_1d(values: object, name: str, n: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(
            f"{name} has {arr.shape[0]} entries but there are {n} rows; they must match"
        )
    if pd.isna(arr).any():
        raise ValueError(
            f"{name} has {int(pd.isna(arr).sum())} missing value(s); drop or impute those rows"
        )
    return arr


def _binary_labels(values: np.ndarray, pos_label: object, name: str) -> tuple[Any, Any]:
    """Return ``(negative, positive)`` labels of a binary outcome.

    Without ``pos_label``: 1 (or True) when the values are 0/1, otherwise the
    larger of the two values in sorted order (scikit-learn's class order).
    The negative label is None when only the positive one occurs.
    """
    uniq = _sorted_unique(values)
    if pos_label is not None:
        others = [v for v in uniq if not _same(v, pos_label)]
        if len(others) > 1:
            raise ValueError(
                f"{name} must be binary; besides pos_label={pos_label!r} it takes the values "
                f"{format_names(others)}"
            )
        return (others[0] if others else None), pos_label
    if len(uniq) > 2:
        raise ValueError(
            f"{name} must be binary (two classes) for these fairness scores, got {len(uniq)} "
            f"distinct values ({format_names(uniq)}); binarise the outcome first"
        )
    if all(_is_01(v) for v in uniq):
        return 0, 1
    if len(uniq) == 1:
        raise ValueError(
            f"{name} takes the single value {uniq[0]!r}; pass pos_label= to say which "
            "value is the favourable outcome"
        )
    return uniq[0], uniq[1]


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _is_01(v: object) -> bool:
    return isinstance(v, (bool, np.bool_, int, np.integer, float, np.floating)) and v in (0, 1)


def _indicator(values: np.ndarray, pos: object, neg: object, name: str) -> np.ndarray:
    """0/1 float vector of ``values == pos``; every value must be ``pos`` or ``neg``."""
    arr = np.asarray(values)
    # broadcast_to: older NumPy returns a scalar False for e.g. str-array == int.
    is_pos = np.broadcast_to(np.asarray(arr == pos, dtype=bool), arr.shape)
    is_neg = (
        np.zeros(arr.shape, dtype=bool)
        if neg is None
        else np.broadcast_to(np.asarray(arr == neg, dtype=bool), arr.shape)
    )
    bad = ~(is_pos | is_neg)
    if bad.any():
        odd = _sorted_unique(arr[bad])
        raise ValueError(
            f"{name} must be binary class labels ({neg!r} or {pos!r}), but "
            f"{int(bad.sum())} of {arr.size} values are not, e.g. {format_names(odd[:5])}; "
            "use a classifier whose predict returns the class labels (not scores or "
            "regression values)"
        )
    return is_pos.astype(float)


def _binarize_protected(
    values: np.ndarray, privileged: object, name: str
) -> tuple[np.ndarray, tuple[str, str]]:
    """0/1 group indicator (1 = privileged / second group) and the two group names."""
    uniq = _sorted_unique(values)
    if privileged is None:
        if len(uniq) != 2:
            raise ValueError(
                f"{name} must have exactly two groups, got {len(uniq)} ({format_names(uniq)}); "
                "pass privileged=<value> to compare that group against all others"
            )
        z = np.asarray(values == uniq[1], dtype=bool)
        return z.astype(np.int8), (str(uniq[0]), str(uniq[1]))
    if not any(_same(v, privileged) for v in uniq):
        raise ValueError(
            f"privileged={privileged!r} does not occur in {name} (values: {format_names(uniq)})"
        )
    if len(uniq) < 2:
        raise ValueError(f"{name} has a single group ({uniq[0]!r}); fairness needs two")
    z = np.asarray(values == privileged, dtype=bool)
    others = [str(v) for v in uniq if not _same(v, privileged)]
    other = others[0] if len(others) == 1 else "not " + str(privileged)
    return z.astype(np.int8), (other, str(privileged))


# ------------------------------------------------------------------ scores
def _cells(metric: str, y01: np.ndarray | None, z01: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Pairs of row masks whose positive-prediction rates the metric compares."""
    g0, g1 = z01 == 0, z01 == 1
    if metric == "demographic_parity":
        return [(g0, g1)]
    assert y01 is not None
    pos, neg = y01 == 1, y01 == 0
    return [(g0 & pos, g1 & pos), (g0 & neg, g1 & neg)]


def _scores(
    yhat: np.ndarray, y01: np.ndarray | None, z01: np.ndarray, weights: np.ndarray, metric: str
) -> np.ndarray:
    """Fairness scores of many prediction vectors under many row weightings.

    ``yhat`` is (m, n) with 0/1 entries, ``weights`` (B, n) row weights (bootstrap
    counts, or ones). Returns (m, B); NaN where a compared cell has no weight.
    """
    gaps = []
    for mask0, mask1 in _cells(metric, y01, z01):
        rates = []
        for mask in (mask0, mask1):
            w = weights * mask  # (B, n)
            num = yhat @ w.T  # (m, B)
            den = w.sum(axis=1)  # (B,)
            rates.append(
                np.divide(num, den, out=np.full(num.shape, np.nan), where=den[None, :] > 0)
            )
        gaps.append(np.abs(rates[1] - rates[0]))
    return 1.0 - sum(gaps) / len(gaps)


def _check_cells(metric: str, y01: np.ndarray | None, z01: np.ndarray, where: str,
                 groups: tuple[str, str]) -> None:
    names = {0: groups[0], 1: groups[1]}
    for g in (0, 1):
        if not np.any(z01 == g):
            raise ValueError(f"{where} has no rows of group {names[g]!r}; both groups are needed")
        if metric == "equalized_odds":
            assert y01 is not None
            for c, cname in ((1, "positive"), (0, "negative")):
                if not np.any((z01 == g) & (y01 == c)):
                    raise ValueError(
                        f"{where} has no {cname} examples in group {names[g]!r}, so its "
                        f"{'true' if c else 'false'}-positive rate is undefined; use "
                        "metric='demographic_parity' or more data"
                    )


def _check_metric(metric: str) -> str:
    if metric not in FAIRNESS_METRICS:
        raise ValueError(f"metric must be one of {FAIRNESS_METRICS}, got {metric!r}")
    return metric


def fairness_score(
    y_true: object,
    y_pred: object,
    protected: object,
    metric: str = "demographic_parity",
    *,
    pos_label: object = None,
    privileged: object = None,
) -> float:
    """Fairness score ``h(y, ŷ, z)`` of binary predictions; higher is fairer, 1 is fair.

    Parameters
    ----------
    y_true : array-like of shape (n,) or None
        True binary labels. Not used by demographic parity (may be None there).
    y_pred : array-like of shape (n,)
        Predicted binary labels (the same two values as ``y_true``).
    protected : array-like of shape (n,)
        Protected attribute with two groups (strings or numbers).
    metric : {"demographic_parity", "equalized_odds"}, default "demographic_parity"
        ``1 − |P(ŷ=1|z=1) − P(ŷ=1|z=0)|`` or ``1 − ½(|ΔTPR| + |ΔFPR|)``.
    pos_label : object, optional
        The favourable outcome. Default: 1 for 0/1 labels, else the larger of the
        two labels in sorted order.
    privileged : object, optional
        With more than two groups, the group compared against all others.

    Returns
    -------
    float
        The score in [0, 1].

    Raises
    ------
    ValueError
        If labels are not binary, a group is empty, or (equalized odds) a group
        has no positive or no negative examples.

    Examples
    --------
    >>> from limekit.fairness import fairness_score
    >>> y_true = [1, 0, 1, 0, 1, 0, 1, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> fairness_score(y_true, y_pred, group)                    # 1 - |3/4 - 1/4|
    0.5
    >>> fairness_score(y_true, y_pred, group, "equalized_odds")  # 1 - (|1 - 1/2| + |1/2 - 0|)/2
    0.5
    """
    _check_metric(metric)
    yp = _as_1d(y_pred, "y_pred")
    n = yp.shape[0]
    zr = _as_1d(protected, "protected", n)
    z01, groups = _binarize_protected(zr, privileged, "protected")
    if metric == "equalized_odds" or y_true is not None:
        if y_true is None:
            raise ValueError("equalized_odds needs y_true")
        yt = _as_1d(y_true, "y_true", n)
        neg, pos = _binary_labels(yt, pos_label, "y_true")
        y01 = _indicator(yt, pos, neg, "y_true")
    else:
        neg, pos = _binary_labels(yp, pos_label, "y_pred")
        y01 = None
    yhat = _indicator(yp, pos, neg, "y_pred")
    _check_cells(metric, y01, z01, "the data", groups)
    return float(_scores(yhat[None, :], y01, z01, np.ones((1, n)), metric)[0, 0])


def demographic_parity_score(
    y_pred: object, protected: object, *, pos_label: object = None, privileged: object = None
) -> float:
    """Demographic parity ``1 − |P(ŷ=1|z=1) − P(ŷ=1|z=0)|``; see :func:`fairness_score`.

    Parameters
    ----------
    y_pred : array-like of shape (n,)
        Predicted binary labels.
    protected : array-like of shape (n,)
        Protected attribute with two groups (strings or numbers).
    pos_label : object, optional
        The favourable outcome. Default: 1 for 0/1 labels, else the larger of the
        two labels in sorted order.
    privileged : object, optional
        With more than two groups, the group compared against all others.

    Returns
    -------
    float
        The score in [0, 1]; 1 when both groups get the favourable outcome
        equally often.

    Examples
    --------
    >>> from limekit.fairness import demographic_parity_score
    >>> demographic_parity_score([1, 1, 0, 0], ["m", "m", "f", "f"])
    0.0
    >>> demographic_parity_score([1, 0, 1, 0], ["m", "m", "f", "f"])
    1.0
    """
    return fairness_score(None, y_pred, protected, "demographic_parity",
                          pos_label=pos_label, privileged=privileged)


def equalized_odds_score(
    y_true: object,
    y_pred: object,
    protected: object,
    *,
    pos_label: object = None,
    privileged: object = None,
) -> float:
    """Equalized odds ``1 − ½(|ΔTPR| + |ΔFPR|)``; see :func:`fairness_score`.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True binary labels.
    y_pred : array-like of shape (n,)
        Predicted binary labels (the same two values as ``y_true``).
    protected : array-like of shape (n,)
        Protected attribute with two groups (strings or numbers).
    pos_label : object, optional
        The favourable outcome. Default: 1 for 0/1 labels, else the larger of the
        two labels in sorted order.
    privileged : object, optional
        With more than two groups, the group compared against all others.

    Returns
    -------
    float
        The score in [0, 1]; 1 when both groups have the same true and false
        positive rates.

    Examples
    --------
    >>> from limekit.fairness import equalized_odds_score
    >>> equalized_odds_score([1, 0, 1, 0], [1, 0, 1, 1], ["m", "m", "f", "f"])
    0.5
    """
    return fairness_score(y_true, y_pred, protected, "equalized_odds",
                          pos_label=pos_label, privileged=privileged)


# ------------------------------------------------------------------ tables
def _n_cols(X: Any) -> int:
    return X.shape[1]


def _rows(X: Any, idx: np.ndarray) -> Any:
    return X.iloc[idx] if isinstance(X, pd.DataFrame) else X[idx]


def _column(X: Any, j: int) -> Any:
    """Column j as something with ``.take`` that keeps its dtype (categories included)."""
    return X.iloc[:, j].array if isinstance(X, pd.DataFrame) else X[:, j]


def _replace_columns(X: Any, columns: dict[int, tuple[Any, np.ndarray]]) -> Any:
    """A copy of X with column j set to ``source.take(positions)`` for each entry."""
    out = X.copy()
    for j, (source, positions) in columns.items():
        values = source.take(positions)
        if isinstance(out, pd.DataFrame):
            out.isetitem(j, values)
        else:
            out[:, j] = values
    return out


def _mode_position(column: Any) -> int:
    """Row position of the column's most frequent value (the constant used to occlude)."""
    codes, _ = pd.factorize(column)
    valid = codes[codes >= 0]
    if valid.size == 0:
        return 0
    return int(np.flatnonzero(codes == np.argmax(np.bincount(valid)))[0])


def _check_estimator(estimator: object) -> None:
    for attr in ("fit", "predict"):
        if not callable(getattr(estimator, attr, None)):
            raise TypeError(
                f"estimator must be a scikit-learn-style estimator with fit and predict; "
                f"{type(estimator).__name__} has no {attr}()"
            )
    if not callable(getattr(estimator, "get_params", None)):
        raise TypeError(
            f"estimator {type(estimator).__name__} cannot be cloned (no get_params); "
            "derive it from sklearn.base.BaseEstimator"
        )


def _as_table(X: object, name: str) -> Any:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows × features), got shape {arr.shape}")
    return arr


def _split_protected(
    X: Any, protected: object, include: bool, n: int, name: str
) -> tuple[Any, np.ndarray, str, int | None]:
    """Features, protected values, protected name, and its column position (or None)."""
    pos: int | None = None
    is_key = isinstance(protected, (str, int, np.integer)) and not isinstance(protected, bool)
    if is_key:
        if isinstance(X, pd.DataFrame):
            if protected not in X.columns:
                raise ValueError(
                    f"protected={protected!r} is not a column of {name} "
                    f"(columns: {format_names(X.columns)}); pass a column name or an array"
                )
            pos = int(X.columns.get_loc(protected))
        else:
            if isinstance(protected, str):
                raise ValueError(
                    f"protected={protected!r} names a column, but {name} is an array without "
                    "column names; pass a DataFrame, a column index, or the values themselves"
                )
            if not -X.shape[1] <= int(protected) < X.shape[1]:
                raise ValueError(
                    f"protected={protected} is out of range for {name} with {X.shape[1]} columns"
                )
            pos = int(protected) % X.shape[1]
        values = _as_1d(_column(X, pos), f"protected column {protected!r}", n)
        pname = str(protected) if isinstance(X, pd.DataFrame) else f"x{pos}"
        if not include:
            X = X.drop(columns=X.columns[pos]) if isinstance(X, pd.DataFrame) else np.delete(
                X, pos, axis=1
            )
        return X, values, pname, pos
    if include:
        raise ValueError(
            "include_protected=True needs protected to name a column of X; with protected "
            "values passed as an array, add them to X yourself"
        )
    values = _as_1d(protected, "protected", n)
    pname = str(getattr(protected, "name", None) or "protected")
    return X, values, pname, None


def _feature_names(X: Any, protected_pos: int | None, include: bool) -> list[str]:
    """Names of the model's features; array columns keep their index in the original X."""
    idx = [j for j in range(X.shape[1]) if include or j != protected_pos]
    if isinstance(X, pd.DataFrame):
        return [str(X.columns[j]) for j in idx]
    return [f"x{j}" for j in idx]


# ------------------------------------------------------------------ model calls
def _fit_predict(estimator: Any, X_fit: Any, y_fit: np.ndarray, X_pred: Any,
                 fit_columns: dict | None = None, pred_columns: dict | None = None) -> np.ndarray:
    from sklearn.base import clone

    if fit_columns:
        X_fit = _replace_columns(X_fit, fit_columns)
    if pred_columns:
        X_pred = _replace_columns(X_pred, pred_columns)
    model = clone(estimator).fit(X_fit, y_fit)
    return np.asarray(model.predict(X_pred))


def _patch_predict(estimator: Any, X: Any, y: np.ndarray, rows: np.ndarray,
                   occluded: dict, pos: object, neg: object) -> np.ndarray:
    """Fit one minipatch model; its positive-class probability (or vote) for every row."""
    from sklearn.base import clone

    X_all = _replace_columns(X, occluded) if occluded else X
    model = clone(estimator).fit(_rows(X_all, rows), y[rows])
    if callable(getattr(model, "predict_proba", None)):
        proba = np.asarray(model.predict_proba(X_all), dtype=float)
        classes = list(getattr(model, "classes_", []))
        hit = [k for k, c in enumerate(classes) if _same(c, pos)]
        if hit and proba.ndim == 2 and proba.shape[1] == len(classes):
            return proba[:, hit[0]]
        if classes and all(_same(c, neg) for c in classes):
            return np.zeros(proba.shape[0])
    return _indicator(np.asarray(model.predict(X_all)).ravel(), pos, neg, "the predictions")


def _parallel(n_jobs: int | None, tasks: list) -> list:
    from joblib import Parallel

    return Parallel(n_jobs=n_jobs)(tasks)


def _predictions01(pred: np.ndarray, n: int, pos: object, neg: object) -> np.ndarray:
    pred = np.asarray(pred)
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    if pred.shape != (n,):
        raise ValueError(
            f"estimator.predict returned shape {pred.shape}, expected ({n},) class labels"
        )
    return _indicator(pred, pos, neg, "the estimator's predictions")


# ------------------------------------------------------------------ bootstrap
def _bootstrap_weights(
    n: int, strata: np.ndarray, n_bootstrap: int, rng: np.random.Generator
) -> np.ndarray:
    """(1 + B, n) row weights: a row of ones (the point estimate), then B resamples.

    Each resample draws, within every stratum, as many rows with replacement as
    the stratum holds, so group (and class) sizes stay fixed.
    """
    w = np.ones((1 + n_bootstrap, n))
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        w[1:, idx] = rng.multinomial(idx.size, np.full(idx.size, 1.0 / idx.size),
                                     size=n_bootstrap)
    return w


def _strata(metric: str, y01: np.ndarray, z01: np.ndarray) -> np.ndarray:
    return z01.astype(int) * 2 + (y01.astype(int) if metric == "equalized_odds" else 0)


def _interval(rho: np.ndarray, level: float) -> tuple[float, float]:
    rho = rho[np.isfinite(rho)]
    if rho.size == 0:
        return math.nan, math.nan
    alpha = (1.0 - level) / 2.0
    lo, hi = np.percentile(rho, [100 * alpha, 100 * (1 - alpha)])
    return float(lo), float(hi)


# ------------------------------------------------------------------ result
_VARIANTS = {
    ("permutation", "refit"): "permutation (refit)",
    ("permutation", "no refit"): "permutation (no refit)",
    ("occlusion", "refit"): "occlusion (refit)",
    ("occlusion", "minipatch"): "occlusion (minipatch)",
}


def _json_float(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class FairnessImportance:
    """Fair feature importances of one model, with bootstrap confidence intervals.

    ``importances[k] > 0``: the model is fairer without feature ``feature_names[k]``
    (the feature adds bias); ``< 0``: it makes the model fairer.

    Attributes
    ----------
    feature_names : tuple of str
        The model's features, in input order.
    importances : numpy.ndarray of shape (n_features,)
        ``ρ(j) = h(without j) − h(model)``.
    ci_low, ci_high : numpy.ndarray of shape (n_features,)
        Percentile bootstrap interval at ``confidence_level`` (NaN without bootstrap).
    method : {"permutation", "occlusion"}
    variant : {"refit", "no refit", "minipatch"}
    metric : {"demographic_parity", "equalized_odds"}
    baseline_score : float
        ``h`` of the model that sees every feature, on the evaluation rows.
    confidence_level : float
    n_eval : int
        Number of evaluation rows.
    protected : str
        Name of the protected attribute.
    groups : tuple of (str, str)
        The two groups compared (the second is the privileged one when given).
    settings : dict
        JSON-compatible settings (repeats, bootstrap size, patches, coverage, seed).

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.fairness import FairnessImportance
    >>> res = FairnessImportance(("a", "b"), np.array([0.2, -0.01]), np.array([0.1, -0.05]),
    ...                          np.array([0.3, 0.02]), "occlusion", "refit",
    ...                          "demographic_parity", 0.7, 0.95, 100, "sex", ("f", "m"))
    >>> res.to_frame()[["feature", "importance"]].to_dict("list")
    {'feature': ['a', 'b'], 'importance': [0.2, -0.01]}
    """

    feature_names: tuple[str, ...]
    importances: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    method: str
    variant: str
    metric: str
    baseline_score: float
    confidence_level: float
    n_eval: int
    protected: str
    groups: tuple[str, str]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``"<method> (<variant>)"``, e.g. ``"permutation (refit)"``."""
        return _VARIANTS.get((self.method, self.variant), f"{self.method} ({self.variant})")

    def _order(self) -> np.ndarray:
        # Most bias-adding first; NaN importances (if any) last; ties keep input order.
        key = np.where(np.isfinite(self.importances), -self.importances, np.inf)
        return np.argsort(key, kind="stable")

    def to_frame(self) -> pd.DataFrame:
        """Tabulate the importances as a data frame.

        Returns
        -------
        pandas.DataFrame
            One row per feature, sorted by importance (most bias-adding first;
            NaN last), with columns ``feature``, ``importance``, ``ci_low``,
            ``ci_high``, ``method`` (:attr:`label`) and ``metric``.
        """
        o = self._order()
        return pd.DataFrame(
            {
                "feature": [self.feature_names[k] for k in o],
                "importance": self.importances[o].astype(float),
                "ci_low": self.ci_low[o].astype(float),
                "ci_high": self.ci_high[o].astype(float),
                "method": self.label,
                "metric": self.metric,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Convert to plain data that `json` can write.

        Returns
        -------
        dict
            Every field, arrays as lists and NaN as ``None``; :meth:`from_dict`
            reads it back.
        """
        return {
            "feature_names": list(self.feature_names),
            "importances": [_json_float(v) for v in self.importances],
            "ci_low": [_json_float(v) for v in self.ci_low],
            "ci_high": [_json_float(v) for v in self.ci_high],
            "method": self.method,
            "variant": self.variant,
            "metric": self.metric,
            "baseline_score": _json_float(self.baseline_score),
            "confidence_level": float(self.confidence_level),
            "n_eval": int(self.n_eval),
            "protected": self.protected,
            "groups": list(self.groups),
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FairnessImportance:
        """Rebuild a result from :meth:`to_dict` output.

        Parameters
        ----------
        d : dict
            The dict written by :meth:`to_dict` (or parsed from its JSON).

        Returns
        -------
        FairnessImportance
            The result, with ``None`` values read back as NaN.
        """

        def arr(key: str) -> np.ndarray:
            return np.array([math.nan if v is None else v for v in d[key]], dtype=float)

        base = d["baseline_score"]
        return cls(
            feature_names=tuple(str(s) for s in d["feature_names"]),
            importances=arr("importances"),
            ci_low=arr("ci_low"),
            ci_high=arr("ci_high"),
            method=str(d["method"]),
            variant=str(d["variant"]),
            metric=str(d["metric"]),
            baseline_score=math.nan if base is None else float(base),
            confidence_level=float(d["confidence_level"]),
            n_eval=int(d["n_eval"]),
            protected=str(d["protected"]),
            groups=(str(d["groups"][0]), str(d["groups"][1])),
            settings=dict(d.get("settings") or {}),
        )

    # -------------------------------------------------------------- rendering
    def _header_lines(self) -> list[str]:
        metric = self.metric.replace("_", " ")
        return [
            f"Fair feature importance: {self.label}, {metric}",
            f"protected {self.protected!r}: {self.groups[0]!r} vs {self.groups[1]!r}; "
            f"model score h = {self.baseline_score:.4f} on {self.n_eval} evaluation rows",
            "importance > 0: the feature adds bias (the model is fairer without it)",
        ]

    def __str__(self) -> str:
        from .render.terminal import _clean

        o = self._order()
        names = [_clean(self.feature_names[k]) for k in o]
        names = [s if len(s) <= 40 else s[:39] + "…" for s in names]
        w = max([len("feature")] + [len(s) for s in names])
        pct = f"{100 * self.confidence_level:g}% CI"
        head = [_clean(s) for s in self._header_lines()]
        lines = head + ["", f"{'rank':>4}  {'feature':<{w}}  {'importance':>10}  {pct}"]
        for r, (k, name) in enumerate(zip(o, names, strict=True), 1):
            lo, hi = self.ci_low[k], self.ci_high[k]
            ci = f"[{lo:+.4f}, {hi:+.4f}]" if np.isfinite(lo) else "n/a"
            lines.append(f"{r:>4}  {name:<{w}}  {self.importances[k]:>+10.4f}  {ci}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<FairnessImportance {self.label} metric={self.metric!r} "
                f"features={len(self.feature_names)} n_eval={self.n_eval}>")

    def _repr_html_(self) -> str:
        e = lambda v: html.escape(str(v), quote=True)  # noqa: E731
        o = self._order()
        finite = np.abs(self.importances[np.isfinite(self.importances)])
        scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        cell = "padding:2px 8px;border-bottom:1px solid #d0d7de;"
        rows = []
        for k in o:
            v = float(self.importances[k])
            frac = min(abs(v) / scale, 1.0) if math.isfinite(v) else 0.0
            width = f"{50 * frac:.2f}%"
            color = "#c62828" if v > 0 else "#2e7d32"
            left = f"{50 - 50 * frac:.2f}%" if v < 0 else "50%"
            bar = (f'<div style="position:relative;width:160px;height:12px;background:#eaeef2">'
                   f'<div style="position:absolute;left:50%;top:0;bottom:0;width:1px;'
                   f'background:#57606a"></div><div style="position:absolute;top:0;bottom:0;'
                   f'left:{left};width:{width};background:{color}"></div></div>')
            lo, hi = self.ci_low[k], self.ci_high[k]
            ci = f"[{lo:+.4f}, {hi:+.4f}]" if np.isfinite(lo) else "n/a"
            rows.append(
                f'<tr><td style="{cell}">{e(self.feature_names[k])}</td>'
                f'<td style="{cell}text-align:right">{v:+.4f}</td>'
                f'<td style="{cell}">{e(ci)}</td><td style="{cell}">{bar}</td></tr>'
            )
        head = "".join(f"<div>{e(s)}</div>" for s in self._header_lines())
        pct = f"{100 * self.confidence_level:g}% CI"
        th = f'<th style="{cell}text-align:left">'
        return (
            '<div class="limekit-fairness" style="font-family:system-ui,sans-serif;'
            'font-size:13px;color:#1f2328;background:#fff;padding:8px 12px">'
            f'<div style="margin-bottom:6px">{head}</div>'
            '<table style="border-collapse:collapse">'
            f"<tr>{th}feature</th>{th}importance</th>{th}{e(pct)}</th>{th}</th></tr>"
            + "".join(rows)
            + "</table></div>"
        )

    def plot(self, ax: Axes | None = None, *, figsize: tuple[float, float] | None = None) -> Figure:
        """Horizontal bar chart of the importances with their confidence intervals.

        Bars are sorted with the most bias-adding feature on top; red bars add
        bias, green bars make the model fairer. Needs matplotlib
        (``pip install 'limekit[plot]'``).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; a new figure is created when omitted.
        figsize : tuple of (float, float), optional
            Size of the new figure in inches (ignored with ``ax``); default
            grows with the number of features.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the chart.
        """
        from ._optional import require
        from .render.plot import _plain

        plt = require("matplotlib.pyplot")
        o = self._order()[::-1]  # barh draws bottom-up
        own_figure = ax is None
        if ax is None:
            fig, ax = plt.subplots(figsize=figsize or (7.0, 1.4 + 0.35 * len(o)))
        else:
            fig = ax.figure
        vals = self.importances[o]
        lo, hi = self.ci_low[o], self.ci_high[o]
        has_ci = np.isfinite(lo) & np.isfinite(hi)
        err = np.vstack([np.where(has_ci, vals - lo, 0.0), np.where(has_ci, hi - vals, 0.0)])
        colors = ["#c62828" if v > 0 else "#2e7d32" for v in vals]
        pos = np.arange(len(o))
        ax.barh(pos, vals, color=colors, xerr=np.clip(err, 0, None), capsize=3,
                error_kw={"ecolor": "#57606a", "lw": 1})
        ax.set_yticks(pos, [_plain(self.feature_names[k], 40) for k in o])
        ax.axvline(0.0, color="#57606a", lw=0.8)
        ax.set_xlabel(f"change in {self.metric.replace('_', ' ')} without the feature "
                      "(> 0: adds bias)")
        ax.set_title(_plain(f"Fair feature importance: {self.label}"))
        if own_figure:  # never re-layout a figure the caller owns
            fig.tight_layout()
        return fig


# ------------------------------------------------------------------ main entry
def _check_fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in (0, 1], got {type(value).__name__}")
    if not 0.0 < float(value) <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return float(value)


def fair_feature_importance(
    estimator: Any,
    X: Any,
    y: Any,
    protected: Any,
    *,
    method: str = "permutation",
    refit: bool = True,
    metric: str = "demographic_parity",
    n_repeats: int = 5,
    minipatch: bool = False,
    n_patches: int = 200,
    row_fraction: float = 0.5,
    feature_fraction: float = 0.5,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    test_size: float | int = 0.3,
    X_eval: Any = None,
    y_eval: Any = None,
    protected_eval: Any = None,
    include_protected: bool = False,
    privileged: object = None,
    pos_label: object = None,
    random_state: int | None = None,
    n_jobs: int | None = 1,
) -> FairnessImportance:
    """Fair feature importance of every feature of a binary classifier.

    ``ρ(j) = h(model without j's information) − h(model)`` for a fairness score
    ``h`` (higher is fairer); ``ρ > 0`` means feature ``j`` adds bias. See the
    module docstring for the methods and design choices.

    Parameters
    ----------
    estimator : scikit-learn-style classifier
        Any object with ``fit``/``predict`` that :func:`sklearn.base.clone` can copy,
        ``Pipeline`` s (e.g. ``ColumnTransformer`` + ``OneHotEncoder``) included.
        It is a template: clones are fitted, the object itself is left untouched.
    X : pandas.DataFrame or array-like of shape (n, d)
        Features. DataFrames may hold string/categorical columns.
    y : array-like of shape (n,)
        Binary target.
    protected : column name, column index, or array-like of shape (n,)
        The protected attribute: a column of ``X`` (excluded from the model's
        features unless ``include_protected=True``) or its values.
    method : {"permutation", "occlusion"}, default "permutation"
        How feature ``j``'s information is removed: permute its column, or
        retrain without it.
    refit : bool, default True
        Permutation only: retrain on the permuted data (True) or permute only at
        prediction time (False). Exact occlusion always refits.
    metric : {"demographic_parity", "equalized_odds"}, default "demographic_parity"
        The fairness score ``h`` (see :func:`fairness_score`).
    n_repeats : int, default 5
        Permutations per feature (permutation method).
    minipatch : bool, default False
        Occlusion only: estimate all features from one minipatch ensemble instead
        of refitting once per feature. Evaluates out-of-bag on all rows of ``X``
        (no train/evaluation split; ``X_eval`` is not allowed).
    n_patches : int, default 200
        Number of minipatch models.
    row_fraction : float, default 0.5
        Fraction of rows per minipatch, drawn within each class so every patch
        sees both classes.
    feature_fraction : float, default 0.5
        Fraction of features per minipatch (rounded; at least 1 and at most d − 1
        so every feature is left out of some patches).
    n_bootstrap : int, default 200
        Bootstrap resamples of the evaluation rows for the confidence intervals;
        0 skips them (intervals are NaN).
    confidence_level : float, default 0.95
        Coverage of the percentile bootstrap intervals, in (0, 1).
    test_size : float or int, default 0.3
        Held-out share (or count) of rows to evaluate on, split stratified on
        group × class. Ignored with ``X_eval`` or ``minipatch=True``.
    X_eval, y_eval, protected_eval : optional
        Separate evaluation data; then all of ``X`` trains. ``protected_eval`` is
        needed only when ``protected`` is an array.
    include_protected : bool, default False
        Keep the protected column among the model's features (it then gets an
        importance of its own).
    privileged : object, optional
        With more than two groups, the group compared against all others.
    pos_label : object, optional
        The favourable outcome. Default: 1 for 0/1 labels, else the larger label.
    random_state : int or None, default None
        Seed for the split, permutations, patches and bootstrap. The same seed
        gives the same result for any ``n_jobs`` (given a deterministic estimator).
    n_jobs : int or None, default 1
        Parallel model fits through joblib (-1: all cores).

    Returns
    -------
    FairnessImportance
        Each feature's importance ``ρ(j)`` with its bootstrap interval, the
        model's own score and the settings used.

    Raises
    ------
    TypeError
        If ``estimator`` lacks fit/predict/get_params or an option has the wrong type.
    ValueError
        For a non-binary target or predictions, a protected attribute without
        exactly two groups (and no ``privileged``), an empty group, or
        inconsistent options.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from limekit.fairness import fair_feature_importance
    >>> rng = np.random.default_rng(1)
    >>> z = rng.integers(0, 2, 400)
    >>> X = np.column_stack([z + 0.3 * rng.standard_normal(400), rng.standard_normal(400)])
    >>> y = (X[:, 1] + 2 * z + rng.standard_normal(400) > 1).astype(int)
    >>> res = fair_feature_importance(LogisticRegression(), X, y, z, n_repeats=3,
    ...                               n_bootstrap=50, random_state=0)
    >>> res.to_frame()["feature"].tolist()
    ['x0', 'x1']
    >>> bool(res.importances[0] > 0.3)
    True
    """
    # ---- options
    if method not in _METHODS:
        raise ValueError(f"method must be 'permutation' or 'occlusion', got {method!r}")
    _check_metric(metric)
    for name, flag in (("refit", refit), ("minipatch", minipatch),
                       ("include_protected", include_protected)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if minipatch and method != "occlusion":
        raise ValueError("minipatch=True accelerates method='occlusion'; it does not apply to "
                         "permutation importance")
    if method == "occlusion" and not refit:
        raise ValueError("occlusion always retrains without the feature; refit=False applies "
                         "only to method='permutation'")
    n_repeats = _check_int(n_repeats, "n_repeats", 1)
    n_patches = _check_int(n_patches, "n_patches", 2)
    n_bootstrap = _check_int(n_bootstrap, "n_bootstrap", 0)
    row_fraction = _check_fraction(row_fraction, "row_fraction")
    feature_fraction = _check_fraction(feature_fraction, "feature_fraction")
    if not 0.0 < float(confidence_level) < 1.0:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level}")
    seed = check_random_state(random_state)
    _check_estimator(estimator)
    if minipatch and X_eval is not None:
        raise ValueError("minipatch occlusion evaluates out-of-bag on the rows of X; do not "
                         "pass X_eval (merge it into X instead)")

    # ---- data
    X = _as_table(X, "X")
    n = X.shape[0]
    y_arr = _as_1d(y, "y", n)
    features, z_raw, pname, ppos = _split_protected(X, protected, include_protected, n, "X")
    names = _feature_names(X, ppos, include_protected)
    d = _n_cols(features)
    if d < 1:
        raise ValueError("X has no feature columns besides the protected attribute")
    neg, pos = _binary_labels(y_arr, pos_label, "y")
    if neg is None:
        raise ValueError(f"y has only the class {pos!r}; a classifier needs both classes")
    y01 = _indicator(y_arr, pos, neg, "y")
    z01, groups = _binarize_protected(z_raw, privileged, "the protected attribute")

    # Independent streams, so e.g. the bootstrap does not change with n_repeats.
    split_ss, perm_ss, patch_ss, boot_ss = np.random.SeedSequence(seed).spawn(4)
    boot_rng = np.random.default_rng(boot_ss)
    settings: dict[str, Any] = {"n_bootstrap": n_bootstrap, "random_state": seed,
                                "pos_label": str(pos), "include_protected": bool(include_protected)}
    labels = _Labels(pos=pos, neg=neg, groups=groups, metric=metric)

    if minipatch:
        rho, baseline, n_eval, extra = _minipatch_occlusion(
            estimator, features, y_arr, y01, z01, names, labels, n_patches, row_fraction,
            feature_fraction, n_bootstrap, np.random.default_rng(patch_ss), boot_rng, n_jobs)
        settings.update(extra)
        variant = "minipatch"
    else:
        if X_eval is not None:
            Xtr, ytr, Xev, yev01, zev01 = _eval_data(
                X, features, y_arr, z_raw, z01, X_eval, y_eval, protected, protected_eval,
                ppos, include_protected, privileged, labels)
            settings["eval"] = "X_eval"
        else:
            Xtr, ytr, Xev, yev01, zev01 = _split(features, y_arr, y01, z01, test_size,
                                                 int(split_ss.generate_state(1)[0]))
            settings.update(eval="test_size", test_size=test_size)
        if np.unique(_indicator(ytr, pos, neg, "y")).size < 2:
            raise ValueError("the training rows hold a single class; a classifier needs both")
        _check_cells(metric, yev01, zev01, "the evaluation data", groups)
        rho, baseline = _refit_importance(
            estimator, Xtr, ytr, Xev, yev01, zev01, labels, method, refit, n_repeats,
            n_bootstrap, np.random.default_rng(perm_ss), boot_rng, n_jobs)
        if method == "permutation":
            settings["n_repeats"] = n_repeats
        n_eval = Xev.shape[0]
        variant = "refit" if refit else "no refit"

    # h values are ratios of counts; differences that are 0 up to rounding are 0.
    rho[np.abs(rho) < 1e-12] = 0.0
    level = float(confidence_level)
    bounds = np.array([_interval(rho[j, 1:], level) if n_bootstrap else (math.nan, math.nan)
                       for j in range(d)])
    return FairnessImportance(
        feature_names=tuple(names),
        importances=rho[:, 0].copy(),
        ci_low=bounds[:, 0],
        ci_high=bounds[:, 1],
        method=method,
        variant=variant,
        metric=metric,
        baseline_score=baseline,
        confidence_level=level,
        n_eval=int(n_eval),
        protected=pname,
        groups=groups,
        settings=settings,
    )


@dataclass(frozen=True)
class _Labels:
    """The outcome and group coding shared by the helpers below."""

    pos: Any
    neg: Any
    groups: tuple[str, str]
    metric: str


def _split(features: Any, y: np.ndarray, y01: np.ndarray, z01: np.ndarray,
           test_size: float | int, seed: int) -> tuple:
    """Train/evaluation split stratified on group × class."""
    from sklearn.model_selection import train_test_split

    try:
        tr, ev = train_test_split(np.arange(y.shape[0]), test_size=test_size,
                                  random_state=seed, stratify=z01.astype(int) * 2 + y01)
    except ValueError as exc:
        raise ValueError(
            f"could not split off test_size={test_size!r} stratified by group × class ({exc}); "
            "pass more data, another test_size, or X_eval/y_eval"
        ) from exc
    tr, ev = np.sort(tr), np.sort(ev)
    Xtr, Xev = _rows(features, tr), _rows(features, ev)
    if isinstance(Xtr, pd.DataFrame):
        Xtr, Xev = Xtr.reset_index(drop=True), Xev.reset_index(drop=True)
    return Xtr, y[tr], Xev, y01[ev], z01[ev]


def _eval_data(X: Any, features: Any, y: np.ndarray, z_raw: np.ndarray, z01: np.ndarray,
               X_eval: Any, y_eval: Any, protected: Any, protected_eval: Any,
               ppos: int | None, include_protected: bool, privileged: object,
               labels: _Labels) -> tuple:
    """All of X trains; the separate evaluation data are checked against it."""
    if y_eval is None:
        raise ValueError("X_eval needs y_eval")
    Xe = _as_table(X_eval, "X_eval")
    ne = Xe.shape[0]
    ye = _as_1d(y_eval, "y_eval", ne)
    if ppos is not None:
        if isinstance(X, pd.DataFrame):
            missing = [c for c in X.columns if c not in Xe.columns]
            if missing:
                raise ValueError(f"X_eval lacks the columns {format_names(missing)} of X")
            Xe = Xe[list(X.columns)]
        elif Xe.shape[1] != X.shape[1]:
            raise ValueError(f"X_eval has {Xe.shape[1]} columns, X has {X.shape[1]}")
        Xe_f, ze_raw, _, _ = _split_protected(Xe, protected, include_protected, ne, "X_eval")
    else:
        if protected_eval is None:
            raise ValueError("protected is an array, so X_eval needs protected_eval")
        Xe_f, ze_raw = Xe, _as_1d(protected_eval, "protected_eval", ne)
    if _n_cols(Xe_f) != _n_cols(features):
        raise ValueError(
            f"X_eval has {_n_cols(Xe_f)} feature columns, X has {_n_cols(features)}")
    yev01 = _indicator(ye, labels.pos, labels.neg, "y_eval")
    return features, y, Xe_f, yev01, _eval_groups(ze_raw, z_raw, z01, privileged)


def _refit_importance(estimator: Any, Xtr: Any, ytr: np.ndarray, Xev: Any, yev01: np.ndarray,
                      zev01: np.ndarray, labels: _Labels, method: str, refit: bool,
                      n_repeats: int, n_bootstrap: int, rng: np.random.Generator,
                      boot_rng: np.random.Generator, n_jobs: int | None
                      ) -> tuple[np.ndarray, float]:
    """Permutation (refit or not) or exact occlusion: (d, 1 + B) importances, baseline."""
    from joblib import delayed
    from sklearn.base import clone

    pos, neg = labels.pos, labels.neg
    d, n_tr, n_ev = _n_cols(Xtr), Xtr.shape[0], Xev.shape[0]
    base_model = clone(estimator).fit(Xtr, ytr)
    yhat = _predictions01(base_model.predict(Xev), n_ev, pos, neg)
    if method == "permutation":
        m = d * n_repeats  # task t = j * n_repeats + r
        perm_ev = rng.permuted(np.tile(np.arange(n_ev), (m, 1)), axis=1)
        if refit:
            perm_tr = rng.permuted(np.tile(np.arange(n_tr), (m, 1)), axis=1)
            preds = _parallel(n_jobs, [
                delayed(_fit_predict)(estimator, Xtr, ytr, Xev,
                                      {t // n_repeats: (_column(Xtr, t // n_repeats), perm_tr[t])},
                                      {t // n_repeats: (_column(Xev, t // n_repeats), perm_ev[t])})
                for t in range(m)
            ])
            alt = np.vstack([_predictions01(p, n_ev, pos, neg) for p in preds])
        else:
            # One predict call per feature, on n_repeats stacked permuted copies.
            tiled = _rows(Xev, np.tile(np.arange(n_ev), n_repeats))
            if isinstance(tiled, pd.DataFrame):
                tiled = tiled.reset_index(drop=True)
            blocks = []
            for j in range(d):
                take = perm_ev[j * n_repeats:(j + 1) * n_repeats].ravel()
                big = _replace_columns(tiled, {j: (_column(Xev, j), take)})
                p = _predictions01(base_model.predict(big), n_ev * n_repeats, pos, neg)
                blocks.append(p.reshape(n_repeats, n_ev))
            alt = np.vstack(blocks)
    else:
        tasks = []
        for j in range(d):
            col = _column(Xtr, j)
            k = _mode_position(col)  # training mode, used for the evaluation rows too
            tasks.append(delayed(_fit_predict)(estimator, Xtr, ytr, Xev,
                                               {j: (col, np.full(n_tr, k))},
                                               {j: (col, np.full(n_ev, k))}))
        alt = np.vstack([_predictions01(p, n_ev, pos, neg) for p in _parallel(n_jobs, tasks)])
    weights = _bootstrap_weights(n_ev, _strata(labels.metric, yev01, zev01), n_bootstrap,
                                 boot_rng)
    h_alt = _scores(alt, yev01, zev01, weights, labels.metric)  # (d * reps, 1 + B)
    h_base = _scores(yhat[None], yev01, zev01, weights, labels.metric)  # (1, 1 + B)
    rho = h_alt.reshape(d, alt.shape[0] // d, -1).mean(axis=1) - h_base
    return rho, float(h_base[0, 0])


def _minipatch_occlusion(estimator: Any, X: Any, y: np.ndarray, y01: np.ndarray,
                         z01: np.ndarray, names: list[str], labels: _Labels, n_patches: int,
                         row_fraction: float, feature_fraction: float, n_bootstrap: int,
                         rng: np.random.Generator, boot_rng: np.random.Generator,
                         n_jobs: int | None) -> tuple[np.ndarray, float, int, dict]:
    """Occlusion from one minipatch ensemble, evaluated out-of-bag on every row of X."""
    from joblib import delayed

    metric = labels.metric
    n, d = X.shape[0], _n_cols(X)
    if d < 2:
        raise ValueError("minipatch occlusion needs at least two features")
    _check_cells(metric, y01, z01, "X", labels.groups)
    q = int(min(max(round(feature_fraction * d), 1), d - 1))
    classes = [np.flatnonzero(y01 == c) for c in (0, 1)]
    sizes = [max(1, round(row_fraction * c.size)) for c in classes]
    in_rows = np.zeros((n_patches, n), dtype=bool)
    in_feats = np.zeros((n_patches, d), dtype=bool)
    for k in range(n_patches):  # a loop over patches, not samples
        for c, m in zip(classes, sizes, strict=True):
            in_rows[k, rng.choice(c, size=m, replace=False)] = True
        in_feats[k, rng.choice(d, size=q, replace=False)] = True
    consts = {j: (_column(X, j), np.full(n, _mode_position(_column(X, j)))) for j in range(d)}
    probs = np.vstack(_parallel(n_jobs, [
        delayed(_patch_predict)(estimator, X, y, np.flatnonzero(in_rows[k]),
                                {j: consts[j] for j in np.flatnonzero(~in_feats[k])},
                                labels.pos, labels.neg)
        for k in range(n_patches)
    ]))
    out = (~in_rows).astype(float)  # (K, n): patch k did not see row i
    left_out = (~in_feats).T.astype(float)  # (d, K): patch k did not see feature j
    num, den = (out * probs).sum(axis=0), out.sum(axis=0)
    num_j, den_j = left_out @ (out * probs), left_out @ out
    yhat = (np.divide(num, den, out=np.zeros(n), where=den > 0) > 0.5).astype(float)
    yhat_j = (np.divide(num_j, den_j, out=np.zeros_like(num_j), where=den_j > 0) > 0.5
              ).astype(float)
    covered = den_j > 0  # rows with a patch that saw neither row i nor feature j
    weights = _bootstrap_weights(n, _strata(metric, y01, z01), n_bootstrap, boot_rng)
    rho = np.empty((d, 1 + n_bootstrap))
    for j in range(d):
        _check_cells(metric, y01[covered[j]], z01[covered[j]],
                     f"the out-of-bag rows for feature {names[j]!r}", labels.groups)
        h = _scores(np.vstack([yhat_j[j], yhat]), y01, z01, weights * covered[j], metric)
        rho[j] = h[0] - h[1]
    full = den > 0
    baseline = float(_scores(yhat[None], y01, z01, full[None].astype(float), metric)[0, 0])
    coverage = covered.sum(axis=1)
    extra = {"n_patches": n_patches, "row_fraction": row_fraction,
             "feature_fraction": feature_fraction, "features_per_patch": q,
             "min_coverage": float(coverage.min() / n)}
    return rho, baseline, int(coverage.min()), extra


def _eval_groups(ze_raw: np.ndarray, z_raw: np.ndarray, z01: np.ndarray,
                 privileged: object) -> np.ndarray:
    """Group indicator for evaluation rows, with the training data's group coding."""
    if privileged is not None:
        return np.asarray(ze_raw == privileged, dtype=bool).astype(np.int8)
    second = z_raw[np.flatnonzero(z01 == 1)[0]]
    first = z_raw[np.flatnonzero(z01 == 0)[0]]
    is1 = np.asarray(ze_raw == second, dtype=bool)
    is0 = np.asarray(ze_raw == first, dtype=bool)
    if not np.all(is0 | is1):
        odd = _sorted_unique(ze_raw[~(is0 | is1)])
        raise ValueError(
            f"the evaluation protected attribute has values {format_names(odd)} not seen in "
            f"the training data (groups {first!r}, {second!r})"
        )
    return is1.astype(np.int8)

