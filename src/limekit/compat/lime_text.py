"""lime's ``lime.lime_text`` API on limekit's native text pipeline.

Change ``from lime.lime_text import LimeTextExplainer`` to
``from limekit.compat.lime_text import LimeTextExplainer`` and a lime script
keeps working: :class:`LimeTextExplainer` has lime 0.2.0.1's constructor and
``explain_instance`` signatures and defaults, and returns a lime-style
:class:`TextExplanation` (``as_list``, ``as_map``, ``as_html``,
``as_pyplot_figure``, ``save_to_file``, ``show_in_notebook``, ``local_exp``,
``intercept``, ``score``, ``local_pred``, ``predict_proba`` ...). Every call is
translated to :class:`limekit.explainers.text.TextExplainer`, which does the
work. :class:`IndexedString`, :class:`IndexedCharacters` and
:class:`TextDomainMapper` mirror lime's helpers of the same names.

Differences from lime
---------------------
* Reproducible: an explanation depends only on ``random_state`` and the text,
  so explaining a text twice gives the same result (lime draws from one shared
  random stream). A ``numpy.random.RandomState`` is turned into an integer
  seed once, at construction. Explainers and explanations pickle.
* Inputs are validated: a text that is not a ``str``, empty or without words,
  and a classifier returning the wrong number of rows, NaN or non-probabilities
  raise an error that says what is wrong.
* ``as_html`` is self-contained and script-free: the bar chart and the text
  with words highlighted by weight (lime's ``text`` and ``opacity`` options are
  honoured), with every string escaped.
* Perturbed texts are built without a Python loop per sample, and the model is
  called once on all of them, as in lime.
* For exotic separators (a ``split_expression`` with look-arounds, or a
  tokenizer returning a word that also appears as a gap between words) a
  piece is a word exactly when it is not a separator match (or when the
  tokenizer returned it); lime re-tests each piece in isolation. For
  ``r"\\W+"`` and ordinary expressions the two agree.
* ``model_regressor`` is fitted in place and ``explain_instance`` fills in
  ``explainer.class_names`` (``'0', '1', ...`` when not given), as in lime.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..explainers.text import TextExplainer
from ..representations.text import TokenizedText, tokenize
from ._shared import (
    _METRIC_ALIASES,
    _default_kernel,
    _InPlaceEstimator,
    _KeywordKernel,
    _seed_from,
)
from .explanation import DomainMapper, Explanation

__all__ = ["LimeTextExplainer", "IndexedString", "IndexedCharacters", "TextDomainMapper",
           "TextExplanation"]

#: Options of lime's text HTML view (``visualize_instance_html``).
_TEXT_HTML_KWARGS = frozenset({"text", "opacity"})


class _IndexedBase:
    """lime's indexed-string surface over a :class:`TokenizedText`."""

    doc: TokenizedText

    def _init_from(self, doc: TokenizedText) -> None:
        self.doc = doc
        self.raw = doc.text
        self.mask_string = doc.mask_string
        self.bow = doc.bow
        self.as_list = list(doc.pieces)
        self.as_np = np.array(self.as_list)
        self.string_start = np.asarray(doc.starts)
        self.inverse_vocab = list(doc.words)
        if doc.bow:
            self.positions = [doc.positions(j).tolist() for j in range(doc.n_features)]
        else:
            self.positions = np.asarray(doc.word_pieces)

    @classmethod
    def _from_doc(cls, doc: TokenizedText):
        obj = cls.__new__(cls)
        obj._init_from(doc)
        return obj

    def raw_string(self) -> str:
        """Return the original text.

        Returns
        -------
        str
            The text as it was given, unchanged.
        """
        return self.raw

    def num_words(self) -> int:
        """Count the features of the text.

        Returns
        -------
        int
            Number of features: distinct words (or characters), or their
            occurrences with ``bow=False``.
        """
        return self.doc.n_features

    def word(self, id_: int) -> str:
        """Return the word of one feature.

        Parameters
        ----------
        id_ : int
            Feature id, in ``0 .. num_words() - 1``.

        Returns
        -------
        str
            The word (or character) of feature ``id_``.
        """
        return self.inverse_vocab[id_]

    def string_position(self, id_: int) -> np.ndarray:
        """Locate the occurrences of one feature in the text.

        Parameters
        ----------
        id_ : int
            Feature id, in ``0 .. num_words() - 1``.

        Returns
        -------
        numpy.ndarray of int
            Character offsets in :meth:`raw_string` of the occurrences of
            feature ``id_`` (one offset with ``bow=False``).
        """
        return self.string_start[self.doc.positions(int(id_))]

    def inverse_removing(self, words_to_remove: Iterable[int]) -> str:
        """Rebuild the text without some of its features.

        Parameters
        ----------
        words_to_remove : iterable of int
            Ids of the features to remove.

        Returns
        -------
        str
            The text with every occurrence of those features deleted, or each
            replaced by ``mask_string`` when ``bow=False``; the separators stay.
        """
        z = np.ones((1, self.doc.n_features))
        z[0, np.asarray(list(words_to_remove), dtype=np.intp)] = 0
        return self.doc.decode(z)[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_words={self.num_words()}, bow={self.bow})"


