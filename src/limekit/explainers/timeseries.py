"""Time-series LIME: two interpretable representations of a sequence.

* :class:`TimeSeriesExplainer` is lime's ``RecurrentTabularExplainer``: a
  ``(timesteps, features)`` sequence is flattened into one tabular row whose
  columns are ``feature_t-k`` (feature at ``k`` steps before the last one),
  and the explanation is a :class:`~limekit.explainers.tabular.TabularExplainer`
  explanation of that row. The model keeps receiving 3-D arrays.
* :class:`SegmentTimeSeriesExplainer` explains a univariate series by
  contiguous windows: a sample hides some windows (replacing them by a
  baseline) and the surrogate says how much each window mattered. This is the
  image explainer's recipe (binary mask, cosine kernel of width 0.25) with
  windows in place of superpixels.

Both are the same five-stage pipeline as every limekit explainer; only the
representation differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._random import check_random_state, explanation_rng, instance_digest
from .._renderers import renderer
from .._schema import Reader, SchemaError, as_int, as_list
from .._validation import check_class_names, check_mode, check_num_features
from ..batch import BatchExplainMixin
from ..blackbox import BlackBox, as_blackbox
from ..calibration import calibrate_neighbourhood
from ..explanation import Explanation, register_kind
from ..kernels import Kernel
from ..representations.timeseries import (
    LazyDecoded,
    SeriesSegments,
    check_baseline,
    check_series,
)
from ..sampling import BernoulliMaskSampler, RemoveUniformCountSampler
from ..surrogates import check_feature_selection, make_surrogate
from ._common import (
    BOOTSTRAP_STREAM,
    DEFAULT_NUM_FEATURES,
    FIDELITY_STREAM,
    apply_link,
    check_calibrator,
    check_fidelity_samples,
    check_link,
    check_num_samples_or_auto,
    diagnose,
    draw_masks,
    fit_neighbourhood,
    heldout_fidelity,
    make_mask_sampler,
    resolve_labels,
    surrogate_for,
)
from .tabular import TabularExplainer

__all__ = [
    "TimeSeriesExplainer",
    "SegmentTimeSeriesExplainer",
    "TimeSeriesSegmentExplanation",
    "recurrent_feature_names",
]


# =====================================================================
# Flattened (lime RecurrentTabularExplainer) representation
# =====================================================================
def recurrent_feature_names(feature_names: Sequence[str], n_timesteps: int) -> list[str]:
    """Column names of a flattened ``(timesteps, features)`` sequence, as lime builds them.

    Columns are grouped by feature, oldest timestep first; ``_t-0`` is the
    last (most recent) timestep.

    Parameters
    ----------
    feature_names : sequence of str
        One name per feature (not per timestep).
    n_timesteps : int

    Returns
    -------
    list of str
        ``n_features * n_timesteps`` names.

    Examples
    --------
    >>> recurrent_feature_names(["temp", "rain"], 3)
    ['temp_t-2', 'temp_t-1', 'temp_t-0', 'rain_t-2', 'rain_t-1', 'rain_t-0']
    """
    return [f"{name}_t-{n_timesteps - 1 - t}" for name in feature_names
            for t in range(n_timesteps)]


def _flatten(cube: np.ndarray) -> np.ndarray:
    """``(n, T, F)`` → ``(n, F*T)``, column ``f*T + t`` = feature f at timestep t (lime's order)."""
    n, t, f = cube.shape
    return np.transpose(cube, (0, 2, 1)).reshape(n, f * t)


class _SequenceBlackBox(BlackBox):
    """The model of 3-D sequences, called with the flattened rows the tabular pipeline makes.

    Each chunk is reshaped back to ``(n, timesteps, features)`` *before* the
    base class calls the model, so its error messages and row checks name the
    shape the model really received.
    """

    def __init__(self, model: Any, mode: str, batch_size: int | None,
                 n_timesteps: int, n_features: int) -> None:
        super().__init__(model, mode, batch_size=batch_size)
        self.n_timesteps = n_timesteps
        self.n_features = n_features

    def _call(self, chunk: np.ndarray, start: int = 0, total: int | None = None) -> np.ndarray:
        X = np.asarray(chunk, dtype=float)
        cube = X.reshape(X.shape[0], self.n_features, self.n_timesteps).transpose(0, 2, 1)
        # Contiguous, so torch.from_numpy and similar converters accept it as is.
        return super()._call(np.ascontiguousarray(cube), start=start, total=total)


class TimeSeriesExplainer(BatchExplainMixin):
    """Explain models of multivariate sequences, feature by timestep (lime's recurrent explainer).

    A sequence of shape ``(timesteps, features)`` becomes one tabular row of
    ``timesteps * features`` columns named ``feature_t-k`` (``k`` steps before
    the last timestep; ``_t-0`` is the most recent), exactly as lime's
    ``RecurrentTabularExplainer`` builds them. The row is explained by a
    :class:`~limekit.explainers.tabular.TabularExplainer` (quartile bins by
    default), while the model is always called with arrays of shape
    ``(n_samples, timesteps, features)``, e.g. a Keras or PyTorch RNN.

    Parameters
    ----------
    training_data : array-like of shape (n_sequences, timesteps, features)
        Sequences whose per-(feature, timestep) distributions the
        neighbourhood is drawn from.
    mode : {"classification", "regression"}, default "classification"
        Whether the model returns class probabilities or regression values.
    feature_names : sequence of str, optional
        One name per feature (not per timestep); default ``x0, x1, ...``.
    class_names : sequence of str, optional
        Display names of the model's classes; default ``"0", "1", ...``.
    discretizer : {"quartile", "decile", "entropy"} or None, default "quartile"
        How the flattened columns are binned; ``None`` keeps them continuous.
    kernel_width : float, optional
        Default ``0.75 * sqrt(timesteps * features)``, as in lime.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the features of each explanation are chosen, as in lime.
    random_state : int, optional
        Seed; an explanation depends only on the seed, the sequence and the settings.
    training_labels : array-like, optional
        Needed by ``discretizer="entropy"``.
    **tabular_kwargs
        Passed to :class:`~limekit.explainers.tabular.TabularExplainer`
        (``categorical_features`` index the *flattened* columns, as in lime;
        ``sample_around_instance``, ``surrogate``, ``kernel``, ``batch_size``).

    Attributes
    ----------
    n_timesteps, n_features : int
    feature_names : list of str
        The flattened column names (``feature_t-k``).
    tabular : TabularExplainer
        The explainer of the flattened rows.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import TimeSeriesExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4, 2))            # 200 sequences, 4 steps, 2 features
    >>> def model(batch):                           # looks at 'load' at the last step
    ...     p = 1 / (1 + np.exp(-3 * batch[:, -1, 0]))
    ...     return np.column_stack([1 - p, p])
    >>> explainer = TimeSeriesExplainer(X, feature_names=["load", "temp"], random_state=0)
    >>> explainer.feature_names[:4]
    ['load_t-3', 'load_t-2', 'load_t-1', 'load_t-0']
    >>> exp = explainer.explain(X[0], model, labels=[1], num_features=3, num_samples=1000)
    >>> exp.as_list(1)[0][0].count("load_t-0")
    1
    """

    def __init__(self, training_data, mode: str = "classification",
                 feature_names: Sequence[str] | None = None,
                 class_names: Sequence[str] | None = None,
                 discretizer: str | None = "quartile",
                 kernel_width: float | None = None,
                 feature_selection: str = "auto",
                 random_state: int | None = None,
                 training_labels=None,
                 **tabular_kwargs: Any) -> None:
        cube = _check_training_cube(training_data)
        _, self.n_timesteps, self.n_features = cube.shape
        if feature_names is None:
            feature_names = [f"x{j}" for j in range(self.n_features)]
        names = [str(f) for f in feature_names]
        if len(names) != self.n_features:
            raise ValueError(
                f"feature_names has {len(names)} names but training_data has {self.n_features} "
                f"features per timestep (shape {cube.shape}); pass one name per feature, not "
                "per timestep."
            )
        self.base_feature_names = names
        self.tabular = TabularExplainer(
            _flatten(cube), mode=mode,
            feature_names=recurrent_feature_names(names, self.n_timesteps),
            class_names=class_names, discretizer=discretizer, kernel_width=kernel_width,
            feature_selection=feature_selection, random_state=random_state,
            training_labels=training_labels, **tabular_kwargs)

    # ------------------------------------------------------------- properties
    @property
    def mode(self) -> str:
        return self.tabular.mode

    @property
    def feature_names(self) -> list[str]:
        """Flattened column names, ``feature_t-k``."""
        return self.tabular.feature_names

    @property
    def class_names(self) -> list[str] | None:
        return self.tabular.class_names

    @property
    def kernel_width(self) -> float:
        return self.tabular.kernel_width

    @property
    def random_state(self) -> int | None:
        return self.tabular.random_state

    # ---------------------------------------------------------------- explain
    def explain(self, instance, model: Any, labels: Sequence[int] | None = None,
                top_labels: int | None = None,
                num_features: int | None = DEFAULT_NUM_FEATURES,
                num_samples: int = 5000, batch_size: int | None = None,
                distance_metric: str = "euclidean") -> Explanation:
        """Explain the model's prediction for one sequence.

        Parameters
        ----------
        instance : array-like of shape (timesteps, features)
            One sequence, laid out like one item of the training data
            (``(1, timesteps, features)`` and, for one feature, ``(timesteps,)``
            are accepted too).
        model : callable or estimator
            Called with arrays of shape ``(n_samples, timesteps, features)``;
            returns class probabilities (``predict_proba`` is used when
            present) or regression values.
        labels, top_labels, num_features, num_samples, batch_size, distance_metric : optional
            As for :meth:`TabularExplainer.explain
            <limekit.TabularExplainer.explain>`.

        Returns
        -------
        Explanation
            Over the flattened columns; descriptions read like
            ``"load_t-0 > 0.67"``.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.random.default_rng(1).normal(size=(100, 3, 1))
        >>> explainer = TimeSeriesExplainer(X, feature_names=["v"], random_state=0,
        ...                                 mode="regression")
        >>> exp = explainer.explain(X[0, :, 0], lambda b: b[:, -1, 0] * 2.0, num_samples=500)
        >>> exp.feature_names
        ('v_t-2', 'v_t-1', 'v_t-0')
        """
        seq = self._check_instance(instance)
        row = seq.T.reshape(-1)
        if isinstance(model, BlackBox):
            model, batch_size = model.model, batch_size or model.batch_size
        # A BlackBox passes through TabularExplainer.explain unchanged, so it
        # carries the batch size itself.
        wrapped = _SequenceBlackBox(model, self.mode, batch_size or self.tabular.batch_size,
                                    self.n_timesteps, self.n_features)
        exp = self.tabular.explain(row, wrapped, labels=labels, top_labels=top_labels,
                                   num_features=num_features, num_samples=num_samples,
                                   distance_metric=distance_metric, batch_size=batch_size)
        settings = {**exp.settings, "explainer": "TimeSeriesExplainer",
                    "n_timesteps": self.n_timesteps, "n_features": self.n_features}
        return dataclasses.replace(exp, settings=settings)

    def _check_instance(self, instance) -> np.ndarray:
        t, f = self.n_timesteps, self.n_features
        try:
            arr = np.asarray(instance, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"the instance must be a numeric array of shape ({t}, {f}) (timesteps, "
                f"features); got {type(instance).__name__}"
            ) from None
        if arr.ndim == 3 and arr.shape[0] == 1:
            arr = arr[0]
        elif arr.ndim == 1 and f == 1:
            arr = arr[:, None]
        if arr.shape != (t, f):
            hint = ""
            if arr.shape == (f, t):
                hint = " It looks transposed; pass instance.T."
            elif arr.ndim == 3:
                hint = " Explain one sequence at a time, e.g. X[i]."
            raise ValueError(
                f"the instance must have shape ({t}, {f}) (timesteps, features), like one "
                f"item of the training data; got shape {arr.shape}.{hint}"
            )
        bad = ~np.isfinite(arr)
        if bad.any():
            step, feat = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"the instance has a NaN or infinite value in feature "
                f"{self.base_feature_names[feat]!r} at timestep {step} "
                f"({self.base_feature_names[feat]}_t-{t - 1 - step}); impute it before "
                "explaining."
            )
        return arr

    def __repr__(self) -> str:
        return (f"TimeSeriesExplainer(mode={self.mode!r}, n_timesteps={self.n_timesteps}, "
                f"n_features={self.n_features}, kernel_width={self.kernel_width:.4g}, "
                f"random_state={self.random_state})")


