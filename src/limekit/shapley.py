"""KernelSHAP: Shapley values as a constrained weighted linear regression.

KernelSHAP (Lundberg & Lee, 2017) is LIME with no penalty, binary coalition
masks ``z ∈ {0, 1}^M`` and the Shapley kernel

    π(z) = (M - 1) / (C(M, |z|) · |z| · (M - |z|)),

under the constraints that the surrogate reproduces the empty coalition
(``φ₀ = v(∅)``) and the full one (``Σ φⱼ = v(all) - v(∅)``); these two
coalitions have infinite kernel weight. With all ``2^M - 2`` proper coalitions
and these weights, the regression returns the exact Shapley values.

Sampling from the kernel rather than reweighting. Drawing coalitions uniformly
and weighting them by ``π`` would waste almost all the weight on the few
small and large coalitions: the Kish effective sample size
``(Σ wᵢ)² / Σ wᵢ²`` would be a small fraction of the number of model calls.
:func:`sample_coalitions` instead (as the ``shap`` package does) enumerates
whole coalition sizes while the budget allows, smallest and largest first
(where the kernel puts most of its mass), and draws the remaining coalitions
with probability proportional to their kernel weight, so that those samples
all carry the same weight. Paired sampling (each coalition followed by its
complement) cancels the even-order terms of the estimation error.

Examples
--------
>>> import numpy as np
>>> from limekit.shapley import exact_shapley, kernel_shap
>>> def value(masks):  # v(S) = 2·[0 ∈ S] + [1 ∈ S and 2 ∈ S]
...     return 2.0 * masks[:, 0] + masks[:, 1] * masks[:, 2]
>>> exact_shapley(value, 3).phi.tolist()
[2.0, 0.5, 0.5]
>>> phi, phi0 = kernel_shap(value, 3, n_samples=6, random_state=0)
>>> np.round(phi, 10).tolist(), float(phi0)
([2.0, 0.5, 0.5], 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import chain, combinations
from typing import NamedTuple

import numpy as np
from scipy.special import comb

from .kernel_sampling import RandomStateLike, _as_generator, _check_count, _uniform_subsets

__all__ = ["shapley_kernel_weight", "sample_coalitions", "solve_kernelshap", "exact_shapley",
           "kernel_shap", "KernelShapSampler", "ShapleyValues"]

ValueFunction = Callable[[np.ndarray], np.ndarray]

# exact_shapley evaluates all 2^M coalitions in one call
_EXACT_MAX_FEATURES = 20
# a coalition size is enumerated when each of its coalitions would be drawn this many
# times in expectation (shap's rule, with its tolerance for rounding)
_ENUMERATE_AT = 1.0 - 1e-8
# random draws allowed per requested coalition before the budget is left partly
# unfilled (only reachable when it asks for nearly every coalition of some size)
_MAX_DRAWS_PER_ROW = 64


class ShapleyValues(NamedTuple):
    """Attributions ``phi`` (``(M,)`` or ``(M, L)``) and the base value ``phi0 = v(∅)``.

    A named tuple: ``phi, phi0 = result`` unpacks it.

    Attributes
    ----------
    phi : numpy.ndarray of shape (M,) or (M, L)
        Shapley value of each feature, for one or ``L`` outputs.
    phi0 : float or numpy.ndarray of shape (L,)
        Base value ``v(∅)``, the value of the empty coalition.
    """

    phi: np.ndarray
    phi0: np.ndarray | float


def shapley_kernel_weight(M: int, size: int | np.ndarray) -> np.ndarray:
    """Shapley kernel weight ``(M-1) / (C(M, s) · s · (M-s))`` of one coalition of size ``s``.

    Vectorised over ``size``. The empty (``s = 0``) and full (``s = M``) coalitions
    get ``inf``: KernelSHAP enforces them as constraints. For very large ``M`` the
    middle sizes' weights underflow to 0 (they are below the smallest double).

    Parameters
    ----------
    M : int
        Number of features (>= 1).
    size : int or array of int
        Coalition sizes, each in ``0 .. M``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``size`` (a 0-d array for a scalar).

    Examples
    --------
    >>> shapley_kernel_weight(4, [0, 1, 2, 3, 4]).tolist()
    [inf, 0.25, 0.125, 0.25, inf]
    """
    M = _check_count("M", M, 1)
    s = np.asarray(size)
    if s.dtype.kind not in "iu" and not (s.dtype.kind == "f" and np.all(s == np.round(s))):
        raise TypeError("size must hold integer coalition sizes")
    if np.any((s < 0) | (s > M)):
        raise ValueError(f"coalition sizes must lie in 0..M = 0..{M}")
    s = s.astype(float)
    out = np.full(s.shape, np.inf)
    inner = (s > 0) & (s < M)
    si = s[inner]
    with np.errstate(over="ignore"):
        # C(M, s) overflows to inf only where the weight is below the smallest double anyway
        out[inner] = (M - 1.0) / (comb(M, si) * si * (M - si))
    return out


def sample_coalitions(
    M: int,
    n_samples: int,
    random_state: RandomStateLike = None,
    paired: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Proper coalitions (neither empty nor full) and their KernelSHAP regression weights.

    Coalition sizes are grouped in pairs ``{s, M-s}``. Following the ``shap``
    package, the pairs are visited from the smallest ``s`` upwards and a pair is
    enumerated completely (weight ``π(s)`` on each coalition) when the remaining
    budget, spread over the remaining pairs in proportion to their kernel mass,
    would draw each of its coalitions at least once. The rest of the budget is
    drawn at random: a pair with probability proportional to its kernel mass,
    then a uniformly random coalition of that size (and, with ``paired=True``,
    its complement right after it). Repeated draws are merged into one row whose
    weight counts them, so ``n_samples`` is the number of distinct coalitions
    (model evaluations); the sampled rows share the remaining kernel mass in
    proportion to their counts, so all weights are on the scale of ``π``.

    When ``n_samples >= 2^M - 2`` every proper coalition is enumerated exactly
    once with weight ``π(|z|)``: the result is the full enumeration, and
    :func:`solve_kernelshap` returns the exact Shapley values.

    A pair ``(S, S^c)`` gives the regression one equation, so with
    ``paired=True`` about ``4·M`` coalitions are needed before the ``M - 1``
    free directions are reliably identified (at ``n_samples = 2·M`` the pairs
    are linearly dependent in roughly a third of draws for ``M = 10``; the
    solver then returns the minimum-norm solution). Unpaired sampling
    identifies them from about ``2·M`` coalitions but has far higher variance
    for non-additive functions.

    Parameters
    ----------
    M : int
        Number of features (>= 1).
    n_samples : int
        Number of coalitions to return (>= 1); capped at ``2^M - 2``.
    random_state : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed or generator; an int gives the same coalitions every time.
    paired : bool, default True
        Follow each sampled coalition by its complement (the last one may be
        unpaired when the budget is odd).

    Returns
    -------
    masks : numpy.ndarray of bool, shape (n, M)
        ``n = min(n_samples, 2^M - 2)`` rows; fewer only if ``64 · n_samples``
        random draws do not find enough distinct coalitions, which needs a budget
        within a few coalitions of ``2^M - 2`` and a very unequal kernel.
    weights : numpy.ndarray of shape (n,)
        Non-negative regression weights.

    Examples
    --------
    >>> masks, weights = sample_coalitions(3, 100, random_state=0)
    >>> masks.astype(int).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 1, 0], [1, 0, 1], [0, 0, 1], [1, 1, 0]]
    >>> bool(np.all(weights == shapley_kernel_weight(3, 1)))  # (3-1) / (3·1·2) each
    True
    """
    M = _check_count("M", M, 1)
    n_samples = _check_count("n_samples", n_samples, 1)
    rng = _as_generator(random_state)
    budget = min(n_samples, 2**M - 2)
    if budget == 0:
        return np.zeros((0, M), dtype=bool), np.zeros(0)

    smaller = np.arange(1, M // 2 + 1)  # s of each size pair {s, M - s}
    mirrored = 2 * smaller != M
    # kernel mass of a whole pair: (number of coalitions) · π(s)
    mass = np.where(mirrored, 2.0, 1.0) * (M - 1.0) / (smaller * (M - smaller))

    blocks: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    left = budget
    n_full = 0
    for c, s in enumerate(smaller):
        count = math.comb(M, int(s)) * (2 if mirrored[c] else 1)
        if count > left:
            break
        share = mass[c] / mass[c:].sum()
        if left * share / count < _ENUMERATE_AT:
            break
        blocks.append(_all_coalitions(M, int(s)))
        weights.append(np.full(count, shapley_kernel_weight(M, int(s))[()]))
        left -= count
        n_full += 1

    if left > 0:
        masks, counts = _draw_distinct(rng, M, smaller[n_full:], mirrored[n_full:],
                                       mass[n_full:], left, paired)
        blocks.append(masks)
        weights.append(counts * (mass[n_full:].sum() / counts.sum()))
    return np.concatenate(blocks), np.concatenate(weights)


def solve_kernelshap(
    masks: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    full_value: float | np.ndarray,
    empty_value: float | np.ndarray,
) -> np.ndarray:
    """Shapley values from coalition evaluations: weighted least squares with exact efficiency.

    Minimises ``Σᵢ wᵢ (vᵢ - v(∅) - zᵢ·φ)²`` subject to
    ``Σⱼ φⱼ = v(all) - v(∅)`` exactly (``φ₀ = v(∅)`` is fixed). The constraint
    is eliminated by writing ``φ = Δ/M · 1 + Hᵀ β`` with ``H`` the Helmert basis
    of the sum-zero subspace (orthonormal, so the problem keeps its
    conditioning and no feature is singled out); ``β`` is found with
    :func:`numpy.linalg.lstsq` on the ``sqrt(w)``-scaled design, which gives
    the minimum-norm ``φ`` if the coalitions do not determine it.

    Rows whose mask is empty or full carry no information beyond the
    constraints and are ignored (their weight may be ``inf``).

    Parameters
    ----------
    masks : array of shape (n, M)
        Coalitions as 0/1 or bool.
    values : array of shape (n,) or (n, L)
        ``v(zᵢ)``, for one or ``L`` outputs.
    weights : array of shape (n,)
        Non-negative regression weights (e.g. from :func:`sample_coalitions`).
    full_value, empty_value : float or array of shape (L,)
        ``v(all)`` and ``v(∅)``.

    Returns
    -------
    numpy.ndarray of shape (M,) or (M, L)
        The Shapley values ``φ`` (one column per output when ``values`` is
        2-D), summing exactly to ``v(all) - v(∅)``.

    Examples
    --------
    >>> masks = np.array([[1, 0], [0, 1]])
    >>> solve_kernelshap(masks, [1.0, 3.0], [1.0, 1.0], full_value=5.0, empty_value=0.0).tolist()
    [1.5, 3.5]
    """
    Z = np.asarray(masks)
    if Z.ndim != 2 or Z.shape[1] < 1:
        raise ValueError(f"masks must be a 2-D (n_coalitions, M) array, got shape {Z.shape}")
    if Z.dtype != bool:
        if not np.all((Z == 0) | (Z == 1)):
            raise ValueError("masks must contain only 0/1 (or booleans)")
        Z = Z.astype(bool)
    n, M = Z.shape
    y = np.asarray(values, dtype=float)
    single = y.ndim == 1
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(f"values must have shape ({n},) or ({n}, L) to match masks, "
                         f"got {y.shape}")
    y = y[:, None] if single else y
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), got {w.shape}")
    full = _per_output("full_value", full_value, y.shape[1])
    empty = _per_output("empty_value", empty_value, y.shape[1])

    size = Z.sum(axis=1)
    proper = (size > 0) & (size < M)
    Z, y, w = Z[proper], y[proper], w[proper]
    if not np.all(np.isfinite(y)):
        raise ValueError("values must be finite")
    if np.any(~np.isfinite(w) | (w < 0)):
        raise ValueError("weights must be finite and non-negative (only the empty and full "
                         "coalitions may have infinite weight)")
    delta = full - empty
    phi = np.broadcast_to(delta / M, (M, delta.size)).copy()
    if M > 1 and w.size and w.max() > 0:
        Zf = Z.astype(float)
        # residual target once the constraint's share Δ/M per feature is taken out
        target = y - empty - np.outer(size[proper] / M, delta)
        # rescaling by max(w) leaves the solution unchanged and keeps tiny π weights of
        # large M away from underflow
        sw = np.sqrt(w / w.max())[:, None]
        beta = np.linalg.lstsq(_helmert_design(Zf) * sw, target * sw, rcond=None)[0]
        phi += _helmert_combine(beta)
    return phi[:, 0] if single else phi


