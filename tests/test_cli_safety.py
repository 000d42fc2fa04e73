"""``limekit explain`` never unpickles a model file unless the user vouches for it.

The hostile files here run code when loaded: their ``__reduce__`` creates a
marker file. Without ``--trust-model`` the marker must never appear; with it,
it does (so the test would notice if the refusal were bypassed). ``.skops``
files are read without running code when skops is installed.
"""

from __future__ import annotations

import pickle
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from limekit.cli import main

N = "300"


class _PlantMarker:
    """Unpickling this calls ``open(path, "w")``: a file appears, as any code could run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    X.to_csv(tmp_path / "rows.csv", index=False)
    marker = tmp_path / "pwned.txt"
    with open(tmp_path / "evil.pkl", "wb") as fh:
        pickle.dump(_PlantMarker(marker), fh)
    joblib.dump(_PlantMarker(marker), tmp_path / "evil.joblib")
    model = LogisticRegression().fit(X, (X["a"] > 0).astype(int))
    joblib.dump(model, tmp_path / "good.joblib")
    return tmp_path, marker, X, model


def _run(model_path, data_path, *extra):
    return main(["explain", "--model", str(model_path), "--data", str(data_path),
                 "--row", "0", "--num-samples", N, *extra])


@pytest.mark.parametrize("name", ["evil.pkl", "evil.joblib", "good.joblib"])
def test_pickles_are_refused_without_trust_model(files, capsys, name):
    folder, marker, _, _ = files
    rc = _run(folder / name, folder / "rows.csv")
    err = capsys.readouterr().err
    assert rc == 2
    assert not marker.exists()  # nothing in the file ran
    assert "refusing to load the model file" in err and name in err
    assert "--trust-model" in err and "run code" in err  # the risk and the way out
    assert "Traceback" not in err


def test_refusal_comes_before_any_other_work(files, capsys):
    """Even with a missing data file the answer is the refusal, not a half-loaded run."""
    folder, marker, _, _ = files
    rc = _run(folder / "evil.pkl", folder / "missing.csv")
    assert rc == 2 and not marker.exists()
    assert "--trust-model" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["evil.pkl", "evil.joblib"])
def test_trust_model_does_load_the_file(files, capsys, name):
    """Control: with the flag the file is unpickled (its code runs, the marker appears)."""
    folder, marker, _, _ = files
    rc = _run(folder / name, folder / "rows.csv", "--trust-model")
    err = capsys.readouterr().err
    assert marker.exists()
    assert rc != 0  # an open file is no model; the failure is reported in one line
    assert "Traceback" not in err


def test_trusted_model_is_explained(files, capsys):
    folder, _, _, _ = files
    rc = _run(folder / "good.joblib", folder / "rows.csv", "--trust-model")
    out = capsys.readouterr().out
    assert rc == 0
    assert "LogisticRegression" in out


def test_help_explains_the_risk_and_the_flag(capsys):
    assert main(["explain", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--trust-model" in out
    assert "executes code stored in the file" in out
    assert ".skops" in out


# ----------------------------------------------------------------------- skops
def test_skops_file_without_skops_installed(files, capsys, monkeypatch):
    folder, _, _, _ = files
    (folder / "m.skops").write_bytes(b"not read")
    monkeypatch.setitem(sys.modules, "skops", None)  # import skops fails
    monkeypatch.setitem(sys.modules, "skops.io", None)
    rc = _run(folder / "m.skops", folder / "rows.csv")
    err = capsys.readouterr().err
    assert rc == 2 and "pip install skops" in err


class ThresholdModel:
    """A model whose type skops does not trust by default (it lives in this test module)."""

    def __init__(self, threshold=0.0):
        self.threshold = threshold

    def predict_proba(self, X):
        p = 1.0 / (1.0 + np.exp(-(np.asarray(X["a"], dtype=float) - self.threshold)))
        return np.column_stack([1 - p, p])


def test_skops_model_loads_without_trust(files, capsys):
    sio = pytest.importorskip("skops.io")
    folder, _, _, model = files
    sio.dump(model, folder / "good.skops")
    rc = _run(folder / "good.skops", folder / "rows.csv")
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "LogisticRegression" in captured.out


def test_skops_untrusted_types_need_the_flag(files, capsys):
    sio = pytest.importorskip("skops.io")
    folder, _, _, _ = files
    path = folder / "custom.skops"
    sio.dump(ThresholdModel(0.5), path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted and untrusted[0].endswith("ThresholdModel")

    rc = _run(path, folder / "rows.csv")
    err = capsys.readouterr().err
    assert rc == 2
    assert "refusing to load" in err and untrusted[0] in err and "--trust-model" in err

    rc = _run(path, folder / "rows.csv", "--trust-model")
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "ThresholdModel" in captured.out


def test_corrupt_skops_file(files, capsys):
    pytest.importorskip("skops.io")
    folder, _, _, _ = files
    (folder / "bad.skops").write_bytes(b"this is not a zip archive")
    rc = _run(folder / "bad.skops", folder / "rows.csv")
    err = capsys.readouterr().err
    assert rc == 2 and "cannot read" in err and "Traceback" not in err
