"""Fair feature importance (limekit.fairness) and the bundled German credit data.

Known truths used here: hand-computed fairness scores on tiny arrays, a group-by
reference implementation, a planted proxy of the protected attribute (it must
rank first, pure-noise features must score near 0, a fair but useful feature
must score below 0), a rule model whose fairness after occlusion is known, and
a brute-force recomputation of exact occlusion.
"""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from limekit.datasets.german_credit import load_german_credit
from limekit.fairness import (
    FairnessImportance,
    demographic_parity_score,
    equalized_odds_score,
    fair_feature_importance,
    fairness_score,
)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # Tiny logistic regressions are 30x slower when BLAS threads fight over
    # a busy machine's cores; one thread keeps this file fast and changes no result.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def planted(n=600, seed=0, n_noise=2):
    """Columns: proxy of z, fair skill, pure noise. y depends on skill and z."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n)
    proxy = z + 0.3 * rng.standard_normal(n)
    skill = rng.standard_normal(n)
    noise = rng.standard_normal((n, n_noise))
    y = (skill + 2 * z + rng.standard_normal(n) > 1).astype(int)
    return np.column_stack([proxy, skill, noise]), y, z


# ---------------------------------------------------------------- fairness scores
def test_scores_hand_computed():
    y_true = [1, 0, 1, 0, 1, 0, 1, 0]
    y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    group = ["a"] * 4 + ["b"] * 4
    # P(ŷ=1|a) = 3/4, P(ŷ=1|b) = 1/4
    assert demographic_parity_score(y_pred, group) == pytest.approx(0.5)
    # TPR a = 1, b = 1/2; FPR a = 1/2, b = 0
    assert equalized_odds_score(y_true, y_pred, group) == pytest.approx(0.5)
    # Unequal groups, string labels ("good" > "bad" is the positive class), numeric groups.
    yt = np.array(["good", "bad", "good", "good", "bad", "good", "bad"])
    yp = np.array(["good", "good", "bad", "good", "bad", "good", "good"])
    z = np.array([1, 1, 1, 1, 2, 2, 2])
    # DP: 3/4 vs 2/3. TPR: 2/3 vs 1; FPR: 1 vs 1/2.
    assert fairness_score(yt, yp, z) == pytest.approx(1 - abs(3 / 4 - 2 / 3))
    assert fairness_score(yt, yp, z, "equalized_odds") == pytest.approx(
        1 - 0.5 * (abs(2 / 3 - 1) + abs(1 - 1 / 2))
    )
    # pos_label flips which outcome is favourable; DP is symmetric in it.
    assert fairness_score(yt, yp, z, pos_label="bad") == pytest.approx(1 - abs(1 / 4 - 1 / 3))


def test_scores_match_groupby_reference():
    rng = np.random.default_rng(3)
    n = 500
    df = pd.DataFrame({
        "y": rng.integers(0, 2, n),
        "p": rng.integers(0, 2, n),
        "g": rng.choice(["u", "v", "w"], n),
    })
    df["two"] = np.where(df.g == "w", "w", "rest")
    dp = df.groupby("two").p.mean()
    tpr = df[df.y == 1].groupby("two").p.mean()
    fpr = df[df.y == 0].groupby("two").p.mean()
    want_dp = 1 - abs(dp["w"] - dp["rest"])
    want_eo = 1 - 0.5 * (abs(tpr["w"] - tpr["rest"]) + abs(fpr["w"] - fpr["rest"]))
    assert demographic_parity_score(df.p, df.g, privileged="w") == pytest.approx(want_dp)
    assert equalized_odds_score(df.y, df.p, df.g, privileged="w") == pytest.approx(want_eo)
    assert demographic_parity_score(df.p, df.two) == pytest.approx(want_dp)


def test_bootstrap_weights_equal_resampled_rows():
    from limekit.fairness import _bootstrap_weights, _scores, _strata

    rng = np.random.default_rng(0)
    n = 80
    y = rng.integers(0, 2, n).astype(float)
    z = rng.integers(0, 2, n).astype(np.int8)
    yhat = rng.integers(0, 2, (3, n)).astype(float)
    w = _bootstrap_weights(n, _strata("equalized_odds", y, z), 5, np.random.default_rng(1))
    assert np.all(w[0] == 1)
    got = _scores(yhat, y, z, w, "equalized_odds")
    for b in range(1, 6):
        rows = np.repeat(np.arange(n), w[b].astype(int))  # the resample as explicit rows
        # Stratified: every (group, class) cell keeps its size.
        assert np.array_equal(np.bincount(z[rows] * 2 + y[rows].astype(int), minlength=4),
                              np.bincount(z * 2 + y.astype(int), minlength=4))
        for m in range(3):
            assert got[m, b] == pytest.approx(
                equalized_odds_score(y[rows], yhat[m, rows], z[rows]))


def test_score_errors():
    with pytest.raises(ValueError, match="exactly two groups"):
        demographic_parity_score([1, 0, 1], ["a", "b", "c"])
    with pytest.raises(ValueError, match="does not occur"):
        demographic_parity_score([1, 0, 1], ["a", "b", "c"], privileged="d")
    with pytest.raises(ValueError, match="binary"):
        equalized_odds_score([0, 1, 2, 1], [0, 1, 1, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="binary class labels"):
        equalized_odds_score([0, 1, 0, 1], [0.2, 0.9, 0.1, 0.7], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="no positive examples"):
        equalized_odds_score([1, 0, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="missing"):
        demographic_parity_score([1, 0, 1, 0], ["a", None, "b", "b"])
    with pytest.raises(ValueError, match="metric"):
        fairness_score([1, 0], [1, 0], [0, 1], metric="parity")


# ---------------------------------------------------------------- planted proxy
@pytest.mark.parametrize("options", [
    {"method": "permutation"},
    {"method": "permutation", "refit": False},
    {"method": "occlusion"},
])
def test_planted_proxy_ranks_first_and_noise_is_near_zero(options):
    X, y, z = planted()
    res = fair_feature_importance(LogisticRegression(), X, y, z, n_repeats=3, n_bootstrap=100,
                                  random_state=0, **options)
    imp = res.importances
    assert res.feature_names == ("x0", "x1", "x2", "x3")
    assert int(np.argmax(imp)) == 0 and imp[0] > 0.3
    assert np.all(np.abs(imp[2:]) < 0.06), imp
    if options.get("refit", True):
        # Without the fair feature the model leans on the proxy alone: less fair.
        assert imp[1] < -0.2
    # The percentile intervals hold the point estimates, and the proxy's excludes 0.
    assert np.all((res.ci_low <= imp) & (imp <= res.ci_high))
    assert res.ci_low[0] > 0
    # Baseline is the model's own (unfair) demographic parity.
    assert 0.3 < res.baseline_score < 0.8


def test_minipatch_agrees_with_exact_occlusion():
    X, y, z = planted(n_noise=4)
    exact = fair_feature_importance(LogisticRegression(), X, y, z, method="occlusion",
                                    n_bootstrap=0, random_state=0).importances
    mp_res = fair_feature_importance(LogisticRegression(), X, y, z, method="occlusion",
                                     minipatch=True, n_patches=80, n_bootstrap=50,
                                     random_state=0)
    mp = mp_res.importances
    for imp in (exact, mp):
        # Same clearly separated order: proxy > every noise feature > fair feature.
        assert np.argmax(imp) == 0 and np.argmin(imp) == 1
        assert imp[0] > imp[2:].max() and imp[2:].min() > imp[1]
    assert abs(mp[0] - exact[0]) < 0.15
    assert mp_res.variant == "minipatch" and mp_res.n_eval > 0.95 * len(y)
    assert mp_res.settings["features_per_patch"] == 3
    assert np.all((mp_res.ci_low <= mp) & (mp <= mp_res.ci_high))


class RuleModel(ClassifierMixin, BaseEstimator):
    """Ignores training: predicts 1 when skill + 2·proxy > 1 (columns 1 and 0)."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return (X[:, 1] + 2 * X[:, 0] > 1).astype(int)