def _check_training_cube(training_data) -> np.ndarray:
    try:
        cube = np.asarray(training_data, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            "training_data must be a numeric array of shape (n_sequences, timesteps, "
            "features)"
        ) from None
    if cube.ndim == 2:
        raise ValueError(
            f"training_data must be 3-D (n_sequences, timesteps, features), got 2-D shape "
            f"{cube.shape}. For univariate series pass X[:, :, None]; for ordinary "
            "tabular rows use TabularExplainer."
        )
    if cube.ndim != 3:
        raise ValueError(
            f"training_data must be 3-D (n_sequences, timesteps, features), got shape "
            f"{cube.shape}"
        )
    if min(cube.shape) < 1:
        raise ValueError(f"training_data is empty: shape {cube.shape}")
    bad = ~np.isfinite(cube)
    if bad.any():
        seq, step, feat = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"training_data has NaN or infinite values ({int(bad.sum())} in all; first in "
            f"sequence {seq}, timestep {step}, feature {feat}); impute or drop them first."
        )
    return cube


SAMPLERS = ("lime", "bernoulli", "uniform_count", "kernel", "kernelshap")


# =====================================================================
# Segment explanation (plain data) and explainer
# =====================================================================
@register_kind("timeseries_segments")
@dataclass(frozen=True, eq=True)
class TimeSeriesSegmentExplanation(Explanation):
    """An :class:`~limekit.explanation.Explanation` whose features are windows of a series.

    Attributes
    ----------
    series : tuple of float
        The explained series.
    boundaries : tuple of int
        Window edges; window ``k`` (feature ``k``) is ``series[boundaries[k]:boundaries[k+1]]``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(np.linspace(0, 6, 60))
    >>> model = lambda X: X[:, 20:30].mean(axis=1)
    >>> exp = SegmentTimeSeriesExplainer(n_segments=6, random_state=0,
    ...                                  mode="regression").explain(x, model)
    >>> exp.segments[2]
    (20, 30)
    >>> Explanation.from_json(exp.to_json()) == exp
    True
    """

    series: tuple[float, ...] = ()
    boundaries: tuple[int, ...] = ()

    @property
    def segments(self) -> list[tuple[int, int]]:
        """The ``(start, stop)`` of every window, in feature order."""
        b = self.boundaries
        return [(int(b[k]), int(b[k + 1])) for k in range(len(b) - 1)]

    def segment_weights(self, label: int | None = None) -> np.ndarray:
        """Return the weight of every window for one label.

        Parameters
        ----------
        label : int, optional
            The label; ``None`` means the first explained label.

        Returns
        -------
        ndarray of float, shape (n_windows,)
            The weight of each window, in series order; 0 for windows that
            were not selected.
        """
        out = np.zeros(len(self.boundaries) - 1)
        for i, w in self.label_explanations[self._resolve_label(label)].weights:
            out[i] = w
        return out

    def _domain_to_dict(self) -> dict[str, Any]:
        return {"series": [float(v) for v in self.series],
                "boundaries": [int(b) for b in self.boundaries]}

    @classmethod
    def _domain_from_dict(cls, d: Reader, n_features: int) -> dict[str, Any]:
        series = d.numbers("series", required=True)
        raw = as_list(d.raw("boundaries", required=True), f"{d.path}.boundaries",
                      length=n_features + 1)
        boundaries = [as_int(b, f"{d.path}.boundaries[{i}]", 0, len(series))
                      for i, b in enumerate(raw)]
        if boundaries[0] != 0 or boundaries[-1] != len(series) or any(
                b >= c for b, c in zip(boundaries, boundaries[1:], strict=False)):
            raise SchemaError(f"{d.path}.boundaries must rise strictly from 0 to the series "
                              f"length ({len(series)})")
        return {"series": series, "boundaries": tuple(boundaries)}

    # The renderers add the series itself to the generic weight table/chart.
    def to_text(self, label: int | None = None, width: int | None = None) -> str:
        """Render the weights table and a text sketch of the series.

        Parameters
        ----------
        label : int or sequence of int, optional
            Label(s) to show; ``None`` shows every explained label.
        width : int, optional
            Maximum line width; defaults to the terminal's width, or 100 columns.

        Returns
        -------
        str
            The report.
        """
        return renderer("series.terminal")(self, label=label, width=width)

    def to_html(self, labels: list[int] | None = None, full_page: bool = True) -> str:
        """Render as self-contained HTML: the series as inline SVG, and the weights.

        Parameters
        ----------
        labels : int or sequence of int, optional
            Labels to show, in that order; ``None`` shows every explained label.
        full_page : bool, default True
            ``True`` returns a complete document, ``False`` one ``<div>`` to embed.

        Returns
        -------
        str
            The HTML: no script, no network access, every user string escaped.
        """
        return renderer("series.html")(self, labels=labels, full_page=full_page)

    def plot(self, label: int | None = None, ax=None, **kwargs: Any):
        """Plot the series with windows shaded green (for the label) or red (against it).

        Parameters
        ----------
        label : int, optional
            Label to show; ``None`` means the first explained label.
        ax : matplotlib.axes.Axes, optional
            Axes to draw into; a new figure is created when omitted.
        **kwargs
            Passed on to ``limekit.render.timeseries.plot_timeseries``
            (e.g. ``figsize``).

        Returns
        -------
        matplotlib.figure.Figure
            The figure drawn into.
        """
        return renderer("series.plot")(self, label=label, ax=ax, **kwargs)

    def __repr__(self) -> str:
        labs = ", ".join(self.class_name(k) for k in self.labels)
        return (f"<TimeSeriesSegmentExplanation mode={self.mode!r} labels=[{labs}] "
                f"length={len(self.series)} windows={len(self.boundaries) - 1} "
                f"num_samples={self.num_samples}>")


