"""Tabular LIME: the pipeline of representation, sampler, black box, kernel and surrogate."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _pool
from .._memory import DEFAULT_MEMORY_BUDGET, check_memory_budget, rows_per_chunk
from .._random import check_random_state, explanation_rng, explanation_word, instance_digest
from .._validation import check_class_names, check_mode, check_num_features
from ..batch import ExplanationBatch, run_groups
from ..blackbox import as_blackbox
from ..calibration import calibrate_neighbourhood
from ..explanation import Explanation
from ..kernels import Kernel
from ..representations.tabular import (
    CATEGORICAL,
    InstanceRow,
    TabularRepresentation,
    _as_training_frame,
)
from ..sampling import (
    LimeTabularSampler,
    NBallSampler,
    TabularDraw,
    TabularKernelSampler,
    TabularRealisticSampler,
    TabularSampler,
    TabularShapleySampler,
    ValueNeighbourhood,
    as_dense,
)
from ..surrogates import check_feature_selection, make_surrogate
from ._common import (
    BOOTSTRAP_STREAM,
    DEFAULT_NUM_FEATURES,
    FIDELITY_STREAM,
    adaptive_samples,
    apply_link,
    check_calibrator,
    check_fidelity_samples,
    check_link,
    check_num_samples_or_auto,
    diagnose,
    fit_label_explanations,
    heldout_fidelity,
    resolve_labels,
    resolve_link,
    surrogate_for,
)

__all__ = ["TabularExplainer", "TABULAR_SAMPLERS"]

#: ``sampler=`` names of :class:`TabularExplainer`.
TABULAR_SAMPLERS = ("lime", "kernel", "nball", "kernelshap", "realistic")



def _same_data(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays of one shape start at the same memory address."""
    return a.shape == b.shape and (a.__array_interface__["data"][0]
                                   == b.__array_interface__["data"][0])


def sampler_name(sampler) -> str:
    """The ``sampler=`` name of a tabular sampler object (its repr for custom ones)."""
    names = {LimeTabularSampler: "lime", TabularKernelSampler: "kernel", NBallSampler: "nball",
             TabularShapleySampler: "kernelshap", TabularRealisticSampler: "realistic"}
    return names.get(type(sampler), repr(sampler))


def _make_sampler(sampler, sample_around_instance: bool, kernel_width: float):
    """The sampler object for ``sampler=`` (a name from TABULAR_SAMPLERS or an object)."""
    if sampler is None or (isinstance(sampler, str) and sampler == "lime"):
        return LimeTabularSampler(sample_around_instance)
    if isinstance(sampler, str):
        makers = {"kernel": lambda: TabularKernelSampler(kernel_width),
                  "nball": lambda: NBallSampler(kernel_width),
                  "kernelshap": lambda: TabularShapleySampler(),
                  "realistic": lambda: TabularRealisticSampler()}
        if sampler not in makers:
            raise ValueError(f"sampler must be one of {TABULAR_SAMPLERS} or a sampler object, "
                             f"got {sampler!r}")
        return makers[sampler]()
    from ..realistic import RealisticSampler

    if isinstance(sampler, RealisticSampler):
        return TabularRealisticSampler(sampler)
    if isinstance(sampler, TabularSampler):
        return sampler
    raise TypeError(f"sampler must be one of {TABULAR_SAMPLERS} or a "
                    f"limekit.sampling.TabularSampler (subclass it and implement draw or "
                    f"neighbourhood), got {type(sampler).__name__}")

# Samples decoded and scored together by explain_batch when batch_size is not given.
# Grouping saves per-call model overhead, but past ~10 MB of stacked samples the
# arrays fall out of cache and each row costs more (measured on breast_cancer, N=5000,
# LogisticRegression: rows/s 830 at 20 000 samples per group, 880 at 40 000-80 000,
# 760 at 160 000).
_DEFAULT_SAMPLES_PER_GROUP = 50_000
# bytes alive per sampled value while a group is explained: codes, interpretable
# matrix, values, model input, centred design (8 bytes each) and slack
_BYTES_PER_VALUE = 48



