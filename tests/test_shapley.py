"""KernelSHAP: coalition sampling, the constrained solver and brute-force Shapley values."""

import math

import numpy as np
import pytest
from scipy.stats import chisquare

from limekit.shapley import (
    KernelShapSampler,
    exact_shapley,
    kernel_shap,
    sample_coalitions,
    shapley_kernel_weight,
    solve_kernelshap,
)

M = 10
_rng = np.random.default_rng(20240601)
A = _rng.normal(size=M)
B = np.triu(_rng.normal(size=(M, M)) * 0.7, 1)
U = _rng.normal(size=M)


def nonlinear_value(Z):
    """A set function with pairwise and three-way interactions and non-polynomial terms."""
    Z = Z.astype(float)
    return (Z @ A + np.einsum("ij,jk,ik->i", Z, B, Z) + 2.0 * Z[:, 0] * Z[:, 3] * Z[:, 7]
            + np.sin(Z @ U) + np.maximum(Z[:, 2:6].sum(axis=1) - 2.0, 0.0) ** 2)


def full_minus_empty(value, m):
    v = value(np.array([[True] * m, [False] * m]))
    return v[0] - v[1]


@pytest.fixture(scope="module")
def exact_nonlinear():
    return exact_shapley(nonlinear_value, M)


# --- kernel weights and coalition sampling ---------------------------------------


def test_kernel_weight_hand_values():
    w = shapley_kernel_weight(4, np.arange(5))
    np.testing.assert_allclose(w[1:4], [3 / (4 * 3), 3 / (6 * 4), 3 / (4 * 3)], rtol=1e-15)
    assert np.isinf(w[0]) and np.isinf(w[4])
    assert shapley_kernel_weight(7, 3) == pytest.approx(6 / (35 * 3 * 4))
    with pytest.raises(ValueError, match="0..M"):
        shapley_kernel_weight(4, 5)


@pytest.mark.parametrize("paired", [True, False])
@pytest.mark.parametrize("m,n", [(2, 2), (5, 30), (6, 62), (6, 1000), (9, 510)])
def test_full_budget_is_exactly_the_full_enumeration(m, n, paired):
    results = [sample_coalitions(m, n, seed, paired) for seed in (0, 1)]
    for masks, weights in results:
        assert masks.shape == (2**m - 2, m) and masks.dtype == bool
        codes = masks.astype(np.int64) @ (1 << np.arange(m))
        np.testing.assert_array_equal(np.sort(codes), np.arange(1, 2**m - 1))
        np.testing.assert_array_equal(weights, shapley_kernel_weight(m, masks.sum(axis=1)))
    # nothing random is left when everything is enumerated
    np.testing.assert_array_equal(results[0][0], results[1][0])


@pytest.mark.parametrize("paired", [True, False])
@pytest.mark.parametrize("m,n", [(10, 50), (10, 1021), (12, 4093), (16, 777), (70, 301)])
def test_sampled_coalitions_are_distinct_proper_and_carry_the_kernel_mass(m, n, paired):
    masks, weights = sample_coalitions(m, n, 3, paired)
    assert masks.shape == (n, m)
    size = masks.sum(axis=1)
    assert size.min() >= 1 and size.max() <= m - 1
    assert len({row.tobytes() for row in masks}) == n
    assert np.all(weights > 0)
    # total weight = total Shapley kernel mass of all proper coalitions
    total = sum(math.comb(m, s) * shapley_kernel_weight(m, s) for s in range(1, m))
    assert weights.sum() == pytest.approx(total, rel=1e-12)


def test_paired_sampling_produces_complements():
    masks, _ = sample_coalitions(12, 400, 7, paired=True)
    np.testing.assert_array_equal(masks[1::2], ~masks[0::2])
    odd, _ = sample_coalitions(12, 401, 7, paired=True)
    np.testing.assert_array_equal(odd[:-1][1::2], ~odd[:-1][0::2])
    unpaired, _ = sample_coalitions(12, 400, 7, paired=False)
    assert not np.array_equal(unpaired[1::2], ~unpaired[0::2])


