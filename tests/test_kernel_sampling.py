"""Samplers that draw from the kernel: GLIME-Binomial, GLIME-Gauss and N-ball."""

import numpy as np
import pytest
from scipy.special import comb, gammainc, logsumexp
from scipy.stats import chisquare, kstest

from limekit.kernel_sampling import (
    _left_tail_fraction,
    _uniform_subsets,
    binomial_kernel_masks,
    gaussian_kernel_samples,
    nball_samples,
)
from limekit.kernels import Kernel


def kept_count_probabilities(d, width, metric, scale, min_kept=0):
    """P(i) ∝ C(d, i) · k(dist(i)), with dist measured by limekit's own Kernel on a mask."""
    kernel = Kernel(width, metric=metric)
    masks = (np.arange(d)[None, :] < np.arange(d + 1)[:, None]).astype(float)  # i = 0..d ones
    weight = kernel.weights(kernel.distances(masks, np.ones(d)) * scale)
    p = comb(d, np.arange(d + 1)) * weight
    p[:min_kept] = 0.0
    return p / p.sum()


@pytest.mark.parametrize(
    "d,width,metric,scale,min_kept",
    [
        (12, 0.75 * np.sqrt(12), "euclidean", 1.0, 0),  # lime tabular (discretised) default
        (12, 1.0, "euclidean", 1.0, 0),
        (15, 0.25, "cosine", 1.0, 0),  # lime image default
        (15, 25.0, "cosine", 100.0, 1),  # lime text default
        (4, 5.0, "cosine", 1.0, 0),  # wide kernel: the all-removed mask gets mass
    ],
)
def test_kept_counts_follow_the_kernel_weighted_binomial(d, width, metric, scale, min_kept):
    n = 20000
    Z = binomial_kernel_masks(d, n, width, random_state=0, distance=metric, scale=scale,
                              min_kept=min_kept)
    assert Z.shape == (n, d) and Z.dtype == float
    assert set(np.unique(Z)) <= {0.0, 1.0}
    kept = Z[1:].sum(axis=1).astype(int)
    p = kept_count_probabilities(d, width, metric, scale, min_kept)
    assert kept.min() >= min_kept
    observed = np.bincount(kept, minlength=d + 1)
    expected = p * (n - 1)
    big = expected >= 5  # chi-square needs reasonable expected counts
    assert observed[~big].sum() <= max(10, 3 * expected[~big].sum())
    assert chisquare(observed[big], expected[big] * observed[big].sum()
                     / expected[big].sum()).pvalue > 0.01
    if metric == "cosine" and width == 5.0:
        assert observed[0] > 0  # i = 0 (everything removed) is drawn when the kernel allows it


def test_every_feature_is_kept_equally_often():
    d, n = 9, 30000
    Z = binomial_kernel_masks(d, n, 2.0, random_state=1, include_instance=False)
    kept = Z.sum(axis=1)
    for i in (3, 5, 7):
        rows = Z[kept == i]
        assert len(rows) > 500
        per_feature = rows.sum(axis=0)
        assert per_feature.sum() == i * len(rows)
        assert chisquare(per_feature).pvalue > 0.01


def test_uniform_subsets_have_exactly_the_requested_sizes():
    rng = np.random.default_rng(0)
    sizes = rng.integers(0, 41, size=500)
    masks = _uniform_subsets(rng, sizes, 40)
    np.testing.assert_array_equal(masks.sum(axis=1), sizes)


def test_long_documents_do_not_overflow():
    d = 5000
    Z = binomial_kernel_masks(d, 20, 25.0, random_state=0, distance="cosine", scale=100.0,
                              min_kept=1)
    assert Z.shape == (20, d) and np.all(Z[0] == 1) and Z.sum(axis=1).min() >= 1
    # the binomial factor dominates this wide kernel: about half the words are kept
    assert abs(Z[1:].mean() - 0.5) < 0.05
    # euclidean: P(i) ∝ C(d, i) q^(d-i) with q = exp(-1/(2w²)) is Binomial(d, 1/(1+q))
    for width in (0.3, 0.75 * np.sqrt(d)):
        Z = binomial_kernel_masks(d, 20, width, random_state=0)
        keep = 1 / (1 + np.exp(-1 / (2 * width**2)))
        assert abs(Z[1:].mean() - keep) < 0.01


def test_include_instance_and_weights_are_implicit():
    Z = binomial_kernel_masks(6, 5, 1.0, random_state=3)
    np.testing.assert_array_equal(Z[0], np.ones(6))
    assert binomial_kernel_masks(6, 1, 1.0, random_state=3).tolist() == [[1.0] * 6]
    assert binomial_kernel_masks(6, 5, 1.0, random_state=3, include_instance=False).shape == (5, 6)


def test_gaussian_offsets_have_kernel_covariance():
    width = 0.7
    offsets = gaussian_kernel_samples(3, 20001, width, random_state=0)
    np.testing.assert_array_equal(offsets[0], 0.0)
    np.testing.assert_allclose(np.cov(offsets[1:], rowvar=False), width**2 * np.eye(3), atol=0.02)
    np.testing.assert_allclose(offsets[1:].mean(axis=0), 0.0, atol=0.02)


def truncated_radius_cdf(d, width, r_max):
    a, T = d / 2, r_max**2 / (2 * width**2)
    return lambda r: gammainc(a, r**2 / (2 * width**2)) / gammainc(a, T)


