"""Interpretable representations: map instances to interpretable vectors and back."""

from .tabular import TabularMarginals, TabularRepresentation

__all__ = ["TabularRepresentation", "TabularMarginals"]
