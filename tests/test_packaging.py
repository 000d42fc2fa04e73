"""Packaging metadata a user can trust: one version everywhere, the licence shipped."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

import limekit

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'attr = "limekit._version.__version__"' in pyproject
    assert not re.search(r'(?m)^version\s*=\s*"', pyproject)  # no second copy
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]\d+|rc\d+|\.dev\d+)?", limekit.__version__)


def test_installed_metadata_matches_the_source():
    try:
        dist = importlib.metadata.distribution("limekit")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("limekit is not installed (running from a source tree)")
    assert dist.version == limekit.__version__
    assert dist.metadata["License-Expression"] == "BSD-3-Clause"
    licences = [str(f) for f in dist.files or [] if f.name == "LICENSE"]
    assert licences, "the LICENSE file is not part of the installed distribution"
    classifiers = dist.metadata.get_all("Classifier") or []
    assert any(c.startswith("Programming Language :: Python :: 3.1") for c in classifiers)
    assert any(c.startswith("Topic :: Scientific/Engineering") for c in classifiers)


def test_citation_and_changelog_name_the_version():
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"(?m)^version: {re.escape(limekit.__version__)}$", citation)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{limekit.__version__}]" in changelog


def test_licence_file_is_bsd_3_clause():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