@pytest.mark.parametrize("method", ["permutation", "occlusion"])
def test_equalized_odds_rule_model(method):
    # y depends on skill only, so a model that ignores the proxy has equalized odds
    # up to sampling noise: occluding the proxy recovers nearly all of 1 - h.
    rng = np.random.default_rng(5)
    n = 2000
    z = rng.integers(0, 2, n)
    X = np.column_stack([z + 0.2 * rng.standard_normal(n), rng.standard_normal(n),
                         rng.standard_normal(n)])
    y = (X[:, 1] + 0.5 * rng.standard_normal(n) > 0.3).astype(int)
    res = fair_feature_importance(RuleModel(), X, y, z, method=method,
                                  metric="equalized_odds", n_bootstrap=50, random_state=0)
    assert res.baseline_score < 0.7
    assert res.importances[0] == pytest.approx(1 - res.baseline_score, abs=0.06)
    assert res.importances[2] == 0.0  # the rule never reads column 2
    assert res.ci_low[2] == res.ci_high[2] == 0.0


def test_exact_occlusion_matches_brute_force_with_eval_data():
    X, y, z = planted(n=400, seed=2)
    Xe, ye, ze = planted(n=300, seed=9)
    res = fair_feature_importance(LogisticRegression(), X, y, z, method="occlusion",
                                  X_eval=Xe, y_eval=ye, protected_eval=ze, n_bootstrap=0)
    base = LogisticRegression().fit(X, y).predict(Xe)
    h0 = demographic_parity_score(base, ze)
    assert res.baseline_score == pytest.approx(h0)
    for j in range(X.shape[1]):
        vals, counts = np.unique(X[:, j], return_counts=True)
        Xj, Xej = X.copy(), Xe.copy()
        Xj[:, j] = Xej[:, j] = X[np.flatnonzero(X[:, j] == vals[np.argmax(counts)])[0], j]
        hj = demographic_parity_score(LogisticRegression().fit(Xj, y).predict(Xej), ze)
        assert res.importances[j] == pytest.approx(hj - h0)
    assert res.n_eval == 300 and np.all(np.isnan(res.ci_low))


