"""
SP-LIME: a few explanations that cover the model
================================================

One explanation describes one prediction. To give someone an overview of a
model with a handful of explanations, SP-LIME (Ribeiro et al., 2016) picks the
set of explanations that together *cover* the most important features, without
redundancy. :func:`~limekit.pick_explanations` explains a sample of rows and
picks from it; :func:`~limekit.submodular_pick` picks from explanations you
already have.
"""

# %%
# Explain a sample, pick four
# ---------------------------
# A random forest on the breast cancer data. ``pick_explanations`` draws
# ``sample_size`` rows (seeded by the explainer's ``random_state``), explains
# them with ``explain_batch`` and greedily picks ``budget`` explanations: each
# step adds the one that covers the most not-yet-covered importance.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from limekit import TabularExplainer, pick_explanations, submodular_pick

data = load_breast_cancer(as_frame=True)
X, y = data.data, data.target
model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)
explainer = TabularExplainer(X, class_names=list(data.target_names), sampler="kernel",
                             feature_selection="highest_weights", random_state=0)

pick = pick_explanations(explainer, X, model, budget=4, sample_size=60, num_features=5,
                         num_samples=1000, progress=False)
print(pick)

# %%
# How to read it
# --------------
# *Global importance* of feature ``j`` is ``sqrt(Σ_i |W[i, j]|)`` over the 60
# explanations (``W`` is the explanation matrix). *Coverage* of a set of
# explanations is the total importance of the features that appear in at least
# one of them. Each line is one pick: its position in the sample (``index``),
# the coverage it added (``gain``, non-increasing: coverage is submodular), the
# running total, and the features it covered first. ``pick.rows`` are the
# picked rows of ``X``.

print("picked rows of X:", pick.rows.tolist())
print(f"coverage: {100 * pick.coverage_fraction:.0f}% of the total importance")
print(pick.to_frame().to_string())

# %%
# The picked explanations, side by side:

fig, axes = plt.subplots(2, 2, figsize=(12, 6))
for ax, exp, row in zip(axes.ravel(), pick.explanations, pick.rows, strict=True):
    exp.plot(ax=ax)
    ax.set_title(f"row {row}: {exp.class_name(exp.labels[0])} "
                 f"(p={exp.predict_proba[exp.labels[0]]:.2f})", fontsize=10)
fig.tight_layout()

# %%
# The explanation matrix
# ----------------------
# Rows are the 60 explanations, columns the features that appear in any of
# them; the picked explanations are marked. A good pick spreads over the
# columns that carry the most weight.

W = pick.W
used = np.flatnonzero(W.sum(axis=0) > 0)
used = used[np.argsort(-pick.importance[used])]
fig, ax = plt.subplots(figsize=(9, 5))
ax.imshow(W[:, used], aspect="auto", cmap="Greys", interpolation="nearest")
for i in pick.indices:
    ax.axhline(i, color="#c62828", linewidth=2, alpha=0.7)
ax.set_xticks(range(len(used)), [pick.feature_names[j] for j in used], rotation=60,
              ha="right", fontsize=8)
ax.set_ylabel("explanation (sample position)")
ax.set_title("|weights| of 60 explanations; red lines: the SP-LIME pick")
fig.tight_layout()

# %%
# Coverage as the budget grows
# ----------------------------
# ``submodular_pick`` works on any list of explanations; here the 60 we already
# have are explained again (identical: explanations are deterministic) and re-used (the pick is greedy, so budget ``b`` starts with the first
# ``b - 1`` picks). Compare with picking at random: the greedy pick reaches
# most of the coverage with few explanations.

all_exps = explainer.explain_batch(X.iloc[pick.sample_indices], model, num_features=5,
                                   num_samples=1000, progress=False)
budgets = range(1, 11)
greedy = [submodular_pick(all_exps, budget=b).coverage_fraction for b in budgets]
rng = np.random.default_rng(0)
present = pick.W > 0
random_cov = []
for b in budgets:
    fractions = []
    for _ in range(50):
        chosen = rng.choice(len(all_exps), size=b, replace=False)
        covered = present[chosen].any(axis=0)
        fractions.append(pick.importance[covered].sum() / pick.total_importance)
    random_cov.append(np.mean(fractions))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(budgets, greedy, "o-", label="SP-LIME (greedy)")
ax.plot(budgets, random_cov, "s--", label="random explanations (mean of 50)")
ax.set_xlabel("budget (explanations shown)")
ax.set_ylabel("coverage fraction")
ax.set_ylim(0, 1.02)
ax.legend()
fig.tight_layout()

plt.show()
