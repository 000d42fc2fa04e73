"""Adapters that call the model being explained, in chunks, and check what it returns.

The model may be a plain callable returning probabilities (classification) or
values (regression), or an estimator with ``predict_proba`` / ``predict``. Every
output is validated before any surrogate sees it: wrong shapes, NaN, and
non-probabilities are reported with the offending row and how to fix it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from . import _compiled
from ._validation import check_batch_size
from .adapters.torch import TorchModel, is_torch_module

__all__ = ["BlackBox", "as_blackbox"]


def _resolve_function(model: Any, mode: str) -> Callable[[Any], Any]:
    if is_torch_module(model):  # NumPy batches in, NumPy out; detected without importing torch
        return TorchModel(model, softmax=False)
    if mode == "classification":
        if hasattr(model, "predict_proba"):
            return model.predict_proba
        if callable(model):
            return model
        if hasattr(model, "predict"):
            raise TypeError(
                f"{type(model).__name__} has no predict_proba; classification explanations "
                "need class probabilities. Use a probabilistic classifier (e.g. "
                "SVC(probability=True)), pass a function returning probabilities, or use "
                "mode='regression' to explain predict()."
            )
    else:
        if hasattr(model, "predict") and not callable(model):
            return model.predict
        if callable(model):
            return model
        if hasattr(model, "predict"):
            return model.predict
    raise TypeError(
        f"model must be a callable or have predict_proba/predict, got {type(model).__name__}"
    )


def _n_rows(inputs: Any) -> int:
    return inputs.shape[0] if hasattr(inputs, "shape") else len(inputs)


def _slice(inputs: Any, start: int, stop: int) -> Any:
    if isinstance(inputs, (pd.DataFrame, pd.Series)):
        return inputs.iloc[start:stop]
    return inputs[start:stop]


class BlackBox:
    """The model being explained, as a validated, chunked prediction function.

    Parameters
    ----------
    model : callable or estimator
    mode : {"classification", "regression"}
    batch_size : int, optional
        Call the model on at most this many rows at a time (bounds its memory);
        ``None`` sends all samples in one call.
    deduplicate : bool, default False
        Ask the model once per distinct input row and copy its answer to the
        duplicates. Discretized and text sampling often repeat rows, so an
        expensive model saves calls; rows are matched by a 64-bit hash of
        their content (pandas' ``hash_pandas_object``), so a false match has
        probability about n²/2⁶⁴.
    finite_inputs : bool, default False
        The caller vouches that every input value is finite (samples it drew
        from validated training data): scikit-learn models then skip their own
        NaN/inf scan of each call (``assume_finite``), a third of a logistic
        regression's time on 50 000 × 30 samples. Outputs are checked as always.
    """

    def __init__(self, model: Any, mode: str, batch_size: int | None = None,
                 deduplicate: bool = False, finite_inputs: bool = False) -> None:
        self.batch_size = check_batch_size(batch_size)
        self.model = model
        self.mode = mode
        self.deduplicate = bool(deduplicate)
        self.finite_inputs = bool(finite_inputs)
        self.fn = _resolve_function(model, mode)

    def predict(self, inputs: Any) -> np.ndarray:
        """Model outputs for ``inputs``: ``(n, k)`` probabilities or ``(n, 1)`` values."""
        if self.deduplicate:
            first, inverse = _distinct_rows(inputs)
            if first.size < _n_rows(inputs):
                return self._predict(_take(inputs, first))[inverse]
        return self._predict(inputs)

    def _predict(self, inputs: Any) -> np.ndarray:
        n = _n_rows(inputs)
        step = self.batch_size or n
        parts: list[np.ndarray] = []
        for s in range(0, n, step):
            out = self._call(_slice(inputs, s, min(s + step, n)), start=s, total=n)
            check_consistent_output(out, parts, s, n)
            parts.append(out)
        return check_model_output(np.concatenate(parts, axis=0) if len(parts) > 1 else parts[0],
                                  n, self.mode)

    def _call(self, chunk: Any, start: int = 0, total: int | None = None) -> np.ndarray:
        """The model's output on one chunk, as a float array with one row per input row.

        ``start`` and ``total`` place the chunk among all rows sent to the model,
        so errors name the failing call (``rows 200..299 of 1000``).
        """
        # Counted before the call: a model may empty or shrink the list it was given.
        rows = _n_rows(chunk)
        where = _rows_text(start, rows, rows if total is None else total)
        try:
            if self.finite_inputs:
                from sklearn import config_context

                with config_context(assume_finite=True):
                    out = self.fn(chunk)
            else:
                out = self.fn(chunk)
        except Exception as exc:
            kind = (f"a DataFrame with columns {list(chunk.columns)[:6]}"
                    if isinstance(chunk, pd.DataFrame)
                    else f"{type(chunk).__name__} of shape {getattr(chunk, 'shape', rows)}")
            raise RuntimeError(
                f"the model raised {type(exc).__name__}: {exc} when called on {where} "
                f"({kind}). Check that it accepts inputs shaped like the training data."
            ) from exc
        if out is None:
            raise TypeError(f"the model returned None when called on {where}; does it lack a "
                            "return statement?")
        if hasattr(out, "detach"):  # a torch tensor
            out = out.detach().cpu().numpy()
        try:
            raw = np.asarray(out)
            if raw.dtype.kind == "c":  # casting would silently drop the imaginary part
                raise TypeError("complex values")
            # Always a copy: a model may hand back a buffer it reuses (or its own input,
            # which later calls overwrite); chunks must not alias each other.
            arr = np.array(raw, dtype=float, copy=True)
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeError(
                f"the model returned {type(out).__name__} that is not numeric, or not one "
                f"rectangular row per input ({exc}), when called on {where}; it must return an "
                "array of probabilities (classification) or values (regression)."
            ) from None
        if arr.ndim == 0 or arr.shape[0] != rows:
            raise ValueError(
                f"the model returned shape {arr.shape} for {rows} input rows (when called on "
                f"{where}); it must return one prediction per row."
            )
        return arr


def _distinct_rows(inputs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first occurrence of each distinct row, and each row's distinct index."""
    if isinstance(inputs, pd.DataFrame):
        keys = pd.util.hash_pandas_object(inputs, index=False).to_numpy()
    elif isinstance(inputs, np.ndarray) and inputs.ndim == 2 and inputs.dtype != object:
        keys = pd.util.hash_pandas_object(pd.DataFrame(inputs), index=False).to_numpy()
    elif isinstance(inputs, np.ndarray) and inputs.dtype != object:
        flat = np.ascontiguousarray(inputs).reshape(inputs.shape[0], -1)
        keys = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1])))[:, 0]
    else:  # lists of strings and other sequences
        keys = pd.util.hash_pandas_object(pd.Series(list(inputs), dtype=object),
                                          index=False).to_numpy()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _take(inputs: Any, index: np.ndarray) -> Any:
    if isinstance(inputs, (pd.DataFrame, pd.Series)):
        return inputs.iloc[index]
    if isinstance(inputs, np.ndarray):
        return inputs[index]
    return [inputs[i] for i in index]


