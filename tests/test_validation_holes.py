"""Boundary validation without holes: each bad argument is refused with its name.

Regression tests for arguments that used to be accepted silently or to fail deep
inside the pipeline with an unrelated error.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from limekit import ImageExplainer, SegmentTimeSeriesExplainer, TabularExplainer, TextExplainer


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y, LogisticRegression(max_iter=500).fit(X, y)


@pytest.mark.parametrize("labels", [[True], [False, True], [1.0], ["1"], [3], [-1]])
def test_labels_must_be_class_indices(iris, labels):
    X, _, model = iris
    with pytest.raises(ValueError, match="not a valid class index"):
        TabularExplainer(X, random_state=0).explain(X[0], model, labels=labels, num_samples=100)


def test_numpy_integer_labels_are_fine(iris):
    X, _, model = iris
    exp = TabularExplainer(X, random_state=0).explain(X[0], model, labels=np.array([2]),
                                                      top_labels=None, num_samples=100)
    assert exp.labels == [2]
    exp = TabularExplainer(X, random_state=0).explain(X[0], model, top_labels=np.int64(2),
                                                      num_samples=100)
    assert len(exp.labels) == 2


@pytest.mark.parametrize("top", [1.5, "2", True, 0, -1])
def test_top_labels_must_be_a_positive_int(iris, top):
    X, _, model = iris
    with pytest.raises(ValueError, match="top_labels"):
        TabularExplainer(X, random_state=0).explain(X[0], model, top_labels=top, num_samples=100)


@pytest.mark.parametrize("batch_size", [0, -3, "a", 2.5, True])
def test_batch_size_is_checked_everywhere(iris, batch_size):
    X, _, model = iris
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        TabularExplainer(X, batch_size=batch_size).explain(X[0], model, num_samples=100)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        TextExplainer().explain("a b c", lambda d: np.full((len(d), 2), 0.5),
                                batch_size=batch_size, num_samples=50)


@pytest.mark.parametrize("width", [True, "1", None, [1.0]])
def test_kernel_width_must_be_a_number(iris, width):
    X, _, _ = iris
    with pytest.raises((TypeError, ValueError), match="kernel_width"):
        TabularExplainer(X, kernel_width=width if width is not None else "none")


@pytest.mark.parametrize("make", [
    lambda: TabularExplainer(np.zeros((5, 2)), class_names="ab"),
    lambda: TextExplainer(class_names="ab"),
    lambda: ImageExplainer(class_names="ab"),
    lambda: SegmentTimeSeriesExplainer(class_names="ab"),
])
def test_class_names_cannot_be_one_string(make):
    with pytest.raises(TypeError, match="class_names"):
        make()


def test_an_explicit_num_features_larger_than_the_features_is_an_error(iris):
    X, _, model = iris
    explainer = TabularExplainer(X, random_state=0)
    for k in (5, 10):  # 10 used to be clipped silently because it equals the default
        with pytest.raises(ValueError, match=f"num_features={k} is larger"):
            explainer.explain(X[0], model, num_features=k, num_samples=100)
    # left at its default, it uses every feature when there are fewer than 10
    assert len(explainer.explain(X[0], model, num_samples=100).as_list()) == 4


def test_large_seeds_work_with_the_entropy_discretizer(iris):
    X, y, model = iris
    exp = TabularExplainer(X, discretizer="entropy", training_labels=y,
                           random_state=2**40).explain(X[0], model, num_samples=100)
    assert exp.as_list()


def test_minus_zero_is_zero(iris):
    X, _, model = iris
    explainer = TabularExplainer(X, random_state=0)
    a = explainer.explain(np.array([0.0, 3.0, 1.4, 0.2]), model, num_samples=200)
    b = explainer.explain(np.array([-0.0, 3.0, 1.4, 0.2]), model, num_samples=200)
    assert a.as_list() == b.as_list()


def test_iterators_as_training_data_get_a_clear_error(iris):
    X, _, _ = iris
    with pytest.raises(TypeError, match="iterator"):
        TabularExplainer(row for row in X)


def test_date_and_duration_columns_are_refused():
    import pandas as pd

    for column in (pd.date_range("2020-01-01", periods=20),
                   pd.to_timedelta(np.arange(20), unit="D")):
        frame = pd.DataFrame({"when": column, "x": np.arange(20.0)})
        with pytest.raises(TypeError, match="dates or durations"):
            TabularExplainer(frame)


def test_categories_that_print_alike_are_not_merged():
    import pandas as pd

    frame = pd.DataFrame({"c": [1, "1"] * 10, "x": np.arange(20.0)})
    with pytest.raises(ValueError, match="different types"):
        TabularExplainer(frame)


def test_complex_series_are_refused():
    with pytest.raises(TypeError, match="complex"):
        SegmentTimeSeriesExplainer().explain(np.arange(20) * 1j,
                                             lambda b: np.full((len(b), 2), 0.5))


@pytest.mark.parametrize("value", ["false", "no", "off", "0", ""])
def test_numba_switch_reads_false_as_false(value):
    import os
    import subprocess
    import sys
    env = {**os.environ, "LIMEKIT_DISABLE_NUMBA": value}
    code = "from limekit import _compiled; print(_compiled.numba is not None)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    pytest.importorskip("numba")
    assert out == "True"


def test_the_default_num_features_survives_pickling_to_workers(iris):
    import pickle

    from limekit.explainers._common import DEFAULT_NUM_FEATURES

    assert pickle.loads(pickle.dumps(DEFAULT_NUM_FEATURES)) is DEFAULT_NUM_FEATURES
    X, _, model = iris  # 4 features: the default must still mean "all of them" on workers
    batch = TabularExplainer(X, random_state=0).explain_batch(X[:4], model, num_samples=100,
                                                              n_jobs=2, progress=False)
    assert all(len(exp.as_list()) == 4 for exp in batch)
