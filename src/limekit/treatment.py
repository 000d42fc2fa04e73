"""LI-ITR: locally interpretable individualised treatment rules.

Reconstructed method (Charvadeh, Panageas, Chen; see :doc:`/methods/treatment` — the
published text was not available, so this implements that reading and is
tested against simulations with a known answer).

Given an outcome model ``μ(x, a)`` for treatments ``a ∈ {0, …, K−1}``, each
subject ``x_i`` is explained by

1. drawing realistic local neighbours ``x̃`` of ``x_i`` with a
   :mod:`limekit.realistic` sampler (a β-VAE when PyTorch is installed, a
   Gaussian mixture otherwise);
2. querying ``μ(x̃, a)`` for every arm ``a``;
3. weighting each neighbour by its proximity
   ``w = exp(−‖(x̃ − x_i)/s‖² / (2·kernel_width²))`` (``s``: training standard
   deviations);
4. fitting a mixture of linear experts with softmax gating by weighted EM,

   ``ŷ(x, a) = Σ_k g_k(x) [β_k0 + β_kᵀx + Σ_{b≥1} 1[a = b] (γ_kb0 + γ_kbᵀx)]``,

   one effect-modifier vector ``γ_kb`` per non-reference arm ``b`` (for two
   arms this is ``a (γ_k0 + γ_kᵀx)``). With one expert it is weighted least
   squares with treatment interactions;
5. reading off subject-specific coefficients ``β_i = Σ_k g_k(x_i) β_k`` and
   ``γ_ib = Σ_k g_k(x_i) γ_kb``, the effect of arm ``b`` against arm 0,
   ``τ_i(b) = γ_ib0 + γ_ibᵀ x_i``, and the rule: recommend the arm with the
   largest local outcome (``τ_i(0) = 0``), the smallest when
   ``harmful_outcome=True``.

:func:`global_linear_baseline` fits one linear model with treatment
interactions to all subjects, the non-local baseline LI-ITR improves on.

Examples
--------
>>> import numpy as np
>>> from limekit.treatment import TreatmentRuleExplainer
>>> X = np.random.default_rng(0).normal(size=(300, 3))
>>> def mu(X, a):                      # treatment 1 helps when x0 > 0.5
...     return X[:, 1] + a * (X[:, 0] - 0.5)
>>> explainer = TreatmentRuleExplainer(X, sampler="gmm", num_samples=300, random_state=0)
>>> exp = explainer.explain(np.array([1.5, 0.0, 0.0]), mu)
>>> exp.recommended
1
>>> round(exp.effects[1], 2), round(exp.effect_coef[0][0], 2)
(1.0, 1.0)
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._random import check_random_state, explanation_rng, instance_digest
from ._validation import check_num_samples
from .kernels import exponential_kernel
from .realistic import RealisticSampler, _check_matrix, make_realistic_sampler

__all__ = [
    "TreatmentExplanation",
    "TreatmentRuleExplainer",
    "GlobalLinearBaseline",
    "OutcomeModel",
    "fit_outcome_model",
    "global_linear_baseline",
]

OutcomeFn = Callable[[np.ndarray, int], Any]

#: Rows per call of the outcome model when explaining a batch.
CHUNK_ROWS = 200_000
# Slope penalty relative to the neighbourhood's spread (shrinks well-sampled slopes by about
# 0.01%): keeps degenerate designs solvable, e.g. a neighbourhood or an expert's share of it
# that spans fewer directions than there are features
_SLOPE_RIDGE = 1e-4
_GATE_RIDGE = 1e-3  # relative to the total weight: keeps the softmax gate from diverging
_SCHEMA_VERSION = 1


# ---------------------------------------------------------------- outcome model
class OutcomeModel:
    """``μ(X, a)`` from a regressor fitted on ``[X, one-hot(a)]``.

    Built by :func:`fit_outcome_model`; call it as ``model(X, a)`` with an int
    arm (or one arm per row) to get the predicted outcomes ``(n,)``.

    Parameters
    ----------
    estimator : fitted scikit-learn regressor
        Regressor fitted on the design ``[X, one-hot(a)]`` (the ``d`` covariates
        followed by ``n_treatments`` arm indicators); its ``predict`` gives the
        outcomes.
    n_treatments : int
        Number of arms ``K``; arm indices run over ``0..K−1``.
    n_features : int
        Number of covariates ``d`` the regressor was fitted on.
    """

    def __init__(self, estimator: Any, n_treatments: int, n_features: int) -> None:
        self.estimator = estimator
        self.n_treatments = n_treatments
        self.n_features = n_features

    def __call__(self, X: Any, a: Any) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n, {self.n_features}), got {X.shape}")
        arms = _check_arms(np.broadcast_to(np.asarray(a), (X.shape[0],)), self.n_treatments, "a")
        return np.asarray(self.estimator.predict(_one_hot_design(X, arms, self.n_treatments)),
                          dtype=float).reshape(-1)

    def __repr__(self) -> str:
        return f"OutcomeModel({self.estimator!r}, n_treatments={self.n_treatments})"


def _one_hot_design(X: np.ndarray, arms: np.ndarray, K: int) -> np.ndarray:
    return np.hstack([X, np.eye(K)[arms]])


def _check_arms(A: Any, K: int | None, what: str) -> np.ndarray:
    arr = np.asarray(A)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{what} must hold integer arm indices 0..K-1, got non-integer values")
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"{what} must hold integer arm indices 0..K-1, got dtype {arr.dtype}")
    arr = arr.astype(np.intp)
    if arr.size and (arr.min() < 0 or (K is not None and arr.max() >= K)):
        hi = "K-1" if K is None else str(K - 1)
        raise ValueError(f"{what} must hold arm indices in 0..{hi}, got values "
                         f"{int(arr.min())}..{int(arr.max())}")
    return arr


def fit_outcome_model(X: Any, A: Any, Y: Any, n_treatments: int | None = None,
                      estimator: Any = None, random_state: int | None = None) -> OutcomeModel:
    """Fit ``μ(x, a)`` to observed data: a regressor on the covariates plus one-hot arm.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Numeric covariates.
    A : array-like of shape (n,)
        Treatment received, integer arm index ``0..K−1``.
    Y : array-like of shape (n,)
        Observed outcome.
    n_treatments : int, optional
        Number of arms ``K``; inferred as ``max(A) + 1`` when omitted.
    estimator : scikit-learn regressor, optional
        Default ``GradientBoostingRegressor(n_estimators=300, max_depth=3)``.
        It is cloned before fitting.
    random_state : int or None
        Seed for the default estimator.

    Returns
    -------
    OutcomeModel
        A callable ``mu(X, a) -> (n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.treatment import fit_outcome_model
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); A = rng.integers(0, 2, 400)
    >>> Y = X[:, 0] + 2 * A
    >>> mu = fit_outcome_model(X, A, Y, random_state=0)
    >>> bool(abs(np.mean(mu(X, 1) - mu(X, 0)) - 2) < 0.1)
    True
    """
    from sklearn.base import clone
    from sklearn.ensemble import GradientBoostingRegressor

    Xa = _check_matrix(X)
    arms = _check_arms(A, None, "A")
    y = np.asarray(Y, dtype=float).reshape(-1)
    if arms.shape != (Xa.shape[0],) or y.shape != (Xa.shape[0],):
        raise ValueError(f"A and Y must be 1-D with one entry per row of X ({Xa.shape[0]}), "
                         f"got shapes {np.shape(A)} and {np.shape(Y)}")
    if not np.all(np.isfinite(y)):
        raise ValueError("Y has NaN or infinite values; drop those subjects first.")
    K = int(arms.max()) + 1 if n_treatments is None else _check_k(n_treatments)
    if arms.max() >= K:
        raise ValueError(f"A has arm {int(arms.max())} but n_treatments={K}")
    if K < 2 or len(np.unique(arms)) < 2:
        raise ValueError("A must contain at least two different treatments to fit an outcome "
                         "model with treatment effects.")
    if estimator is None:
        estimator = GradientBoostingRegressor(n_estimators=300, max_depth=3,
                                              random_state=check_random_state(random_state))
    est = clone(estimator).fit(_one_hot_design(Xa, arms, K), y)
    return OutcomeModel(est, K, Xa.shape[1])


def _check_k(K: Any) -> int:
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)):
        raise TypeError(f"the number of treatments must be an int, got {type(K).__name__}")
    if K < 2:
        raise ValueError(f"need at least 2 treatments, got {K}")
    return int(K)


def _resolve_treatments(treatments: Any) -> tuple[str, ...]:
    if isinstance(treatments, (int, np.integer)) and not isinstance(treatments, bool):
        return tuple(str(i) for i in range(_check_k(treatments)))
    if isinstance(treatments, str) or not isinstance(treatments, Sequence):
        raise TypeError("treatments must be the number of arms (int >= 2) or a list of arm "
                        f"names, got {type(treatments).__name__}")
    names = tuple(str(t) for t in treatments)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"treatments needs at least 2 distinct arm names, got {list(names)}")
    return names


def _resolve_mu(mu: Any, K: int) -> OutcomeFn:
    if callable(mu):
        return mu
    if isinstance(mu, tuple) and len(mu) == 3:
        return fit_outcome_model(*mu, n_treatments=K)
    raise TypeError("mu must be a callable mu(X, a) -> (n,) outcomes, or a tuple (X, A, Y) of "
                    f"data to fit one on; got {type(mu).__name__}")


def _query(mu: OutcomeFn, X: np.ndarray, K: int) -> np.ndarray:
    """``(m, K)`` outcomes: one call of ``mu`` per arm (and per chunk of rows)."""
    out = np.empty((X.shape[0], K))
    for a in range(K):
        for start in range(0, X.shape[0], CHUNK_ROWS):
            part = X[start:start + CHUNK_ROWS]
            y = np.asarray(mu(part, a), dtype=float)
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            if y.shape != (part.shape[0],):
                raise ValueError(f"mu(X, {a}) must return one outcome per row, shape "
                                 f"({part.shape[0]},); got shape {y.shape}")
            if not np.all(np.isfinite(y)):
                raise ValueError(f"mu(X, {a}) returned NaN or infinite outcomes")
            out[start:start + part.shape[0], a] = y
    return out


# ------------------------------------------------------------ local surrogate
def _log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    m = logits.max(axis=axis, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(axis=axis, keepdims=True))


def _fit_experts(U: np.ndarray, Y: np.ndarray, Wk: np.ndarray,
                 spread2: np.ndarray) -> np.ndarray:
    """Weighted ridge regression per (subject, expert), all arms at once: ``(B, E, p, K)``.

    ``U`` (B, n, p), ``Y`` (B, n, K), ``Wk`` (B, E, n); ``spread2`` (B,) is the
    neighbourhood's mean squared spread, which scales the slope penalty so its
    shrinkage is the same fraction (about ``_SLOPE_RIDGE``) at every
    neighbourhood size. With every neighbour queried under every arm, the
    interaction model's normal equations split into one regression per arm
    sharing the same Gram matrix.
    """
    p = U.shape[2]
    UWt = (U[:, None, :, :] * Wk[..., None]).transpose(0, 1, 3, 2)  # (B, E, p, n)
    G = UWt @ U[:, None]                                              # (B, E, p, p)
    R = UWt @ Y[:, None]                                              # (B, E, p, K)
    ridge = _SLOPE_RIDGE * spread2[:, None] * Wk.sum(axis=2) + 1e-300    # (B, E)
    G = G + ridge[..., None, None] * np.diag((np.arange(p) > 0).astype(float))
    return np.linalg.solve(G, R)


def _gate_newton(V: np.ndarray, U: np.ndarray, w: np.ndarray, H: np.ndarray) -> np.ndarray:
    """One ridge-penalised Newton step of the weighted softmax gate (expert 0 is reference).

    ``V`` (B, E, p) gate coefficients, ``H`` (B, E, n) responsibilities.
    """
    B, n, p = U.shape
    E = V.shape[1]
    P = np.exp(_log_softmax(V @ U.transpose(0, 2, 1), axis=1))[:, 1:]   # (B, E-1, n)
    lam = _GATE_RIDGE * w.sum(axis=1)                                     # (B,)
    grad = (w[:, None, :] * (H[:, 1:] - P)) @ U - lam[:, None, None] * V[:, 1:]
    # Hessian blocks: Σ_n w (δ_ef P_e − P_e P_f) u uᵀ, as one batched matmul
    A = np.eye(E - 1)[None, :, :, None] * P[:, :, None, :] - P[:, :, None, :] * P[:, None, :, :]
    A = A * w[:, None, None, :]                                          # (B, E-1, E-1, n)
    M = (U.transpose(0, 2, 1)[:, None, None] * A[:, :, :, None, :]) @ U[:, None, None]
    M = M.transpose(0, 1, 3, 2, 4).reshape(B, (E - 1) * p, (E - 1) * p)
    M = M + (lam[:, None, None] + 1e-10) * np.eye((E - 1) * p)
    step = np.linalg.solve(M, grad.reshape(B, -1, 1)).reshape(B, E - 1, p)
    V = V.copy()
    V[:, 1:] += step
    return V


def _fit_local_mixture(U: np.ndarray, Y: np.ndarray, w: np.ndarray, n_experts: int,
                       rngs: list[np.random.Generator], max_iter: int = 30,
                       tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted EM for the mixture of linear experts of every subject in a batch.

    U : (B, n, p) design ``[1, (x̃ − x_i)/s]``; Y : (B, n, K) outcomes; w : (B, n).
    Returns expert coefficients ``(B, E, p, K)``, gate ``(B, E, p)`` and the
    neighbours' gate probabilities ``(B, E, n)``. The experts share the
    Gaussian noise model ``N(ŷ_k, σ_k²)`` across arms, and each neighbour
    belongs to one expert for all arms (the gate depends on ``x`` only). A
    subject stops updating once its weighted mean log-likelihood changes by
    less than ``tol`` (relative), so its result does not depend on the rest
    of its batch.
    """
    B, n, p = U.shape
    K = Y.shape[2]
    E = n_experts
    V = np.zeros((B, E, p))
    # a neighbourhood collapsed onto x (e.g. duplicated training rows) must not divide by 0
    spread2 = np.maximum((w[..., None] * U[:, :, 1:] ** 2).sum(1).mean(1) / w.sum(1), 1e-12)
    if E == 1:
        return _fit_experts(U, Y, w[:, None, :], spread2), V, np.ones((B, 1, n))
    # EM is started from E random half-space splits of the neighbourhood (one
    # direction per expert), drawn from each subject's own generator
    directions = np.stack([rng.standard_normal((E, p - 1)) for rng in rngs])
    logits = 3.0 * (directions @ U[:, :, 1:].transpose(0, 2, 1)) / np.sqrt(spread2)[:, None, None]
    H = np.exp(_log_softmax(logits, axis=1))                              # (B, E, n)
    theta = np.zeros((B, E, p, K))
    # floor on the noise variance, so an expert that fits its points exactly stays finite
    floor = 1e-10 * (1.0 + (w[..., None] * (Y - Y.mean(1, keepdims=True)) ** 2).sum((1, 2))
                     / w.sum(1))
    active = np.ones(B, dtype=bool)
    last = np.full(B, -np.inf)
    for _ in range(max_iter):
        a = active
        Ua, Ya, wa = U[a], Y[a], w[a]
        Wk = wa[:, None, :] * H[a]
        th = _fit_experts(Ua, Ya, Wk, spread2[a])
        res2 = ((Ya[:, None] - Ua[:, None] @ th) ** 2).sum(-1)              # (b, E, n)
        sigma2 = np.maximum((Wk * res2).sum(2) / (K * Wk.sum(2) + 1e-300), floor[a][:, None])
        Va = _gate_newton(V[a], Ua, wa, H[a])
        ll = (_log_softmax(Va @ Ua.transpose(0, 2, 1), axis=1)
              - 0.5 * res2 / sigma2[..., None] - 0.5 * K * np.log(2 * np.pi * sigma2)[..., None])
        top = ll.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(ll - top).sum(axis=1))              # (b, n)
        H[a] = np.exp(ll - lse[:, None, :])
        theta[a], V[a] = th, Va
        obj = (wa * lse).sum(1) / wa.sum(1)
        done = np.abs(obj - last[a]) < tol * (1.0 + np.abs(obj))
        last[a] = obj
        active[np.flatnonzero(a)[done]] = False
        if not active.any():
            break
    P = np.exp(_log_softmax(V @ U.transpose(0, 2, 1), axis=1))
    return theta, V, P