def _rows_text(start: int, rows: int, total: int) -> str:
    if rows == total:
        return f"all {total} rows in one call"
    return f"rows {start}..{start + rows - 1} of {total}"


def check_consistent_output(out: np.ndarray, previous: list[np.ndarray], start: int,
                            total: int) -> None:
    """Raise if a chunk's output has a different shape per row than earlier chunks'."""
    if previous and out.shape[1:] != previous[0].shape[1:]:
        raise ValueError(
            f"the model returned shape {out.shape} for rows {start}..{start + len(out) - 1} of "
            f"{total} but {(len(previous[0]), *previous[0].shape[1:])} for rows "
            f"0..{len(previous[0]) - 1}; it must return the same number of outputs (classes) "
            "for every call. A classifier that only returns the classes present in its "
            "input, or a changing output layout, cannot be explained."
        )


def check_model_output(y: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Validate model outputs for ``n`` rows; returns a 2-D float array."""
    if mode == "classification":
        if y.ndim != 2 or y.shape[1] < 2:
            raise ValueError(
                f"for classification the model must return class probabilities of shape "
                f"(n_samples, n_classes >= 2); it returned shape {y.shape}. Pass predict_proba "
                "(not predict); for a single positive-class probability p, return "
                "np.column_stack([1 - p, p]); or use mode='regression'."
            )
    else:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(
                f"for regression the model must return one value per row; it returned shape "
                f"{y.shape}. To explain output j of a multi-output model pass "
                "lambda X: model.predict(X)[:, j]."
            )
        y = y[:, None]
    # One compiled pass (or min/max, which propagate NaN) screens for non-finite values
    # and values outside [0, 1]; the detailed diagnosis runs only on failure.
    summary = _compiled.output_summary(y)
    if summary is None:
        lo, hi = float(y.min()), float(y.max())
        finite = bool(np.isfinite(lo) and np.isfinite(hi))
    else:
        lo, hi, finite, worst_sum = summary
    if not finite:
        bad = ~np.isfinite(y)
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ValueError(
            f"the model returned NaN or infinite predictions ({int(bad.any(axis=1).sum())} of "
            f"{n} rows, first at sample row {row}); it must return finite values for every "
            "perturbed sample. Check that it handles the value ranges in the training data."
        )
    if mode == "classification":
        if lo < -1e-6 or hi > 1 + 1e-6:
            raise ValueError(
                f"the model returned values outside [0, 1] (min {lo:.4g}, max {hi:.4g}), so they "
                "are not probabilities; pass predict_proba, apply softmax/sigmoid to logits, or "
                "use mode='regression' to explain raw scores."
            )
        if summary is None:
            worst_sum = float(np.abs(y.sum(axis=1) - 1.0).max())
        if worst_sum > 1e-4:
            sums = y.sum(axis=1)
            warnings.warn(
                "the model's class probabilities do not sum to 1 (row sums range "
                f"{sums.min():.4g}..{sums.max():.4g}); explanations treat each column "
                "independently, as for a multi-label model.",
                UserWarning, stacklevel=4,
            )
    return y


def as_blackbox(model: Any, mode: str, batch_size: int | None = None,
                deduplicate: bool = False, finite_inputs: bool = False) -> BlackBox:
    """Wrap ``model`` (idempotent)."""
    if isinstance(model, BlackBox):
        return model
    return BlackBox(model, mode, batch_size=batch_size, deduplicate=deduplicate,
                    finite_inputs=finite_inputs)