def exact_shapley(value_fn: ValueFunction, M: int) -> ShapleyValues:
    """Exact Shapley values by brute force over all ``2^M`` coalitions (small ``M`` only).

    ``φⱼ = Σ_{S ∌ j} |S|! (M-|S|-1)! / M! · (v(S ∪ {j}) - v(S))``. The value
    function is called once, with every coalition.

    Parameters
    ----------
    value_fn : callable
        ``value_fn(masks)`` with ``masks`` a bool array ``(n, M)`` returns ``(n,)``
        or ``(n, L)`` values.
    M : int
        Number of features, 1 to 20.

    Returns
    -------
    ShapleyValues
        ``phi`` of shape ``(M,)`` or ``(M, L)`` and ``phi0 = v(∅)``.

    Examples
    --------
    >>> exact_shapley(lambda m: (m[:, 0] & m[:, 1]).astype(float), 2).phi.tolist()
    [0.5, 0.5]
    """
    M = _check_count("M", M, 1)
    if M > _EXACT_MAX_FEATURES:
        raise ValueError(f"exact_shapley enumerates 2^M coalitions; M={M} is too many "
                         f"(at most {_EXACT_MAX_FEATURES}); use kernel_shap instead")
    codes = np.arange(2**M)
    bits = np.int64(1) << np.arange(M)
    masks = (codes[:, None] & bits) != 0
    v, single = _evaluate(value_fn, masks)
    size = masks.sum(axis=1)
    # |S|!(M-|S|-1)!/M! = 1 / (M · C(M-1, |S|)) for |S| = 0..M-1
    coef = 1.0 / (M * np.array([math.comb(M - 1, s) for s in range(M)], dtype=float))
    phi = np.empty((M, v.shape[1]))
    for j in range(M):
        without = codes[(codes & bits[j]) == 0]
        phi[j] = coef[size[without]] @ (v[without | bits[j]] - v[without])
    return _pack(phi, v[0], single)


