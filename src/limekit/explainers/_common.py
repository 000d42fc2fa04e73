"""The stages every explainer shares once the black box has answered:
which labels to explain, and one sparse surrogate per label."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..exceptions import ExplanationQualityWarning
from ..explanation import LabelExplanation, _finite
from ..sampling import KernelMaskSampler, PackedBinary, ShapleyMaskSampler
from ..surrogates import WeightedDesign, select_features
from ..surrogates.shapley import ShapleySurrogate

__all__ = ["resolve_labels", "fit_label_explanations", "DEFAULT_NUM_FEATURES",
           "MASK_SAMPLERS", "make_mask_sampler", "draw_masks", "surrogate_for",
           "ExplanationQualityWarning", "effective_sample_size", "heldout_fidelity", "diagnose",
           "FIDELITY_STREAM", "check_fidelity_samples", "adaptive_samples", "topk_settled",
           "check_num_samples_or_auto", "BOOTSTRAP_STREAM", "LINKS", "check_link",
           "apply_link", "check_calibrator", "resolve_link", "draw_neighbourhood",
           "fit_neighbourhood"]

#: ``sampler=`` names accepted by the explainers whose features are masks (text, images,
#: time-series windows). Tabular adds "nball" and "realistic".
MASK_SAMPLERS = ("lime", "kernel", "kernelshap")

class _DefaultCount(int):
    """An int that knows it is the default: ``num_features`` left at 10 is clipped to the
    number of features, while an explicit ``num_features=10`` on fewer is an error."""

    def __reduce__(self):
        # unpickled on a joblib or Dask worker, it is still *the* default (checked by identity)
        return (_default_num_features, ())


def _default_num_features() -> _DefaultCount:
    return DEFAULT_NUM_FEATURES


DEFAULT_NUM_FEATURES = _DefaultCount(10)


def resolve_labels(y0: np.ndarray, mode: str, labels: Sequence[int] | None,
                   top_labels: int | None, class_names: Sequence[str] | None) -> list[int]:
    """Labels to explain, given the model's output ``y0`` at the instance.

    Default: the predicted class (classification), the output (regression).
    """
    n_out = y0.shape[0]
    if mode == "regression":
        return [0]
    if class_names is not None and len(class_names) != n_out:
        raise ValueError(
            f"class_names has {len(class_names)} names but the model returns "
            f"{n_out} class probabilities; pass one name per model output column."
        )
    if top_labels is not None:
        if (isinstance(top_labels, (bool, np.bool_))
                or not isinstance(top_labels, (int, np.integer)) or top_labels < 1):
            raise ValueError(f"top_labels must be a positive int, got {top_labels!r}")
        # lime's order: ascending stable sort reversed, so among tied probabilities
        # the higher class index comes first
        order = np.argsort(y0, kind="stable")[::-1]
        return [int(i) for i in order[: min(int(top_labels), n_out)]]
    if labels is None:
        return [int(np.argmax(y0))]
    out: list[int] = []
    for lab in np.atleast_1d(np.asarray(labels, dtype=object)).tolist():
        if isinstance(lab, np.integer):
            lab = int(lab)
        if isinstance(lab, bool) or not isinstance(lab, int) or not 0 <= lab < n_out:
            raise ValueError(
                f"label {lab!r} is not a valid class index; the model returns {n_out} "
                f"classes, so labels must be integers in 0..{n_out - 1}."
            )
        if lab not in out:
            out.append(lab)
    if not out:
        raise ValueError("labels is empty; pass at least one class index or use top_labels")
    return out


def make_mask_sampler(sampler, default, kernel, scale: float = 1.0, min_kept: int = 0):
    """The mask sampler for ``sampler=`` (a name from :data:`MASK_SAMPLERS` or an object).

    ``"lime"`` is the explainer's own (``default``); ``"kernel"`` draws masks
    from ``kernel`` (GLIME-Binomial, unit weights); ``"kernelshap"`` draws
    Shapley coalitions. Objects with ``draw(d, n, rng)`` (kernel-weighted) or
    ``draw_with_weights(d, n, rng)`` pass through.
    """
    if sampler is None or (isinstance(sampler, str) and sampler == "lime"):
        return default
    if isinstance(sampler, str):
        if sampler == "kernel":
            return KernelMaskSampler(kernel.width, kernel.metric, scale, min_kept)
        if sampler == "kernelshap":
            return ShapleyMaskSampler()
        raise ValueError(f"sampler must be one of {MASK_SAMPLERS} or a sampler object, "
                         f"got {sampler!r}")
    if hasattr(sampler, "draw_with_weights") or hasattr(sampler, "draw"):
        return sampler
    raise TypeError(f"sampler must be a name or have draw(d, n, rng); got "
                    f"{type(sampler).__name__}")


def draw_masks(sampler, d: int, n: int, rng: np.random.Generator, kernel,
               scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, weights)``: the sampler's masks, weighted by the kernel unless the
    sampler brings its own weights (kernel-drawn or Shapley samples)."""
    if getattr(sampler, "own_weights", False):
        return sampler.draw_with_weights(d, n, rng)
    Z = sampler.draw(d, n, rng)
    return Z, kernel.weights(kernel.distances(Z, Z[0]) * scale)


