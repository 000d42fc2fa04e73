"""lime's ``lime.lime_base``: :class:`LimeBase`, on limekit's surrogates.

``LimeBase(kernel_fn).explain_instance_with_data(data, labels, distances,
label, num_features)`` fits the weighted sparse linear model of a
neighbourhood someone else sampled, as in lime. Feature selection is
:func:`limekit.surrogates.select_features` and the fit
:class:`limekit.surrogates.RidgeSurrogate` (lime's ``Ridge(alpha=1)``), both
on the shared :class:`~limekit.surrogates.WeightedDesign`; a
``model_regressor`` is fitted in place, as lime fits it.

Differences from lime: a scipy.sparse ``neighborhood_data`` is densified
(the weighted design is dense).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import lars_path_gram
from sklearn.utils import check_random_state

from ..surrogates import RidgeSurrogate, WeightedDesign, select_features
from ._shared import _InPlaceEstimator

__all__ = ["LimeBase"]


def _dense(data: Any) -> np.ndarray:
    return np.asarray(data.toarray() if hasattr(data, "toarray") else data, dtype=float)


class LimeBase:
    """Learns a locally weighted sparse linear model from perturbed data (lime's class).

    Parameters
    ----------
    kernel_fn : callable
        ``kernel_fn(distances)`` gives sample weights.
    verbose : bool, default False
        Print the intercept, local prediction and the model's value.
    random_state : int, numpy.random.RandomState or None
        Stored as a ``numpy.random.RandomState`` (as lime does); the fit itself
        draws nothing.

    Attributes
    ----------
    kernel_fn : callable
    verbose : bool
    random_state : numpy.random.RandomState
    """

    def __init__(self, kernel_fn, verbose=False, random_state=None) -> None:
        self.kernel_fn = kernel_fn
        self.verbose = verbose
        self.random_state = check_random_state(random_state)

    @staticmethod
    def generate_lars_path(weighted_data, weighted_labels):
        """The lasso path of weighted (centred) data.

        Parameters
        ----------
        weighted_data : ndarray or scipy.sparse matrix of shape (n, d)
            Centred samples, each row scaled by the square root of its weight.
        weighted_labels : ndarray of shape (n,)
            Centred targets scaled the same way.

        Returns
        -------
        alphas : ndarray
            Regularisation values along the path.
        coefs : ndarray of shape (d, n_alphas)
            Coefficients along the path.
        """
        X = _dense(weighted_data)
        y = np.asarray(weighted_labels, dtype=float)
        alphas, _, coefs = lars_path_gram(Xy=X.T @ y, Gram=X.T @ X, n_samples=X.shape[0],
                                          method="lasso")
        return alphas, coefs

    @staticmethod
    def _design(data, labels, weights) -> tuple[WeightedDesign, np.ndarray]:
        X = _dense(data)
        y = np.asarray(labels, dtype=float).reshape(-1, 1)
        return WeightedDesign(X, y, np.asarray(weights, dtype=float)), X[0]

    def forward_selection(self, data, labels, weights, num_features):
        """Greedily add the feature that most improves the weighted R².

        Parameters
        ----------
        data : ndarray or scipy.sparse matrix of shape (n, d)
            Interpretable samples; row 0 is the explained instance.
        labels : ndarray of shape (n,)
            Model output for each sample (one label).
        weights : ndarray of shape (n,)
            Sample weights (the kernel of the distances).
        num_features : int
            How many features to select.

        Returns
        -------
        ndarray of int
            Indices of the selected features (columns of ``data``), in the order they
            were added.
        """
        design, z0 = self._design(data, labels, weights)
        return select_features(design, 0, int(num_features), "forward_selection", z0)

    def feature_selection(self, data, labels, weights, num_features, method):
        """Select ``num_features`` features by ``method`` (see :meth:`explain_instance_with_data`).

        Parameters
        ----------
        data : ndarray or scipy.sparse matrix of shape (n, d)
            Interpretable samples; row 0 is the explained instance.
        labels : ndarray of shape (n,)
            Model output for each sample (one label).
        weights : ndarray of shape (n,)
            Sample weights (the kernel of the distances).
        num_features : int
            How many features to select (ignored by ``"none"``).
        method : {"auto", "forward_selection", "highest_weights", "lasso_path", "none"}
            Selection method; ``"auto"`` is forward selection for up to 6 features
            and highest weights above, ``"none"`` keeps every feature.

        Returns
        -------
        ndarray of int
            Indices of the selected features (columns of ``data``).

        Raises
        ------
        ValueError
            If ``method`` is not one of the above.
        """
        design, z0 = self._design(data, labels, weights)
        return select_features(design, 0, int(num_features), method, z0)

    def explain_instance_with_data(self, neighborhood_data, neighborhood_labels, distances,
                                   label, num_features, feature_selection='auto',
                                   model_regressor=None):
        """Fit the weighted sparse linear model of a neighbourhood.

        Parameters
        ----------
        neighborhood_data : ndarray of shape (n, d)
            Interpretable samples; row 0 is the explained instance.
        neighborhood_labels : ndarray of shape (n, n_labels)
            Model outputs.
        distances : ndarray of shape (n,)
            Distances to the instance (turned into weights by ``kernel_fn``).
        label : int
            Column of ``neighborhood_labels`` to explain.
        num_features : int
            Maximum number of features in the explanation.
        feature_selection : str, default "auto"
            How the features are chosen: ``"auto"``, ``"forward_selection"``,
            ``"highest_weights"``, ``"lasso_path"`` or ``"none"`` (see
            :meth:`feature_selection`).
        model_regressor : regressor, optional
            Fitted in place instead of ``Ridge(alpha=1)``.

        Returns
        -------
        intercept : float
            Intercept of the fitted linear model.
        exp : list of (int, float)
            ``(feature, weight)`` sorted by decreasing absolute weight.
        score : float
            Weighted R² of the fit.
        local_pred : ndarray of shape (1,)
            The model's prediction at the instance.
        """
        weights = np.asarray(self.kernel_fn(distances), dtype=float)
        Y = np.asarray(neighborhood_labels, dtype=float)
        X = _dense(neighborhood_data)
        design = WeightedDesign(X, Y, weights)
        used = select_features(design, int(label), int(num_features), feature_selection, X[0])
        surrogate = (RidgeSurrogate(alpha=1.0) if model_regressor is None
                     else _InPlaceEstimator(model_regressor))
        fit = surrogate.fit(design, int(label), used, X[0])
        local_pred = np.array([fit.local_pred])
        if self.verbose:
            print('Intercept', fit.intercept)
            print('Prediction_local', local_pred)
            print('Right:', Y[0, int(label)])
        exp = sorted(zip(fit.features.tolist(), fit.coef.tolist(), strict=True),
                     key=lambda x: np.abs(x[1]), reverse=True)
        return fit.intercept, exp, fit.score, local_pred
