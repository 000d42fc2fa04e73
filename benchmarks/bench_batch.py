"""Benchmark cases 2 (batch throughput) and 6 (scale) of BENCHMARKS.md.

**Case 2, batch throughput** (default mode). Explain 500 rows of
breast_cancer (30 features) with ``TabularExplainer.explain_batch``
(N=5000 samples, K=10 features, label 1) against a ``lime`` 0.2.0.1 loop of
``explain_instance`` over rows, for LogisticRegression and
RandomForest(100 trees), in the same run. lime is timed on a subset of the
rows (50 by default; it is the slow side) and both are reported as
throughput in rows per second; the ratio is limekit / lime. limekit is timed
with ``n_jobs=1`` (the like-for-like figure) and with ``n_jobs=-1`` (all
cores). Both explainers are fitted on the same NumPy array with lime's
defaults (quartile bins, kernel width 0.75·sqrt(d), ``auto`` selection) and
call the model on ndarrays.

**Case 6, scale** (``--scale``). Explain 10k, 50k and 100k rows (rows of
breast_cancer repeated, N=1000, K=10, LogisticRegression) with
:func:`limekit.dask.explain_dataframe` on a fresh 2-worker Dask LocalCluster
per size (one thread per worker, partitions of ``--partition-rows`` rows),
writing the tidy result to Parquet on the workers (nothing is gathered on the
client). Reports rows/s (wall clock), rows per CPU-second of the explaining
processes (robust to other load on a shared machine) and the peak resident
memory of each worker (``ru_maxrss``, read on the worker after the run: the
per-size peak, as the cluster is fresh), with each worker's memory right after
start-up for reference. A single-process baseline (``explain_batch(...).to_frame()`` in a
fresh process, ``n_jobs=1``) is timed for the sizes in ``--single-sizes``.

Usage::

    python benchmarks/bench_batch.py                 # case 2 (about a minute on 2 cores)
    python benchmarks/bench_batch.py --quick         # case 2 smoke run, seconds
    python benchmarks/bench_batch.py --scale         # case 6 (several minutes on 2 cores)
    python benchmarks/bench_batch.py --scale --quick # case 6 smoke run (2k / 4k rows)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import logging
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from _common import (
    add_allocator_option,
    apply_allocator_option,
    emit_table,  # also puts src/ on the path
    versions,
)
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from limekit import TabularExplainer

LABEL = 1  # lime's default label for explain_instance


# --------------------------------------------------------------------- shared


def load_data(seed: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """breast_cancer as arrays, with feature and class names."""
    data = load_breast_cancer()
    return data.data, data.target, list(data.feature_names), list(data.target_names)


def fit_models(X: np.ndarray, y: np.ndarray, seed: int, forest: bool = True) -> dict[str, Any]:
    """LogisticRegression (and RandomForest(100)) fitted on all of breast_cancer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs convergence chatter on unscaled data
        models: dict[str, Any] = {
            "LogisticRegression": LogisticRegression(max_iter=10000).fit(X, y)}
        if forest:
            models["RandomForest(100)"] = RandomForestClassifier(
                n_estimators=100, random_state=seed).fit(X, y)
    return models


