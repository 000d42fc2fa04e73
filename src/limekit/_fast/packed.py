"""0/1 samples kept as row bit masks; the dense matrix is made only when a stage reads it."""

from __future__ import annotations

import numpy as np

from .. import _compiled

__all__ = ["PackedBinary", "as_dense"]


class PackedBinary:
    """Hold 0/1 interpretable samples as row bit masks, making the dense matrix only on demand.

    Feature ``c`` is bit ``c % 64`` of word ``c // 64``.

    Why: lime's binary samples are fitted from their bit masks alone (see
    :func:`limekit._compiled.binary_design`); writing the dense float matrix too
    costs 1.2 MB of memory traffic per 5000 × 30 neighbourhood that the default
    surrogate never reads. Surrogates that need the samples (scikit-learn
    regressors, trees, MARS, calibration, held-out fidelity) call :func:`as_dense`.

    Parameters
    ----------
    masks : ndarray of uint64, shape (n, ceil(n_features / 64))
        The bit mask of every sample.
    n_features : int
        Number of interpretable features.
    first_row : ndarray of float, optional
        Row 0 as a float vector, when it is known already (the instance).
    """

    __slots__ = ("masks", "n_features", "_dense", "_first")

    def __init__(self, masks: np.ndarray, n_features: int,
                 first_row: np.ndarray | None = None) -> None:
        self.masks = masks
        self.n_features = n_features
        self._dense = None
        self._first = first_row  # row 0 when the sampler knows it (the instance)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.masks.shape[0], self.n_features)

    def row(self, i: int) -> np.ndarray:
        """Return one sample as a float vector.

        Parameters
        ----------
        i : int
            The row.

        Returns
        -------
        ndarray of float, shape (n_features,)
            Its 0/1 values.
        """
        if i == 0 and self._first is not None:
            return self._first
        return _compiled.unpack_rows(self.masks[i : i + 1], self.n_features)[0]

    def dense(self) -> np.ndarray:
        """Unpack the samples into a dense matrix (made once, then cached).

        Returns
        -------
        ndarray of float, shape (n, n_features)
            The 0/1 samples.
        """
        if self._dense is None:
            self._dense = _compiled.unpack_rows(self.masks, self.n_features)
        return self._dense


def as_dense(Z) -> np.ndarray:
    """Return samples as an ndarray, unpacking :class:`PackedBinary` samples.

    Parameters
    ----------
    Z : ndarray or PackedBinary
        The samples.

    Returns
    -------
    ndarray
        ``Z`` itself, or the dense matrix of packed samples.
    """
    return Z.dense() if isinstance(Z, PackedBinary) else Z
