"""Native tabular explainer: known truths, agreement with lime's routines, real inputs."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from limekit import Explanation, RidgeSurrogate, TabularExplainer
from limekit.representations.tabular import truncated_normal_quantiles
from limekit.sampling import sample_discrete
from limekit.surrogates import WeightedDesign, select_features


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target.to_numpy()
    rf = RandomForestClassifier(n_estimators=30, random_state=0).fit(X, y)
    return X, y, rf, list(data.target_names)


# --------------------------------------------------------------------- known truths
@pytest.mark.parametrize("around", [False, True])
def test_linear_regression_weights_are_coefficients_per_std(around):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6)) * np.array([1.0, 2.0, 0.5, 10.0, 3.0, 0.1]) + 5.0
    coef = np.array([1.5, -2.0, 0.0, 0.3, 4.0, -7.0])
    y = X @ coef + 2.0
    model = LinearRegression().fit(X, y)
    ex = TabularExplainer(X, mode="regression", discretizer=None, feature_selection="none",
                          surrogate=RidgeSurrogate(alpha=0.0), random_state=1,
                          sample_around_instance=around)
    exp = ex.explain(X[3], model, num_samples=2000, num_features=None)
    weights = dict(exp.local_exp[0])
    got = np.array([weights[j] for j in range(6)])
    np.testing.assert_allclose(got, model.coef_ * X.std(axis=0), atol=1e-6)
    assert exp.score[0] == pytest.approx(1.0, abs=1e-9)
    assert exp.local_pred[0] == pytest.approx(model.predict(X[3:4])[0], abs=1e-6)
    assert exp.predicted_value == pytest.approx(model.predict(X[3:4])[0])


def test_default_ridge_only_slightly_shrinks_linear_weights():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    model = LinearRegression().fit(X, X @ np.array([1.0, -2.0, 0.5, 0.0]))
    exp = TabularExplainer(X, mode="regression", discretizer=None, random_state=0).explain(
        X[0], model)
    w = dict(exp.local_exp[0])
    np.testing.assert_allclose([w[j] for j in range(4)], model.coef_ * X.std(axis=0),
                               atol=0.02)


def test_irrelevant_features_get_no_weight_in_discretized_mode():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 5))

    def model(A):
        p = 1 / (1 + np.exp(-4 * A[:, 0]))
        return np.column_stack([1 - p, p])

    exp = TabularExplainer(X, random_state=0).explain(X[0], model, num_features=5)
    top_feature, top_weight = exp.local_exp[exp.labels[0]][0]
    assert top_feature == 0
    others = [abs(w) for j, w in exp.local_exp[exp.labels[0]] if j != 0]
    assert max(others) < 0.1 * abs(top_weight)


# ------------------------------------------------------ agreement with lime's own code
def _neighbourhood(seed=0, n=800, d=12):
    rng = np.random.default_rng(seed)
    Z = (rng.random((n, d)) > 0.4).astype(float)
    Z[0] = 1.0
    y = Z @ rng.normal(size=d) + 0.3 * rng.normal(size=n)
    w = np.exp(-((d - Z.sum(1)) / (0.75 * np.sqrt(d)) ** 2) / 2)
    return Z, y, w


@pytest.mark.parametrize("method,k", [("forward_selection", 4), ("highest_weights", 5),
                                      ("lasso_path", 5), ("none", 12)])
def test_feature_selection_matches_lime_base(method, k):
    from lime.lime_base import LimeBase

    for seed in range(3):
        Z, y, w = _neighbourhood(seed)
        ref = LimeBase(lambda d: d).feature_selection(Z, y, w, k, method)
        design = WeightedDesign(Z, y[:, None], w)
        ours = select_features(design, 0, k, method, Z[0])
        if method in ("forward_selection", "highest_weights"):
            assert list(ours) == list(ref)  # same order
        else:
            assert sorted(ours) == sorted(ref)


def test_ridge_surrogate_matches_sklearn_ridge():
    Z, y, w = _neighbourhood(5)
    design = WeightedDesign(Z, y[:, None], w)
    S = np.array([0, 3, 4, 7])
    fit = RidgeSurrogate(alpha=1.0).fit(design, 0, S, Z[0])
    ref = Ridge(alpha=1.0).fit(Z[:, S], y, sample_weight=w)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-9, atol=1e-12)
    assert fit.intercept == pytest.approx(ref.intercept_, rel=1e-9)
    assert fit.score == pytest.approx(ref.score(Z[:, S], y, sample_weight=w), rel=1e-9)
    assert fit.local_pred == pytest.approx(ref.predict(Z[:1, S])[0], rel=1e-9)


def test_discretized_descriptions_match_lime(cancer):
    from lime.lime_tabular import LimeTabularExplainer

    X, _, rf, _ = cancer
    arr = X.to_numpy()
    ref = LimeTabularExplainer(arr, feature_names=list(X.columns), random_state=0)
    def proba(a):
        return rf.predict_proba(pd.DataFrame(a, columns=X.columns))

    ref_exp = ref.explain_instance(arr[7], proba, num_features=30)
    ours = TabularExplainer(arr, feature_names=list(X.columns), random_state=0).explain(
        arr[7], proba, labels=[1], num_features=30, num_samples=500)
    assert {d for d, _ in ref_exp.as_list(1)} == set(ours.feature_descriptions)


# ------------------------------------------------------------------- samplers' laws
def test_truncated_normal_quantiles_match_scipy():
    from scipy.stats import truncnorm

    mean, std = np.array([0.0, 5.0, -2.0]), np.array([1.0, 0.5, 3.0])
    lo, hi = np.array([0.5, 4.0, -30.0]), np.array([2.0, 9.0, -1.0])
    q = truncated_normal_quantiles(mean, std, lo, hi, 8)
    t = np.linspace(0, 1, 9)
    for i in range(3):
        a, b = (lo[i] - mean[i]) / std[i], (hi[i] - mean[i]) / std[i]
        ref = truncnorm.ppf(t, a, b, loc=mean[i], scale=std[i])
        np.testing.assert_allclose(q[i], ref, rtol=1e-9, atol=1e-9)
    # degenerate bins return their mean, never a z-score (a lime defect)
    d = truncated_normal_quantiles(np.array([3.0, 4.0]), np.array([0.0, 1.0]),
                                   np.array([3.0, 4.0]), np.array([3.0, 4.0]), 4)
    np.testing.assert_array_equal(d, [[3.0] * 5, [4.0] * 5])


def test_binned_values_follow_the_bins_truncated_normal():
    from scipy.stats import kstest, truncnorm

    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, 2.0, size=(2000, 1))
    ex = TabularExplainer(X, random_state=0)
    rep = ex.representation
    row = rep.check_instance(X[0])
    z = rep.encode(row)
    codes = ex.sampler.draw(rep.marginals(), z, 200_000, np.random.default_rng(1))
    values = rep.decode(codes, row)[1:, 0]
    bins = codes[1:, 0].astype(int)
    col = rep.columns[0]
    for b in range(col.edges.size + 1):
        v = values[bins == b]
        assert v.min() >= col.bin_lo[b] and v.max() <= col.bin_hi[b]
        m, sd = col.bin_mean[b], col.bin_std[b]
        dist = truncnorm((col.bin_lo[b] - m) / sd, (col.bin_hi[b] - m) / sd, loc=m, scale=sd)
        assert kstest(v, dist.cdf).statistic < 0.01
        assert abs(v.size / values.size - col.freqs[b]) < 0.01


def test_sample_discrete_follows_probabilities():
    rng = np.random.default_rng(0)
    p = (np.array([0.1, 0.0, 0.6, 0.3]), np.array([0.5, 0.5]), np.full(40, 1 / 40))
    idx = sample_discrete(rng, p, 100_000)
    np.testing.assert_allclose(np.bincount(idx[:, 0], minlength=4) / 1e5, p[0], atol=0.01)
    assert not np.any(idx[:, 0] == 1)  # zero-probability bins are never drawn
    np.testing.assert_allclose(np.bincount(idx[:, 1]) / 1e5, p[1], atol=0.01)
    assert idx[:, 2].min() == 0 and idx[:, 2].max() == 39


# ----------------------------------------------------------------- real inputs
def _mixed_frame(n=600, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": rng.lognormal(10, 0.5, n),
        "color": rng.choice(["red", "green", "blue"], n),
        "member": rng.random(n) > 0.5,
    })
    logit = 3.0 * (df["color"] == "red") - 1.5 * (df["color"] == "blue") + 0.02 * (df["age"] - 50)
    y = (logit + rng.logistic(size=n) > 0.5).astype(int)
    return df, y.to_numpy()


def test_dataframe_pipeline_with_string_categories():
    df, y = _mixed_frame()
    pre = ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "member"]),
        ("num", StandardScaler(), ["age", "income"]),
    ])
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))]).fit(df, y)
    seen = []

    def spy(frame):
        seen.append(frame)
        return model.predict_proba(frame)

    ex = TabularExplainer(df, class_names=["no", "yes"], random_state=0)
    assert ex.categorical_features == [2, 3]
    row = df[df["color"] == "red"].iloc[0]
    exp = ex.explain(row, spy, labels=[1], num_features=4)
    frame = seen[0]
    assert list(frame.columns) == list(df.columns)
    assert (frame.dtypes == df.dtypes).all()
    assert set(frame["color"]) <= {"red", "green", "blue"}
    assert frame.iloc[0].equals(row.astype(object)) or list(frame.iloc[0]) == list(row)
    top_name, top_weight = exp.as_list(1)[0]
    assert top_name == "color=red" and top_weight > 0
    names = dict(exp.as_list(1))
    assert any(n.startswith("member=") for n in names)
    # blue instance: color=blue pushes towards "no"
    blue = df[df["color"] == "blue"].iloc[0]
    w = dict(ex.explain(blue, model, labels=[1], num_features=4).as_list(1))
    assert w["color=blue"] < 0


def test_integer_columns_stay_integer_and_in_bin():
    df, y = _mixed_frame()
    captured = []

    def model(frame):
        captured.append(frame)
        p = 1 / (1 + np.exp(-(frame["age"].to_numpy() - 50) / 10))
        return np.column_stack([1 - p, p])

    ex = TabularExplainer(df, random_state=0)
    exp = ex.explain(df.iloc[0], model, num_samples=3000)
    ages = captured[0]["age"]
    assert ages.dtype == df["age"].dtype
    assert ages.min() >= df["age"].min() and ages.max() <= df["age"].max()
    assert exp.as_list()[0][0].startswith(("age", "age ")) or "age" in exp.as_list()[0][0]


def test_numpy_categorical_and_continuous_mode():
    X, y = load_iris(return_X_y=True)
    Xc = np.column_stack([X, (X[:, 0] > 5.8).astype(int)])
    model = LogisticRegression(max_iter=1000).fit(Xc, y)
    ex = TabularExplainer(Xc, categorical_features=[4], discretizer=None, random_state=3)
    exp = ex.explain(Xc[60], model, top_labels=3)
    assert exp.labels == list(np.argsort(model.predict_proba(Xc[60:61])[0], kind="stable")[::-1])
    assert "x4=" + str(Xc[60, 4]) in exp.feature_descriptions[4]
    assert all(np.isfinite(w) for lab in exp.labels for _, w in exp.local_exp[lab])
    assert len(exp.as_list(exp.labels[2])) == 5  # default num_features clipped to 5


@pytest.mark.parametrize("disc", ["quartile", "decile", "entropy", None])
def test_every_discretizer_runs(cancer, disc):
    X, y, rf, names = cancer
    ex = TabularExplainer(X, class_names=names, discretizer=disc, training_labels=y,
                          random_state=0)
    exp = ex.explain(X.iloc[10], rf.predict_proba, num_samples=1000, num_features=6)
    assert len(exp.as_list()) == 6
    assert exp.class_names == tuple(names)
    assert 0.0 <= exp.prediction.max() <= 1.0


def test_score_and_local_pred_are_per_label(cancer):
    X, _, rf, _ = cancer
    exp = TabularExplainer(X, random_state=0).explain(X.iloc[0], rf.predict_proba,
                                                      labels=[0, 1], num_samples=1000)
    assert set(exp.score) == {0, 1} and set(exp.local_pred) == {0, 1}
    # two complementary probabilities: local predictions sum to ~1
    assert exp.local_pred[0] + exp.local_pred[1] == pytest.approx(1.0, abs=1e-6)


# ----------------------------------------------------------------- determinism
def test_same_seed_same_explanation_regardless_of_history(cancer):
    X, _, rf, _ = cancer
    a = TabularExplainer(X, random_state=7)
    first = a.explain(X.iloc[1], rf, num_samples=1000)
    a.explain(X.iloc[2], rf, num_samples=1000)  # unrelated work in between
    again = a.explain(X.iloc[1], rf, num_samples=1000)
    fresh = TabularExplainer(X, random_state=7).explain(X.iloc[1].to_dict(), rf,
                                                        num_samples=1000)
    assert first == again == fresh
    assert first.to_json() == fresh.to_json()
    other = TabularExplainer(X, random_state=8).explain(X.iloc[1], rf, num_samples=1000)
    assert other != first


def test_no_seed_gives_varying_explanations(cancer):
    X, _, rf, _ = cancer
    ex = TabularExplainer(X)
    a = ex.explain(X.iloc[1], rf, num_samples=300)
    b = ex.explain(X.iloc[1], rf, num_samples=300)
    assert a.local_exp != b.local_exp


def test_pickle_explainer_and_explanation(cancer):
    X, _, rf, _ = cancer
    ex = TabularExplainer(X, random_state=3, discretizer="entropy",
                          training_labels=rf.predict(X))
    exp = ex.explain(X.iloc[4], rf, num_samples=500)
    ex2 = pickle.loads(pickle.dumps(ex))
    assert ex2.explain(X.iloc[4], rf, num_samples=500) == exp
    assert pickle.loads(pickle.dumps(exp)) == exp


def test_json_and_dict_round_trip_exactly(cancer):
    X, _, rf, _ = cancer
    exp = TabularExplainer(X, random_state=0).explain(X.iloc[0], rf, top_labels=2,
                                                      num_samples=500)
    assert Explanation.from_dict(exp.to_dict()) == exp
    back = Explanation.from_json(exp.to_json())
    assert back == exp
    assert back.local_exp == exp.local_exp  # bit-for-bit floats
    frame = exp.to_frame()
    assert list(frame.columns) == ["label", "class_name", "rank", "feature", "description",
                                   "value", "weight"]
    assert len(frame) == sum(len(v) for v in exp.local_exp.values())


def test_batch_size_does_not_change_the_explanation(cancer):
    X, _, rf, _ = cancer
    ex = TabularExplainer(X, random_state=0)
    calls = []

    def model(A):
        calls.append(len(A))
        return rf.predict_proba(A)

    a = ex.explain(X.iloc[0], model, num_samples=1000, batch_size=300)
    assert calls == [300, 300, 300, 100]
    assert a == ex.explain(X.iloc[0], rf, num_samples=1000)


def test_regression_explanation(cancer):
    X, _, _, _ = cancer
    target = X["mean radius"] * 2 + X["worst texture"]
    from sklearn.ensemble import RandomForestRegressor

    reg = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, target)
    exp = TabularExplainer(X, mode="regression", random_state=0).explain(
        X.iloc[0], reg, num_samples=1000, num_features=3)
    assert exp.labels == [0] and exp.class_names is None
    names = [d for d, _ in exp.as_list()]
    assert any("radius" in n or "texture" in n for n in names[:2])
    assert isinstance(exp.prediction, float)


def test_mask_samplers_follow_lime_laws():
    from limekit.sampling import BernoulliMaskSampler, RemoveUniformCountSampler

    rng = np.random.default_rng(0)
    Z = RemoveUniformCountSampler().draw(8, 40_000, rng)
    assert (Z[0] == 1).all()
    hidden = 8 - Z[1:].sum(axis=1)
    # k uniform on 1..8: every count equally likely, never zero hidden
    np.testing.assert_allclose(np.bincount(hidden.astype(int), minlength=9)[1:] / hidden.size,
                               np.full(8, 1 / 8), atol=0.01)
    assert hidden.min() == 1
    # which features are hidden is uniform
    np.testing.assert_allclose((1 - Z[1:]).mean(axis=0), 4.5 / 8, atol=0.01)
    B = BernoulliMaskSampler(0.3).draw(5, 40_000, rng)
    assert (B[0] == 1).all() and abs(B[1:].mean() - 0.3) < 0.01


def test_scikit_learn_skips_its_finite_scan_of_limekit_samples_only():
    import sklearn

    from limekit.blackbox import BlackBox

    X = np.random.default_rng(0).normal(size=(200, 4))
    seen = []

    def model(inputs):
        seen.append(sklearn.get_config()["assume_finite"])
        p = 1 / (1 + np.exp(-inputs[:, 0]))
        return np.column_stack([1 - p, p])

    explainer = TabularExplainer(X, random_state=0)
    explainer.explain(X[0], model, num_samples=100)
    explainer.explain_batch(X[:3], model, num_samples=100, progress=False)
    assert seen and all(seen)  # samples drawn from validated, finite data
    assert not sklearn.get_config()["assume_finite"]  # restored after each call
    seen.clear()
    BlackBox(model, "classification").predict(X)  # anyone else's inputs: scanned as usual
    assert seen == [False]
