"""lime's tutorial notebooks run cell for cell under limekit.compat wherever they run under lime.

Each tutorial in ``tests/lime_tutorials/`` holds a notebook's code cells (with
offline stand-ins for its downloads and replacements for APIs that
scikit-learn, pandas, scikit-image or Python 3 removed, the same for both
runs; see each file's header). ``run_tutorial.py`` runs the cells in order in
a subprocess, once with ``lime`` and once with the imports rewritten to
``limekit.compat``, same seeds; every cell that runs under lime must run under
compat. Each file also declares, as ``EXPECTED_LIME_FAILURES``, the cells that
fail under lime 0.2.0.1 itself (so a broken adaptation is noticed).

Not covered (they need what this environment cannot have):
"Tutorial - images" (TensorFlow slim and an Inception checkpoint),
"Tutorial - images - Pytorch" (torchvision and downloaded Inception weights),
"Tutorial - Image Classification Keras" and "Lime with Recurrent Neural
Networks" (Keras), "Tutorial_H2O_continuous_and_cat" (H2O; its notebook is also
missing from the mirrored repository).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("lime")
pytest.importorskip("skimage")
pytest.importorskip("matplotlib")

HERE = Path(__file__).parent / "lime_tutorials"
RUNNER = HERE / "run_tutorial.py"

#: tutorial file -> code cells that fail under lime 0.2.0.1 too (not required of compat).
EXPECTED_LIME_FAILURES = {
    "basic_two_class.py": set(),
    "multiclass.py": {17},  # label 15 is not among the top 3 labels of the stand-in corpus
    "continuous_categorical.py": {7, 10},  # show_contributions=/show_scaled= left lime in 2016
    "regression.py": set(),
    "submodular_pick.py": set(),
    "faces_gradboost.py": set(),
    "mnist_rf.py": set(),
    "latin_hypercube.py": {6, 7, 8},  # sampling_method= is newer than lime 0.2.0.1
}

TIMEOUT = 400


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every tutorial under lime and under compat: two subprocesses, run side by side."""
    tmp = tmp_path_factory.mktemp("tutorials")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    paths = [str(HERE / t) for t in EXPECTED_LIME_FAILURES]
    procs = {}
    for flavour in ("lime", "compat"):
        out = tmp / f"{flavour}.json"
        # The cells print a lot: a log file, not a pipe nobody reads until the end.
        with open(tmp / f"{flavour}.log", "w", encoding="utf-8") as log:
            proc = subprocess.Popen([sys.executable, str(RUNNER), flavour, str(out), *paths],
                                    env=env, stdout=log, stderr=subprocess.STDOUT)
        procs[flavour] = (proc, out)
    result = {}
    for flavour, (proc, out) in procs.items():
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log = (tmp / f"{flavour}.log").read_text(encoding="utf-8", errors="replace")
        assert proc.returncode == 0, f"{flavour} runner failed ({proc.returncode}):\n{log[-3000:]}"
        for tutorial, cells in json.loads(out.read_text(encoding="utf-8"))["tutorials"].items():
            result[tutorial, flavour] = {"cells": cells}
    return result


def test_every_tutorial_is_listed():
    files = {p.name for p in HERE.glob("*.py")} - {"run_tutorial.py", "_offline.py", "pyDOE2.py"}
    assert files == set(EXPECTED_LIME_FAILURES)


@pytest.mark.parametrize("tutorial", sorted(EXPECTED_LIME_FAILURES))
def test_tutorial_runs_under_compat_wherever_it_runs_under_lime(runs, tutorial):
    lime_cells = runs[tutorial, "lime"]["cells"]
    compat_cells = {c["cell"]: c for c in runs[tutorial, "compat"]["cells"]}
    assert len(lime_cells) > 3 and set(compat_cells) == {c["cell"] for c in lime_cells}

    lime_failed = {c["cell"]: c for c in lime_cells if not c["ok"]}
    unexpected = sorted(set(lime_failed) - EXPECTED_LIME_FAILURES[tutorial])
    assert not unexpected, (
        f"{tutorial}: cells {unexpected} fail under lime itself (a broken adaptation?); "
        f"first:\n{lime_failed[unexpected[0]]['traceback']}")

    broken = [c["cell"] for c in lime_cells if c["ok"] and not compat_cells[c["cell"]]["ok"]]
    if broken:
        first = compat_cells[broken[0]]
        pytest.fail(f"{tutorial}: cells {broken} run under lime but fail under "
                    f"limekit.compat; first failing cell {broken[0]}:\n{first['traceback']}")


def test_import_rewrite():
    sys.path.insert(0, str(HERE))
    try:
        from run_tutorial import split_cells, to_compat
    finally:
        sys.path.remove(str(HERE))
    src = ("import lime\nimport lime.lime_tabular\nfrom lime import lime_image\n"
           "    from lime.wrappers.scikit_image import SegmentationAlgorithm\nimport limestone\n")
    assert to_compat(src).splitlines() == [
        "import limekit.compat as lime",
        "import limekit.compat.lime_tabular; import limekit.compat as lime",
        "from limekit.compat import lime_image",
        "    from limekit.compat.wrappers.scikit_image import SegmentationAlgorithm",
        "import limestone",
    ]
    assert split_cells("# %% [0]\na = 1\n# %% [3]\nb = 2\n") == [(0, "\na = 1\n"), (3, "\nb = 2\n")]
