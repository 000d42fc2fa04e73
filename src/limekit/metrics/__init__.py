"""Metrics for local explanations (see :doc:`/methods/metrics`).

Every metric takes limekit :class:`~limekit.Explanation` objects or plain
attribution arrays from any other library (e.g. SHAP values of shape ``(d,)``
or ``(n, d)``); :func:`attribution_vector` shows the conversion.

* fidelity on fresh neighbourhood samples: :func:`fidelity_scores`,
  :func:`linear_surrogate_predict`, :func:`effective_sample_size`;
* stability across seeds: :func:`jaccard_at_k`, :func:`kendall_tau`,
  :func:`sign_agreement`, :func:`stability_report`, and
  :func:`explain_with_stability` to attach the report to an explanation;
* perturbation faithfulness: :func:`insertion_deletion`,
  :func:`faithfulness_correlation`;
* robustness to input changes: :func:`max_sensitivity`,
  :func:`local_lipschitz_estimate`;
* complexity: :func:`sparseness`, :func:`complexity`.

Examples
--------
Three runs of an explainer (rows) over four features:

>>> from limekit.metrics import stability_report, sparseness
>>> runs = [[0.5, -0.2, 0.1, 0.0], [0.4, -0.3, 0.0, 0.1], [0.6, -0.25, 0.2, 0.0]]
>>> stability_report(runs, k=2).jaccard
1.0
>>> round(float(sparseness(runs[0])), 3)
0.5
"""

from ._weights import attribution_matrix, attribution_vector
from .complexity import complexity, sparseness
from .fidelity import (
    FidelityReport,
    effective_sample_size,
    fidelity_scores,
    linear_surrogate_predict,
)
from .perturbation import InsertionDeletionResult, faithfulness_correlation, insertion_deletion
from .robustness import local_lipschitz_estimate, max_sensitivity
from .stability import (
    StabilityReport,
    explain_with_stability,
    jaccard_at_k,
    kendall_tau,
    sign_agreement,
    stability_report,
)

__all__ = [
    "attribution_vector",
    "attribution_matrix",
    "FidelityReport",
    "fidelity_scores",
    "linear_surrogate_predict",
    "effective_sample_size",
    "StabilityReport",
    "jaccard_at_k",
    "kendall_tau",
    "sign_agreement",
    "stability_report",
    "explain_with_stability",
    "InsertionDeletionResult",
    "insertion_deletion",
    "faithfulness_correlation",
    "max_sensitivity",
    "local_lipschitz_estimate",
    "sparseness",
    "complexity",
]
