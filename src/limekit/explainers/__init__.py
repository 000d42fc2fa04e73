"""Explainers: thin compositions of the pipeline stages, one per data type."""

from .tabular import TabularExplainer

__all__ = ["TabularExplainer"]
