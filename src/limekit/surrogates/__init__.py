"""Interpretable surrogate models fitted on a weighted neighbourhood."""

from .linear import EstimatorSurrogate, RidgeSurrogate, SurrogateFit
from .selection import SELECTION_METHODS, WeightedDesign, select_features

__all__ = ["RidgeSurrogate", "EstimatorSurrogate", "SurrogateFit", "WeightedDesign", "select_features",
           "SELECTION_METHODS"]
