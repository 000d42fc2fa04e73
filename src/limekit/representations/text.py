"""Text interpretable representation: tokenise a document, and rebuild perturbed copies.

A document is cut into *pieces* that concatenate back to the original text:
words (the interpretable features) and the separators between them. lime's
semantics are kept:

* ``split_expression`` (default ``r"\\W+"``): a regular expression whose
  matches are the separators; the text between two matches is a word. A
  callable returning the list of words (in order) may be passed instead.
* ``bow=True`` (bag of words): a feature is a distinct word; removing it removes
  every occurrence.
* ``bow=False`` (positional): every occurrence is its own feature; a removed
  occurrence is replaced by ``mask_string`` (default ``"UNKWORDZ"``) so the
  positions of the other words do not move.
* ``char_level=True``: every character is a piece and a feature (removing a
  character in bag-of-words mode removes all its copies; positional masking
  uses ``chr(0)`` by default, as lime does).

The interpretable vector of a sample is binary, one entry per feature (1 =
kept). :meth:`TextRepresentation.decode` turns an ``n × d`` binary matrix into
``n`` strings without a Python loop over words: the document is laid out once
as an array of character codes ("slots": every piece, followed for positional
words by the mask), a sample keeps the characters of the slots its features
select, and one boolean selection over the ``n × slots`` matrix plus a single
``bytes.decode`` builds all the strings; only the final cut of that big string
into ``n`` Python strings is a (cheap, slice-only) Python loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

__all__ = ["TextRepresentation", "TokenizedText", "PerturbedTexts", "tokenize",
           "DEFAULT_MASK", "DEFAULT_CHAR_MASK"]

#: lime's default mask for a removed word in positional mode.
DEFAULT_MASK = "UNKWORDZ"
#: lime's default mask for a removed character in positional mode.
DEFAULT_CHAR_MASK = chr(0)

SplitExpression = str | re.Pattern | Callable[[str], Sequence[str]]

#: Upper bound on the cells of the boolean (sample × character) matrix built at
#: once while decoding; larger neighbourhoods are decoded in row blocks so the
#: temporary memory stays at tens of megabytes whatever ``n`` and the text length.
_DECODE_CELLS = 1 << 23


@dataclass(frozen=True, eq=False)
class TokenizedText:
    """One document cut into word and separator pieces.

    Attributes
    ----------
    text : str
        The original document; ``"".join(pieces) == text``.
    pieces : tuple of str
        Words and separators, in order.
    starts : ndarray of int, shape (n_pieces,)
        Character offset of each piece in ``text``.
    piece_feature : ndarray of int, shape (n_pieces,)
        Feature of each piece, ``-1`` for separators.
    words : tuple of str
        The word of each feature (several features may share a word when
        ``bow=False``).
    bow : bool
        Bag of words (``True``) or positional features.
    mask_string : str
        What replaces a removed word when ``bow=False``.
    """

    text: str
    pieces: tuple[str, ...]
    starts: np.ndarray
    piece_feature: np.ndarray
    words: tuple[str, ...]
    bow: bool
    mask_string: str

    @property
    def n_features(self) -> int:
        """Number of interpretable features ``d``."""
        return len(self.words)

    @cached_property
    def word_pieces(self) -> np.ndarray:
        """Indices of the pieces that are words, in text order."""
        return np.flatnonzero(self.piece_feature >= 0)

    @cached_property
    def spans(self) -> np.ndarray:
        """``(n_word_pieces, 2)`` ``[start, end)`` character span of each word piece."""
        idx = self.word_pieces
        lengths = np.fromiter((len(self.pieces[i]) for i in idx), dtype=np.intp, count=idx.size)
        starts = self.starts[idx]
        return np.column_stack([starts, starts + lengths])

    @cached_property
    def span_features(self) -> np.ndarray:
        """Feature of each row of :attr:`spans`."""
        return self.piece_feature[self.word_pieces]

    @cached_property
    def counts(self) -> np.ndarray:
        """Occurrences of each feature in the text (all 1 when ``bow=False``)."""
        return np.bincount(self.span_features, minlength=self.n_features)

    def positions(self, feature: int) -> np.ndarray:
        """Piece indices of every occurrence of ``feature``."""
        return self.word_pieces[self.span_features == feature]

    @cached_property
    def _decoder(self) -> _Decoder:
        return _Decoder(self)

    def decode(self, Z: np.ndarray) -> list[str]:
        """The perturbed documents of the binary rows of ``Z`` (1 = keep the feature)."""
        return self._decoder(Z)


def _split_regex(text: str, pattern: re.Pattern[str]) -> list[tuple[str, bool]]:
    """Pieces of ``text`` as ``(piece, is_word)``: matches are separators, gaps are words.

    Empty matches cut the text without producing a separator piece, as
    ``re.split`` does.
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        a, b = m.span()
        if a > pos:
            out.append((text[pos:a], True))
        if b > a:
            out.append((text[a:b], False))
        pos = max(pos, b)
    if pos < len(text):
        out.append((text[pos:], True))
    return out


