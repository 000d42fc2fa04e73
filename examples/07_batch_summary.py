"""
Many explanations at once: ``explain_batch`` and a global summary
=================================================================

:meth:`~limekit.TabularExplainer.explain_batch` explains many rows with one
model call per memory-bounded group of rows; every row's explanation is
identical to what :meth:`~limekit.TabularExplainer.explain` would give for it.
:meth:`~limekit.ExplanationBatch.to_frame` turns the batch into one tidy table,
from which global summaries are a ``groupby`` away.
"""

# %%
# Explain 100 rows
# ----------------
# A logistic regression on scikit-learn's bundled wine data (178 wines, 13
# chemical measurements, 3 cultivars). We explain the predicted class of 100
# rows, 1000 samples each, with the recommended stable sampler.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from limekit import TabularExplainer
from limekit.datasets import load_demo

data = load_demo("wine")
print(data.description)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(data.X, data.y)

explainer = TabularExplainer(data.X, class_names=data.class_names, sampler="kernel",
                             feature_selection="highest_weights", random_state=0)
rows = data.X.sample(n=100, random_state=0)  # 100 wines, seeded
batch = explainer.explain_batch(rows, model, num_features=5, num_samples=1000, progress=False)
print(batch, "- the first one:")
print(batch[0])

# %%
# Same result as one at a time
# ----------------------------
# Each explanation's randomness derives from the seed and the row's values, so
# batching changes nothing (and neither do ``batch_size`` or ``n_jobs``).

assert batch[3] == explainer.explain(rows.iloc[3], model, num_features=5, num_samples=1000)

# %%
# One tidy table
# --------------
# A row per (explained row, label, selected feature). ``row_id`` is the
# DataFrame index of the explained row; ``feature`` is the column and
# ``description`` the row's bin of it.

frame = batch.to_frame()
print(frame.head(8).to_string())

# %%
# A global summary
# ----------------
# How much each feature matters across the 100 explanations: the mean absolute
# weight per feature (a feature that was not selected for a row counts as 0),
# split by the explained class. This is a summary of *local* explanations, not
# a property of the model's coefficients: it says which features the model
# leaned on for these rows.

n_rows = frame["row_id"].nunique()
summary = (frame.assign(abs_weight=frame["weight"].abs())
           .pivot_table(index="feature", columns="class_name", values="abs_weight",
                        aggfunc="sum", fill_value=0.0) / n_rows)
summary = summary.loc[summary.sum(axis=1).sort_values().index]

fig, ax = plt.subplots(figsize=(7, 4.5))
left = np.zeros(len(summary))
for cls in summary.columns:
    ax.barh(summary.index, summary[cls], left=left, label=f"explaining {cls}")
    left += summary[cls].to_numpy()
ax.set_xlabel("mean |weight| over 100 explanations")
ax.set_title("Which features the explanations rely on")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# Direction, not only size
# ------------------------
# The sign matters too. For the rows explained as ``class_0``, each dot is one
# row's weight for a feature: points right of zero push towards ``class_0``.
# The spread shows how much the local story varies from wine to wine.

sub = frame[frame["class_name"] == "class_0"]
order = sub.groupby("feature")["weight"].apply(lambda w: w.abs().mean()).sort_values().index
fig, ax = plt.subplots(figsize=(7, 4))
rng = np.random.default_rng(0)
for k, feature in enumerate(order):
    w = sub.loc[sub["feature"] == feature, "weight"]
    ax.scatter(w, k + 0.15 * rng.standard_normal(len(w)), s=12, alpha=0.7)
ax.set_yticks(range(len(order)), order)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("weight for class_0 (one dot per explained row)")
ax.set_title("Local weights across rows explained as class_0")
fig.tight_layout()

plt.show()
