"""Tests of the ``limekit`` command line and the bundled demo data sets."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from limekit.cli import main
from limekit.datasets import DEMO_DATASETS, load_demo, make_mixed_frame

N = "500"  # small neighbourhoods keep the suite fast


# ------------------------------------------------------------------- datasets
@pytest.mark.parametrize("name", DEMO_DATASETS)
def test_load_demo(name):
    data = load_demo(name)
    assert isinstance(data.X, pd.DataFrame)
    assert data.X.shape[0] == data.y.shape[0]
    assert list(data.X.columns) == data.feature_names
    assert "target" not in data.X.columns
    assert set(np.unique(data.y)) == set(range(len(data.class_names)))
    assert name in data.description


def test_load_demo_breast_cancer_shape():
    data = load_demo()
    assert data.X.shape == (569, 30)
    assert data.class_names == ["malignant", "benign"]


def test_load_demo_unknown_name():
    with pytest.raises(ValueError, match="breast_cancer"):
        load_demo("mnist")


def test_make_mixed_frame():
    X, y = make_mixed_frame(300, random_state=1)
    assert X.shape == (300, 5)
    assert X["income"].dtype == np.float64
    assert X["age"].dtype == np.int64
    assert X["color"].dtype == object
    assert set(X["color"]) == {"red", "green", "blue"}
    assert X["member"].dtype == bool
    assert set(np.unique(y)) == {0, 1}
    # the known dependence: red raises the odds, blue lowers them
    rate = pd.Series(y).groupby(X["color"].to_numpy()).mean()
    assert rate["red"] > rate["blue"]
    # reproducible
    X2, y2 = make_mixed_frame(300, random_state=1)
    pd.testing.assert_frame_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_make_mixed_frame_rejects_bad_n():
    with pytest.raises(ValueError, match="positive"):
        make_mixed_frame(0)


# ----------------------------------------------------------------------- demo
def test_version(capsys):
    assert main(["--version"]) == 0
    assert "limekit" in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_demo_prints_table_and_writes_html(tmp_path, capsys):
    html = tmp_path / "demo.html"
    out_json = tmp_path / "demo.json"
    rc = main(["demo", "--num-samples", N, "--num-features", "5",
               "--html", str(html), "--json", str(out_json)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "breast_cancer" in captured.out
    assert "accuracy" in captured.out
    # quality warnings appear once, in the printed explanation, not as Python warnings
    assert "Warning:" not in captured.err and "cli.py" not in captured.err
    assert "weight" in captured.out  # the explanation table's header
    assert str(html) in captured.out
    assert html.exists()
    assert "<html" in html.read_text(encoding="utf-8").lower()
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["num_samples"] == int(N)


def test_demo_default_html_in_cwd(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--dataset", "iris", "--model", "logreg", "--num-samples", N]) == 0
    assert (tmp_path / "limekit-demo.html").exists()
    assert "iris" in capsys.readouterr().out


def test_demo_row_out_of_range(tmp_path, capsys):
    rc = main(["demo", "--dataset", "iris", "--row", "1000", "--num-samples", N,
               "--html", str(tmp_path / "x.html")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "--row 1000 is out of range" in err
    assert "Traceback" not in err


def test_bad_option_returns_2(capsys):
    assert main(["demo", "--model", "svm"]) == 2
    assert "invalid choice" in capsys.readouterr().err


# -------------------------------------------------------------------- explain
@pytest.fixture(scope="module")
def mixed_files(tmp_path_factory):
    """A Pipeline(ColumnTransformer + OneHotEncoder, LogisticRegression) and its CSV."""
    folder = tmp_path_factory.mktemp("explain")
    X, y = make_mixed_frame(300, random_state=0)
    pre = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "member"])],
        remainder=StandardScaler(),
    )
    clf = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(X, y)
    reg = make_pipeline(pre, Ridge()).fit(X, X["income"] / 1000.0)
    joblib.dump(clf, folder / "clf.joblib")
    joblib.dump(reg, folder / "reg.joblib")
    X.assign(target=y).to_csv(folder / "rows.csv", index=False)
    X.iloc[:200].assign(target=y[:200]).to_csv(folder / "train.csv", index=False)
    return folder


def _explain(folder, *extra):
    return main(["explain", "--model", str(folder / "clf.joblib"), "--trust-model",
                 "--data", str(folder / "rows.csv"), "--num-samples", N, *extra])


def test_explain_pipeline(mixed_files, tmp_path, capsys):
    html = tmp_path / "e.html"
    out_json = tmp_path / "e.json"
    rc = _explain(mixed_files, "--row", "3", "--target", "target",
                  "--html", str(html), "--json", str(out_json))
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "Pipeline" in captured.out
    assert "color=" in captured.out  # the string category is explained as such
    assert "<html" in html.read_text(encoding="utf-8").lower()
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["mode"] == "classification"
    assert "target" not in data["feature_names"]


def test_explain_with_train_file_is_deterministic(mixed_files, capsys):
    args = ("--row", "5", "--target", "target", "--train", str(mixed_files / "train.csv"))
    assert _explain(mixed_files, *args) == 0
    first = capsys.readouterr().out
    assert _explain(mixed_files, *args) == 0
    assert capsys.readouterr().out == first
    assert "train.csv" in first


def test_explain_regression_mode_inferred(mixed_files, capsys):
    rc = main(["explain", "--model", str(mixed_files / "reg.joblib"), "--trust-model",
               "--data", str(mixed_files / "rows.csv"), "--row", "0",
               "--target", "target", "--num-samples", N])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "(regression)" in captured.out


def test_explain_drops_columns_the_model_does_not_use(mixed_files, capsys):
    # no --target: the fitted pipeline's feature_names_in_ tells which columns to use
    assert _explain(mixed_files, "--row", "0") == 0
    assert "ignoring column(s) the model does not use: target" in capsys.readouterr().out


def test_explain_row_out_of_range(mixed_files, capsys):
    rc = _explain(mixed_files, "--row", "300", "--target", "target")
    err = capsys.readouterr().err
    assert rc == 2
    assert "--row 300 is out of range" in err
    assert "300 data rows" in err
    assert "Traceback" not in err


def test_explain_missing_model_file(mixed_files, tmp_path, capsys):
    rc = main(["explain", "--model", str(tmp_path / "nope.joblib"),
               "--data", str(mixed_files / "rows.csv"), "--row", "0"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "model file not found" in err
    assert "nope.joblib" in err


def test_explain_missing_data_file(mixed_files, tmp_path, capsys):
    rc = main(["explain", "--model", str(mixed_files / "clf.joblib"), "--trust-model",
               "--data", str(tmp_path / "missing.csv"), "--row", "0"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "data file not found" in err


def test_explain_missing_target_column(mixed_files, capsys):
    rc = _explain(mixed_files, "--row", "0", "--target", "label")
    err = capsys.readouterr().err
    assert rc == 2
    assert "target column 'label' not found" in err


def test_explain_missing_model_column(mixed_files, tmp_path, capsys):
    X, _ = make_mixed_frame(50)
    X.drop(columns="color").to_csv(tmp_path / "short.csv", index=False)
    rc = main(["explain", "--model", str(mixed_files / "clf.joblib"), "--trust-model",
               "--data", str(tmp_path / "short.csv"), "--row", "0", "--num-samples", N])
    err = capsys.readouterr().err
    assert rc == 2
    assert "color" in err


def test_explain_not_a_model_file(mixed_files, capsys):
    rc = main(["explain", "--model", str(mixed_files / "rows.csv"), "--trust-model",
               "--data", str(mixed_files / "rows.csv"), "--row", "0"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot load a model" in err


def test_explain_help_warns_about_pickles(capsys):
    assert main(["explain", "--help"]) == 0
    out = capsys.readouterr().out
    assert "executes code" in out
    assert "--trust-model" in out


def test_demo_image_writes_overlay_report(tmp_path, capsys):
    html = tmp_path / "image.html"
    assert main(["demo", "--image", "--num-samples", "300", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "superpixels" in out and str(html) in out
    page = html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<script" not in page


def test_demo_text_writes_highlighted_report(tmp_path, capsys):
    html = tmp_path / "text.html"
    assert main(["demo", "--text", "--num-samples", "500", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "+]" in out or "-]" in out  # words marked by their weight in the terminal
    page = html.read_text(encoding="utf-8")
    # the only "http" is the http-equiv of the Content-Security-Policy
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_warnings_print_as_one_clean_line(capsys):
    import warnings

    from limekit.cli import _show_warning

    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        warnings.warn("the kernel puts almost all weight on a few samples", UserWarning,
                      stacklevel=1)
    assert capsys.readouterr().err == (
        "limekit: warning: the kernel puts almost all weight on a few samples\n")
