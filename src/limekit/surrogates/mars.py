"""MARS surrogate: multivariate adaptive regression splines (Friedman, 1991), weighted.

A local surrogate that can bend: the fitted function is a sum of hinge
functions ``max(0, z_j − t)`` / ``max(0, t − z_j)`` (and, with
``max_degree > 1``, their products), so it follows a black box whose response
changes slope inside the neighbourhood, where a linear surrogate averages the
slopes away. The explanation reports each feature's local slope at the
instance (comparable to a linear weight) and its contribution.

Algorithm
---------
*Forward pass.* Start from the intercept. At each step, for every existing
term ``B`` of degree ``< max_degree`` and every feature ``j`` not in ``B``, try
the reflected pair ``B·max(0, z_j − t)``, ``B·max(0, t − z_j)`` for every
candidate knot ``t`` and add the pair that most reduces the weighted residual
sum of squares (RSS). All knots of a (term, feature) candidate are scored at
once from inner products: with ``Q`` an orthonormal basis of the current
(√w-scaled) terms, the RSS reduction of a pair is ``uᵀ G⁻¹ u``, ``G`` the
pair's 2 × 2 Gram matrix after projecting out ``Q`` and ``u`` its products with
the residual; the products with ``Q`` are kept between steps, so each step
costs one pass over the candidate columns. A feature with two distinct
values gets a linear term ``B·z_j`` instead of hinges, and a linear term
also replaces a chosen pair when GCV (below) prefers it (py-earth's
``allow_linear``), so a linear trend keeps its slope across the whole range.
The pass stops at ``max_terms`` basis functions (intercept included) or when
the best pair gains less than ``threshold`` in R².

*Knots.* The grid holds at most ``max_knots`` weighted quantiles of the
feature between its ``endspan`` and ``1 − endspan`` quantiles. Once the best
(term, feature, knot) is found on the grid, the knot is refined over the
observed values between its two grid neighbours, so a kink is located to the
resolution of the data for one extra small search. Knots lie on every
``minspan``-th distinct observed value (Friedman's minimum span, default his
``L(0.05)``), so no two knots of a feature are closer than that, and a new
basis function must be non-zero on at least ``min_support`` of the weight.

*Backward pass.* Remove terms one at a time (never the intercept), each time
the one whose removal raises the RSS least, and keep the subset with the
smallest generalised cross-validation criterion

    GCV(M) = (RSS / Σw) / (1 − C(M) / n)²,   C(M) = M + penalty · (M − 1) / 2,

with ``M`` basis functions, ``RSS`` the weighted RSS and ``n`` the number of
samples with positive weight (the weights enter through a weighted mean
squared error). Kish's effective sample size ``(Σw)² / Σw²`` is *not* used
for ``n``: on LIME neighbourhoods (a deterministic black box, a narrow
kernel) it can fall to a handful of samples and then prunes to the
intercept, although the unpruned model is markedly closer to the black box
on fresh samples (measured on breast_cancer with a random forest: effective
n ≈ 4; weighted RMSE on 20 000 fresh samples 0.25 pruned with Kish's n,
0.066 unpruned, 0.094 for lime's ridge). Integer weights are therefore
equivalent to duplicated rows in the forward pass (at a fixed ``minspan``)
but not in the GCV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .lasso import _check_float, _check_int, _weighted_r2
from .linear import SurrogateFit
from .selection import WeightedDesign

__all__ = ["MarsSurrogate", "MarsModel"]

# A factor of a basis function: (feature index, sign, knot).
# sign +1: max(0, z − knot); sign −1: max(0, knot − z); sign 0: z (linear, knot unused).
Factor = tuple[int, int, float]


@dataclass(frozen=True, eq=False)
class MarsModel:
    """A fitted MARS function ``g(z) = Σ_m coef[m] · Π_{factors of term m} factor(z)``.

    Feature indices refer to the columns of the interpretable matrix the model
    was fitted on (the full ``design.X``, not the selected subset), so
    :meth:`predict` takes samples in that same space.

    Attributes
    ----------
    terms : tuple of tuple of (int, int, float)
        Factors of each basis function; the first term is ``()``, the intercept.
    coef : ndarray of shape (n_terms,)
        Coefficient of each basis function.
    """

    terms: tuple[tuple[Factor, ...], ...]
    coef: np.ndarray

    def _check(self, Z: np.ndarray) -> np.ndarray:
        Z = np.asarray(Z, dtype=float)
        if Z.ndim != 2:
            raise ValueError(f"Z must be 2-D (samples × features), got shape {Z.shape}")
        needed = 1 + max((f for term in self.terms for f, _, _ in term), default=-1)
        if Z.shape[1] < needed:
            raise ValueError(f"Z has {Z.shape[1]} columns but the model uses feature "
                             f"{needed - 1}; pass samples in the full interpretable space")
        return Z

    def basis(self, Z: np.ndarray) -> np.ndarray:
        """Evaluate every basis function at the rows of ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features)
            Samples in the interpretable space the model was fitted in.

        Returns
        -------
        ndarray of float, shape (n_samples, n_terms)
            The value of each basis function (column) at each sample (row).
        """
        Z = self._check(Z)
        out = np.ones((Z.shape[0], len(self.terms)))
        for m, term in enumerate(self.terms):
            for f, s, t in term:
                out[:, m] *= _factor(Z[:, f], s, t)
        return out

    def predict(self, Z: np.ndarray) -> np.ndarray:
        """Predict the surrogate's output at each row of ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features)
            Samples in the interpretable space the model was fitted in.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            ``g`` at each sample.
        """
        return self.basis(Z) @ self.coef

    def slopes(self, z: np.ndarray, features: Sequence[int]) -> np.ndarray:
        """Compute the local slopes ``∂g/∂z_j`` at the point ``z`` for each ``j`` in ``features``.

        At a knot the hinge is not differentiable; the mean of its left and
        right slopes is used.

        Parameters
        ----------
        z : ndarray of shape (n_features,)
            The point, in the interpretable space.
        features : sequence of int
            The features to differentiate by.

        Returns
        -------
        ndarray of float, shape (len(features),)
            The partial derivative of ``g`` by each of ``features`` at ``z``.
        """
        z = np.asarray(z, dtype=float).ravel()
        pos = {int(f): i for i, f in enumerate(features)}
        out = np.zeros(len(pos))
        for term, c in zip(self.terms, self.coef, strict=True):
            values = [float(_factor(z[f], s, t)) for f, s, t in term]
            for i, (f, s, t) in enumerate(term):
                if f not in pos:
                    continue
                others = float(np.prod(values[:i] + values[i + 1:]))
                out[pos[f]] += c * others * _factor_slope(z[f], s, t)
        return out

    def term_strings(self) -> list[str]:
        """Write the basis functions as readable formulas.

        Returns
        -------
        list of str
            One formula per term, e.g. ``"max(0, x3 - 0.52)"``; ``"1"`` for the
            intercept.
        """
        return [" * ".join(_factor_str(*fac) for fac in term) if term else "1"
                for term in self.terms]

    def to_details(self) -> dict[str, Any]:
        """Describe the model as JSON-compatible data.

        Returns
        -------
        dict
            ``terms`` (readable formulas), ``term_coefs`` and ``basis`` (the
            factors); :meth:`from_details` rebuilds the model from it.
        """
        return {"terms": self.term_strings(),
                "term_coefs": [float(c) for c in self.coef],
                "basis": [[[int(f), int(s), float(t)] for f, s, t in term]
                          for term in self.terms]}

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> MarsModel:
        """Rebuild the model from an explanation's ``details`` (to evaluate fidelity).

        Parameters
        ----------
        details : dict
            A `~limekit.LabelExplanation`'s ``details`` from a
            `~limekit.MarsSurrogate` fit, or :meth:`to_details` output.

        Returns
        -------
        MarsModel
            The model.

        Raises
        ------
        ValueError
            If ``details`` do not describe a MARS model.
        """
        try:
            terms = tuple(tuple((int(f), int(s), float(t)) for f, s, t in term)
                          for term in details["basis"])
            coef = np.asarray(details["term_coefs"], dtype=float)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("details do not describe a MARS model; pass the details of an "
                             "explanation fitted with MarsSurrogate") from exc
        if coef.shape != (len(terms),):
            raise ValueError(f"details have {len(terms)} basis functions but {coef.size} "
                             "coefficients")
        return cls(terms=terms, coef=coef)


def _factor(x, s: int, t: float):
    if s == 0:
        return x
    return np.maximum(0.0, s * (x - t))


def _factor_slope(x: float, s: int, t: float) -> float:
    if s == 0:
        return 1.0
    if x == t:
        return 0.5 * s  # mean of the left and right slopes (0 and ±1)
    return float(s) if s * (x - t) > 0 else 0.0


def _factor_str(f: int, s: int, t: float) -> str:
    if s == 0:
        return f"x{f}"
    if s > 0:
        return f"max(0, x{f} - {t:.4g})" if t >= 0 else f"max(0, x{f} + {-t:.4g})"
    return f"max(0, {t:.4g} - x{f})"


@dataclass
class _FeatureCandidates:
    """One feature's candidate factors, as unscaled columns ``H``."""

    j: int
    x: np.ndarray        # the feature's column
    values: np.ndarray   # its distinct values on positive-weight samples, sorted
    knot_idx: np.ndarray  # candidate knots, as positions in ``values`` (empty: linear)
    H: np.ndarray        # (n, k): K "+" hinges then K "−" hinges, or the column itself

    @property
    def paired(self) -> bool:
        return self.knot_idx.size > 0

    def factor(self, k: int) -> Factor:
        if not self.paired:
            return (self.j, 0, 0.0)
        K = self.knot_idx.size
        return (self.j, 1 if k < K else -1, float(self.values[self.knot_idx[k % K]]))

    def with_knots(self, knot_idx: np.ndarray) -> _FeatureCandidates:
        """Same feature, other candidates (no knots: the linear term)."""
        if knot_idx.size == 0:
            H = self.x[:, None].astype(float)
        else:
            t = self.values[knot_idx]
            H = np.concatenate([np.maximum(0.0, self.x[:, None] - t),
                                np.maximum(0.0, t - self.x[:, None])], axis=1)
        return _FeatureCandidates(j=self.j, x=self.x, values=self.values, knot_idx=knot_idx,
                                  H=H)