class SegmentTimeSeriesExplainer(BatchExplainMixin):
    """Explain a model of univariate series by which contiguous windows matter.

    The series is cut into ``n_segments`` contiguous windows of (nearly) equal
    length; they are the interpretable features. Each sample hides some
    windows, replacing them by a baseline, and the model's answers are
    regressed on the shown/hidden mask, weighted by an exponential kernel on
    the cosine distance to the all-shown mask (as lime's image explainer).

    Parameters
    ----------
    n_segments : int, default 10
        Number of contiguous windows (the interpretable features).
    baseline : {"mean", "zero", "linear"}, float or array-like, default "mean"
        What hidden windows show: the series' mean, zero, a constant, a
        straight line between the window's neighbouring points, or one value
        per timestep (e.g. the training data's per-timestep mean,
        ``X_train.mean(axis=0)``).
    kernel_width : float, default 0.25
        Width of the exponential kernel on the cosine distance between masks.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the windows of each explanation are chosen, as in lime.
    random_state : int, optional
        Seed; an explanation depends only on the seed, the series and the settings.
    mode : {"classification", "regression"}, default "classification"
        Whether the model returns class probabilities or regression values.
    class_names : sequence of str, optional
        Display names of the model's classes; default ``"0", "1", ...``.
    surrogate : {"ridge", "lasso", "mars", "tree", "bayes"} or object, optional
        The local model; default ``"ridge"`` (``RidgeSurrogate(alpha=1.0)``, as in
        lime). ``"mars"`` fits splines (nonlinear, reports local slopes),
        ``"tree"`` a shallow tree (rules), ``"bayes"`` Bayesian ridge (credible
        intervals in ``details``), ``"lasso"`` a weighted Lasso; any object with
        ``fit(design, label, features, z0) -> SurrogateFit`` works.
    sampler : {"lime", "bernoulli", "uniform_count", "kernel", "kernelshap"} or sampler, \
default "bernoulli"
        ``"bernoulli"`` (also ``"lime"``, as for the other explainers) keeps every
        window with probability 0.5 (lime's image
        sampler); ``"uniform_count"`` hides a uniform number ``1..n_segments``
        of windows (lime's text sampler); ``"kernel"`` draws masks from the
        kernel (GLIME, unit weights); ``"kernelshap"`` draws Shapley coalitions
        and reports Shapley values. Any object with ``draw(d, n, rng)``
        returning an ``(n, d)`` 0/1 matrix works, e.g. ``BernoulliMaskSampler(0.7)``.
    link : {"identity", "logit", "auto"}, default "identity"
        Fit the surrogate to the class probabilities or to their log-odds, as
        ``TabularExplainer(link=...)``; ``exp.settings["link"]`` says which.
    kernel : callable, optional
        ``kernel(distances, width) -> weights``; default lime's exponential kernel.
    fidelity_samples : int, default 0
        When positive, measure each surrogate on this many fresh samples
        (held-out RMSE and R² in ``exp.fidelity``; as many extra model calls).
    calibrate : limekit.calibration.ReCalX, optional
        A fitted ReCalX calibrator: probabilities of the perturbed samples are
        recalibrated for their perturbation level (share of windows hidden)
        before the surrogate sees them (see :doc:`/methods/recalx`).

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.explainers.timeseries import SegmentTimeSeriesExplainer
    >>> t = np.arange(100)
    >>> x = np.where((t >= 40) & (t < 50), 3.0, 0.0)        # a bump in t[40:50]
    >>> def model(batch):                                     # (n, 100) -> probabilities
    ...     p = 1 / (1 + np.exp(-4 * (batch[:, 40:50].mean(axis=1) - 1.5)))
    ...     return np.column_stack([1 - p, p])
    >>> explainer = SegmentTimeSeriesExplainer(n_segments=10, random_state=0)
    >>> exp = explainer.explain(x, model, labels=[1], num_features=3)
    >>> exp.as_list(1)[0][0]
    't[40:50]'
    """

    def __init__(self, n_segments: int = 10, baseline="mean", kernel_width: float = 0.25,
                 feature_selection: str = "auto", random_state: int | None = None,
                 mode: str = "classification", class_names: Sequence[str] | None = None,
                 surrogate=None, sampler="bernoulli", link: str = "identity",
                 kernel: Callable[[np.ndarray, float], np.ndarray] | None = None,
                 fidelity_samples: int = 0, calibrate=None) -> None:
        if isinstance(n_segments, bool) or not isinstance(n_segments, (int, np.integer)):
            raise TypeError(f"n_segments must be an int, got {type(n_segments).__name__}")
        if n_segments < 1:
            raise ValueError(f"n_segments must be at least 1, got {n_segments}")
        check_feature_selection(feature_selection)
        self.n_segments = int(n_segments)
        self.baseline = check_baseline(baseline)
        self.kernel = Kernel(kernel_width, "cosine", fn=kernel)
        self.feature_selection = feature_selection
        self.random_state = check_random_state(random_state)
        self.mode = check_mode(mode)
        self.link = check_link(link, self.mode)
        self.fidelity_samples = check_fidelity_samples(fidelity_samples)
        self.calibrate = check_calibrator(calibrate, self.mode)
        self.class_names = check_class_names(class_names)
        self.surrogate = make_surrogate(surrogate)
        self.sampler = _make_sampler(sampler, self.kernel)

    @property
    def kernel_width(self) -> float:
        return self.kernel.width

    def segments(self, series) -> SeriesSegments:
        """Cut a series into the windows this explainer uses.

        Parameters
        ----------
        series : array-like of shape (T,), (T, 1) or (1, T)
            The series.

        Returns
        -------
        SeriesSegments
            The window representation: its windows, and how hidden windows are
            filled with the baseline.
        """
        return SeriesSegments(check_series(series), self.n_segments, self.baseline)

    def explain(self, series, model: Any, labels: Sequence[int] | None = None,
                top_labels: int | None = None,
                num_features: int | None = DEFAULT_NUM_FEATURES,
                num_samples: int = 1000,
                batch_size: int | None = None) -> TimeSeriesSegmentExplanation:
        """Explain the model's prediction for one series.

        Parameters
        ----------
        series : array-like of shape (T,), (T, 1) or (1, T)
            The series to explain.
        model : callable or estimator
            Called with float arrays of shape ``(n_samples, T)``; returns class
            probabilities (``predict_proba`` when present) or regression values.
        labels : sequence of int, optional
            Classes to explain; default the predicted class.
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int or None, default 10
            Windows in each explanation (clipped to ``n_segments`` if left at
            the default); ``None`` keeps all.
        num_samples : int, default 1000
            Neighbourhood size; row 0 is the series itself.
        batch_size : int, optional
            Decode and call the model on at most this many samples at once.

        Returns
        -------
        TimeSeriesSegmentExplanation
            The explanation, with the series and its window boundaries.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.linspace(0.0, 1.0, 30)
        >>> exp = SegmentTimeSeriesExplainer(n_segments=3, baseline="zero", random_state=0,
        ...                                  mode="regression").explain(
        ...     x, lambda X: X[:, 20:].sum(axis=1), num_samples=200)
        >>> exp.as_list()[0][0]
        't[20:30]'
        """
        segs = self.segments(series)
        d = segs.n_features
        k = check_num_features(num_features, d, default=num_features is DEFAULT_NUM_FEATURES)
        n = check_num_samples_or_auto(num_samples)
        blackbox = as_blackbox(model, self.mode, batch_size)
        key = instance_digest(segs.series.tobytes())

        def draw(size, stream):
            rng = explanation_rng(self.random_state, key if stream == 0 else (*key, stream))
            Zs, ws = draw_masks(self.sampler, d, size, rng, self.kernel)
            Ys = blackbox.predict(LazyDecoded(segs, Zs))
            if self.calibrate is not None:
                Ys = calibrate_neighbourhood(self.calibrate, Ys, Zs)
            return Zs, ws, Ys

        def resolve(y0):
            return resolve_labels(y0, self.mode, labels, top_labels, self.class_names)

        surrogate = surrogate_for(self.sampler, self.surrogate)
        boot_rng = explanation_rng(self.random_state, (*key, BOOTSTRAP_STREAM))
        predictors: dict = {}
        Z, weights, Y, label_list, link, fits, extra = fit_neighbourhood(
            draw, resolve, n, k, self.feature_selection, surrogate, boot_rng, self.link,
            predictors)
        n = int(Z.shape[0])
        fidelity = None
        if self.fidelity_samples:
            Zf, wf, Yf = draw(self.fidelity_samples, FIDELITY_STREAM)
            fidelity = heldout_fidelity(fits, label_list, Zf, apply_link(Yf, link), wf,
                                        predictors)
        diagnostics = diagnose(weights, max(len(le.weights) for le in fits.values()), fidelity,
                               nonlinear_surrogate=bool(predictors))
        names, values = segs.describe()
        is_clf = self.mode == "classification"
        n_out = Y.shape[1]
        return TimeSeriesSegmentExplanation(
            mode=self.mode,
            feature_names=tuple(names),
            feature_descriptions=tuple(names),
            feature_values=tuple(values),
            class_names=(tuple(self.class_names or [str(i) for i in range(n_out)])
                         if is_clf else None),
            label_explanations=fits,
            predict_proba=tuple(float(p) for p in Y[0]) if is_clf else None,
            predicted_value=None if is_clf else float(Y[0, 0]),
            num_samples=n,
            diagnostics=diagnostics,
            settings={
                "explainer": "SegmentTimeSeriesExplainer",
                "n_segments": self.n_segments,
                "baseline": (self.baseline if not isinstance(self.baseline, np.ndarray)
                             else "array"),
                "sampler": repr(self.sampler),
                **extra,
                "kernel_width": self.kernel.width,
                "distance_metric": "cosine",
                "feature_selection": self.feature_selection,
                "num_features": k,
                "surrogate": repr(self.surrogate),
                "calibration": None if self.calibrate is None else repr(self.calibrate),
                "link": link,
                "random_state": self.random_state,
            },
            series=tuple(float(v) for v in segs.series),
            boundaries=tuple(int(b) for b in segs.boundaries),
        )

    def __repr__(self) -> str:
        base = "array" if isinstance(self.baseline, np.ndarray) else repr(self.baseline)
        return (f"SegmentTimeSeriesExplainer(n_segments={self.n_segments}, baseline={base}, "
                f"kernel_width={self.kernel.width:g}, sampler={self.sampler!r}, "
                f"mode={self.mode!r}, random_state={self.random_state})")


def _make_sampler(sampler, kernel):
    if isinstance(sampler, str):
        if sampler in ("bernoulli", "lime"):
            return BernoulliMaskSampler(0.5)
        if sampler == "uniform_count":
            return RemoveUniformCountSampler()
        if sampler in ("kernel", "kernelshap"):
            return make_mask_sampler(sampler, None, kernel)
        raise ValueError(f"sampler must be one of {SAMPLERS} or a sampler object, got {sampler!r}")
    if not (callable(getattr(sampler, "draw", None))
            or callable(getattr(sampler, "draw_with_weights", None))):
        raise TypeError(
            f"sampler must be one of {SAMPLERS} or an object with draw(d, n, rng), got "
            f"{type(sampler).__name__}"
        )
    return sampler
