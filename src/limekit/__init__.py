"""limekit: fast, faithful, lime-compatible local explanations for any model.

The native API::

    from limekit import TabularExplainer
    exp = TabularExplainer(X_train, random_state=0).explain(x, model)
    print(exp)
"""

from . import metrics, render  # render registers the renderers explanations call
from ._version import __version__
from .batch import ExplanationBatch
from .calibration import CalibrationReport, ReCalX
from .exceptions import ExplanationQualityWarning
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
from .fairness import FairnessImportance, fair_feature_importance
from .influence import InfluenceResult, LinearInfluence, LogisticInfluence, TorchInfluence
from .kernels import Kernel
from .pick import PickResult, pick_explanations, submodular_pick
from .realistic import (
    GaussianMixtureSampler,
    NearestNeighbourSampler,
    VAESampler,
    make_realistic_sampler,
)
from .sampling import LimeTabularSampler
from .surrogates import (
    BayesianRidgeSurrogate,
    EstimatorSurrogate,
    LassoSurrogate,
    MarsSurrogate,
    RidgeSurrogate,
    ShapleySurrogate,
    TreeSurrogate,
)
from .treatment import TreatmentExplanation, TreatmentRuleExplainer, global_linear_baseline

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
    "ExplanationQualityWarning",
    "Kernel",
    "LimeTabularSampler",
    "RidgeSurrogate",
    "EstimatorSurrogate",
    "MarsSurrogate",
    "TreeSurrogate",
    "BayesianRidgeSurrogate",
    "LassoSurrogate",
    "ShapleySurrogate",
    "submodular_pick",
    "pick_explanations",
    "PickResult",
    "ReCalX",
    "CalibrationReport",
    "metrics",
    "render",
    "GaussianMixtureSampler",
    "NearestNeighbourSampler",
    "VAESampler",
    "make_realistic_sampler",
    "TreatmentRuleExplainer",
    "TreatmentExplanation",
    "global_linear_baseline",
    "fair_feature_importance",
    "FairnessImportance",
    "LogisticInfluence",
    "LinearInfluence",
    "TorchInfluence",
    "InfluenceResult",
    "__version__",
]