def kernel_shap(
    value_fn: ValueFunction,
    M: int,
    n_samples: int | None = None,
    random_state: RandomStateLike = None,
    paired: bool = True,
) -> ShapleyValues:
    """KernelSHAP estimate of the Shapley values of a set function.

    Draws ``n_samples`` proper coalitions with :func:`sample_coalitions`,
    evaluates them together with the full and the empty coalition in one call
    to ``value_fn``, and solves :func:`solve_kernelshap`.

    Parameters
    ----------
    value_fn : callable
        ``value_fn(masks)`` with ``masks`` a bool array ``(n, M)`` returns ``(n,)``
        or ``(n, L)`` values.
    M : int
        Number of features (>= 1).
    n_samples : int, optional
        Number of proper coalitions (model evaluations besides the full and the
        empty coalition); default ``2·M + 2048`` as in ``shap``; capped at
        ``2^M - 2``, where the result is exact.
    random_state : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed or generator of the coalition sample; an int gives the same
        estimate every time.
    paired : bool, default True
        Sample each coalition together with its complement.

    Returns
    -------
    ShapleyValues
        ``phi`` of shape ``(M,)`` or ``(M, L)`` (summing exactly to
        ``v(all) - v(∅)``) and ``phi0 = v(∅)``.

    Examples
    --------
    >>> coef = np.arange(1.0, 7.0)
    >>> kernel_shap(lambda m: m @ coef, 6, n_samples=12, random_state=0).phi.round(8).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    """
    M = _check_count("M", M, 1)
    n_samples = 2 * M + 2048 if n_samples is None else _check_count("n_samples", n_samples, 1)
    masks, weights = sample_coalitions(M, n_samples, random_state, paired)
    anchors = np.array([[True] * M, [False] * M])
    v, single = _evaluate(value_fn, np.concatenate([anchors, masks]))
    phi = solve_kernelshap(masks, v[2:], weights, v[0], v[1])
    return _pack(phi, v[1], single)


