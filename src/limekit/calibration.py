"""ReCalX: recalibrate a classifier on the perturbed inputs that explanations feed it.

Explanation methods query the model on inputs with some features hidden
(replaced by a background value), and models are often badly calibrated there:
typically far too confident. ReCalX (Decker, Tresp & Buettner) measures the
*perturbation level* λ of an input, the fraction of its features that are
hidden, splits ``[0, 1]`` into ``n_bins`` equal-width bins, and fits one
temperature ``T_b > 0`` per bin on perturbed copies of a labelled validation
set, minimising the cross-entropy of ``softmax(log p / T_b)``. At explanation
time each sample's probabilities are rescaled with the temperature of its bin.
Temperature scaling is monotone, so the predicted class never changes.

Perturbed copies. For every validation row, every level bin and each of
``n_copies`` copies, a number of hidden features ``h`` is drawn uniformly
among the counts whose level ``h / n_features`` falls in that bin, and ``h``
features chosen at random are hidden. With few features some bins contain no
achievable level (four features give only λ ∈ {0, .25, .5, .75, 1}); such
bins, and bins with fewer than ``min_samples_per_bin`` perturbed samples, take
the temperature of the nearest fitted bin (the lower one on a tie), or
``T = 1`` (with a warning) if no bin could be fitted. ``fitted_bins_`` records
which bins were fitted. A bin whose probabilities are all uniform over the
classes gets ``T = 1``, since no temperature changes them. A bin ``b`` holds the levels ``b / n_bins <= λ < (b + 1) / n_bins``;
the last bin also holds ``λ = 1``.

Hidden features are replaced by

* ``"mean"``: the background mean of each numeric column, and the most
  frequent value (mode) of each string, categorical or boolean DataFrame
  column; the removal lime uses for tabular data (integer columns become
  float, since their mean rarely is an integer);
* ``"zero"``: zero (numeric data only);
* ``"marginal"``: the values of one background row drawn at random per
  perturbed sample (interventional removal, as in KernelSHAP);
* a callable ``perturb(X, hidden_mask) -> X'`` receiving the repeated
  validation rows and a boolean ``(n, n_features)`` mask (True = hidden).

A calibrator is only valid for the perturbation it was fitted with: fit it
with the removal your explainer uses.

Calibration error is reported per level bin, before and after recalibration,
as the top-label expected calibration error (ECE, equal-width confidence
bins), a binned top-label KL calibration error
``Σ_m (n_m / n) KL(Bernoulli(acc_m) || Bernoulli(conf_m))``, and the
cross-entropy (negative log-likelihood) of the true labels.

Examples
--------
>>> from sklearn.datasets import load_breast_cancer
>>> from sklearn.ensemble import RandomForestClassifier
>>> from limekit.calibration import ReCalX
>>> X, y = load_breast_cancer(return_X_y=True)
>>> model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X[:300], y[:300])
>>> cal = ReCalX(n_bins=5, n_copies=4, random_state=0).fit(model, X[300:450], y[300:450])
>>> cal.temperatures_.shape
(5,)
>>> bool(((cal.temperatures_ > 0) & np.isfinite(cal.temperatures_)).all())
True
>>> proba = model.predict_proba(X[450:455])
>>> calibrated = cal.calibrate(proba, levels=[0.0, 0.2, 0.5, 0.8, 1.0])
>>> bool((calibrated.argmax(axis=1) == proba.argmax(axis=1)).all())
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from ._optional import require
from ._random import check_random_state
from ._validation import check_int as _check_int
from .blackbox import BlackBox, as_blackbox

__all__ = ["ReCalX", "CalibratedModel", "CalibrationReport", "calibrate_neighbourhood"]

PERTURBATIONS = ("mean", "zero", "marginal")

# Probabilities are floored before the logarithm so a hard 0 from a tree or a
# saturated network stays finite; 1e-12 is far below any probability that
# matters for calibration and far above float underflow.
_PROBA_FLOOR = 1e-12
# Search interval for log T: temperatures from 1/150 to 150 cover every model
# we have seen; a fit on the boundary means the bin's data carry no signal.
_LOG_T_BOUNDS = (-5.0, 5.0)
# Levels computed as (count / n_features) can land a rounding error below a
# bin edge; this tolerance keeps such a level in the bin it belongs to.
_EDGE_TOL = 1e-9


# ---------------------------------------------------------------- level bins
def _level_bins(levels: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin index of each level: ``b / B <= λ < (b + 1) / B``, with ``λ = 1`` in the last."""
    return np.minimum(np.floor(levels * n_bins + _EDGE_TOL), n_bins - 1).astype(np.intp)


