"""Every bad input gets a clear ValueError/TypeError naming what is wrong and how to fix it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from limekit import TabularExplainer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y, LogisticRegression().fit(X, y)


def _proba(n_cols=2):
    def f(A):
        p = np.full((len(A), n_cols), 1.0 / n_cols)
        return p
    return f


# ------------------------------------------------------------------ training data
@pytest.mark.parametrize("bad,kind", [(np.nan, "NaN"), (np.inf, "an infinite value")])
def test_nonfinite_training_data(data, bad, kind):
    X = data[0].copy()
    X[17, 2] = bad
    with pytest.raises(ValueError, match=rf"training_data has {kind} in feature 'x2' \(row 17"):
        TabularExplainer(X)


def test_nonfinite_training_dataframe_names_column():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, np.nan, 2.0]})
    with pytest.raises(ValueError, match=r"NaN in feature 'b' \(row 1.*impute"):
        TabularExplainer(df)


def test_missing_category_in_training_data():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": ["x", None, "y"]})
    with pytest.raises(ValueError, match=r"missing value in categorical feature 'c' \(row 1\)"):
        TabularExplainer(df)


def test_training_data_wrong_dimensions():
    with pytest.raises(ValueError, match=r"must be 2-D.*shape \(10,\).*reshape"):
        TabularExplainer(np.arange(10.0))
    with pytest.raises(ValueError, match=r"1 row\(s\); at least 2"):
        TabularExplainer(np.ones((1, 3)))


def test_feature_names_length(data):
    with pytest.raises(ValueError, match="feature_names has 3 names but training_data has 4"):
        TabularExplainer(data[0], feature_names=["a", "b", "c"])


def test_non_numeric_column_not_declared_categorical():
    X = np.array([[1.0, "a"], [2.0, "b"], [3.0, "a"]], dtype=object)
    with pytest.raises(ValueError, match=r"column 'x1' is not numeric; list it in "
                                         r"categorical_features"):
        TabularExplainer(X)
    ex = TabularExplainer(X, categorical_features=[1])  # declared: fine
    assert ex.categorical_features == [1]


def test_unknown_categorical_feature(data):
    with pytest.raises(ValueError, match=r"categorical feature 'colour' is not a column"):
        TabularExplainer(data[0], categorical_features=["colour"])
    with pytest.raises(ValueError, match=r"index 9 is out of range for 4 features"):
        TabularExplainer(data[0], categorical_features=[9])


@pytest.mark.parametrize("kwargs,match", [
    ({"mode": "classify"}, "mode must be 'classification' or 'regression'"),
    ({"feature_selection": "best"}, "feature_selection must be one of"),
    ({"discretizer": "tertile"}, "discretizer must be one of"),
    ({"discretizer": "entropy"}, "needs the training labels: pass training_labels"),
    ({"kernel_width": 0}, "kernel_width must be a positive"),
    ({"kernel_width": -1.0}, "kernel_width must be a positive"),
])
def test_bad_settings(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        TabularExplainer(data[0], **kwargs)


def test_random_state_must_be_a_seed(data):
    with pytest.raises(TypeError, match="pass an integer seed rather than a Generator"):
        TabularExplainer(data[0], random_state=np.random.default_rng(0))
    with pytest.raises(ValueError, match="non-negative"):
        TabularExplainer(data[0], random_state=-3)


def test_training_labels_length(data):
    with pytest.raises(ValueError, match="training_labels has 5 entries but training_data has 200"):
        TabularExplainer(data[0], discretizer="entropy", training_labels=np.zeros(5))


# ---------------------------------------------------------------------- instance
@pytest.mark.parametrize("bad,kind", [(np.nan, "NaN"), (-np.inf, "an infinite value")])
def test_nonfinite_instance(data, bad, kind):
    X, _, model = data
    x = X[0].copy()
    x[1] = bad
    with pytest.raises(ValueError, match=rf"instance has {kind} in feature 'x1'"):
        TabularExplainer(X).explain(x, model)


def test_instance_wrong_length(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"must have 4 features \(one row\); got shape \(3,\)"):
        TabularExplainer(X).explain(X[0, :3], model)
    with pytest.raises(ValueError, match=r"must have 4 features"):
        TabularExplainer(X).explain(X[:2], model)


def test_instance_wrong_column_names():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    ex = TabularExplainer(df)
    with pytest.raises(ValueError, match=r"column names do not match.*missing 'b'.*unexpected 'c'"):
        ex.explain(pd.Series({"a": 1.0, "c": 2.0}), _proba())
    with pytest.raises(ValueError, match=r"explain one instance at a time.*3 rows"):
        ex.explain(df, _proba())


def test_unseen_category():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "color": ["red", "blue", "red", "blue"]})
    ex = TabularExplainer(df)
    with pytest.raises(ValueError, match=r"value 'green' in categorical feature 'color', which "
                                         r"never occurs.*'blue', 'red'"):
        ex.explain({"x": 1.0, "color": "green"}, _proba())


def test_non_numeric_instance_value(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"non-numeric value 'abc' in numeric feature 'x0'"):
        TabularExplainer(X).explain(["abc", 1, 2, 3], model)


# -------------------------------------------------------------------- parameters
def test_too_few_samples(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"num_samples=1 is too few"):
        TabularExplainer(X).explain(X[0], model, num_samples=1)
    with pytest.raises(TypeError, match="num_samples must be an int"):
        TabularExplainer(X).explain(X[0], model, num_samples=10.5)


def test_num_features_larger_than_features(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"num_features=7 is larger than the number of "
                                         r"features \(4\); pass num_features<=4"):
        TabularExplainer(X).explain(X[0], model, num_features=7)
    with pytest.raises(ValueError, match="num_features must be at least 1"):
        TabularExplainer(X).explain(X[0], model, num_features=0)


def test_bad_labels(data):
    X, _, model = data
    ex = TabularExplainer(X)
    with pytest.raises(ValueError, match=r"label 5 is not a valid class index.*0\.\.1"):
        ex.explain(X[0], model, labels=[5])
    with pytest.raises(ValueError, match="top_labels must be a positive int"):
        ex.explain(X[0], model, top_labels=0)
    with pytest.raises(ValueError, match="class_names has 3 names but the model returns 2"):
        TabularExplainer(X, class_names=["a", "b", "c"]).explain(X[0], model)


def test_explanation_label_not_explained(data):
    X, _, model = data
    exp = TabularExplainer(X, random_state=0).explain(X[0], model, labels=[0], num_samples=100)
    with pytest.raises(KeyError, match=r"label 1 was not explained; explained labels are \[0\]"):
        exp.as_list(1)


# --------------------------------------------------------------------- the model
def test_classifier_without_predict_proba(data):
    X, y, _ = data
    reg = LinearRegression().fit(X, y)
    with pytest.raises(TypeError, match="has no predict_proba.*mode='regression'"):
        TabularExplainer(X).explain(X[0], reg)


def test_model_returns_1d_for_classification(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes >= 2\); it returned "
                                         r"shape \(5000,\). Pass predict_proba"):
        TabularExplainer(X).explain(X[0], model.predict)


def test_model_returns_wrong_number_of_rows(data):
    X, _, _ = data
    with pytest.raises(ValueError, match=r"returned shape \(3, 2\) for 5000 input rows"):
        TabularExplainer(X).explain(X[0], lambda A: np.full((3, 2), 0.5))


def test_model_returns_nan(data):
    X, _, model = data

    def broken(A):
        p = model.predict_proba(A)
        p[10] = np.nan
        return p

    with pytest.raises(ValueError, match=r"NaN or infinite predictions \(1 of 5000 rows, first "
                                         r"at sample row 10\)"):
        TabularExplainer(X).explain(X[0], broken)


def test_model_returns_non_probabilities(data):
    X, _, model = data
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*not probabilities.*softmax"):
        TabularExplainer(X).explain(X[0], lambda A: np.column_stack([-A[:, 0], A[:, 0]]))


def test_probabilities_not_summing_to_one_warn(data):
    X, _, _ = data
    with pytest.warns(UserWarning, match="do not sum to 1"):
        TabularExplainer(X).explain(X[0], lambda A: np.full((len(A), 2), 0.3), num_samples=50)


def test_model_returns_strings(data):
    X, _, _ = data
    with pytest.raises(TypeError, match="not numeric"):
        TabularExplainer(X).explain(X[0], lambda A: np.array([["a", "b"]] * len(A)))


def test_regression_model_multi_output(data):
    X, _, _ = data
    with pytest.raises(ValueError, match=r"one value per row; it returned shape \(5000, 3\)"):
        TabularExplainer(X, mode="regression").explain(X[0], lambda A: A[:, :3])


def test_model_that_raises_is_reported(data):
    X, _, _ = data

    def fails(A):
        raise KeyError("column 'age' not found")

    with pytest.raises(RuntimeError, match=r"the model raised KeyError.*age.*ndarray of shape "
                                           r"\(5000, 4\)"):
        TabularExplainer(X).explain(X[0], fails)


def test_not_a_model(data):
    X, _, _ = data
    with pytest.raises(TypeError, match="model must be a callable or have predict_proba"):
        TabularExplainer(X).explain(X[0], "my_model.pkl")


# -------------------------------------------------------------- degenerate data
@pytest.mark.parametrize("disc", ["quartile", None])
def test_constant_columns_are_handled(disc):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=100), np.full(100, 3.0), rng.normal(size=100)])
    model = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = TabularExplainer(X, discretizer=disc, random_state=0).explain(
            X[0], model, num_features=3, num_samples=500)
    weights = dict(exp.local_exp[exp.labels[0]])
    assert all(np.isfinite(w) for w in weights.values())
    assert weights[1] == 0.0  # a constant feature carries no local effect


def test_constant_model_gives_zero_weights(data):
    X, _, _ = data
    exp = TabularExplainer(X, random_state=0).explain(X[0], _proba(), num_samples=200)
    assert all(abs(w) < 1e-12 for _, w in exp.as_list())
    assert exp.score[exp.labels[0]] == 1.0


def test_tiny_kernel_width_all_weights_vanish(data):
    X, _, model = data
    exp = TabularExplainer(X, kernel_width=1e-3, random_state=0).explain(X[0], model,
                                                                         num_samples=100)
    # only the instance itself keeps weight; the explanation is finite (zeros), not NaN
    assert all(np.isfinite(w) for _, w in exp.as_list())
