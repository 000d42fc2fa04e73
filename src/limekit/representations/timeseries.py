"""Univariate time-series representation: contiguous windows shown or replaced by a baseline."""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = ["SeriesSegments", "segment_boundaries", "check_series", "check_baseline", "BASELINES"]

BASELINES = ("mean", "zero", "linear")


def check_series(series) -> np.ndarray:
    """A univariate series as a 1-D float array (accepts (T,), (T, 1) and (1, T))."""
    if np.iscomplexobj(series):
        raise TypeError("the series is complex; explain its real and imaginary parts (or "
                        "its magnitude) as real series")
    try:
        arr = np.asarray(series, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"the series must be a numeric 1-D array, got {type(series).__name__}"
        ) from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(
            f"the series must be univariate: shape (T,), (T, 1) or (1, T); got shape "
            f"{arr.shape}. For multivariate sequences use TimeSeriesExplainer, or explain "
            "one channel at a time."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the series has NaN or infinite values ({int(bad.sum())} in all, first at t={t}); "
            "impute them (e.g. interpolate) before explaining."
        )
    return arr


def check_baseline(baseline) -> str | float | np.ndarray:
    if isinstance(baseline, str):
        if baseline not in BASELINES:
            raise ValueError(
                f"baseline must be one of {BASELINES}, a number, or an array with one value "
                f"per timestep; got {baseline!r}"
            )
        return baseline
    if isinstance(baseline, (bool, np.bool_)):
        raise TypeError("baseline must be a string, a number or an array, not a bool")
    if isinstance(baseline, Real):
        value = float(baseline)
        if not np.isfinite(value):
            raise ValueError(f"a numeric baseline must be finite, got {value}")
        return value
    arr = np.asarray(baseline, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"an array baseline must be 1-D with one value per timestep (e.g. "
            f"X_train.mean(axis=0)); got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("the baseline array has NaN or infinite values")
    return arr.copy()


def segment_boundaries(length: int, n_segments: int) -> np.ndarray:
    """Edges of ``n_segments`` contiguous windows covering ``0..length``.

    Window ``k`` is ``[edges[k], edges[k+1])``; sizes differ by at most one.

    Examples
    --------
    >>> segment_boundaries(10, 3).tolist()
    [0, 3, 6, 10]
    """
    if n_segments > length:
        raise ValueError(
            f"the series has {length} points, fewer than n_segments={n_segments}; every "
            f"window needs at least one point, so use n_segments <= {length}."
        )
    return (np.arange(n_segments + 1) * length) // n_segments


class SeriesSegments:
    """The window representation of one series: encode is all-ones, decode hides windows.

    Parameters
    ----------
    series : ndarray of shape (T,)
    n_segments : int
    baseline : {"mean", "zero", "linear"}, float or ndarray of shape (T,)
        What a hidden window shows. ``"linear"``: the straight line from the
        point just before the window to the point just after it, taken from
        the *original* series (so a window's replacement does not depend on
        which other windows are hidden, which keeps decoding one vectorised
        ``where``); a window at either end is held flat at its one neighbour.

    Attributes
    ----------
    boundaries : ndarray of shape (n_segments + 1,)
    window_of : ndarray of shape (T,)
        Window index of every timestep.
    replacement : ndarray of shape (T,)
        The baseline series.

    Examples
    --------
    >>> import numpy as np
    >>> seg = SeriesSegments(np.arange(6.0), 3, baseline="zero")
    >>> seg.decode(np.array([[1.0, 0.0, 1.0]])).tolist()
    [[0.0, 1.0, 0.0, 0.0, 4.0, 5.0]]
    """

    def __init__(self, series: np.ndarray, n_segments: int, baseline="mean") -> None:
        self.series = series
        self.n_segments = int(n_segments)
        self.boundaries = segment_boundaries(series.size, self.n_segments)
        self.window_of = np.repeat(np.arange(self.n_segments), np.diff(self.boundaries))
        self.replacement = self._replacement(check_baseline(baseline))

    def _replacement(self, baseline) -> np.ndarray:
        x = self.series
        T = x.size
        if isinstance(baseline, np.ndarray):
            if baseline.size != T:
                raise ValueError(
                    f"the baseline array has {baseline.size} values but the series has {T} "
                    "points; pass one baseline value per timestep."
                )
            return baseline
        if isinstance(baseline, float):
            return np.full(T, baseline)
        if baseline == "zero":
            return np.zeros(T)
        if baseline == "mean":
            return np.full(T, float(x.mean()))
        # "linear": per window, vectorised over timesteps via each one's window edges.
        start = self.boundaries[self.window_of]
        stop = self.boundaries[self.window_of + 1]
        has_left, has_right = start > 0, stop < T
        left = np.where(has_left, x[np.maximum(start - 1, 0)], 0.0)
        right = np.where(has_right, x[np.minimum(stop, T - 1)], 0.0)
        left = np.where(has_left, left, np.where(has_right, right, x.mean()))
        right = np.where(has_right, right, left)
        frac = (np.arange(T) - (start - 1)) / (stop - start + 1)
        return left + frac * (right - left)

    @property
    def n_features(self) -> int:
        return self.n_segments

    def encode(self) -> np.ndarray:
        """The instance in the interpretable space: every window shown."""
        return np.ones(self.n_segments)

    def decode(self, Z: np.ndarray) -> np.ndarray:
        """Series for masks ``Z`` (n × n_segments, 1 = shown): ``(n, T)``, no loop over samples."""
        shown = Z[:, self.window_of] > 0.5
        return np.where(shown, self.series, self.replacement)

    def describe(self) -> tuple[list[str], list[str]]:
        """Window labels ``t[a:b]`` and each window's mean value (for display)."""
        edges = self.boundaries
        names = [f"t[{a}:{b}]" for a, b in zip(edges[:-1], edges[1:], strict=True)]
        means = np.add.reduceat(self.series, edges[:-1]) / np.diff(edges)
        return names, [format(float(m), ".4g") for m in means]


class LazyDecoded:
    """The decoded samples, materialised one model chunk at a time.

    :class:`~limekit.blackbox.BlackBox` slices its input with ``inputs[a:b]``,
    so decoding lazily here bounds memory by ``batch_size × T`` instead of
    ``num_samples × T`` while keeping one model call per chunk.
    """

    def __init__(self, segments: SeriesSegments, Z: np.ndarray) -> None:
        self.segments = segments
        self.Z = Z
        self.shape = (Z.shape[0], segments.series.size)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: slice) -> np.ndarray:
        return self.segments.decode(self.Z[index])