class IndexedString(_IndexedBase):
    """A text cut into words and separators (lime's ``IndexedString``).

    Parameters
    ----------
    raw_string : str
        The text to index.
    split_expression : str or callable, default ``r"\\W+"``
        Separator regex, or a function returning the words in order.
    bow : bool, default True
        One feature per distinct word, or per occurrence.
    mask_string : str, optional
        Replacement of removed words when ``bow=False`` (default ``"UNKWORDZ"``).

    Examples
    --------
    >>> from limekit.compat.lime_text import IndexedString
    >>> s = IndexedString("the cat saw the dog")
    >>> s.num_words(), s.word(0), s.string_position(0).tolist()
    (4, 'the', [0, 12])
    >>> s.inverse_removing([0])
    ' cat saw  dog'
    """

    def __init__(self, raw_string: str, split_expression: Any = r"\W+", bow: bool = True,
                 mask_string: str | None = None) -> None:
        self._init_from(tokenize(raw_string, split_expression, bow, mask_string))


class IndexedCharacters(_IndexedBase):
    """A text cut into characters (lime's ``IndexedCharacters``).

    Parameters
    ----------
    raw_string : str
        The text to index.
    bow : bool, default True
        One feature per distinct character, or per position.
    mask_string : str, optional
        Replacement of removed characters when ``bow=False`` (default ``chr(0)``).
    """

    def __init__(self, raw_string: str, bow: bool = True, mask_string: str | None = None) -> None:
        self._init_from(tokenize(raw_string, bow=bow, mask_string=mask_string, char_level=True))


class TextDomainMapper(DomainMapper):
    """Maps feature ids to words, or to ``word_offsets`` (lime's ``TextDomainMapper``).

    Parameters
    ----------
    indexed_string : IndexedString or IndexedCharacters
        The indexed text whose feature ids are mapped.
    """

    def __init__(self, indexed_string: _IndexedBase) -> None:
        self.indexed_string = indexed_string

    def map_exp_ids(self, exp: Sequence[tuple[int, float]], positions: bool = False,
                    **kwargs: Any) -> list[tuple[str, float]]:
        """Replace feature ids by words.

        Parameters
        ----------
        exp : sequence of (int, float)
            ``(feature id, weight)`` pairs.
        positions : bool, default False
            Write ``word_3-6-12`` (the word and its character offsets), as lime does.
        **kwargs
            Ignored.

        Returns
        -------
        list of (str, float)
            ``(word, weight)`` pairs in the order of ``exp`` (``word_offsets``
            with ``positions=True``).
        """
        s = self.indexed_string
        if positions:
            return [(f"{s.word(i)}_{'-'.join(map(str, s.string_position(i).tolist()))}", w)
                    for i, w in exp]
        return [(s.word(i), w) for i, w in exp]

    def __repr__(self) -> str:
        return f"TextDomainMapper({self.indexed_string!r})"