def _candidates(x: np.ndarray, w: np.ndarray, j: int, max_knots: int, endspan: float,
                minspan: int) -> _FeatureCandidates | None:
    """Candidate knots of one feature: weighted quantiles snapped to the knot lattice.

    Knots may only sit on every ``minspan``-th distinct value (the lattice), so
    any two knots of a feature are at least ``minspan`` values apart.
    """
    pos = w > 0
    order = np.argsort(x[pos], kind="stable")
    xs, ws = x[pos][order], w[pos][order]
    distinct = np.concatenate([[True], xs[1:] != xs[:-1]])
    values = xs[distinct]
    if values.size <= 1:
        return None  # constant where it matters: nothing to fit
    cand = _FeatureCandidates(j=j, x=x, values=values, knot_idx=np.zeros(0, dtype=np.intp),
                              H=np.empty((0, 0)))
    if values.size == 2:
        return cand.with_knots(cand.knot_idx)
    cdf = np.cumsum(ws) / ws.sum()
    probs = (np.linspace(endspan, 1.0 - endspan, max_knots) if max_knots > 1
             else np.array([0.5]))
    at = np.minimum(np.searchsorted(cdf, probs), xs.size - 1)
    idx = np.searchsorted(values, xs[at])  # position among the distinct values
    idx = np.unique(np.rint(idx / minspan).astype(np.intp) * minspan)
    # a knot at an end of the range makes one hinge identically zero
    return cand.with_knots(idx[(idx > 0) & (idx < values.size - 1)])


