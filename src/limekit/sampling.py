"""Samplers: draw a neighbourhood of an instance in the representation's code space.

A sampler knows the per-column distributions (:class:`TabularMarginals`) and
nothing about models or surrogates. Row 0 of every neighbourhood is the
instance itself, as in lime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._fast.discrete import DiscreteTable
from ._fast.packed import PackedBinary, as_dense
from ._random import BELOW_ONE

if TYPE_CHECKING:
    from .representations.tabular import TabularMarginals

__all__ = ["LimeTabularSampler", "DiscreteTable", "sample_discrete", "RemoveUniformCountSampler",
           "BernoulliMaskSampler", "KernelMaskSampler", "ShapleyMaskSampler",
           "TabularKernelSampler", "NBallSampler", "TabularShapleySampler",
           "TabularRealisticSampler", "ValueNeighbourhood", "PackedBinary", "as_dense",
           "TabularSampler", "TabularDraw", "TabularNeighbourhood"]


# ----------------------------------------------------------- the tabular protocol
class TabularDraw(NamedTuple):
    """What a tabular sampler may read to draw one neighbourhood.

    Attributes
    ----------
    representation : TabularRepresentation
        The explainer's representation of the table (columns, bins, marginals).
    row : InstanceRow
        The validated instance.
    instance_codes : ndarray of shape (d,)
        The instance in the representation's code space.
    kernel : Kernel
        The explainer's proximity kernel.
    background : object or None
        What :meth:`TabularSampler.prepare` returned (e.g. background rows).
    pooled : list or None
        Work arrays taken from the thread's pool, to give back afterwards.
    values_out : ndarray or None
        Where a sampler that can may write the model inputs (a slice of a batch's
        stacked input); others ignore it.
    """

    representation: object
    row: object
    instance_codes: np.ndarray
    kernel: object
    background: object = None
    pooled: list | None = None
    values_out: np.ndarray | None = None


class TabularNeighbourhood(NamedTuple):
    """One drawn neighbourhood; row 0 of each array is the instance.

    Attributes
    ----------
    part : ndarray or ValueNeighbourhood
        What the representation decodes into model inputs: codes of shape
        ``(n, d)``, or the model-input values themselves.
    Z : ndarray or PackedBinary
        The interpretable samples, shape ``(n, d)``.
    weights : ndarray of shape (n,)
        Proximity weights of the samples.
    """

    part: object
    Z: object
    weights: np.ndarray


class TabularSampler:
    """Base class of tabular samplers: the one interface the tabular explainer calls.

    A sampler's job is :meth:`neighbourhood`. The default implementation asks
    :meth:`draw` for ``n`` rows in the representation's code space (row 0 the
    instance's codes), turns them into interpretable samples and weighs them with
    the explainer's kernel, so a new sampler only needs ``draw``::

        class SwapOneColumn(TabularSampler):
            def draw(self, marginals, instance_codes, n, rng):
                codes = np.tile(instance_codes, (n, 1))
                col = rng.integers(0, marginals.n_features, size=n)
                codes[np.arange(n), col] = LimeTabularSampler().draw(
                    marginals, instance_codes, n, rng)[np.arange(n), col]
                codes[0] = instance_codes
                return codes

    Samplers that produce model inputs or weights of their own override
    :meth:`neighbourhood` instead; :meth:`prepare` fits what a sampler needs from
    the training data once, and :meth:`random_source` and :meth:`writes_in_place`
    let a sampler choose a cheaper random stream or write into a batch's input.
    """

    def prepare(self, representation, training_frame, random_state: int | None,
                background_size: int):
        """Learn what the sampler needs from the training data, once per explainer.

        Parameters
        ----------
        representation : TabularRepresentation
            The explainer's representation of the table.
        training_frame : pandas.DataFrame
            The training data.
        random_state : int or None
            The explainer's seed.
        background_size : int
            The explainer's ``background_size``.

        Returns
        -------
        object or None
            Passed back as ``TabularDraw.background`` on every draw.
        """
        return None

    def draw(self, marginals, instance_codes: np.ndarray, n: int, rng) -> np.ndarray:
        """Draw ``n`` rows in the code space (override this, or :meth:`neighbourhood`).

        Parameters
        ----------
        marginals : TabularMarginals
            The training columns' distributions.
        instance_codes : ndarray of shape (d,)
            The instance's codes.
        n : int
            Number of rows, the instance's included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        ndarray of float, shape (n, d)
            The codes; row 0 is ``instance_codes``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement draw() or "
                                  "neighbourhood()")

    def neighbourhood(self, request: TabularDraw, n: int, rng) -> TabularNeighbourhood:
        """Draw one neighbourhood of ``n`` samples.

        Parameters
        ----------
        request : TabularDraw
            The instance, the representation and the kernel.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator or numpy.uint64
            The random source chosen by :meth:`random_source`.

        Returns
        -------
        TabularNeighbourhood
            The decodable part, the interpretable samples and their weights.
        """
        rep, kernel = request.representation, request.kernel
        part = self.draw(rep.marginals(), request.instance_codes, n, rng)
        z = rep.to_interpretable(part, request.instance_codes)
        return TabularNeighbourhood(part, z, kernel.weights(kernel.distances(z, z[0])))

    def random_source(self, marginals, make_generator, make_word):
        """Choose the random source of one explanation.

        Parameters
        ----------
        marginals : TabularMarginals
            The training columns' distributions.
        make_generator : callable
            ``make_generator()`` returns the explanation's seeded Generator.
        make_word : callable
            ``make_word()`` returns the explanation's 64-bit seed word, for
            samplers that draw from a counter-based stream.

        Returns
        -------
        numpy.random.Generator or numpy.uint64
            What :meth:`neighbourhood` receives as ``rng``; a Generator by default.
        """
        return make_generator()

    def writes_in_place(self, representation, kernel) -> bool:
        """Whether :meth:`neighbourhood` writes model inputs into ``values_out``.

        Parameters
        ----------
        representation : TabularRepresentation
            The explainer's representation.
        kernel : Kernel
            The explainer's kernel.

        Returns
        -------
        bool
            ``False`` unless the sampler writes a batch's stacked input directly.
        """
        return False