def _check_levels(levels: Any, n: int) -> np.ndarray:
    lv = np.asarray(levels, dtype=float)
    if lv.ndim == 0:
        lv = np.full(n, float(lv))
    if lv.ndim != 1 or lv.shape[0] != n:
        raise ValueError(
            f"levels must be a scalar or a 1-D array with one perturbation level per row of "
            f"proba ({n} rows); got shape {lv.shape}."
        )
    if not np.isfinite(lv).all():
        row = int(np.flatnonzero(~np.isfinite(lv))[0])
        raise ValueError(f"levels has NaN or infinite values (first at row {row}).")
    if lv.size and (lv.min() < 0.0 or lv.max() > 1.0):
        row = int(np.flatnonzero((lv < 0) | (lv > 1))[0])
        raise ValueError(
            f"levels must lie in [0, 1] (the fraction of features hidden); row {row} has "
            f"{lv[row]:.4g}."
        )
    return lv


def _check_proba(proba: Any, n_classes: int | None, name: str = "proba") -> np.ndarray:
    try:
        p = np.asarray(proba, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric array of class probabilities") from None
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (n_samples, n_classes >= 2); got shape {p.shape}."
        )
    if n_classes is not None and p.shape[1] != n_classes:
        raise ValueError(
            f"{name} has {p.shape[1]} columns but the calibrator was fitted on a model with "
            f"{n_classes} classes; pass the probabilities of the same model."
        )
    bad = ~np.isfinite(p)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ValueError(f"{name} has NaN or infinite values (first at row {row}).")
    if p.size and (p.min() < -1e-6 or p.max() > 1 + 1e-6):
        raise ValueError(
            f"{name} has values outside [0, 1] (min {p.min():.4g}, max {p.max():.4g}); pass "
            "probabilities (apply softmax to logits)."
        )
    return p


def _log_proba(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, _PROBA_FLOOR, None))


def _scale(log_p: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """``softmax(log p / T)`` row by row, ``temperature`` broadcast over rows."""
    return np.exp(log_softmax(log_p / np.reshape(temperature, (-1, 1)), axis=1))


def _fit_temperature(log_p: np.ndarray, y: np.ndarray) -> float:
    """The T minimising the mean cross-entropy of ``softmax(log_p / T)`` against ``y``.

    The loss is convex in 1/T, hence unimodal in log T, so a bounded Brent
    search on log T finds the global minimum. When every row is uniform over
    the classes the loss does not depend on T, and T = 1 is returned.
    """
    if float((log_p.max(axis=1) - log_p.min(axis=1)).max()) < 1e-12:
        return 1.0  # uniform probabilities: every T gives the same loss and the same output
    rows = np.arange(y.shape[0])

    def nll(log_t: float) -> float:
        return float(-log_softmax(log_p * np.exp(-log_t), axis=1)[rows, y].mean())

    res = minimize_scalar(nll, bounds=_LOG_T_BOUNDS, method="bounded",
                          options={"xatol": 1e-6})
    return float(np.exp(res.x))


# ----------------------------------------------------------- calibration error
def _calibration_errors(proba: np.ndarray, y: np.ndarray,
                        n_bins: int) -> tuple[float, float, float]:
    """Top-label ECE, binned top-label KL calibration error and mean cross-entropy."""
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(float)
    m = np.minimum((conf * n_bins).astype(np.intp), n_bins - 1)
    counts = np.bincount(m, minlength=n_bins).astype(float)
    filled = counts > 0
    acc = np.bincount(m, correct, n_bins)[filled] / counts[filled]
    mean_conf = np.bincount(m, conf, n_bins)[filled] / counts[filled]
    share = counts[filled] / conf.size
    ece = float(np.sum(share * np.abs(acc - mean_conf)))
    c = np.clip(mean_conf, _PROBA_FLOOR, 1 - _PROBA_FLOOR)
    # x log(x / c) with 0 log 0 = 0, written without evaluating log(0)
    kl = (np.where(acc > 0, acc * np.log(np.where(acc > 0, acc, 1.0) / c), 0.0)
          + np.where(acc < 1, (1 - acc) * np.log(np.where(acc < 1, 1 - acc, 1.0) / (1 - c)),
                     0.0))
    nll = float(-_log_proba(proba[np.arange(y.size), y]).mean())
    return ece, float(np.sum(share * kl)), nll


# ------------------------------------------------------------- input handling
def _as_classifier(model: Any, batch_size: int | None) -> BlackBox:
    if isinstance(model, BlackBox):
        if model.mode != "classification":
            raise ValueError("ReCalX calibrates classifiers; the BlackBox has mode "
                             f"{model.mode!r}.")
        return model
    if not callable(model) and not hasattr(model, "predict_proba"):
        raise TypeError(
            f"{type(model).__name__} has no predict_proba; ReCalX recalibrates class "
            "probabilities. Use a probabilistic classifier or pass a function returning "
            "probabilities."
        )
    return as_blackbox(model, "classification", batch_size=batch_size)


def _check_X(X: Any, name: str) -> np.ndarray | pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] == 0 or X.shape[0] == 0:
            raise ValueError(f"{name} is empty (shape {X.shape}).")
        na = X.isna().to_numpy()
        if na.any():
            row, col = (int(i[0]) for i in np.nonzero(na))
            raise ValueError(
                f"{name} has missing values in column {X.columns[col]!r} (row {row}, "
                f"{int(na.sum())} in all); impute or drop them first."
            )
        return X.reset_index(drop=True)
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (rows × features) or a DataFrame; got shape {arr.shape}."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    if not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        raise TypeError(
            f"{name} has dtype {arr.dtype}; pass numeric arrays, or a DataFrame for "
            "string/categorical columns."
        )
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ValueError(
            f"{name} has NaN or infinite values (first at row {row}, feature {col}; "
            f"{int(bad.sum())} in all); impute or drop them first."
        )
    return arr


