"""The samplers of issue 5 wired into the explainers: GLIME, N-ball, KernelSHAP, realistic."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from limekit import ImageExplainer, TabularExplainer, TextExplainer
from limekit.explainers.tabular import TABULAR_SAMPLERS
from limekit.sampling import NBallSampler, TabularKernelSampler


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X, LogisticRegression(max_iter=5000).fit(X, y)


def _identity_gap(exp, z0):
    le = exp.label_explanations[exp.labels[0]]
    return abs(le.intercept + sum(w * z0[i] for i, w in le.weights) - le.local_pred)


@pytest.mark.parametrize("sampler", TABULAR_SAMPLERS)
@pytest.mark.parametrize("discretizer", ["quartile", None])
def test_every_sampler_gives_a_consistent_reproducible_explanation(cancer, sampler, discretizer):
    X, model = cancer
    ex = TabularExplainer(X, sampler=sampler, discretizer=discretizer, random_state=0)
    a = ex.explain(X[3], model, num_samples=300)
    assert a == ex.explain(X[3], model, num_samples=300)
    assert a == type(a).from_json(a.to_json())
    # Shapley's interpretable vector is coalition membership: the instance is all ones
    continuous = discretizer is None and sampler != "kernelshap"
    z0 = (X[3] - X.mean(0)) / X.std(0) if continuous else np.ones(X.shape[1])
    assert _identity_gap(a, z0) < 1e-8
    assert a.settings["sampler"] == sampler


@pytest.mark.parametrize("sampler", ["kernel", "nball", "kernelshap"])
def test_batch_equals_single_for_new_samplers(cancer, sampler):
    X, model = cancer
    ex = TabularExplainer(X, sampler=sampler, random_state=1)
    batch = ex.explain_batch(X[:3], model, num_samples=200, progress=False, batch_size=400)
    assert list(batch) == [ex.explain(x, model, num_samples=200) for x in X[:3]]


def test_tabular_kernelshap_recovers_interventional_shapley_values_of_a_linear_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5)) * [1, 2, 3, 1, 0.5]
    w, b = np.array([1.5, -2.0, 0.3, 0.0, 4.0]), 0.7

    def model(A):
        return np.asarray(A, dtype=float) @ w + b

    ex = TabularExplainer(X, mode="regression", sampler="kernelshap", background_size=40,
                          random_state=0)
    exp = ex.explain(X[7], model, num_samples=64)  # 2^5: every coalition
    bg = np.random.default_rng(0).permutation(200)[:40]
    expected = w * (X[7] - X[np.sort(bg)].mean(axis=0))
    got = dict(exp.label_explanations[0].weights)
    np.testing.assert_allclose([got[j] for j in range(5)], expected, atol=1e-9)
    le = exp.label_explanations[0]
    assert le.local_pred == pytest.approx(model(X[7:8])[0])
    assert le.intercept + sum(got.values()) == pytest.approx(le.local_pred, abs=1e-10)


def test_tabular_kernelshap_handles_string_categories():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"age": rng.integers(20, 70, 120), "color": rng.choice(["r", "g", "b"], 120)})

    def model(frame):
        s = (frame["color"].to_numpy() == "r") * 2.0 + frame["age"].to_numpy() / 100
        return s

    ex = TabularExplainer(df, mode="regression", sampler="kernelshap", random_state=0)
    exp = ex.explain(df.iloc[[i for i in range(120) if df.color[i] == "r"][0]], model,
                     num_samples=10)
    weights = dict(exp.as_list())
    assert weights["color=r"] > 0.5  # being red is worth 2 × (1 − P(red))


def test_glime_keeps_discrete_features_at_the_kernel_rate(cancer):
    X, _ = cancer
    ex = TabularExplainer(X, sampler="kernel", kernel_width=1.0, random_state=0)
    rep = ex.representation
    codes, w = ex.sampler.draw_with_weights(rep.marginals(), rep.encode(rep.check_instance(X[0])),
                                            20000, np.random.default_rng(0))
    Z = rep.to_interpretable(codes, codes[0])
    q = 1 / (1 + np.exp(-1 / 2))
    assert np.all(w == 1)
    assert Z[1:].mean() == pytest.approx(q, abs=0.01)


def test_glime_continuous_offsets_have_the_kernel_width(cancer):
    X, _ = cancer
    ex = TabularExplainer(X, sampler=TabularKernelSampler(0.5), discretizer=None)
    rep = ex.representation
    row = rep.check_instance(X[0])
    codes, _ = ex.sampler.draw_with_weights(rep.marginals(), rep.encode(row), 20000,
                                            np.random.default_rng(0))
    Z = rep.to_interpretable(codes, rep.encode(row))
    np.testing.assert_allclose((Z[1:] - Z[0]).std(axis=0), 0.5, rtol=0.05)


def test_nball_samples_stay_inside_the_ball_and_keep_categories():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(5, 2, 300),
                       "c": rng.choice(["x", "y"], 300)})
    seen = []

    def model(frame):
        seen.append(frame.copy())
        p = 1 / (1 + np.exp(-frame["a"].to_numpy()))
        return np.column_stack([1 - p, p])

    ex = TabularExplainer(df, sampler=NBallSampler(1.0, r_max=0.5), random_state=0)
    ex.explain(df.iloc[0], model, num_samples=500)
    frame = seen[-1]
    offsets = (frame[["a", "b"]].to_numpy() - df.loc[0, ["a", "b"]].to_numpy(dtype=float)) \
        / df[["a", "b"]].std(ddof=0).to_numpy()
    assert np.sqrt((offsets ** 2).sum(axis=1)).max() <= 0.5 + 1e-9
    assert (frame["c"] == df.loc[0, "c"]).all()


def test_realistic_sampler_requires_numeric_columns():
    df = pd.DataFrame({"c": ["x", "y", "x", "y"], "d": ["u", "u", "v", "v"]})
    with pytest.raises(ValueError, match="numeric columns"):
        TabularExplainer(df, sampler="realistic")


def test_unknown_sampler_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match="kernelshap"):
        TabularExplainer(np.eye(3), sampler="gibbs")
    with pytest.raises(ValueError, match="kernelshap"):
        TextExplainer(sampler="gibbs")
    with pytest.raises(TypeError):
        TabularExplainer(np.eye(3), sampler=3.0)


def _text_model(texts):
    p = np.array([0.2 + 0.6 * ("good" in t.split()) + 0.1 * ("fun" in t.split()) for t in texts])
    return np.column_stack([1 - p, p])


def test_text_kernelshap_is_exact_for_an_additive_model():
    exp = TextExplainer(sampler="kernelshap", random_state=0).explain(
        "a good and fun film", _text_model, num_samples=64)
    weights = dict(exp.as_list())
    assert weights["good"] == pytest.approx(0.6)
    assert weights["fun"] == pytest.approx(0.1)
    le = exp.label_explanations[1]
    assert le.local_pred == pytest.approx(0.9)


def test_text_kernel_sampler_has_unit_weights_and_never_empties_the_document():
    ex = TextExplainer(sampler="kernel", random_state=0)
    Z, w = ex.sampler.draw_with_weights(6, 500, np.random.default_rng(0))
    assert np.all(w == 1) and Z.sum(axis=1).min() >= 1
    exp = ex.explain("a good and fun film", _text_model, num_samples=500)
    assert exp.as_list()[0][0] == "good"


def test_image_kernel_and_kernelshap_samplers_find_the_informative_segment():
    img = np.zeros((16, 16, 3))
    img[:8, :8] = 1.0

    def model(batch):
        p = np.clip(batch[:, :8, :8, 0].mean(axis=(1, 2)), 0, 1)
        return np.column_stack([1 - p, p])

    for sampler in ("kernel", "kernelshap"):
        ex = ImageExplainer(segmenter="grid", hide_color=0, sampler=sampler, random_state=0)
        exp = ex.explain(img, model, labels=[1], num_samples=200,
                         segments=np.repeat(np.repeat(np.arange(4).reshape(2, 2), 8, 0), 8, 1))
        assert exp.as_list(1)[0][0] == "segment 0"


@pytest.mark.parametrize("name", ["ridge", "lasso", "mars", "tree", "bayes"])
def test_surrogates_by_name(cancer, name):
    X, model = cancer
    ex = TabularExplainer(X[:, :8], discretizer=None, surrogate=name, random_state=0)
    exp = ex.explain(X[0, :8], lambda A: model.predict_proba(np.hstack([A, np.tile(X[0, 8:],
                                                                        (len(A), 1))])),
                     num_samples=400)
    z0 = (X[0, :8] - X[:, :8].mean(0)) / X[:, :8].std(0)
    assert _identity_gap(exp, z0) < 1e-8
    if name == "bayes":
        assert "lower" in exp.label_explanations[exp.labels[0]].details
    with pytest.raises(ValueError, match="mars"):
        TabularExplainer(X, surrogate="spline")


def test_kernel_sampler_reference_replacement_is_deterministic_per_feature(cancer):
    X, model = cancer
    seen = []

    def spy(A):
        seen.append(np.array(A))
        return model.predict_proba(A)

    TabularExplainer(X, sampler="kernel", random_state=0).explain(X[1], spy, num_samples=200)
    A = seen[0]
    for j in range(X.shape[1]):  # each feature takes only the instance's value or one other
        scaled = np.round(A[:, j] / np.abs(X[:, j]).max(), 5)  # decoding is exact to ~1e-6
        assert np.unique(scaled).size <= 2


def test_num_samples_auto_grows_until_the_topk_is_settled(cancer):
    X, model = cancer
    calls = []

    def counted(A):
        calls.append(len(A))
        return model.predict_proba(A)

    ex = TabularExplainer(X, random_state=0)
    exp = ex.explain(X[2], counted, num_features=5, num_samples="auto")
    assert exp.num_samples >= 1000 and exp.settings["num_samples"] == "auto"
    assert exp.settings["model_calls"] == sum(calls)
    assert exp.settings["topk_settled"] >= 0.95 or exp.num_samples >= 64000
    # the first 1000 samples are those of num_samples=1000: auto only adds samples
    assert exp == ex.explain(X[2], counted, num_features=5, num_samples="auto")
    with pytest.raises(ValueError, match="auto"):
        ex.explain(X[2], model, num_samples="many")


def test_topk_settled_is_one_for_an_exactly_linear_model():
    from limekit.explainers._common import topk_settled
    from limekit.surrogates import RidgeSurrogate

    rng = np.random.default_rng(0)
    Z = (rng.random((400, 8)) < 0.5).astype(float)
    Z[0] = 1
    Y = np.column_stack([Z @ np.arange(8.0), np.zeros(400)])
    score = topk_settled(Z, Y, np.ones(400), [0], 3, "highest_weights",
                         RidgeSurrogate(0.0), rng)
    assert score == 1.0
    noise = np.column_stack([rng.normal(size=400), np.zeros(400)])
    assert topk_settled(Z, noise, np.ones(400), [0], 3, "highest_weights",
                        RidgeSurrogate(0.0), rng) < 0.9


def test_text_num_samples_auto():
    ex = TextExplainer(random_state=0)
    exp = ex.explain("a good and fun film with a plot", _text_model, num_samples="auto",
                     num_features=2)
    assert exp.settings["num_samples"] == "auto" and exp.num_samples >= 1000
    assert [w for w, _ in exp.as_list()] == ["good", "fun"]


def test_logit_link_explains_log_odds(cancer):
    X, model = cancer
    ex = TabularExplainer(X, link="logit", sampler="kernel", random_state=0)
    exp = ex.explain(X[0], model, num_samples=500)
    le = exp.label_explanations[exp.labels[0]]
    p = min(max(exp.predict_proba[exp.labels[0]], 1e-6), 1 - 1e-6)
    assert exp.settings["link"] == "logit"
    # local_pred is on the log-odds scale, near the model's own log-odds
    assert abs(le.local_pred - np.log(p / (1 - p))) < abs(np.log(p / (1 - p))) + 1.0
    assert "log-odds" in str(exp)
    with pytest.raises(ValueError, match="classification"):
        TabularExplainer(X, mode="regression", link="logit")
    with pytest.raises(ValueError, match="identity"):
        TabularExplainer(X, link="probit")


def test_calibrate_option_feeds_recalibrated_probabilities_to_the_surrogate(cancer):
    from limekit.calibration import ReCalX

    X, model = cancer
    cal = ReCalX(n_copies=3, random_state=0).fit(model, X[::3], load_breast_cancer().target[::3])
    raw = TabularExplainer(X, random_state=0).explain(X[1], model, num_samples=300)
    calibrated = TabularExplainer(X, random_state=0, calibrate=cal).explain(
        X[1], model, num_samples=300)
    assert np.argmax(calibrated.predict_proba) == np.argmax(raw.predict_proba)
    assert calibrated.settings["calibration"] is not None
    assert calibrated.as_list() != raw.as_list()
    with pytest.raises(ValueError, match="discretizer"):
        TabularExplainer(X, discretizer=None, calibrate=cal)
    with pytest.raises(TypeError, match="ReCalX"):
        TabularExplainer(X, calibrate="yes")
    text = TextExplainer(random_state=0, calibrate=None).explain("good fun", _text_model,
                                                                 num_samples=50)
    assert text.settings["calibration"] is None


def test_explain_with_stability_attaches_a_report_shown_everywhere(cancer):
    from limekit.metrics import explain_with_stability

    X, model = cancer
    ex = TabularExplainer(X, random_state=3, sampler="kernel")
    exp = explain_with_stability(ex, X[0], model, n_runs=3, k=3, num_samples=300)
    stab = exp.diagnostics["stability"]
    assert stab["n_runs"] == 3 and 0.0 <= stab["jaccard"] <= 1.0
    assert exp.label_explanations == ex.explain(X[0], model, num_samples=300).label_explanations
    assert "stability over 3 seeds" in str(exp) and "stability over 3 seeds" in exp.to_html()
    assert type(exp).from_json(exp.to_json()) == exp
    with pytest.raises(ValueError, match="n_runs"):
        explain_with_stability(ex, X[0], model, n_runs=1)


def test_image_num_samples_auto():
    img = np.zeros((16, 16, 3))
    img[:8, :8] = 1.0

    def model(batch):
        p = np.clip(batch[:, :8, :8, 0].mean(axis=(1, 2)), 0, 1)
        return np.column_stack([1 - p, p])

    segments = np.repeat(np.repeat(np.arange(4).reshape(2, 2), 8, 0), 8, 1)
    ex = ImageExplainer(hide_color=0, random_state=0)
    exp = ex.explain(img, model, labels=[1], num_samples="auto", num_features=1,
                     segments=segments)
    assert exp.settings["num_samples"] == "auto" and exp.num_samples >= 1000
    assert exp.as_list(1)[0][0] == "segment 0"


def test_time_series_num_samples_auto():
    from limekit import SegmentTimeSeriesExplainer, TimeSeriesExplainer

    series = np.r_[np.zeros(20), np.ones(10), np.zeros(10)]
    ex = SegmentTimeSeriesExplainer(n_segments=4, mode="regression", random_state=0)
    exp = ex.explain(series, lambda X: np.asarray(X)[:, 20:30].sum(axis=1),
                     num_samples="auto", num_features=1)
    assert exp.settings["num_samples"] == "auto" and exp.as_list()[0][0] == "t[20:30]"
    assert exp.effective_sample_size is not None
    cube = np.random.default_rng(0).normal(size=(50, 4, 2))
    rec = TimeSeriesExplainer(cube, mode="regression", random_state=0).explain(
        cube[0], lambda b: b[:, -1, 0] * 2.0, num_samples="auto", num_features=1)
    assert rec.settings["num_samples"] == "auto"


def test_auto_link_picks_log_odds_only_for_saturated_models(cancer):
    X, model = cancer  # LogisticRegression on raw features: probabilities saturate

    def soft(A):  # the same ranking, squeezed into (0.3, 0.7): never saturated
        p = model.predict_proba(A)
        return 0.3 + 0.4 * p

    ex = TabularExplainer(X, link="auto", sampler="kernel", random_state=0)
    assert ex.explain(X[0], model, num_samples=300).settings["link"] == "logit"
    assert ex.explain(X[0], soft, num_samples=300).settings["link"] == "identity"


def test_quality_warnings_say_what_to_change():
    from limekit import ExplanationQualityWarning
    from limekit.explainers._common import diagnose

    concentrated = np.r_[1.0, np.full(999, 1e-9)]  # one sample carries all the weight
    with pytest.warns(ExplanationQualityWarning, match="kernel_width"):
        d = diagnose(concentrated, n_params=5)
    assert d["effective_sample_size"] == pytest.approx(1.0, abs=1e-3)
    with pytest.warns(ExplanationQualityWarning, match="effective sample size of 50"):
        diagnose(np.ones(50), n_params=10)
    with pytest.warns(ExplanationQualityWarning, match="held-out fidelity is poor"):
        diagnose(np.ones(1000), n_params=5, fidelity={"1": {"r2": 0.05, "rmse": 0.3, "n": 9}})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert diagnose(np.ones(1000), n_params=5)["warnings"] == []
