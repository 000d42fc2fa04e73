"""Decision-tree surrogate: a shallow weighted regression tree, reported as rules."""

from __future__ import annotations

import numbers

import numpy as np

from .lasso import _check_int, _weighted_r2
from .linear import SurrogateFit
from .selection import WeightedDesign

__all__ = ["TreeSurrogate"]


class TreeSurrogate:
    """A shallow scikit-learn ``DecisionTreeRegressor`` fitted with the sample weights.

    The tree is reported as rules (one per leaf) and the instance's path
    through it. The per-feature weight is the *Saabas path attribution*: along
    the instance's path from the root to its leaf, each split moves the node
    mean (the weighted average of the target in the node); the change is
    credited to the split's feature. The weights therefore sum to
    ``leaf value − root mean``. This is an attribution of the prediction, not
    a slope: a tree is piecewise constant and has zero slope almost everywhere.

    Parameters
    ----------
    max_depth : int, default 3
        Depth of the tree (at most ``2 ** max_depth`` rules).
    min_samples_leaf : int or float, default 0.05
        In scikit-learn's meaning: a count, or a fraction of the samples with
        positive weight, that each leaf must hold.
    random_state : int, default 0
        Seed of the tree's tie-breaking between equally good splits, so that the
        same neighbourhood always gives the same tree.

    Notes
    -----
    ``intercept = local_pred − Σ coef · z0[features]``, so
    ``intercept + Σ coef · z0 = local_pred`` as for every limekit surrogate
    (with lime's binary features, ``z0`` is all ones and the intercept is the
    root mean). ``details`` holds ``"kind": "tree"``, ``"rules"`` (a list of
    ``{"conditions": [...], "value": leaf mean, "weight": share of the sample
    weight}``), ``"path"`` (the conditions the instance satisfies, root first),
    ``"root_value"`` and ``"leaf_value"``. Features are named ``x<index>`` by
    their interpretable-feature index; thresholds are printed to 6 significant
    digits.

    Examples
    --------
    >>> import numpy as np
    >>> from limekit.surrogates import WeightedDesign
    >>> from limekit.surrogates.tree import TreeSurrogate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, size=(200, 3)).astype(float)
    >>> X[0] = [1.0, 1.0, 0.0]
    >>> y = 2.0 * X[:, 1]
    >>> design = WeightedDesign(X, y[:, None], np.ones(200))
    >>> fit = TreeSurrogate(max_depth=2).fit(design, 0, np.arange(3), X[0])
    >>> fit.details["path"]
    ['x1 > 0.5']
    >>> float(fit.local_pred), float(fit.coef.sum() + fit.details["root_value"])
    (2.0, 2.0)
    """

    def __init__(self, max_depth: int = 3, min_samples_leaf: int | float = 0.05,
                 random_state: int = 0) -> None:
        self.max_depth = _check_int(max_depth, "max_depth", 1)
        if isinstance(min_samples_leaf, bool) or not isinstance(min_samples_leaf, numbers.Real):
            raise TypeError("min_samples_leaf must be an int (a count) or a float (a fraction), "
                            f"got {type(min_samples_leaf).__name__}")
        if isinstance(min_samples_leaf, numbers.Integral):
            self.min_samples_leaf: int | float = _check_int(min_samples_leaf,
                                                             "min_samples_leaf", 1)
        else:
            leaf = float(min_samples_leaf)
            if not 0.0 < leaf < 1.0:
                raise ValueError("min_samples_leaf as a float is a fraction of the samples and "
                                 f"must be in (0, 1), got {leaf}")
            self.min_samples_leaf = leaf
        self.random_state = _check_int(random_state, "random_state", 0)

    def fit(self, design: WeightedDesign, label: int, features: np.ndarray,
            z0: np.ndarray) -> SurrogateFit:
        """Fit on ``design.X[:, features]`` and target ``design.Y[:, label]``.

        Parameters
        ----------
        design : WeightedDesign
            The weighted neighbourhood: interpretable samples ``X``, model
            outputs ``Y`` and kernel weights ``w``.
        label : int
            Column of ``design.Y`` to fit (the explained label).
        features : ndarray of int
            Indices of the selected features (columns of ``design.X``).
        z0 : ndarray of shape (n_features,)
            The explained instance in the interpretable space.

        Returns
        -------
        SurrogateFit
            The selected features' weights, intercept, weighted R² and the
            prediction at ``z0``; ``details`` holds the tree's rules.
        """
        from sklearn.tree import DecisionTreeRegressor

        S = np.asarray(features, dtype=np.intp)
        # the tree is invariant to the weights' scale; normalising avoids underflow
        y, w = design.Y[:, label], design.w / design.w.max()
        if S.size == 0:  # nothing to split on: the tree is its root
            mean = float(design.y_mean[label])
            details = {"kind": "tree", "rules": [{"conditions": [], "value": mean,
                                                  "weight": 1.0}],
                       "path": [], "root_value": mean, "leaf_value": mean}
            return SurrogateFit(features=S, coef=np.zeros(0), intercept=mean,
                                score=_weighted_r2(design, label, np.full(y.shape, mean)),
                                local_pred=mean, details=details)
        X = design.X[:, S]
        keep = w > 0  # zero-weight rows would only count towards min_samples_leaf
        reg = DecisionTreeRegressor(max_depth=self.max_depth,
                                    min_samples_leaf=self.min_samples_leaf,
                                    random_state=self.random_state)
        reg.fit(X[keep], y[keep], sample_weight=w[keep])
        tree = reg.tree_
        value = tree.value[:, 0, 0]
        names = [f"x{int(j)}" for j in S]

        def condition(node: int, left: bool) -> str:
            op = "<=" if left else ">"
            return f"{names[tree.feature[node]]} {op} {tree.threshold[node]:.6g}"

        rules = []
        total = float(tree.weighted_n_node_samples[0])
        stack: list[tuple[int, list[str]]] = [(0, [])]
        while stack:  # depth-first, left branch first
            node, conds = stack.pop()
            left, right = tree.children_left[node], tree.children_right[node]
            if left < 0:
                rules.append({"conditions": conds, "value": float(value[node]),
                              "weight": float(tree.weighted_n_node_samples[node]) / total})
                continue
            stack.append((int(right), conds + [condition(node, False)]))
            stack.append((int(left), conds + [condition(node, True)]))

        # Saabas: each step down the instance's path credits the change of the node
        # mean to the feature split on
        path = reg.decision_path(z0[S][None, :]).indices  # node ids grow along a path
        coef = np.zeros(S.size)
        conds = []
        for parent, child in zip(path[:-1], path[1:], strict=True):
            f = tree.feature[parent]
            coef[f] += value[child] - value[parent]
            conds.append(condition(parent, child == tree.children_left[parent]))
        local_pred = float(value[path[-1]])
        intercept = local_pred - float(coef @ z0[S])
        details = {"kind": "tree", "rules": rules, "path": conds,
                   "root_value": float(value[0]), "leaf_value": local_pred}
        return SurrogateFit(features=S, coef=coef, intercept=intercept,
                            score=_weighted_r2(design, label, reg.predict(X)),
                            local_pred=local_pred, details=details,
                            predict=lambda Z: reg.predict(np.asarray(Z, dtype=float)[:, S]))

    def __repr__(self) -> str:
        return (f"TreeSurrogate(max_depth={self.max_depth}, "
                f"min_samples_leaf={self.min_samples_leaf!r}, random_state={self.random_state})")
