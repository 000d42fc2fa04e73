"""Influence functions: which training points drive a prediction (Koh & Liang, ICML 2017).

For a model fitted by minimising ``J(θ) = (1/n) Σ_i ℓ(z_i, θ) + R(θ)``, removing one
training point ``z_i`` moves the minimiser by about ``(1/n) H⁻¹ ∇ℓ(z_i)`` (``H`` is the
Hessian of ``J`` at the fitted ``θ``), so the loss on a test point ``z`` changes by about

    ΔL_i = (1/n) · ∇ℓ(z)ᵀ H⁻¹ ∇ℓ(z_i) = −(1/n) · I_up,loss(z_i, z).

``s_test = H⁻¹ ∇ℓ(z)`` is solved once per test point, after which every training point
costs one dot product. Two ways to get there:

* :class:`LogisticInfluence` and :class:`LinearInfluence` rebuild the exact objective that
  scikit-learn optimised (``C`` / ``alpha``, unpenalised intercept, class weights) and
  solve with a Cholesky factorisation of the full Hessian;
* :class:`TorchInfluence` works for any differentiable ``torch.nn.Module`` through
  Hessian-vector products (double backpropagation), solved with conjugate gradients or
  LiSSA.

**Sign convention** (all classes): :meth:`InfluenceExplainer.influence` returns ``ΔL_i``,
the predicted *change in the test loss if training point i were removed*. A positive
score means the point is **helpful** (without it the test loss would rise), a negative
score that it is **harmful** (without it the test loss would fall).

Examples
--------
>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> from limekit.influence import LogisticInfluence
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(60, 3))
>>> y = (X[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(int)
>>> model = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
>>> infl = LogisticInfluence(model, X, y)
>>> scores = infl.influence(X[0], y[0])
>>> scores.shape
(60,)
>>> res = infl.top(X[0], y[0], k=3)
>>> int(res.helpful_indices[0]) == int(np.argmax(scores))
True
>>> bool(res.helpful_scores[0] > 0)
True
"""

from __future__ import annotations

import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from scipy.special import expit, logsumexp, softmax

from ._random import check_random_state

__all__ = [
    "InfluenceExplainer",
    "InfluenceResult",
    "LinearInfluence",
    "LogisticInfluence",
    "TorchInfluence",
]