class TextExplanation(Explanation):
    """A lime-style explanation of a text prediction.

    Everything of :class:`limekit.compat.explanation.Explanation`; ``as_html``,
    ``save_to_file`` and ``show_in_notebook`` also show the text with each
    explained word highlighted by its weight, and accept lime's text options
    ``text`` (show the text, default True) and ``opacity`` (fade colours by
    ``|weight|``, default True). ``native`` is a
    :class:`limekit.explainers.text.TextExplanation`.

    Parameters
    ----------
    *args
        ``(native, domain_mapper=None)``: the native
        :class:`limekit.TextExplanation` that holds the weights and does the
        rendering, and an optional :class:`TextDomainMapper` mapping feature ids
        to words (built from ``native`` when omitted); or lime's
        ``(domain_mapper, mode='classification', class_names=None,
        random_state=None)``, as for :class:`limekit.compat.explanation.Explanation`.
    top_labels : sequence of int, optional
        The labels chosen by ``top_labels=k``, most probable first.
    min_value, max_value : float, optional
        Regression only (unused for text classifiers).
    **kwargs
        The same arguments by name (``native``, ``domain_mapper``, ``mode``,
        ``class_names``, ``random_state``).
    """

    def _html(self, labels: Iterable[int] | None, predict_proba: bool,
              show_predicted_value: bool, kwargs: dict[str, Any], full_page: bool,
              caller: str) -> str:
        from ..render.text import render_text_html

        unknown = sorted(set(kwargs) - _TEXT_HTML_KWARGS)
        if unknown:
            raise TypeError(f"{caller}() got unexpected keyword argument(s) {unknown}")
        labs = self.available_labels() if labels is None else list(labels)
        source = self.native
        if not predict_proba:
            source = dataclasses.replace(source, predict_proba=None)
        return render_text_html(source, labels=[self._native_label(k) for k in labs],
                                full_page=full_page, show_text=bool(kwargs.get("text", True)),
                                opacity=bool(kwargs.get("opacity", True)))