def _n_rows(X: np.ndarray | pd.DataFrame) -> int:
    return X.shape[0]


def _encode_labels(y: Any, n: int, n_classes: int, classes: np.ndarray | None,
                   name: str) -> np.ndarray:
    """Column index of each label in the model's probabilities."""
    arr = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be 1-D with one label per row ({n}); got shape "
                         f"{arr.shape}.")
    if classes is not None and len(classes) == n_classes:
        index = pd.Index(classes).get_indexer(arr)
        if (index < 0).any():
            row = int(np.flatnonzero(index < 0)[0])
            raise ValueError(
                f"{name}[{row}] = {arr[row]!r} is not one of the model's classes "
                f"{list(classes)[:10]}; labels must match the model's classes_."
            )
        return index.astype(np.intp)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must hold integer class indices 0..{n_classes - 1} (the columns of the "
            f"model's probabilities) when the model has no classes_; got dtype {arr.dtype}."
        )
    bad = (arr < 0) | (arr >= n_classes)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}[{row}] = {arr[row]} does not match a column of the model's probabilities "
            f"(it returns {n_classes} classes, so labels must be 0..{n_classes - 1})."
        )
    return arr.astype(np.intp)


def _model_classes(blackbox: BlackBox) -> np.ndarray | None:
    classes = getattr(blackbox.model, "classes_", None)
    return None if classes is None else np.asarray(classes)


class _Remover:
    """Replaces the hidden features of repeated validation rows (one strategy, fitted once)."""

    def __init__(self, perturbation: str | Callable, X: np.ndarray | pd.DataFrame,
                 background: np.ndarray | pd.DataFrame) -> None:
        self.kind = perturbation if isinstance(perturbation, str) else "callable"
        self.fn = perturbation if callable(perturbation) else None
        self.frame = isinstance(X, pd.DataFrame)
        if self.frame:
            if not isinstance(background, pd.DataFrame):
                raise TypeError("background must be a DataFrame when X is one.")
            missing = [c for c in X.columns if c not in background.columns]
            if missing:
                raise ValueError(f"background lacks the columns {missing[:5]} of X.")
            background = background[list(X.columns)]
        elif isinstance(background, pd.DataFrame) or background.shape[1] != X.shape[1]:
            raise ValueError(
                f"background must be a 2-D array with X's {X.shape[1]} features; got "
                f"{type(background).__name__} of shape {background.shape}."
            )
        self.background = background
        self.fill: Any = None
        if self.kind == "mean":
            self.fill = (_frame_fill(background) if self.frame
                         else background.mean(axis=0))
        elif self.kind == "zero" and self.frame:
            text = [c for c in X.columns if not _is_numeric(X[c])]
            if text:
                raise ValueError(
                    f"perturbation='zero' needs numeric columns; {text[:5]} are not. Use "
                    "'mean' (the mode for such columns), 'marginal', or a callable."
                )

    def __call__(self, X: np.ndarray | pd.DataFrame, rows: np.ndarray, hidden: np.ndarray,
                 donors: np.ndarray | None) -> Any:
        Xr = X.iloc[rows].reset_index(drop=True) if self.frame else X[rows]
        if self.fn is not None:
            out = self.fn(Xr, hidden)
            if _n_rows_any(out) != rows.size:
                raise ValueError(
                    f"the perturbation callable returned {_n_rows_any(out)} rows for "
                    f"{rows.size}; it must return one perturbed row per input row."
                )
            return out
        if not self.frame:
            if self.kind == "mean":
                return np.where(hidden, self.fill, Xr)
            if self.kind == "zero":
                return np.where(hidden, 0.0, Xr)
            return np.where(hidden, self.background[donors], Xr)
        cols = {}
        for j, c in enumerate(X.columns):  # a loop over columns, not samples
            if self.kind == "mean":
                other: Any = self.fill[c]
            elif self.kind == "zero":
                other = 0
            else:
                other = self.background[c].to_numpy()[donors]
            cols[c] = Xr[c].mask(hidden[:, j], other)
        return pd.DataFrame(cols, columns=X.columns)


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def _frame_fill(background: pd.DataFrame) -> dict[Any, Any]:
    """Mean of numeric columns, mode (most frequent, first in sort order on a tie) of others."""
    return {c: (background[c].mean() if _is_numeric(background[c])
                else background[c].mode(dropna=True).iloc[0])
            for c in background.columns}


def _n_rows_any(out: Any) -> int:
    return out.shape[0] if hasattr(out, "shape") else len(out)


