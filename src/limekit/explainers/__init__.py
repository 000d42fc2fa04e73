"""Explainers: thin compositions of the pipeline stages, one per data type."""

from .image import ImageExplainer, ImageExplanation
from .tabular import TabularExplainer
from .timeseries import (
    SegmentTimeSeriesExplainer,
    TimeSeriesExplainer,
    TimeSeriesSegmentExplanation,
)

__all__ = [
    "TabularExplainer",
    "ImageExplainer",
    "ImageExplanation",
    "TimeSeriesExplainer",
    "SegmentTimeSeriesExplainer",
    "TimeSeriesSegmentExplanation",
]