def _split_callable(text: str, fn: Callable[[str], Sequence[str]]) -> list[tuple[str, bool]]:
    """Pieces around the words returned by a tokenizer, found left to right in ``text``."""
    tokens = fn(text)
    if isinstance(tokens, (str, bytes)) or not hasattr(tokens, "__iter__"):
        raise TypeError(
            f"split_expression returned {type(tokens).__name__}; a callable split_expression "
            "must return a list of the words (str) of the text, in order"
        )
    out: list[tuple[str, bool]] = []
    pos = 0
    for tok in tokens:
        if not isinstance(tok, str):
            raise TypeError(
                f"split_expression returned a {type(tok).__name__} token ({tok!r}); tokens "
                "must be str"
            )
        if not tok:
            continue  # an empty word cannot be removed: it carries no information
        at = text.find(tok, pos)
        if at < 0:
            raise ValueError(
                f"split_expression returned the token {tok!r}, which does not occur in the text "
                f"after character {pos}; a tokenizer must return substrings of the text, in "
                "order"
            )
        if at > pos:
            out.append((text[pos:at], False))
        out.append((tok, True))
        pos = at + len(tok)
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def tokenize(text: str, split_expression: SplitExpression = r"\W+", bow: bool = True,
             mask_string: str | None = None, char_level: bool = False) -> TokenizedText:
    """Cut ``text`` into words and separators with lime's semantics.

    Parameters
    ----------
    text : str
    split_expression : str, compiled pattern or callable, default ``r"\\W+"``
        Separator regex, or a function returning the words of the text in order.
        Ignored when ``char_level``.
    bow : bool, default True
        One feature per distinct word (``True``) or per occurrence (``False``).
    mask_string : str, optional
        Replacement of a removed word when ``bow=False``; default ``"UNKWORDZ"``
        (``chr(0)`` with ``char_level``).
    char_level : bool, default False
        Every character is a word.

    Returns
    -------
    TokenizedText
        Possibly with no features (e.g. an empty text); callers that need words
        check :attr:`TokenizedText.n_features`.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if mask_string is None:
        mask_string = DEFAULT_CHAR_MASK if char_level else DEFAULT_MASK
    if char_level:
        parts = [(ch, True) for ch in text]
    elif callable(split_expression) and not isinstance(split_expression, re.Pattern):
        parts = _split_callable(text, split_expression)
    else:
        pattern = (split_expression if isinstance(split_expression, re.Pattern)
                   else re.compile(split_expression))
        parts = _split_regex(text, pattern)

    pieces = tuple(p for p, _ in parts)
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.intp, count=len(pieces))
    starts = np.zeros(len(pieces), dtype=np.intp)
    if len(pieces) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    feature = np.full(len(pieces), -1, dtype=np.intp)
    words: list[str] = []
    if bow:
        vocab: dict[str, int] = {}  # first occurrence order, as lime numbers words
        for i, (p, is_word) in enumerate(parts):
            if is_word:
                j = vocab.get(p)
                if j is None:
                    j = vocab[p] = len(words)
                    words.append(p)
                feature[i] = j
    else:
        for i, (p, is_word) in enumerate(parts):
            if is_word:
                feature[i] = len(words)
                words.append(p)
    return TokenizedText(text=text, pieces=pieces, starts=starts, piece_feature=feature,
                         words=tuple(words), bow=bool(bow), mask_string=mask_string)


class _Decoder:
    """Precomputed character layout of a document for vectorised perturbation.

    Slots are the pieces in order, each positional word followed by a copy of
    the mask. A character of a slot is kept when its feature is kept (the
    word's characters) or removed (the mask's characters); separators have
    feature column 0, which is always kept. (Laying a long mask out as one
    placeholder character and expanding it with ``str.replace`` afterwards was
    measured: no faster, since the cost follows the output's length.)
    """

    def __init__(self, doc: TokenizedText) -> None:
        feature1 = doc.piece_feature + 1  # column 0 of the keep matrix = "always"
        positional = not doc.bow and doc.mask_string != ""
        slots: list[str] = []
        slot_col: list[int] = []
        slot_is_mask: list[bool] = []
        for piece, col in zip(doc.pieces, feature1.tolist(), strict=True):
            slots.append(piece)
            slot_col.append(col)
            slot_is_mask.append(False)
            if positional and col:
                slots.append(doc.mask_string)
                slot_col.append(col)
                slot_is_mask.append(True)
        lengths = np.fromiter((len(s) for s in slots), dtype=np.intp, count=len(slots))
        layout = "".join(slots)
        # One byte per character when the text allows it (four times less memory
        # traffic than UTF-32); surrogatepass keeps lone surrogates round-tripping.
        try:
            self.codes = np.frombuffer(layout.encode("latin-1"), dtype=np.uint8)
            self.encoding, self.errors = "latin-1", "strict"
        except UnicodeEncodeError:
            self.codes = np.frombuffer(layout.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            self.encoding, self.errors = "utf-32-le", "surrogatepass"
        self.char_col = np.repeat(np.asarray(slot_col, dtype=np.intp), lengths)
        is_mask = np.repeat(np.asarray(slot_is_mask, dtype=bool), lengths)
        self.char_is_mask = is_mask if is_mask.any() else None
        self.n_features = doc.n_features

    def __call__(self, Z: np.ndarray) -> list[str]:
        Z = np.asarray(Z)
        if Z.ndim != 2 or Z.shape[1] != self.n_features:
            raise ValueError(
                f"Z must have shape (n, {self.n_features}) for this document, got {Z.shape}"
            )
        n = Z.shape[0]
        width = max(1, self.codes.size)
        step = max(1, _DECODE_CELLS // width)
        out: list[str] = []
        for s in range(0, n, step):
            out.extend(self._block(Z[s:s + step]))
        return out

    def _block(self, Z: np.ndarray) -> list[str]:
        n = Z.shape[0]
        keep = np.empty((n, self.n_features + 1), dtype=bool)
        keep[:, 0] = True
        np.not_equal(Z, 0, out=keep[:, 1:])
        chars = np.take(keep, self.char_col, axis=1)  # (n, slot characters)
        if self.char_is_mask is not None:
            chars ^= self.char_is_mask  # a mask shows exactly when its word is hidden
        lengths = np.count_nonzero(chars, axis=1)
        # Row-major selection concatenates the n perturbed documents in order.
        flat = np.broadcast_to(self.codes, chars.shape)[chars]
        big = flat.tobytes().decode(self.encoding, self.errors)
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return [big[a:b] for a, b in zip(starts, ends, strict=True)]


class PerturbedTexts(Sequence):
    """The neighbourhood's documents, decoded lazily, a slice at a time.

    A model adapter that calls the model in chunks slices this sequence, so
    only one chunk of strings exists at a time. Slicing returns a ``list`` of
    ``str`` (what text models expect); indexing returns one ``str``.

    Parameters
    ----------
    doc : TokenizedText
    Z : ndarray of shape (n, d)
        Binary rows, 1 = keep the feature.
    """

    def __init__(self, doc: TokenizedText, Z: np.ndarray) -> None:
        self.doc = doc
        self.Z = Z

    def __len__(self) -> int:
        return int(self.Z.shape[0])

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.doc.decode(self.Z[index])
        return self.doc.decode(self.Z[[index]])[0]

    def __repr__(self) -> str:
        return f"PerturbedTexts(n={len(self)}, n_features={self.doc.n_features})"


class TextRepresentation:
    """Words of a document as binary interpretable features (lime's text representation).

    Parameters
    ----------
    split_expression : str, compiled pattern or callable, default ``r"\\W+"``
        Separator regex, or a function returning the words of the text in order.
    bow : bool, default True
        Bag of words (remove every occurrence of a word) or positional features.
    mask_string : str, optional
        Replacement for a removed word when ``bow=False`` (default ``"UNKWORDZ"``,
        or ``chr(0)`` with ``char_level``).
    char_level : bool, default False
        Characters instead of words.
    """

    def __init__(self, split_expression: SplitExpression = r"\W+", bow: bool = True,
                 mask_string: str | None = None, char_level: bool = False) -> None:
        if isinstance(split_expression, str):
            try:
                re.compile(split_expression)
            except re.error as exc:
                raise ValueError(
                    f"split_expression {split_expression!r} is not a valid regular expression: "
                    f"{exc}"
                ) from None
        elif not (callable(split_expression) or isinstance(split_expression, re.Pattern)):
            raise TypeError(
                "split_expression must be a regular expression (str) or a callable returning "
                f"the words of a text, got {type(split_expression).__name__}"
            )
        if mask_string is not None and not isinstance(mask_string, str):
            raise TypeError(f"mask_string must be a str or None, got {type(mask_string).__name__}")
        self.split_expression = split_expression
        self.bow = bool(bow)
        self.char_level = bool(char_level)
        self.mask_string = mask_string

    def encode(self, text: str) -> TokenizedText:
        """Tokenise ``text``; it must contain at least one word.

        Raises
        ------
        TypeError
            If ``text`` is not a ``str`` (bytes must be decoded first).
        ValueError
            If ``text`` is empty, only whitespace, or has no word to perturb.
        """
        if isinstance(text, (bytes, bytearray)):
            raise TypeError("text must be a str, got bytes; decode it first, e.g. "
                            "text.decode('utf-8')")
        if not isinstance(text, str):
            raise TypeError(
                f"text must be a str, got {type(text).__name__}; explain one document at a time"
            )
        if not text.strip():
            raise ValueError(
                "text is empty or only whitespace; there are no words to explain"
            )
        doc = tokenize(text, self.split_expression, self.bow, self.mask_string, self.char_level)
        if doc.n_features == 0:
            raise ValueError(
                f"no words found in the text with split_expression="
                f"{self.describe_split()!r}; every character is a separator. Use "
                "char_level=True or a different split_expression."
            )
        return doc

    def decode(self, Z: np.ndarray, doc: TokenizedText) -> list[str]:
        """The perturbed documents for the binary rows of ``Z`` (1 = keep the feature)."""
        return doc.decode(Z)

    def neighbourhood(self, Z: np.ndarray, doc: TokenizedText) -> PerturbedTexts:
        """A lazily decoded sequence of the perturbed documents (decoded per slice)."""
        return PerturbedTexts(doc, Z)

    def describe_split(self) -> str:
        """A JSON-friendly description of ``split_expression``."""
        if self.char_level:
            return "<characters>"
        s = self.split_expression
        if isinstance(s, str):
            return s
        if isinstance(s, re.Pattern):
            return s.pattern
        return f"<callable {getattr(s, '__qualname__', type(s).__name__)}>"

    def __repr__(self) -> str:
        return (f"TextRepresentation(split_expression={self.describe_split()!r}, bow={self.bow}, "
                f"mask_string={self.mask_string!r}, char_level={self.char_level})")
