"""Influence functions: which training points helped or hurt one prediction.

Run: python examples/influence_points.py   (a few seconds)
"""

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from limekit import LogisticInfluence


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]
    model = LogisticRegression(C=0.5, max_iter=5000, tol=1e-10).fit(X_train, y_train)
    influence = LogisticInfluence(model, X_train, y_train)
    # the test point the model is least sure about
    worst = int(np.argmin(np.abs(model.predict_proba(X_test)[:, 1] - 0.5)))
    print(influence.top(X_test[worst], y_test[worst], k=5))


if __name__ == "__main__":
    main()