def repeated_rows(X: np.ndarray, n_rows: int, seed: int) -> np.ndarray:
    """``n_rows`` rows of X in a shuffled order, repeating rows once X runs out."""
    rng = np.random.default_rng(seed)
    reps = -(-n_rows // len(X))
    order = np.concatenate([rng.permutation(len(X)) for _ in range(reps)])
    return X[order[:n_rows]]


# ------------------------------------------------------------ case 2: batch
def run_batch_case(name: str, model: Any, X: np.ndarray, rows: np.ndarray, lime_rows: int,
                   feature_names: list[str], class_names: list[str], n: int, k: int,
                   seed: int) -> dict[str, Any]:
    """Throughput of explain_batch (n_jobs=1 and -1) vs a lime loop, for one model."""
    from lime.lime_tabular import LimeTabularExplainer

    lime_ex = LimeTabularExplainer(X, feature_names=feature_names, class_names=class_names,
                                   discretize_continuous=True, random_state=seed)
    kit_ex = TabularExplainer(X, feature_names=feature_names, class_names=class_names,
                              random_state=seed)

    def kit(batch: np.ndarray, n_jobs: int) -> float:
        start = time.perf_counter()
        out = kit_ex.explain_batch(batch, model, labels=[LABEL], num_features=k,
                                   num_samples=n, n_jobs=n_jobs, progress=False)
        elapsed = time.perf_counter() - start
        assert len(out) == len(batch)
        return elapsed

    def lime_loop(batch: np.ndarray) -> float:
        start = time.perf_counter()
        for x in batch:
            lime_ex.explain_instance(x, model.predict_proba, labels=(LABEL,), num_features=k,
                                     num_samples=n)
        return time.perf_counter() - start

    # warm-up: imports, caches, joblib workers (every worker explains its share once,
    # so no worker imports limekit, loads the compiled kernels or first allocates its
    # work arrays while timed)
    lime_loop(rows[:1])
    kit(rows[:2], 1)
    kit(rows, -1)
    # interleaved: lime, limekit serial, limekit parallel, in the same run; limekit's
    # runs are short (~0.5 s), so each is the median of three (lime's loop already
    # averages over its rows)
    t_lime = lime_loop(rows[:lime_rows])
    t_kit = statistics.median(kit(rows, 1) for _ in range(3))
    t_par = statistics.median(kit(rows, -1) for _ in range(3))
    # the model alone on one row's worth of samples (N rows), median of 10 calls
    block = np.repeat(rows[:1], n, axis=0)
    model.predict_proba(block)
    calls = []
    for _ in range(10):
        start = time.perf_counter()
        model.predict_proba(block)
        calls.append(time.perf_counter() - start)
    model_per_row = float(np.median(calls))
    lime_rps = lime_rows / t_lime
    kit_rps = len(rows) / t_kit
    par_rps = len(rows) / t_par
    return {"model": name, "rows": len(rows), "lime_rows": lime_rows,
            "lime_rps": lime_rps, "kit_rps": kit_rps, "par_rps": par_rps,
            "ratio": kit_rps / lime_rps, "par_ratio": par_rps / lime_rps,
            "model_ms": model_per_row * 1000.0}


def batch_table(results: list[dict[str, Any]], n: int, k: int) -> str:
    """Case 2 results as a markdown table."""
    head = ("| model | N | K | rows (lime rows) | lime rows/s | limekit rows/s (n_jobs=1) "
            "| ratio | limekit rows/s (n_jobs=-1) | ratio | model ms/row |")
    lines = [head, "|" + "---|" * 10]
    for r in results:
        lines.append(
            f"| {r['model']} | {n} | {k} | {r['rows']} ({r['lime_rows']}) "
            f"| {r['lime_rps']:.1f} | {r['kit_rps']:.1f} | {r['ratio']:.1f}× "
            f"| {r['par_rps']:.1f} | {r['par_ratio']:.1f}× | {r['model_ms']:.2f} |")
    return "\n".join(lines)


def main_batch(args: argparse.Namespace) -> str:
    n_rows = args.rows or (60 if args.quick else 500)
    lime_rows = min(args.lime_rows or (6 if args.quick else 50), n_rows)
    n = args.num_samples or (1000 if args.quick else 5000)
    k = 10
    X, y, feature_names, class_names = load_data(args.seed)
    rows = repeated_rows(X, n_rows, args.seed)
    models = fit_models(X, y, args.seed)
    info = versions("lime")
    out = ["# limekit explain_batch vs a lime loop: batch throughput (breast_cancer, 30 features)",
           ", ".join(f"{key} {v}" for key, v in info.items())
           + f"; {os.cpu_count()} CPUs; label {LABEL}; one timed pass each, same run", ""]
    results = []
    for name, model in models.items():
        res = run_batch_case(name, model, X, rows, lime_rows, feature_names, class_names,
                             n, k, args.seed)
        results.append(res)
        print(f"  {name:<20} lime {res['lime_rps']:7.1f} rows/s  limekit {res['kit_rps']:7.1f} "
              f"rows/s (n_jobs=-1: {res['par_rps']:.1f})", file=sys.stderr, flush=True)
    out.append(batch_table(results, n, k))
    return "\n".join(out)


# ------------------------------------------------------------ case 6: scale
def _maxrss_mib() -> float:
    """Peak resident memory of this process, MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def _cpu_seconds() -> float:
    """User + system CPU time of this process so far, seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    """Current resident memory of this process, MiB."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / (1024.0 * 1024.0)
    except ImportError:
        return float("nan")


def _single_process_job(n_rows: int, num_samples: int, seed: int) -> dict[str, float]:
    """Explain ``n_rows`` rows in this (fresh) process; returns time and peak memory."""
    X, y, feature_names, class_names = load_data(seed)
    model = fit_models(X, y, seed, forest=False)["LogisticRegression"]
    explainer = TabularExplainer(X, feature_names=feature_names, class_names=class_names,
                                 random_state=seed)
    rows = pd.DataFrame(repeated_rows(X, n_rows, seed), columns=feature_names)
    before = _maxrss_mib()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    frame = explainer.explain_batch(rows, model, num_features=10, num_samples=num_samples,
                                    progress=False).to_frame()
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "cpu_seconds": _cpu_seconds() - cpu,
            "frame_rows": float(len(frame)), "rss_start": before, "rss_peak": _maxrss_mib()}


def run_single(n_rows: int, num_samples: int, seed: int) -> dict[str, float]:
    """:func:`_single_process_job` in a fresh spawned process (a per-size memory peak)."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(_single_process_job, n_rows, num_samples, seed).result()


def run_cluster(n_rows: int, num_samples: int, partition_rows: int, seed: int,
                n_workers: int = 2) -> dict[str, Any]:
    """Explain ``n_rows`` rows on a fresh LocalCluster; rows/s and per-worker peak memory."""
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    from limekit.dask import explain_dataframe

    X, y, feature_names, class_names = load_data(seed)
    model = fit_models(X, y, seed, forest=False)["LogisticRegression"]
    explainer = TabularExplainer(X, feature_names=feature_names, class_names=class_names,
                                 random_state=seed)
    pdf = pd.DataFrame(repeated_rows(X, n_rows, seed), columns=feature_names)
    nparts = max(n_workers, -(-n_rows // partition_rows))
    out_dir = tempfile.mkdtemp(prefix="limekit-bench-")
    try:
        with warnings.catch_warnings():
            # the rows travel inside the graph (from_pandas), and port 8787 may be taken
            warnings.filterwarnings("ignore", message="Sending large graph")
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                    Client(cluster) as client:
                client.run(_rss_mib)  # workers are up and have imported what they need
                rss_start = client.run(_rss_mib)
                ddf = dd.from_pandas(pdf, npartitions=nparts)
                lazy = explain_dataframe(ddf, explainer, model, num_features=10,
                                         num_samples=num_samples)
                cpu = client.run(_cpu_seconds)
                start = time.perf_counter()
                lazy.to_parquet(out_dir, write_index=False)
                elapsed = time.perf_counter() - start
                cpu_used = sum(client.run(_cpu_seconds).values()) - sum(cpu.values())
                peaks = client.run(_maxrss_mib)
        written = len(pd.read_parquet(out_dir, columns=["row_id"]))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return {"seconds": elapsed, "cpu_seconds": cpu_used, "partitions": ddf.npartitions,
            "frame_rows": written,
            "rss_start": sorted(rss_start.values()), "rss_peak": sorted(peaks.values())}


def main_scale(args: argparse.Namespace) -> str:
    sizes = args.sizes or ([2000, 4000] if args.quick else [10_000, 50_000, 100_000])
    single_sizes = (args.single_sizes if args.single_sizes is not None
                    else ([2000] if args.quick else [10_000]))
    n = args.num_samples or 1000
    info = versions("dask", "distributed")
    out = ["# limekit at scale: rows/s and peak memory (breast_cancer rows, LogisticRegression, "
           f"N={n}, K=10)",
           ", ".join(f"{key} {v}" for key, v in info.items())
           + f"; {os.cpu_count()} CPUs; Dask LocalCluster of 2 workers x 1 thread, a fresh "
           f"cluster per size, partitions of {args.partition_rows} rows, result written to "
           "Parquet by the workers; single process: explain_batch(...).to_frame() in a fresh "
           "process", ""]
    lines = ["| setup | rows | partitions | seconds | rows/s | rows per CPU-second "
             "| peak RSS MiB (per worker) | RSS after start MiB |", "|" + "---|" * 8]
    for size in single_sizes:
        r = run_single(size, n, args.seed)
        lines.append(f"| single process | {size:,} | – | {r['seconds']:.1f} "
                     f"| {size / r['seconds']:.0f} | {size / r['cpu_seconds']:.0f} "
                     f"| {r['rss_peak']:.0f} | {r['rss_start']:.0f} |")
        print(f"  single {size:>7,} rows {size / r['seconds']:7.0f} rows/s  "
              f"peak {r['rss_peak']:.0f} MiB", file=sys.stderr, flush=True)
    for size in sizes:
        r = run_cluster(size, n, args.partition_rows, args.seed)
        assert r["frame_rows"] == size * 10, r
        peak = " / ".join(f"{p:.0f}" for p in r["rss_peak"])
        base = " / ".join(f"{p:.0f}" for p in r["rss_start"])
        lines.append(f"| Dask, 2 workers | {size:,} | {r['partitions']} | {r['seconds']:.1f} "
                     f"| {size / r['seconds']:.0f} | {size / r['cpu_seconds']:.0f} "
                     f"| {peak} | {base} |")
        print(f"  dask   {size:>7,} rows {size / r['seconds']:7.0f} rows/s  peak {peak} MiB",
              file=sys.stderr, flush=True)
    out.extend(lines)
    return "\n".join(out)


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run case 2 (default) or case 6 (``--scale``) and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run, seconds")
    parser.add_argument("--scale", action="store_true",
                        help="case 6: 10k/50k/100k rows on a 2-worker Dask LocalCluster")
    parser.add_argument("--rows", type=int, default=None,
                        help="case 2: rows explained by limekit (default 500)")
    parser.add_argument("--lime-rows", type=int, default=None,
                        help="case 2: rows explained by the lime loop (default 50)")
    parser.add_argument("--num-samples", type=int, default=None,
                        help="N (default 5000 for case 2, 1000 for --scale)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="--scale: row counts on the cluster (default 10000 50000 100000)")
    parser.add_argument("--single-sizes", type=int, nargs="*", default=None,
                        help="--scale: row counts for the single-process baseline "
                             "(default 10000; none to skip)")
    parser.add_argument("--partition-rows", type=int, default=2500,
                        help="--scale: rows per Dask partition (default 2500)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    add_allocator_option(parser)
    args = parser.parse_args(argv)
    apply_allocator_option(args)
    text = main_scale(args) if args.scale else main_batch(args)
    emit_table(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