# --------------------------------------------------------------- explanation
@dataclass(frozen=True)
class TreatmentExplanation:
    """A locally interpretable treatment rule for one subject (plain data).

    Attributes
    ----------
    feature_names : tuple of str
    treatment_names : tuple of str
        Arm names; arm 0 is the reference for effects.
    instance : tuple of float
        The subject's covariates ``x_i``.
    recommended : int
        Recommended arm: largest local outcome (smallest when ``harmful_outcome``).
    harmful_outcome : bool
        Whether a larger outcome is worse.
    effects : tuple of float
        ``τ_i(a) = γ_ia0 + γ_iaᵀ x_i``, the local effect of each arm against arm 0
        (``effects[0] == 0``).
    outcomes : tuple of float
        The local surrogate's outcome at ``x_i`` under each arm.
    model_outcomes : tuple of float
        The outcome model's own ``μ(x_i, a)`` for each arm.
    baseline_intercept : float
        ``β_i0`` (original feature units).
    baseline_coef : tuple of float
        ``β_i``: the local slope of the outcome under arm 0, per feature.
    effect_intercepts : tuple of float
        ``γ_ia0`` for arms ``a = 1..K−1``.
    effect_coef : tuple of tuple of float
        ``γ_ia`` for arms ``a = 1..K−1`` (rows), per feature (columns): the
        effect modifiers, how the effect of arm ``a`` changes per unit of
        each feature near ``x_i``.
    score : float
        Weighted R² of the local surrogate on the neighbours (all arms).
    gate : tuple of float
        Gating weights ``g_k(x_i)`` of the experts (``(1.0,)`` for one expert).
    num_samples : int
        Neighbours per subject (including ``x_i``).
    settings : dict
        The explainer settings that produced it.
    """

    feature_names: tuple[str, ...]
    treatment_names: tuple[str, ...]
    instance: tuple[float, ...]
    recommended: int
    harmful_outcome: bool
    effects: tuple[float, ...]
    outcomes: tuple[float, ...]
    model_outcomes: tuple[float, ...]
    baseline_intercept: float
    baseline_coef: tuple[float, ...]
    effect_intercepts: tuple[float, ...]
    effect_coef: tuple[tuple[float, ...], ...]
    score: float
    gate: tuple[float, ...] = (1.0,)
    num_samples: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def recommended_name(self) -> str:
        """Name of the recommended arm."""
        return self.treatment_names[self.recommended]

    def effect_modifiers(self, arm: int = 1) -> dict[str, float]:
        """Map each feature to its effect modifier for one arm against arm 0.

        Parameters
        ----------
        arm : int, default 1
            Non-reference arm, in ``1..K−1``.

        Returns
        -------
        dict of str to float
            ``{feature: γ}``: how the local effect of ``arm`` against the
            reference arm 0 changes per unit of each feature near ``x_i``.

        Raises
        ------
        ValueError
            If ``arm`` is not in ``1..K−1``.
        """
        if not 1 <= int(arm) < len(self.treatment_names):
            raise ValueError(f"arm must be in 1..{len(self.treatment_names) - 1} (arm 0 is the "
                             f"reference), got {arm}")
        return dict(zip(self.feature_names, self.effect_coef[int(arm) - 1], strict=True))

    # ---------------------------------------------------------- serialise
    def to_dict(self) -> dict[str, Any]:
        """Convert to plain data that `json` can write.

        Returns
        -------
        dict
            A JSON-compatible dict (``kind`` ``"treatment_rule"``, a schema
            version and every field); :meth:`from_dict` restores an equal object.
        """
        return {
            "kind": "treatment_rule",
            "schema_version": _SCHEMA_VERSION,
            "feature_names": list(self.feature_names),
            "treatment_names": list(self.treatment_names),
            "instance": list(self.instance),
            "recommended": self.recommended,
            "harmful_outcome": self.harmful_outcome,
            "effects": list(self.effects),
            "outcomes": list(self.outcomes),
            "model_outcomes": list(self.model_outcomes),
            "baseline_intercept": self.baseline_intercept,
            "baseline_coef": list(self.baseline_coef),
            "effect_intercepts": list(self.effect_intercepts),
            "effect_coef": [list(r) for r in self.effect_coef],
            "score": self.score,
            "gate": list(self.gate),
            "num_samples": self.num_samples,
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TreatmentExplanation:
        """Rebuild a treatment explanation from :meth:`to_dict` output (or parsed JSON).

        Parameters
        ----------
        d : dict
            The dict written by :meth:`to_dict`.

        Returns
        -------
        TreatmentExplanation
            An explanation equal to the one that wrote ``d``.

        Raises
        ------
        ValueError
            If ``d`` is not a treatment-rule explanation or its schema version
            is not supported.
        """
        if d.get("kind", "treatment_rule") != "treatment_rule":
            raise ValueError(f"not a treatment-rule explanation (kind={d.get('kind')!r})")
        if d.get("schema_version", _SCHEMA_VERSION) != _SCHEMA_VERSION:
            raise ValueError(f"unsupported schema version {d.get('schema_version')!r}; "
                             f"this limekit reads version {_SCHEMA_VERSION}")

        def floats(v):
            return tuple(float(x) for x in v)

        return cls(
            feature_names=tuple(str(v) for v in d["feature_names"]),
            treatment_names=tuple(str(v) for v in d["treatment_names"]),
            instance=floats(d["instance"]),
            recommended=int(d["recommended"]),
            harmful_outcome=bool(d["harmful_outcome"]),
            effects=floats(d["effects"]),
            outcomes=floats(d["outcomes"]),
            model_outcomes=floats(d["model_outcomes"]),
            baseline_intercept=float(d["baseline_intercept"]),
            baseline_coef=floats(d["baseline_coef"]),
            effect_intercepts=floats(d["effect_intercepts"]),
            effect_coef=tuple(floats(r) for r in d["effect_coef"]),
            score=float(d["score"]),
            gate=floats(d.get("gate", (1.0,))),
            num_samples=int(d.get("num_samples", 0)),
            settings=dict(d.get("settings", {})),
        )

    def to_json(self, **json_kwargs: Any) -> str:
        """Serialise to JSON text.

        Parameters
        ----------
        **json_kwargs
            Passed on to :func:`json.dumps` (e.g. ``indent=2``).

        Returns
        -------
        str
            The JSON of :meth:`to_dict`; floats keep full precision, so
            :meth:`from_json` restores an equal object.
        """
        return json.dumps(self.to_dict(), allow_nan=False, **json_kwargs)

    @classmethod
    def from_json(cls, text: str) -> TreatmentExplanation:
        """Rebuild a treatment explanation from :meth:`to_json` output.

        Parameters
        ----------
        text : str
            The JSON text.

        Returns
        -------
        TreatmentExplanation
            An explanation equal to the one that wrote ``text``.
        """
        return cls.from_dict(json.loads(text))

    def to_frame(self):
        """Tabulate the local coefficients as a data frame.

        Returns
        -------
        pandas.DataFrame
            One row per feature plus ``"(intercept)"`` (index named
            ``feature``); columns ``value`` (the subject's covariate, NaN for
            the intercept), ``baseline`` (``β_i``) and ``effect: <arm>``
            (``γ_ia``) for each non-reference arm.
        """
        import pandas as pd

        index = [*self.feature_names, "(intercept)"]
        data: dict[str, list[float]] = {
            "value": [*self.instance, float("nan")],
            "baseline": [*self.baseline_coef, self.baseline_intercept],
        }
        for a in range(1, len(self.treatment_names)):
            data[f"effect: {self.treatment_names[a]}"] = [*self.effect_coef[a - 1],
                                                           self.effect_intercepts[a - 1]]
        return pd.DataFrame(data, index=pd.Index(index, name="feature"))

    # ------------------------------------------------------------- render
    def _rule_text(self) -> str:
        goal = "lowest" if self.harmful_outcome else "highest"
        return f"recommend {self.recommended_name!s} ({goal} local outcome)"

    def to_text(self) -> str:
        """Render as a plain-text report (what ``str(explanation)`` shows).

        Returns
        -------
        str
            The rule, the local fidelity, a table of each arm's effect, local
            and model outcome, and a table of the local coefficients.
        """
        names = self.treatment_names
        lines = [f"Treatment rule: {self._rule_text()}",
                 f"local fidelity (weighted R²) = {self.score:.3f}, "
                 f"{self.num_samples} neighbours", ""]
        w = max(9, *(len(n) for n in names))
        lines.append(f"{'treatment':<{w}}  {'effect vs ' + names[0]:>16}  "
                     f"{'local outcome':>13}  {'model outcome':>13}")
        for a, n in enumerate(names):
            mark = "  <- recommended" if a == self.recommended else ""
            lines.append(f"{n:<{w}}  {self.effects[a]:>+16.4g}  {self.outcomes[a]:>13.4g}  "
                         f"{self.model_outcomes[a]:>13.4g}{mark}")
        lines.append("")
        fw = max(11, *(len(f) for f in self.feature_names))
        heads = ["value", "baseline"] + [f"effect:{n}" for n in names[1:]]
        cw = max(10, *(len(h) for h in heads))
        lines.append(f"{'feature':<{fw}}  " + "  ".join(f"{h:>{cw}}" for h in heads))
        frame = self.to_frame()
        for name, row in zip(frame.index, frame.to_numpy(), strict=True):
            cells = ["" if np.isnan(v) else f"{v:+.4g}" if j else f"{v:.4g}"
                     for j, v in enumerate(row)]
            lines.append(f"{name:<{fw}}  " + "  ".join(f"{c:>{cw}}" for c in cells))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (f"<TreatmentExplanation recommended={self.recommended_name!r} "
                f"effects={[round(e, 4) for e in self.effects]} score={self.score:.3f}>")

    def to_html(self, full_page: bool = True) -> str:
        """Render as self-contained HTML (inline CSS, no script).

        Parameters
        ----------
        full_page : bool, default True
            ``True`` returns a complete document, ``False`` one ``<div>`` to embed.

        Returns
        -------
        str
            The HTML of :meth:`to_text`'s tables, with every user string escaped.
        """
        e = _escape
        names = self.treatment_names
        rec = ' class="lk-rec"'
        rows = "".join(
            f"<tr{rec if a == self.recommended else ''}><td>{e(n)}</td>"
            f"<td class=\"lk-num\">{self.effects[a]:+.4g}</td>"
            f"<td class=\"lk-num\">{self.outcomes[a]:.4g}</td>"
            f"<td class=\"lk-num\">{self.model_outcomes[a]:.4g}</td></tr>"
            for a, n in enumerate(names))
        arms = (f"<table class=\"lk-table\"><tr><th>treatment</th><th>effect vs {e(names[0])}"
                f"</th><th>local outcome</th><th>model outcome</th></tr>{rows}</table>")
        frame = self.to_frame()
        head = "".join(f"<th>{e(c)}</th>" for c in frame.columns)
        body = "".join(
            f"<tr><td>{e(name)}</td>" + "".join(
                f"<td class=\"lk-num\">{'' if np.isnan(v) else format(v, '+.4g')}</td>"
                for v in row) + "</tr>"
            for name, row in zip(frame.index, frame.to_numpy(), strict=True))
        coefs = f"<table class=\"lk-table\"><tr><th>feature</th>{head}</tr>{body}</table>"
        frag = (f"<div class=\"limekit\"><style>{_CSS}</style>"
                f"<p class=\"lk-h\">Treatment rule: {e(self._rule_text())}</p>"
                f"<p class=\"lk-meta\">local fidelity (weighted R²) <b>{self.score:.3f}</b>, "
                f"{self.num_samples} neighbours</p>{arms}"
                f"<p class=\"lk-h\">Local coefficients (baseline β and effect modifiers γ)</p>"
                f"{coefs}</div>")
        if not full_page:
            return frag
        from .render.html import _page

        return _page("limekit treatment rule", "", frag)

    def _repr_html_(self) -> str:
        return self.to_html(full_page=False)

    def plot(self, ax: Any = None, arm: int | None = None):
        """Draw the effect modifiers ``γ_ia`` per feature as a horizontal bar chart.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; a new figure is created when omitted.
        arm : int, optional
            Non-reference arm (``1..K−1``) to draw; ``None`` draws every
            non-reference arm as a group of bars.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the chart.

        Raises
        ------
        ValueError
            If ``arm`` is not in ``1..K−1``.
        """
        from .render.plot import _plain

        plt = _require_pyplot()
        arms = range(1, len(self.treatment_names)) if arm is None else [int(arm)]
        for a in arms:
            if not 1 <= a < len(self.treatment_names):
                raise ValueError(f"arm must be in 1..{len(self.treatment_names) - 1}, got {a}")
        created = ax is None
        if created:
            fig, ax = plt.subplots(figsize=(6, 0.4 * len(self.feature_names) + 1.5))
        else:
            fig = ax.figure
        y = np.arange(len(self.feature_names))
        height = 0.8 / len(arms)
        for j, a in enumerate(arms):
            ax.barh(y - 0.4 + height * (j + 0.5), self.effect_coef[a - 1], height=height,
                    label=_plain(f"{self.treatment_names[a]} vs {self.treatment_names[0]}", 40))
        ax.set_yticks(y, [_plain(f, 60) for f in self.feature_names])
        ax.invert_yaxis()
        ax.axvline(0.0, color="#57606a", linewidth=0.8)
        ax.set_xlabel("effect modifier γ (change in treatment effect per unit)")
        ax.set_title(_plain(f"Recommended: {self.recommended_name}", 80))
        ax.legend(loc="best", fontsize="small")
        if created:
            fig.tight_layout()
        return fig


def _require_pyplot():
    from ._optional import require

    return require("matplotlib.pyplot")


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


_CSS = (".limekit{font-family:system-ui,sans-serif;font-size:13px;color:#1f2328;"
        "background:#fff;padding:8px 12px;max-width:900px}"
        ".limekit .lk-h{font-size:14px;font-weight:600;margin:8px 0 6px 0}"
        ".limekit .lk-meta{color:#57606a;margin:0 0 6px 0}"
        ".limekit table.lk-table{border-collapse:collapse}"
        ".limekit .lk-table th,.limekit .lk-table td{border-bottom:1px solid #d0d7de;"
        "padding:2px 10px;text-align:left}"
        ".limekit .lk-num{text-align:right;font-variant-numeric:tabular-nums}"
        ".limekit tr.lk-rec{background:#dafbe1;font-weight:600}")


# ------------------------------------------------------------------ explainer
class TreatmentRuleExplainer:
    """Explain an outcome model's treatment choice for each subject (LI-ITR).

    Parameters
    ----------
    X_train : array-like of shape (n, d)
        Numeric covariates the realistic sampler is fitted on (and whose
        standard deviations define distances).
    treatments : int or sequence of str, default 2
        Number of arms ``K >= 2``, or their names (arm ``a`` is
        ``treatments[a]``; arm 0 is the reference for effects).
    feature_names : sequence of str, optional
        Defaults to a DataFrame's columns, else ``x0, x1, …``.
    sampler : {"auto", "vae", "gmm", "knn"} or RealisticSampler, default "auto"
        Neighbour generator (see :func:`limekit.realistic.make_realistic_sampler`:
        ``"auto"`` is a β-VAE when PyTorch is installed, else a Gaussian
        mixture). An unfitted sampler instance is fitted on ``X_train``. The
        ``"knn"`` sampler's neighbourhoods are star-shaped (segments towards
        15 neighbours); they suit ``n_experts=1`` but leave each of several
        experts too few directions, so use ``"gmm"`` or ``"vae"`` with mixtures.
    n_experts : int, default 2
        Linear experts in the local mixture. 1 is weighted least squares with
        treatment interactions; 2–3 let the surrogate follow an effect that
        changes regime inside the neighbourhood (in our two-regime simulation
        the coefficient recovery correlation rises from about 0.5 with one
        expert to 0.98 with two), at a few times the fitting cost.
    num_samples : int, default 1000
        Neighbours per subject (the subject itself included).
    kernel_width : float, optional
        Width of the proximity kernel in standardised units; default
        ``0.75 · sqrt(d)`` (lime's).
    scale : float, default 0.5
        Neighbourhood size passed to the sampler.
    harmful_outcome : bool, default False
        True when a larger outcome is worse: recommend the smallest.
    random_state : int or None
        Seed; each subject's neighbours derive from it and the subject's values,
        so ``explain(x)`` equals the matching row of ``explain_batch``.
    """

    def __init__(self, X_train: Any, treatments: int | Sequence[str] = 2,
                 feature_names: Sequence[str] | None = None,
                 sampler: str | RealisticSampler = "auto", n_experts: int = 2,
                 num_samples: int = 1000, kernel_width: float | None = None,
                 scale: float = 0.5, harmful_outcome: bool = False,
                 random_state: int | None = None) -> None:
        X = _check_matrix(X_train, "X_train")
        d = X.shape[1]
        if feature_names is None:
            cols = getattr(X_train, "columns", None)
            feature_names = [str(c) for c in cols] if cols is not None else [f"x{j}" for j in
                                                                               range(d)]
        names = tuple(str(f) for f in feature_names)
        if len(names) != d:
            raise ValueError(f"feature_names has {len(names)} names but X_train has {d} columns")
        self.feature_names = names
        self.treatment_names = _resolve_treatments(treatments)
        self.random_state = check_random_state(random_state)
        if isinstance(n_experts, bool) or not isinstance(n_experts, (int, np.integer)):
            raise TypeError(f"n_experts must be an int, got {type(n_experts).__name__}")
        if not 1 <= n_experts <= 10:
            raise ValueError(f"n_experts must be between 1 and 10, got {n_experts}")
        self.n_experts = int(n_experts)
        self.num_samples = check_num_samples(num_samples, minimum=d + 2)
        if kernel_width is None:
            kernel_width = 0.75 * np.sqrt(d)
        kernel_width = float(kernel_width)
        if not np.isfinite(kernel_width) or kernel_width <= 0:
            raise ValueError(f"kernel_width must be a positive number, got {kernel_width}")
        self.kernel_width = kernel_width
        scale = float(scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"scale must be a positive number, got {scale}")
        self.scale = scale
        self.harmful_outcome = bool(harmful_outcome)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0)
        self.sampler = self._make_sampler(sampler, X)

    def _make_sampler(self, sampler: Any, X: np.ndarray) -> RealisticSampler:
        if isinstance(sampler, str):
            return make_realistic_sampler(sampler, random_state=self.random_state).fit(X)
        if not isinstance(sampler, RealisticSampler):
            raise TypeError("sampler must be 'auto', 'vae', 'gmm', 'knn' or a RealisticSampler, "
                            f"got {type(sampler).__name__}")
        if not hasattr(sampler, "n_features_in_"):
            return sampler.fit(X)
        if sampler.n_features_in_ != X.shape[1]:
            raise ValueError(f"the sampler was fitted on {sampler.n_features_in_} features but "
                             f"X_train has {X.shape[1]}")
        return sampler

    @property
    def n_treatments(self) -> int:
        """Number of arms ``K``."""
        return len(self.treatment_names)

    def _settings(self) -> dict[str, Any]:
        return {"sampler": type(self.sampler).__name__, "n_experts": self.n_experts,
                "num_samples": self.num_samples, "kernel_width": self.kernel_width,
                "scale": self.scale, "random_state": self.random_state}

    def _check_subjects(self, X: Any, single: bool) -> np.ndarray:
        what = "x" if single else "X"
        try:
            arr = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be numeric covariates") from None
        d = len(self.feature_names)
        if single:
            if arr.ndim == 2 and arr.shape[0] == 1:
                arr = arr[0]
            if arr.shape != (d,):
                raise ValueError(f"x must be one subject with {d} covariates, got shape "
                                 f"{np.shape(X)}")
            arr = arr[None, :]
        elif arr.ndim != 2 or arr.shape[1] != d:
            raise ValueError(f"X must have shape (n_subjects, {d}), got {np.shape(X)}")
        if not np.all(np.isfinite(arr)):
            row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
            raise ValueError(f"{what} has NaN or infinite covariates (row {row}); impute first")
        return arr

    def explain(self, x: Any, mu: OutcomeFn | tuple) -> TreatmentExplanation:
        """Explain the rule for one subject.

        Parameters
        ----------
        x : array-like of shape (d,)
            The subject's numeric covariates (a single row of shape (1, d) is
            accepted too).
        mu : callable or tuple
            ``mu(X, a) -> (n,)`` outcomes for the rows of ``X`` (float array of
            shape (n, d)) under arm ``a`` (an int); or ``(X, A, Y)`` data to fit
            one with :func:`fit_outcome_model` (refitted on every call; fit once
            to reuse it).

        Returns
        -------
        TreatmentExplanation
            The subject's recommended arm, local effects and coefficients.
        """
        arr = self._check_subjects(x, single=True)
        return self._explain(arr, _resolve_mu(mu, self.n_treatments))[0]

    def explain_batch(self, X: Any, mu: OutcomeFn | tuple) -> list[TreatmentExplanation]:
        """Explain many subjects: one model call per arm per chunk of rows, batched fits.

        Parameters
        ----------
        X : array-like of shape (n_subjects, d)
            The subjects' numeric covariates.
        mu : callable or tuple
            The outcome model ``mu(X, a) -> (n,)``, or ``(X, A, Y)`` data to fit
            one (see :meth:`explain`).

        Returns
        -------
        list of TreatmentExplanation
            One explanation per row of ``X``, equal to :meth:`explain` of that row.
        """
        arr = self._check_subjects(X, single=False)
        return self._explain(arr, _resolve_mu(mu, self.n_treatments))

    def recommend(self, X: Any, mu: OutcomeFn | tuple) -> np.ndarray:
        """Recommend an arm for each subject.

        Parameters
        ----------
        X : array-like of shape (n_subjects, d)
            The subjects' numeric covariates.
        mu : callable or tuple
            The outcome model ``mu(X, a) -> (n,)``, or ``(X, A, Y)`` data to fit
            one (see :meth:`explain`).

        Returns
        -------
        ndarray of int of shape (n_subjects,)
            The recommended arm index of each row (the ``recommended`` field of
            :meth:`explain_batch`'s explanations).
        """
        return np.array([e.recommended for e in self.explain_batch(X, mu)], dtype=np.intp)

    def _explain(self, X: np.ndarray, mu: OutcomeFn) -> list[TreatmentExplanation]:
        per_chunk = max(1, CHUNK_ROWS // self.num_samples)
        out: list[TreatmentExplanation] = []
        for start in range(0, X.shape[0], per_chunk):
            out.extend(self._explain_chunk(X[start:start + per_chunk], mu))
        return out

    def _explain_chunk(self, X: np.ndarray, mu: OutcomeFn) -> list[TreatmentExplanation]:
        B, d = X.shape
        K, n = self.n_treatments, self.num_samples
        rngs = [explanation_rng(self.random_state, instance_digest(row.tobytes())) for row in X]
        S = self.sampler._sample(X, n, self.scale, rngs, include_instance=True)  # (B, n, d)
        Y = _query(mu, S.reshape(B * n, d), K).reshape(B, n, K)
        Ustd = (S - X[:, None, :]) / self.std_
        w = exponential_kernel(np.sqrt((Ustd ** 2).sum(-1)), self.kernel_width)
        U = np.concatenate([np.ones((B, n, 1)), Ustd], axis=2)
        theta, V, P = _fit_local_mixture(U, Y, w, self.n_experts, rngs)
        gate = np.exp(_log_softmax(V[:, :, 0]))                      # g_k(x_i): u = 0
        local = np.einsum("be,bepk->bpk", gate, theta)                # (B, p, K)
        pred = ((U[:, None] @ theta) * P[..., None]).sum(axis=1)     # (B, n, K)
        ybar = (w[..., None] * Y).sum((1, 2)) / (K * w.sum(1))
        tss = (w[..., None] * (Y - ybar[:, None, None]) ** 2).sum((1, 2))
        rss = (w[..., None] * (Y - pred) ** 2).sum((1, 2))
        score = np.where(tss > 0, 1.0 - rss / np.where(tss > 0, tss, 1.0), 1.0)
        # back to original units: slope / s; intercept at x = 0
        slopes = local[:, 1:, :] / self.std_[None, :, None]          # (B, d, K)
        outcomes = local[:, 0, :]                                     # at x_i
        intercepts = outcomes - np.einsum("bd,bdk->bk", X, slopes)
        choose = np.argmin if self.harmful_outcome else np.argmax
        rec = choose(outcomes, axis=1)
        settings = self._settings()
        res = []
        for b in range(B):
            eff = outcomes[b] - outcomes[b, 0]
            res.append(TreatmentExplanation(
                feature_names=self.feature_names,
                treatment_names=self.treatment_names,
                instance=tuple(float(v) for v in X[b]),
                recommended=int(rec[b]),
                harmful_outcome=self.harmful_outcome,
                effects=tuple(float(v) for v in eff),
                outcomes=tuple(float(v) for v in outcomes[b]),
                model_outcomes=tuple(float(v) for v in Y[b, 0]),
                baseline_intercept=float(intercepts[b, 0]),
                baseline_coef=tuple(float(v) for v in slopes[b, :, 0]),
                effect_intercepts=tuple(float(intercepts[b, a] - intercepts[b, 0])
                                        for a in range(1, K)),
                effect_coef=tuple(tuple(float(v) for v in slopes[b, :, a] - slopes[b, :, 0])
                                  for a in range(1, K)),
                score=float(score[b]),
                gate=tuple(float(v) for v in gate[b]),
                num_samples=n,
                settings=settings,
            ))
        return res

    def __repr__(self) -> str:
        return (f"TreatmentRuleExplainer(treatments={list(self.treatment_names)}, "
                f"sampler={self.sampler!r}, n_experts={self.n_experts}, "
                f"num_samples={self.num_samples})")


# -------------------------------------------------------------- global baseline
@dataclass(frozen=True, eq=False)
class GlobalLinearBaseline:
    """One linear model with treatment interactions fitted to all subjects.

    ``ŷ(x, a) = β_0 + βᵀx + Σ_{b≥1} 1[a = b] (γ_b0 + γ_bᵀx)``, fitted by least
    squares to ``μ(x, a)`` for every subject and arm: the same coefficients
    for everyone, unlike LI-ITR's local ones.

    Attributes
    ----------
    baseline_intercept : float
    baseline_coef : ndarray (d,)
    effect_intercepts : ndarray (K−1,)
    effect_coef : ndarray (K−1, d)
    recommended : ndarray (n,)
        Recommended arm for each subject the model was fitted on.
    effects : ndarray (n, K)
        Effect of each arm against arm 0 for those subjects.
    score : float
        R² of the fit over all (subject, arm) outcomes.
    harmful_outcome : bool
    """

    baseline_intercept: float
    baseline_coef: np.ndarray
    effect_intercepts: np.ndarray
    effect_coef: np.ndarray
    recommended: np.ndarray
    effects: np.ndarray
    score: float
    harmful_outcome: bool = False

    def predict_effects(self, X: Any) -> np.ndarray:
        """Predict each arm's effect against arm 0 for new subjects.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Numeric covariates of the subjects.

        Returns
        -------
        ndarray of shape (n, K)
            ``γ_a0 + γ_aᵀx`` for each subject and arm (column 0 is zero).

        Raises
        ------
        ValueError
            If ``X`` does not have ``d`` columns.
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.baseline_coef.shape[0]:
            raise ValueError(f"X must have shape (n, {self.baseline_coef.shape[0]}), got "
                             f"{X.shape}")
        eff = self.effect_intercepts + X @ self.effect_coef.T
        return np.hstack([np.zeros((X.shape[0], 1)), eff])

    def recommend(self, X: Any) -> np.ndarray:
        """Recommend an arm for each subject with the global rule.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Numeric covariates of the subjects.

        Returns
        -------
        ndarray of int of shape (n,)
            The arm with the largest effect for each row (smallest when
            ``harmful_outcome``).
        """
        eff = self.predict_effects(X)
        return np.argmin(eff, axis=1) if self.harmful_outcome else np.argmax(eff, axis=1)


def global_linear_baseline(X: Any, mu: OutcomeFn | tuple, treatments: int | Sequence[str] = 2,
                           harmful_outcome: bool = False) -> GlobalLinearBaseline:
    """The global (non-local) linear treatment rule, LI-ITR's baseline.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Subjects; the model is queried at each subject under every arm.
    mu : callable or tuple
        ``mu(X, a) -> (n,)``, or ``(X, A, Y)`` data to fit one.
    treatments : int or sequence of str, default 2
        Number of arms ``K >= 2``, or their names (arm 0 is the reference).
    harmful_outcome : bool, default False
        True when a larger outcome is worse: recommend the arm with the
        smallest predicted outcome.

    Returns
    -------
    GlobalLinearBaseline
        The fitted coefficients, the recommendation and effects of each
        subject of ``X``, and the R² of the fit.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.treatment import global_linear_baseline
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> base = global_linear_baseline(X, lambda X, a: X[:, 1] + a * (1 + 2 * X[:, 0]))
    >>> np.round(base.effect_coef, 6).tolist(), round(float(base.effect_intercepts[0]), 6)
    ([[2.0, 0.0]], 1.0)
    """
    Xa = _check_matrix(X)
    K = len(_resolve_treatments(treatments))
    Y = _query(_resolve_mu(mu, K), Xa, K)                            # (n, K)
    D = np.hstack([np.ones((Xa.shape[0], 1)), Xa])
    coef, *_ = np.linalg.lstsq(D, Y, rcond=None)                     # (p, K): one fit per arm
    pred = D @ coef
    tss = ((Y - Y.mean()) ** 2).sum()
    score = float(1.0 - ((Y - pred) ** 2).sum() / tss) if tss > 0 else 1.0
    eff = pred - pred[:, :1]
    choose = np.argmin if harmful_outcome else np.argmax
    return GlobalLinearBaseline(
        baseline_intercept=float(coef[0, 0]),
        baseline_coef=coef[1:, 0].copy(),
        effect_intercepts=coef[0, 1:] - coef[0, 0],
        effect_coef=(coef[1:, 1:] - coef[1:, :1]).T.copy(),
        recommended=choose(pred, axis=1),
        effects=eff,
        score=score,
        harmful_outcome=bool(harmful_outcome),
    )
