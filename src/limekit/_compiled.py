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

from ._random import BELOW_ONE, SPLITMIX_GAMMA, SPLITMIX_MIX1, SPLITMIX_MIX2

__all__ = ["enabled", "use_compiled", "draw_narrow", "same_bin", "undiscretize",
           "squared_euclidean", "centre_and_scale", "lime_binned", "row_masks",
           "unpack_rows", "binary_design", "output_summary"]

try:  # pragma: no cover - exercised when numba is installed (CI installs it)
    if os.environ.get("LIMEKIT_DISABLE_NUMBA", "").strip().lower() not in (
            "", "0", "false", "no", "off"):
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

    @numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
    def _popcount(x):  # pragma: no cover
        # the classic bit-count; LLVM turns it into one popcnt instruction
        x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
        x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2))
                                                  & np.uint64(0x3333333333333333))
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)

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
                     quantiles, row_offsets, n_quantiles, by_zeros, Z, values,
                     masks):  # pragma: no cover
        # draw_narrow + same_bin + undiscretize + squared distance to the all-ones
        # instance: the same operations in the same order, element by element.
        # Blocks of rows, one column at a time: each stage is a short branch-free loop
        # over the block (the bin choice a blend over the few boundaries), which the
        # compiler vectorises; only the quantile look-up stays a gather. Each block is
        # then copied out row by row, so the (n, m) outputs are written contiguously.
        # The 0/1 matrix goes out as one bit mask per row (Z itself only when Z has
        # rows): the design is counted from the masks, and a row's squared distance is
        # its number of zeros, which indexes ``by_zeros`` (weights or distances).
        m = boundaries.shape[1]
        nb = boundaries.shape[0]
        per_row = np.empty(n)
        block = 128
        u = np.empty(block)
        lo = np.empty(block)
        ip = np.empty(block)
        kk = np.empty(block)
        z_block = np.empty((m, block))
        v_block = np.empty((m, block))
        nw = masks.shape[1]
        m_block = np.empty((nw, block), np.int64)
        for r0 in range(0, n, block):
            nr = min(r0 + block, n) - r0
            m_block[:] = 0
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
                m_row = m_block[c >> 6]  # this column's bit in each row's mask
                shift = c & 63
                for i in range(nr):
                    k = kk[i]
                    v = min((u[i] - lo[i]) * ip[i], below_one)
                    pos = (v + k) * n_quantiles
                    pos += k
                    pos += offset
                    lo[i] = pos
                    u[i] = 1.0 if k == own else 0.0
                    m_row[i] |= np.int64(k == own) << shift
                if r0 == 0:  # the instance itself: its own bin, position 0
                    pos = own * n_quantiles
                    pos += own
                    pos += offset
                    lo[0] = pos
                    u[0] = 1.0
                    m_row[0] |= np.int64(1) << shift
                if Z.shape[0]:  # the dense 0/1 matrix is wanted
                    z_col = z_block[c]
                    for i in range(nr):
                        z_col[i] = u[i]
                v_col = v_block[c]
                for i in range(nr):
                    v_col[i] = _at_position(quantiles, lo[i])
            for i in range(nr):
                for c in range(m):
                    values[r0 + i, c] = v_block[c, i]
            for i in range(nr):
                ones = 0
                for t in range(nw):  # the row as bits (see row_masks)
                    word = m_block[t, i]
                    masks[r0 + i, t] = np.uint64(word)
                    ones += np.intp(_popcount(np.uint64(word)))
                # the squared distance to the all-ones instance is the number of zeros
                per_row[r0 + i] = by_zeros[m - ones]
            if Z.shape[0]:  # the dense 0/1 matrix too, when asked for
                for i in range(nr):
                    for c in range(m):
                        Z[r0 + i, c] = z_block[c, i]
        return Z, values, per_row, masks

    @_jit
    def _row_masks(Z):  # pragma: no cover
        # 0/1 rows as bit masks (feature c is bit c & 63 of word c >> 6); False if an
        # entry is neither 0 nor 1
        n, m = Z.shape
        nw = (m + 63) // 64
        masks = np.empty((n, nw), np.uint64)
        for i in range(n):
            bad = False
            for t in range(nw):
                word = np.int64(0)
                base = 64 * t
                for c in range(min(64, m - base)):
                    v = Z[i, base + c]
                    one = v == 1.0
                    bad |= (not one) and v != 0.0
                    word |= np.int64(one) << c
                masks[i, t] = np.uint64(word)
            if bad:
                return masks, False
        return masks, True

    @_jit
    def _unpack_rows(masks, m):  # pragma: no cover
        n, nw = masks.shape
        out = np.empty((n, m))
        for i in range(n):
            for t in range(nw):
                mask = np.int64(masks[i, t])
                base = 64 * t
                for c in range(min(64, m - base)):
                    out[i, base + c] = np.float64((mask >> c) & 1)
        return out

    @_jit
    def _binary_design(masks, m, w, Y, sw):  # pragma: no cover
        # The centred weighted statistics of 0/1 rows (as bit masks) whose weight
        # depends only on their number of zeros; see binary_design for the algebra.
        n, nw = masks.shape
        n_labels = Y.shape[1]
        fail = (np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0),
                False)
        y_mean = np.zeros(n_labels)
        for i in range(n):  # weighted output means (and every value finite)
            if not np.isfinite(w[i]):
                return fail
            for col in range(n_labels):
                y = Y[i, col]
                if not np.isfinite(y):
                    return fail
                y_mean[col] += w[i] * y
        for col in range(n_labels):
            y_mean[col] /= sw
        zeros = np.empty(n, np.intp)
        size = np.zeros(m + 1, np.intp)
        weight_of = np.zeros(m + 1)
        for i in range(n):
            ones = 0
            for t in range(nw):
                ones += np.intp(_popcount(masks[i, t]))
            g = m - ones
            zeros[i] = g
            if size[g] == 0:
                weight_of[g] = w[i]
            elif w[i] != weight_of[g]:
                return fail
            size[g] += 1
        # Pair counts per group of equal weight: the group's rows as column bitsets,
        # then AND + popcount (exact integers), G += w_group · counts in ascending
        # group order.
        start = np.zeros(m + 2, np.intp)
        for g in range(m + 1):
            start[g + 1] = start[g] + (size[g] + 63) // 64
        bits = np.zeros((start[m + 1], m), np.uint64)
        rank = np.zeros(m + 1, np.intp)
        for i in range(n):
            g = zeros[i]
            r = rank[g]
            rank[g] = r + 1
            word = start[g] + (r >> 6)
            shift = r & 63
            row = bits[word]
            for t in range(nw):  # branch-free over the columns: the compiler vectorises
                mask = np.int64(masks[i, t])
                base = 64 * t
                for c in range(min(64, m - base)):
                    row[base + c] |= np.uint64(((mask >> c) & 1) << shift)
        raw = np.zeros((m, m))
        counts = np.zeros((m, m), np.int64)
        ones_per_column = np.zeros(m, np.int64)
        for g in range(m + 1):
            if size[g] == 0:
                continue
            counts[:] = 0
            for t in range(start[g], start[g + 1]):
                row = bits[t]
                for j in range(m):
                    bj = row[j]
                    for k in range(j, m):
                        counts[j, k] += np.int64(_popcount(bj & row[k]))
            wg = weight_of[g]
            for j in range(m):
                ones_per_column[j] += counts[j, j]
                for k in range(j, m):
                    raw[j, k] += wg * np.float64(counts[j, k])
        # Xᵀ (w ⊙ Yc), wᵀ Yc and the weighted TSS, each summed over the rows in order
        cross = np.zeros((n_labels, m))
        w_yc = np.zeros(n_labels)
        tss = np.zeros(n_labels)
        for i in range(n):
            for col in range(n_labels):
                yc = Y[i, col] - y_mean[col]
                v = w[i] * yc
                w_yc[col] += v
                tss[col] += v * yc
                out = cross[col]
                for t in range(nw):
                    mask = np.int64(masks[i, t])
                    base = 64 * t
                    for c in range(min(64, m - base)):
                        out[base + c] += v * np.float64((mask >> c) & 1)
        x_mean = np.empty(m)
        constant = np.empty(m, np.bool_)
        for j in range(m):
            constant[j] = ones_per_column[j] == 0 or ones_per_column[j] == n
            if constant[j]:
                x_mean[j] = 1.0 if ones_per_column[j] == n else 0.0
            else:
                x_mean[j] = raw[j, j] / sw
        G = np.zeros((m, m))
        B = np.zeros((m, n_labels))
        for j in range(m):
            if constant[j]:
                continue
            for k in range(m):
                if not constant[k]:
                    base = raw[j, k] if j <= k else raw[k, j]
                    G[j, k] = base - sw * (x_mean[j] * x_mean[k])
            for col in range(n_labels):
                B[j, col] = cross[col, j] - x_mean[j] * w_yc[col]
        return G, B, x_mean, y_mean, tss, True

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
                n_quantiles: int, values: np.ndarray | None = None,
                by_zeros: np.ndarray | None = None, dense: bool = False):
    """lime's sampler on all-binned data in one pass: ``(Z, values, per-row values,
    row masks)``, the masks the 0/1 interpretable matrix's rows as bits (as
    :func:`row_masks` makes them) and ``Z`` the matrix itself with ``dense=True``
    (else ``None``: 1.2 MB of writes at 5000 × 30 that the masks make unnecessary;
    :class:`limekit.sampling.PackedBinary` unpacks them on demand).

    Equal to :meth:`DiscreteTable.draw` → ``to_interpretable`` → ``undiscretize`` →
    squared distance to the instance (tested bit for bit); ``None`` if not compiled.
    The per-row values are ``by_zeros[squared distance]`` (a row's squared distance
    is its number of zeros): the kernel weights when ``by_zeros`` tabulates them
    (:meth:`limekit.kernels.Kernel.weight_table`), else the squared distances.
    ``values`` (C-ordered float64, ``(n, m)``) receives the model inputs when given,
    else a fresh array does.
    """
    if not _state["on"]:
        return None

    m = table.boundaries.shape[1]
    Z = np.empty((n, m) if dense else (0, m))
    values = np.empty((n, m)) if values is None else values
    masks = np.empty((n, (m + 63) // 64), dtype=np.uint64)
    by_zeros = np.arange(m + 1, dtype=float) if by_zeros is None else by_zeros
    out = _lime_binned(np.uint64(seed), n, table.boundaries, table.lower, table.inv_p,
                       table.width, BELOW_ONE, inst_bins, bin_tables["quantiles"],
                       bin_tables["row_offsets"], float(n_quantiles), by_zeros, Z, values,
                       masks)
    return out if dense else (None, *out[1:])


def unpack_rows(masks: np.ndarray, n_features: int) -> np.ndarray:
    """The 0/1 float matrix whose rows ``masks`` holds as bits (see :func:`row_masks`)."""
    if _state["on"]:
        return _unpack_rows(masks, n_features)
    words = masks[:, np.arange(n_features) // 64]
    shifts = (np.arange(n_features) % 64).astype(np.uint64)
    return ((words >> shifts) & np.uint64(1)).astype(float)


def row_masks(Z: np.ndarray) -> np.ndarray | None:
    """0/1 rows of ``Z`` as ``(n, ceil(m / 64))`` uint64 bit masks (feature ``c`` is
    bit ``c % 64`` of word ``c // 64``); ``None`` if an entry is not 0 or 1."""
    if _state["on"]:
        masks, ok = _row_masks(np.ascontiguousarray(Z, dtype=float))
        return masks if ok else None
    ones = Z == 1.0
    if not (ones | (Z == 0.0)).all():
        return None
    n, m = Z.shape
    padded = np.zeros((n, -(-m // 64) * 64), dtype=np.uint64)
    padded[:, :m] = ones
    shifts = np.arange(64, dtype=np.uint64)
    return (padded.reshape(n, -1, 64) << shifts).sum(axis=2, dtype=np.uint64)


def binary_design(Z, w: np.ndarray, Y: np.ndarray, sw: float,
                  masks: np.ndarray | None = None) -> tuple[np.ndarray, ...] | None:
    """``(G, B, x̄, ȳ, tss)``: the centred weighted Gram matrix ``Xcᵀ W Xc``,
    cross-products ``Xcᵀ W Yc``, weighted column and output means and the weighted
    total sum of squares of the outputs, for 0/1 samples ``Z`` whose weights depend
    only on each row's number of zeros (lime's binary samples under any distance
    kernel); ``None`` otherwise, or when a weight or output is not finite. Constant
    columns get exact zeros.

    ``sw = Σ w``; ``masks`` are ``Z``'s rows as bit masks (:func:`row_masks`) when
    the sampler already has them (then ``Z`` only needs a ``shape``: it may be packed).

    Why: with 0/1 columns ``Xᵀ W X`` is a sum over the few distinct weights of
    integer pair counts, counted exactly with bitsets (AND + popcount), and the
    weighted mean of a column is its diagonal entry over ``Σ w``: one pass over
    an 8-byte-per-row mask instead of a centring pass and a dense ``syrk`` over
    the float matrix, and one compiled call instead of a dozen small NumPy ones.
    ``G = Xᵀ W X − Σw · x̄ x̄ᵀ``, ``B = Xᵀ (w ⊙ Yc) − x̄ (wᵀ Yc)`` with
    ``Yc = Y − ȳ``; every sum over rows runs in row order. The NumPy reference
    (used without numba) performs the same operations in the same order, so both
    agree bit for bit.
    """
    n, m = Z.shape
    if _state["on"]:
        if masks is None:
            masks = row_masks(Z)
            if masks is None:
                return None
        G, B, x_mean, y_mean, tss, ok = _binary_design(
            masks, m, np.ascontiguousarray(w, dtype=float),
            np.ascontiguousarray(Y, dtype=float), float(sw))
        return (G, B, x_mean, y_mean, tss) if ok else None
    if not np.isfinite(w).all() or not np.isfinite(Y).all():
        return None
    if not isinstance(Z, np.ndarray):  # packed samples (see limekit.sampling.PackedBinary)
        Z = unpack_rows(masks, m)
    ones_mask = Z == 1.0
    if not (ones_mask | (Z == 0.0)).all():
        return None
    zeros = m - ones_mask.sum(axis=1)
    raw = np.zeros((m, m))
    upper = np.triu(np.ones((m, m), dtype=bool))
    for g in np.unique(zeros):
        rows = zeros == g
        wg = w[rows]
        if not (wg == wg[0]).all():
            return None
        block = Z[rows]
        raw += wg[0] * np.where(upper, block.T @ block, 0.0)
    ones = ones_mask.sum(axis=0)
    constant = (ones == 0) | (ones == n)
    x_mean = np.diagonal(raw) / sw
    x_mean[constant] = (ones[constant] == n).astype(float)
    y_mean = _row_order_sum(w[:, None] * Y) / sw
    Yc = Y - y_mean
    weighted = w[:, None] * Yc
    w_yc = _row_order_sum(weighted)
    tss = _row_order_sum(weighted * Yc)
    cross = np.empty((m, Y.shape[1]))
    for col in range(Y.shape[1]):
        cross[:, col] = _row_order_sum(Z * weighted[:, col : col + 1])
    G = raw + np.triu(raw, 1).T
    G -= sw * np.outer(x_mean, x_mean)
    B = cross - np.outer(x_mean, w_yc)
    G[constant] = 0.0
    G[:, constant] = 0.0
    B[constant] = 0.0
    return G, B, x_mean, y_mean, tss


def _row_order_sum(terms: np.ndarray) -> np.ndarray:
    """Column sums of ``terms`` added row after row from +0.0, as the compiled loops do
    (``np.sum`` adds pairwise, which rounds differently)."""
    terms = terms.copy()
    terms[0] += 0.0  # the compiled sums start from +0.0: the same sign of zero
    return np.cumsum(terms, axis=0)[-1]


def output_summary(y: np.ndarray) -> tuple[float, float, bool, float] | None:
    """``(min, max, all finite, max |row sum − 1|)`` of a 2-D float array in one pass
    (the model-output checks); ``None`` if not compiled. Only meaningful when all
    values are finite."""
    if not _state["on"] or y.ndim != 2 or not y.flags.c_contiguous or y.dtype != np.float64:
        return None
    lo, hi, finite, worst = _output_summary(y)
    return float(lo), float(hi), bool(finite), float(worst)
