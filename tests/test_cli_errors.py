"""The command line never shows a traceback: every failure is one line on stderr.

A mistake in the arguments, the files or the model exits with status 2 and says what
to change; an unexpected internal error exits with 1, still as one line, and shows
its traceback only when ``LIMEKIT_DEBUG=1`` asks for it.
"""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest

from limekit import cli
from limekit.cli import main


class FailingModel:
    """A classifier whose predictions always fail (picklable: defined at module level)."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        raise RuntimeError("the GPU fell off the bus")


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)}).to_csv(
        tmp_path / "rows.csv", index=False)
    joblib.dump(FailingModel(), tmp_path / "failing.joblib")
    return tmp_path


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("limekit"), err
    return lines[-1]


def test_a_model_that_raises_is_one_line_and_status_2(files, capsys):
    rc = main(["explain", "--model", str(files / "failing.joblib"), "--trust-model",
               "--data", str(files / "rows.csv"), "--row", "0", "--num-samples", "100"])
    assert rc == 2
    line = _one_line_error(capsys)
    assert "the model failed while explaining row 0" in line and "GPU fell off" in line


def test_library_validation_errors_are_one_line_and_status_2(capsys):
    assert main(["demo", "--dataset", "iris", "--num-features", "100"]) == 2
    assert "num_features=100 is larger than the number of features" in _one_line_error(capsys)


@pytest.mark.parametrize("seed", ["-1", "4294967296", "x"])
def test_seeds_outside_32_bits_are_refused_by_the_parser(seed, capsys):
    assert main(["demo", "--seed", seed]) == 2
    assert "--seed" in _one_line_error(capsys)


def test_unexpected_errors_are_one_line_and_status_1(monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("planted bug")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["demo"].set_defaults(func=broken)
    monkeypatch.delenv("LIMEKIT_DEBUG", raising=False)
    assert main(["demo"]) == 1
    line = _one_line_error(capsys)
    assert "ZeroDivisionError: planted bug" in line and "--debug" in line
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "demo"])
    monkeypatch.setenv("LIMEKIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["demo"])
