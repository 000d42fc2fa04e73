"""
Explaining models of time series
================================

limekit has two explainers for sequences:

* :class:`~limekit.SegmentTimeSeriesExplainer` explains a model of a
  univariate series by *which contiguous windows matter*: a sample hides some
  windows (replacing them by a baseline) and the surrogate says how much each
  window mattered;
* :class:`~limekit.TimeSeriesExplainer` is lime's ``RecurrentTabularExplainer``:
  a ``(timesteps, features)`` sequence becomes one row of ``feature_t-k``
  columns, explained like a table, while the model keeps receiving 3-D arrays.

Both are shown on synthetic data whose answer we know.
"""

# %%
# Which window of a series matters?
# ---------------------------------
# 400 noisy series of length 100; the positive ones carry a bump somewhere in
# ``t ∈ [60, 80)``. A random forest on the raw values learns to look there.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from limekit import SegmentTimeSeriesExplainer, TimeSeriesExplainer

rng = np.random.default_rng(0)
T = 100
t = np.arange(T)


def make_series(n):
    X = 0.3 * rng.standard_normal((n, T)) + np.sin(t / 8.0)
    y = rng.integers(0, 2, n)
    centres = rng.uniform(63, 77, n)
    bumps = np.exp(-0.5 * ((t[None, :] - centres[:, None]) / 3.0) ** 2)
    return X + 1.5 * y[:, None] * bumps, y


X_train, y_train = make_series(400)
X_test, y_test = make_series(100)
forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(X_train, y_train)
print(f"held-out accuracy: {forest.score(X_test, y_test):.2f}")

# %%
# Explain one positive series with ten windows of ten steps. Hidden windows
# take the value of ``baseline``: here the training data's mean at each step,
# so a hidden window looks like an ordinary series there.

series = X_test[np.flatnonzero(y_test == 1)[0]]
explainer = SegmentTimeSeriesExplainer(n_segments=10, baseline=X_train.mean(axis=0),
                                       class_names=["flat", "bump"], random_state=0)
exp = explainer.explain(series, forest, labels=[1], num_features=5, num_samples=1000)
print(exp)

# %%
# The features are the windows ``t[a:b]``; a positive weight means that showing
# the window (rather than the baseline) raises the probability of "bump".
# :meth:`~limekit.TimeSeriesSegmentExplanation.plot` shades each window by its
# weight: the window holding the bump should be the dark green one.

fig = exp.plot()

# %%
# ``t[60:70]``, where this series' bump sits, carries almost all the weight.
# ``t[70:80]`` is slightly negative, and that is right too: the baseline is
# the training mean, which includes the bumps of half the training series, so
# there the baseline is *higher* than this series, and showing the series'
# own, lower, values argues a little against "bump".

# %%
# Feature by timestep: lime's recurrent explainer
# -----------------------------------------------
# Now multivariate sequences: 12 timesteps of two sensors, ``load`` and
# ``temp``. The model (a logistic regression on the flattened sequence, but any
# RNN would do) raises an alarm when the *last three* readings of ``load`` are
# high; ``temp`` is irrelevant.

n, steps = 600, 12
cubes = rng.standard_normal((n, steps, 2))
alarm = (cubes[:, -3:, 0].mean(axis=1) + 0.3 * rng.standard_normal(n) > 0.4).astype(int)
flat_model = LogisticRegression(max_iter=1000).fit(cubes.reshape(n, -1), alarm)


def sequence_model(batch):
    """Takes (n, timesteps, features) arrays, as a recurrent network would."""
    batch = np.asarray(batch)
    return flat_model.predict_proba(batch.reshape(len(batch), -1))


ts_explainer = TimeSeriesExplainer(cubes, feature_names=["load", "temp"],
                                   class_names=["ok", "alarm"], random_state=0)
print(ts_explainer.feature_names[:4], "...", ts_explainer.feature_names[-2:])

# %%
# The columns are named ``feature_t-k``: the feature ``k`` steps before the
# last one (``_t-0`` is the most recent reading), as in lime. Explaining one
# sequence gives an ordinary tabular explanation over these columns:

sequence = cubes[np.flatnonzero(alarm == 1)[0]]
ts_exp = ts_explainer.explain(sequence, sequence_model, labels=[1], num_features=6,
                              num_samples=2000)
for description, weight in ts_exp.as_list(1):
    print(f"{weight:+.3f}  {description}")
fig = ts_exp.plot(label=1)

# %%
# The two strongest features are ``load_t-0`` and ``load_t-2``, both in their
# top quartile, two of the three readings the alarm is built from;
# ``load_t-1`` is only in its third quartile for this sequence, so being "like
# this sequence" there matters less. The ``temp`` columns get weights ten
# times smaller: the noise level of the fit.

plt.show()