def surrogate_for(sampler, surrogate):
    """KernelSHAP samples are fitted by the Shapley surrogate; others by ``surrogate``."""
    return ShapleySurrogate() if getattr(sampler, "shapley", False) else surrogate


def fit_label_explanations(Z: np.ndarray, Y: np.ndarray, weights: np.ndarray,
                           labels: Sequence[int], num_features: int, feature_selection: str,
                           surrogate, predictors: dict | None = None
                           ) -> dict[int, LabelExplanation]:
    """Select features and fit ``surrogate`` for each label on ``(Z, Y[:, label], weights)``.

    The weighted Gram matrix is computed once and shared by all labels.
    Row 0 of ``Z`` (an array or :class:`~limekit.sampling.PackedBinary`) is the
    explained instance. When ``predictors`` is a dict, it receives, for each label
    whose surrogate is not linear in its weights, the fitted model's prediction
    function on interpretable samples (for :func:`heldout_fidelity`).
    """
    if isinstance(surrogate, ShapleySurrogate):
        # Shapley values share the whole prediction: no selection; the two anchor
        # coalitions (infinite weight) are constraints inside the surrogate
        feature_selection, num_features = "none", Z.shape[1]
        finite = np.isfinite(weights)
        weights = np.where(finite, weights, 0.0 if finite.any() and weights[finite].sum() > 0
                           else 1.0)
    target = Y[:, list(labels)]
    # Outputs beyond ~1e150 (or below ~1e-150) would overflow (underflow) when squared
    # in the Gram statistics: fit on outputs divided by a power of two (exact; the
    # linear fits scale with it) and scale the fitted values back.
    scale = np.ones(target.shape[1])
    top = np.max(np.abs(target), axis=0) if target.size else scale
    extreme = (top > 1e150) | ((top > 0) & (top < 1e-150))
    if extreme.any():
        scale[extreme] = np.ldexp(1.0, np.frexp(top[extreme])[1])
        target = target / scale
    design = WeightedDesign(Z, target, weights)
    z0 = Z.row(0) if isinstance(Z, PackedBinary) else Z[0]
    out: dict[int, LabelExplanation] = {}
    for col, label in enumerate(labels):
        selected = select_features(design, col, num_features, feature_selection, z0)
        fit = surrogate.fit(design, col, selected, z0)
        order = np.argsort(-np.abs(fit.coef), kind="stable")
        c = float(scale[col])
        coef = fit.coef[order] * c
        if not np.isfinite(coef).all():
            _finite(coef[~np.isfinite(coef)][0])  # raises, naming the value
        if predictors is not None and fit.predict is not None:
            predictors[int(label)] = (fit.predict if c == 1.0
                                      else lambda Zs, f=fit.predict, c=c: f(Zs) * c)
        out[int(label)] = LabelExplanation(
            weights=tuple(zip(fit.features[order].tolist(), coef.tolist(), strict=True)),
            intercept=_finite(fit.intercept * c),
            score=_finite(fit.score),
            local_pred=_finite(fit.local_pred * c),
            details=_align_details(fit.details, fit.features, order, c),
        )
    return out


