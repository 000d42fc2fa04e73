"""LI-ITR in a simulation with known truth, against the global linear baseline.

Covariates x ~ N(0, I_5); outcome μ(x, a) = b(x) + a·τ(x) for a ∈ {0, 1}, with a
nonlinear baseline b(x) = x0 + 0.5·x1² + sin(x3) and three treatment effects τ:

* smooth      τ = 1 + 2·x0 − x1 + 0.5·x0·x2   (effect modifiers vary with x)
* bowl        τ = x0² + x1² − 1.5              (no global linear trend at all)
* two regimes τ = 1.5 + 2·x0 if x1 > 0 else −1 − x0 + x2

For each subject we compare the recovered local effect modifiers γ_i with the
true ones (the gradient of τ at x_i), the recommended arm with the optimal one
(1[τ(x_i) > 0]), and the policy value (mean outcome when everyone gets the
recommended arm, as a share of the optimal policy's gain over treating nobody).

Run:  PYTHONPATH=src python examples/treatment_rules.py
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np

from limekit.treatment import TreatmentRuleExplainer, global_linear_baseline

D = 5


def baseline(X):
    return X[:, 0] + 0.5 * X[:, 1] ** 2 + np.sin(X[:, 3])


SCENARIOS = {
    "smooth": (
        lambda X: 1 + 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 0] * X[:, 2],
        lambda X: np.c_[2 + 0.5 * X[:, 2], -np.ones(len(X)), 0.5 * X[:, 0],
                        np.zeros((len(X), 2))],
    ),
    "bowl": (
        lambda X: X[:, 0] ** 2 + X[:, 1] ** 2 - 1.5,
        lambda X: np.c_[2 * X[:, 0], 2 * X[:, 1], np.zeros((len(X), 3))],
    ),
    "two regimes": (
        lambda X: np.where(X[:, 1] > 0, 1.5 + 2 * X[:, 0], -1 - X[:, 0] + X[:, 2]),
        lambda X: np.where((X[:, 1] > 0)[:, None], [2, 0, 0, 0, 0],
                           [-1, 0, 1, 0, 0]).astype(float),
    ),
}


def policy_value(rec, tau_values):
    """Share of the optimal policy's gain (over treating nobody) that ``rec`` achieves."""
    best = np.maximum(tau_values, 0).sum()
    return float((rec * tau_values).sum() / best)


def evaluate(name, coef, rec, tau_values, grad):
    corr = np.corrcoef(coef.ravel(), grad.ravel())[0, 1] if coef.std() > 0 else float("nan")
    rmse = np.sqrt(np.mean((coef - grad) ** 2))
    acc = np.mean(rec == (tau_values > 0))
    print(f"  {name:<22} coef corr {corr:6.3f}  coef RMSE {rmse:5.3f}  "
          f"accuracy {acc:5.1%}  policy value {policy_value(rec, tau_values):6.1%}")


def main():
    rng = np.random.default_rng(0)
    X_train = rng.normal(size=(1000, D))
    subjects = rng.normal(size=(100, D))
    samplers = ["gmm"]
    if importlib.util.find_spec("torch") is not None:
        samplers.append("vae")
    explainers = {}
    for kind in samplers:
        t0 = time.perf_counter()
        explainers[kind] = TreatmentRuleExplainer(X_train, sampler=kind, n_experts=2,
                                                  random_state=0)
        print(f"fitted the {kind} sampler in {time.perf_counter() - t0:.1f} s")
    for scenario, (tau, grad) in SCENARIOS.items():
        def mu(X, a, tau=tau):
            return baseline(X) + a * tau(X)

        tau_values, true_grad = tau(subjects), grad(subjects)
        print(f"\n{scenario}: {np.mean(tau_values > 0):.0%} of subjects benefit from treatment")
        for kind, explainer in explainers.items():
            t0 = time.perf_counter()
            exps = explainer.explain_batch(subjects, mu)
            secs = time.perf_counter() - t0
            coef = np.array([e.effect_coef[0] for e in exps])
            rec = np.array([e.recommended for e in exps])
            evaluate(f"LI-ITR ({kind}, {secs:.1f} s)", coef, rec, tau_values, true_grad)
        glob = global_linear_baseline(X_train, mu)
        coef = np.tile(glob.effect_coef[0], (len(subjects), 1))
        evaluate("global linear baseline", coef, glob.recommend(subjects), tau_values, true_grad)
    print("\nOne subject, explained:\n")
    print(explainers[samplers[-1]].explain(subjects[0], lambda X, a: baseline(X) + a * (
        SCENARIOS["smooth"][0](X))))


if __name__ == "__main__":
    main()