_SKLEARN_SUPPORTED = (
    "LogisticRegression (LogisticInfluence); LinearRegression, Ridge, RidgeCV "
    "(LinearInfluence); any torch.nn.Module (TorchInfluence)"
)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class InfluenceResult:
    """The most helpful and most harmful training points for one test point.

    Scores are predicted changes in the test loss if the training point were removed:
    positive = helpful (removing it raises the test loss), negative = harmful.

    Attributes
    ----------
    helpful : tuple of (int, float)
        ``(training row position, score)`` with score > 0, most helpful first.
    harmful : tuple of (int, float)
        ``(training row position, score)`` with score < 0, most harmful first.
    test_loss : float
        Loss of the fitted model on the test point.
    n_train : int
        Number of training points scored.
    """

    helpful: tuple[tuple[int, float], ...]
    harmful: tuple[tuple[int, float], ...]
    test_loss: float
    n_train: int

    @property
    def helpful_indices(self) -> np.ndarray:
        """Row positions (``iloc``) of the helpful points, most helpful first."""
        return np.array([i for i, _ in self.helpful], dtype=np.intp)

    @property
    def helpful_scores(self) -> np.ndarray:
        """Their scores (positive), aligned with :attr:`helpful_indices`."""
        return np.array([s for _, s in self.helpful], dtype=float)

    @property
    def harmful_indices(self) -> np.ndarray:
        """Row positions (``iloc``) of the harmful points, most harmful first."""
        return np.array([i for i, _ in self.harmful], dtype=np.intp)

    @property
    def harmful_scores(self) -> np.ndarray:
        """Their scores (negative), aligned with :attr:`harmful_indices`."""
        return np.array([s for _, s in self.harmful], dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """Tabulate the listed training points as a data frame.

        Returns
        -------
        pandas.DataFrame
            One row per listed training point, helpful ones first, with columns
            ``effect`` (``"helpful"`` or ``"harmful"``), ``rank`` (from 1 on
            each side), ``index`` (training row position) and ``score``.
        """
        rows = [("helpful", r + 1, i, s) for r, (i, s) in enumerate(self.helpful)]
        rows += [("harmful", r + 1, i, s) for r, (i, s) in enumerate(self.harmful)]
        frame = pd.DataFrame(rows, columns=["effect", "rank", "index", "score"])
        return frame.astype({"rank": int, "index": int, "score": float})

    def __str__(self) -> str:
        lines = [
            f"Influence of {self.n_train} training points on a test loss of "
            f"{self.test_loss:.4g}",
            "(score = predicted change in test loss if the point were removed)",
        ]
        for title, entries in (
            ("helpful: removing them raises the test loss", self.helpful),
            ("harmful: removing them lowers the test loss", self.harmful),
        ):
            lines.append(title)
            if not entries:
                lines.append("  (none)")
            for rank, (i, s) in enumerate(entries, start=1):
                lines.append(f"  {rank:>3}. row {i:<8d} {s:+.4e}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- base


class InfluenceExplainer(ABC):
    """Shared interface: score every training point's influence on a test loss.

    Subclasses provide the loss gradients and the inverse-Hessian solve; this class
    turns them into scores and rankings.
    """

    n_train_: int

    def influence(self, x_test: Any, y_test: Any) -> np.ndarray:
        """Predicted change of the test loss if each training point were removed.

        Parameters
        ----------
        x_test : array-like
            One test input (shape of one training row) or a batch of them.
        y_test : label, value or array-like
            Its target (one per test input).

        Returns
        -------
        ndarray of shape (n_train,) for one test input, (n_test, n_train) for a batch
            ``ΔL_i = (1/n) ∇ℓ(z_test)ᵀ H⁻¹ ∇ℓ(z_i)``; positive = helpful point,
            negative = harmful point.
        """
        X, y, single = self._check_test(x_test, y_test)
        _, scores = self._scores(X, y)
        return scores[0] if single else scores

    def top(self, x_test: Any, y_test: Any, k: int = 5) -> InfluenceResult:
        """The ``k`` most helpful and ``k`` most harmful training points for one test point.

        Fewer than ``k`` are listed on a side when fewer points have a score of that sign.

        Parameters
        ----------
        x_test : array-like
            One test input (shape of one training row, or a batch of one).
        y_test : label, value or array-like
            Its target.
        k : int, default 5
            Most training points listed on each side.

        Returns
        -------
        InfluenceResult
            The helpful and harmful points with their scores (see
            :meth:`influence`), the test loss and the number of training points.

        Raises
        ------
        ValueError
            If ``k`` is not a positive int or more than one test point is given.
        """
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        X, y, single = self._check_test(x_test, y_test)
        if not single and len(y) != 1:
            raise ValueError(
                f"top() explains one test point but got {len(y)}; pass a single row, or "
                "use influence() to score a batch"
            )
        losses, scores = self._scores(X, y)
        s = scores[0]
        k = min(int(k), s.size)
        best = np.argsort(-s, kind="stable")[:k]
        worst = np.argsort(s, kind="stable")[:k]
        best = best[s[best] > 0]
        worst = worst[s[worst] < 0]
        return InfluenceResult(
            helpful=tuple((int(i), float(s[i])) for i in best),
            harmful=tuple((int(i), float(s[i])) for i in worst),
            test_loss=float(losses[0]),
            n_train=int(s.size),
        )

    @abstractmethod
    def _check_test(self, x_test: Any, y_test: Any) -> tuple[Any, Any, bool]:
        """Validate test inputs: (batch of inputs, batch of targets, was-single)."""

    @abstractmethod
    def _scores(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """(test losses (m,), scores (m, n_train))."""


# --------------------------------------------------------------------------- sklearn


def _numeric_matrix(X: Any, name: str) -> np.ndarray:
    """A dense float64 matrix, refusing what influence cannot use with a useful message."""
    if sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; influence builds a dense Hessian, so pass "
            f"{name}.toarray() (only practical for a few thousand features)"
        )
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            shown = ", ".join(repr(c) for c in bad[:5]) + (" ..." if len(bad) > 5 else "")
            raise TypeError(
                f"{name} has non-numeric column(s) {shown}; influence needs the numeric "
                "design matrix the model was trained on. For a Pipeline, pass "
                "pipe[:-1].transform(X) and the final estimator pipe[-1]."
            )
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_rows, n_features), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{name} has NaN or infinite values (first in row {row})")
    return arr


class _LinearPredictorInfluence(InfluenceExplainer):
    """Exact influence for models whose outputs are a linear predictor ``η = Θ x̃``.

    Every supported estimator is a GLM, so per-sample gradients are ``r_i ⊗ x̃_i`` and the
    Hessian ``Σ s_i S_i ⊗ x̃_i x̃_iᵀ`` with ``r = ∂ℓ/∂η`` and ``S = ∂²ℓ/∂η²``; subclasses
    supply ``ℓ``, ``r`` and ``S`` and the regulariser.
    """


    def __init__(
        self,
        model: Any,
        X_train: Any,
        y_train: Any,
        *,
        sample_weight: Any = None,
        damping: float = 0.0,
    ) -> None:
        self.model = model
        self._check_estimator(model)
        X = _numeric_matrix(X_train, "X_train")
        self._check_columns(X_train, X, "X_train")
        n = X.shape[0]
        y = np.asarray(y_train)
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(
                f"y_train must be 1-D with one target per row of X_train ({n}), got shape "
                f"{y.shape}"
            )
        if not isinstance(damping, numbers.Real) or not damping >= 0:
            raise ValueError(f"damping must be a non-negative float, got {damping!r}")
        self.damping = float(damping)
        T = self._encode_targets(y, "y_train")
        weights = self._sample_weights(y, sample_weight, n)
        coef, intercept, reg = self._parameters()
        reg = reg / n  # to the mean-loss scale on which the Hessian is built
        self.n_features_in_ = X.shape[1]
        self.fit_intercept_ = intercept is not None
        # Θ stacks [coef | intercept] per output; θ = vec(Θ) row-major
        theta = coef if intercept is None else np.hstack([coef, intercept[:, None]])
        self.theta_ = theta.ravel()
        self.n_train_ = n
        self.n_params_ = theta.size
        Xt = self._augment(X)
        _, R, S = self._derivatives(Xt @ theta.T, T)
        # sample weights enter the objective as Σ s_i ℓ_i, so the removed term is s_i ∇ℓ_i
        self._weighted_grads = ((weights[:, None] * R)[:, :, None] * Xt[:, None, :]).reshape(
            n, -1
        )
        k, q = theta.shape
        H = np.einsum(
            "ikl,ia,ib->kalb", weights[:, None, None] * S, Xt, Xt, optimize=True
        ).reshape(k * q, k * q) / n
        reg_diag = reg.ravel()
        H[np.diag_indices_from(H)] += reg_diag + self.damping
        self.hessian_ = H
        self._factor = self._factorise(H, reg, k)
        self._check_optimum(reg_diag)

    # ---- hooks
    def _check_estimator(self, model: Any) -> None:
        raise NotImplementedError

    def _encode_targets(self, y: np.ndarray, name: str) -> np.ndarray:
        raise NotImplementedError

    def _parameters(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """coef (k, d), intercept (k,) or None, and the penalty's curvature per entry of Θ.

        The curvature is for the objective written as ``Σ_i s_i ℓ_i + penalty``.
        """
        raise NotImplementedError

    def _derivatives(
        self, eta: np.ndarray, T: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-sample loss (n,), ∂ℓ/∂η (n, k), ∂²ℓ/∂η² (n, k, k)."""
        raise NotImplementedError

    def _sample_weights(self, y: np.ndarray, sample_weight: Any, n: int) -> np.ndarray:
        if sample_weight is None:
            return np.ones(n)
        w = np.asarray(sample_weight, dtype=float)
        if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
            raise ValueError(
                f"sample_weight must be {n} finite non-negative numbers (the weights the "
                f"model was fitted with), got shape {w.shape}"
            )
        return w

    # ---- shared machinery
    def _augment(self, X: np.ndarray) -> np.ndarray:
        if not self.fit_intercept_:
            return X
        return np.hstack([X, np.ones((X.shape[0], 1))])

    def _check_columns(self, original: Any, X: np.ndarray, name: str) -> None:
        d = getattr(self.model, "n_features_in_", X.shape[1])
        if X.shape[1] != d:
            raise ValueError(
                f"{name} has {X.shape[1]} columns but the model was fitted on {d} features"
            )
        names = getattr(self.model, "feature_names_in_", None)
        if names is not None and isinstance(original, pd.DataFrame):
            if list(map(str, original.columns)) != list(map(str, names)):
                raise ValueError(
                    f"{name}'s columns differ from those the model was fitted on; reorder "
                    f"them as model.feature_names_in_"
                )

    def _factorise(self, H: np.ndarray, reg: np.ndarray, k: int) -> Any:
        if k > 1:
            # softmax is unchanged by adding one vector to every class's row of Θ, so along
            # unpenalised coordinates H is singular. All loss gradients are orthogonal to
            # these directions (Σ_k (p_k − y_k) = 0), so lifting them onto a positive
            # eigenvalue leaves every s_test we need unchanged.
            free = np.flatnonzero(reg[0] == 0)
            if free.size:
                q = reg.shape[1]
                N = np.zeros((k * q, free.size))
                for c in range(k):
                    N[c * q + free, np.arange(free.size)] = 1.0 / np.sqrt(k)
                H = H + (np.trace(H) / H.shape[0]) * (N @ N.T)
        try:
            return linalg.cho_factor(H, lower=True)
        except linalg.LinAlgError:
            raise ValueError(
                "the Hessian of the training objective is singular (e.g. collinear "
                "features, or separable classes without a penalty), so the influence is "
                "undefined; pass damping > 0 (e.g. damping=1e-3) to add damping*I"
            ) from None

    def _check_optimum(self, reg_diag: np.ndarray) -> None:
        # influence assumes θ minimises the objective on X_train; a Newton step tells how far
        # it is from that minimiser (wrong data, or a loose solver tolerance)
        grad = self._weighted_grads.mean(axis=0) + reg_diag * self.theta_
        step = np.linalg.norm(linalg.cho_solve(self._factor, grad))
        self.newton_step_ = float(step)
        if step > 1e-2 * max(1.0, float(np.linalg.norm(self.theta_))):
            warnings.warn(
                f"the model is not at the minimum of its training objective on X_train "
                f"(a Newton step would move its parameters by {step:.3g}); influence "
                "scores assume it is. Pass exactly the data (and sample_weight) it was "
                "fitted on, or refit with a smaller tol.",
                UserWarning,
                stacklevel=3,
            )

    def _check_test(self, x_test: Any, y_test: Any) -> tuple[np.ndarray, np.ndarray, bool]:
        single = np.ndim(x_test) == 1
        X = _numeric_matrix(np.atleast_2d(x_test) if single else x_test, "x_test")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"x_test has {X.shape[1]} features but the model has {self.n_features_in_}"
            )
        if not single:
            self._check_columns(x_test, X, "x_test")
        y = np.asarray(y_test)
        y = y.reshape(1) if y.ndim == 0 else y
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y_test must hold one target per test row ({X.shape[0]}), got shape "
                f"{np.shape(y_test)}"
            )
        return X, y, single

    def _scores(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        T = self._encode_targets(y, "y_test")
        Xt = self._augment(X)
        theta = self.theta_.reshape(self._k, -1)
        loss, R, _ = self._derivatives(Xt @ theta.T, T)
        G = (R[:, :, None] * Xt[:, None, :]).reshape(X.shape[0], -1)
        s_test = linalg.cho_solve(self._factor, G.T)  # (p, m)
        return loss, (self._weighted_grads @ s_test).T / self.n_train_


class LogisticInfluence(_LinearPredictorInfluence):
    """Exact influence functions for a fitted scikit-learn ``LogisticRegression``.

    Rebuilds the objective scikit-learn minimised, ``C Σ_i s_i ℓ_i + ½‖W‖²`` (log-loss
    ``ℓ``; the intercept is unpenalised except with ``solver="liblinear"``, where it is
    penalised through ``intercept_scaling``; ``s_i`` are class and sample weights),
    rescales it to a mean loss and solves with the exact Hessian. Binary and multinomial
    (three or more classes, any solver but liblinear) models are supported, with an
    L2 penalty or none.

    Parameters
    ----------
    model : LogisticRegression
        Fitted on ``X_train``, ``y_train``.
    X_train : ndarray or DataFrame of shape (n, d)
        The numeric matrix the model was fitted on (for a Pipeline, the transformed one).
    y_train : array-like of shape (n,)
        Its labels, values of ``model.classes_``.
    sample_weight : array-like of shape (n,), optional
        The ``sample_weight`` passed to ``fit`` (class weights are added automatically;
        with ``class_weight="balanced"`` they are held fixed, whereas a refit without the
        point would recompute them slightly).
    damping : float, default 0
        Added to the Hessian (``H + damping·I``); needed only when it is singular.

    Attributes
    ----------
    theta_ : ndarray
        Parameters ``vec([coef_ | intercept_])``, one row per output.
    hessian_ : ndarray of shape (n_params, n_params)
        Hessian of the mean-scale objective ``J/(C n)`` at ``theta_``, damping included.
    newton_step_ : float
        Norm of the Newton step from ``theta_``; near 0 when the model is optimal.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [1.5], [2.5]])
    >>> y = np.array(["no", "no", "yes", "yes", "yes", "no"])
    >>> model = LogisticRegression(C=10.0, tol=1e-12).fit(X, y)
    >>> res = LogisticInfluence(model, X, y).top([2.5], "no", k=2)
    >>> res.helpful_indices.tolist(), res.harmful_indices.tolist()
    ([5, 1], [2, 4])
    """

    def _check_estimator(self, model: Any) -> None:
        from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

        _reject_pipeline(model)
        if isinstance(model, LogisticRegressionCV) or not isinstance(model, LogisticRegression):
            raise TypeError(
                f"LogisticInfluence supports sklearn.linear_model.LogisticRegression, got "
                f"{type(model).__name__}. Supported: {_SKLEARN_SUPPORTED}. (For "
                "LogisticRegressionCV, refit a LogisticRegression with C=model.C_[0].)"
            )
        _check_fitted(model)
        self.classes_ = model.classes_
        self._k = 1 if len(model.classes_) == 2 else len(model.classes_)
        if self._k > 1 and (
            model.solver == "liblinear" or getattr(model, "multi_class", None) == "ovr"
        ):
            raise ValueError(
                "one-vs-rest multiclass logistic regression is not supported (its predicted "
                "probabilities are not the minimiser of one objective); refit with a "
                "multinomial solver such as solver='lbfgs'"
            )
        self._l2 = _logistic_l2_strength(model)

    def _encode_targets(self, y: np.ndarray, name: str) -> np.ndarray:
        classes = self.classes_
        try:
            pos = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            bad = np.asarray(classes[pos] != y, dtype=bool)
        except TypeError:  # labels not even comparable with the classes (str vs int)
            pos, bad = np.zeros(len(y), dtype=np.intp), np.ones(len(y), dtype=bool)
        if bad.any():
            unknown = list(dict.fromkeys(np.asarray(y)[bad].tolist()))[:5]
            raise ValueError(
                f"{name} has label(s) {unknown} that are not among the model's classes "
                f"{classes.tolist()}"
            )
        if self._k == 1:
            return (pos == 1).astype(float)[:, None]
        return np.eye(self._k)[pos]

    def _sample_weights(self, y: np.ndarray, sample_weight: Any, n: int) -> np.ndarray:
        w = super()._sample_weights(y, sample_weight, n)
        if self.model.class_weight is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            w = w * compute_sample_weight(self.model.class_weight, y)
        return w

    def _parameters(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        m = self.model
        coef = np.asarray(m.coef_, dtype=float).reshape(self._k, -1)
        intercept = np.asarray(m.intercept_, dtype=float).reshape(-1) if m.fit_intercept else None
        reg = np.full((self._k, coef.shape[1] + int(m.fit_intercept)), self._l2)
        if m.fit_intercept:
            # liblinear penalises the intercept as the weight of a constant feature of value
            # intercept_scaling: ½ (b / intercept_scaling)²
            lib = m.solver == "liblinear"
            reg[:, -1] = self._l2 / m.intercept_scaling**2 if lib else 0.0
        return coef, intercept, reg

    def _derivatives(
        self, eta: np.ndarray, T: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._k == 1:
            p = expit(eta)
            loss = (np.logaddexp(0.0, eta) - T * eta)[:, 0]
            return loss, p - T, (p * (1.0 - p))[:, :, None]
        p = softmax(eta, axis=1)
        loss = logsumexp(eta, axis=1) - (T * eta).sum(axis=1)
        S = np.einsum("ik,kl->ikl", p, np.eye(self._k)) - p[:, :, None] * p[:, None, :]
        return loss, p - T, S


class LinearInfluence(_LinearPredictorInfluence):
    """Exact influence functions for ``LinearRegression``, ``Ridge`` and ``RidgeCV``.

    The loss is the squared error ``ℓ = (y − ŷ)²`` and the objective scikit-learn
    minimised is ``Σ_i s_i ℓ_i + α‖w‖²`` (intercept unpenalised; ``α = 0`` for
    ``LinearRegression``, ``alpha_`` for ``RidgeCV``). Scores are in squared-error units.
    Removing a point changes the parameters exactly by ``(1 − h_ii)⁻¹`` times the
    first-order prediction (``h_ii`` its leverage), so for points of small leverage the
    scores are nearly exact.

    Parameters
    ----------
    model : LinearRegression, Ridge or RidgeCV
        Fitted on ``X_train``, ``y_train``, single output.
    X_train : ndarray or DataFrame of shape (n, d)
        The numeric matrix the model was fitted on (for a Pipeline, the transformed one).
    y_train : array-like of shape (n,)
        Its numeric targets.
    sample_weight : array-like of shape (n,), optional
        The ``sample_weight`` passed to ``fit``.
    damping : float, default 0
        Added to the Hessian; needed only when it is singular (collinear features and
        ``alpha = 0``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.arange(6.0)[:, None]
    >>> y = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 10.0])   # the last point is an outlier
    >>> model = LinearRegression().fit(X, y)
    >>> LinearInfluence(model, X, y).top([2.0], 2.0, k=1).harmful_indices.tolist()
    [5]
    """


    def _check_estimator(self, model: Any) -> None:
        from sklearn.linear_model import LinearRegression, Ridge, RidgeCV

        _reject_pipeline(model)
        if not isinstance(model, (LinearRegression, Ridge, RidgeCV)):
            raise TypeError(
                f"LinearInfluence supports LinearRegression, Ridge and RidgeCV, got "
                f"{type(model).__name__}. Supported: {_SKLEARN_SUPPORTED}."
            )
        _check_fitted(model)
        if getattr(model, "positive", False):
            raise ValueError(
                "positive=True constrains the coefficients, so the fitted model is not a "
                "smooth minimiser and influence functions do not apply; refit without it"
            )
        if np.ndim(model.coef_) == 2 and np.shape(model.coef_)[0] != 1:
            raise ValueError(
                f"only single-output regression is supported, the model has "
                f"{np.shape(model.coef_)[0]} outputs; fit one model per target"
            )
        if isinstance(model, LinearRegression):
            alpha = 0.0
        else:
            alpha = np.asarray(model.alpha_ if isinstance(model, RidgeCV) else model.alpha)
            if alpha.size != 1:
                raise ValueError("only a single alpha (single-output ridge) is supported")
            alpha = float(alpha.reshape(-1)[0])
        self._alpha = alpha
        self._k = 1

    def _encode_targets(self, y: np.ndarray, name: str) -> np.ndarray:
        try:
            t = np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric for regression") from None
        if not np.isfinite(t).all():
            raise ValueError(f"{name} has NaN or infinite values")
        return t[:, None]

    def _parameters(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        m = self.model
        coef = np.asarray(m.coef_, dtype=float).reshape(1, -1)
        intercept = (
            np.asarray(m.intercept_, dtype=float).reshape(-1)[:1] if m.fit_intercept else None
        )
        reg = np.full((1, coef.shape[1] + int(m.fit_intercept)), 2.0 * self._alpha)
        if m.fit_intercept:
            reg[:, -1] = 0.0
        return coef, intercept, reg

    def _derivatives(
        self, eta: np.ndarray, T: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        resid = eta - T
        return (resid**2)[:, 0], 2.0 * resid, np.full((eta.shape[0], 1, 1), 2.0)


def _reject_pipeline(model: Any) -> None:
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        raise TypeError(
            "influence needs the final estimator and the numeric matrix it was trained "
            "on, not a Pipeline: pass model=pipe[-1] and X_train=pipe[:-1].transform(X)"
        )


def _check_fitted(model: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except NotFittedError:
        raise NotFittedError(
            f"this {type(model).__name__} is not fitted; fit it on X_train, y_train before "
            "computing influence"
        ) from None


def _logistic_l2_strength(model: Any) -> float:
    """``1/C`` for an L2 penalty, ``0`` for none; reject penalties with no Hessian."""
    penalty = getattr(model, "penalty", "l2")
    l1_ratio = getattr(model, "l1_ratio", None)
    C = float(model.C)
    if penalty in (None, "none") or np.isinf(C):
        return 0.0
    if penalty == "l2" or (penalty in ("deprecated", "elasticnet") and not l1_ratio):
        return 1.0 / C
    raise ValueError(
        f"only an L2 penalty (or none) is supported; this model uses penalty={penalty!r}, "
        f"l1_ratio={l1_ratio!r}. L1 terms are not twice differentiable, so influence "
        "functions do not apply; refit with l1_ratio=0."
    )


# --------------------------------------------------------------------------- torch


class TorchInfluence(InfluenceExplainer):
    """Influence functions for a PyTorch model via Hessian-vector products.

    The training objective is taken to be
    ``J(θ) = (1/n) Σ_i loss_fn(module(x_i), y_i) + ½ Σ_p weight_decay_p ‖θ_p‖²``
    and ``s_test = (H + damping·I)⁻¹ ∇ℓ(z_test)`` is solved matrix-free with
    conjugate gradients or LiSSA (Agarwal et al. 2017), using Hessian-vector products by
    double backpropagation over the full training set (CG) or random minibatches
    (LiSSA). Per-sample training gradients are computed in batches with
    ``torch.func.vmap``. Damping makes the solve well posed for non-convex models, whose
    Hessian need not be positive definite at a trained (not exactly optimal) θ.

    Parameters
    ----------
    module : torch.nn.Module
        The trained model. It is called as is: put it in ``eval()`` mode if it has
        dropout or batch norm.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` returning the *mean* loss over the batch (PyTorch's
        default ``reduction="mean"``), e.g. ``torch.nn.functional.cross_entropy``.
    X_train, y_train : tensor or array-like
        The training inputs (first axis = samples) and targets.
    weight_decay : float or mapping of parameter name to float, default 0
        L2 term of the objective, per parameter tensor if a mapping (names as in
        ``module.named_parameters()``; absent names get 0), e.g. ``{"weight": 1e-3}`` to
        leave the bias unpenalised.
    damping : float, default 0.01
        ``λ`` in ``H + λI``.
    solver : {"cg", "lissa"}, default "cg"
    params : iterable of str, optional
        Names of the parameters θ to take influence over (e.g. only the last layer);
        default all parameters that require grad.
    batch_size : int, default 256
        Training points per batch for gradients and full-data Hessian-vector products.
    cg_tol, cg_max_iter : float, int
        CG stops when ``‖residual‖ <= cg_tol·‖∇ℓ(z_test)‖`` or after ``cg_max_iter``
        Hessian-vector products (a warning is issued if not converged).
    lissa_depth, lissa_repeats : int
        Recursion depth of each LiSSA estimate and number of estimates averaged.
    lissa_scale : float, optional
        LiSSA needs ``‖H + λI‖ < lissa_scale``; by default 1.5× a power-iteration estimate
        of the largest eigenvalue.
    lissa_batch_size : int, optional
        Minibatch for LiSSA's stochastic Hessian-vector products; default ``batch_size``.
    random_state : int, optional
        Seeds LiSSA's minibatches and the power iteration; every test point's estimate
        uses a generator derived afresh from it, so results do not depend on call order.

    Attributes
    ----------
    n_train_ : int
        Number of training points.
    n_params_ : int
        Number of scalar parameters in θ.
    lissa_scale_ : float or None
        The LiSSA scale in use (resolved on the first LiSSA solve when not given).

    Examples
    --------
    >>> import torch
    >>> import torch.nn.functional as F
    >>> _ = torch.manual_seed(0)
    >>> X = torch.randn(40, 3, dtype=torch.float64)
    >>> y = (X[:, 0] > 0).to(torch.float64)
    >>> net = torch.nn.Linear(3, 1).to(torch.float64)
    >>> loss = lambda out, t: F.binary_cross_entropy_with_logits(out.squeeze(-1), t)
    >>> infl = TorchInfluence(net, loss, X, y, weight_decay=0.1, damping=0.0)
    >>> infl.influence(X[0], y[0]).shape
    (40,)
    """

    def __init__(
        self,
        module: Any,
        loss_fn: Callable[[Any, Any], Any],
        X_train: Any,
        y_train: Any,
        *,
        weight_decay: float | Mapping[str, float] = 0.0,
        damping: float = 0.01,
        solver: str = "cg",
        params: Iterable[str] | None = None,
        batch_size: int = 256,
        cg_tol: float = 1e-6,
        cg_max_iter: int = 100,
        lissa_depth: int = 1000,
        lissa_repeats: int = 1,
        lissa_scale: float | None = None,
        lissa_batch_size: int | None = None,
        random_state: int | None = None,
    ) -> None:
        torch = _torch()
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                f"module must be a torch.nn.Module, got {type(module).__name__}. "
                f"Supported: {_SKLEARN_SUPPORTED}."
            )
        if not callable(loss_fn):
            raise TypeError("loss_fn must be callable as loss_fn(outputs, targets)")
        if solver not in ("cg", "lissa"):
            raise ValueError(f"solver must be 'cg' or 'lissa', got {solver!r}")
        if not isinstance(damping, numbers.Real) or not damping >= 0:
            raise ValueError(f"damping must be a non-negative float, got {damping!r}")
        for name, value in (
            ("batch_size", batch_size),
            ("cg_max_iter", cg_max_iter),
            ("lissa_depth", lissa_depth),
            ("lissa_repeats", lissa_repeats),
            ("lissa_batch_size", 1 if lissa_batch_size is None else lissa_batch_size),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if lissa_scale is not None and not lissa_scale > 0:
            raise ValueError(f"lissa_scale must be positive, got {lissa_scale!r}")
        self.module = module
        self.loss_fn = loss_fn
        self.damping = float(damping)
        self.solver = solver
        self.batch_size = int(batch_size)
        self.cg_tol = float(cg_tol)
        self.cg_max_iter = int(cg_max_iter)
        self.lissa_depth = int(lissa_depth)
        self.lissa_repeats = int(lissa_repeats)
        self.lissa_scale = lissa_scale
        self.lissa_scale_ = lissa_scale  # resolved on first LiSSA solve when None
        self.lissa_batch_size = int(lissa_batch_size or batch_size)
        self.random_state = check_random_state(random_state)

        named = dict(module.named_parameters())
        if params is None:
            names = [k for k, p in named.items() if p.requires_grad]
        else:
            names = list(params)
            missing = [k for k in names if k not in named]
            if missing:
                raise ValueError(
                    f"params {missing} are not parameters of the module; choose from "
                    f"{list(named)}"
                )
        if not names:
            raise ValueError("the module has no parameters to take influence over")
        self._names = names
        self._theta = tuple(named[k].detach() for k in names)
        fixed = {k: v.detach() for k, v in named.items() if k not in names}
        fixed.update({k: b.detach() for k, b in module.named_buffers()})
        self._fixed = fixed
        self._shapes = [t.shape for t in self._theta]
        self._sizes = [t.numel() for t in self._theta]
        self.n_params_ = int(sum(self._sizes))
        first = self._theta[0]
        self._dtype, self._device = first.dtype, first.device

        if isinstance(weight_decay, Mapping):
            unknown = [k for k in weight_decay if k not in named]
            if unknown:
                raise ValueError(
                    f"weight_decay names {unknown} that are not module parameters; "
                    f"choose from {list(named)}"
                )
            wd = [float(weight_decay.get(k, 0.0)) for k in names]
        elif isinstance(weight_decay, numbers.Real):
            wd = [float(weight_decay)] * len(names)
        else:
            raise TypeError("weight_decay must be a float or a mapping of name to float")
        if any(w < 0 for w in wd):
            raise ValueError("weight_decay must be non-negative")
        self._wd = torch.cat(
            [torch.full((s,), w, dtype=self._dtype, device=self._device)
             for s, w in zip(self._sizes, wd, strict=True)]
        )

        self._X = self._as_inputs(X_train, "X_train")
        self._y = self._as_targets(y_train, self._X.shape[0], "y_train")
        self.n_train_ = int(self._X.shape[0])
        if self.n_train_ < 1:
            raise ValueError("X_train is empty")
        self._check_loss_reduction()

    # ---- conversions
    def _as_inputs(self, X: Any, name: str) -> Any:
        torch = _torch()
        if isinstance(X, pd.DataFrame):
            X = _numeric_matrix(X, name)
        t = torch.as_tensor(X, device=self._device)
        if t.is_floating_point() or t.is_complex():
            t = t.to(self._dtype)
        if t.ndim < 1:
            raise ValueError(f"{name} must have a leading sample axis, got a scalar")
        return t

    def _as_targets(self, y: Any, n: int, name: str) -> Any:
        torch = _torch()
        t = torch.as_tensor(np.asarray(y) if isinstance(y, (pd.Series, list)) else y,
                            device=self._device)
        if t.ndim == 0:
            t = t.reshape(1)
        if t.shape[0] != n:
            raise ValueError(f"{name} has {t.shape[0]} targets for {n} inputs")
        return t.to(self._dtype) if t.is_floating_point() else t

    def _check_test(self, x_test: Any, y_test: Any) -> tuple[Any, Any, bool]:
        X = self._as_inputs(x_test, "x_test")
        row = tuple(self._X.shape[1:])
        single = tuple(X.shape) == row
        if single:
            X = X.unsqueeze(0)
        elif tuple(X.shape[1:]) != row:
            raise ValueError(
                f"x_test must have the shape of one training input {row} or a batch "
                f"(m, *{row}), got {tuple(X.shape)}"
            )
        return X, self._as_targets(y_test, X.shape[0], "y_test"), single

    # ---- losses and derivatives
    def _batch_loss(self, theta: tuple, X: Any, y: Any) -> Any:
        from torch.func import functional_call

        params = dict(zip(self._names, theta, strict=True))
        return self.loss_fn(functional_call(self.module, {**self._fixed, **params}, (X,)), y)

    def _per_sample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Per-sample losses (m,) and flat gradients (m, p), vectorised with vmap."""
        torch = _torch()
        from torch.func import grad_and_value, vmap

        def one(theta: tuple, x: Any, t: Any) -> Any:
            return self._batch_loss(theta, x.unsqueeze(0), t.unsqueeze(0))

        grads, losses = vmap(grad_and_value(one), in_dims=(None, 0, 0))(self._theta, X, y)
        flat = torch.cat([g.reshape(g.shape[0], -1) for g in grads], dim=1)
        return losses, flat

    def _check_loss_reduction(self) -> None:
        torch = _torch()
        m = min(self.n_train_, 4)
        with torch.no_grad():
            batch = self._batch_loss(self._theta, self._X[:m], self._y[:m])
        per, _ = self._per_sample(self._X[:m], self._y[:m])
        if batch.ndim != 0:
            raise ValueError(
                f"loss_fn must return a scalar (mean over the batch), got shape "
                f"{tuple(batch.shape)}"
            )
        if not torch.allclose(batch, per.mean(), rtol=1e-4, atol=1e-6):
            raise ValueError(
                f"loss_fn must average over the batch (reduction='mean'): on {m} training "
                f"points it returned {float(batch):.6g} but the mean of the per-sample "
                f"losses is {float(per.mean()):.6g}"
            )

    def _split(self, v: Any) -> tuple:
        return tuple(c.reshape(s) for c, s in zip(v.split(self._sizes), self._shapes, strict=True))

    def _hvp(self, v: Any, index: Any = None) -> Any:
        """(H + λI) v, H over all training points (index=None) or over ``index``."""
        torch = _torch()
        rows = (
            [slice(i, i + self.batch_size) for i in range(0, self.n_train_, self.batch_size)]
            if index is None
            else [index]
        )
        total = self.n_train_ if index is None else len(index)
        vs = self._split(v)
        out = torch.zeros_like(v)
        for r in rows:
            theta = tuple(t.clone().requires_grad_(True) for t in self._theta)
            X, y = self._X[r], self._y[r]
            loss = self._batch_loss(theta, X, y) * (X.shape[0] / total)
            grads = torch.autograd.grad(loss, theta, create_graph=True)
            dot = sum((g * u).sum() for g, u in zip(grads, vs, strict=True))
            hv = torch.autograd.grad(dot, theta)
            out += torch.cat([h.reshape(-1) for h in hv]).detach()
        return out + (self._wd + self.damping) * v

    # ---- solvers
    def _solve(self, v: Any) -> Any:
        return self._cg(v) if self.solver == "cg" else self._lissa(v)

    def _cg(self, b: Any) -> Any:
        torch = _torch()
        x = torch.zeros_like(b)
        r = b.clone()
        p = r.clone()
        rr = r @ r
        stop = (self.cg_tol * torch.linalg.vector_norm(b)) ** 2
        for _ in range(self.cg_max_iter):
            if rr <= stop:
                return x
            Ap = self._hvp(p)
            curvature = p @ Ap
            if curvature <= 0:
                raise ValueError(
                    "the damped Hessian is not positive definite along a CG direction "
                    f"(curvature {float(curvature):.3g}); increase damping (now "
                    f"{self.damping})"
                )
            alpha = rr / curvature
            x = x + alpha * p
            r = r - alpha * Ap
            rr_new = r @ r
            p = r + (rr_new / rr) * p
            rr = rr_new
        if rr > stop:
            warnings.warn(
                f"conjugate gradients did not converge in {self.cg_max_iter} iterations "
                f"(relative residual {float(rr.sqrt() / torch.linalg.vector_norm(b)):.2g}); "
                "increase cg_max_iter or damping",
                UserWarning,
                stacklevel=4,
            )
        return x

    def _largest_eigenvalue(self) -> float:
        torch = _torch()
        rng = np.random.default_rng(self.random_state)
        v = torch.as_tensor(rng.standard_normal(self.n_params_), dtype=self._dtype,
                            device=self._device)
        v = v / torch.linalg.vector_norm(v)
        value = 0.0
        for _ in range(30):
            w = self._hvp(v)
            value = float(v @ w)
            v = w / torch.linalg.vector_norm(w)
        return value

    def _lissa(self, b: Any) -> Any:
        torch = _torch()
        if self.lissa_scale_ is None:
            self.lissa_scale_ = 1.5 * self._largest_eigenvalue()
        scale = float(self.lissa_scale_)
        rng = np.random.default_rng(self.random_state)
        m = min(self.lissa_batch_size, self.n_train_)
        estimate = torch.zeros_like(b)
        for _ in range(self.lissa_repeats):
            # h_j = b + (I − A/scale) h_{j−1} → scale·A⁻¹b as j grows, with A = H + λI
            h = b.clone()
            for _ in range(self.lissa_depth):
                index = torch.as_tensor(rng.choice(self.n_train_, size=m, replace=False),
                                        device=self._device)
                h = b + h - self._hvp(h, index) / scale
            if not torch.isfinite(h).all():
                raise ValueError(
                    "LiSSA diverged; lissa_scale must exceed the largest eigenvalue of the "
                    f"damped Hessian (now {scale:.3g}): increase it"
                )
            estimate += h / scale
        return estimate / self.lissa_repeats

    def _scores(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        torch = _torch()
        losses, G = self._per_sample(X, y)
        S = torch.stack([self._solve(g) for g in G])  # (m, p)
        out = []
        for i in range(0, self.n_train_, self.batch_size):
            _, Gtr = self._per_sample(self._X[i : i + self.batch_size],
                                      self._y[i : i + self.batch_size])
            out.append(S @ Gtr.T)
        scores = torch.cat(out, dim=1) / self.n_train_
        return (losses.detach().cpu().double().numpy(),
                scores.detach().cpu().double().numpy())


def _torch() -> Any:
    from ._optional import require

    return require("torch")