def _refine(cand: _FeatureCandidates, k: int, minspan: int,
            max_knots: int) -> _FeatureCandidates:
    """Candidates at the lattice points between knot ``k``'s grid neighbours."""
    idx = cand.knot_idx
    lo, hi = idx[max(k - 1, 0)], idx[min(k + 1, idx.size - 1)]
    fine = np.arange(-(-lo // minspan) * minspan, hi + 1, minspan)
    if fine.size > 4 * max_knots:  # bounded cost on very large neighbourhoods
        fine = fine[np.unique(np.linspace(0, fine.size - 1, 4 * max_knots).astype(np.intp))]
    fine = np.union1d(fine, idx[k:k + 1])
    return cand.with_knots(fine[(fine > 0) & (fine < cand.values.size - 1)])


def _minspan(n: int, p: int) -> int:
    """Friedman's (1991, eq. 43) minimum span ``L(α = 0.05)``, in observations."""
    return max(1, int(-np.log2(-np.log(0.95) / (max(p, 1) * max(n, 1))) / 2.5))


def _gcv(rss: float, M: int, penalty: float, sum_w: float, n: int) -> float:
    """Weighted GCV of a model with ``M`` basis functions (see the module docstring)."""
    c = M + penalty * (M - 1) / 2.0
    return np.inf if c >= n else (rss / sum_w) / (1.0 - c / n) ** 2


def _gains(norm2, usable, cross, R, u, paired: bool):
    """RSS reduction of every candidate, for parents × knots at once.

    ``R`` (P, m, k) holds the candidate columns' products with the basis and
    ``u`` (P, k) with the residual. Returns ``(gain, both, single)``: ``gain``
    (P, K) for the best use of each knot, ``both`` whether that is the pair,
    and the single-column gains (P, k).
    """
    g = norm2 - np.einsum("pik,pik->pk", R, R)  # squared norms after projection
    # a column (nearly) in the span of the basis adds nothing
    ok = usable & (g > 1e-9 * norm2)
    single = np.where(ok, u * u / np.where(ok, g, 1.0), 0.0)
    if not paired:
        return single, np.zeros(single.shape, dtype=bool), single
    K = g.shape[1] // 2
    ga, gb, ua, ub = g[:, :K], g[:, K:], u[:, :K], u[:, K:]
    gab = cross - np.einsum("pik,pik->pk", R[:, :, :K], R[:, :, K:])
    det = ga * gb - gab * gab
    both = ok[:, :K] & ok[:, K:] & (det > 1e-9 * ga * gb)
    # uᵀ G⁻¹ u with G the pair's 2 × 2 Gram matrix (after projection)
    pair = np.where(both, (gb * ua * ua - 2 * gab * ua * ub + ga * ub * ub)
                    / np.where(both, det, 1.0), 0.0)
    return np.where(both, pair, np.maximum(single[:, :K], single[:, K:])), both, single


def _choice(gain, both, single, i: int, k: int) -> list[int]:
    """Columns to add for candidate (parent ``i``, knot ``k``)."""
    K = gain.shape[1]
    if single.shape[1] == K:  # a single linear column
        return [k]
    if both[i, k]:
        return [k, K + k]
    # only one of the pair is new: add that one
    return [k] if single[i, k] >= single[i, K + k] else [K + k]


class _Block:
    """One feature's candidate columns and their inner products with every parent term.

    With ``a_t = √w · B_t`` the scaled parent term ``t`` and ``H`` the feature's
    unscaled factor columns, a candidate column is ``a_t ⊙ H_k``. Everything the
    search needs is an inner product of such a column, computed as a matrix
    product with ``H``: ``(a_t ⊙ v)ᵀ H`` for ``v`` a basis column ``q_i`` or
    the residual, and ``(a_t²)ᵀ H²`` for the norms. Products with the basis are
    kept between steps; each new basis column adds one row per parent.
    """

    def __init__(self, cand: _FeatureCandidates, max_terms: int) -> None:
        self.cand = cand
        H = cand.H
        k, K = H.shape[1], cand.knot_idx.size
        self.H2 = H * H
        self.Hnz = (H != 0).astype(float)
        self.HH = H[:, :K] * H[:, K:]
        self.norm2 = np.zeros((max_terms, k))    # ‖a_t ⊙ H_k‖²
        self.usable = np.zeros((max_terms, k), dtype=bool)
        self.cross = np.zeros((max_terms, K))  # (a_t ⊙ H_k)ᵀ(a_t ⊙ H_{K+k}) of hinge pairs
        self.R = np.zeros((max_terms, max_terms, k))  # [t, i] = (a_t ⊙ q_i)ᵀ H
        self.done = np.full(max_terms, -1)  # basis columns in R (−1: parent not seen)

    def gains(self, parents: np.ndarray, A: np.ndarray, Q: np.ndarray, m: int,
              resid: np.ndarray, w: np.ndarray, sum_w: float, min_support: float):
        """:func:`_gains` of ``parents`` (scaled columns ``A``) against ``m`` basis columns.

        Brings the stored products up to date first; the new basis columns and the
        residual share one matrix product with ``H``.
        """
        H, n = self.cand.H, A.shape[0]
        new = self.done[parents] < 0
        if new.any():
            t, An = parents[new], A[:, new]
            A2 = An * An
            self.norm2[t] = A2.T @ self.H2
            self.cross[t] = A2.T @ self.HH
            share = ((w[:, None] * (An != 0)).T @ self.Hnz) / sum_w
            self.usable[t] = (share >= min_support) & (self.norm2[t] > 0)
            self.done[t] = 0
        u = np.empty((parents.size, H.shape[1]))
        for d in np.unique(self.done[parents]):
            sel = self.done[parents] == d
            t, Ad = parents[sel], A[:, sel]
            V = np.concatenate([Q[:, d:m], resid[:, None]], axis=1)
            block = (Ad[:, :, None] * V[:, None, :]).reshape(n, -1)
            prods = (block.T @ H).reshape(t.size, m - d + 1, -1)
            self.R[t, d:m] = prods[:, :-1]
            u[sel] = prods[:, -1]  # resid ⊥ Q: equals the projected columns' product
            self.done[t] = m
        return _gains(self.norm2[parents], self.usable[parents], self.cross[parents],
                      self.R[parents, :m], u, self.cand.paired)


def _one_parent_gains(cand, a, Q, m, resid, w, sum_w, min_support):
    """Gains of ``cand`` with the single parent column ``a`` (a one-off search)."""
    return _Block(cand, m).gains(np.zeros(1, dtype=np.intp), a[:, None], Q, m, resid, w,
                                 sum_w, min_support)


def _forward_pass(X: np.ndarray, y: np.ndarray, w: np.ndarray, max_terms: int,
                  opts: MarsSurrogate) -> tuple[list[tuple[Factor, ...]], np.ndarray]:
    """Greedy forward pass; returns the terms (local feature indices) and the basis (n, M)."""
    n, p = X.shape
    sw = np.sqrt(w)
    sum_w = float(w.sum())
    n_pos = int(np.count_nonzero(w))
    minspan = opts.minspan if opts.minspan is not None else _minspan(n_pos, p)
    ys = sw * y
    Q = np.empty((n, max_terms))  # orthonormal basis of the √w-scaled terms
    Q[:, 0] = sw / np.linalg.norm(sw)
    m = 1
    resid = ys - Q[:, 0] * (Q[:, 0] @ ys)
    tss = float(resid @ resid)
    terms: list[tuple[Factor, ...]] = [()]
    cols = np.empty((n, max_terms))  # unscaled basis
    scaled = np.empty((n, max_terms))  # √w-scaled basis
    cols[:, 0], scaled[:, 0] = 1.0, sw
    if tss <= 1e-12 * float(ys @ ys) + 1e-300:
        return terms, cols[:, :1]  # constant target: the intercept fits it
    blocks = []
    for j in range(p):
        cand = _candidates(X[:, j], w, j, opts.max_knots, opts.endspan, minspan)
        blocks.append(None if cand is None else _Block(cand, max_terms))

    while len(terms) < max_terms:
        best_gain, best = 0.0, None
        eligible = [t for t, term in enumerate(terms) if len(term) < opts.max_degree]
        for j, blk in enumerate(blocks):
            if blk is None:
                continue
            parents = np.array([t for t in eligible
                                if all(f != j for f, _, _ in terms[t])], dtype=np.intp)
            if parents.size == 0:
                continue
            A = scaled[:, parents]
            gain, both, single = blk.gains(parents, A, Q, m, resid, w, sum_w,
                                           opts.min_support)
            i, k = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[i, k] > best_gain:
                best_gain = float(gain[i, k])
                best = (int(parents[i]), blk.cand, int(k), _choice(gain, both, single, i, k))
        if best is None or best_gain < max(opts.threshold, 1e-12) * tss:
            break
        t, cand, k, add = best
        if cand.paired:
            args = (scaled[:, t], Q, m, resid, w, sum_w, opts.min_support)
            # the knot grid is coarse: search the lattice between the neighbouring knots
            fine = _refine(cand, k, minspan, opts.max_knots)
            gain, both, single = _one_parent_gains(fine, *args)
            kf = int(np.argmax(gain[0]))
            if gain[0, kf] >= best_gain:
                cand, add, best_gain = fine, _choice(gain, both, single, 0, kf), gain[0, kf]
            # a knotless linear term replaces the hinges when GCV prefers it (py-earth's
            # allow_linear), so a linear trend keeps its slope over the whole range
            linear = cand.with_knots(np.zeros(0, dtype=np.intp))
            lin_gain = float(_one_parent_gains(linear, *args)[0][0, 0])
            rss, M = float(resid @ resid), len(terms)
            if lin_gain > 0 and (_gcv(rss - lin_gain, M + 1, opts.penalty, sum_w, n_pos)
                                 <= _gcv(rss - best_gain, M + len(add), opts.penalty, sum_w,
                                         n_pos)):
                cand, add = linear, [0]
        added = 0
        for c_idx in add:
            if len(terms) >= max_terms:
                break
            c = cols[:, t] * cand.H[:, c_idx]
            q = sw * c
            scale = float(q @ q)
            for _ in range(2):  # twice is enough for orthogonality to rounding
                q -= Q[:, :m] @ (Q[:, :m].T @ q)
            nrm2 = float(q @ q)
            if nrm2 <= 1e-9 * scale:
                continue
            Q[:, m] = q / np.sqrt(nrm2)
            resid -= Q[:, m] * (Q[:, m] @ resid)
            cols[:, m], scaled[:, m] = c, sw * c
            terms.append(terms[t] + (cand.factor(c_idx),))
            m += 1
            added += 1
        if not added:  # the chosen columns were already in the span: nothing left to gain
            break
    return terms, cols[:, :m].copy()


def _backward_pass(B: np.ndarray, y: np.ndarray, w: np.ndarray, penalty: float,
                   prune: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """Prune by GCV; returns kept term positions, their coefficients, and the GCV.

    Every subset is solved from the weighted Gram matrix of the weighted-centred
    basis (the intercept, column 0, is always kept), so pruning costs one
    ``O(n M²)`` pass and small ``M × M`` algebra.
    """
    sum_w = float(w.sum())
    n_pos = int(np.count_nonzero(w))
    b_mean = (w @ B) / sum_w
    y_mean = float(w @ y) / sum_w
    Bc = (B[:, 1:] - b_mean[1:]) * np.sqrt(w)[:, None]
    yc = (y - y_mean) * np.sqrt(w)
    G, b, tss = Bc.T @ Bc, Bc.T @ yc, float(yc @ yc)

    def solve(active):
        """Coefficients of the non-intercept terms ``active`` (positions in Bc) and RSS."""
        if not active:
            return np.zeros(0), np.zeros((0, 0)), tss
        Ginv = np.linalg.pinv(G[np.ix_(active, active)])
        coef = Ginv @ b[active]
        return coef, Ginv, max(tss - float(coef @ b[active]), 0.0)

    active = list(range(B.shape[1] - 1))
    coef, Ginv, rss = solve(active)
    best = (_gcv(rss, len(active) + 1, penalty, sum_w, n_pos), list(active), coef)
    while prune and active:
        # dropping term k raises the RSS by coef_k² / [G⁻¹]_kk
        diag = np.diag(Ginv)
        rise = np.where(diag > 0, coef**2 / np.where(diag > 0, diag, 1.0), np.inf)
        active.pop(int(np.argmin(rise)))
        coef, Ginv, rss = solve(active)
        score = _gcv(rss, len(active) + 1, penalty, sum_w, n_pos)
        if score <= best[0]:  # ties go to the smaller model
            best = (score, list(active), coef)
    _, kept, coef = best
    intercept = y_mean - float(b_mean[1:][kept] @ coef)
    keep = np.concatenate([[0], np.asarray(kept, dtype=np.intp) + 1]).astype(np.intp)
    return keep, np.concatenate([[intercept], coef]), float(best[0])


class MarsSurrogate:
    """Weighted MARS (Friedman 1991) as the local surrogate.

    Parameters
    ----------
    max_terms : int, optional
        Most basis functions the forward pass builds, intercept included.
        Default R earth's rule ``min(200, max(20, 2 · n_features)) + 1``: 21 for
        up to 10 selected features, more for more (a 30-feature neighbourhood
        with 21 terms leaves most features out and can fit worse than ridge).
    max_degree : int, default 1
        Most factors in one basis function (1: additive, no interactions).
    penalty : float, optional
        GCV cost of each knot; default 3 if ``max_degree > 1`` else 2
        (Friedman's recommendations). Larger values prune harder.
    max_knots : int, default 20
        Knots per feature on the coarse candidate grid (weighted quantiles).
    minspan : int, optional
        Knots of a feature lie at least this many distinct observed values
        apart; default Friedman's ``L(0.05)`` from the number of samples
        and of features (5 to 8 for typical neighbourhoods).
    endspan : float, default 0.05
        Share of the weight at each end of a feature's range with no grid knot.
    min_support : float, default 0.02
        Least share of the weight on which a new basis function is non-zero
        (guards products against fitting a handful of samples).
    threshold : float, default 1e-3
        Forward pass stops when the best pair raises R² by less than this.
    prune : bool, default True
        Run the backward GCV pass (``False`` keeps every forward term).

    Notes
    -----
    ``coef[i]`` is the local slope ``∂g/∂z_j`` of the fitted function at the
    instance ``z0`` for ``j = features[i]`` (at a knot, the mean of the left and
    right slopes), so it reads like a linear weight; for a linear target it is
    the linear coefficient. ``intercept = g(z0) − Σ coef · z0[features]``, so
    ``intercept + Σ coef · z0 = local_pred`` as for every limekit surrogate.

    ``details`` holds ``"kind": "mars"``, the basis functions (``"terms"``,
    readable, and ``"basis"``, ``[[feature, sign, knot], ...]`` per term, so
    :meth:`MarsModel.from_details` rebuilds the model), ``"term_coefs"``,
    ``"slopes"`` (= ``coef``), ``"contributions"`` (per selected feature,
    ``g(z0) − g(z0 with z_j set to its weighted neighbourhood mean)``),
    and ``"gcv"``.

    With few effective samples and a noisy target, GCV (especially with
    ``penalty=2``) can keep a narrow bump fitted to noise; a slope read at an
    instance inside it is then unreliable. Raise ``penalty`` (3 to 4) or the
    number of samples.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.surrogates import WeightedDesign
    >>> from limekit.surrogates.mars import MarsSurrogate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(400, 2))
    >>> X[0] = [0.8, 0.5]
    >>> y = 3.0 * np.maximum(0.0, X[:, 0] - 0.3)
    >>> design = WeightedDesign(X, y[:, None], np.ones(400))
    >>> fit = MarsSurrogate().fit(design, 0, np.arange(2), X[0])
    >>> np.round(fit.coef, 2)
    array([3., 0.])
    >>> fit.details["terms"]
    ['1', 'max(0, x0 - 0.2997)', 'max(0, 0.2997 - x0)']
    """

    def __init__(self, max_terms: int | None = None, max_degree: int = 1, penalty: float | None = None,
                 max_knots: int = 20, minspan: int | None = None, endspan: float = 0.05,
                 min_support: float = 0.02, threshold: float = 1e-3,
                 prune: bool = True) -> None:
        self.max_terms = None if max_terms is None else _check_int(max_terms, "max_terms", 1)
        self.max_degree = _check_int(max_degree, "max_degree", 1)
        self.penalty = ((3.0 if self.max_degree > 1 else 2.0) if penalty is None
                        else _check_float(penalty, "penalty"))
        self.max_knots = _check_int(max_knots, "max_knots", 1)
        self.minspan = None if minspan is None else _check_int(minspan, "minspan", 1)
        self.endspan = _check_float(endspan, "endspan", high=0.5, high_open=True)
        self.min_support = _check_float(min_support, "min_support", high=1.0, high_open=True)
        self.threshold = _check_float(threshold, "threshold", high=1.0)
        if not isinstance(prune, (bool, np.bool_)):
            raise TypeError(f"prune must be True or False, got {type(prune).__name__}")
        self.prune = bool(prune)

    def fit_model(self, design: WeightedDesign, label: int,
                  features: np.ndarray) -> tuple[MarsModel, float]:
        """Fit MARS on ``design.X[:, features]`` and target ``design.Y[:, label]``.

        Parameters
        ----------
        design : WeightedDesign
            The weighted neighbourhood.
        label : int
            Column of ``design.Y`` to fit.
        features : ndarray of int
            Indices of the columns of ``design.X`` the model may use.

        Returns
        -------
        model : MarsModel
            The pruned model (its terms index the columns of ``design.X``).
        gcv : float
            Its generalised cross-validation score (lower is better).
        """
        S = np.asarray(features, dtype=np.intp)
        # the fit is invariant to the weights' scale; normalising avoids underflow
        y, w = design.Y[:, label], design.w / design.w.max()
        max_terms = (self.max_terms if self.max_terms is not None
                     else min(200, max(20, 2 * S.size)) + 1)
        local_terms, B = _forward_pass(design.X[:, S], y, w, max_terms, self)
        keep, coef, gcv = _backward_pass(B, y, w, self.penalty, self.prune)
        terms = tuple(tuple((int(S[f]), s, t) for f, s, t in local_terms[i]) for i in keep)
        return MarsModel(terms=terms, coef=np.asarray(coef, dtype=float)), gcv

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Fit on ``design.X[:, features]`` and target ``design.Y[:, label]``.

        Parameters
        ----------
        design : WeightedDesign
            The weighted neighbourhood: interpretable samples ``X``, model
            outputs ``Y`` and kernel weights ``w``.
        label : int
            Column of ``design.Y`` to fit (the explained label).
        features : ndarray of int
            Indices of the selected features (columns of ``design.X``).
        z0 : ndarray of shape (n_features,)
            The explained instance in the interpretable space.

        Returns
        -------
        SurrogateFit
            The selected features' weights, intercept, weighted R² and the
            prediction at ``z0``; the weights are the local slopes at ``z0`` and ``details`` holds the model.
        """
        S = np.asarray(features, dtype=np.intp)
        model, gcv = self.fit_model(design, label, S)
        z0 = np.asarray(z0, dtype=float)
        local_pred = float(model.predict(z0[None, :])[0])
        slopes = model.slopes(z0, S)
        # the instance with one feature at a time moved to its weighted mean
        moved = np.repeat(z0[None, :], S.size, axis=0)
        moved[np.arange(S.size), S] = design.x_mean[S]
        contributions = local_pred - model.predict(moved)
        intercept = local_pred - float(slopes @ z0[S])
        details = {"kind": "mars", **model.to_details(),
                   "slopes": [float(v) for v in slopes],
                   "contributions": [float(v) for v in contributions],
                   "gcv": float(gcv) if np.isfinite(gcv) else None}
        score = _weighted_r2(design, label, model.predict(design.X))
        return SurrogateFit(features=S, coef=slopes, intercept=intercept, score=score,
                            local_pred=local_pred, details=details, predict=model.predict)

    def __repr__(self) -> str:
        return (f"MarsSurrogate(max_terms={self.max_terms}, max_degree={self.max_degree}, "
                f"penalty={self.penalty:g}, max_knots={self.max_knots}, "
                f"minspan={self.minspan}, endspan={self.endspan:g}, "
                f"min_support={self.min_support:g}, threshold={self.threshold:g}, "
                f"prune={self.prune})")