def sample_discrete(rng: np.random.Generator, probabilities: tuple[np.ndarray, ...],
                    n: int) -> np.ndarray:
    """Draw ``n`` indices for each of several categorical distributions.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream.
    probabilities : tuple of ndarray
        One probability vector per distribution.
    n : int
        Number of draws.

    Returns
    -------
    ndarray of int, shape (n, m)
        Column ``j`` holds the draws from distribution ``j``.
    """
    return DiscreteTable(probabilities).draw(rng, n).astype(np.intp)


class LimeTabularSampler(TabularSampler):
    """Sample tabular neighbourhoods as lime does.

    Discrete (categorical or binned) columns draw a value from the training
    frequencies (the code's integer part; its fraction places a binned value
    inside the bin, see :class:`DiscreteTable`); continuous columns draw ``N(0, 1) · std + center`` where
    center is the training mean, or the instance with ``sample_around_instance``.
    Columns are independent, as in lime.

    Parameters
    ----------
    sample_around_instance : bool, default False
        Centre continuous columns on the instance instead of the training mean.
    """

    def __init__(self, sample_around_instance: bool = False) -> None:
        self.sample_around_instance = bool(sample_around_instance)

    def draw(self, marginals: TabularMarginals, instance_codes: np.ndarray, n: int,
             rng: np.random.Generator | np.uint64) -> np.ndarray:
        """Draw ``n`` samples in the interpretable code space.

        Parameters
        ----------
        marginals : TabularMarginals
            The training columns' distributions.
        instance_codes : ndarray of shape (d,)
            The instance's codes.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator or numpy.uint64
            The random stream; with all-discrete marginals it may be a 64-bit
            seed word.

        Returns
        -------
        ndarray of float, shape (n, d)
            The codes; row 0 is ``instance_codes``.
        """
        if marginals.discrete.size == marginals.n_features:
            codes = marginals.table.draw(rng, n)
        else:
            codes = np.empty((n, marginals.n_features))
            if marginals.discrete.size:
                codes[:, marginals.discrete] = marginals.table.draw(rng, n)
        g = marginals.gaussian
        if g.size:
            center = instance_codes[g] if self.sample_around_instance else marginals.mean
            codes[:, g] = rng.standard_normal((n, g.size)) * marginals.scale + center
        codes[0] = instance_codes
        return codes

    def _fusable(self, kernel) -> bool:
        # the fused compiled path reproduces exactly this class's draw with lime's distance
        return type(self).draw is LimeTabularSampler.draw and kernel.metric == "euclidean"

    def neighbourhood(self, request: TabularDraw, n: int, rng) -> TabularNeighbourhood:
        """Draw one neighbourhood as lime does (one compiled pass when it can).

        On all-binned data, sampling, the interpretable matrix, the model inputs
        and the distances are produced in one pass that gives the same numbers
        as the staged path (see :func:`limekit._compiled.lime_binned`).

        Parameters
        ----------
        request : TabularDraw
            The instance, the representation and the kernel.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator or numpy.uint64
            The random source chosen by :meth:`random_source`.

        Returns
        -------
        TabularNeighbourhood
            The decodable part, the interpretable samples and their weights.
        """
        rep, kernel = request.representation, request.kernel
        if self._fusable(kernel):
            table = kernel.weight_table(rep.n_features)
            fused = rep.lime_binned_neighbourhood(request.instance_codes, n, rng,
                                                  request.pooled, table, request.values_out)
            if fused is not None:
                z, values, per_row = fused
                w = per_row if table is not None else kernel.weights(np.sqrt(per_row))
                return TabularNeighbourhood(ValueNeighbourhood(values, None), z, w)
        return super().neighbourhood(request, n, rng)

    def random_source(self, marginals, make_generator, make_word):
        """Choose a counter-based seed word on all-discrete data, else a Generator.

        Parameters
        ----------
        marginals : TabularMarginals
            The training columns' distributions.
        make_generator : callable
            Returns the explanation's seeded Generator.
        make_word : callable
            Returns the explanation's 64-bit seed word.

        Returns
        -------
        numpy.random.Generator or numpy.uint64
            A seed word when every column is discrete (only the word stream is
            drawn then), else a Generator.
        """
        if marginals.discrete.size == marginals.n_features:
            return make_word()
        return make_generator()

    def writes_in_place(self, representation, kernel) -> bool:
        """Whether the fused path can write a batch's stacked model input.

        Parameters
        ----------
        representation : TabularRepresentation
            The explainer's representation.
        kernel : Kernel
            The explainer's kernel.

        Returns
        -------
        bool
            True on all-binned data with lime's distance.
        """
        return self._fusable(kernel) and representation.can_fuse_lime()

    def __repr__(self) -> str:
        return f"LimeTabularSampler(sample_around_instance={self.sample_around_instance})"


