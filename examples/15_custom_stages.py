"""
Your own sampler, surrogate and kernel
======================================

An explanation is a pipeline of small stages: a sampler draws a neighbourhood, the
model scores it, a kernel weighs the samples and a surrogate is fitted to them. Each
stage is an interface, so a new idea is one small class that plugs into the
explainers unchanged. This example writes three of them:

* a **tabular sampler** that changes one column of the instance at a time
  (a subclass of :class:`limekit.sampling.TabularSampler` with a single ``draw``);
* a **surrogate** that reports, for each feature, the weighted difference of the
  model's output with the feature on and off (any object with
  ``fit(design, label, features, z0)`` returning a
  :class:`~limekit.surrogates.SurrogateFit`);
* a **kernel** that weighs every sample equally (any ``kernel(distances, width)``).
"""

# %%
# A model and a row
# -----------------
# A gradient-boosted classifier on scikit-learn's bundled wine data (13 features).

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import r2_score

from limekit import TabularExplainer
from limekit.sampling import LimeTabularSampler, TabularSampler
from limekit.surrogates import SurrogateFit

data = load_wine(as_frame=True)
X, y = data.data, data.target
model = GradientBoostingClassifier(n_estimators=50, random_state=0).fit(X, y)
row = X.iloc[10]

# %%
# A sampler: one column at a time
# -------------------------------
# ``draw`` returns ``n`` rows in the representation's *code space* (bins and
# categories for a discretized explainer); row 0 must be the instance. Here each
# sample copies the instance and redraws one random column the way lime would, so
# every sample answers "what if only this feature were different?". The explainer
# turns the codes into interpretable samples, model inputs and kernel weights.


class OneColumnAtATime(TabularSampler):
    """Each sample differs from the instance in one column, drawn as lime draws it."""

    def draw(self, marginals, instance_codes, n, rng):
        codes = np.tile(instance_codes, (n, 1))
        column = rng.integers(0, marginals.n_features, size=n)
        redrawn = LimeTabularSampler().draw(marginals, instance_codes, n, rng)
        codes[np.arange(n), column] = redrawn[np.arange(n), column]
        codes[0] = instance_codes
        return codes

    def __repr__(self):
        return "OneColumnAtATime()"


# %%
# A surrogate and a kernel
# ------------------------
# The surrogate receives a :class:`~limekit.surrogates.WeightedDesign` (samples
# ``X``, model outputs ``Y`` and weights ``w``), the label's column, the selected
# features and the instance ``z0``.


class OnMinusOff:
    """Weight of a feature: weighted mean output with it on minus with it off."""

    def fit(self, design, label, features, z0):
        X, out, w = design.X, design.Y[:, label], design.w
        S = np.asarray(features, dtype=np.intp)
        coef = np.array([np.average(out[X[:, j] > 0.5], weights=w[X[:, j] > 0.5])
                         - np.average(out[X[:, j] < 0.5], weights=w[X[:, j] < 0.5])
                         for j in S])
        intercept = float(np.average(out, weights=w) - design.x_mean[S] @ coef)
        fitted = intercept + X[:, S] @ coef
        return SurrogateFit(features=S, coef=coef, intercept=intercept,
                            score=float(r2_score(out, fitted, sample_weight=w)),
                            local_pred=intercept + float(coef @ z0[S]))

    def __repr__(self):
        return "OnMinusOff()"


def equal_weights(distances, width):
    """Every sample counts the same, whatever its distance to the instance."""
    return np.ones_like(distances)


# %%
# Plug them in
# ------------
# Each stage is a constructor argument; everything else (validation, seeding,
# labels, diagnostics, rendering) is the explainer's. The one-column sampler with
# equal weights asks a purely local question, and the on-minus-off surrogate
# answers it feature by feature.

settings = {
    "lime's defaults": {},
    "one column at a time": {"sampler": OneColumnAtATime(), "kernel": equal_weights},
    "... and on-minus-off": {"sampler": OneColumnAtATime(), "kernel": equal_weights,
                             "surrogate": OnMinusOff(), "feature_selection": "none"},
}
label = int(model.predict(row.to_frame().T)[0])
exps = {name: TabularExplainer(X, class_names=list(data.target_names), random_state=0,
                               **kw).explain(row, model, labels=[label], num_features=5,
                                             num_samples=2000)
        for name, kw in settings.items()}
for name, exp in exps.items():
    print(f"{name}: sampler {exp.settings['sampler']}, surrogate {exp.settings['surrogate']}")
    for feature, weight in exp.as_list(label)[:5]:
        print(f"    {feature:>40}  {weight:+.3f}")

# %%
# The three explanations side by side: the top five features of each.

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=False)
for ax, (name, exp) in zip(axes, exps.items(), strict=True):
    items = exp.as_list(label)[:5][::-1]
    ax.barh([f for f, _ in items], [w for _, w in items],
            color=["#2a9d8f" if w > 0 else "#e76f51" for _, w in items])
    ax.set_title(name, fontsize=10)
    ax.tick_params(axis="y", labelsize=7)
fig.suptitle(f"Why class {data.target_names[label]}?", fontsize=11)
fig.tight_layout()

# %%
# The samplers of text, image and time-series explainers are simpler still: any
# object with ``draw(d, n, rng)`` returning an ``(n, d)`` 0/1 matrix (row 0 all
# ones) works, e.g. ``TextExplainer(sampler=MySampler())``. See
# :doc:`/architecture` for the stages and where each lives.
