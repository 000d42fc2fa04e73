"""
Migrating from lime
===================

limekit is a drop-in for ``lime`` 0.2.0.1: change the imports and a lime
script keeps working, deterministically and faster.
:class:`limekit.compat.lime_tabular.LimeTabularExplainer` has lime's
constructor, ``explain_instance`` and lime-style explanation (``as_list``,
``as_map``, ``as_pyplot_figure``, ...), and every call is translated to the
native :class:`~limekit.TabularExplainer`. This example runs the same
explanation both ways.
"""

# %%
# The lime way
# ------------
# Only the import changes: ``from lime.lime_tabular import LimeTabularExplainer``
# becomes ``from limekit.compat.lime_tabular import LimeTabularExplainer``.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from limekit import TabularExplainer
from limekit.compat.lime_tabular import LimeTabularExplainer

data = load_breast_cancer()
X, y = data.data, data.target
model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)

lime_style = LimeTabularExplainer(X, feature_names=list(data.feature_names),
                                  class_names=list(data.target_names),
                                  discretize_continuous=True, random_state=0)
lime_exp = lime_style.explain_instance(X[0], model.predict_proba, num_features=5,
                                       num_samples=2000)
print(lime_exp.as_list())          # lime's default label is 1
print(lime_exp.score, lime_exp.local_pred, lime_exp.intercept)

fig = lime_exp.as_pyplot_figure()
fig.tight_layout()

# %%
# Unlike lime, explaining the same row twice gives the same answer: the
# explanation depends only on ``random_state`` and the row.

again = lime_style.explain_instance(X[0], model.predict_proba, num_features=5,
                                    num_samples=2000)
print("reproducible:", again.as_list() == lime_exp.as_list())

# %%
# The native way
# --------------
# The same settings with the native API. Differences worth knowing:
#
# * ``labels=(1,)`` is lime's default; the native default is the *predicted*
#   class (pass ``labels=[1]`` for the same thing);
# * the native explainer takes the model itself (``predict_proba`` is found),
#   DataFrames with string columns, and returns a plain-data
#   :class:`~limekit.Explanation` that pickles, serialises to JSON, renders as
#   text, HTML or a matplotlib chart, and carries diagnostics.

native = TabularExplainer(X, feature_names=list(data.feature_names),
                          class_names=list(data.target_names), random_state=0)
exp = native.explain(X[0], model, labels=[1], num_features=5, num_samples=2000)
print(exp.as_list(1))
print("same weights as the compat explainer:",
      np.allclose([w for _, w in exp.as_list(1)], [w for _, w in lime_exp.as_list()]))
fig = exp.plot(label=1)

# %%
# ``lime_exp.native`` is the native explanation behind a compat one, so
# existing lime code can adopt the new features one at a time:

print(type(lime_exp.native).__name__, "- effective sample size:",
      round(lime_exp.native.effective_sample_size, 1))

# %%
# The recommended settings
# ------------------------
# Once on the native API, the settings measured to give stable explanations
# are one argument each (see the stability example):
# ``sampler="kernel"``, ``feature_selection="highest_weights"``,
# ``link="auto"``; ``fidelity_samples=`` adds a held-out fidelity check.

better = TabularExplainer(X, feature_names=list(data.feature_names),
                          class_names=list(data.target_names), random_state=0,
                          sampler="kernel", feature_selection="highest_weights", link="auto",
                          fidelity_samples=1000)
print(better.explain(X[0], model, labels=[1], num_features=5, num_samples=2000))

plt.show()
