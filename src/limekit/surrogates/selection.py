"""Feature selection for sparse linear surrogates, with lime's semantics.

All methods work on the *weighted, centred* design: with weights ``w``,
``Xc = X - avg_w(X)`` and ``yc = y - avg_w(y)``; the weighted Gram matrix
``G = Xcᵀ W Xc`` and ``b = Xcᵀ W yc`` are computed once and shared by every
label and every candidate, so selection costs ``O(n d²)`` once plus
``O(K d³)``-at-worst small dense algebra, instead of one model fit per
candidate as in lime.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.lapack import dposv as _dposv
from sklearn.linear_model import lars_path_gram

from .. import _compiled
from ..sampling import PackedBinary, as_dense

__all__ = ["WeightedDesign", "select_features", "check_feature_selection", "SELECTION_METHODS"]

#: Feature-selection methods accepted by ``feature_selection=``, as in lime.
SELECTION_METHODS = ("auto", "forward_selection", "highest_weights", "lasso_path", "none")


def check_feature_selection(method: object) -> str:
    """Validate a ``feature_selection`` argument.

    Parameters
    ----------
    method : object
        The value given.

    Returns
    -------
    str
        ``method``, one of :data:`SELECTION_METHODS`.

    Raises
    ------
    ValueError
        If it is not one of them.
    """
    if not isinstance(method, str) or method not in SELECTION_METHODS:
        raise ValueError(f"feature_selection must be one of {SELECTION_METHODS}, got {method!r}")
    return method


class WeightedDesign:
    """Weighted, centred sufficient statistics of ``(X, Y, w)``.

    Parameters
    ----------
    X : ndarray (n, d) or PackedBinary
        The samples; :class:`~limekit.sampling.PackedBinary` 0/1 samples are
        counted from their bit masks and unpacked only if a surrogate reads ``X``.
    Y : ndarray (n, L)
        The model outputs, one column per label.
    w : ndarray (n,)
        Non-negative sample weights with a positive sum.
    """

    def __init__(self, X, Y: np.ndarray, w: np.ndarray) -> None:
        sw = w.sum()
        if not sw > 0:
            raise ValueError(
                "all kernel weights are zero: every sample is too far from the instance "
                "for this kernel_width; increase kernel_width."
            )
        self._X, self.Y, self.w = X, Y, w
        # 0/1 samples (lime's discrete and text/image samples): exact pair counts
        packed = isinstance(X, PackedBinary)
        binary = _compiled.binary_design(X, w, Y, sw, X.masks if packed else None)
        if binary is not None:
            self.G, self.B, self.x_mean, self.y_mean, self.tss = binary
            return
        self.y_mean = w @ Y / sw
        Yc = Y - self.y_mean
        self.tss = w @ (Yc * Yc)
        X = self.X  # unpacked, for samples whose weights are not a function of the count
        self.x_mean = w @ X / sw
        root_w = np.sqrt(w)
        # Xs.T @ Xs on one buffer lets numpy use a symmetric rank-k update (half the flops);
        # Xcᵀ W Yc = Xsᵀ (√w Yc) reuses the scaled design instead of centring X again.
        # A constant column's weighted mean can differ from the constant by rounding,
        # which would leave it a tiny spurious weight; pin it so it centres to exact zeros.
        fast = _compiled.centre_and_scale(X, self.x_mean, root_w)
        if fast is None:
            constant = (X == X[0]).all(axis=0)
            self.x_mean[constant] = X[0, constant]
            Xs = X - self.x_mean
            Xs *= root_w[:, None]
        else:
            Xs, constant = fast
            self.x_mean[constant] = X[0, constant]
        root_w = root_w[:, None]
        self.G = Xs.T @ Xs
        self.B = Xs.T @ (Yc * root_w)

    @property
    def X(self) -> np.ndarray:
        """The samples as a dense ``(n, d)`` array."""
        return as_dense(self._X)

    def residual_sum_of_squares(self, features: np.ndarray, coef: np.ndarray,
                                label: int) -> float:
        """Weighted RSS of the centred fit ``coef`` on ``features`` for ``label``.

        From the sufficient statistics, ``tss − 2 βᵀb + βᵀGβ``: no pass over the
        samples. When that difference is lost in rounding (a near-perfect fit)
        it is recomputed from the residuals.

        Parameters
        ----------
        features : ndarray of int
            Indices of the fitted features.
        coef : ndarray of float
            The fit's coefficient on each of ``features``.
        label : int
            Column of ``Y`` that was fitted.

        Returns
        -------
        float
            The weighted residual sum of squares.
        """
        S = np.asarray(features, dtype=np.intp)
        tss = float(self.tss[label])
        if S.size == 0:
            return tss
        b = self.B[S, label]
        rss = tss - 2.0 * float(coef @ b) + float(coef @ _block(self.G, S) @ coef)
        if rss > 1e-8 * tss:
            return rss
        y = self.Y[:, label]
        resid = (y - self.y_mean[label]) - (self.X[:, S] - self.x_mean[S]) @ coef
        return float(self.w @ (resid * resid))

    def weighted_square_sum(self, label: int) -> float:
        """Compute ``Σ w y²`` for one label (the scale against which a TSS counts as noise).

        Parameters
        ----------
        label : int
            Column of ``Y``.

        Returns
        -------
        float
            The weighted sum of the squared (uncentred) outputs.
        """
        y = self.Y[:, label]
        return float(self.w @ (y * y))

    def solve(self, features: np.ndarray, alpha: float) -> np.ndarray:
        """Ridge coefficients ``(|S|, L)`` on ``features`` with penalty ``alpha``.

        ``alpha = 0`` is ordinary weighted least squares; a rank-deficient
        system falls back to the minimum-norm solution (as scikit-learn does).

        Parameters
        ----------
        features : ndarray of int
            Indices of the features to fit on.
        alpha : float
            L2 penalty (the intercept is not penalised).

        Returns
        -------
        ndarray of float, shape (len(features), n_labels)
            The coefficients of every label's fit.
        """
        S = np.asarray(features, dtype=np.intp)
        if S.size == 0:
            return np.zeros((0, self.B.shape[1]))
        A = _block(self.G, S)
        A.flat[:: S.size + 1] += alpha  # A is a fresh copy
        rhs = self.B[S]
        if alpha > 0:
            # G is positive semi-definite, so G + αI is positive definite: one LAPACK
            # Cholesky solve (dposv) costs a third of numpy.linalg.solve's LU and
            # wrappers on these small systems
            _, coef, info = _dposv(A, rhs)
            if info == 0 and np.isfinite(coef).all():
                return coef
        try:
            coef = np.linalg.solve(A, rhs)
            if np.all(np.isfinite(coef)) and (alpha > 0 or np.linalg.cond(A) < 1e12):
                return coef
        except np.linalg.LinAlgError:
            pass
        return np.linalg.lstsq(A, rhs, rcond=None)[0]


def select_features(design: WeightedDesign, label: int, num_features: int, method: str,
                    z0: np.ndarray) -> np.ndarray:
    """Select the features to keep for one label, as lime's ``feature_selection``.

    Parameters
    ----------
    design : WeightedDesign
        The weighted neighbourhood.
    label : int
        Column of ``design.Y`` to explain.
    num_features : int
        How many features to keep.
    method : str
        One of :data:`SELECTION_METHODS`; ``"auto"`` is forward selection for
        up to 6 features and highest weights above.
    z0 : ndarray of shape (n_features,)
        The explained instance in the interpretable space.

    Returns
    -------
    ndarray of int
        Indices of the kept features (columns of ``design.X``).

    Raises
    ------
    ValueError
        If ``method`` is unknown.
    """
    d = design.G.shape[0]
    if method == "auto":
        method = "forward_selection" if num_features <= 6 else "highest_weights"
    if method == "none":
        return np.arange(d)
    if method == "forward_selection":
        return _forward_selection(design, label, min(num_features, d))
    if method == "highest_weights":
        coef = design.solve(np.arange(d), alpha=0.01)[:, label]
        # stable sort keeps the lower index first among ties, as lime's sorted() does
        order = np.argsort(-np.abs(coef * z0), kind="stable")
        return order[:num_features]
    if method == "lasso_path":
        return _lasso_path(design, label, num_features)
    raise ValueError(
        f"feature_selection must be one of {SELECTION_METHODS}, got {method!r}"
    )


def _forward_selection(design: WeightedDesign, label: int, k: int) -> np.ndarray:
    """Greedy forward selection maximising weighted R² of an unpenalised fit.

    Adding feature ``j`` to the set ``S`` reduces the residual sum of squares
    by ``(b_j − G_jS G_SS⁻¹ b_S)² / (G_jj − G_jS G_SS⁻¹ G_Sj)`` (a Schur
    complement), evaluated for all candidates at once. Picks the lowest index
    among ties, like lime.
    """
    G, b = design.G, design.B[:, label]
    selected: list[int] = []
    scale = np.maximum(np.diag(G), 1e-300)
    for _ in range(k):
        if selected:
            S = np.array(selected)
            GSS = _block(G, S)
            GS = G[S]  # (|S|, d)
            sol = np.linalg.lstsq(GSS, np.column_stack([b[S], GS]), rcond=None)[0]
            beta, M = sol[:, 0], sol[:, 1:]
            num = b - GS.T @ beta
            den = np.diag(G) - np.einsum("sd,sd->d", GS, M)
        else:
            num, den = b.copy(), np.diag(G).copy()
        # A candidate (almost) in the span of S adds nothing: lime's unpenalised fit
        # scores it the same as S alone.
        usable = den > 1e-10 * scale
        gain = np.where(usable, num * num / np.where(usable, den, 1.0), 0.0)
        gain[selected] = -np.inf
        selected.append(int(np.argmax(gain)))
    return np.array(selected, dtype=np.intp)


def _lasso_path(design: WeightedDesign, label: int, k: int) -> np.ndarray:
    """lime's lasso_path: LARS-lasso on sqrt(w)-scaled centred data; walk back from
    the least regularised end to the first point with at most ``k`` non-zeros."""
    # lars on sqrt(w)-scaled centred data only needs its Gram matrix and Xᵀy,
    # which the design already holds: no n × d copy.
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    b = design.B[:, label]
    top = float(np.max(np.abs(b))) if b.size else 0.0
    if top == 0.0:  # a constant target: no feature enters the path; keep k of them
        return np.arange(min(k, design.G.shape[0]))
    # LARS stops on absolute tolerances: scale Xy by a power of two near its largest
    # entry (exact) so the path does not depend on the model's output units
    scale = float(np.ldexp(1.0, int(np.frexp(top)[1])))
    with warnings.catch_warnings():
        # degenerate active sets (more features than samples, collinear columns) only
        # end the path early; the entry order, all that selection uses, stays valid
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, _, coefs = lars_path_gram(Xy=b / scale, Gram=design.G,
                                     n_samples=design.w.shape[0], method="lasso")
    nonzero = np.arange(design.G.shape[0])
    for i in range(coefs.shape[1] - 1, 0, -1):
        nonzero = np.flatnonzero(coefs[:, i])
        if nonzero.size <= k:
            break
    return nonzero


def _block(G: np.ndarray, S: np.ndarray) -> np.ndarray:
    """``G[S][:, S]``: two takes cost a fraction of ``np.ix_``'s dtype checks on the
    small index arrays of feature selection, which run once per candidate set."""
    return G.take(S, axis=0).take(S, axis=1)
