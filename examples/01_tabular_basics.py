"""
Explaining one prediction of a tabular model
============================================

The basic workflow of limekit: train any model on a table, build a
:class:`~limekit.TabularExplainer` from the training data, explain one row, and
read the result. The model here is a scikit-learn ``Pipeline`` (one-hot encoding
plus logistic regression) trained on :func:`limekit.datasets.make_mixed_frame`,
a small synthetic table with numeric, categorical and boolean columns whose
true effects are known: ``income`` and ``member`` raise the odds of a positive
answer, ``color="red"`` raises them, ``color="blue"`` lowers them and ``noise``
does nothing.
"""

# %%
# Train a model on a DataFrame
# ----------------------------
# The explainer calls the model with a DataFrame that has the training data's
# columns and dtypes, so a ``ColumnTransformer`` inside a ``Pipeline`` works
# unchanged: nothing has to be encoded by hand for the explainer.

import matplotlib.pyplot as plt
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from limekit import Explanation, TabularExplainer
from limekit.datasets import make_mixed_frame

X, y = make_mixed_frame(600, random_state=0)
X_train, y_train, X_test, y_test = X[:500], y[:500], X[500:], y[500:]
print(X_train.head())

encode = ColumnTransformer(
    [("cat", OneHotEncoder(handle_unknown="ignore"), ["color"]),
     ("num", StandardScaler(), ["income", "age", "noise"])],
    remainder="passthrough",  # the boolean column "member"
)
model = make_pipeline(encode, LogisticRegression(max_iter=1000)).fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Explain one row
# ---------------
# ``TabularExplainer`` learns per-column distributions from the training data
# (quartile bins for numeric columns, frequencies for categorical ones). To
# explain a row it draws ``num_samples`` perturbed rows, asks the model about
# them, weights them by closeness to the row and fits a weighted ridge
# regression on "is this feature like the row's?" indicators.
#
# ``random_state`` makes the explanation reproducible: it depends only on the
# seed, the row and the settings. ``fidelity_samples`` asks limekit to check the
# surrogate on that many *fresh* samples it was not fitted on.

explainer = TabularExplainer(X_train, class_names=["no", "yes"], random_state=0,
                             fidelity_samples=1000)
row = X_test.iloc[10]
exp = explainer.explain(row, model, num_features=5, num_samples=2000)
print(exp)

# %%
# How to read it
# --------------
# * **Predicted class** and probabilities: what the model said about the row.
#   The explanation is about the predicted class (``labels=[...]`` or
#   ``top_labels=k`` explain others).
# * **Each line** is an interpretable feature of *this* row, e.g.
#   ``color=red`` or a quartile bin such as ``income <= 35415.28``, with its
#   **weight**: how much the probability of the class changes, according to the
#   surrogate, when the feature takes the row's value instead of a random one
#   from the training data. Positive weights push towards the class.
# * **intercept** is the surrogate's prediction when no feature is like the
#   row's; **local_pred** is its prediction at the row itself, i.e. the
#   intercept plus the sum of the weights (every feature of the row is "like
#   the row"). Compare it with the model's probability: a large gap means the
#   linear surrogate does not fit the model well here.
# * **score (R²)** is the surrogate's weighted R² on its own samples
#   (in-sample, optimistic); **held-out fidelity** is measured on fresh samples
#   and is the figure to trust.
# * **effective sample size** says how many samples really carry the fit once
#   the proximity weights are applied.
#
# Everything is also available as plain data:

label = exp.labels[0]
print("weights      :", exp.as_list(label))
print("intercept    :", round(exp.intercept[label], 4))
print("local_pred   :", round(exp.local_pred[label], 4),
      "= intercept + sum of weights =",
      round(exp.intercept[label] + sum(w for _, w in exp.as_list(label)), 4))
print("model p      :", round(float(exp.prediction[label]), 4))
print("fidelity     :", exp.fidelity[label])
print("warnings     :", exp.warnings or "none")

# %%
# Plot it
# -------
# :meth:`~limekit.Explanation.plot` draws the weights as bars, strongest on
# top: green pushes towards the class, red away from it. The x-axis label
# repeats the held-out fidelity, so the figure never travels without it.

fig = exp.plot()

# %%
# The explanation matches what we know about the data: ``color=red`` and
# ``member=True`` push towards "yes", this row's low income pushes away, and
# ``noise`` and ``age`` get the smallest weights. The held-out R² is modest
# (about 0.25): lime's sampler draws the perturbed rows from the whole training
# distribution, and a logistic model is not linear in bin indicators over such
# a wide neighbourhood. The :ref:`fidelity example
# <sphx_glr_auto_examples_06_fidelity_surrogates.py>` shows how to measure and
# improve this. A tidy table of the same numbers, handy for
# reports or for comparing many explanations:

print(exp.to_frame().to_string())

# %%
# Explanations are plain data: they serialise to JSON and back exactly, so they
# can be stored and compared later.

assert Explanation.from_json(exp.to_json()) == exp
plt.show()
