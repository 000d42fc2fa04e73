"""Benchmark case 1: tabular overhead of limekit vs lime 0.2.0.1.

For breast_cancer (30 features) with LogisticRegression and RandomForest(100
trees), N (num_samples) in {1000, 5000} and K (num_features) in {5, 10}, this
times, on the same test rows, in the same run and interleaved:

* lime:    ``LimeTabularExplainer(X_train, discretize_continuous=True).explain_instance``
* limekit: ``TabularExplainer(X_train).explain``
* model:   the time spent inside ``model.predict_proba`` during each library's
  own calls (a timing proxy, :class:`_common.TimedModel`): each library's
  overhead excludes exactly its own model time, on its own samples

Both explainers are fitted on the same NumPy array, explain label 1 with
lime's defaults (quartile bins, kernel width 0.75·sqrt(d), ``auto`` feature
selection), and call the model on ndarrays. Each figure is the median over
rows × repeats. Overhead = total − own model time (median per call); the ratios
are lime / limekit.

Usage::

    python benchmarks/bench_overhead.py            # full run (about two minutes on 2 cores)
    python benchmarks/bench_overhead.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import warnings

import numpy as np
from _common import (
    TimedModel,
    add_allocator_option,
    apply_allocator_option,
    emit_table,  # also puts src/ on the path
    overhead_row,
    overhead_table,
    timed_with_model_ms,
    versions,
)
from lime.lime_tabular import LimeTabularExplainer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from limekit import TabularExplainer

LABEL = 1  # lime's default label for explain_instance





def run_case(model, name: str, X_train: np.ndarray, rows: np.ndarray, feature_names,
             class_names, n: int, k: int, repeats: int, seed: int) -> dict[str, float | str | int]:
    """Time lime and limekit, and the model inside each, for one (model, N, K) case."""
    lime_ex = LimeTabularExplainer(
        X_train, feature_names=feature_names, class_names=class_names,
        discretize_continuous=True, random_state=seed,
    )
    kit_ex = TabularExplainer(
        X_train, feature_names=feature_names, class_names=class_names, random_state=seed,
    )
    timed = TimedModel(model)

    def lime_call(x):
        return lime_ex.explain_instance(x, timed.predict_proba, labels=(LABEL,),
                                        num_features=k, num_samples=n)

    def kit_call(x):
        return kit_ex.explain(x, timed, labels=[LABEL], num_features=k, num_samples=n)

    # warm-up: first calls pay for imports, caches and compilation
    lime_call(rows[0])
    kit_call(rows[0])

    t_lime, t_kit, m_lime, m_kit = [], [], [], []
    for _ in range(repeats):
        for x in rows:  # interleaved: the same row, back to back, for each contender
            total, model_ms = timed_with_model_ms(lambda x=x: lime_call(x), timed)
            t_lime.append(total)
            m_lime.append(model_ms)
            total, model_ms = timed_with_model_ms(lambda x=x: kit_call(x), timed)
            t_kit.append(total)
            m_kit.append(model_ms)
    lime_ms = statistics.median(t_lime)
    kit_ms = statistics.median(t_kit)
    # overhead is the median of (total − own model time) per call, reported via the row
    lime_model = lime_ms - statistics.median([t - m for t, m in zip(t_lime, m_lime, strict=True)])
    kit_model = kit_ms - statistics.median([t - m for t, m in zip(t_kit, m_kit, strict=True)])
    return overhead_row("model", name, n, k, lime_ms, kit_ms, lime_model, kit_model)



def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a markdown table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: N=1000 only, 2 rows, 1 repeat")
    parser.add_argument("--rows", type=int, default=None, help="test rows (default 10)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    add_allocator_option(parser)
    args = parser.parse_args(argv)
    apply_allocator_option(args)

    n_rows = args.rows or (2 if args.quick else 10)
    repeats = args.repeats or (1 if args.quick else 10)
    sizes = (1000,) if args.quick else (1000, 5000)

    data = load_breast_cancer()
    X_train, X_test, y_train, _ = train_test_split(
        data.data, data.target, test_size=0.25, random_state=args.seed, stratify=data.target)
    rows = X_test[:n_rows]
    feature_names = list(data.feature_names)
    class_names = list(data.target_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs convergence chatter on unscaled data
        models = {
            "LogisticRegression": LogisticRegression(max_iter=10000).fit(X_train, y_train),
            "RandomForest(100)": RandomForestClassifier(
                n_estimators=100, random_state=args.seed).fit(X_train, y_train),
        }

    info = versions("lime")
    print("# limekit vs lime: tabular overhead (breast_cancer, 30 features)")
    print(", ".join(f"{k} {v}" for k, v in info.items())
          + f"; {os.cpu_count()} CPUs; {n_rows} rows x {repeats} repeats, medians")
    print()

    results = []
    for name, model in models.items():
        for n in sizes:
            for k in (5, 10):
                res = run_case(model, name, X_train, rows, feature_names, class_names,
                               n, k, repeats, args.seed)
                results.append(res)
                print(f"  {name:<20} N={n:<5} K={k:<3} lime {res['lime_ms']:8.1f} ms  "
                      f"limekit {res['limekit_ms']:7.1f} ms  model {res['model_ms']:6.2f} ms",
                      file=sys.stderr, flush=True)
    table = overhead_table(results, "model")
    emit_table(table, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
