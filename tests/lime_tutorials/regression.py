# ruff: noqa
# lime tutorial "Using lime for regression" (doc/notebooks/, marcotcr/lime HEAD), code
# cells in order. Adaptations (identical for the lime and compat runs), marked in the cells:
# * [removed API] load_boston (removed from scikit-learn 1.2) -> load_diabetes, which also
#   has feature_names and one feature with <= 10 values (sex: a categorical feature);
# * [small N] 100 trees instead of 1000.
# %% [0]
from sklearn.datasets import load_diabetes as load_boston  # [removed API] load_boston left scikit-learn in 1.2: the bundled diabetes data instead
import sklearn.ensemble
import sklearn.model_selection
import numpy as np
# %% [1]
boston = load_boston()
# %% [2]
rf = sklearn.ensemble.RandomForestRegressor(n_estimators=100)  # [small N] was 1000
# %% [3]
train, test, labels_train, labels_test = sklearn.model_selection.train_test_split(boston.data, boston.target, train_size=0.80, test_size=0.20)

# %% [4]
rf.fit(train, labels_train)
# %% [5]
print('Random Forest MSError', np.mean((rf.predict(test) - labels_test) ** 2))
# %% [6]
print('MSError when predicting the mean', np.mean((labels_train.mean() - labels_test) ** 2))
# %% [7]
categorical_features = np.argwhere(np.array([len(set(boston.data[:,x])) for x in range(boston.data.shape[1])]) <= 10).flatten()
# %% [8]
import lime
import lime.lime_tabular
# %% [9]
explainer = lime.lime_tabular.LimeTabularExplainer(train, feature_names=boston.feature_names, class_names=['price'], categorical_features=categorical_features, verbose=True, mode='regression')
# %% [10]
i = 25
exp = explainer.explain_instance(test[i], rf.predict, num_features=5)

# %% [11]
exp.show_in_notebook(show_table=True)
# %% [12]
exp.as_list()