#: ``details`` entries that hold one value per selected feature, in the output's units
PER_FEATURE_DETAILS = ("lower", "upper", "std", "slopes", "contributions")


def _align_details(details: dict | None, features: np.ndarray, order: np.ndarray,
                   scale: float) -> dict | None:
    """``details`` with its per-feature lists in the order of the displayed weights.

    A surrogate reports them in the order of ``features`` (its selection); the weights are
    shown strongest first, so each list is permuted the same way, the feature indices are
    recorded alongside as ``"features"``, and values in the output's units follow the
    output's rescaling (see :func:`fit_label_explanations`).
    """
    if not details:
        return details
    out = dict(details)
    for key in PER_FEATURE_DETAILS:
        values = out.get(key)
        if isinstance(values, list) and len(values) == len(features):
            out[key] = [float(values[i]) * scale for i in order]
    out["features"] = [int(j) for j in np.asarray(features)[order]]
    return out


#: spawn-key suffix of the random stream that draws held-out fidelity samples
FIDELITY_STREAM = 0xF1DE


def check_fidelity_samples(value) -> int:
    """``fidelity_samples``: 0 (off) or the number of fresh samples (at least 2)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"fidelity_samples must be a non-negative int, got {value!r}")
    if 0 < value < 2:
        raise ValueError("fidelity_samples must be 0 (off) or at least 2")
    return int(value)


def check_num_samples_or_auto(num_samples) -> int | str:
    """``num_samples``: an int ≥ 2, or ``"auto"`` (grow until the top-k is settled)."""
    from .._validation import check_num_samples

    if isinstance(num_samples, str):
        if num_samples != "auto":
            raise ValueError(f"num_samples must be an int or 'auto', got {num_samples!r}")
        return "auto"
    return check_num_samples(num_samples)


def check_calibrator(calibrate, mode: str, binary: bool = True):
    """``calibrate=``: ``None`` or a fitted :class:`limekit.calibration.ReCalX`."""
    if calibrate is None:
        return None
    from ..calibration import ReCalX

    if not isinstance(calibrate, ReCalX):
        raise TypeError(f"calibrate must be a fitted limekit.calibration.ReCalX, got "
                        f"{type(calibrate).__name__}")
    if not hasattr(calibrate, "temperatures_"):
        raise ValueError("calibrate is not fitted; call ReCalX(...).fit(model, X_val, y_val)")
    if mode != "classification":
        raise ValueError("calibrate recalibrates class probabilities; it needs "
                         "mode='classification'")
    if not binary:
        raise ValueError("calibrate needs a binary interpretable representation (the "
                         "perturbation level is the share of features changed); use a "
                         "discretizer, not discretizer=None")
    return calibrate


LINKS = ("identity", "logit", "auto")
#: link="auto" explains log-odds when more than this share of the neighbourhood's
#: probabilities (for any explained label) lie within 0.01 of 0 or 1: saturated outputs
#: whose probability differences are compressed. (Measured on breast_cancer: a random
#: forest's neighbourhoods have none there, a confident MLP's 10–85%.)
_AUTO_SATURATION = 0.05
#: Probabilities are clipped to [clip, 1 − clip] before the log-odds, only so that an
#: exact 0 or 1 stays finite (|log-odds| ≤ 27.6). A float64 probability near 1 still
#: resolves 1 − p to ~1e-16, so this clips nothing a smooth model can express; at
#: 1e-6 a confident MLP's log-odds were flattened at ±13.8 in up to 73% of a
#: neighbourhood (breast_cancer, no discretizer, kernel_width=1), and the top 5 of
#: link="auto" changed more from seed to seed (Jaccard@5 0.90 vs 0.96, 50 rows).
_LOGIT_CLIP = 1e-12


def check_link(link: str, mode: str) -> str:
    """``link``: the scale the surrogate explains; ``"logit"`` needs probabilities."""
    if link not in LINKS:
        raise ValueError(f"link must be one of {LINKS}, got {link!r}")
    if link == "logit" and mode != "classification":
        raise ValueError("link='logit' explains log-odds of probabilities; it needs "
                         "mode='classification'")
    return link


def resolve_link(Y: np.ndarray, link: str, labels) -> str:
    """The link actually used: ``"auto"`` picks log-odds for smoothly saturated outputs.

    A label's probabilities saturate when more than 5% lie within 0.01 of 0 or 1.
    They do so smoothly (a logistic or softmax output: log-odds are its natural,
    unbounded scale) when those near 0 or 1 are mostly strictly inside (0, 1);
    when at least as many are *exactly* 0 or 1 the model is piecewise constant
    (the vote or leaf fractions of trees, forests, nearest neighbours), its
    log-odds are infinite there and only the clip would set their size, so
    probabilities are explained instead (measured: k-nearest neighbours'
    top-5 Jaccard@5 0.86 → 0.93 on wine, 0.67 → 0.71 on breast_cancer, quartile
    bins; smooth models unchanged).
    """
    if link != "auto":
        return link
    P = Y[:, list(labels)]
    exact = np.mean((P == 0.0) | (P == 1.0), axis=0)
    inside = np.mean(((P > 0.0) & (P < 0.01)) | ((P > 0.99) & (P < 1.0)), axis=0)
    smooth = (exact + inside > _AUTO_SATURATION) & (inside > exact)
    return "logit" if np.any(smooth) else "identity"


def apply_link(Y: np.ndarray, link: str) -> np.ndarray:
    """Model outputs on the surrogate's scale (log-odds for ``"logit"``)."""
    if link == "identity":
        return Y
    p = np.clip(Y, 0.0, 1.0)
    with np.errstate(divide="ignore"):  # an exact 0 or 1: infinite, clipped below
        z = np.log(p) - np.log1p(-p)
    # = clipping p to [clip, 1 − clip], but symmetric (1 − clip is not exact in floats)
    bound = np.log1p(-_LOGIT_CLIP) - np.log(_LOGIT_CLIP)
    return np.clip(z, -bound, bound)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's ``(Σw)² / Σw²`` of the finite weights."""
    w = weights[np.isfinite(weights)]
    sq = float(w @ w)
    return float(w.sum() ** 2 / sq) if sq > 0 else 0.0


