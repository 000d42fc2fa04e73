"""link="auto"/"logit" and the kernel sampler's continuous offsets: the choices behind the
stability of the recommended setting (benchmarks/bench_stability.py)."""

import numpy as np
import pytest
from scipy.special import ndtr
from sklearn.datasets import load_breast_cancer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from limekit import TabularExplainer
from limekit.explainers._common import apply_link, resolve_link
from limekit.sampling import TabularKernelSampler


@pytest.fixture(scope="module")
def cancer_X():
    return load_breast_cancer(return_X_y=True)


def _offsets(X, sampler, n, seed=0):
    ex = TabularExplainer(X, sampler=sampler, discretizer=None)
    rep = ex.representation
    z_codes = rep.encode(rep.check_instance(X[0]))
    codes, w = ex.sampler.draw_with_weights(rep.marginals(), z_codes, n,
                                            np.random.default_rng(seed))
    Z = rep.to_interpretable(codes, z_codes)
    return (Z - Z[0]) / sampler.kernel_width, w


def test_kernel_sampler_continuous_offsets_are_stratified_sobol_points(cancer_X):
    X, _ = cancer_X
    m = 512  # 1 + 2·512 samples: the instance and 512 antithetic pairs
    eps, w = _offsets(X, TabularKernelSampler(1.0), 1 + 2 * m)
    assert np.all(w == 1) and np.all(eps[0] == 0)
    np.testing.assert_allclose(eps[1 + m:], -eps[1 : 1 + m], atol=1e-9)  # still antithetic
    # every feature's offsets fall once into each of the 512 normal quantile strata
    # (a scrambled Sobol' net), where independent draws leave about a third of them empty
    strata = np.floor(ndtr(eps[1 : 1 + m]) * m).astype(int)
    for j in range(X.shape[1]):
        assert np.array_equal(np.sort(strata[:, j]), np.arange(m)), j
    iid, _ = _offsets(X, TabularKernelSampler(1.0, low_discrepancy=False), 1 + 2 * m)
    iid_strata = np.floor(ndtr(iid[1 : 1 + m]) * m).astype(int)
    assert np.unique(iid_strata[:, 0]).size < 0.8 * m


def test_kernel_sampler_sobol_offsets_keep_the_kernel_distribution(cancer_X):
    X, _ = cancer_X
    sampler = TabularKernelSampler(0.5)
    eps, _ = _offsets(X, sampler, 4001, seed=3)
    assert abs(eps[1:].mean()) < 0.01
    np.testing.assert_allclose(eps[1:].std(axis=0), 1.0, rtol=0.03)
    a, _ = _offsets(X, sampler, 301, seed=4)
    b, _ = _offsets(X, sampler, 301, seed=4)
    c, _ = _offsets(X, sampler, 301, seed=5)
    assert np.array_equal(a, b) and not np.allclose(a, c)
    assert "low_discrepancy=True" in repr(sampler)
    # odd and tiny sizes
    for n in (1, 2, 3, 6):
        e, w = _offsets(X, sampler, n)
        assert e.shape == (n, X.shape[1]) and np.isfinite(e).all() and w.size == n


def test_logit_link_keeps_a_confident_models_log_odds():
    p = np.array([[1 - 1e-9, 1e-9], [0.5, 0.5], [1.0, 0.0]])
    out = apply_link(p, "logit")
    np.testing.assert_allclose(out[0], [20.723, -20.723], atol=1e-2)  # not cut at ±13.8
    assert out[1].tolist() == [0.0, 0.0]
    assert np.isfinite(out[2]).all() and out[2, 0] == -out[2, 1]
    assert apply_link(p, "identity") is p


def test_auto_link_explains_vote_fractions_as_probabilities():
    rng = np.random.default_rng(0)
    votes = rng.integers(0, 11, size=(500, 1)) / 10.0  # a 10-neighbour vote: many exact 0, 1
    Y = np.hstack([1 - votes, votes])
    assert np.mean((votes == 0) | (votes == 1)) > 0.05
    assert resolve_link(Y, "auto", [1]) == "identity"
    p = 1 / (1 + np.exp(-rng.normal(0, 6, size=(500, 1))))  # a saturating logistic output
    assert resolve_link(np.hstack([1 - p, p]), "auto", [1]) == "logit"
    squeezed = 0.3 + 0.4 * p
    assert resolve_link(np.hstack([1 - squeezed, squeezed]), "auto", [1]) == "identity"
    assert resolve_link(Y, "logit", [1]) == "logit"
    assert resolve_link(Y, "identity", [1]) == "identity"