# ------------------------------------------------------------------- ReCalX
class ReCalX:
    """Per-perturbation-level temperature scaling of a classifier (ReCalX).

    Parameters
    ----------
    n_bins : int, default 10
        Equal-width bins of the perturbation level λ ∈ [0, 1], one temperature each.
    n_copies : int, default 10
        Perturbed copies of each validation row per level bin (the paper uses
        200 rows × 10 copies per level).
    perturbation : {"mean", "zero", "marginal"} or callable, default "mean"
        How hidden features are replaced (see the module docstring). A callable
        is called as ``perturb(X, hidden_mask)`` and returns the perturbed rows.
    min_samples_per_bin : int, default 20
        Bins with fewer perturbed samples borrow the nearest fitted bin's temperature.
    batch_size : int, optional
        Most perturbed rows built and sent to the model per call (bounds
        memory); ``None`` builds and scores all of them in one call.
    random_state : int, optional
        Seed of the perturbations; the same seed gives identical temperatures.

    Attributes
    ----------
    temperatures_ : ndarray of shape (n_bins,)
        Temperature of each level bin (``> 1`` softens over-confident predictions).
    bin_edges_ : ndarray of shape (n_bins + 1,)
    n_samples_per_bin_ : ndarray of shape (n_bins,)
        Perturbed validation samples each bin was fitted on.
    fitted_bins_ : ndarray of bool, shape (n_bins,)
        Bins fitted on their own samples (the others borrow a neighbour's temperature).
    n_classes_ : int
    n_features_ : int
        Features of the validation data (set by :meth:`fit` only).

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_wine(return_X_y=True)
    >>> model = LogisticRegression(max_iter=5000).fit(X[::2], y[::2])
    >>> cal = ReCalX(n_bins=4, n_copies=3, random_state=0).fit(model, X[1::2], y[1::2])
    >>> cal.n_samples_per_bin_.tolist()
    [267, 267, 267, 267]
    >>> wrapped = cal.wrap(model)
    >>> wrapped.predict_proba(X[:2], levels=0.5).shape
    (2, 3)
    """

    def __init__(self, n_bins: int = 10, n_copies: int = 10,
                 perturbation: str | Callable[[Any, np.ndarray], Any] = "mean",
                 min_samples_per_bin: int = 20, batch_size: int | None = None,
                 random_state: int | None = None) -> None:
        self.n_bins = _check_int(n_bins, "n_bins", 1)
        self.n_copies = _check_int(n_copies, "n_copies", 1)
        if not callable(perturbation) and perturbation not in PERTURBATIONS:
            raise ValueError(
                f"perturbation must be one of {PERTURBATIONS} or a callable "
                f"perturb(X, hidden_mask) -> X', got {perturbation!r}"
            )
        self.perturbation = perturbation
        self.min_samples_per_bin = _check_int(min_samples_per_bin, "min_samples_per_bin", 1)
        self.batch_size = None if batch_size is None else _check_int(batch_size,
                                                                     "batch_size", 1)
        self.random_state = check_random_state(random_state)

    # ------------------------------------------------------------------ fit
    def fit(self, model: Any, X_val: Any, y_val: Any, background: Any = None) -> ReCalX:
        """Fit one temperature per perturbation-level bin on perturbed validation copies.

        Parameters
        ----------
        model : estimator with ``predict_proba``, or callable returning probabilities
            The classifier to recalibrate; a callable is called on a batch of
            rows and returns their class probabilities.
        X_val : ndarray or DataFrame of shape (n_rows, n_features)
            Labelled validation rows, not used to train the model.
        y_val : array-like of shape (n_rows,)
            Their labels: values of ``model.classes_`` when the model has it,
            else column indices of the model's probabilities.
        background : ndarray or DataFrame, optional
            Data the replacement values come from (mean, mode, or donor rows);
            default ``X_val``.

        Returns
        -------
        self
            The fitted calibrator (``temperatures_`` and the other fitted
            attributes are set).
        """
        blackbox = _as_classifier(model, self.batch_size)
        X = _check_X(X_val, "X_val")
        bg = X if background is None else _check_X(background, "background")
        remover = _Remover(self.perturbation, X, bg)
        proba0 = blackbox.predict(X)  # learns the number of classes before the big run
        self.n_classes_ = int(proba0.shape[1])
        self.n_features_ = int(X.shape[1])
        self.classes_ = _model_classes(blackbox)
        y = _encode_labels(y_val, _n_rows(X), self.n_classes_, self.classes_, "y_val")
        proba, levels, rows = self._perturbed_predictions(blackbox, X, remover, self._rng(0))
        self._fit_temperatures(proba, levels, y[rows], stacklevel=3)
        self._remover = remover
        return self

    def fit_predictions(self, proba: Any, levels: Any, y: Any) -> ReCalX:
        """Fit the temperatures on perturbed predictions you made yourself.

        For data :meth:`fit` cannot perturb (text, images): hide interpretable
        features of labelled validation inputs with your explainer's own
        representation, ask the model, and pass the probabilities, the level
        of each sample and its label. :meth:`report` needs :meth:`fit`.

        Parameters
        ----------
        proba : array-like of shape (n_samples, n_classes)
            Model probabilities on perturbed inputs.
        levels : array-like of shape (n_samples,)
            Fraction of features hidden in each, in ``[0, 1]``.
        y : array-like of shape (n_samples,)
            True class of each sample, as a column index of ``proba``.

        Returns
        -------
        self
            The fitted calibrator; it can :meth:`calibrate` and :meth:`wrap`
            but not :meth:`report`.

        Examples
        --------
        >>> p = np.array([[0.9, 0.1], [0.2, 0.8]] * 50)
        >>> cal = ReCalX(n_bins=2).fit_predictions(p, [0.2] * 50 + [0.7] * 50, [0, 1] * 50)
        >>> cal.fitted_bins_.tolist()
        [True, True]
        """
        p = _check_proba(proba, None)
        lv = _check_levels(levels, p.shape[0])
        self.n_classes_ = int(p.shape[1])
        self.classes_ = None
        labels = _encode_labels(y, p.shape[0], self.n_classes_, None, "y")
        self._fit_temperatures(p, lv, labels, stacklevel=3)
        self._remover = None
        return self

    def _fit_temperatures(self, proba: np.ndarray, levels: np.ndarray, labels: np.ndarray,
                          stacklevel: int) -> None:
        self.bin_edges_ = np.linspace(0.0, 1.0, self.n_bins + 1)
        bins = _level_bins(levels, self.n_bins)
        self.n_samples_per_bin_ = np.bincount(bins, minlength=self.n_bins)
        self.fitted_bins_ = self.n_samples_per_bin_ >= self.min_samples_per_bin
        log_p = _log_proba(proba)
        temps = np.ones(self.n_bins)
        for b in np.flatnonzero(self.fitted_bins_):  # a loop over bins; samples are vectorised
            sel = bins == b
            temps[b] = _fit_temperature(log_p[sel], labels[sel])
        fitted = np.flatnonzero(self.fitted_bins_)
        if not fitted.size:
            warnings.warn(
                f"no level bin has {self.min_samples_per_bin} perturbed samples (too few "
                "validation rows × n_copies), so every temperature is 1 and calibrate() "
                "changes nothing; use more validation rows or a larger n_copies.",
                UserWarning, stacklevel=stacklevel,
            )
        else:
            # nearest fitted bin; argmin takes the first (lower) one on a tie
            nearest = fitted[np.abs(np.arange(self.n_bins)[:, None] - fitted).argmin(axis=1)]
            temps = temps[nearest]
        self.temperatures_ = temps

    def _rng(self, stream: int) -> np.random.Generator:
        # independent streams for fit (0) and report (1) from the one seed
        return np.random.default_rng(
            np.random.SeedSequence(entropy=self.random_state, spawn_key=(stream,)))

    def _perturbed_predictions(self, blackbox: BlackBox, X: Any, remover: _Remover,
                               rng: np.random.Generator
                               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Model probabilities on perturbed copies, their levels and source rows."""
        n, d, B = _n_rows(X), self.n_features_, self.n_bins
        counts = np.arange(d + 1)
        count_bins = _level_bins(counts / d, B)
        per_bin = np.bincount(count_bins, minlength=B)
        starts = np.concatenate(([0], np.cumsum(per_bin)[:-1]))  # counts sorted by bin
        bins = np.flatnonzero(per_bin)
        # sample layout: row-major over (row, bin, copy)
        rows = np.repeat(np.arange(n), bins.size * self.n_copies)
        sample_bins = np.tile(np.repeat(bins, self.n_copies), n)
        pick = np.floor(rng.random(rows.size) * per_bin[sample_bins]).astype(np.intp)
        hidden_count = counts[starts[sample_bins] + pick]
        # exactly h hidden features per sample: the h smallest of d uniform keys
        ranks = rng.random((rows.size, d)).argsort(axis=1).argsort(axis=1)
        hidden = ranks < hidden_count[:, None]
        donors = (rng.integers(0, _n_rows(remover.background), rows.size)
                  if remover.kind == "marginal" else None)
        step = self.batch_size or rows.size
        parts = [blackbox.predict(remover(X, rows[s:s + step], hidden[s:s + step],
                                                None if donors is None else donors[s:s + step]))
                 for s in range(0, rows.size, step)]
        proba = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return proba, hidden_count / d, rows

    # ------------------------------------------------------------ calibrate
    def _check_fitted(self) -> None:
        if not hasattr(self, "temperatures_"):
            raise RuntimeError("this ReCalX is not fitted yet; call fit(model, X_val, y_val).")

    def temperature(self, levels: Any) -> np.ndarray:
        """Look up the temperature applied at each perturbation level.

        Parameters
        ----------
        levels : float or array-like
            Perturbation levels (fraction of features hidden), in ``[0, 1]``.

        Returns
        -------
        ndarray
            The temperature of each level's bin, with the shape of ``levels``
            (0-d for a float).

        Raises
        ------
        RuntimeError
            If the calibrator is not fitted.
        """
        self._check_fitted()
        lv = np.asarray(levels, dtype=float)
        lv = _check_levels(lv.reshape(-1), lv.size)
        return self.temperatures_[_level_bins(lv, self.n_bins)].reshape(np.shape(levels))

    def calibrate(self, proba: Any, levels: Any) -> np.ndarray:
        """Recalibrate probabilities measured at the given perturbation levels.

        Parameters
        ----------
        proba : array-like of shape (n_samples, n_classes)
            The model's class probabilities.
        levels : float or array-like of shape (n_samples,)
            Fraction of features hidden in each sample, in ``[0, 1]``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``softmax(log(proba) / T_b)`` with ``T_b`` the temperature of each
            sample's level bin; rows sum to 1 and the argmax is unchanged.
        """
        self._check_fitted()
        p = _check_proba(proba, self.n_classes_)
        lv = _check_levels(levels, p.shape[0])
        return _scale(_log_proba(p), self.temperatures_[_level_bins(lv, self.n_bins)])

    def wrap(self, model: Any) -> CalibratedModel:
        """Wrap a model so that its probabilities are recalibrated.

        Parameters
        ----------
        model : estimator with ``predict_proba``, or callable returning probabilities
            The classifier this calibrator was fitted for.

        Returns
        -------
        CalibratedModel
            ``model`` with :meth:`calibrate` applied to its probabilities;
            its ``predict_proba(X, levels)`` takes each row's perturbation level.
        """
        self._check_fitted()
        return CalibratedModel(model, self)

    # --------------------------------------------------------------- report
    def report(self, model: Any, X_test: Any, y_test: Any,
               n_confidence_bins: int = 15) -> CalibrationReport:
        """Calibration error per perturbation level before and after recalibration.

        Perturbed copies of ``(X_test, y_test)`` are made as in :meth:`fit`
        (same perturbation and replacement values, an independent random
        stream); use data the calibrator was not fitted on.

        Parameters
        ----------
        model : estimator with ``predict_proba``, or callable returning probabilities
            The model passed to :meth:`fit`.
        X_test : ndarray or DataFrame of shape (n_rows, n_features)
            Labelled test rows with the validation data's columns (a DataFrame
            exactly when ``X_val`` was one).
        y_test : array-like of shape (n_rows,)
            Their labels, encoded as for ``y_val`` in :meth:`fit`.
        n_confidence_bins : int, default 15
            Equal-width confidence bins of the ECE and KL estimates.

        Returns
        -------
        CalibrationReport
            ECE, KL calibration error and cross-entropy per level bin, before
            and after recalibration.

        Raises
        ------
        RuntimeError
            If the calibrator is not fitted, or was fitted with
            :meth:`fit_predictions` (there is no perturbation to repeat).
        """
        self._check_fitted()
        if self._remover is None:
            raise RuntimeError("report() perturbs the test data as fit() did; this calibrator "
                               "was fitted with fit_predictions, so there is no perturbation "
                               "to repeat. Compute levels and errors on your own copies.")
        n_conf = _check_int(n_confidence_bins, "n_confidence_bins", 1)
        blackbox = _as_classifier(model, self.batch_size)
        X = _check_X(X_test, "X_test")
        if isinstance(X, pd.DataFrame) != self._remover.frame or X.shape[1] != self.n_features_:
            raise ValueError(
                f"X_test must have the validation data's {self.n_features_} features "
                f"(and be a DataFrame exactly when X_val was); got shape {X.shape}."
            )
        y = _encode_labels(y_test, _n_rows(X), self.n_classes_, self.classes_, "y_test")
        proba, levels, rows = self._perturbed_predictions(blackbox, X, self._remover,
                                                          self._rng(1))
        if proba.shape[1] != self.n_classes_:
            raise ValueError(f"the model returns {proba.shape[1]} classes but the calibrator "
                             f"was fitted on {self.n_classes_}.")
        labels = y[rows]
        bins = _level_bins(levels, self.n_bins)
        after = _scale(_log_proba(proba), self.temperatures_[bins])
        present = np.flatnonzero(np.bincount(bins, minlength=self.n_bins))
        stats = np.array([(*_calibration_errors(proba[bins == b], labels[bins == b], n_conf),
                           *_calibration_errors(after[bins == b], labels[bins == b], n_conf))
                          for b in present]).reshape(-1, 6)
        return CalibrationReport(
            level_low=self.bin_edges_[present], level_high=self.bin_edges_[present + 1],
            n_samples=np.bincount(bins, minlength=self.n_bins)[present],
            temperature=self.temperatures_[present],
            ece_before=stats[:, 0], kl_before=stats[:, 1], nll_before=stats[:, 2],
            ece_after=stats[:, 3], kl_after=stats[:, 4], nll_after=stats[:, 5],
            n_confidence_bins=n_conf,
        )

    def __repr__(self) -> str:
        pert = self.perturbation if isinstance(self.perturbation, str) else "<callable>"
        return (f"ReCalX(n_bins={self.n_bins}, n_copies={self.n_copies}, "
                f"perturbation={pert!r}, random_state={self.random_state})")


class CalibratedModel:
    """A classifier whose probabilities are recalibrated for their perturbation level.

    Created by :meth:`ReCalX.wrap`. ``predict_proba(X, levels)`` needs the
    level of every row, so explainers use :func:`calibrate_neighbourhood`
    instead of calling it blindly.

    Parameters
    ----------
    model : estimator with ``predict_proba``, or callable returning probabilities
        The classifier whose probabilities are recalibrated.
    calibrator : ReCalX
        A fitted calibrator for ``model``.
    """

    def __init__(self, model: Any, calibrator: ReCalX) -> None:
        self.model = model
        self.calibrator = calibrator
        self._blackbox = _as_classifier(model, calibrator.batch_size)

    def predict_proba(self, X: Any, levels: Any) -> np.ndarray:
        """Recalibrated probabilities of ``X`` whose rows have the given perturbation levels.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Inputs of the wrapped model.
        levels : float or array-like of shape (n_rows,)
            Fraction of features hidden in each row, in ``[0, 1]``: one float
            for all rows or one value per row.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
            The model's probabilities after :meth:`ReCalX.calibrate`.
        """
        return self.calibrator.calibrate(self._blackbox.predict(X), levels)

    def __repr__(self) -> str:
        return f"CalibratedModel({type(self.model).__name__}, {self.calibrator!r})"


# ------------------------------------------------------------------- report
@dataclass(frozen=True)
class CalibrationReport:
    """Calibration error of a model per perturbation level, before and after ReCalX.

    One entry per level bin present in the test copies. ``ece_*``: top-label
    expected calibration error; ``kl_*``: binned top-label KL calibration
    error; ``nll_*``: cross-entropy of the true labels.

    Attributes
    ----------
    level_low, level_high : ndarray of shape (n_levels,)
        Lower and upper edge of each level bin.
    n_samples : ndarray of int of shape (n_levels,)
        Perturbed test samples in each bin.
    temperature : ndarray of shape (n_levels,)
        Temperature the calibrator applies in each bin.
    ece_before, ece_after : ndarray of shape (n_levels,)
        Top-label expected calibration error before and after recalibration.
    kl_before, kl_after : ndarray of shape (n_levels,)
        Binned top-label KL calibration error before and after.
    nll_before, nll_after : ndarray of shape (n_levels,)
        Mean cross-entropy of the true labels before and after.
    n_confidence_bins : int
        Equal-width confidence bins used by the ECE and KL estimates.

    Examples
    --------
    >>> r = CalibrationReport(level_low=np.array([0.0, 0.5]), level_high=np.array([0.5, 1.0]),
    ...     n_samples=np.array([100, 100]), temperature=np.array([1.0, 2.0]),
    ...     ece_before=np.array([0.02, 0.20]), ece_after=np.array([0.02, 0.05]),
    ...     kl_before=np.array([0.01, 0.1]), kl_after=np.array([0.01, 0.02]),
    ...     nll_before=np.array([0.1, 0.9]), nll_after=np.array([0.1, 0.5]),
    ...     n_confidence_bins=15)
    >>> r.max_error_before, r.max_error_after, round(r.max_error_reduction, 2)
    (0.2, 0.05, 0.75)
    """

    level_low: np.ndarray
    level_high: np.ndarray
    n_samples: np.ndarray
    temperature: np.ndarray
    ece_before: np.ndarray
    ece_after: np.ndarray
    kl_before: np.ndarray
    kl_after: np.ndarray
    nll_before: np.ndarray
    nll_after: np.ndarray
    n_confidence_bins: int

    @property
    def max_error_before(self) -> float:
        """Largest ECE across levels before recalibration."""
        return float(self.ece_before.max())

    @property
    def max_error_after(self) -> float:
        """Largest ECE across levels after recalibration."""
        return float(self.ece_after.max())

    @property
    def mean_error_before(self) -> float:
        """ECE averaged over levels (each level counts once)."""
        return float(self.ece_before.mean())

    @property
    def mean_error_after(self) -> float:
        """ECE after recalibration averaged over levels (each level counts once)."""
        return float(self.ece_after.mean())

    @property
    def max_error_reduction(self) -> float:
        """``1 - max_error_after / max_error_before`` (0 when there was no error)."""
        before = self.max_error_before
        return 0.0 if before == 0 else 1.0 - self.max_error_after / before

    def to_frame(self) -> pd.DataFrame:
        """Tabulate the per-level errors as a data frame.

        Returns
        -------
        pandas.DataFrame
            One row per level bin, one column per field but ``n_confidence_bins``.
        """
        return pd.DataFrame({
            "level_low": self.level_low, "level_high": self.level_high,
            "n_samples": self.n_samples, "temperature": self.temperature,
            "ece_before": self.ece_before, "ece_after": self.ece_after,
            "kl_before": self.kl_before, "kl_after": self.kl_after,
            "nll_before": self.nll_before, "nll_after": self.nll_after,
        })

    def to_dict(self) -> dict[str, Any]:
        """Summarise the report as plain data that `json` can write.

        Returns
        -------
        dict
            ``levels`` (the rows of :meth:`to_frame` as dicts),
            ``n_confidence_bins``, and the largest and mean errors before and
            after with ``max_error_reduction``.
        """
        return {
            "levels": self.to_frame().to_dict(orient="records"),
            "n_confidence_bins": int(self.n_confidence_bins),
            "max_ece_before": self.max_error_before, "max_ece_after": self.max_error_after,
            "mean_ece_before": self.mean_error_before, "mean_ece_after": self.mean_error_after,
            "max_kl_before": float(self.kl_before.max()),
            "max_kl_after": float(self.kl_after.max()),
            "max_error_reduction": self.max_error_reduction,
        }

    def __str__(self) -> str:
        head = (f"{'level':>11}  {'n':>6}  {'T':>6}  {'ECE before':>10}  {'ECE after':>9}  "
                f"{'KL before':>9}  {'KL after':>8}  {'NLL before':>10}  {'NLL after':>9}")
        lines = ["ReCalX calibration error per perturbation level", head, "-" * len(head)]
        for i in range(self.level_low.size):
            lines.append(
                f"{self.level_low[i]:.2f}–{self.level_high[i]:.2f}  {self.n_samples[i]:>6d}  "
                f"{self.temperature[i]:>6.3f}  {self.ece_before[i]:>10.4f}  "
                f"{self.ece_after[i]:>9.4f}  {self.kl_before[i]:>9.4f}  "
                f"{self.kl_after[i]:>8.4f}  {self.nll_before[i]:>10.4f}  "
                f"{self.nll_after[i]:>9.4f}"
            )
        lines += ["-" * len(head),
                  f"max ECE  {self.max_error_before:.4f} -> {self.max_error_after:.4f} "
                  f"({100 * abs(self.max_error_reduction):.1f}% "
                  f"{'lower' if self.max_error_reduction >= 0 else 'higher'})",
                  f"mean ECE {self.mean_error_before:.4f} -> {self.mean_error_after:.4f}"]
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Plot the ECE per level before and after recalibration (needs ``limekit[plot]``).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; a new figure is created when omitted.

        Returns
        -------
        matplotlib.axes.Axes
            The axes holding the two curves.
        """
        plt = require("matplotlib.pyplot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        mid = (self.level_low + self.level_high) / 2
        ax.plot(mid, self.ece_before, "o-", label="before")
        ax.plot(mid, self.ece_after, "o-", label="after ReCalX")
        ax.set_xlabel("perturbation level (fraction of features hidden)")
        ax.set_ylabel("expected calibration error")
        ax.set_xlim(0, 1)
        ax.set_ylim(bottom=0)
        ax.legend()
        return ax


# ----------------------------------------------------------- explainer hook
def calibrate_neighbourhood(calibrator: ReCalX | None, proba: Any,
                            interpretable_samples: Any) -> np.ndarray:
    """Recalibrate a LIME neighbourhood's probabilities for its perturbation levels.

    Call it right after the model call of an explainer, with the binary
    interpretable matrix the samples were decoded from: the level of sample
    ``i`` is the fraction of zeros in row ``i`` (features switched off).

    Parameters
    ----------
    calibrator : ReCalX or None
        A fitted calibrator; ``None`` returns ``proba`` unchanged (as an array),
        so an explainer can call this unconditionally.
    proba : array-like of shape (n_samples, n_classes)
        The model's class probabilities on the neighbourhood's samples.
    interpretable_samples : array-like of shape (n_samples, n_features)
        The binary interpretable representation of the samples (lime's):
        1 = same as the instance, 0 = perturbed.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        The recalibrated probabilities (``proba`` as a float array when
        ``calibrator`` is ``None``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X[::2], y[::2])
    >>> cal = ReCalX(n_copies=5, random_state=0).fit(model, X[1::2], y[1::2])
    >>> Z = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]])
    >>> proba = model.predict_proba(X[:3])
    >>> out = calibrate_neighbourhood(cal, proba, Z)
    >>> np.allclose(out, cal.calibrate(proba, [0.0, 0.5, 1.0]))
    True
    """
    if calibrator is None:
        return np.asarray(proba, dtype=float)
    if not isinstance(calibrator, ReCalX):
        raise TypeError(f"calibrator must be a fitted ReCalX or None, got "
                        f"{type(calibrator).__name__}")
    Z = np.asarray(interpretable_samples)
    n = np.shape(proba)[0] if np.ndim(proba) else -1
    if Z.ndim != 2 or Z.shape[0] != n or Z.shape[1] == 0:
        raise ValueError(
            f"interpretable_samples must have shape (n_samples, n_features) with one row per "
            f"row of proba ({n}); got shape {Z.shape}."
        )
    if Z.dtype != bool and not np.isin(Z, (0, 1)).all():
        raise ValueError(
            "interpretable_samples must be binary (1 = as in the instance, 0 = perturbed) to "
            "give a perturbation level; continuous tabular samples (discretizer=None) have "
            "no level: use a discretizer or compute levels and call ReCalX.calibrate."
        )
    levels = (Z.shape[1] - np.count_nonzero(Z, axis=1)) / Z.shape[1]
    return calibrator.calibrate(proba, levels)
