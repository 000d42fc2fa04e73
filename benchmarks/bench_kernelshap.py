"""KernelSHAP accuracy: limekit's Shapley values against exact ones (all 2^M coalitions).

A 10-feature gradient-boosting model on synthetic data with interactions; the
value function is interventional, v(S) = mean over 20 background rows of
f(x_S, b_S̄). For each budget N it reports the mean absolute error of
``limekit.shapley.kernel_shap`` against ``exact_shapley`` over 10 seeds and 5
instances, with paired (default) and unpaired sampling, and the largest
efficiency gap |Σφ − (v(all) − v(∅))|.

Usage::

    python benchmarks/bench_kernelshap.py
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import emit_table, versions  # also puts src/ on the path
from sklearn.ensemble import GradientBoostingRegressor

from limekit.shapley import exact_shapley, kernel_shap

M = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, M))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + X[:, 3] ** 2 + 0.5 * X[:, 4] - X[:, 5] * X[:, 6]
    model = GradientBoostingRegressor(random_state=0).fit(X, y)
    background = X[:20]

    lines = ["| N | mean abs error, paired | mean abs error, unpaired | max efficiency gap |",
             "|---|---|---|---|"]
    instances = X[100:105]
    for n in (50, 200, 800, 1022, 2048):
        errs = {True: [], False: []}
        gap = 0.0
        for x in instances:
            def value(masks, x=x):
                masks = np.asarray(masks, dtype=bool)
                rows = np.where(masks[:, None, :], x, background[None, :, :])
                return model.predict(rows.reshape(-1, M)).reshape(len(masks), -1).mean(axis=1)

            exact = exact_shapley(value, M)
            for paired in (True, False):
                for seed in range(10):
                    phi, phi0 = kernel_shap(value, M, n_samples=n, random_state=seed,
                                            paired=paired)
                    errs[paired].append(np.mean(np.abs(phi - exact.phi)))
                    full = value(np.ones((1, M), dtype=bool))[0]
                    gap = max(gap, abs(phi.sum() - (full - phi0)))
        lines.append(f"| {n} | {np.mean(errs[True]):.2e} | {np.mean(errs[False]):.2e} "
                     f"| {gap:.1e} |")
        print(lines[-1], flush=True)
    header = ", ".join(f"{k} {v}" for k, v in versions().items())
    emit_table(f"versions: {header}\n\n" + "\n".join(lines), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