def test_auto_link_picks_probabilities_for_a_nearest_neighbour_model(cancer_X):
    X, y = cancer_X
    knn = make_pipeline(StandardScaler(), KNeighborsClassifier(10)).fit(X, y)
    ex = TabularExplainer(X, link="auto", sampler="kernel", random_state=0)
    exp = ex.explain(X[0], knn, num_samples=300)
    assert exp.settings["link"] == "identity"


def _logistic_words(texts):
    """A text classifier whose log-odds are exactly 3·[good] − 2·[bad] + 0.5."""
    z = np.array([3.0 * ("good" in t.split()) - 2.0 * ("bad" in t.split()) + 0.5
                  for t in texts])
    p = 1 / (1 + np.exp(-z))
    return np.column_stack([1 - p, p])


def test_text_logit_link_recovers_a_logistic_models_log_odds_exactly():
    from limekit import TextExplainer
    from limekit.surrogates import RidgeSurrogate

    text = "a good film with a bad ending"
    exp = TextExplainer(random_state=0, surrogate=RidgeSurrogate(alpha=0.0), link="logit",
                        feature_selection="none").explain(text, _logistic_words, labels=[1],
                                                          num_samples=500)
    weights = dict(exp.as_list(label=1))
    assert exp.settings["link"] == "logit"
    assert weights["good"] == pytest.approx(3.0, abs=1e-9)
    assert weights["bad"] == pytest.approx(-2.0, abs=1e-9)
    assert abs(weights["film"]) < 1e-9
    assert exp.local_pred[1] == pytest.approx(1.5, abs=1e-9)  # 3 − 2 + 0.5 at the document
    # on the probability scale the same model is not linear in the words
    plain = TextExplainer(random_state=0, surrogate=RidgeSurrogate(alpha=0.0),
                          feature_selection="none").explain(text, _logistic_words, labels=[1],
                                                            num_samples=500)
    assert plain.settings["link"] == "identity"
    assert abs(dict(plain.as_list(label=1))["good"] - 3.0) > 1.0


def test_image_logit_link_recovers_a_logistic_models_log_odds_exactly():
    from limekit import ImageExplainer
    from limekit.surrogates import RidgeSurrogate

    image = np.zeros((8, 8, 3), dtype=np.uint8)
    image[:, 4:] = 200  # the right half is bright
    segments = np.repeat(np.arange(4), 16).reshape(8, 8)  # four 2-row bands

    def model(images):
        bright = np.asarray(images, dtype=float)[:, :, 4:].mean(axis=(1, 2, 3)) / 200.0
        z = 4.0 * bright - 1.0  # linear in each band's brightness, and so in the masks
        p = 1 / (1 + np.exp(-z))
        return np.column_stack([1 - p, p])

    exp = ImageExplainer(random_state=0, surrogate=RidgeSurrogate(alpha=0.0), link="logit",
                         feature_selection="none", hide_color=0).explain(
        image, model, labels=[1], num_samples=300, segments=segments)
    assert exp.settings["link"] == "logit"
    weights = dict(exp.as_list(label=1))
    assert all(w == pytest.approx(1.0, abs=1e-9) for w in weights.values())  # 4 × 1/4 each
    assert exp.local_pred[1] == pytest.approx(3.0, abs=1e-9)


def test_series_logit_link_recovers_a_logistic_models_log_odds_exactly():
    from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    from limekit.surrogates import RidgeSurrogate

    series = np.r_[np.zeros(10), np.ones(10)]  # windows 2 and 3 of 4 are high

    def model(batch):
        z = 2.0 * np.asarray(batch, dtype=float)[:, 10:].mean(axis=1) - 0.5
        p = 1 / (1 + np.exp(-z))
        return np.column_stack([1 - p, p])

    exp = SegmentTimeSeriesExplainer(n_segments=4, baseline="zero", random_state=0,
                                     surrogate=RidgeSurrogate(alpha=0.0), link="logit",
                                     feature_selection="none").explain(
        series, model, labels=[1], num_samples=200)
    weights = dict(zip(exp.feature_names, [0.0] * 4, strict=True))
    weights.update({exp.feature_names[i]: w for i, w in exp.label_explanations[1].weights})
    assert exp.settings["link"] == "logit"
    assert list(weights.values()) == pytest.approx([0.0, 0.0, 1.0, 1.0], abs=1e-9)


def test_link_is_validated_by_every_explainer():
    from limekit import ImageExplainer, TextExplainer
    from limekit.explainers.timeseries import SegmentTimeSeriesExplainer

    for cls in (TextExplainer, ImageExplainer, SegmentTimeSeriesExplainer):
        with pytest.raises(ValueError, match="link must be one of"):
            cls(link="probit")
        with pytest.raises(ValueError, match="needs mode='classification'"):
            cls(link="logit", mode="regression")
