"""Benchmark case 5: local fidelity on the LEMON grid, limekit vs lime 0.2.0.1.

For wine, breast_cancer and diabetes (binarised at > 200) × GaussianNB,
MLP(100, 100, 100, alpha=0.1) and RandomForest(200) × kernel widths
{0.1, 0.3, 0.5, 1, 0.75·√d, 4} (continuous mode, standardised units), it
explains test rows with N = 5000 and measures the RMSE between the model's
probability of the explained class and the surrogate's prediction on *fresh*
samples (never the fit's own) from two neighbourhood distributions, so no
sampler is favoured (see docs/methods/metrics.rst):

* gaussian: ``z ~ N(z0, w² I)`` in standardised units (the kernel as a density);
* nball:    uniform direction, radius with density ∝ k(r)·r^(d−1) inside the
  ball of radius ``w`` (:func:`limekit.kernel_sampling.nball_samples`).

Contenders: lime's default (``LimeTabularExplainer(discretize_continuous=False,
kernel_width=w)``, all features, ridge) and limekit with
``sampler`` ∈ {"kernel", "nball"} × ``surrogate`` ∈ {"ridge", "mars"} (all
features). Each table cell is the mean RMSE over rows and both distributions;
the last lines give each limekit setting's mean RMSE reduction against lime.

Usage::

    python benchmarks/bench_fidelity.py            # full grid (~10 minutes on 2 cores)
    python benchmarks/bench_fidelity.py --quick    # one dataset, two widths
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _common import emit_table, versions  # also puts src/ on the path
from lime.lime_tabular import LimeTabularExplainer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier

from limekit import TabularExplainer
from limekit.kernel_sampling import nball_samples

SETTINGS = [("kernel", "ridge"), ("kernel", "mars"), ("nball", "ridge"), ("nball", "mars")]


def datasets():
    X, y = load_diabetes(return_X_y=True)
    return {"wine": load_wine(return_X_y=True),
            "breast_cancer": load_breast_cancer(return_X_y=True),
            "diabetes": (X, (y > 200).astype(int))}


def eval_samples(z0, width, n, seed):
    """Fresh standardised samples around z0 from both neighbourhood distributions."""
    rng = np.random.default_rng(seed)
    d = z0.size
    gauss = z0 + width * rng.standard_normal((n, d))
    ball = z0 + nball_samples(d, n, width, width, rng, include_instance=False)
    return {"gaussian": gauss, "nball": ball}


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--rows", type=int, default=None, help="test rows (default 5)")
    parser.add_argument("--eval", type=int, default=10_000, help="fresh samples per distribution")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    n_rows = args.rows or (2 if args.quick else 5)
    data = datasets()
    if args.quick:
        data = {"wine": data["wine"]}

    lines = ["| data | model | width | lime | " + " | ".join(f"{s}+{g}" for s, g in SETTINGS)
             + " |", "|" + "---|" * (4 + len(SETTINGS))]
    reductions = {s: [] for s in SETTINGS}
    for dname, (X, y) in data.items():
        X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
        mean, std = X_train.mean(0), X_train.std(0)
        d = X.shape[1]
        models = {"GaussianNB": GaussianNB(),
                  "MLP": MLPClassifier((100, 100, 100), alpha=0.1, max_iter=500, random_state=0),
                  "RandomForest": RandomForestClassifier(200, random_state=0, n_jobs=1)}
        widths = [0.5, 0.75 * np.sqrt(d)] if args.quick else [0.1, 0.3, 0.5, 1.0,
                                                               0.75 * np.sqrt(d), 4.0]
        for mname, model in models.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit((X_train - mean) / std if mname == "MLP" else X_train, y_train)

            def proba(A, model=model, mname=mname, mean=mean, std=std):
                A = np.asarray(A, dtype=float)
                return model.predict_proba((A - mean) / std if mname == "MLP" else A)

            for width in widths:
                res = {"lime": [], **{s: [] for s in SETTINGS}}
                for r, x in enumerate(X_test[:n_rows]):
                    label = int(np.argmax(proba(x[None])[0]))
                    z0 = (x - mean) / std
                    fresh = eval_samples(z0, width, args.eval, seed=r)
                    truth = {k: proba(Z * std + mean)[:, label] for k, Z in fresh.items()}
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        lime_ex = LimeTabularExplainer(X_train, discretize_continuous=False,
                                                       kernel_width=width, random_state=r)
                        le = lime_ex.explain_instance(x, proba, labels=(label,),
                                                      num_features=d, num_samples=5000)
                    w = np.zeros(d)
                    for j, v in le.as_map()[label]:
                        w[j] = v
                    # lime's continuous surrogate works on (x − mean) / std: our z
                    res["lime"].append(np.mean([rmse(truth[k], le.intercept[label] + Z @ w)
                                                for k, Z in fresh.items()]))
                    for sampler, surrogate in SETTINGS:
                        ex = TabularExplainer(X_train, discretizer=None, kernel_width=width,
                                              sampler=sampler, surrogate=surrogate,
                                              random_state=r)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            exp = ex.explain(x, proba, labels=[label], num_features=None,
                                             num_samples=5000)
                        res[(sampler, surrogate)].append(np.mean([
                            rmse(truth[k], _surrogate_predict(exp, label, Z))
                            for k, Z in fresh.items()]))
                means = {k: float(np.mean(v)) for k, v in res.items()}
                for s in SETTINGS:
                    reductions[s].append(1.0 - means[s] / means["lime"])
                line = (f"| {dname} | {mname} | {width:.3g} | {means['lime']:.4f} | "
                        + " | ".join(f"{means[s]:.4f}" for s in SETTINGS) + " |")
                print(line, flush=True)
                lines.append(line)
    lines += ["", "Mean RMSE reduction vs lime's default over the grid (positive = lower "
              "error):", ""]
    for s, red in reductions.items():
        lines.append(f"- sampler={s[0]!r}, surrogate={s[1]!r}: {100 * np.mean(red):.1f}% "
                     f"(median {100 * np.median(red):.1f}%, {len(red)} cases)")
    header = ", ".join(f"{k} {v}" for k, v in versions("lime").items())
    emit_table(f"versions: {header}\n\n" + "\n".join(lines), args.out)
    return 0


def _surrogate_predict(exp, label, Z):
    """The explanation's surrogate on standardised samples ``Z`` (MARS via its terms)."""
    le = exp.label_explanations[label]
    details = le.details or {}
    if details.get("kind") == "mars":
        from limekit.surrogates.mars import MarsModel

        return MarsModel.from_details(details).predict(Z)
    w = np.zeros(Z.shape[1])
    for j, v in le.weights:
        w[j] = v
    return le.intercept + Z @ w


if __name__ == "__main__":
    raise SystemExit(main())