class KernelShapSampler:
    """KernelSHAP's coalition sampler in limekit's sampler shape: ``draw(d, n, rng)``.

    Row 0 is the instance (all features present), row 1 the empty coalition;
    both have weight ``inf`` (KernelSHAP's constraints). Rows 2.. come from
    :func:`sample_coalitions`. Fit with
    ``solve_kernelshap(Z, y, weights, y[0], y[1])``, which skips the two
    anchor rows.

    Parameters
    ----------
    paired : bool, default True
        Follow each sampled coalition by its complement (see
        :func:`sample_coalitions`).

    Examples
    --------
    >>> Z, w = KernelShapSampler().draw(4, 10, np.random.default_rng(0))
    >>> Z.shape, Z[:2].tolist(), w[:2].tolist()
    ((10, 4), [[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]], [inf, inf])
    """

    def __init__(self, paired: bool = True) -> None:
        self.paired = bool(paired)

    def draw(self, d: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` coalitions of ``d`` features with their KernelSHAP weights.

        Parameters
        ----------
        d : int
            Number of features (>= 1).
        n : int
            Number of rows, the two anchor rows included (>= 2).
        rng : numpy.random.Generator
            Generator of the sampled coalitions.

        Returns
        -------
        Z : numpy.ndarray of shape (m, d)
            Float 0/1 coalitions with ``m = min(n, 2^d)``: the full coalition,
            the empty one, then the rows of :func:`sample_coalitions`.
        weights : numpy.ndarray of shape (m,)
            Regression weights, ``inf`` for the two anchor rows.
        """
        d = _check_count("d", d, 1)
        n = _check_count("n", n, 2)
        anchors = np.array([[1.0] * d, [0.0] * d])
        if n == 2 or d == 1:
            return anchors, np.array([np.inf, np.inf])
        masks, weights = sample_coalitions(d, n - 2, rng, self.paired)
        return (np.concatenate([anchors, masks.astype(float)]),
                np.concatenate([[np.inf, np.inf], weights]))

    def __repr__(self) -> str:
        return f"KernelShapSampler(paired={self.paired})"


# --- internals ------------------------------------------------------------------


def _all_coalitions(M: int, s: int) -> np.ndarray:
    """Every coalition of size ``s`` and of size ``M - s``, each followed by its complement.

    For ``2s = M`` only the coalitions containing feature 0 are listed, each
    followed by its complement (which lacks feature 0), so each appears once.
    """
    if 2 * s == M:
        rest = _combinations(M - 1, s - 1) + 1
        members = np.concatenate([np.zeros((rest.shape[0], 1), dtype=np.intp), rest], axis=1)
    else:
        members = _combinations(M, s)
    small = np.zeros((members.shape[0], M), dtype=bool)
    np.put_along_axis(small, members, True, axis=1)
    out = np.empty((2 * small.shape[0], M), dtype=bool)
    out[0::2] = small
    out[1::2] = ~small
    return out


def _combinations(M: int, s: int) -> np.ndarray:
    """``(C(M, s), s)`` array of all index combinations, built by itertools in C."""
    count = math.comb(M, s)
    if s == 0:
        return np.zeros((count, 0), dtype=np.intp)
    flat = np.fromiter(chain.from_iterable(combinations(range(M), s)), dtype=np.intp,
                       count=count * s)
    return flat.reshape(count, s)


def _draw_distinct(rng: np.random.Generator, M: int, smaller: np.ndarray, mirrored: np.ndarray,
                   mass: np.ndarray, budget: int, paired: bool) -> tuple[np.ndarray, np.ndarray]:
    """``budget`` distinct random coalitions from the given size pairs, and their draw counts.

    Draws in rounds; the draws so far are deduplicated in order of first
    appearance and the sequence is cut where the budget is met, so the result is
    that of drawing one at a time until ``budget`` distinct rows exist (a
    repeated draw adds to the count of the row it repeats).
    """
    per_draw = 2 if paired else 1
    needed = -(-budget // per_draw)
    p = mass / mass.sum()
    masks = np.zeros((0, M), dtype=bool)
    keys = _row_keys(masks)
    max_draws = _MAX_DRAWS_PER_ROW * needed + 4096
    while keys.size < max_draws:
        missing = needed - np.unique(keys).size
        if missing <= 0:
            break
        # doubling once repeats dominate: collecting the last few coalitions of a nearly
        # exhausted size takes ~K log K draws, reached in a few rounds
        k = min(max(2 * missing + 16, keys.size), max_draws - keys.size)
        pair = rng.choice(p.size, size=k, p=p)
        new = _uniform_subsets(rng, smaller[pair], M)
        if not paired:
            # the larger side of a mirrored pair is the complement of a uniform small subset
            flip = mirrored[pair] & (rng.random(k) < 0.5)
            new[flip] = ~new[flip]
        masks = np.concatenate([masks, new])
        # with pairing, {S, S^c} is one draw, identified by its member containing feature 0
        keys = np.concatenate([keys, _row_keys(new ^ ~new[:, :1] if paired else new)])
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.sort(first)[:needed]
    stop = order[-1] + 1  # the draws made before the budget was met
    counts = np.bincount(inverse[:stop], minlength=first.size)[inverse[order]].astype(float)
    rows = masks[order]
    if paired:
        both = np.empty((2 * rows.shape[0], M), dtype=bool)
        both[0::2], both[1::2] = rows, ~rows
        rows, counts = both[:budget], np.repeat(counts, 2)[:budget]
    return rows, counts


def _row_keys(masks: np.ndarray) -> np.ndarray:
    """One sortable key per boolean row (an int64 bit code, or the packed bytes)."""
    if masks.shape[1] <= 62:
        return masks.astype(np.int64) @ (np.int64(1) << np.arange(masks.shape[1],
                                                                  dtype=np.int64))
    packed = np.ascontiguousarray(np.packbits(masks, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


def _helmert_design(Z: np.ndarray) -> np.ndarray:
    """``Z @ Hᵀ`` for the ``(M-1, M)`` Helmert basis, in O(n·M).

    Row ``k`` of ``H`` (``k = 1..M-1``) is ``(1, ..., 1, -k, 0, ...)/sqrt(k(k+1))``
    with ``k`` leading ones: orthonormal rows, all orthogonal to the ones vector.
    """
    k = np.arange(1, Z.shape[1])
    return (np.cumsum(Z, axis=1)[:, :-1] - k * Z[:, 1:]) / np.sqrt(k * (k + 1.0))


def _helmert_combine(beta: np.ndarray) -> np.ndarray:
    """``Hᵀ @ beta`` for ``beta`` of shape ``(M-1, L)``, in O(M·L)."""
    k = np.arange(1, beta.shape[0] + 1)
    c = np.concatenate([np.zeros((1, beta.shape[1])), beta / np.sqrt(k * (k + 1.0))[:, None]])
    after = c[::-1].cumsum(axis=0)[::-1]  # after[j] = Σ_{k >= j} c_k
    tail = np.concatenate([after[1:], np.zeros((1, beta.shape[1]))])
    return tail - np.arange(c.shape[0])[:, None] * c


def _evaluate(value_fn: ValueFunction, masks: np.ndarray) -> tuple[np.ndarray, bool]:
    """Values as ``(n, L)``, and whether ``value_fn`` returned one value per coalition."""
    v = np.asarray(value_fn(masks), dtype=float)
    if v.ndim not in (1, 2) or v.shape[0] != masks.shape[0]:
        raise ValueError(f"value_fn must return shape ({masks.shape[0]},) or "
                         f"({masks.shape[0]}, L) for {masks.shape[0]} coalitions, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("value_fn returned NaN or infinite values")
    return v.reshape(masks.shape[0], -1), v.ndim == 1


def _pack(phi: np.ndarray, phi0: np.ndarray, single: bool) -> ShapleyValues:
    """Drop the output axis again when ``value_fn`` returned one value per coalition."""
    if single:
        return ShapleyValues(phi[:, 0], float(phi0[0]))
    return ShapleyValues(phi, phi0.copy())


def _per_output(name: str, value: float | np.ndarray, n_outputs: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n_outputs):
        raise ValueError(f"{name} must be a scalar or have shape ({n_outputs},), one value per "
                         f"output, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return np.broadcast_to(arr, (n_outputs,)).copy()
