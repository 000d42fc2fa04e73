"""lime 0.2.0.1's own unit tests pass against limekit.compat.

The test files are copied from the installed ``lime`` package (``lime/tests``)
into a temporary folder twice. Both copies get the same offline adaptations;
one keeps ``from lime.`` imports, the other has them rewritten to
``from limekit.compat.``, the one change a lime user makes. Each copy runs in
its own ``python -m pytest`` subprocess, and every test that passes under
lime must pass under limekit.compat.

Adaptations (identical for both copies):

* ``fetch_20newsgroups`` (a download) is replaced by a local two-category
  corpus built from limekit's bundled reviews (:func:`limekit.datasets.text.load_reviews`):
  documents of three same-class reviews, with 20 newsgroups' ``subset`` /
  ``data`` / ``target`` interface. lime's text tests only need a fitted
  classifier and a test document with at least six distinct words.
* Every test starts with ``np.random.seed(1)`` (a ``conftest.py`` next to the
  copies): lime's tests draw unseeded from NumPy's global generator in
  places, and the comparison should not depend on chance.
* Two genuine breakages of lime's tests on NumPy 2 / scikit-image 0.26 are
  fixed, identically for both copies (:data:`_ENVIRONMENT_FIXES`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

lime = pytest.importorskip("lime")

LIME_TESTS = Path(lime.__file__).parent / "tests"

#: A stand-in for ``sklearn.datasets.fetch_20newsgroups``, written next to the copies.
_OFFLINE_CORPUS = '''\
"""Offline stand-in for fetch_20newsgroups: limekit's bundled reviews, in documents."""
import numpy as np
from sklearn.utils import Bunch

from limekit.datasets.text import load_reviews


def fetch_20newsgroups(subset="train", categories=None, **_ignored):
    reviews = load_reviews()
    by_class = {0: [], 1: []}
    for text, label in zip(reviews.texts, reviews.labels):
        by_class[label].append(text)
    n_docs = {"train": 240, "test": 120}[subset]
    rng = np.random.RandomState({"train": 0, "test": 1}[subset])
    data, target = [], []
    for i in range(n_docs):
        label = i % 2
        picks = rng.choice(len(by_class[label]), size=3, replace=False)
        data.append(" ".join(by_class[label][p] for p in picks))
        target.append(label)
    return Bunch(data=data, target=np.array(target), target_names=list(categories or []))
'''

#: Written next to both copies: lime's tests draw from NumPy's global generator
#: unseeded in places (the iris train/test split, ``np.random.randint`` rows), so
#: each test starts from the same global state, in both runs, and the outcome
#: does not depend on test order or on chance. (With seed 0 the iris split makes
#: lime itself fail ``test_lime_explainer_entropy_discretizer``; seeds 1-5 all pass.)
_CONFTEST = '''\
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy_global_generator():
    np.random.seed(1)
'''

#: ``(file, old, new)`` source replacements applied to both copies.
_OFFLINE_FIXES = [
    ("test_lime_text.py", "from sklearn.datasets import fetch_20newsgroups",
     "from _offline_corpus import fetch_20newsgroups"),
]
#: Genuine breakages of lime's own tests on NumPy 2 / scikit-image 0.26, fixed for both copies:
#: NumPy 2 no longer builds an array from ragged lists, so ``np.array_equal`` on lime's
#: word positions (a list of lists) is False; compare them as object arrays instead.
#: scikit-image 0.26's ``quickshift`` has no ``random_seed`` (the wrapper drops it
#: silently, as lime's does; the direct reference call must too).
_ENVIRONMENT_FIXES = [
    ("test_lime_text.py", "np.array_equal(indexed_string.positions, positions)",
     "np.array_equal(np.array(indexed_string.positions, dtype=object),"
     " np.array(positions, dtype=object))"),
    ("test_scikit_image.py",
     "quickshift(img, kernel_size=3, max_dist=6, ratio=0.5,\n"
     "                                     random_seed=133)",
     "quickshift(img, kernel_size=3, max_dist=6, ratio=0.5)"),
]

_IMPORT = re.compile(r"^(\s*)(from|import) lime\.", re.MULTILINE)


def _prepare(dst: Path, package: str) -> Path:
    """Copy lime's tests into ``dst``, adapted, importing from ``package``."""
    dst.mkdir(parents=True)
    for src in sorted(LIME_TESTS.glob("test_*.py")):
        text = src.read_text()
        for name, old, new in _OFFLINE_FIXES + _ENVIRONMENT_FIXES:
            if src.name == name:
                assert old in text, f"{name}: adaptation target {old!r} not found"
                text = text.replace(old, new)
        if package != "lime":
            text = _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)} {package}.", text)
        (dst / src.name).write_text(text)
    (dst / "_offline_corpus.py").write_text(_OFFLINE_CORPUS)
    (dst / "conftest.py").write_text(_CONFTEST)
    return dst


def _start(folder: Path) -> subprocess.Popen:
    report = folder / "report.xml"
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "--rootdir", str(folder), f"--junitxml={report}", str(folder)],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _results(folder: Path) -> dict[str, str]:
    """``{"file::Class::test": "passed" | "failed" | "error" | "skipped"}`` from the report."""
    root = ET.parse(folder / "report.xml").getroot()
    out = {}
    for case in root.iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        status = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = child.tag
        out[key] = status
    return out


def run_both(tmp: Path) -> tuple[dict[str, str], dict[str, str], str, str]:
    """Run the lime copy and the limekit.compat copy concurrently."""
    folders = [_prepare(tmp / "with_lime", "lime"),
               _prepare(tmp / "with_limekit", "limekit.compat")]
    procs = [_start(f) for f in folders]
    logs = [p.communicate(timeout=900)[0] for p in procs]
    return _results(folders[0]), _results(folders[1]), logs[0], logs[1]


def test_lime_unit_tests_pass_under_compat(tmp_path):
    assert LIME_TESTS.is_dir(), f"lime's tests are not installed at {LIME_TESTS}"
    with_lime, with_compat, lime_log, compat_log = run_both(tmp_path)
    passing = sorted(k for k, v in with_lime.items() if v == "passed")
    assert len(passing) >= 31, f"lime itself passes only {len(passing)} tests:\n{lime_log}"
    broken = [k for k in passing if with_compat.get(k) != "passed"]
    assert not broken, (f"{len(broken)} of {len(passing)} lime tests fail under "
                        f"limekit.compat: {broken}\n{compat_log}")


if __name__ == "__main__":  # pragma: no cover - a report for humans
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        a, b, _, log = run_both(Path(tmp))
        passing = [k for k, v in a.items() if v == "passed"]
        ok = [k for k in passing if b.get(k) == "passed"]
        print(log)
        for k in sorted(a):
            print(f"{a[k]:8s} {b.get(k, 'missing'):8s} {k}")
        print(f"{len(ok)} of {len(passing)} lime-passing tests pass under limekit.compat")
        shutil.rmtree(tmp, ignore_errors=True)