class LimeTextExplainer:
    """Text explainer with lime's API, computed by :class:`limekit.explainers.text.TextExplainer`.

    Parameters
    ----------
    kernel_width : float, default 25
        Width of the exponential kernel on ``100 ×`` the cosine distance.
    kernel : callable, optional
        ``kernel(d, kernel_width)`` turning distances into weights; default
        ``sqrt(exp(-d² / kernel_width²))``.
    verbose : bool, default False
        Print each surrogate's intercept and local prediction, and the model's
        probability, as lime does.
    class_names : sequence, optional
        Names of the classifier's outputs; default ``'0', '1', ...``.
    feature_selection : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
        How the ``num_features`` words of each explanation are chosen, as in
        lime; default ``"auto"``.
    split_expression : str or callable, default ``r"\\W+"``
        Separator regex, or a function returning the words in order.
    bow : bool, default True
        Bag of words (remove every occurrence) or positional features (mask one
        occurrence with ``mask_string``).
    mask_string : str, optional
        Default ``"UNKWORDZ"``, or ``chr(0)`` with ``char_level``.
    random_state : int or numpy.random.RandomState, optional
        Seed. A ``RandomState`` is turned into an integer seed once, here.
    char_level : bool, default False
        Explain characters instead of words.

    Attributes
    ----------
    native : limekit.explainers.text.TextExplainer
        The native explainer that does the work.
    class_names, feature_selection, bow, mask_string, split_expression, char_level
        As passed.
    kernel_fn : callable
        ``kernel_fn(d)``: the kernel with the width bound, as in lime.
    kernel_width : float
    random_state : int or None
        The integer seed in use.
    vocabulary : None
        As in lime (unused).

    Examples
    --------
    >>> from limekit.compat.lime_text import LimeTextExplainer
    >>> def classifier_fn(texts):
    ...     return [[0.2, 0.8] if "great" in t.split() else [0.7, 0.3] for t in texts]
    >>> explainer = LimeTextExplainer(class_names=["bad", "good"], random_state=0)
    >>> exp = explainer.explain_instance("a great little cafe", classifier_fn, num_features=2,
    ...                                  num_samples=500)
    >>> exp.as_list()[0][0]
    'great'
    """

    def __init__(self,
                 kernel_width=25,
                 kernel=None,
                 verbose=False,
                 class_names=None,
                 feature_selection='auto',
                 split_expression=r'\W+',
                 bow=True,
                 mask_string=None,
                 random_state=None,
                 char_level=False):
        self.kernel_width = float(kernel_width)
        user_kernel = kernel if kernel is not None else _default_kernel
        self.kernel_fn = functools.partial(user_kernel, kernel_width=self.kernel_width)
        self.verbose = bool(verbose)
        self.random_state = _seed_from(random_state)
        self.class_names = None if class_names is None else list(class_names)
        self.vocabulary = None
        self.feature_selection = feature_selection
        self.bow = bow
        self.mask_string = mask_string
        self.split_expression = split_expression
        self.char_level = char_level
        self.native = TextExplainer(
            class_names=None if class_names is None else [str(c) for c in class_names],
            bow=bow, split_expression=split_expression, mask_string=mask_string,
            char_level=char_level, kernel_width=self.kernel_width,
            feature_selection=feature_selection, random_state=self.random_state,
            kernel=None if kernel is None else _KeywordKernel(kernel),
        )

    def explain_instance(self,
                         text_instance,
                         classifier_fn,
                         labels=(1,),
                         top_labels=None,
                         num_features=10,
                         num_samples=5000,
                         distance_metric='cosine',
                         model_regressor=None):
        """Explain the classifier's prediction for one text (lime's ``explain_instance``).

        Parameters
        ----------
        text_instance : str
            The text to explain.
        classifier_fn : callable
            Takes a list of ``n`` strings, returns ``(n, n_classes)`` probabilities
            (e.g. a scikit-learn pipeline's ``predict_proba``).
        labels : iterable of int, default (1,)
            Classes to explain.
        top_labels : int, optional
            Explain the ``top_labels`` most probable classes instead.
        num_features : int, default 10
            Words per explanation (at most the number of words).
        num_samples : int, default 5000
            Neighbourhood size.
        distance_metric : str, default "cosine"
            Distance between the binary vectors (scipy/scikit-learn names).
        model_regressor : regressor, optional
            A scikit-learn style linear regressor used as the surrogate instead
            of ``Ridge(alpha=1)``; fitted in place, as in lime.

        Returns
        -------
        TextExplanation
            The lime-style explanation: ``as_list`` gives ``(word, weight)``
            pairs, ``local_exp`` the weights by feature id.

        Raises
        ------
        TypeError
            If ``text_instance`` is not a str.
        ValueError
            If the text has no words, or the classifier's output is malformed.
        """
        native = self.native
        doc = native.representation.encode(text_instance)
        if model_regressor is not None:
            native = copy.copy(native)  # shares the representation; swaps the surrogate
            native.surrogate = _InPlaceEstimator(model_regressor)
        use_top = int(top_labels) if top_labels else None
        label_arg = None if use_top else list(np.atleast_1d(np.asarray(labels)).tolist())
        native_exp = native._explain_doc(
            doc, classifier_fn, labels=label_arg, top_labels=use_top,
            num_features=min(int(num_features), doc.n_features), num_samples=num_samples,
            batch_size=None, distance_metric=_METRIC_ALIASES.get(distance_metric,
                                                                 distance_metric))
        native_exp = dataclasses.replace(
            native_exp, settings={**native_exp.settings, "api": "limekit.compat.lime_text"})
        indexed_cls = IndexedCharacters if self.char_level else IndexedString
        exp = TextExplanation(native_exp, TextDomainMapper(indexed_cls._from_doc(doc)),
                              top_labels=native_exp.labels if use_top else None,
                              random_state=self.random_state)
        # as lime, explaining fills in the explainer's class names
        self.class_names = (list(self.class_names) if self.class_names is not None
                            else [str(c) for c in range(len(native_exp.predict_proba))])
        exp.class_names = list(self.class_names)
        if self.verbose:
            for label in exp.local_exp:
                print("Intercept", exp.intercept[label])
                print("Prediction_local", np.array([exp.local_pred_per_label[label]]))
                print("Right:", exp.predict_proba[label])
        return exp

    def __repr__(self) -> str:
        return f"LimeTextExplainer(native={self.native!r})"

