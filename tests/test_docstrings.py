"""The examples in public docstrings run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = [
    "limekit.explanation",
    "limekit.explainers.tabular",
    "limekit.compat.lime_tabular",
    "limekit.explainers.timeseries",
    "limekit.explainers.image",
    "limekit.explainers.text",
    "limekit.performance",
    "limekit.dask",
    "limekit.compat.lime_image",
    "limekit.compat.wrappers.scikit_image",
    "limekit.representations.timeseries",
    "limekit.pick",
    "limekit.compat.submodular_pick",
    "limekit.calibration",
    "limekit.influence",
    "limekit.fairness",
    "limekit.realistic",
    "limekit._memory",
    "limekit.representations.image",
    "limekit.render.html",
    "limekit.surrogates.mars",
    "limekit.surrogates.tree",
    "limekit.surrogates.bayes",
    "limekit.surrogates.lasso",
    "limekit.treatment",
    "limekit.datasets.german_credit",
    "limekit.shapley",
    "limekit.kernel_sampling",
    "limekit.metrics",
    "limekit.metrics._weights",
    "limekit.metrics.fidelity",
    "limekit.metrics.stability",
    "limekit.metrics.perturbation",
    "limekit.metrics.robustness",
    "limekit.metrics.complexity",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