def test_seeded_and_independent_of_n_jobs():
    X, y, z = planted(n=300)
    kw = dict(method="occlusion", minipatch=True, n_patches=12, n_bootstrap=30)
    a = fair_feature_importance(LogisticRegression(), X, y, z, random_state=7, **kw)
    b = fair_feature_importance(LogisticRegression(), X, y, z, random_state=7, n_jobs=2, **kw)
    assert a.to_dict() == b.to_dict()
    p1 = fair_feature_importance(LogisticRegression(), X, y, z, random_state=1, n_bootstrap=30)
    p2 = fair_feature_importance(LogisticRegression(), X, y, z, random_state=1, n_bootstrap=30)
    p3 = fair_feature_importance(LogisticRegression(), X, y, z, random_state=2, n_bootstrap=30)
    assert p1.to_dict() == p2.to_dict()
    assert p1.to_dict() != p3.to_dict()


# ---------------------------------------------------------------- DataFrames
def test_dataframe_pipeline_with_string_proxy():
    rng = np.random.default_rng(4)
    n = 600
    sex = rng.choice(np.array(["f", "m"], dtype=object), n)
    # "title" leaks sex 90% of the time; "colour" is noise; income is fair.
    leak = rng.random(n) < 0.9
    title = np.where(leak, np.where(sex == "m", "Mr", "Ms"), rng.choice(["Mr", "Ms"], n))
    df = pd.DataFrame({
        "income": rng.standard_normal(n),
        "title": title.astype(object),
        "sex": sex,
        "colour": pd.Categorical(rng.choice(["red", "blue", "green"], n)),
    })
    y = (df.income + 1.5 * (sex == "m") + rng.standard_normal(n) > 0.7).astype(int)
    model = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"),
                            ["title", "colour"])], remainder="passthrough"),
        LogisticRegression(),
    )
    for method in ("occlusion", "permutation"):
        res = fair_feature_importance(model, df, y, "sex", method=method, n_repeats=2,
                                      n_bootstrap=50, random_state=0)
        assert res.feature_names == ("income", "title", "colour")
        assert res.protected == "sex" and res.groups == ("f", "m")
        assert res.to_frame().feature.iloc[0] == "title"
        assert res.importances[1] > 0.2 and abs(res.importances[2]) < 0.06
    # The input frame is untouched and the estimator stays unfitted.
    assert df.colour.dtype == "category" and df.shape == (600, 4)
    assert not hasattr(model, "n_features_in_")
    model_sex = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"),
                            ["title", "colour", "sex"])], remainder="passthrough"),
        LogisticRegression(),
    )
    with_sex = fair_feature_importance(model_sex, df, y, "sex", method="occlusion",
                                       n_bootstrap=0, include_protected=True, random_state=0)
    assert with_sex.feature_names == ("income", "title", "sex", "colour")
    # Sex itself adds bias. (Title no longer does much: sex carries the same information.)
    assert with_sex.importances[2] > 0


def test_german_credit_loader_and_pipeline():
    X, y, protected = load_german_credit()
    assert X.shape == (1000, 9) and y.shape == (1000,) and protected == "sex"
    assert int(y.sum()) == 700 and X.sex.value_counts().to_dict() == {"male": 690, "female": 310}
    assert X.purpose.dtype == object and X.age.dtype.kind == "i"
    A, y2, col = load_german_credit(as_frame=False)
    assert A.dtype == object and col == 0 and np.array_equal(y, y2)
    cats = ["housing", "saving_accounts", "checking_account", "purpose"]
    model = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cats)],
                          remainder=StandardScaler()),
        LogisticRegression(),
    )
    res = fair_feature_importance(model, X.iloc[:400], y[:400], "sex", method="occlusion",
                                  metric="equalized_odds", n_bootstrap=20, random_state=0)
    assert len(res.feature_names) == 8 and "sex" not in res.feature_names
    assert np.all(np.isfinite(res.importances))


