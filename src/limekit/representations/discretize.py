"""Bin edges for continuous columns (lime's quartile, decile and entropy discretizers)."""

from __future__ import annotations

import numpy as np

__all__ = ["bin_edges", "DISCRETIZERS"]

DISCRETIZERS = ("quartile", "decile", "entropy")


def bin_edges(values: np.ndarray, method: str, labels: np.ndarray | None = None,
              seed: int | None = None) -> np.ndarray:
    """Sorted unique interior bin edges for one column.

    A value ``v`` falls in bin ``searchsorted(edges, v)`` (side='left'), i.e. bins
    are ``v <= e0``, ``e0 < v <= e1``, ..., ``v > e_last``, as in lime.
    """
    if method == "quartile":
        edges = np.percentile(values, [25, 50, 75])
    elif method == "decile":
        edges = np.percentile(values, np.arange(10, 100, 10))
    elif method == "entropy":
        from sklearn.tree import DecisionTreeClassifier

        if labels is None:
            raise ValueError(
                "discretizer='entropy' needs the training labels: pass training_labels=y "
                "to the explainer, or use discretizer='quartile'."
            )
        # At most 8 bins (depth 3), the same tree lime grows.
        # scikit-learn takes 32-bit seeds; limekit's may be larger
        tree = DecisionTreeClassifier(criterion="entropy", max_depth=3,
                                      random_state=(int(seed) % 2**32
                                                    if isinstance(seed, (int, np.integer))
                                                    else seed))
        # the tree works in float32: fit on values / 2^e (exact) so magnitudes beyond
        # float32's range stay finite, and scale the thresholds back
        top = float(np.max(np.abs(values))) if values.size else 0.0
        scale = float(np.ldexp(1.0, int(np.frexp(top)[1]))) if top > 0 else 1.0
        tree.fit((values / scale).reshape(-1, 1), labels)
        internal = tree.tree_.children_left > -1
        edges = np.sort(tree.tree_.threshold[internal].astype(float) * scale)
        if edges.size == 0:
            edges = np.array([np.median(values)])
    else:
        raise ValueError(
            f"discretizer must be one of {DISCRETIZERS} or None, got {method!r}"
        )
    return np.unique(edges)
