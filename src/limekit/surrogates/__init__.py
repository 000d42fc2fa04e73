"""Interpretable surrogate models fitted on a weighted neighbourhood."""

from .linear import RidgeSurrogate, SurrogateFit
from .selection import SELECTION_METHODS, WeightedDesign, select_features

__all__ = ["RidgeSurrogate", "SurrogateFit", "WeightedDesign", "select_features",
           "SELECTION_METHODS"]