# ---------------------------------------------------------------- result object
def _result():
    return FairnessImportance(
        feature_names=("<script>alert(1)</script>", "b&c", "plain"),
        importances=np.array([0.1, 0.3, -0.05]),
        ci_low=np.array([0.05, 0.2, np.nan]),
        ci_high=np.array([0.2, 0.4, np.nan]),
        method="occlusion", variant="refit", metric="equalized_odds",
        baseline_score=0.8, confidence_level=0.9, n_eval=50, protected="sex",
        groups=("female", "male"), settings={"n_bootstrap": 10},
    )


def test_result_frame_text_dict():
    res = _result()
    frame = res.to_frame()
    assert list(frame.columns) == ["feature", "importance", "ci_low", "ci_high", "method",
                                   "metric"]
    assert frame.feature.tolist() == ["b&c", "<script>alert(1)</script>", "plain"]
    assert frame.method.iloc[0] == "occlusion (refit)"
    text = str(res)
    assert text.index("b&c") < text.index("<script>") < text.index("plain")
    assert "+0.3000" in text and "90% CI" in text and "n/a" in text
    d = res.to_dict()
    again = FairnessImportance.from_dict(json.loads(json.dumps(d, allow_nan=False)))
    assert again.to_dict() == d
    assert np.isnan(again.ci_low[2])


def test_result_html_is_escaped_and_static():
    page = _result()._repr_html_()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "b&amp;c" in page
    assert "http" not in page and "src=" not in page


def test_result_plot():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    res = _result()
    fig = res.plot()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "b&c" and len(ax.patches) == 3  # top bar = largest importance
    fig2, ax2 = plt.subplots()
    assert res.plot(ax=ax2) is fig2
    plt.close("all")


# ---------------------------------------------------------------- input errors
def test_input_errors():
    X, y, z = planted(n=120)
    lr = LogisticRegression()
    with pytest.raises(ValueError, match="exactly two groups"):
        fair_feature_importance(lr, X, y, np.arange(120) % 3)
    res = fair_feature_importance(lr, X, y, np.arange(120) % 3, privileged=2, n_bootstrap=0,
                                  method="occlusion")
    assert res.groups == ("not 2", "2")
    with pytest.raises(ValueError, match="rows"):
        fair_feature_importance(lr, X, y, z[:-1])
    with pytest.raises(ValueError, match="not a column"):
        fair_feature_importance(lr, pd.DataFrame(X, columns=list("abcd")), y, "sex")
    with pytest.raises(ValueError, match="array without column names"):
        fair_feature_importance(lr, X, y, "sex")
    with pytest.raises(ValueError, match="binary"):
        fair_feature_importance(lr, X, np.arange(120) % 3, z)
    with pytest.raises(ValueError, match="binary class labels"):
        fair_feature_importance(LinearRegression(), X, y, z)
    with pytest.raises(TypeError, match="fit"):
        fair_feature_importance(object(), X, y, z)
    with pytest.raises(ValueError, match="minipatch"):
        fair_feature_importance(lr, X, y, z, method="permutation", minipatch=True)
    with pytest.raises(ValueError, match="refit=False"):
        fair_feature_importance(lr, X, y, z, method="occlusion", refit=False)
    with pytest.raises(ValueError, match="method"):
        fair_feature_importance(lr, X, y, z, method="shap")
    with pytest.raises(ValueError, match="row_fraction"):
        fair_feature_importance(lr, X, y, z, method="occlusion", minipatch=True,
                                row_fraction=1.5)
    with pytest.raises(TypeError, match="n_repeats"):
        fair_feature_importance(lr, X, y, z, n_repeats=2.5)
    with pytest.raises(ValueError, match="include_protected"):
        fair_feature_importance(lr, X, y, z, include_protected=True)
    with pytest.raises(ValueError, match="y_eval"):
        fair_feature_importance(lr, X, y, z, X_eval=X)
    with pytest.raises(ValueError, match="X_eval"):
        fair_feature_importance(lr, X, y, z, method="occlusion", minipatch=True, X_eval=X,
                                y_eval=y)
    with pytest.raises(TypeError, match="random_state"):
        fair_feature_importance(lr, X, y, z, random_state=np.random.default_rng(0))
    with pytest.raises(ValueError, match="stratified"):  # a group x class cell of one row
        fair_feature_importance(lr, X[:8], [1, 0, 1, 0, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1])
