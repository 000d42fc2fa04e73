"""Explainers: thin compositions of the pipeline stages, one per data type."""

from .tabular import TabularExplainer
from .timeseries import (
    SegmentTimeSeriesExplainer,
    TimeSeriesExplainer,
    TimeSeriesSegmentExplanation,
)

__all__ = [
    "TabularExplainer",
    "TimeSeriesExplainer",
    "SegmentTimeSeriesExplainer",
    "TimeSeriesSegmentExplanation",
]
