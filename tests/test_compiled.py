"""The compiled (numba) kernels give the same explanations as the NumPy reference."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from limekit import TabularExplainer, _compiled
from limekit._random import counter_words, stream_seed, uniform32, word_count
from limekit.kernels import euclidean_distances
from limekit.representations.tabular import QUANTILES
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
    assert word_count(5) == 3


def _splitmix64(state: int, count: int) -> list[int]:
    """Reference SplitMix64 (Steele, Lea & Flood 2014) on Python integers."""
    mask, out = 2**64 - 1, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return out


def test_counter_words_are_the_splitmix64_stream():
    assert int(counter_words(np.uint64(0), 1)[0]) == 0xE220A8397B1DCDAF  # published value
    seed = stream_seed(np.random.default_rng(5))
    np.testing.assert_array_equal(counter_words(seed, 40),
                                  np.array(_splitmix64(int(seed), 40), dtype=np.uint64))
    # the compiled kernels compute the same words where they use them
    table = np.array([[0.25], [0.5], [0.75]])  # one column, four equal bins
    lower = np.array([0.0, 0.25, 0.5, 0.75])
    inv_p = np.full(4, 4.0)
    with _compiled.use_compiled(True):
        codes = _compiled.draw_narrow(seed, 7, table, lower, inv_p, 4, 1 - 2.0**-20)
    u = uniform32(counter_words(seed, word_count(7)), 7)
    np.testing.assert_array_equal(np.floor(codes[:, 0]), np.floor(u * 4))


@pytest.mark.parametrize("discretizer", ["quartile", "decile", None])
def test_explanations_identical_with_and_without_numba(case, discretizer):
    X, model = case
    explainer = TabularExplainer(X, discretizer=discretizer, random_state=3)
    with _compiled.use_compiled(True):
        fast = [explainer.explain(X[i], model, num_samples=2000) for i in (0, 7)]
    with _compiled.use_compiled(False):
        ref = [explainer.explain(X[i], model, num_samples=2000) for i in (0, 7)]
    for a, b in zip(fast, ref, strict=True):
        assert a == b  # continuous mode too: distances are summed in the same order


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


def _binary_case(seed=0, n=700, m=9):
    rng = np.random.default_rng(seed)
    Z = (rng.random((n, m)) < 0.3).astype(float)
    Z[0] = 1.0
    Z[:, 4] = 0.0  # a constant column
    Z[0, 4] = 0.0
    w = np.exp(-(m - Z.sum(axis=1)) / 3.0)  # a function of the number of zeros
    return Z, w


def _design_both_ways(Z, w, Y):
    sw = w.sum()
    with _compiled.use_compiled(True):
        fast = _compiled.binary_design(Z, w, Y, sw)
        from_masks = _compiled.binary_design(Z, w, Y, sw, _compiled.row_masks(Z))
    with _compiled.use_compiled(False):
        ref = _compiled.binary_design(Z, w, Y, sw)
    return fast, from_masks, ref


@pytest.mark.parametrize("m", [9, 70])  # one mask word per row, and two
def test_binary_design_matches_dense_products_and_numpy_reference(m):
    Z, w = _binary_case(m=m)
    Y = np.random.default_rng(4).normal(size=(Z.shape[0], 2))
    fast, from_masks, ref = _design_both_ways(Z, w, Y)
    for a, b, c in zip(fast, from_masks, ref, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    G, B, x_mean, y_mean, tss = fast
    np.testing.assert_allclose(y_mean, w @ Y / w.sum(), rtol=1e-12)
    Yc = Y - w @ Y / w.sum()
    np.testing.assert_allclose(tss, w @ (Yc * Yc), rtol=1e-12)
    xm = w @ Z / w.sum()
    np.testing.assert_allclose(x_mean, xm, rtol=1e-12, atol=1e-15)
    Xc = (Z - xm) * np.sqrt(w)[:, None]
    np.testing.assert_allclose(G, Xc.T @ Xc, atol=1e-10)
    np.testing.assert_allclose(B, Xc.T @ (Yc * np.sqrt(w)[:, None]), atol=1e-10)
    assert not G[4].any() and not G[:, 4].any() and not B[4].any()


@pytest.mark.parametrize("m", [9, 70])
def test_row_masks_hold_each_row_as_bits(m):
    Z, _ = _binary_case(m=m)
    with _compiled.use_compiled(True):
        masks = _compiled.row_masks(Z)
    with _compiled.use_compiled(False):
        np.testing.assert_array_equal(masks, _compiled.row_masks(Z))
    assert masks.shape == (Z.shape[0], -(-m // 64)) and masks.dtype == np.uint64
    bits = (masks[:, np.arange(m) // 64] >> (np.arange(m) % 64).astype(np.uint64)) & 1
    np.testing.assert_array_equal(bits, Z)


@pytest.mark.parametrize("flag", [True, False])
def test_binary_design_declines_what_it_cannot_count(flag):
    Z, w = _binary_case()
    Y = np.random.default_rng(1).normal(size=(Z.shape[0], 1))
    with _compiled.use_compiled(flag):
        other = w.copy()
        other[5] *= 1.5  # a weight that is not a function of the number of zeros
        assert _compiled.binary_design(Z, other, Y, other.sum()) is None
        assert _compiled.binary_design(Z + 0.5, w, Y, w.sum()) is None  # not 0/1
        assert _compiled.row_masks(Z + 0.5) is None
        nan = w.copy()
        nan[3] = np.nan
        assert _compiled.binary_design(Z, nan, Y, w.sum()) is None
        bad = Y.copy()
        bad[7] = np.inf
        assert _compiled.binary_design(Z, w, bad, w.sum()) is None


def test_fused_sampler_masks_and_weights_match_the_staged_path(case):
    X, _ = case
    explainer = TabularExplainer(X, random_state=0)
    rep = explainer.representation
    row = rep.check_instance(X[3])
    codes = rep.encode(row)
    packed, values, squared = rep.lime_binned_neighbourhood(codes, 777,
                                                            np.random.default_rng(2))
    Z = packed.dense()
    np.testing.assert_array_equal(packed.masks, _compiled.row_masks(Z))
    np.testing.assert_array_equal(packed.row(0), np.ones(X.shape[1]))  # the instance
    # the same draw with the dense matrix written by the kernel itself
    seed = stream_seed(np.random.default_rng(2))
    dense = _compiled.lime_binned(seed, 777, rep.marginals().table, codes, rep._bin_tables,
                                  QUANTILES, dense=True)
    np.testing.assert_array_equal(dense[0], Z)
    np.testing.assert_array_equal(dense[1], values)
    np.testing.assert_array_equal(dense[3], packed.masks)
    with _compiled.use_compiled(False):
        np.testing.assert_array_equal(_compiled.unpack_rows(packed.masks, X.shape[1]), Z)
    kernel = explainer.kernel
    weights = kernel.weights(euclidean_distances(Z, Z[0]))
    np.testing.assert_array_equal(squared, Z.shape[1] - Z.sum(axis=1))  # the zero counts
    table = kernel.weight_table(Z.shape[1])
    _, _, looked_up = rep.lime_binned_neighbourhood(codes, 777, np.random.default_rng(2),
                                                    weight_table=table)
    np.testing.assert_array_equal(looked_up, weights)


def test_custom_kernel_function_sees_every_distance_on_the_fused_path(case):
    X, model = case
    seen = []

    def kernel_fn(d, width):
        seen.append(d.copy())
        return np.exp(-d / width)

    explainer = TabularExplainer(X, kernel=kernel_fn, random_state=0)
    assert explainer.kernel.weight_table(X.shape[1]) is None
    with _compiled.use_compiled(True):
        fast = explainer.explain(X[2], model, num_samples=500)
    with _compiled.use_compiled(False):
        ref = explainer.explain(X[2], model, num_samples=500)
    assert fast == ref
    assert all(d.shape == (500,) for d in seen)


def test_weighted_design_from_counts_equals_the_centred_product():
    Z, w = _binary_case(seed=2)
    Y = np.random.default_rng(3).random((Z.shape[0], 2))
    design = WeightedDesign(Z, Y, w)
    xm = w @ Z / w.sum()
    xm[4] = 0.0
    Xc = (Z - xm) * np.sqrt(w)[:, None]
    np.testing.assert_allclose(design.G, Xc.T @ Xc, atol=1e-10)
    Yc = (Y - w @ Y / w.sum()) * np.sqrt(w)[:, None]
    np.testing.assert_allclose(design.B, Xc.T @ Yc, atol=1e-10)
    assert not design.G[4].any() and not design.B[4].any()  # constant column: exact zeros


def test_output_summary_matches_numpy_reductions():
    y = np.random.default_rng(0).random((50, 3))
    lo, hi, finite, worst = _compiled.output_summary(y)
    assert (lo, hi, finite) == (y.min(), y.max(), True)
    assert worst == pytest.approx(np.abs(y.sum(axis=1) - 1).max(), rel=1e-12)
    y[7, 1] = np.nan
    assert _compiled.output_summary(y)[2] is False
    y[7, 1] = -np.inf
    assert _compiled.output_summary(y)[2] is False
    assert _compiled.output_summary(y[:, :2].copy(order="F")) is None  # not C-ordered


def test_explanation_words_are_pure_functions_of_seed_and_key():
    from limekit._random import explanation_word

    a = explanation_word(7, (1, 2, 3, 4))
    assert a == explanation_word(7, (1, 2, 3, 4)) and a.dtype == np.uint64
    assert a != explanation_word(8, (1, 2, 3, 4))
    assert a != explanation_word(7, (1, 2, 3, 5))
    assert a != explanation_word(7, (1, 2, 3, 4, 0xF1DE))  # the fidelity stream differs
    assert explanation_word(2**200, (1,)) != explanation_word(2**200 + 1, (1,))
    assert explanation_word(None, (1,)) != explanation_word(None, (1,))  # fresh entropy
    assert stream_seed(a) == a
