"""The warnings limekit raises about its own results.

Bad input is reported with the standard ``ValueError`` / ``TypeError`` (the message says
what is wrong and how to fix it), as scikit-learn does; what needs a class of its own is
the case where an explanation *was* computed but its figures say it should not be
trusted as it is.
"""

from __future__ import annotations

__all__ = ["ExplanationQualityWarning"]


class ExplanationQualityWarning(UserWarning):
    """An explanation was computed but should not be trusted as it is.

    Raised when an explanation's own figures say it is unreliable: a kernel that leaves
    too few effective samples, too few samples for the number of fitted features, or a
    poor held-out fidelity. The message says which figure and what to change; it is
    also stored in ``exp.warnings``, so it travels with the explanation.

    Examples
    --------
    Make quality problems fatal in a pipeline:

    >>> import warnings
    >>> from limekit import ExplanationQualityWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ExplanationQualityWarning)
    ...     pass  # explanations computed here raise instead of warning
    """