def heldout_fidelity(fits: dict[int, LabelExplanation], labels: Sequence[int], Z: np.ndarray,
                     Y: np.ndarray, weights: np.ndarray, predictors: dict | None = None
                     ) -> dict[str, dict[str, float]]:
    """Each label's surrogate against the model on *fresh* samples ``(Z, Y, weights)``.

    Returns ``{str(label): {"rmse", "r2", "n"}}`` (weighted by ``weights``, the
    neighbourhood's own proximity weights; infinite weights are dropped). Row 0 of
    every draw is the instance itself, where the surrogate is fitted to agree: it is
    left out, or with a narrow kernel its weight alone would make any fit look
    faithful. A surrogate in ``predictors`` (MARS, a tree) is scored as the model it
    is; the linearisation its weights display is scored too, as ``"linear_rmse"`` and
    ``"linear_r2"``.
    """
    keep = np.isfinite(weights) & (weights > 0)
    keep[0] = False
    Z, Y, w = Z[keep], Y[keep], weights[keep]
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        le = fits[label]
        idx = np.array([i for i, _ in le.weights], dtype=np.intp)
        coef = np.array([c for _, c in le.weights], dtype=float)
        linear = le.intercept + (Z[:, idx] @ coef if idx.size else 0.0)
        y = Y[:, label]
        predict = (predictors or {}).get(int(label))
        if predict is None:
            out[str(int(label))] = {**_scores(y, linear, w), "n": int(keep.sum())}
        else:
            lin = _scores(y, linear, w)
            out[str(int(label))] = {**_scores(y, np.asarray(predict(Z), dtype=float), w),
                                    "n": int(keep.sum()), "linear_rmse": lin["rmse"],
                                    "linear_r2": lin["r2"]}
    return out