class RemoveUniformCountSampler:
    """Hide a uniform number of features per sample, as lime's text sampler.

    Each sample hides a uniformly drawn number ``k ∈ 1..d`` of distinct
    features (all of them possible), chosen uniformly at random.

    Vectorised: one uniform key per (sample, feature); a sample hides the ``k``
    features with the smallest keys, found with one row-wise sort instead of a
    Python loop of ``choice`` calls. Row 0 keeps everything.
    """

    def draw(self, d: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` masks over ``d`` features.

        Parameters
        ----------
        d : int
            Number of interpretable features.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        ndarray of float, shape (n, d)
            1 for kept, 0 for hidden features; row 0 keeps everything.
        """
        if d < 1:
            raise ValueError("there are no features to perturb")
        k = rng.integers(1, d + 1, size=n)
        keys = rng.random((n, d))
        kth = np.take_along_axis(np.sort(keys, axis=1), (k - 1)[:, None], axis=1)
        Z = (keys > kth).astype(float)
        Z[0] = 1.0
        return Z

    def __repr__(self) -> str:
        return "RemoveUniformCountSampler()"


class BernoulliMaskSampler:
    """Keep each feature independently with probability ``p``, as lime's image sampler.

    Parameters
    ----------
    p : float, default 0.5
        Probability that a feature is kept.
    """

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 < p < 1.0:
            raise ValueError(f"p must be in (0, 1), got {p}")
        self.p = float(p)

    def draw(self, d: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` masks over ``d`` features.

        Parameters
        ----------
        d : int
            Number of interpretable features.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        ndarray of float, shape (n, d)
            1 for kept, 0 for hidden features; row 0 keeps everything.
        """
        if d < 1:
            raise ValueError("there are no features to perturb")
        Z = (rng.random((n, d)) < self.p).astype(float)
        Z[0] = 1.0
        return Z

    def __repr__(self) -> str:
        return f"BernoulliMaskSampler(p={self.p:g})"


# ----------------------------------------------------------- samplers of issue 5
class KernelMaskSampler:
    """GLIME-Binomial: masks drawn *from* the proximity kernel, every sample weight 1.

    lime draws masks without regard to distance and then down-weights far
    samples; with a narrow kernel almost all the weight lands on a handful of
    samples (Kish effective sample size ``(Σw)²/Σw² ≪ N``) and the fit changes
    with the seed. Drawing the number of kept features ``i`` with probability
    ``∝ C(d, i)·k(dist(i))`` gives the same objective in expectation with every
    sample counting fully (see :func:`limekit.kernel_sampling.binomial_kernel_masks`).

    Parameters
    ----------
    kernel_width : float
        The explainer's kernel width.
    distance : {"euclidean", "cosine"}
        The explainer's distance between a mask and the all-ones instance.
    scale : float, default 1.0
        Distance multiplier (lime's text explainer uses 100).
    min_kept : int, default 0
        Fewest kept features per sample (text uses 1: an empty document says little).
    """

    own_weights = True

    def __init__(self, kernel_width: float, distance: str = "euclidean", scale: float = 1.0,
                 min_kept: int = 0) -> None:
        self.kernel_width = float(kernel_width)
        self.distance = distance
        self.scale = float(scale)
        self.min_kept = int(min_kept)

    def draw_with_weights(self, d: int, n: int, rng: np.random.Generator
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` masks from the kernel, with their (unit) weights.

        Parameters
        ----------
        d : int
            Number of interpretable features.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        Z : ndarray of float, shape (n, d)
            0/1 masks; row 0 is all ones.
        weights : ndarray of float, shape (n,)
            All ones.
        """
        from .kernel_sampling import binomial_kernel_masks

        if d < 1:
            raise ValueError("there are no features to perturb")
        Z = binomial_kernel_masks(d, n, self.kernel_width, rng, distance=self.distance,
                                  scale=self.scale, include_instance=True,
                                  min_kept=min(self.min_kept, d))
        return np.asarray(Z, dtype=float), np.ones(Z.shape[0])

    def __repr__(self) -> str:
        return (f"KernelMaskSampler(kernel_width={self.kernel_width:g}, "
                f"distance={self.distance!r}, scale={self.scale:g})")


class ShapleyMaskSampler:
    """KernelSHAP coalitions with Shapley-kernel weights (paired sampling by default).

    Row 0 is the full coalition (the instance), row 1 the empty one; both carry
    weight ``inf`` and are fitted as KernelSHAP's exact constraints by
    :class:`limekit.surrogates.ShapleySurrogate`.

    Parameters
    ----------
    paired : bool, default True
        Draw each coalition together with its complement.
    """

    own_weights = True
    shapley = True

    def __init__(self, paired: bool = True) -> None:
        self.paired = bool(paired)

    def draw_with_weights(self, d: int, n: int, rng: np.random.Generator
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` coalitions with their Shapley-kernel weights.

        Parameters
        ----------
        d : int
            Number of interpretable features.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        Z : ndarray of float, shape (n, d)
            0/1 coalitions; row 0 is the full one, row 1 the empty one.
        weights : ndarray of float, shape (n,)
            Shapley-kernel weights (``inf`` for rows 0 and 1).
        """
        from .shapley import KernelShapSampler

        if d < 1:
            raise ValueError("there are no features to perturb")
        return KernelShapSampler(self.paired).draw(d, max(n, 2), rng)

    def __repr__(self) -> str:
        return f"ShapleyMaskSampler(paired={self.paired})"


class TabularKernelSampler(TabularSampler):
    """GLIME for tabular data: neighbourhoods drawn from lime's kernel, unit weights.

    lime's Euclidean kernel ``exp(−‖z − z0‖²/(2w²))`` factorises over the
    interpretable features, so drawing from it is drawing each feature
    independently: a discrete (binned or categorical) feature keeps the
    instance's bin with probability ``1 / (1 + exp(−1/(2w²)))`` and otherwise
    takes another bin (training frequencies, renormalised); a continuous
    feature's z-score is ``z0 + w · N(0, 1)``. Every sample then has weight 1,
    which is what makes the fit stable (GLIME; see :doc:`/methods/glime`).

    Parameters
    ----------
    kernel_width : float
        The explainer's kernel width ``w``.
    antithetic : bool, default True
        Draw samples in antithetic pairs (uniforms ``u`` and ``1 − u``; Gaussian
        offsets ``ε`` and ``−ε``): same distribution, much lower variance.
    replacement : {"reference", "sample"}, default "reference"
        What a removed discrete feature becomes. ``"reference"``: one typical
        value of the *other* bins (their median; the most frequent other
        category), the same in every sample, so the model's answer depends on
        which features were removed and not on random replacement draws —
        measured on breast_cancer with a random forest, the draws were what
        made the top features change from seed to seed (Jaccard@5 0.63 with
        random draws vs 0.95 with references, same masks). ``"sample"``: a
        fresh draw from the other bins (lime's distribution), a kept feature
        keeping the instance's value.
    low_discrepancy : bool, default True
        Continuous features' offsets ``ε`` from scrambled Sobol' points (randomised
        quasi-Monte Carlo, features assigned to Sobol' dimensions in a random
        order) mapped through the normal quantile, instead of independent
        draws. Each sample is still exactly ``N(0, I)``; only the samples' joint
        spread changes (each feature's offsets fill its normal-quantile strata
        evenly, and low-dimensional projections are evenly spread too), which
        cancels much of the noise a model's non-linear terms put into the
        surrogate's weights. Measured with ``kernel_width=1.0`` and no
        discretizer (``feature_selection="highest_weights"``, mean Jaccard@5 of
        the top 5 over 10 seeds, N = 1000, 50 rows): a random forest 0.77 → 0.84
        (breast_cancer) and 0.87 → 0.94 (wine); an MLP within ±0.015.
    """

    own_weights = True

    def __init__(self, kernel_width: float, antithetic: bool = True,
                 replacement: str = "reference", low_discrepancy: bool = True) -> None:
        if replacement not in ("reference", "sample"):
            raise ValueError(f"replacement must be 'reference' or 'sample', got {replacement!r}")
        self.kernel_width = float(kernel_width)
        self.antithetic = bool(antithetic)
        self.replacement = replacement
        self.low_discrepancy = bool(low_discrepancy)

    #: Whether the explainer passes ``instance_position`` (codes decoding to the instance's values).
    wants_position = True

    def draw_with_weights(self, marginals: TabularMarginals, instance_codes: np.ndarray,
                          n: int, rng: np.random.Generator,
                          instance_position: np.ndarray | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` samples from the kernel, with their (unit) weights.

        A kept feature keeps the instance's own value when ``instance_position``
        is given (the interpretable "unchanged" means unchanged), else a value
        drawn inside the instance's bin, as lime does.

        Parameters
        ----------
        marginals : TabularMarginals
            The training columns' distributions.
        instance_codes : ndarray of shape (d,)
            The instance's codes.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.
        instance_position : ndarray of shape (d,), optional
            Codes that decode to the instance's own values.

        Returns
        -------
        codes : ndarray of float, shape (n, d)
            The samples' codes; row 0 is the instance.
        weights : ndarray of float, shape (n,)
            All ones.
        """
        from .kernel_sampling import binomial_kernel_masks

        codes = np.empty((n, marginals.n_features))
        disc = marginals.discrete
        if disc.size:
            if self.antithetic:
                keep = _antithetic_keep(disc.size, n, self.kernel_width, rng)
            else:
                keep = binomial_kernel_masks(disc.size, n, self.kernel_width, rng,
                                             distance="euclidean").astype(bool)
            inst = instance_codes[disc]
            if self.replacement == "reference":
                ref = _reference_codes(marginals, inst)
                keep |= ~np.isfinite(ref)  # a column with one category cannot change
                kept = inst if instance_position is None else instance_position[disc]
                codes[:, disc] = np.where(keep, kept, np.where(np.isfinite(ref), ref, kept))
                return self._gaussian(marginals, instance_codes, codes, n, rng)
            drawn = marginals.table.draw(rng, n)
            # Removed features need another bin: redraw where the draw hit the instance's
            # bin (a few rounds suffice unless that bin holds nearly all the mass).
            movable = np.array([p[int(c)] < 1.0 - 1e-12
                                for p, c in zip(marginals.probabilities, inst, strict=True)])
            keep |= ~movable
            for _ in range(64):
                clash = ~keep & (np.floor(drawn) == inst)
                if not clash.any():
                    break
                rows = np.flatnonzero(clash.any(axis=1))
                redraw = marginals.table.draw(rng, rows.size)
                drawn[rows] = np.where(clash[rows], redraw, drawn[rows])
            keep |= np.floor(drawn) == inst  # gave up: counts as kept, as its Z says
            # kept features stay in the instance's bin, at a fresh position inside it
            if instance_position is not None:
                codes[:, disc] = np.where(keep, instance_position[disc], drawn)
            else:
                within = drawn - np.floor(drawn)
                codes[:, disc] = np.where(keep, inst + within, drawn)
        return self._gaussian(marginals, instance_codes, codes, n, rng)

    def _gaussian(self, marginals, instance_codes, codes, n, rng):
        """Continuous columns (GLIME-Gauss), the instance in row 0, unit weights."""
        g = marginals.gaussian
        if g.size:
            if self.low_discrepancy and g.size <= _SOBOL_MAX_DIM:
                eps = np.zeros((n, g.size))
                m = n - 1  # row 0 is the instance
                free = (m + 1) // 2 if self.antithetic else m
                eps[1 : 1 + free] = _sobol_normal(free, g.size, rng)
            else:
                eps = rng.standard_normal((n, g.size))
            if self.antithetic:  # pairs z0 + ε, z0 − ε
                eps = _mirror_normal(eps)
            codes[:, g] = instance_codes[g] + self.kernel_width * marginals.scale * eps
        codes[0] = instance_codes
        return codes, np.ones(n)

    def neighbourhood(self, request: TabularDraw, n: int, rng) -> TabularNeighbourhood:
        """Draw ``n`` samples from the kernel; every sample has weight 1.

        Parameters
        ----------
        request : TabularDraw
            The instance, the representation and the kernel.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        TabularNeighbourhood
            The codes, the interpretable samples and their (unit) weights.
        """
        rep, codes0 = request.representation, request.instance_codes
        position = rep.instance_positions(request.row, codes0)
        part, w = self.draw_with_weights(rep.marginals(), codes0, n, rng, position)
        return TabularNeighbourhood(part, rep.to_interpretable(part, codes0), w)

    def __repr__(self) -> str:
        return (f"TabularKernelSampler(kernel_width={self.kernel_width:g}, "
                f"antithetic={self.antithetic}, replacement={self.replacement!r}, "
                f"low_discrepancy={self.low_discrepancy})")


#: scipy's Sobol' direction numbers cover this many dimensions
_SOBOL_MAX_DIM = 21201


def _sobol_normal(m: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``m × d`` standard-normal draws from scrambled Sobol' points (RQMC).

    The first ``m`` points of a scrambled Sobol' sequence (each exactly uniform
    on the unit cube), columns in a random order so that no feature is favoured
    by its position, through the normal quantile.
    """
    if m <= 0:
        return np.empty((0, d))
    from scipy.special import ndtri
    from scipy.stats import qmc

    u = qmc.Sobol(d, scramble=True, seed=rng).random_base2(max(int(m - 1).bit_length(), 0))
    u = u[:m, rng.permutation(d)]
    # a scrambled point is uniform on [0, 1); keep the quantile finite
    return ndtri(np.clip(u, 2.0 ** -53, 1.0 - 2.0 ** -53))


def _reference_codes(marginals: TabularMarginals, inst: np.ndarray) -> np.ndarray:
    """Per discrete column, the code of a typical value *outside* the instance's bin:
    the median of the other bins' mass (ordered bins), or the most frequent other
    category; ``nan`` when no other value has mass."""
    out = np.full(inst.size, np.nan)
    ordered = (marginals.ordered if marginals.ordered is not None
               else np.zeros(inst.size, dtype=bool))
    for c, (p, b) in enumerate(zip(marginals.probabilities, inst.astype(int), strict=True)):
        other = np.asarray(p, dtype=float).copy()
        other[b] = 0.0
        total = other.sum()
        if total <= 1e-12:
            continue
        if not ordered[c]:
            out[c] = float(np.argmax(other))
            continue
        cum = np.cumsum(other)
        k = int(np.searchsorted(cum, total / 2.0))
        before = cum[k] - other[k]
        out[c] = k + min((total / 2.0 - before) / other[k], BELOW_ONE)
    return out


def _antithetic_keep(d: int, n: int, kernel_width: float, rng: np.random.Generator
                     ) -> np.ndarray:
    """Kernel-drawn keep masks in antithetic pairs (row 0 keeps all).

    Under the factorised Euclidean kernel each feature is kept independently
    with ``q = 1 / (1 + exp(−1/(2w²)))``; sample ``i`` uses uniforms ``u`` and
    its partner ``1 − u``. Each row keeps the exact distribution, while a
    pair's masks are as opposite as the distribution allows, which cancels
    most of the sampling noise that even (interaction) terms of the model
    put into the surrogate's weights.
    """
    q = 1.0 / (1.0 + np.exp(-1.0 / (2.0 * kernel_width * kernel_width)))
    u = _antithetic(rng.random((n, d)))
    keep = u < q
    keep[0] = True
    return keep


def _antithetic(draws: np.ndarray) -> np.ndarray:
    """Rows 1.. of ``draws`` rewritten as antithetic pairs: the second half mirrors
    the first (``1 − u`` for uniforms in [0, 1); pass ``-ε`` mirroring via
    :func:`_mirror_normal` for Gaussians). Row 0 (the instance) is untouched."""
    m = draws.shape[0] - 1
    first = (m + 1) // 2
    draws[1 + first :] = 1.0 - draws[1 : 1 + m - first]
    return draws


def _mirror_normal(eps: np.ndarray) -> np.ndarray:
    """Rows 1.. of Gaussian draws as antithetic pairs ``ε, −ε``."""
    m = eps.shape[0] - 1
    first = (m + 1) // 2
    eps[1 + first :] = -eps[1 : 1 + m - first]
    return eps


# -------------------------------------------- samplers that draw values, not codes
class ValueNeighbourhood(NamedTuple):
    """Sampled model-input values of one instance (see :meth:`TabularRepresentation.decode_values`).

    ``numeric`` is ``(m · repeats, d)``; ``category_codes`` ``(m · repeats,
    n_categorical)`` or ``None`` (the instance's categories); each of the ``m``
    interpretable samples is scored as the mean over its ``repeats`` rows.

    Attributes
    ----------
    numeric : ndarray of float, shape (m * repeats, d)
        Model-input values of every column (categorical columns as codes).
    category_codes : ndarray of int or None
        Categories of the categorical columns, or ``None`` for the instance's.
    repeats : int
        Model rows per interpretable sample.
    """

    numeric: np.ndarray
    category_codes: np.ndarray | None
    repeats: int = 1


def _instance_values(rep, row) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    numeric, codes = rep.row_values(pd.DataFrame([row.to_numpy(dtype=object)]))
    return numeric[0], codes[0]


def _numeric_scale(rep) -> np.ndarray:
    """Training standard deviation of each numeric column (0 for categorical/constant)."""
    scale = np.zeros(rep.n_features)
    for j in rep.numeric_idx:
        scale[j] = rep.columns[j].std
    return scale


class _ValueSampler(TabularSampler):
    """A tabular sampler that draws model-input values directly (``draw_values``)."""

    def neighbourhood(self, request: TabularDraw, n: int, rng) -> TabularNeighbourhood:
        """Draw ``n`` neighbours' values; weigh them by the kernel unless the sampler does.

        Parameters
        ----------
        request : TabularDraw
            The instance, the representation and the kernel.
        n : int
            Number of samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.

        Returns
        -------
        TabularNeighbourhood
            The values, the interpretable samples and their weights.
        """
        part, z, w = self.draw_values(request.representation, request.row,
                                      request.instance_codes, n, rng, request.background)
        if w is None:
            w = request.kernel.weights(request.kernel.distances(z, z[0]))
        return TabularNeighbourhood(part, z, w)


class NBallSampler(_ValueSampler):
    """N-ball sampling (:doc:`/methods/nball`): numeric features perturbed inside a ball.

    Offsets in training-standard-deviation units have a uniform direction and
    a radius with density ``∝ k(r)·r^(d−1)`` on ``[0, r_max]`` (``k`` lime's
    kernel of width ``kernel_width``), so the neighbourhood is local by
    construction and every sample gets weight 1. Categorical columns keep the
    instance's value.

    Parameters
    ----------
    kernel_width : float
        Width of lime's kernel, in training standard deviations.
    r_max : float, optional
        Ball radius in standard deviations; default ``kernel_width``.
    """

    def __init__(self, kernel_width: float, r_max: float | None = None) -> None:
        self.kernel_width = float(kernel_width)
        self.r_max = float(kernel_width if r_max is None else r_max)
        if not (np.isfinite(self.r_max) and self.r_max > 0):
            raise ValueError(f"r_max must be a positive number, got {r_max!r}")

    def draw_values(self, rep, row, instance_codes: np.ndarray, n: int,
                    rng: np.random.Generator, background=None):
        """Draw ``n`` neighbours inside the ball.

        Parameters
        ----------
        rep : TabularRepresentation
            The explainer's representation of the table.
        row : InstanceRow
            The validated instance.
        instance_codes : ndarray of shape (n_features,)
            The instance's codes in the interpretable space.
        n : int
            Number of interpretable samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.
        background : tuple of ndarray, optional
            Background rows ``(numeric, category_codes)``; unused.

        Returns
        -------
        values : ValueNeighbourhood
            The model inputs to score.
        Z : ndarray of shape (n, n_features)
            The interpretable samples.
        weights : ndarray of shape (n,) or None
            All ones.
        """
        from .kernel_sampling import nball_samples

        num = rep.numeric_idx
        if num.size == 0:
            raise ValueError("sampler='nball' needs numeric columns; this data has none")
        x, _ = _instance_values(rep, row)
        offsets = nball_samples(num.size, n, self.kernel_width, self.r_max, rng)
        numeric = np.tile(x, (n, 1))
        numeric[:, num] += offsets * _numeric_scale(rep)[num]
        Z = rep.interpretable_from_values(numeric, instance_codes)
        return ValueNeighbourhood(numeric, None), Z, np.ones(n)

    def __repr__(self) -> str:
        return f"NBallSampler(kernel_width={self.kernel_width:g}, r_max={self.r_max:g})"


class TabularShapleySampler(_ValueSampler):
    """Sample KernelSHAP coalitions for tables, absent features taken from background rows.

    An absent feature takes the values of background training rows and the
    model output is averaged over them (the interventional value function
    ``E_b f(x_S, b_S̄)``).

    Parameters
    ----------
    paired : bool, default True
        Draw each coalition together with its complement.
    """

    own_weights = True
    shapley = True

    def __init__(self, paired: bool = True) -> None:
        self.paired = bool(paired)

    def prepare(self, representation, training_frame, random_state: int | None,
                background_size: int):
        """Pick the background rows whose values fill the absent features.

        Parameters
        ----------
        representation : TabularRepresentation
            The explainer's representation of the table.
        training_frame : pandas.DataFrame
            The training data.
        random_state : int or None
            The explainer's seed (the pick is reproducible).
        background_size : int
            How many training rows to keep.

        Returns
        -------
        tuple of ndarray
            The background rows' values, as ``TabularDraw.background``.
        """
        if isinstance(background_size, bool) or int(background_size) < 1:
            raise ValueError(f"background_size must be a positive int, got {background_size!r}")
        picked = np.random.default_rng(random_state).permutation(len(training_frame))
        return representation.row_values(
            training_frame.iloc[np.sort(picked[: int(background_size)])])

    def draw_values(self, rep, row, instance_codes: np.ndarray, n: int,
                    rng: np.random.Generator, background):
        """Draw ``n`` coalitions and the background-filled rows to score.

        Parameters
        ----------
        rep : TabularRepresentation
            The explainer's representation of the table.
        row : InstanceRow
            The validated instance.
        instance_codes : ndarray of shape (n_features,)
            The instance's codes in the interpretable space.
        n : int
            Number of interpretable samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.
        background : tuple of ndarray
            Background rows ``(numeric, category_codes)``; required.

        Returns
        -------
        values : ValueNeighbourhood
            The model inputs to score.
        Z : ndarray of shape (n, n_features)
            The interpretable samples.
        weights : ndarray of shape (n,) or None
            The Shapley-kernel weights.
        """
        from .shapley import KernelShapSampler

        masks, weights = KernelShapSampler(self.paired).draw(rep.n_features, max(n, 2), rng)
        x, x_codes = _instance_values(rep, row)
        bg, bg_codes = background
        keep = masks.astype(bool)
        numeric = np.where(keep[:, None, :], x, bg[None, :, :]).reshape(-1, rep.n_features)
        cats = None
        if rep.categorical_idx.size:
            keep_c = keep[:, rep.categorical_idx]
            cats = np.where(keep_c[:, None, :], x_codes, bg_codes[None, :, :]).reshape(
                -1, rep.categorical_idx.size)
        return ValueNeighbourhood(numeric, cats, repeats=bg.shape[0]), masks, weights

    def __repr__(self) -> str:
        return f"TabularShapleySampler(paired={self.paired})"


class TabularRealisticSampler(_ValueSampler):
    """Draw neighbours on the data manifold from a generative model of the numeric columns.

    The generator (:mod:`limekit.realistic`) models the numeric training
    columns; samples are weighted by the kernel. Categorical columns keep the
    instance's value.

    Parameters
    ----------
    generator : limekit.realistic.RealisticSampler, optional
        Default a Gaussian mixture (:class:`~limekit.realistic.GaussianMixtureSampler`).
    scale : float, default 1.0
        Neighbourhood size passed to the generator.
    """

    def __init__(self, generator=None, scale: float = 1.0) -> None:
        self.generator = generator
        self.scale = float(scale)

    def prepare(self, representation, training_frame, random_state: int | None,
                background_size: int):
        """Fit the generator to the training data (see :meth:`fit`).

        Parameters
        ----------
        representation : TabularRepresentation
            The explainer's representation of the table.
        training_frame : pandas.DataFrame
            The training data.
        random_state : int or None
            Unused: the generator has its own seed.
        background_size : int
            Unused.

        Returns
        -------
        None
            Nothing is passed back to the draws.
        """
        self.fit(representation, training_frame)
        return None

    def fit(self, rep, frame) -> TabularRealisticSampler:
        """Fit the generator to the numeric training columns.

        Parameters
        ----------
        rep : TabularRepresentation
            The explainer's representation of the table.
        frame : pandas.DataFrame
            The training data.

        Returns
        -------
        TabularRealisticSampler
            This sampler, fitted.
        """
        from .realistic import GaussianMixtureSampler

        if rep.numeric_idx.size == 0:
            raise ValueError("sampler='realistic' needs numeric columns; this data has none")
        if self.generator is None:
            self.generator = GaussianMixtureSampler(random_state=0)
        numeric, _ = rep.row_values(frame)
        self.generator.fit(numeric[:, rep.numeric_idx])
        return self

    def draw_values(self, rep, row, instance_codes: np.ndarray, n: int,
                    rng: np.random.Generator, background=None):
        """Draw ``n`` neighbours from the generator around the instance.

        Parameters
        ----------
        rep : TabularRepresentation
            The explainer's representation of the table.
        row : InstanceRow
            The validated instance.
        instance_codes : ndarray of shape (n_features,)
            The instance's codes in the interpretable space.
        n : int
            Number of interpretable samples, the instance's row included.
        rng : numpy.random.Generator
            The random stream.
        background : tuple of ndarray, optional
            Background rows ``(numeric, category_codes)``; unused.

        Returns
        -------
        values : ValueNeighbourhood
            The model inputs to score.
        Z : ndarray of shape (n, n_features)
            The interpretable samples.
        weights : ndarray of shape (n,) or None
            ``None``: the explainer weights them by its kernel.
        """
        x, _ = _instance_values(rep, row)
        num = rep.numeric_idx
        numeric = np.tile(x, (n, 1))
        numeric[:, num] = self.generator.sample(x[num], n, scale=self.scale, random_state=rng)
        Z = rep.interpretable_from_values(numeric, instance_codes)
        return ValueNeighbourhood(numeric, None), Z, None

    def __repr__(self) -> str:
        return f"TabularRealisticSampler({self.generator!r}, scale={self.scale:g})"
