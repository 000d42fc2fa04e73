"""Explainers: thin compositions of the pipeline stages, one per data type."""

from .image import ImageExplainer, ImageExplanation
from .tabular import TabularExplainer
from .text import TextExplainer, TextExplanation
from .timeseries import (
    SegmentTimeSeriesExplainer,
    TimeSeriesExplainer,
    TimeSeriesSegmentExplanation,
)

__all__ = [
    "TabularExplainer",
    "TextExplainer",
    "TextExplanation",
    "ImageExplainer",
    "ImageExplanation",
    "TimeSeriesExplainer",
    "SegmentTimeSeriesExplainer",
    "TimeSeriesSegmentExplanation",
]
