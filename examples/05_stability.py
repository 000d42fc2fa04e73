"""
How stable is an explanation? lime's sampler against ``sampler="kernel"``
==========================================================================

Run LIME twice with different seeds and you may get two different lists of
"most important" features. This example measures that instability with
:mod:`limekit.metrics` (the top-*k* Jaccard index across seeds) for lime's own
sampler and for limekit's recommended setting, ``sampler="kernel"`` (samples
drawn *from* the proximity kernel, so every sample counts),
``feature_selection="highest_weights"`` and ``link="auto"``.
"""

# %%
# A model and a row to explain
# ----------------------------
# A random forest on scikit-learn's bundled breast cancer data (569 tumours,
# 30 numeric features). Row 7 is a malignant tumour (class 0); every
# explanation below is of the predicted class, "malignant".

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from limekit import TabularExplainer
from limekit.metrics import explain_with_stability, jaccard_at_k, stability_report

data = load_breast_cancer(as_frame=True)
X, y = data.data, data.target
model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)
row = X.iloc[7]

SETTINGS = {
    "lime's defaults": {},
    "recommended": {"sampler": "kernel", "feature_selection": "highest_weights",
                    "link": "auto"},
}


def runs_for(settings, num_samples, seeds=range(8)):
    """One explanation of ``row`` per seed."""
    return [TabularExplainer(X, random_state=seed, class_names=list(data.target_names),
                             **settings).explain(row, model, labels=[0], num_features=5,
                                                 num_samples=num_samples)
            for seed in seeds]


# %%
# Top-5 features across seeds
# ---------------------------
# Eight seeds each way, 1000 samples per explanation. Each line is one seed's
# top-5 list. With lime's sampler the lists disagree; with the recommended
# setting they are the same list every time.

for name, settings in SETTINGS.items():
    runs = runs_for(settings, 1000)
    print(f"== {name}: top-5 Jaccard across seeds {jaccard_at_k(runs, k=5):.2f}")
    for exp in runs[:4]:
        print("   ", [data.feature_names.tolist().index(exp.feature_names[i])
                      for i, _ in exp.label_explanations[0].weights])
    report = stability_report(runs, k=5)
    print(f"    Jaccard {report.jaccard:.2f}, Kendall tau {report.kendall_tau:.2f}, "
          f"sign agreement {report.sign_agreement:.2f} over {report.n_runs} runs")

# %%
# Reading the numbers: the **Jaccard index** of two top-5 sets is the size of
# their intersection over the size of their union (1: the same five features;
# 0: nothing in common); :func:`~limekit.metrics.jaccard_at_k` averages it over
# every pair of seeds. :func:`~limekit.metrics.stability_report` adds Kendall's
# τ between the full rankings and the **sign agreement** of the top features.
# (The lists above show column numbers of the data set, to keep them short.)
#
# Stability against the number of samples
# ---------------------------------------
# More samples make lime's sampler more stable, slowly; the kernel sampler is
# stable already at a few hundred.

sizes = [250, 500, 1000, 2000, 4000]
curves = {name: [jaccard_at_k(runs_for(settings, n), k=5) for n in sizes]
          for name, settings in SETTINGS.items()}

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, values in curves.items():
    ax.plot(sizes, values, "o-", label=name)
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_ylim(0, 1.05)
ax.set_xlabel("num_samples per explanation")
ax.set_ylabel("top-5 Jaccard across 8 seeds")
ax.set_title("Same row, same model, different seeds")
ax.legend()
fig.tight_layout()

# %%
# Which features keep coming back?
# --------------------------------
# How often each feature makes the top 5, over the eight seeds at 1000
# samples. A feature at 8/8 is a safe bet; features at 1/8 or 2/8 are noise of
# the sampler, not properties of the model.

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
for ax, (name, settings) in zip(axes, SETTINGS.items(), strict=True):
    counts = {}
    for exp in runs_for(settings, 1000):
        for i, _ in exp.label_explanations[0].weights:
            counts[exp.feature_names[i]] = counts.get(exp.feature_names[i], 0) + 1
    names = sorted(counts, key=lambda f: (-counts[f], f))[:10][::-1]
    ax.barh(names, [counts[f] for f in names], color="#4c72b0")
    ax.set_title(name)
    ax.set_xlabel("seeds (of 8) with the feature in the top 5")
    ax.set_xticks(np.arange(0, 9, 2))
fig.tight_layout()

# %%
# Attach the stability to the explanation
# ---------------------------------------
# :func:`~limekit.metrics.explain_with_stability` runs a few seeds and stores
# the report in the explanation's diagnostics, where every rendering shows it
# (look for the ``stability`` line).

explainer = TabularExplainer(X, random_state=0, class_names=list(data.target_names),
                             **SETTINGS["recommended"])
exp = explain_with_stability(explainer, row, model, n_runs=5, k=5, labels=[0],
                             num_features=5, num_samples=1000)
print(exp)
fig = exp.plot()

plt.show()
