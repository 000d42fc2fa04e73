"""Interpretable surrogate models fitted on a weighted neighbourhood."""

from .bayes import BayesianRidgeSurrogate
from .lasso import LassoSurrogate
from .linear import EstimatorSurrogate, RidgeSurrogate, SurrogateFit
from .mars import MarsModel, MarsSurrogate
from .selection import (
    SELECTION_METHODS,
    WeightedDesign,
    check_feature_selection,
    select_features,
)
from .shapley import ShapleySurrogate
from .tree import TreeSurrogate

__all__ = ["MarsSurrogate", "MarsModel", "TreeSurrogate", "BayesianRidgeSurrogate",
           "LassoSurrogate", "ShapleySurrogate", "make_surrogate", "SURROGATES", "RidgeSurrogate", "EstimatorSurrogate", "SurrogateFit", "WeightedDesign", "select_features",
           "SELECTION_METHODS", "check_feature_selection"]


#: ``surrogate=`` names accepted by the explainers.
#: Surrogate names accepted by ``surrogate=`` (and :func:`make_surrogate`).
SURROGATES = ("ridge", "lasso", "mars", "tree", "bayes")


def make_surrogate(surrogate):
    """Resolve the ``surrogate=`` argument of the explainers to a surrogate object.

    Parameters
    ----------
    surrogate : str, object or None
        A name from :data:`SURROGATES`, ``None`` (ridge, lime's default), or
        any object with ``fit(design, label, features, z0)``, returned as is.

    Returns
    -------
    object
        The surrogate: ``RidgeSurrogate(alpha=1.0)`` for ``None`` or
        ``"ridge"``, the named surrogate with its defaults, or ``surrogate``.

    Raises
    ------
    ValueError
        If the name is unknown.
    TypeError
        If an object has no ``fit`` method.
    """
    if surrogate is None or (isinstance(surrogate, str) and surrogate == "ridge"):
        return RidgeSurrogate(alpha=1.0)
    if isinstance(surrogate, str):
        makers = {"lasso": LassoSurrogate, "mars": MarsSurrogate, "tree": TreeSurrogate,
                  "bayes": BayesianRidgeSurrogate}
        if surrogate not in makers:
            raise ValueError(f"surrogate must be one of {SURROGATES} or a surrogate object, "
                             f"got {surrogate!r}")
        return makers[surrogate]()
    if not callable(getattr(surrogate, "fit", None)):
        raise TypeError(f"surrogate must be a name from {SURROGATES} or have "
                        f"fit(design, label, features, z0); got {type(surrogate).__name__}")
    return surrogate