@pytest.mark.parametrize("d,width,r_max", [(1, 1.0, 0.5), (3, 1.0, 2.0), (10, 0.5, 3.0),
                                           (100, 1.0, 5.0), (800, 1.0, 30.0)])
def test_nball_radii_follow_the_truncated_kernel_density(d, width, r_max):
    offsets = nball_samples(d, 3001, width, r_max, random_state=0)
    np.testing.assert_array_equal(offsets[0], 0.0)
    r = np.linalg.norm(offsets[1:], axis=1)
    assert r.max() <= r_max * (1 + 1e-12)
    assert kstest(r, truncated_radius_cdf(d, width, r_max)).pvalue > 0.01


def test_nball_directions_are_uniform():
    offsets = nball_samples(4, 20001, 1.0, 2.0, random_state=2, include_instance=False)
    unit = offsets / np.linalg.norm(offsets, axis=1, keepdims=True)
    np.testing.assert_allclose(unit.mean(axis=0), 0.0, atol=0.02)
    np.testing.assert_allclose(unit.T @ unit / len(unit), np.eye(4) / 4, atol=0.01)


@pytest.mark.parametrize("a,T", [(50.0, 20.0), (500.0, 100.0)])
def test_left_tail_rejection_sampler_matches_the_incomplete_gamma(a, T):
    s = _left_tail_fraction(np.random.default_rng(0), a, T, 4000)
    assert s.min() > 0 and s.max() <= 1
    assert kstest(s, lambda x: gammainc(a, T * x) / gammainc(a, T)).pvalue > 0.01


def test_nball_in_many_dimensions_with_a_small_ball():
    # P(d/2, T) underflows here; compare with a log-space numerical CDF of s = r²/r_max²
    d, width, r_max = 5000, 1.0, 40.0
    a, T = d / 2, r_max**2 / (2 * width**2)
    assert gammainc(a, T) == 0.0
    offsets = nball_samples(d, 2001, width, r_max, random_state=0)
    s = (np.linalg.norm(offsets[1:], axis=1) / r_max) ** 2
    assert s.max() <= 1 + 1e-12 and s.min() > 0.99
    grid = np.linspace(0.99, 1.0, 20001)
    log_density = (a - 1) * np.log(grid) - T * grid
    log_cdf = np.logaddexp.accumulate(log_density) - logsumexp(log_density)
    assert kstest(s, lambda x: np.exp(np.interp(x, grid, log_cdf))).pvalue > 0.01


@pytest.mark.parametrize("d", [1, 2, 7])
def test_uniform_ball_without_kernel(d):
    r_max = 1.7
    offsets = nball_samples(d, 5001, None, r_max, random_state=4)
    r = np.linalg.norm(offsets[1:], axis=1)
    assert r.max() <= r_max
    assert kstest(r, lambda x: (np.clip(x, 0, r_max) / r_max) ** d).pvalue > 0.01


def test_samplers_are_deterministic_for_a_seed():
    for draw in (lambda s: binomial_kernel_masks(8, 50, 1.0, random_state=s),
                 lambda s: gaussian_kernel_samples(4, 50, 1.0, random_state=s),
                 lambda s: nball_samples(4, 50, 1.0, 2.0, random_state=s),
                 lambda s: nball_samples(4, 50, None, 2.0, random_state=s)):
        np.testing.assert_array_equal(draw(7), draw(7))
        assert not np.array_equal(draw(7), draw(8))
        np.testing.assert_array_equal(draw(np.random.default_rng(7)),
                                      draw(np.random.default_rng(7)))


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: binomial_kernel_masks(0, 10, 1.0), ValueError, "d must be at least 1"),
        (lambda: binomial_kernel_masks(5, 0, 1.0), ValueError, "n_samples must be at least 1"),
        (lambda: binomial_kernel_masks(5, 10, 0.0), ValueError, "kernel_width must be a positive"),
        (lambda: binomial_kernel_masks(5, 10, np.nan), ValueError, "kernel_width must be a"),
        (lambda: binomial_kernel_masks(5, 10, 1.0, distance="l1"), ValueError, "distance must"),
        (lambda: binomial_kernel_masks(5, 10, 1.0, min_kept=6), ValueError, "min_kept=6"),
        (lambda: binomial_kernel_masks(5, 10, 1.0, scale=-1), ValueError, "scale must be"),
        (lambda: binomial_kernel_masks(5.0, 10, 1.0), TypeError, "d must be an int"),
        (lambda: binomial_kernel_masks(5, True, 1.0), TypeError, "n_samples must be an int"),
        (lambda: gaussian_kernel_samples(0, 10, 1.0), ValueError, "d must be at least 1"),
        (lambda: gaussian_kernel_samples(3, 10, -1.0), ValueError, "kernel_width must be"),
        (lambda: nball_samples(3, 10, 1.0, 0.0), ValueError, "r_max must be a positive"),
        (lambda: nball_samples(3, 10, 1.0, np.inf), ValueError, "r_max must be a positive"),
        (lambda: nball_samples(3, 0, None, 1.0), ValueError, "n_samples must be at least 1"),
        (lambda: nball_samples(3, 10, "wide", 1.0), TypeError, "kernel_width must be a number"),
        (lambda: nball_samples(3, 10, 1.0, 1.0, random_state=-1), ValueError, "non-negative"),
        (lambda: nball_samples(3, 10, 1.0, 1.0, random_state="x"), TypeError, "random_state"),
    ],
)
def test_bad_parameters_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
