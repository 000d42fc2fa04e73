"""Text LIME: tokenise, hide words, ask the model, fit a sparse linear surrogate.

The same five stages as the tabular explainer:

* representation: :class:`~limekit.representations.text.TextRepresentation`
  (words or characters, bag of words or positional);
* sampler: :class:`~limekit.sampling.RemoveUniformCountSampler` (lime's: hide a
  uniformly drawn number ``1..d`` of distinct words);
* black box: the model is called on lists of perturbed strings, in chunks,
  decoded lazily chunk by chunk;
* kernel: lime's exponential kernel on ``100 ×`` cosine distance to the
  all-ones vector, width 25;
* surrogate: lime's feature selection and weighted ridge, shared with tabular.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._random import check_random_state, explanation_rng, instance_digest
from .._renderers import renderer
from .._schema import Reader, as_int, as_list
from .._validation import check_class_names, check_mode, check_num_features
from ..batch import BatchExplainMixin
from ..blackbox import as_blackbox
from ..calibration import calibrate_neighbourhood
from ..explanation import Explanation, register_kind
from ..kernels import Kernel
from ..representations.text import SplitExpression, TextRepresentation, TokenizedText
from ..sampling import RemoveUniformCountSampler
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

__all__ = ["TextExplainer", "TextExplanation"]

#: lime multiplies text distances by 100 before its width-25 kernel.
DISTANCE_SCALE = 100.0


@register_kind("text")
@dataclass(frozen=True, eq=True)
class TextExplanation(Explanation):
    """An explained prediction on a text, with where each feature occurs in it.

    Everything of :class:`~limekit.explanation.Explanation`, plus the document
    and the character span of every word occurrence, so renderers can
    highlight the words in place. ``feature_descriptions`` are the words
    (what :meth:`as_list` shows); with ``bow=False`` several features may show
    the same word and ``feature_names`` tell them apart (``word_offset``).

    Attributes
    ----------
    text : str
        The explained document.
    token_spans : tuple of (int, int)
        ``[start, end)`` character span of every word occurrence, in text order.
    token_features : tuple of int
        The feature of each span.

    Examples
    --------
    >>> from limekit.explainers.text import TextExplainer
    >>> def model(texts):
    ...     return [[0.0, 1.0] if "good" in t.split() else [1.0, 0.0] for t in texts]
    >>> exp = TextExplainer(random_state=0).explain("a good film", model, num_samples=200)
    >>> exp.as_list()[0][0]
    'good'
    >>> exp.text[slice(*exp.token_spans[1])]
    'good'
    """

    text: str = ""
    token_spans: tuple[tuple[int, int], ...] = ()
    token_features: tuple[int, ...] = ()

    def token_weights(self, label: int | None = None) -> np.ndarray:
        """Weight of each span in :attr:`token_spans` for ``label`` (0 if not selected).

        Parameters
        ----------
        label : int, optional
            Default: the first explained label.

        Returns
        -------
        ndarray of float, shape (n_spans,)
            The weight of the feature each span belongs to, in text order.
        """
        lab = self._resolve_label(label)
        per_feature = np.zeros(len(self.feature_names))
        for i, w in self.label_explanations[lab].weights:
            per_feature[i] = w
        return per_feature[np.asarray(self.token_features, dtype=np.intp)]

    def _domain_to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "token_spans": [[int(a), int(b)] for a, b in self.token_spans],
            "token_features": [int(f) for f in self.token_features],
        }

    @classmethod
    def _domain_from_dict(cls, d: Reader, n_features: int) -> dict[str, Any]:
        text = d.string("text", required=True)
        spans = as_list(d.raw("token_spans", []), f"{d.path}.token_spans")
        checked = []
        for i, span in enumerate(spans):
            a, b = as_list(span, f"{d.path}.token_spans[{i}]", length=2)
            a = as_int(a, f"{d.path}.token_spans[{i}][0]", 0, len(text))
            b = as_int(b, f"{d.path}.token_spans[{i}][1]", a, len(text))
            checked.append((a, b))
        features = as_list(d.raw("token_features", []), f"{d.path}.token_features",
                           length=len(checked))
        return {
            "text": text,
            "token_spans": tuple(checked),
            "token_features": tuple(as_int(f, f"{d.path}.token_features[{i}]", -1,
                                           n_features - 1) for i, f in enumerate(features)),
        }

    # --------------------------------------------------------------- render
    def to_text(self, label: int | None = None, width: int | None = None) -> str:
        """Render the weights table and the text with the selected words marked.

        Words that push towards the label are shown as ``[word+]``, words that
        push away from it as ``[word-]``.

        Parameters
        ----------
        label : int, optional
            Label to show; ``None`` means the first explained label.
        width : int, optional
            Maximum line width; defaults to the terminal's width, or 100 columns.

        Returns
        -------
        str
            The report.
        """
        return renderer("text.terminal")(self, label=label, width=width)

    def to_html(self, labels: list[int] | None = None, full_page: bool = True) -> str:
        """Render as self-contained HTML: the text highlighted by weight, and the bar chart.

        Parameters
        ----------
        labels : int or sequence of int, optional
            Labels to show, in that order; ``None`` shows every explained label.
        full_page : bool, default True
            ``True`` returns a complete document, ``False`` one ``<div>`` to embed.

        Returns
        -------
        str
            The HTML, with every user string escaped.
        """
        return renderer("text.html")(self, labels=labels, full_page=full_page)

    def __repr__(self) -> str:
        labs = ", ".join(self.class_name(k) for k in self.labels)
        return (f"<TextExplanation mode={self.mode!r} labels=[{labs}] "
                f"features={len(self.feature_names)} chars={len(self.text)} "
                f"num_samples={self.num_samples}>")


class TextExplainer(BatchExplainMixin):
    """Explain predictions of any text model with LIME.

    Each sample hides a random set of words (a uniformly drawn number of
    distinct words, as in lime), the model is asked about every perturbed
    text, and a sparse linear model of "word present" indicators is fitted,
    weighting samples by their closeness to the original text.

    Parameters
    ----------
    class_names : sequence of str, optional
        Names of the model's output columns (classification).
    bow : bool, default True
        Bag of words: a feature is a distinct word and hiding it removes every
        occurrence. ``False``: each occurrence is a feature and a hidden one is
        replaced by ``mask_string`` (for models that use word order).
    split_expression : str, compiled regex or callable, default ``r"\\W+"``
        Separator regex; the text between separators is a word. A callable
        returns the words of a text, in order.
    mask_string : str, optional
        Replacement of hidden words when ``bow=False``; default ``"UNKWORDZ"``
        (``chr(0)`` with ``char_level``).
    char_level : bool, default False
        Explain characters instead of words.
    kernel_width : float, default 25
        Width of the exponential kernel on ``100 ×`` the distance.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the ``num_features`` words are chosen (lime's semantics).
    random_state : int, optional
        Seed. An explanation depends only on the seed, the text and the
        settings, not on what was explained before.
    mode : {"classification", "regression"}, default "classification"
    surrogate : {"ridge", "lasso", "mars", "tree", "bayes"} or object, optional
        The local model; default ``"ridge"`` (``RidgeSurrogate(alpha=1.0)``, as in
        lime). ``"mars"`` fits splines (nonlinear, reports local slopes),
        ``"tree"`` a shallow tree (rules), ``"bayes"`` Bayesian ridge (credible
        intervals in ``details``), ``"lasso"`` a weighted Lasso; any object with
        ``fit(design, label, features, z0) -> SurrogateFit`` works.
    kernel : callable, optional
        ``kernel(distances, width) -> weights``; default lime's exponential kernel.
    sampler : {"lime", "kernel", "kernelshap"} or sampler object, default "lime"
        ``"lime"`` hides a uniform number of words, weighted by the kernel;
        ``"kernel"`` draws the masks from the kernel itself (GLIME, unit weights:
        more stable); ``"kernelshap"`` draws Shapley coalitions and reports
        Shapley values (all words; intercept + Σ weights = the prediction).
    fidelity_samples : int, default 0
        When positive, measure each surrogate on this many fresh samples
        (held-out RMSE and R² in ``exp.fidelity``; as many extra model calls).
    calibrate : limekit.calibration.ReCalX, optional
        A fitted ReCalX calibrator: probabilities of the perturbed samples are
        recalibrated for their perturbation level (share of features hidden)
        before the surrogate sees them (see :doc:`/methods/recalx`).
    link : {"identity", "logit", "auto"}, default "identity"
        Explain the class probabilities or their log-odds (confident models), as
        ``TabularExplainer(link=...)`` does; ``exp.settings["link"]`` says which.

    Attributes
    ----------
    representation : TextRepresentation
    sampler : the mask sampler
    kernel : Kernel

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from limekit.explainers.text import TextExplainer
    >>> texts = ["great fun film", "a great story", "boring and slow", "slow dull plot",
    ...          "fun and warm", "dull film"]
    >>> model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, [1, 1, 0, 0, 1, 0])
    >>> explainer = TextExplainer(class_names=["neg", "pos"], random_state=0)
    >>> exp = explainer.explain("a great and fun story", model, num_features=3, num_samples=1000)
    >>> exp.class_name(exp.labels[0])
    'pos'
    >>> sorted(word for word, _ in exp.as_list())
    ['fun', 'great', 'story']
    """

    def __init__(self, class_names: Sequence[str] | None = None, bow: bool = True,
                 split_expression: SplitExpression = r"\W+", mask_string: str | None = None,
                 char_level: bool = False, kernel_width: float = 25,
                 feature_selection: str = "auto", random_state: int | None = None,
                 mode: str = "classification", surrogate=None,
                 kernel: Callable[[np.ndarray, float], np.ndarray] | None = None,
                 sampler="lime", fidelity_samples: int = 0, calibrate=None,
                 link: str = "identity") -> None:
        self.mode = check_mode(mode)
        self.link = check_link(link, self.mode)
        self.calibrate = check_calibrator(calibrate, self.mode)
        self.fidelity_samples = check_fidelity_samples(fidelity_samples)
        self.random_state = check_random_state(random_state)
        check_feature_selection(feature_selection)
        self.feature_selection = feature_selection
        self.representation = TextRepresentation(split_expression, bow=bow,
                                                 mask_string=mask_string, char_level=char_level)
        self.kernel = Kernel(kernel_width, "cosine", fn=kernel)
        self.class_names = check_class_names(class_names)
        self.sampler = make_mask_sampler(sampler, RemoveUniformCountSampler(), self.kernel,
                                         DISTANCE_SCALE, min_kept=1)
        self.surrogate = make_surrogate(surrogate)

    # ------------------------------------------------------------- properties
    @property
    def kernel_width(self) -> float:
        return self.kernel.width

    @property
    def bow(self) -> bool:
        return self.representation.bow

    @property
    def char_level(self) -> bool:
        return self.representation.char_level

    # ---------------------------------------------------------------- explain
    def explain(self, text: str, model: Any, labels: Sequence[int] | None = None,
                top_labels: int | None = None, num_features: int | None = DEFAULT_NUM_FEATURES,
                num_samples: int = 5000, batch_size: int | None = None,
                distance_metric: str = "cosine",
                deduplicate: bool = False) -> TextExplanation:
        """Explain the model's prediction for one document.

        Parameters
        ----------
        text : str
            The document.
        model : callable or estimator
            Called with a list of strings; returns class probabilities
            ``(n, n_classes)`` (classification; ``predict_proba`` is used when
            present) or values ``(n,)`` (regression; ``predict``). A
            scikit-learn Pipeline starting with a vectorizer works as is.
        labels : sequence of int, optional
            Classes to explain. Default: the predicted class (classification),
            the output (regression).
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int or None, default 10
            Words in each explanation (clipped to the number of words if left
            at the default); ``None`` keeps all.
        num_samples : int or "auto", default 5000
            Neighbourhood size (row 0 is the text itself); ``"auto"`` doubles it
            from 1000 until the top words are settled (see
            :meth:`TabularExplainer.explain`).
        batch_size : int, optional
            Call the model on at most this many texts at once; the texts are
            decoded chunk by chunk, so memory stays bounded.
        distance_metric : str, default "cosine"
            Distance between the binary vectors (any scipy ``cdist`` name);
            multiplied by 100 as in lime.
        deduplicate : bool, default False
            Build and score each distinct perturbed text once (short documents
            repeat masks often); the explanation is unchanged.

        Returns
        -------
        TextExplanation
            The explanation, with the document and where each word occurs in it.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If ``text`` has no words, or the model's output has the wrong shape.
        """
        return self._explain_doc(self.representation.encode(text), model, labels=labels,
                                 top_labels=top_labels, num_features=num_features,
                                 num_samples=num_samples, batch_size=batch_size,
                                 distance_metric=distance_metric, deduplicate=deduplicate)

    def _predict_masks(self, blackbox, Z: np.ndarray, doc: TokenizedText,
                       deduplicate: bool) -> np.ndarray:
        """Model outputs for the texts of masks ``Z``."""
        rep = self.representation
        if deduplicate:
            # equal masks give equal texts: decode and score each distinct mask once
            packed = np.packbits(Z.astype(bool), axis=1)
            keys = packed.view(np.dtype((np.void, packed.shape[1])))[:, 0]
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            return blackbox.predict(rep.neighbourhood(Z[first], doc))[inverse.reshape(-1)]
        return blackbox.predict(rep.neighbourhood(Z, doc))

    def _explain_doc(self, doc: TokenizedText, model: Any, labels: Sequence[int] | None,
                     top_labels: int | None, num_features: int | None, num_samples: int,
                     batch_size: int | None, distance_metric: str,
                     deduplicate: bool = False) -> TextExplanation:
        """:meth:`explain` on an already tokenised document (from this representation)."""
        rep = self.representation
        d = doc.n_features
        k = check_num_features(num_features, d, default=num_features is DEFAULT_NUM_FEATURES)
        n = check_num_samples_or_auto(num_samples)
        kernel = (self.kernel if distance_metric == self.kernel.metric
                  else Kernel(self.kernel.width, distance_metric, self.kernel.fn))
        blackbox = as_blackbox(model, self.mode, batch_size)
        key = instance_digest(doc.text.encode("utf-8", "surrogatepass"))

        def draw(size, stream):
            rng = explanation_rng(self.random_state, key if stream == 0 else (*key, stream))
            Z, w = draw_masks(self.sampler, d, size, rng, kernel, DISTANCE_SCALE)
            Y = self._predict_masks(blackbox, Z, doc, deduplicate)
            return Z, w, calibrate_neighbourhood(self.calibrate, Y, Z) if self.calibrate else Y

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

        is_clf = self.mode == "classification"
        return TextExplanation(
            mode=self.mode,
            feature_names=_feature_names(doc),
            feature_descriptions=doc.words,
            feature_values=_feature_values(doc),
            class_names=tuple(self._class_names(Y.shape[1])) if is_clf else None,
            label_explanations=fits,
            predict_proba=tuple(float(p) for p in Y[0]) if is_clf else None,
            predicted_value=None if is_clf else float(Y[0, 0]),
            num_samples=n,
            diagnostics=diagnostics,
            settings={
                "explainer": "TextExplainer",
                "bow": rep.bow,
                "char_level": rep.char_level,
                "split_expression": rep.describe_split(),
                "mask_string": None if rep.bow else doc.mask_string,
                "kernel_width": self.kernel.width,
                "sampler": repr(self.sampler),
                "distance_metric": distance_metric,
                "feature_selection": self.feature_selection,
                "num_features": k,
                "surrogate": repr(self.surrogate),
                "calibration": None if self.calibrate is None else repr(self.calibrate),
                "link": link,
                **extra,
                "random_state": self.random_state,
            },
            text=doc.text,
            token_spans=tuple((int(a), int(b)) for a, b in doc.spans.tolist()),
            token_features=tuple(int(f) for f in doc.span_features.tolist()),
        )

    # ---------------------------------------------------------------- helpers
    def _class_names(self, n_out: int) -> list[str]:
        return self.class_names if self.class_names is not None else [str(i) for i in range(n_out)]

    def __repr__(self) -> str:
        rep = self.representation
        return (f"TextExplainer(mode={self.mode!r}, bow={rep.bow}, char_level={rep.char_level}, "
                f"split_expression={rep.describe_split()!r}, "
                f"kernel_width={self.kernel.width:g}, feature_selection={self.feature_selection!r}, "
                f"random_state={self.random_state})")


def _feature_names(doc: TokenizedText) -> tuple[str, ...]:
    """Unique names: the word (bag of words), or ``word_offset`` per occurrence (lime's
    ``positions=True`` style), so two occurrences of a word stay distinguishable."""
    if doc.bow:
        return doc.words
    starts = doc.starts[doc.word_pieces].tolist()
    return tuple(f"{w}_{s}" for w, s in zip(doc.words, starts, strict=True))


def _feature_values(doc: TokenizedText) -> tuple[str, ...]:
    """What each feature is in this text: its occurrence count, or its character offset."""
    if doc.bow:
        return tuple(f"{c} occurrence{'s' if c != 1 else ''}" for c in doc.counts.tolist())
    return tuple(f"at character {s}" for s in doc.starts[doc.word_pieces].tolist())