def _scores(y: np.ndarray, pred: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Weighted RMSE and R² of ``pred`` against ``y``.

    When the model is flat here (its weighted variation is negligible next to its
    level), R² is 0/0: it counts as 1 when the surrogate is flat too, on the same
    relative scale, and 0 otherwise, so a model with nothing to explain is not
    reported as a poor fit.
    """
    sw = float(w.sum())
    resid = y - pred
    rss = float(w @ (resid * resid))
    ybar = float(w @ y / sw) if sw > 0 else 0.0
    tss = float(w @ ((y - ybar) ** 2))
    negligible = 1e-12 * max(float(w @ (y * y)), 1e-300)
    if tss > negligible:
        r2 = 1.0 - rss / tss
    else:
        r2 = 1.0 if rss <= negligible else 0.0
    return {"rmse": float(np.sqrt(rss / sw)) if sw > 0 else 0.0, "r2": float(r2)}


#: Below this held-out R² a surrogate explains too little of the model to be read alone.
POOR_FIDELITY_R2 = 0.2


def diagnose(weights: np.ndarray, n_params: int, fidelity: dict | None = None,
             advice: str = "increase kernel_width, use sampler='kernel', or raise num_samples",
             stacklevel: int = 4, nonlinear_surrogate: bool = False) -> dict:
    """The explanation's diagnostics dict; warns (ExplanationQualityWarning) and records
    what to change when the neighbourhood or the fit cannot be trusted."""
    import warnings

    ess = effective_sample_size(weights)
    notes: list[str] = []
    # about ten samples per fitted coefficient is the least a stable fit needs
    needed = 10 * (n_params + 1)
    if np.isfinite(weights).all() and ess < needed:
        if ess < 0.5 * weights.size:
            notes.append(
                f"effective sample size is {ess:.1f} of {weights.size} samples: the kernel "
                f"puts almost all weight on a few samples, so the weights depend on the seed; "
                f"{advice}."
            )
        else:
            notes.append(
                f"an effective sample size of {ess:.0f} ({weights.size} samples) is too few "
                f"for a stable fit of {n_params} features (about {needed} needed); raise "
                "num_samples or lower num_features."
            )
    if fidelity:
        worst = min(fidelity.items(), key=lambda kv: kv[1]["r2"])
        if worst[1]["r2"] < POOR_FIDELITY_R2:
            notes.append(
                f"held-out fidelity is poor (R² {worst[1]['r2']:.2f} for label {worst[0]} on "
                f"{worst[1]['n']} fresh samples): the surrogate misses most of the model's "
                "variation here; try sampler='kernel', a smaller kernel_width, more features"
                + (" or more terms" if nonlinear_surrogate
                   else ", or a nonlinear surrogate (surrogate='mars')") + "."
            )
    for note in notes:
        warnings.warn(note, ExplanationQualityWarning, stacklevel=stacklevel)
    out: dict = {"effective_sample_size": ess, "warnings": notes}
    if fidelity is not None:
        out["fidelity"] = fidelity
    return out


# ------------------------------------------------------------ adaptive sample size
#: ``num_samples="auto"``: first neighbourhood size, cap, bootstrap resamples and the
#: mean top-k Jaccard agreement with the full-sample ranking that counts as settled.
AUTO_START, AUTO_CAP, AUTO_BOOTSTRAP, AUTO_TARGET = 1000, 64000, 25, 0.95
#: spawn-key suffix of the bootstrap stream of ``num_samples="auto"``
BOOTSTRAP_STREAM = 0xB007


def topk_settled(Z: np.ndarray, Y: np.ndarray, weights: np.ndarray, labels: Sequence[int],
                 k: int, feature_selection: str, surrogate, rng: np.random.Generator,
                 n_boot: int = AUTO_BOOTSTRAP) -> float:
    """How settled the top-``k`` features are: the mean Jaccard index between each
    label's top-``k`` set on the samples and on ``n_boot`` bootstrap resamples of
    them (1.0: every resample ranks the same features first)."""
    full = fit_label_explanations(Z, Y, weights, labels, k, feature_selection, surrogate)
    ref = {lab: {i for i, _ in le.weights[:k]} for lab, le in full.items()}
    scores = []
    n = Z.shape[0]
    for _ in range(n_boot):
        idx = np.concatenate([[0], rng.integers(1, n, n - 1)])  # keep the instance row
        boot = fit_label_explanations(Z[idx], Y[idx], weights[idx], labels, k,
                                      feature_selection, surrogate)
        for lab, le in boot.items():
            got = {i for i, _ in le.weights[:k]}
            union = got | ref[lab]
            scores.append(len(got & ref[lab]) / len(union) if union else 1.0)
    return float(np.mean(scores))


def adaptive_samples(draw, resolve, k: int, feature_selection: str, surrogate,
                     rng: np.random.Generator, start: int = AUTO_START, cap: int = AUTO_CAP,
                     target: float = AUTO_TARGET):
    """Grow the neighbourhood until the top-``k`` ranking is settled (or ``cap``).

    ``draw(n, stream)`` returns ``(Z, weights, Y)`` for ``n`` new samples from
    an independent random stream (stream 0 includes the instance in row 0);
    ``resolve(Y0)`` gives the labels. The size doubles each round, so the
    model calls spent are at most twice the size needed. Returns
    ``(Z, weights, Y, labels, settled_score)``.
    """
    Z, w, Y = draw(start, 0)
    stream = 1
    while True:
        labels = resolve(Y[0])
        score = topk_settled(Z, Y, w, labels, k, feature_selection, surrogate, rng)
        if score >= target or Z.shape[0] >= cap:
            return Z, w, Y, labels, score
        more = min(Z.shape[0], cap - Z.shape[0])
        Z2, w2, Y2 = draw(more + 1, stream)  # drop its instance row: row 0 of stream 0 stays
        Z, w, Y = (np.concatenate([Z, Z2[1:]]), np.concatenate([w, w2[1:]]),
                   np.concatenate([Y, Y2[1:]]))
        stream += 1


def draw_neighbourhood(draw, resolve, n, k: int, feature_selection: str, surrogate,
                       boot_rng: np.random.Generator):
    """``(Z, weights, Y, labels, settings)``: ``draw(n, 0)`` for a fixed ``n``, or the
    adaptive loop of :func:`adaptive_samples` for ``n == "auto"`` (then ``settings``
    records it and the settled score)."""
    if n == "auto":
        Z, w, Y, labels, settled = adaptive_samples(draw, resolve, k, feature_selection,
                                                    surrogate, boot_rng)
        return Z, w, Y, labels, {"num_samples": "auto", "topk_settled": settled}
    Z, w, Y = draw(n, 0)
    return Z, w, Y, resolve(Y[0]), {}


def fit_neighbourhood(draw, resolve, n, k: int, feature_selection: str, surrogate,
                      boot_rng: np.random.Generator, link: str, predictors: dict | None = None):
    """The core of the mask explainers (text, image, series): the neighbourhood of
    :func:`draw_neighbourhood`, the link it calls for (:func:`resolve_link`) and every
    label's surrogate on that scale: ``(Z, weights, Y, labels, link, fits, settings)``.
    ``predictors`` is filled as in :func:`fit_label_explanations`."""
    Z, w, Y, labels, settings = draw_neighbourhood(draw, resolve, n, k, feature_selection,
                                                   surrogate, boot_rng)
    link = resolve_link(Y, link, labels)
    fits = fit_label_explanations(Z, apply_link(Y, link), w, labels, k, feature_selection,
                                  surrogate, predictors)
    return Z, w, Y, labels, link, fits, settings
