"""The compiled (numba) kernels give the same explanations as the NumPy reference."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from limekit import TabularExplainer, _compiled
from limekit._random import raw_words, uniform32
from limekit.kernels import euclidean_distances
from limekit.surrogates import WeightedDesign

pytestmark = pytest.mark.skipif(not _compiled.enabled(),
                                reason="numba is not installed: only the NumPy path exists")


@pytest.fixture(scope="module")
def case():
    X, y = load_breast_cancer(return_X_y=True)
    return X, LogisticRegression(max_iter=5000).fit(X, y)


def test_uniform32_reads_both_halves_of_each_word():
    words = np.array([(7 << 32) | 3, (1 << 32) | 0xFFFFFFFF], dtype=np.uint64)
    u = uniform32(words, 3)
    np.testing.assert_array_equal(u * 2.0**32, [3, 7, 0xFFFFFFFF])
    assert raw_words(np.random.default_rng(0), 5).size == 3


@pytest.mark.parametrize("discretizer", ["quartile", "decile", None])
def test_explanations_identical_with_and_without_numba(case, discretizer):
    X, model = case
    explainer = TabularExplainer(X, discretizer=discretizer, random_state=3)
    with _compiled.use_compiled(True):
        fast = [explainer.explain(X[i], model, num_samples=2000) for i in (0, 7)]
    with _compiled.use_compiled(False):
        ref = [explainer.explain(X[i], model, num_samples=2000) for i in (0, 7)]
    for a, b in zip(fast, ref, strict=True):
        if discretizer is None:  # continuous distances are sums of non-integers: last-bit noise
            assert [f for f, _ in a.as_list()] == [f for f, _ in b.as_list()]
            np.testing.assert_allclose([w for _, w in a.as_list()],
                                       [w for _, w in b.as_list()], rtol=1e-9, atol=1e-12)
        else:
            assert a == b


def test_mixed_frame_identical_with_and_without_numba():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"age": rng.integers(18, 80, 300), "income": rng.normal(50, 10, 300),
                       "color": rng.choice(["red", "green", "blue"], 300)})

    def model(frame):
        p = 1 / (1 + np.exp(-(frame["age"].to_numpy() - 50) / 10))
        return np.column_stack([1 - p, p])

    explainer = TabularExplainer(df, random_state=1)
    with _compiled.use_compiled(True):
        fast = explainer.explain(df.iloc[4], model, num_samples=1000)
    with _compiled.use_compiled(False):
        ref = explainer.explain(df.iloc[4], model, num_samples=1000)
    assert fast == ref


def test_kernels_match_numpy_on_random_inputs():
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(200, 7))
    Z[:, 3] = Z[0, 3]  # a constant column
    z0 = Z[0]
    with _compiled.use_compiled(True):
        d_fast = euclidean_distances(Z, z0)
        design_fast = WeightedDesign(Z, rng.random((200, 2)), np.exp(-d_fast))
    with _compiled.use_compiled(False):
        d_ref = euclidean_distances(Z, z0)
        design_ref = WeightedDesign(Z, design_fast.Y, design_fast.w)
    np.testing.assert_allclose(d_fast, d_ref, rtol=1e-14)
    np.testing.assert_array_equal(design_fast.G, design_ref.G)
    assert np.all(design_fast.G[3] == 0)
