"""Compiled (numba) versions of the hot per-sample loops, with NumPy as the reference.

Why compiled code: on a 5000 × 30 neighbourhood each NumPy step is a full pass
over 150 000 values and allocates a temporary; drawing, decoding and comparing
took ~15 such passes (~4 ms) while a logistic regression scores the same
samples in 0.2 ms. One loop per stage that keeps every value in registers does
the same arithmetic in one pass.

Every kernel here performs *the same floating-point operations in the same
order* as the NumPy code it replaces, so results are bit-identical with or
without numba (tested). numba is optional: without it, or with the
environment variable ``LIMEKIT_DISABLE_NUMBA=1``, the NumPy path runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ._random import SPLITMIX_GAMMA, SPLITMIX_MIX1, SPLITMIX_MIX2

__all__ = ["enabled", "use_compiled", "draw_narrow", "same_bin", "undiscretize",
           "squared_euclidean", "centre_and_scale", "lime_binned", "binary_gram",
           "output_summary"]

try:  # pragma: no cover - exercised when numba is installed (CI installs it)
    if os.environ.get("LIMEKIT_DISABLE_NUMBA", "") not in ("", "0"):
        raise ImportError("disabled by LIMEKIT_DISABLE_NUMBA")
    import numba
except ImportError:  # pragma: no cover
    numba = None

_state = {"on": numba is not None}


def enabled() -> bool:
    """Whether the compiled kernels are used."""
    return _state["on"]


@contextmanager
def use_compiled(flag: bool) -> Iterator[None]:
    """Temporarily force the compiled (``True``) or NumPy (``False``) path.

    Forcing ``True`` without numba installed keeps the NumPy path.
    """
    before = _state["on"]
    _state["on"] = bool(flag) and numba is not None
    try:
        yield
    finally:
        _state["on"] = before


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")

    @numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
    def _word(seed, i):  # pragma: no cover
        # word i of limekit._random.counter_words(seed, ...): SplitMix64, all in uint64
        z = np.uint64(i + 1) * np.uint64(SPLITMIX_GAMMA) + seed
        z = (z ^ (z >> np.uint64(30))) * np.uint64(SPLITMIX_MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(SPLITMIX_MIX2)
        return z ^ (z >> np.uint64(31))

    @numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy", inline="always")
    def _code(seed, t, c, bounds, nb, lower, inv_p, width, below_one):  # pragma: no cover
        # uniform t (the low or high half of word t // 2) → category index + position
        # inside that category's mass, for column c
        word = _word(seed, t >> 1)
        if t & 1:
            word = word >> np.uint64(32)
        else:
            word = word & np.uint64(0xFFFFFFFF)
        x = np.float64(word) * 2.0 ** -32
        k = 0
        for b in range(nb):
            k += x >= bounds[c, b]
        f = c * width + k
        v = (x - lower[f]) * inv_p[f]
        if v > below_one:
            v = below_one
        return v + k

    @numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy", inline="always")
    def _value(code, c, quantiles, row_offsets, n_quantiles):  # pragma: no cover
        # code (bin + position in its mass) of column c → value, by linear interpolation
        # in the bin's tabulated quantiles (the operations of _interpolate_quantiles)
        pos = code * n_quantiles
        pos += np.float64(np.intp(code))
        pos += row_offsets[c]
        return _at_position(quantiles, pos)

    @numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy", inline="always")
    def _at_position(quantiles, pos):  # pragma: no cover
        # linear interpolation between knots floor(pos) and floor(pos) + 1
        at = np.intp(pos)
        frac = pos - at
        left = quantiles[at]
        right = quantiles[at + 1]
        right -= left
        right *= frac
        right += left
        return right

    @_jit
    def _draw_narrow(seed, n, boundaries, lower, inv_p, width, below_one):  # pragma: no cover
        m = boundaries.shape[1]
        out = np.empty((n, m))
        nb = boundaries.shape[0]
        bounds = np.ascontiguousarray(boundaries.T)  # one column's boundaries adjacent
        for i in range(n):
            for c in range(m):
                # column-major uniforms (see DiscreteTable.draw)
                out[i, c] = _code(seed, c * n + i, c, bounds, nb, lower, inv_p, width,
                                  below_one)
        return out

    @_jit
    def _same_bin(codes, instance_codes):  # pragma: no cover
        n, m = codes.shape
        out = np.empty((n, m))
        for i in range(n):
            for j in range(m):
                out[i, j] = 1.0 if np.floor(codes[i, j]) == instance_codes[j] else 0.0
        return out

    @_jit
    def _undiscretize(codes, quantiles, row_offsets, n_quantiles):  # pragma: no cover
        n, m = codes.shape
        out = np.empty((n, m))
        for i in range(n):
            for j in range(m):
                out[i, j] = _value(codes[i, j], j, quantiles, row_offsets, n_quantiles)
        return out

    @_jit
    def _squared_euclidean(Z, z0):  # pragma: no cover
        n, m = Z.shape
        out = np.empty(n)
        for i in range(n):
            acc = 0.0
            for j in range(m):
                diff = Z[i, j] - z0[j]
                acc += diff * diff
            out[i] = acc
        return out

    @_jit
    def _centre_and_scale(X, mean, root_w, out):  # pragma: no cover
        n, m = X.shape
        varies = np.zeros(m, dtype=np.bool_)
        for i in range(n):
            r = root_w[i]
            for j in range(m):
                v = X[i, j]
                if v != X[0, j]:
                    varies[j] = True
                v -= mean[j]
                v *= r
                out[i, j] = v
        for j in range(m):
            if not varies[j]:
                for i in range(n):
                    out[i, j] = 0.0
        return out, ~varies

    @_jit
    def _lime_binned(seed, n, boundaries, lower, inv_p, width, below_one, inst_bins,
                     quantiles, row_offsets, n_quantiles, Z, values):  # pragma: no cover
        # draw_narrow + same_bin + undiscretize + squared distance to the all-ones
        # instance: the same operations in the same order, element by element.
        # Blocks of rows, one column at a time: each stage is a short branch-free loop
        # over the block (the bin choice a blend over the few boundaries), which the
        # compiler vectorises; only the quantile look-up stays a gather. Each block is
        # then copied out row by row, so the (n, m) outputs are written contiguously.
        m = boundaries.shape[1]
        nb = boundaries.shape[0]
        sq = np.empty(n)
        block = 128
        u = np.empty(block)
        lo = np.empty(block)
        ip = np.empty(block)
        kk = np.empty(block)
        z_block = np.empty((m, block))
        v_block = np.empty((m, block))
        for r0 in range(0, n, block):
            nr = min(r0 + block, n) - r0
            for c in range(m):
                t0 = c * n + r0
                for i in range(nr):
                    t = t0 + i
                    word = _word(seed, t >> 1)
                    half = (word >> np.uint64((t & 1) * 32)) & np.uint64(0xFFFFFFFF)
                    u[i] = np.float64(np.int64(half)) * 2.0 ** -32
                f0 = c * width
                first_lower = lower[f0]
                first_inv = inv_p[f0]
                for i in range(nr):
                    lo[i] = first_lower
                    ip[i] = first_inv
                    kk[i] = 0.0
                for b in range(nb):  # boundaries ascend: the last one reached wins
                    bound = boundaries[b, c]
                    next_lower = lower[f0 + b + 1]
                    next_inv = inv_p[f0 + b + 1]
                    for i in range(nr):
                        hit = u[i] >= bound
                        lo[i] = next_lower if hit else lo[i]
                        ip[i] = next_inv if hit else ip[i]
                        kk[i] += 1.0 if hit else 0.0
                own = np.float64(inst_bins[c])
                offset = row_offsets[c]
                for i in range(nr):
                    k = kk[i]
                    v = min((u[i] - lo[i]) * ip[i], below_one)
                    pos = (v + k) * n_quantiles
                    pos += k
                    pos += offset
                    lo[i] = pos
                    u[i] = 1.0 if k == own else 0.0
                if r0 == 0:  # the instance itself: its own bin, position 0
                    pos = own * n_quantiles
                    pos += own
                    pos += offset
                    lo[0] = pos
                    u[0] = 1.0
                z_col = z_block[c]
                v_col = v_block[c]
                for i in range(nr):
                    z_col[i] = u[i]
                    v_col[i] = _at_position(quantiles, lo[i])
            for i in range(nr):
                acc = 0.0
                for c in range(m):
                    z = z_block[c, i]
                    Z[r0 + i, c] = z
                    diff = z - 1.0
                    acc += diff * diff
                    values[r0 + i, c] = v_block[c, i]
                sq[r0 + i] = acc
        return Z, values, sq

    @numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
    def _popcount(x):  # pragma: no cover
        # the classic bit-count; LLVM turns it into one popcnt instruction
        x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
        x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2))
                                                  & np.uint64(0x3333333333333333))
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)

    @_jit
    def _binary_gram(Z, w):  # pragma: no cover
        # Σ_i w_i z_i z_iᵀ for 0/1 rows whose weight depends only on their number of
        # zeros: per group of equal weight, pair counts by AND + popcount of bitsets
        # (exact integers), then G += w_group · counts, groups in ascending order.
        n, m = Z.shape
        zeros = np.empty(n, np.intp)
        size = np.zeros(m + 1, np.intp)
        weight_of = np.zeros(m + 1)
        column_ones = np.zeros(m, np.intp)
        for i in range(n):
            ones = 0
            bad = False
            for j in range(m):
                v = Z[i, j]
                one = v == 1.0
                bad |= (not one) and v != 0.0
                ones += one
                column_ones[j] += one
            if bad:
                return np.zeros((0, 0)), column_ones, False
            g = m - ones
            zeros[i] = g
            if size[g] == 0:
                weight_of[g] = w[i]
            elif w[i] != weight_of[g]:
                return np.zeros((0, 0)), column_ones, False
            size[g] += 1
        start = np.zeros(m + 2, np.intp)  # first bitset word of each group
        for g in range(m + 1):
            start[g + 1] = start[g] + (size[g] + 63) // 64
        bits = np.zeros((start[m + 1], m), np.uint64)
        rank = np.zeros(m + 1, np.intp)
        for i in range(n):
            g = zeros[i]
            r = rank[g]
            rank[g] = r + 1
            word = start[g] + (r >> 6)
            shift = np.uint64(r & 63)
            for j in range(m):
                bits[word, j] |= np.uint64(Z[i, j] == 1.0) << shift
        G = np.zeros((m, m))
        counts = np.zeros((m, m), np.int64)
        for g in range(m + 1):
            if size[g] == 0:
                continue
            counts[:] = 0
            for t in range(start[g], start[g + 1]):
                row = bits[t]
                for j in range(m):
                    bj = row[j]
                    for k in range(j, m):
                        counts[j, k] += _popcount(bj & row[k])
            wg = weight_of[g]
            for j in range(m):
                for k in range(j, m):
                    G[j, k] += wg * np.float64(counts[j, k])
        return G, column_ones, True


    @_jit
    def _output_summary(y):  # pragma: no cover
        n, k = y.shape
        lo = np.inf
        hi = -np.inf
        finite = True
        worst = 0.0
        for i in range(n):
            total = 0.0
            for j in range(k):
                v = y[i, j]
                finite &= np.isfinite(v)
                lo = min(lo, v)
                hi = max(hi, v)
                total += v
            worst = max(worst, abs(total - 1.0))
        return lo, hi, finite, worst


def draw_narrow(seed: np.uint64, n: int, boundaries: np.ndarray, lower: np.ndarray,
                inv_p: np.ndarray, width: int, below_one: float) -> np.ndarray | None:
    """Category index + position in its mass for ``n`` rows of narrow columns, from
    the word stream :func:`limekit._random.counter_words` of ``seed`` (uniform ``t``
    to row ``t % n`` of column ``t // n``); ``None`` if not compiled."""
    if not _state["on"]:
        return None
    return _draw_narrow(np.uint64(seed), n, boundaries, lower, inv_p, width, below_one)


def same_bin(codes: np.ndarray, instance_codes: np.ndarray) -> np.ndarray | None:
    """``floor(codes) == instance_codes`` as floats; ``None`` if not compiled."""
    if not _state["on"]:
        return None
    return _same_bin(codes, instance_codes)


def undiscretize(codes: np.ndarray, quantiles: np.ndarray, row_offsets: np.ndarray,
                 n_quantiles: int) -> np.ndarray | None:
    """Interpolated bin quantiles for binned codes; ``None`` if not compiled."""
    if not _state["on"]:
        return None
    return _undiscretize(codes, quantiles, row_offsets, float(n_quantiles))


def squared_euclidean(Z: np.ndarray, z0: np.ndarray) -> np.ndarray | None:
    """Squared distance of each row of ``Z`` to ``z0``; ``None`` if not compiled.

    Sums run left to right, so they can differ from NumPy's pairwise sums in
    the last bits for non-integer ``Z`` (binary ``Z`` gives exact integers).
    """
    if not _state["on"]:
        return None
    return _squared_euclidean(Z, z0)


def centre_and_scale(X: np.ndarray, mean: np.ndarray, root_w: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """``(X − mean) · root_w[:, None]`` with constant columns exactly zero, and the
    constant-column mask; ``None`` if not compiled.

    The result lives in a per-thread scratch buffer, valid until the next call
    in the same thread: callers use it at once (the Gram matrix) and keep
    nothing. Reusing it spares the page faults of a fresh n × d array per
    explanation (~0.3 ms at 5000 × 30 with glibc's default allocator).
    """
    if not _state["on"]:
        return None
    out = _scratch("centre", X.shape)
    return _centre_and_scale(X, mean, root_w, out)


_local = threading.local()


def _scratch(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A per-thread float64 buffer of ``shape`` for short-lived intermediate results."""
    buffers = _local.__dict__.setdefault("buffers", {})
    buf = buffers.get(name)
    size = int(np.prod(shape))
    if buf is None or buf.size < size:
        buf = buffers[name] = np.empty(max(size, 1))
    return buf[:size].reshape(shape)


def lime_binned(seed: np.uint64, n: int, table, inst_bins: np.ndarray, bin_tables: dict,
                n_quantiles: int, Z: np.ndarray | None = None,
                values: np.ndarray | None = None):
    """lime's sampler on all-binned data in one pass: ``(Z, values, squared distance)``.

    Equal to :meth:`DiscreteTable.draw` → ``to_interpretable`` → ``undiscretize`` →
    squared distance to the instance (tested bit for bit); ``None`` if not compiled.
    ``Z`` and ``values`` (C-ordered float64, ``(n, m)``) receive the results when
    given, else fresh arrays do.
    """
    if not _state["on"]:
        return None
    from .sampling import _BELOW_ONE

    m = table.boundaries.shape[1]
    Z = np.empty((n, m)) if Z is None else Z
    values = np.empty((n, m)) if values is None else values
    return _lime_binned(np.uint64(seed), n, table.boundaries, table.lower, table.inv_p,
                        table.width, _BELOW_ONE, inst_bins, bin_tables["quantiles"],
                        bin_tables["row_offsets"], float(n_quantiles), Z, values)


def binary_gram(Z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(Zᵀ diag(w) Z, ones per column)``, the Gram matrix's upper triangle filled
    and the rest zero, when ``Z`` is 0/1 and
    rows with the same number of zeros share one weight (lime's binary samples with
    any distance kernel); ``None`` otherwise.

    Why: the weighted Gram matrix of binary samples is a sum, over the few
    distinct weights, of integer pair counts; counting with bitsets costs a
    third of a dense ``syrk`` plus the centring pass it needs. The NumPy
    reference (used without numba) computes the same counts by matrix products
    (exact integers) and combines them in the same order, so both agree bit
    for bit.
    """
    n, m = Z.shape
    if not np.isfinite(w).all():
        return None
    if _state["on"]:
        G, column_ones, ok = _binary_gram(np.ascontiguousarray(Z, dtype=float),
                                          np.ascontiguousarray(w, dtype=float))
        return (G, column_ones) if ok else None
    ones_mask = Z == 1.0
    if not (ones_mask | (Z == 0.0)).all():
        return None
    zeros = m - ones_mask.sum(axis=1)
    G = np.zeros((m, m))
    upper = np.triu(np.ones((m, m), dtype=bool))
    for g in np.unique(zeros):
        rows = zeros == g
        wg = w[rows]
        if not (wg == wg[0]).all():
            return None
        block = Z[rows]
        counts = np.where(upper, block.T @ block, 0.0)
        G += wg[0] * counts
    return G, ones_mask.sum(axis=0)


def output_summary(y: np.ndarray) -> tuple[float, float, bool, float] | None:
    """``(min, max, all finite, max |row sum − 1|)`` of a 2-D float array in one pass
    (the model-output checks); ``None`` if not compiled. Only meaningful when all
    values are finite."""
    if not _state["on"] or y.ndim != 2 or not y.flags.c_contiguous or y.dtype != np.float64:
        return None
    lo, hi, finite, worst = _output_summary(y)
    return float(lo), float(hi), bool(finite), float(worst)