def test_small_sizes_are_enumerated_first_and_the_rest_drawn_by_kernel_mass():
    m, n = 16, 3000
    masks, weights = sample_coalitions(m, n, 11, paired=False)
    small = np.minimum(masks.sum(axis=1), m - masks.sum(axis=1))
    # sizes {1, 15} and {2, 14} fit the shap rule for this budget: all 32 + 240 present
    assert np.sum(small == 1) == 32 and np.sum(small == 2) == 240
    assert np.all(small[:272] <= 2) and np.all(small[272:] >= 3)
    np.testing.assert_array_equal(weights[:272], shapley_kernel_weight(m, masks[:272].sum(1)))
    # the drawn part puts weight on each size pair in proportion to its kernel mass
    s = np.arange(3, m // 2 + 1)
    mass = np.where(2 * s == m, 1.0, 2.0) * (m - 1) / (s * (m - s))
    drawn = np.array([weights[272:][small[272:] == k].sum() for k in s])
    np.testing.assert_allclose(drawn / drawn.sum(), mass / mass.sum(), atol=0.02)
    assert weights[272:].sum() == pytest.approx(mass.sum())
    # repeated draws are merged into one row whose weight counts them
    draws = np.rint(weights[272:] / weights[272:].min())
    np.testing.assert_allclose(draws * weights[272:].min(), weights[272:], rtol=1e-9)
    per_size = np.array([draws[small[272:] == k].sum() for k in s])
    assert chisquare(per_size, per_size.sum() * mass / mass.sum()).pvalue > 0.01


def test_sampling_is_deterministic_for_a_seed():
    a = sample_coalitions(14, 300, 5)
    b = sample_coalitions(14, 300, 5)
    c = sample_coalitions(14, 300, 6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(sample_coalitions(14, 300, g1)[0],
                                  sample_coalitions(14, 300, g2)[0])


# --- exact Shapley values and the solver -----------------------------------------


def test_exact_shapley_matches_the_closed_form_for_interactions():
    a = np.arange(1.0, 7.0)
    b = np.zeros((6, 6))
    b[0, 1], b[2, 5], b[3, 4] = 1.5, -2.0, 0.25
    c = 3.0

    def value(Z):
        Z = Z.astype(float)
        return Z @ a + np.einsum("ij,jk,ik->i", Z, b, Z) + c * Z[:, 0] * Z[:, 2] * Z[:, 4]

    expected = a + 0.5 * (b.sum(axis=0) + b.sum(axis=1))
    expected[[0, 2, 4]] += c / 3
    phi, phi0 = exact_shapley(value, 6)
    np.testing.assert_allclose(phi, expected, atol=1e-12)
    assert phi0 == 0.0


def test_solver_matches_an_explicit_kkt_solve():
    rng = np.random.default_rng(0)
    m, n = 7, 40
    Z = rng.random((n, m)) < 0.5
    Z[Z.sum(1) == 0, 0] = True
    Z[Z.sum(1) == m, 0] = False
    y = rng.normal(size=(n, 2))
    w = rng.random(n) + 0.1
    full, empty = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    phi = solve_kernelshap(Z, y, w, full, empty)
    X = Z.astype(float)
    kkt = np.zeros((m + 1, m + 1))
    kkt[:m, :m] = 2 * X.T @ (w[:, None] * X)
    kkt[:m, m] = kkt[m, :m] = 1.0
    for out in range(2):
        rhs = np.append(2 * X.T @ (w * (y[:, out] - empty[out])), full[out] - empty[out])
        np.testing.assert_allclose(phi[:, out], np.linalg.solve(kkt, rhs)[:m], atol=1e-10)
        # one output at a time gives the same answer
        np.testing.assert_allclose(
            solve_kernelshap(Z, y[:, out], w, full[out], empty[out]), phi[:, out], atol=1e-12)
    np.testing.assert_allclose(phi.sum(axis=0), full - empty, atol=1e-12)


def test_solver_ignores_anchor_rows_with_infinite_weight():
    rng = np.random.default_rng(1)
    Z = rng.random((30, 5)) < 0.5
    y, w = rng.normal(size=30), rng.random(30)
    base = solve_kernelshap(Z, y, w, 2.0, 1.0)
    Z2 = np.vstack([np.ones(5, bool), np.zeros(5, bool), Z])
    with_anchors = solve_kernelshap(Z2, np.r_[99.0, -99.0, y], np.r_[np.inf, np.inf, w], 2.0, 1.0)
    np.testing.assert_allclose(with_anchors, base, atol=1e-12)


# --- KernelSHAP against the truth ------------------------------------------------


@pytest.mark.parametrize("n", [1022, 1500])
@pytest.mark.parametrize("paired", [True, False])
def test_full_budget_kernel_shap_equals_exact_shapley(exact_nonlinear, n, paired):
    phi, phi0 = kernel_shap(nonlinear_value, M, n, random_state=0, paired=paired)
    np.testing.assert_allclose(phi, exact_nonlinear.phi, atol=1e-6)
    assert phi0 == exact_nonlinear.phi0


def test_sklearn_model_with_several_outputs_matches_exact_shapley():
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, M))
    label = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] + X[:, 5] > 1).astype(int)
    model = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, label)
    x, background = X[0], X[1:5]

    def value(Z):  # average prediction with the absent features taken from background rows
        mixed = np.where(Z[:, None, :], x, background[None, :, :]).reshape(-1, M)
        return model.predict_proba(mixed).reshape(Z.shape[0], len(background), -1).mean(1)

    exact = exact_shapley(value, M)
    estimate = kernel_shap(value, M, 1022, random_state=1)
    assert estimate.phi.shape == (M, 3)
    np.testing.assert_allclose(estimate.phi, exact.phi, atol=1e-6)
    np.testing.assert_allclose(estimate.phi0, value(np.zeros((1, M), bool))[0])
    np.testing.assert_allclose(estimate.phi.sum(0), model.predict_proba(x[None])[0]
                               - estimate.phi0, atol=1e-10)


