"""limekit: fast, faithful, lime-compatible local explanations for any model.

The native API::

    from limekit import TabularExplainer
    exp = TabularExplainer(X_train, random_state=0).explain(x, model)
    print(exp)
"""

from .batch import ExplanationBatch
from .explainers import (
    ImageExplainer,
    ImageExplanation,
    SegmentTimeSeriesExplainer,
    TabularExplainer,
    TextExplainer,
    TextExplanation,
    TimeSeriesExplainer,
    TimeSeriesSegmentExplanation,
)
from .explanation import Explanation, LabelExplanation
from .kernels import Kernel
from .sampling import LimeTabularSampler
from .surrogates import EstimatorSurrogate, RidgeSurrogate

__version__ = "0.1.0"

__all__ = [
    "TabularExplainer",
    "TextExplainer",
    "TextExplanation",
    "ImageExplainer",
    "ImageExplanation",
    "TimeSeriesExplainer",
    "SegmentTimeSeriesExplainer",
    "TimeSeriesSegmentExplanation",
    "Explanation",
    "ExplanationBatch",
    "LabelExplanation",
    "Kernel",
    "LimeTabularSampler",
    "RidgeSurrogate",
    "EstimatorSurrogate",
    "__version__",
]
