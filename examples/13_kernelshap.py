"""
Shapley values with ``sampler="kernelshap"``
============================================

With ``sampler="kernelshap"`` the tabular explainer computes KernelSHAP: it
samples *coalitions* of features, replaces the absent ones by the values of
``background_size`` training rows (averaged), and solves the Shapley-weighted
regression. The weights are then Shapley values, with the **efficiency**
property: ``intercept + Σ weights`` equals the model's prediction exactly,
where ``intercept`` is the model's average over the background.
"""

# %%
# Explain a prediction with Shapley values
# ----------------------------------------
# A gradient-boosted model on scikit-learn's bundled diabetes data
# (regression: disease progression one year after baseline).

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor

from limekit import TabularExplainer

data = load_diabetes(as_frame=True)
X, y = data.data, data.target
model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, y)

shap = TabularExplainer(X, mode="regression", sampler="kernelshap", background_size=50,
                        random_state=0)
row = X.iloc[0]
exp = shap.explain(row, model, num_features=None, num_samples=2000)
print(exp)

# %%
# Efficiency
# ----------
# Every feature gets a value (``num_features=None`` keeps them all), and they
# add up: the intercept (the mean prediction over the 50 background rows)
# plus the Shapley values is the model's prediction for this row.

le = exp.label_explanations[0]
total = le.intercept + sum(w for _, w in le.weights)
print(f"intercept {le.intercept:.3f} + sum of Shapley values "
      f"{sum(w for _, w in le.weights):+.3f} = {total:.3f}; model prediction "
      f"{exp.predicted_value:.3f}")
assert np.isclose(total, exp.predicted_value)

fig = exp.plot()

# %%
# A waterfall
# -----------
# Efficiency makes a waterfall chart possible: start at the background
# average and add one feature's contribution at a time.

items = sorted(((exp.feature_names[i], w) for i, w in le.weights), key=lambda t: -abs(t[1]))
fig, ax = plt.subplots(figsize=(7, 4))
start = le.intercept
for k, (_name, w) in enumerate(items):
    ax.barh(k, w, left=start, color="#2e7d32" if w > 0 else "#c62828")
    start += w
ax.set_yticks(range(len(items)), [name for name, _ in items])
ax.invert_yaxis()
ax.axvline(le.intercept, color="#57606a", linestyle="--", linewidth=0.8,
           label=f"background mean {le.intercept:.1f}")
ax.axvline(exp.predicted_value, color="black", linewidth=0.8,
           label=f"prediction {exp.predicted_value:.1f}")
ax.set_xlabel("model output")
ax.set_title("From the average prediction to this row's")
ax.legend(loc="lower right", fontsize="small")
fig.tight_layout()

# %%
# Shapley values against LIME weights
# -----------------------------------
# The two answer different questions. A Shapley value is a feature's share of
# the gap between this prediction and the background average; a LIME weight
# (continuous mode: per training standard deviation) is the slope of a local
# linear fit. They often agree on which features matter and in which
# direction, but not on the numbers.

lime = TabularExplainer(X, mode="regression", discretizer=None, sampler="kernel",
                        random_state=0)
lime_exp = lime.explain(row, model, num_features=None, num_samples=2000)
shap_w = dict((exp.feature_names[i], w) for i, w in le.weights)
lime_w = dict((lime_exp.feature_names[i], w) for i, w in lime_exp.label_explanations[0].weights)
names = [name for name, _ in items]

fig, ax = plt.subplots(figsize=(7, 4))
pos = np.arange(len(names))
ax.barh(pos - 0.2, [shap_w[n] for n in names], height=0.4, label="Shapley value")
ax.barh(pos + 0.2, [lime_w.get(n, 0.0) for n in names], height=0.4,
        label="LIME weight (per std)")
ax.set_yticks(pos, names)
ax.invert_yaxis()
ax.axvline(0, color="black", linewidth=0.8)
ax.legend(fontsize="small")
ax.set_title("Same row, two attributions")
fig.tight_layout()

plt.show()
