"""Samplers that draw neighbourhoods *from* a proximity kernel (GLIME, N-ball).

lime draws samples from a broad reference distribution and then down-weights
the far ones with the kernel ``exp(-d² / (2 w²))``. With a small kernel width
almost all the weight lands on a handful of samples: the Kish effective sample
size ``(Σ wᵢ)² / Σ wᵢ²`` is then far below the number of model calls ``N``, the
ridge penalty dominates the fit, and the explanation changes with the seed
(GLIME, Tan et al., NeurIPS 2023). Drawing the samples from the kernel itself
targets the same weighted objective in expectation, but every sample gets
weight 1, so the effective sample size is ``N`` and the variance of the
surrogate's coefficients drops accordingly.

Three samplers are provided, all pure functions of their arguments and a
``random_state``:

- :func:`binomial_kernel_masks` (GLIME-Binomial): 0/1 masks for binary
  interpretable representations (text, images, discretised tabular data).
- :func:`gaussian_kernel_samples` (GLIME-Gauss): standardised offsets for
  continuous tabular data.
- :func:`nball_samples` (N-ball): standardised offsets with a uniform direction
  and a radius drawn from ``k(r) · r^(d-1)`` on ``[0, r_max]``, or uniform in the
  ball when no kernel is given.

Offsets are in units of the training standard deviation; the caller multiplies
them by the per-column scale and adds the instance. Every returned sample is
meant to be fitted with weight 1.

Examples
--------
>>> import numpy as np
>>> from limekit.kernel_sampling import binomial_kernel_masks, nball_samples
>>> Z = binomial_kernel_masks(6, 500, kernel_width=0.5, random_state=0)
>>> Z.shape, Z[0].tolist()
((500, 6), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
>>> bool(Z[1:].sum(axis=1).mean() > 4)  # a narrow kernel keeps most features
True
>>> offsets = nball_samples(3, 200, kernel_width=1.0, r_max=2.0, random_state=0)
>>> bool(np.linalg.norm(offsets, axis=1).max() <= 2.0), offsets[0].tolist()
(True, [0.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc, gammaincc, gammainccinv, gammaincinv, gammaln

from ._validation import check_int

__all__ = ["binomial_kernel_masks", "gaussian_kernel_samples", "nball_samples"]

RandomStateLike = int | np.random.SeedSequence | np.random.Generator | None

_DISTANCES = ("euclidean", "cosine")
# elements of the (rows × d) uniform-key matrix held at once by _uniform_subsets
_CHUNK_ELEMENTS = 1 << 22
# below this, P(d/2, T) is too close to the smallest double for the inverse CDF to
# be trusted, and the radius is drawn by rejection instead (see _left_tail_radius)
_TINY_MASS = 1e-250


def binomial_kernel_masks(
    d: int,
    n_samples: int,
    kernel_width: float,
    random_state: RandomStateLike = None,
    distance: str = "euclidean",
    scale: float = 1.0,
    include_instance: bool = True,
    min_kept: int = 0,
) -> np.ndarray:
    """GLIME-Binomial: 0/1 masks drawn from lime's kernel instead of reweighted by it.

    The number of kept features ``i`` is drawn with
    ``P(i) ∝ C(d, i) · exp(-dist(i)² / (2 w²))``, where ``dist(i)`` is the distance
    of a mask with ``i`` ones from the all-ones instance; then ``i`` features are
    kept uniformly at random. So every mask ``z`` is drawn with probability
    proportional to its lime kernel weight, and all samples get weight 1.

    Distances follow lime's conventions: ``"euclidean"`` gives
    ``sqrt(d - i) · scale`` (tabular, discretised), ``"cosine"`` gives
    ``(1 - sqrt(i / d)) · scale`` (images: ``scale=1``; text: lime multiplies
    the cosine distance by 100, so pass ``scale=100``). The all-removed mask
    (``i = 0``, cosine distance 1) is drawn whenever the kernel gives it mass;
    pass ``min_kept=1`` to forbid it (e.g. for text, where an empty document is
    not meaningful). The all-kept mask can also appear after row 0: it is the
    kernel's most likely mask.

    Probabilities are computed in log space, so ``d`` in the thousands (words of
    a long document) neither overflows nor underflows.

    Parameters
    ----------
    d : int
        Number of interpretable features (>= 1).
    n_samples : int
        Number of rows to return (>= 1), row 0 included.
    kernel_width : float
        The kernel width ``w`` of lime (> 0), in the units of the distance.
    random_state : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed or generator; an int gives the same masks every time.
    distance : {"euclidean", "cosine"}, default "euclidean"
    scale : float, default 1.0
        Multiplies the distance (lime's text explainer uses cosine · 100).
    include_instance : bool, default True
        Make row 0 the all-ones instance (as lime does).
    min_kept : int, default 0
        Smallest number of kept features a drawn mask may have (0 <= min_kept <= d).

    Returns
    -------
    numpy.ndarray of shape (n_samples, d)
        Float matrix of 1 (feature kept as in the instance) / 0 (removed).

    Examples
    --------
    >>> Z = binomial_kernel_masks(4, 3, kernel_width=0.5, random_state=1, min_kept=2)
    >>> Z.shape, bool(Z.sum(axis=1).min() >= 2)
    ((3, 4), True)
    """
    d = _check_count("d", d, 1)
    n_samples = _check_count("n_samples", n_samples, 1)
    kernel_width = _check_positive("kernel_width", kernel_width)
    scale = _check_positive("scale", scale)
    min_kept = _check_count("min_kept", min_kept, 0)
    if min_kept > d:
        raise ValueError(f"min_kept={min_kept} is larger than the number of features d={d}; "
                         f"pass 0 <= min_kept <= {d}")
    if distance not in _DISTANCES:
        raise ValueError(f"distance must be 'euclidean' or 'cosine', got {distance!r}")
    rng = _as_generator(random_state)
    probs = _kept_count_probabilities(d, kernel_width, distance, scale, min_kept)
    n_drawn = n_samples - 1 if include_instance else n_samples
    kept = min_kept + rng.choice(probs.size, size=n_drawn, p=probs)
    masks = _uniform_subsets(rng, kept, d).astype(float)
    if include_instance:
        masks = np.concatenate([np.ones((1, d)), masks])
    return masks


def gaussian_kernel_samples(
    d: int,
    n_samples: int,
    kernel_width: float,
    random_state: RandomStateLike = None,
    include_instance: bool = True,
) -> np.ndarray:
    """GLIME-Gauss: standardised offsets drawn from lime's kernel on continuous data.

    lime weights a sample at standardised distance ``r`` by
    ``exp(-r² / (2 w²))``, the (unnormalised) density of ``N(0, w² I)``. Drawing
    the offsets from ``N(0, w² I)`` therefore reproduces the kernel as a
    sampling density, so the samples need no weights. The caller maps an offset
    ``o`` to ``x + o · std`` (training standard deviations), i.e. samples from
    ``N(x, w² · diag(std²))``.

    Parameters
    ----------
    d : int
        Number of (continuous) features (>= 1).
    n_samples : int
        Number of rows to return (>= 1), row 0 included.
    kernel_width : float
        The kernel width ``w`` of lime (> 0) in standardised units; it is the
        standard deviation of every offset.
    random_state : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed or generator; an int gives the same offsets every time.
    include_instance : bool, default True
        Make row 0 the zero offset (the instance itself).

    Returns
    -------
    numpy.ndarray of shape (n_samples, d)
        Standardised offsets from ``N(0, w² I)`` (row 0 zero with
        ``include_instance``); the caller multiplies by the training standard
        deviations and adds the instance.

    Examples
    --------
    >>> offsets = gaussian_kernel_samples(2, 4, kernel_width=0.5, random_state=0)
    >>> offsets.shape, offsets[0].tolist()
    ((4, 2), [0.0, 0.0])
    """
    d = _check_count("d", d, 1)
    n_samples = _check_count("n_samples", n_samples, 1)
    kernel_width = _check_positive("kernel_width", kernel_width)
    rng = _as_generator(random_state)
    n_drawn = n_samples - 1 if include_instance else n_samples
    offsets = kernel_width * rng.standard_normal((n_drawn, d))
    if include_instance:
        offsets = np.concatenate([np.zeros((1, d)), offsets])
    return offsets


def nball_samples(
    d: int,
    n_samples: int,
    kernel_width: float | None,
    r_max: float,
    random_state: RandomStateLike = None,
    include_instance: bool = True,
) -> np.ndarray:
    """N-ball sampling: standardised offsets inside the ball of radius ``r_max``.

    The direction is uniform on the sphere (a normalised Gaussian vector); the
    radius has density ``∝ k(r) · r^(d-1)`` on ``[0, r_max]`` with lime's kernel
    ``k(r) = exp(-r² / (2 w²))``, so the offsets are distributed inside the ball
    with density ``∝ k(‖o‖)``: the kernel is a sampling density, not a weight.
    With ``kernel_width=None`` the kernel is flat and the offsets are uniform in
    the ball (``r = r_max · U^(1/d)``).

    The radius is drawn by inverse CDF: ``t = r² / (2 w²)`` follows a
    ``Gamma(d/2)`` distribution truncated at ``T = r_max² / (2 w²)``, whose CDF is
    the regularised lower incomplete gamma function ``P(d/2, t) / P(d/2, T)``
    (:func:`scipy.special.gammaincinv`, and its upper-tail twin above the
    median for accuracy). When ``P(d/2, T)`` is too small for floating point
    (many dimensions, ``r_max`` far below the kernel's typical radius
    ``w·sqrt(d)``), the radius is drawn exactly by rejection from an
    exponential envelope in ``1 - r²/r_max²``, which then accepts almost
    every proposal.

    Parameters
    ----------
    d : int
        Number of (continuous) features (>= 1).
    n_samples : int
        Number of rows to return (>= 1), row 0 included.
    kernel_width : float or None
        The kernel width ``w`` of lime (> 0) in standardised units, or None for a
        uniform distribution in the ball.
    r_max : float
        Radius of the ball (> 0, finite) in standardised units.
    random_state : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed or generator; an int gives the same offsets every time.
    include_instance : bool, default True
        Make row 0 the zero offset (the instance itself).

    Returns
    -------
    numpy.ndarray of shape (n_samples, d)
        Offsets with Euclidean norm at most ``r_max``; the caller multiplies by
        the training standard deviations and adds the instance.

    Examples
    --------
    >>> offsets = nball_samples(5, 1000, kernel_width=None, r_max=1.5, random_state=0)
    >>> r = np.linalg.norm(offsets[1:], axis=1)
    >>> bool(r.max() <= 1.5), bool(r.mean() > 1.0)  # uniform in 5-D: mass near the edge
    (True, True)
    """
    d = _check_count("d", d, 1)
    n_samples = _check_count("n_samples", n_samples, 1)
    if kernel_width is not None:
        kernel_width = _check_positive("kernel_width", kernel_width)
    r_max = _check_positive("r_max", r_max)
    rng = _as_generator(random_state)
    n_drawn = n_samples - 1 if include_instance else n_samples
    radii = _ball_radii(rng, d, n_drawn, kernel_width, r_max)
    directions = rng.standard_normal((n_drawn, d))
    norms = np.linalg.norm(directions, axis=1)
    # an exactly zero Gaussian vector has probability 0; keep it finite regardless
    norms[norms == 0] = 1.0
    offsets = directions * (radii / norms)[:, None]
    if include_instance:
        offsets = np.concatenate([np.zeros((1, d)), offsets])
    return offsets


# --- internals ------------------------------------------------------------------


def _kept_count_probabilities(d: int, kernel_width: float, distance: str, scale: float,
                              min_kept: int) -> np.ndarray:
    """``P(i)`` for ``i = min_kept .. d`` (index 0 is ``i = min_kept``)."""
    i = np.arange(min_kept, d + 1, dtype=float)
    log_binom = gammaln(d + 1.0) - gammaln(i + 1.0) - gammaln(d - i + 1.0)
    if distance == "euclidean":
        dist_sq = (d - i) * scale * scale
    else:
        dist_sq = ((1.0 - np.sqrt(i / d)) * scale) ** 2
    log_p = log_binom - dist_sq / (2.0 * kernel_width * kernel_width)
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def _uniform_subsets(rng: np.random.Generator, sizes: np.ndarray, d: int) -> np.ndarray:
    """Boolean ``(len(sizes), d)``: row ``k`` keeps ``sizes[k]`` features chosen uniformly.

    One uniform key per (row, feature); a row keeps the features whose keys rank
    below its size. Rows are processed in chunks so that memory stays bounded
    for long documents; the chunk size is fixed, so results do not depend on it.
    """
    sizes = np.asarray(sizes, dtype=np.intp)
    n = sizes.size
    out = np.empty((n, d), dtype=bool)
    positions = np.arange(d)
    step = max(1, _CHUNK_ELEMENTS // d)
    for start in range(0, n, step):
        stop = min(n, start + step)
        order = np.argsort(rng.random((stop - start, d)), axis=1)
        np.put_along_axis(out[start:stop], order,
                          positions[None, :] < sizes[start:stop, None], axis=1)
    return out


def _ball_radii(rng: np.random.Generator, d: int, n: int, kernel_width: float | None,
                r_max: float) -> np.ndarray:
    a = 0.5 * d
    T = 0.0 if kernel_width is None else r_max * r_max / (2.0 * kernel_width * kernel_width)
    if T < 1e-12:
        # the kernel is flat across the ball (to 1e-12): uniform in the ball
        return r_max * rng.random(n) ** (1.0 / d)
    mass = gammainc(a, T)
    if mass < _TINY_MASS:
        return r_max * np.sqrt(_left_tail_fraction(rng, a, T, n))
    u = rng.random(n)
    t = np.empty(n)
    low = u * mass <= 0.5
    t[low] = gammaincinv(a, u[low] * mass)
    # above the median, invert the upper tail: 1 - u·P loses digits, Q(T) + (1-u)·P does not
    t[~low] = gammainccinv(a, gammaincc(a, T) + (1.0 - u[~low]) * mass)
    r = kernel_width * np.sqrt(2.0 * np.clip(t, 0.0, T))
    return np.minimum(r, r_max)


def _left_tail_fraction(rng: np.random.Generator, a: float, T: float, n: int) -> np.ndarray:
    """``s = t / T`` for ``t ~ Gamma(a)`` truncated to ``[0, T]``, drawn by rejection.

    ``s`` has log-density ``(a-1) log s - T s`` (concave). Its tangent at
    ``s = 1`` bounds it from above, so with ``y = 1 - s`` and
    ``λ = a - 1 - T > 0`` the truncated exponential ``∝ exp(-λ y)`` on ``[0, 1]``
    is an envelope, and a proposal is accepted with probability
    ``exp((a-1)(log(1-y) + y)) <= 1``. Used only when ``P(a, T)`` is negligible,
    which forces ``T`` far below ``a``: then ``λ`` is large, ``y`` is of order
    ``1/λ`` and nearly every proposal is accepted.
    """
    lam = a - 1.0 - T
    if lam <= 0:  # unreachable through _ball_radii (tiny P(a, T) implies T << a)
        raise ValueError("rejection sampler needs T < a - 1")
    span = -np.expm1(-lam)  # 1 - exp(-λ): the envelope's mass on [0, 1]
    out = np.empty(n)
    filled = 0
    while filled < n:
        want = n - filled
        m = want + want // 4 + 16
        y = -np.log1p(-rng.random(m) * span) / lam
        accept = rng.random(m) < np.exp((a - 1.0) * (np.log1p(-y) + y))
        got = y[accept][:want]
        out[filled:filled + got.size] = 1.0 - got
        filled += got.size
    return out


def _as_generator(random_state: RandomStateLike) -> np.random.Generator:
    """A Generator from a seed, SeedSequence or Generator (used as is, so it advances)."""
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError("random_state must be an int, SeedSequence, Generator or None, "
                        "not a bool")
    if random_state is None or isinstance(random_state, (np.random.Generator,
                                                         np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be an int, numpy.random.SeedSequence, numpy.random.Generator or "
        f"None, got {type(random_state).__name__}"
    )


def _check_count(name: str, value: object, minimum: int) -> int:
    return check_int(value, name, minimum)


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value
