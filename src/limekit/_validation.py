"""Input checks at the API boundary; messages name what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MODES = ("classification", "regression")


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be 'classification' or 'regression', got {mode!r}")
    return mode


def check_num_samples(num_samples: int, minimum: int = 2) -> int:
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"num_samples must be an int, got {type(num_samples).__name__}")
    if num_samples < minimum:
        raise ValueError(
            f"num_samples={num_samples} is too few to fit a local model; use at least "
            f"{minimum} (lime's default is 5000)."
        )
    return int(num_samples)


def check_num_features(num_features: int | None, n_features: int, default: bool) -> int:
    """``default`` is True when the user did not pass num_features (then it is clipped)."""
    if num_features is None:
        return n_features
    if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)):
        raise TypeError(f"num_features must be an int or None, got {type(num_features).__name__}")
    if num_features < 1:
        raise ValueError(f"num_features must be at least 1, got {num_features}")
    if num_features > n_features:
        if default:
            return n_features
        raise ValueError(
            f"num_features={num_features} is larger than the number of features "
            f"({n_features}); pass num_features<={n_features}, or None to use all."
        )
    return int(num_features)


def check_finite_column(values: np.ndarray, name: str, where: str) -> None:
    """Raise naming the column and the first bad row if ``values`` has NaN or inf."""
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        kind = "NaN" if np.isnan(values[row]) else "an infinite value"
        raise ValueError(
            f"{where} has {kind} in feature {name!r} (row {row}, {int(bad.sum())} bad "
            "value(s) in that column); impute or drop missing values before explaining."
        )


def format_names(names: Sequence[object]) -> str:
    names = [str(n) for n in names]
    if len(names) > 8:
        return ", ".join(repr(n) for n in names[:8]) + f", ... ({len(names)} in all)"
    return ", ".join(repr(n) for n in names)


def check_int(value: object, name: str, minimum: int) -> int:
    """``value`` as an int ``>= minimum``; TypeError for non-integers (bools included),
    ValueError below the minimum, both naming the parameter."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_batch_size(batch_size: object) -> int | None:
    """``batch_size``: ``None`` or a positive int (bools and strings refused)."""
    if batch_size is None:
        return None
    if (isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    return int(batch_size)


def check_class_names(class_names: object) -> list[str] | None:
    """``class_names``: ``None`` or a sequence of names, one per model output column."""
    if class_names is None:
        return None
    if isinstance(class_names, (str, bytes)):
        raise TypeError("class_names must be a sequence of names (e.g. ['no', 'yes']), "
                        "not a single string")
    try:
        return [str(c) for c in class_names]
    except TypeError:
        raise TypeError(f"class_names must be a sequence of names, got "
                        f"{type(class_names).__name__}") from None