class TabularExplainer:
    """Explain predictions of any model on tabular data with LIME.

    Parameters
    ----------
    training_data : ndarray or DataFrame of shape (n_rows, n_features)
        Data whose per-feature distributions the neighbourhood is drawn from.
        A scipy.sparse matrix is accepted in continuous mode
        (``discretizer=None``): its column means and standard deviations are
        computed without densifying it, and the model is called with CSR
        matrices.
        With a DataFrame, feature names come from its columns, ``object``,
        ``category``, ``string`` and ``bool`` columns are categorical, and the
        model is called with a DataFrame of the same columns and dtypes (so a
        scikit-learn Pipeline with a ColumnTransformer works unchanged).
    mode : {"classification", "regression"}, default "classification"
    feature_names : sequence of str, optional
        Display names; default the DataFrame columns or ``x0, x1, ...``.
    categorical_features : sequence of int or str, optional
        Further columns (indices or names) to treat as categorical.
    class_names : sequence of str, optional
        Names of the model's output columns (classification).
    discretizer : {"quartile", "decile", "entropy"} or None, default "quartile"
        Bin continuous features (lime's default) or keep them continuous
        (``None``; weights are then per training standard deviation).
    kernel_width : float, optional
        Width of the exponential kernel; default ``0.75 * sqrt(n_features)``.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the ``num_features`` features are chosen (lime's semantics).
    random_state : int, optional
        Seed. An explanation depends only on the seed, the instance and the
        settings: not on what was explained before.
    training_labels : array-like, optional
        Training targets, needed by ``discretizer="entropy"``.
    sample_around_instance : bool, default False
        Continuous mode: centre the Gaussian samples on the instance instead of
        the training mean.
    surrogate : {"ridge", "lasso", "mars", "tree", "bayes"} or object, optional
        The local model; default ``"ridge"`` (``RidgeSurrogate(alpha=1.0)``, as in
        lime). ``"mars"`` fits splines (nonlinear, reports local slopes),
        ``"tree"`` a shallow tree (rules), ``"bayes"`` Bayesian ridge (credible
        intervals in ``details``), ``"lasso"`` a weighted Lasso; any object with
        ``fit(design, label, features, z0) -> SurrogateFit`` works.
    kernel : callable, optional
        ``kernel(distances, width) -> weights``; default lime's exponential kernel.
    batch_size : int, optional
        Call the model on at most this many samples at once.
    sampler : {"lime", "kernel", "nball", "kernelshap", "realistic"} or object, default "lime"
        How the neighbourhood is drawn (see :doc:`/methods/glime`):

        * ``"lime"``: lime's sampler, weighted by the kernel (parity with lime);
        * ``"kernel"``: drawn *from* the kernel (GLIME), unit weights — the
          stable choice: every sample counts;
        * ``"nball"``: numeric columns perturbed uniformly in direction, radius
          from the kernel inside a ball of radius ``kernel_width`` training
          standard deviations (:class:`NBallSampler` to choose the radius);
          unit weights; categorical columns keep the instance's value;
        * ``"kernelshap"``: Shapley coalitions; absent features take the values
          of ``background_size`` training rows (averaged); the weights are
          Shapley values, ``intercept + Σ weights = prediction`` exactly;
        * ``"realistic"``: samples on the data manifold from a generative model
          of the numeric training columns (a Gaussian mixture), kernel-weighted;
          or pass a :class:`limekit.realistic.RealisticSampler` instance (e.g. a
          :class:`limekit.VAESampler` with the ``torch`` extra);
        * your own: an instance of a :class:`limekit.sampling.TabularSampler`
          subclass, which implements ``draw`` (rows in the code space) or
          ``neighbourhood`` (samples, model inputs and weights of its own).
    background_size : int, default 50
        Training rows standing in for absent features with ``sampler="kernelshap"``.
    fidelity_samples : int, default 0
        When positive, every explanation also measures its surrogate against the
        model on this many *fresh* neighbourhood samples (held-out RMSE and R²
        in ``exp.fidelity``, shown in every rendering) at the cost of as many
        extra model calls.
    link : {"identity", "logit", "auto"}, default "identity"
        Scale the surrogate explains (classification): the probabilities, or
        their log-odds (bounded at ±27.6, the log-odds of 1e-12, so an exact 0
        or 1 stays finite). Log-odds suit confident models, whose probabilities
        barely move near 0 or 1; weights, intercept and ``local_pred`` are then
        in log-odds. ``"auto"`` uses log-odds when more than 5% of the
        neighbourhood's probabilities are within 0.01 of 0 or 1 (a saturated
        model) and most of those are strictly inside (0, 1) (a smooth logistic
        or softmax output, not the vote fractions of a forest or k-nearest
        neighbours), else probabilities; ``exp.settings["link"]`` says which.
    calibrate : limekit.calibration.ReCalX, optional
        A fitted ReCalX calibrator: the model's probabilities on the perturbed
        samples are recalibrated for their perturbation level (the fraction of
        features changed) before the surrogate sees them (see :doc:`/methods/recalx`). Needs a
        binary interpretable representation (a discretizer).

    Notes
    -----
    The recommended setting for stable explanations (measured in
    ``benchmarks/bench_stability.py``) is ``sampler="kernel",
    feature_selection="highest_weights", link="auto"``: samples drawn from
    the kernel in antithetic pairs with fixed replacement values (continuous
    offsets from scrambled Sobol' points), features ranked by the full ridge
    fit (greedy forward selection is the least stable choice on smooth models,
    though slightly more stable on forests in continuous mode), on the
    log-odds scale when the model saturates smoothly.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from limekit import TabularExplainer
    >>> data = load_breast_cancer(as_frame=True)
    >>> X, y = data.data, data.target
    >>> model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)
    >>> explainer = TabularExplainer(X, class_names=list(data.target_names), random_state=0)
    >>> exp = explainer.explain(X.iloc[0], model, num_features=5, num_samples=1000)
    >>> len(exp.as_list())
    5
    """

    def __init__(self, training_data, mode: str = "classification",
                 feature_names: Sequence[str] | None = None,
                 categorical_features: Sequence[int | str] | None = None,
                 class_names: Sequence[str] | None = None,
                 discretizer: str | None = "quartile",
                 kernel_width: float | None = None,
                 feature_selection: str = "auto",
                 random_state: int | None = None,
                 training_labels=None,
                 sample_around_instance: bool = False,
                 surrogate=None,
                 kernel=None,
                 batch_size: int | None = None,
                 sampler="lime",
                 background_size: int = 50,
                 fidelity_samples: int = 0,
                 link: str = "identity",
                 calibrate=None) -> None:
        self.mode = check_mode(mode)
        self.random_state = check_random_state(random_state)
        check_feature_selection(feature_selection)
        self.feature_selection = feature_selection
        self.representation = TabularRepresentation(
            training_data, feature_names=feature_names,
            categorical_features=categorical_features, discretizer=discretizer,
            training_labels=training_labels, seed=self.random_state)
        d = self.representation.n_features
        self.kernel = Kernel(0.75 * np.sqrt(d) if kernel_width is None else kernel_width,
                             fn=kernel)
        self.class_names = check_class_names(class_names)
        self.discretizer = discretizer
        self.sample_around_instance = bool(sample_around_instance)
        self.sampler = _make_sampler(sampler, self.sample_around_instance, self.kernel.width)
        self._background = None
        if type(self.sampler).prepare is not TabularSampler.prepare:
            # only samplers that learn from the training data need it as a frame
            frame = _as_training_frame(training_data, feature_names)[0]
            self._background = self.sampler.prepare(self.representation, frame,
                                                    self.random_state, background_size)
        self.surrogate = make_surrogate(surrogate)
        self.batch_size = batch_size
        self.fidelity_samples = check_fidelity_samples(fidelity_samples)
        self.link = check_link(link, self.mode)
        self.calibrate = check_calibrator(calibrate, self.mode,
                                          binary=discretizer is not None
                                          or self.representation.continuous_idx.size == 0)

    # ------------------------------------------------------------- properties
    @property
    def feature_names(self) -> list[str]:
        return list(self.representation.feature_names)

    @property
    def categorical_features(self) -> list[int]:
        return self.representation.categorical_features

    @property
    def kernel_width(self) -> float:
        return self.kernel.width

    # ---------------------------------------------------------------- explain
    def explain(self, instance, model: Any, labels: Sequence[int] | None = None,
                top_labels: int | None = None, num_features: int | None = DEFAULT_NUM_FEATURES,
                num_samples: int = 5000, distance_metric: str = "euclidean",
                batch_size: int | None = None, deduplicate: bool = False,
                fidelity_samples: int | None = None) -> Explanation:
        """Explain the model's prediction for one instance.

        Parameters
        ----------
        instance : 1-D array, list, dict, pandas Series, or one-row DataFrame
            The instance to explain, with the training data's columns.
        model : callable or estimator
            Returns class probabilities (classification; ``predict_proba`` is
            used when present) or values (regression; ``predict``).
        labels : sequence of int, optional
            Classes to explain. Default: the predicted class (classification),
            the output (regression).
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int or None, default 10
            Features in each explanation (clipped to the number of features if
            left at the default); ``None`` keeps all.
        num_samples : int or "auto", default 5000
            Neighbourhood size (row 0 is the instance itself). ``"auto"`` starts
            at 1000 and doubles (up to 64 000) until a bootstrap of the samples
            ranks the same top-``num_features`` features (mean Jaccard ≥ 0.95);
            the size used is ``exp.num_samples``, the model calls spent
            ``exp.settings["model_calls"]``.
        distance_metric : {"euclidean", "cosine"}
            Distance in the interpretable space.
        batch_size : int, optional
            Model-call chunk size; overrides the explainer's.
        deduplicate : bool, default False
            Ask the model once per distinct perturbed row.
        fidelity_samples : int, optional
            Fresh neighbourhood samples on which to measure the surrogate's
            held-out fidelity (``exp.fidelity``); overrides the explainer's.

        Returns
        -------
        Explanation
            The weights of each explained label's surrogate, with its fidelity
            and diagnostics.
        """
        options = self._options(num_features, num_samples, distance_metric, fidelity_samples)
        row = self.representation.check_instance(instance)
        # every sample is drawn from the validated (finite) training data and instance
        blackbox = as_blackbox(model, self.mode, batch_size or self.batch_size,
                               deduplicate=deduplicate, finite_inputs=True)
        return self._explain_rows([row], blackbox, labels, top_labels, options)[0]

    def explain_batch(self, X, model: Any, labels: Sequence[int] | None = None,
                      top_labels: int | None = None,
                      num_features: int | None = DEFAULT_NUM_FEATURES,
                      num_samples: int = 5000, distance_metric: str = "euclidean",
                      batch_size: int | None = None, n_jobs: int = 1, progress: bool = True,
                      deduplicate: bool = False,
                      fidelity_samples: int | None = None,
                      memory_budget: int | None = DEFAULT_MEMORY_BUDGET) -> ExplanationBatch:
        """Explain many rows: one model call per memory-bounded chunk of rows.

        Every row's explanation is identical to ``explain(row, ...)`` (its
        randomness derives from the seed and the row's values only), whatever
        ``batch_size`` or ``n_jobs``, provided the model scores each row
        independently of the others in its call.

        Parameters
        ----------
        X : DataFrame or 2-D array
            Rows to explain, with the training data's columns.
        model, labels, top_labels, num_features, num_samples, distance_metric : optional
            As in :meth:`explain` (``model`` is required).
        batch_size : int, optional
            Most model rows per call. Rows are explained in groups of
            ``max(1, batch_size // num_samples)`` instances whose neighbourhoods
            are decoded and scored together, so memory stays bounded by the
            group, not by ``len(X)``. Default: groups of 50 000 samples.
        n_jobs : int, default 1
            Groups explained in parallel with joblib (``-1``: all cores). The
            explainer and the model must pickle.
        progress : bool, default True
            Show a tqdm progress bar when there is more than one group (needs
            ``limekit[progress]``; silently off without tqdm).
        deduplicate : bool, default False
            Ask the model once per distinct perturbed row (see :class:`BlackBox`).
        fidelity_samples : int, optional
            As in :meth:`explain`.
        memory_budget : int or None, default 256 MiB
            Bytes of sampled neighbourhoods (codes, interpretable matrix, model
            inputs) alive at once: rows are grouped so a group stays under it
            (``None``: groups of 50 000 samples). The explanations themselves
            accumulate in the result; use :meth:`iter_explain` to stream them.

        Returns
        -------
        ExplanationBatch
            A list of Explanations in row order, with :meth:`ExplanationBatch.to_frame`.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from limekit import TabularExplainer
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> explainer = TabularExplainer(X, random_state=0)
        >>> batch = explainer.explain_batch(X[:3], model, num_samples=500, progress=False)
        >>> batch[1] == explainer.explain(X[1], model, num_samples=500)
        True
        >>> list(batch.to_frame().columns)[:3]
        ['row_id', 'label', 'class_name']
        """
        options = self._options(num_features, num_samples, distance_metric, fidelity_samples)
        ids, rows = self._check_rows(X)
        group = self._group_size(options, batch_size, memory_budget)
        groups = [rows[i : i + group] for i in range(0, len(rows), group)]
        blackbox = as_blackbox(model, self.mode, batch_size or self.batch_size,
                               deduplicate=deduplicate, finite_inputs=True)
        results = run_groups(self._explain_rows, groups,
                             (blackbox, labels, top_labels, options), n_jobs=n_jobs,
                             progress=progress, unit="rows", total=len(rows))
        return ExplanationBatch(results, row_ids=ids)

    def iter_explain(self, X, model: Any, labels: Sequence[int] | None = None,
                     top_labels: int | None = None,
                     num_features: int | None = DEFAULT_NUM_FEATURES,
                     num_samples: int = 5000, distance_metric: str = "euclidean",
                     batch_size: int | None = None, deduplicate: bool = False,
                     fidelity_samples: int | None = None,
                     memory_budget: int | None = DEFAULT_MEMORY_BUDGET):
        """Stream ``(row_id, Explanation)`` pairs, one memory-bounded group at a time.

        Like :meth:`explain_batch` (same explanations), but rows are validated
        and explained group by group and nothing is kept, so memory stays flat
        however many rows there are: write each explanation (or its
        ``to_frame()``) away as it comes.

        Parameters
        ----------
        X : DataFrame or 2-D array
            Rows to explain, with the training data's columns.
        model, labels, top_labels, num_features, num_samples, distance_metric : optional
            As in :meth:`explain` (``model`` is required).
        batch_size, deduplicate, fidelity_samples, memory_budget : optional
            As in :meth:`explain_batch`.

        Yields
        ------
        row_id : object
            The row's DataFrame index label, or its position for an array.
        explanation : Explanation
            The row's explanation, equal to ``explain(row, ...)``.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from limekit import TabularExplainer
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> explainer = TabularExplainer(X, random_state=0)
        >>> stream = explainer.iter_explain(X[:3], model, num_samples=200)
        >>> [row for row, _ in stream]
        [0, 1, 2]
        """
        options = self._options(num_features, num_samples, distance_metric, fidelity_samples)
        group = self._group_size(options, batch_size, memory_budget)
        blackbox = as_blackbox(model, self.mode, batch_size or self.batch_size,
                               deduplicate=deduplicate, finite_inputs=True)
        is_frame = isinstance(X, pd.DataFrame)
        n_rows = len(X)
        for start in range(0, n_rows, group):
            ids, rows = self._check_rows(X.iloc[start : start + group] if is_frame
                                         else np.asarray(X, dtype=object)[start : start + group],
                                         offset=start)
            yield from zip(ids, self._explain_rows(rows, blackbox, labels, top_labels,
                                                   options), strict=True)

    def _group_size(self, options, batch_size, memory_budget) -> int:
        """Rows per group: ``batch_size`` samples per model call, capped by the
        memory budget (about 48 bytes per sampled value alive at once)."""
        if options["n"] == "auto":
            return 1
        per_call = batch_size or self.batch_size or _DEFAULT_SAMPLES_PER_GROUP
        group = max(1, per_call // options["n"])
        bytes_per_row = _BYTES_PER_VALUE * options["n"] * self.representation.n_features
        by_memory = rows_per_chunk(bytes_per_row, check_memory_budget(memory_budget))
        return group if by_memory is None else max(1, min(group, by_memory))

    def _options(self, num_features, num_samples, distance_metric,
                 fidelity_samples=None) -> dict[str, Any]:
        d = self.representation.n_features
        k = check_num_features(num_features, d, default=num_features is DEFAULT_NUM_FEATURES)
        kernel = (self.kernel if distance_metric == self.kernel.metric
                  else Kernel(self.kernel.width, distance_metric, self.kernel.fn))
        fresh = check_fidelity_samples(self.fidelity_samples if fidelity_samples is None
                                       else fidelity_samples)
        return {"k": k, "n": check_num_samples_or_auto(num_samples), "kernel": kernel,
                "distance_metric": distance_metric, "fidelity_samples": int(fresh)}

    def _check_rows(self, X, offset: int = 0) -> tuple[list, list[InstanceRow]]:
        """Validate every row up front, naming the row in any error."""
        if isinstance(X, pd.DataFrame):
            ids, items = list(X.index), [X.iloc[i] for i in range(len(X))]
        elif hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse: one row at a time
            X = X.tocsr()
            ids, items = list(range(offset, offset + X.shape[0])), [X[i] for i in
                                                                     range(X.shape[0])]
        else:
            arr = np.asarray(X, dtype=object)
            if arr.ndim != 2:
                raise ValueError(
                    f"X must be 2-D (rows × features) or a DataFrame, got shape {arr.shape}; "
                    "use explain() for a single instance."
                )
            ids, items = list(range(offset, offset + arr.shape[0])), list(arr)
        if not items:
            raise ValueError("X has no rows to explain")
        rows = []
        for rid, item in zip(ids, items, strict=True):
            try:
                row = self.representation.check_instance(item)
                row.name = rid  # named in errors about its group
                rows.append(row)
            except ValueError as exc:
                raise ValueError(f"row {rid!r}: {exc}") from None
        return ids, rows

    def _explain_rows(self, rows: list[InstanceRow], blackbox, labels, top_labels,
                      options: dict[str, Any]) -> list[Explanation]:
        """The pipeline for a group of validated rows, with one model call for the group
        (two with held-out fidelity: the fresh samples are scored together too)."""
        if options["n"] == "auto":
            return [self._explain_auto(row, blackbox, labels, top_labels, options)
                    for row in rows]
        rep, n, n_fresh = self.representation, options["n"], options["fidelity_samples"]
        draws, fresh, instance_codes = [], [], []
        pooled: list[np.ndarray] = []  # work arrays to give back to the thread's pool
        stacked = None
        if len(rows) > 1 and self.sampler.writes_in_place(rep, options["kernel"]):
            # the fused sampler writes each instance's values straight into the
            # group's model input: no concatenating copy
            stacked = _pool.take((len(rows) * n, rep.n_features))
            pooled.append(stacked)
        for i, row in enumerate(rows):
            z_codes = rep.encode(row)
            key = self._instance_key(row)
            out = None if stacked is None else stacked[i * n : (i + 1) * n]
            draws.append(self._draw(row, z_codes, n, self._randomness(key), options["kernel"],
                                    pooled, out))
            if out is not None and not _same_data(draws[-1][0].numeric, out):
                stacked = None  # not written in place after all: concatenate
            if n_fresh:
                # an independent stream of the same explanation: fresh, reproducible samples
                fresh.append(self._draw(row, z_codes, n_fresh,
                                        self._randomness((*key, FIDELITY_STREAM)),
                                        options["kernel"], pooled))
            instance_codes.append(z_codes)
        retained = []  # model inputs the model kept a reference to: never reused
        try:
            Ys = self._predict_parts([d[0] for d in draws], rows, blackbox, retained,
                                     pooled, stacked)
        except RuntimeError as exc:
            if len(rows) == 1:
                raise
            names = [r.name for r in rows]
            raise RuntimeError(f"explaining rows {names}: {exc}") from exc
        Ys_fresh = (self._predict_parts([f[0] for f in fresh], rows, blackbox, retained,
                                        pooled)
                    if n_fresh else [None] * len(rows))
        out = []
        for i, (row, z_codes) in enumerate(zip(rows, instance_codes, strict=True)):
            _, Z, w = draws[i]
            held_out = (fresh[i][1], Ys_fresh[i], fresh[i][2]) if n_fresh else None
            out.append(self._assemble(row, z_codes, Z, Ys[i], w, labels, top_labels, options,
                                      held_out))
        # Nothing built from the samples keeps them (explanations hold only fitted numbers),
        # so the work arrays serve the next explanation; inputs the model held on to don't.
        for arr in pooled:
            if not any(arr is r for r in retained):
                _pool.give_back(arr)
        return out

    def _explain_auto(self, row, blackbox, labels, top_labels, options) -> Explanation:
        """``num_samples="auto"``: double N until the top-k ranking is settled."""
        rep = self.representation
        z_codes = rep.encode(row)
        key = self._instance_key(row)
        calls = []

        def draw(n, stream):
            rng = self._randomness(key if stream == 0 else (*key, stream))
            part, Z, w = self._draw(row, z_codes, n, rng, options["kernel"])
            Z = as_dense(Z)  # bootstrap resamples index its rows
            Y = self._predict_parts([part], [row], blackbox)[0]
            calls.append(len(part.numeric) if hasattr(part, "numeric") else len(part))
            return Z, w, Y

        def resolve(y0):
            return resolve_labels(y0, self.mode, labels, top_labels, self.class_names)

        boot_rng = explanation_rng(self.random_state, (*key, BOOTSTRAP_STREAM))
        Z, w, Y, _, settled = adaptive_samples(
            draw, resolve, options["k"], self.feature_selection,
            surrogate_for(self.sampler, self.surrogate), boot_rng)
        held_out = None
        if options["fidelity_samples"]:
            rng = self._randomness((*key, FIDELITY_STREAM))
            part, Zf, wf = self._draw(row, z_codes, options["fidelity_samples"], rng,
                                      options["kernel"])
            held_out = (Zf, self._predict_parts([part], [row], blackbox)[0], wf)
        exp = self._assemble(row, z_codes, Z, Y, w, labels, top_labels,
                             {**options, "n": int(Z.shape[0])}, held_out)
        settings = {**exp.settings, "num_samples": "auto", "topk_settled": settled,
                    "model_calls": int(sum(calls))}
        return dataclasses.replace(exp, settings=settings)

    def _randomness(self, key: tuple[int, ...]):
        """The random source of one explanation's sampler: lime's sampler on all-discrete
        columns draws only a counter-based word stream, so it gets its seed word
        (:func:`explanation_word`); every other sampler a seeded Generator."""
        return self.sampler.random_source(
            self.representation.marginals(), lambda: explanation_rng(self.random_state, key),
            lambda: explanation_word(self.random_state, key))

    def _draw(self, row, z_codes, n, rng, kernel, pooled=None, values_out=None):
        """``(part, Z, weights)``: one neighbourhood from the explainer's sampler (work
        arrays from the thread's pool are listed in ``pooled`` when given; a sampler
        that :meth:`~limekit.sampling.TabularSampler.writes_in_place` writes the model
        inputs into ``values_out``)."""
        request = TabularDraw(self.representation, row, z_codes, kernel, self._background,
                              pooled, values_out)
        return self.sampler.neighbourhood(request, n, rng)

    def _predict_parts(self, parts, rows, blackbox, retained=None,
                       pooled=None, stacked=None) -> list[np.ndarray]:
        """One model call for every instance's samples; the outputs split per instance.

        A single instance's sampled values go to the model as they are; if the
        model keeps a reference to them (its reference count grows across the
        call) they are added to ``retained`` so that they are never reused. With a
        ``pooled`` list, several instances' values are stacked into a pooled array
        (``stacked``: the array the sampler already wrote them into, in order)."""
        rep = self.representation
        values = isinstance(parts[0], ValueNeighbourhood)
        if values:
            # one instance: the sampler's own array, no 1.2 MB copy (decode restores
            # the instance row in place, which the sampler's arrays allow)
            if len(parts) == 1:
                numeric = parts[0].numeric
            elif stacked is not None:
                numeric = stacked
            elif pooled is None:
                numeric = np.concatenate([p.numeric for p in parts])
            else:
                shape = (sum(len(p.numeric) for p in parts), parts[0].numeric.shape[1])
                numeric = np.concatenate([p.numeric for p in parts], out=_pool.take(shape))
                pooled.append(numeric)
            cats = (None if parts[0].category_codes is None
                    else parts[0].category_codes if len(parts) == 1
                    else np.concatenate([p.category_codes for p in parts]))
            inputs = rep.decode_values(numeric, rows, cats, restore=parts[0].repeats == 1)
            before = sys.getrefcount(numeric), sys.getrefcount(inputs)
            Y = blackbox.predict(inputs)
            if retained is not None and (sys.getrefcount(numeric),
                                         sys.getrefcount(inputs)) != before:
                retained.append(numeric)
        else:
            codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
            Y = blackbox.predict(rep.decode(codes, rows))
        out, start = [], 0
        for p in parts:
            size = len(p.numeric) if values else len(p)
            block = Y[start : start + size]
            start += size
            repeats = getattr(p, "repeats", 1)
            if repeats > 1:  # Shapley: average each coalition over the background rows
                block = block.reshape(-1, repeats, block.shape[1]).mean(axis=1)
            out.append(block)
        return out

    def _assemble(self, row, z_codes, Z, Y, weights, labels, top_labels,
                  options, held_out=None) -> Explanation:
        rep = self.representation
        Y = calibrate_neighbourhood(self.calibrate, Y, as_dense(Z)) if self.calibrate else Y
        label_list = resolve_labels(Y[0], self.mode, labels, top_labels, self.class_names)
        link = resolve_link(Y, self.link, label_list)
        predictors: dict = {}
        fits = fit_label_explanations(Z, apply_link(Y, link), weights, label_list,
                                      options["k"], self.feature_selection,
                                      surrogate_for(self.sampler, self.surrogate), predictors)
        fidelity = None
        if held_out:
            Zf, Yf, wf = held_out
            Zf = as_dense(Zf)
            Yf = calibrate_neighbourhood(self.calibrate, Yf, Zf) if self.calibrate else Yf
            fidelity = heldout_fidelity(fits, label_list, Zf, apply_link(Yf, link), wf,
                                        predictors)
        n_params = max(len(le.weights) for le in fits.values())
        diagnostics = diagnose(weights, n_params, fidelity, stacklevel=6,
                               nonlinear_surrogate=bool(predictors))
        descriptions, values = rep.describe(row, z_codes)
        is_clf = self.mode == "classification"
        return Explanation(
            mode=self.mode,
            feature_names=tuple(rep.feature_names),
            feature_descriptions=tuple(descriptions),
            feature_values=tuple(values),
            class_names=tuple(self._class_names(Y.shape[1])) if is_clf else None,
            label_explanations=fits,
            predict_proba=tuple(float(p) for p in Y[0]) if is_clf else None,
            predicted_value=None if is_clf else float(Y[0, 0]),
            num_samples=options["n"],
            diagnostics=diagnostics,
            settings={
                "explainer": "TabularExplainer",
                "discretizer": self.discretizer,
                "kernel_width": self.kernel.width,
                "distance_metric": options["distance_metric"],
                "feature_selection": self.feature_selection,
                "num_features": options["k"],
                "sample_around_instance": self.sample_around_instance,
                "sampler": sampler_name(self.sampler),
                "link": link,
                "calibration": None if self.calibrate is None else repr(self.calibrate),
                "surrogate": repr(self.surrogate),
                "random_state": self.random_state,
            },
        )

    # ---------------------------------------------------------------- helpers
    def _instance_key(self, row: InstanceRow) -> tuple[int, ...]:
        """Digest of the instance's values (not its position in any batch)."""
        values = row.to_numpy(dtype=object)
        rep = self.representation
        # + 0.0 turns -0.0 into 0.0 (and changes nothing else): equal values, equal keys
        if not rep.categorical_idx.size:  # all numeric: one conversion
            return instance_digest((values.astype(np.float64) + 0.0).tobytes())
        parts = []
        for col, v in zip(rep.columns, values, strict=True):
            parts.append(str(v).encode() if col.kind == CATEGORICAL
                         else (float(v) + 0.0).hex().encode())
        return instance_digest(*parts)

    def _class_names(self, n_out: int) -> list[str]:
        return self.class_names if self.class_names is not None else [str(i) for i in range(n_out)]

    def __repr__(self) -> str:
        return (f"TabularExplainer(mode={self.mode!r}, n_features={self.representation.n_features}, "
                f"discretizer={self.discretizer!r}, kernel_width={self.kernel.width:.4g}, "
                f"feature_selection={self.feature_selection!r}, random_state={self.random_state})")
