"""KernelSHAP as a surrogate: Shapley values from the coalitions of
:class:`limekit.sampling.ShapleyMaskSampler`, with the efficiency constraint exact."""

from __future__ import annotations

import numpy as np

from .linear import SurrogateFit
from .selection import WeightedDesign

__all__ = ["ShapleySurrogate"]


class ShapleySurrogate:
    """Shapley values of the interpretable features (KernelSHAP, see :doc:`/methods/kernelshap`).

    Fitted on every feature (feature selection does not apply: Shapley values
    share the whole prediction). ``coef`` are the Shapley values,
    ``intercept`` the value of the empty coalition and ``local_pred`` the
    model at the instance, so ``intercept + Σ coef = local_pred`` exactly.
    ``score`` is the Shapley-kernel-weighted R² on the sampled coalitions.

    The design must contain the full coalition (an all-ones row, the
    instance) and the empty one (an all-zeros row); their design weights are
    ignored.
    """

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Solve for the Shapley values of every feature (``features`` is ignored).

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
            prediction at ``z0``; the weights are the Shapley values and the intercept the empty coalition's value.
        """
        from ..shapley import solve_kernelshap

        X, y = design.X, design.Y[:, label]
        full = np.flatnonzero(X.all(axis=1))
        empty = np.flatnonzero(~X.any(axis=1))
        if full.size == 0 or empty.size == 0:
            raise ValueError("KernelSHAP needs the full and the empty coalition among the "
                             "samples; use sampler='kernelshap'")
        v_full, v_empty = float(y[full[0]]), float(y[empty[0]])
        phi = solve_kernelshap(X, y, design.w, v_full, v_empty)
        phi = np.asarray(phi, dtype=float).reshape(-1)
        inner = (design.w > 0) & np.isfinite(design.w)
        pred = v_empty + X[inner] @ phi
        yi, wi = y[inner], design.w[inner]
        score = 1.0
        if yi.size and wi.sum() > 0:
            ybar = float(wi @ yi / wi.sum())
            tss = float(wi @ (yi - ybar) ** 2)
            rss = float(wi @ (yi - pred) ** 2)
            score = 1.0 - rss / tss if tss > 1e-300 else (1.0 if rss <= 1e-300 else 0.0)
        return SurrogateFit(
            features=np.arange(X.shape[1]), coef=phi, intercept=v_empty,
            score=score, local_pred=v_empty + float(phi.sum()),
            details={"kind": "kernelshap", "full_value": v_full, "empty_value": v_empty,
                     "coalitions": int(inner.sum())},
        )

    def __repr__(self) -> str:
        return "ShapleySurrogate()"