def test_error_falls_with_the_budget_and_efficiency_always_holds(exact_nonlinear):
    target = full_minus_empty(nonlinear_value, M)
    mean_errors = []
    for n in (50, 200, 800):
        errors = []
        for seed in range(8):
            phi = kernel_shap(nonlinear_value, M, n, random_state=seed).phi
            assert abs(phi.sum() - target) < 1e-10
            errors.append(np.abs(phi - exact_nonlinear.phi).mean())
        mean_errors.append(np.mean(errors))
    # measured: about 0.20, 0.056, 0.013: each step at least halves the error
    assert mean_errors[1] < 0.5 * mean_errors[0] and mean_errors[2] < 0.5 * mean_errors[1]


@pytest.mark.parametrize("paired,n", [(False, 2 * M), (False, 50), (True, 4 * M), (True, 300)])
def test_additive_value_function_is_recovered_exactly(paired, n):
    coef = np.random.default_rng(4).normal(size=M)
    for seed in range(5):
        phi, phi0 = kernel_shap(lambda Z: Z @ coef + 3.0, M, n, random_state=seed, paired=paired)
        np.testing.assert_allclose(phi, coef, atol=1e-9)
        assert phi0 == pytest.approx(3.0)


def test_many_features_use_byte_keys_and_keep_efficiency():
    m = 200
    coef = np.linspace(-1, 1, m)

    def value(Z):
        return np.tanh(Z @ coef) + Z[:, 0] * Z[:, 1]

    phi, _ = kernel_shap(value, m, 600, random_state=0)
    assert phi.shape == (m,) and np.all(np.isfinite(phi))
    assert phi.sum() == pytest.approx(full_minus_empty(value, m), abs=1e-10)


def test_single_feature_gets_the_whole_difference():
    phi, phi0 = kernel_shap(lambda Z: 5.0 * Z[:, 0] + 1.0, 1, 10, random_state=0)
    assert phi.tolist() == [5.0] and phi0 == 1.0


def test_sampler_interface_and_fit():
    Z, w = KernelShapSampler().draw(M, 1024, np.random.default_rng(0))
    assert Z.shape == (1024, M) and Z.dtype == float
    np.testing.assert_array_equal(Z[0], 1.0)
    np.testing.assert_array_equal(Z[1], 0.0)
    assert np.isinf(w[:2]).all() and np.isfinite(w[2:]).all()
    y = nonlinear_value(Z.astype(bool))
    phi = solve_kernelshap(Z, y, w, y[0], y[1])
    np.testing.assert_allclose(phi, exact_shapley(nonlinear_value, M).phi, atol=1e-6)
    assert repr(KernelShapSampler(paired=False)) == "KernelShapSampler(paired=False)"


# --- input validation -------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        sample_coalitions(5, 0)
    with pytest.raises(TypeError, match="M must be an int"):
        sample_coalitions(5.0, 10)
    with pytest.raises(TypeError, match="not a bool"):
        sample_coalitions(5, 10, random_state=True)
    with pytest.raises(ValueError, match="too many"):
        exact_shapley(nonlinear_value, 21)
    with pytest.raises(ValueError, match="value_fn must return shape"):
        kernel_shap(lambda Z: np.zeros(3), 4, 10, random_state=0)
    Z = np.array([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="only 0/1"):
        solve_kernelshap(Z * 2, [1.0, 2.0], [1.0, 1.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="values must have shape"):
        solve_kernelshap(Z, [1.0, 2.0, 3.0], [1.0, 1.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="finite and non-negative"):
        solve_kernelshap(Z, [1.0, 2.0], [1.0, np.inf], 1.0, 0.0)
    with pytest.raises(ValueError, match="full_value must be a scalar or have shape"):
        solve_kernelshap(Z, [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0], [1.0, 2.0, 3.0], 0.0)
