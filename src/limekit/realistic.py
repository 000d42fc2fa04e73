"""Realistic (on-manifold) samplers: local neighbours that look like the training data.

LIME's Gaussian perturbations ignore the correlations between features, so many
of the neighbours it asks the model about lie where no real instance could be
(off the data manifold), and the explanation describes the model there. The
samplers here learn the shape of the data once, at :meth:`~RealisticSampler.fit`,
and then draw neighbours of an instance ``x`` that follow that shape:

* :class:`GaussianMixtureSampler` — a Gaussian mixture; neighbours are
  ``x + scale · L_k ε`` with the component ``k`` drawn from ``x``'s
  responsibilities and ``L_k`` the Cholesky factor of its covariance, i.e.
  ``N(x, scale² Σ_k)``: centred on ``x`` but stretched along the local
  directions of the data.
* :class:`NearestNeighbourSampler` — SMOTE-like interpolation
  ``x + λ (neighbour − x)``, ``λ ~ U(0, scale)``, towards ``x``'s nearest
  training points, so every neighbour lies on a segment between ``x`` and real data.
* :class:`VAESampler` — a small β-VAE (needs PyTorch): encode ``x``, draw
  latents around the posterior mean with ``scale ×`` the posterior standard
  deviation, decode.

All of them work on numeric data, standardise internally (per-column mean and
standard deviation of the training data) and return samples in the original
units. Row 0 of a neighbourhood is ``x`` itself unless ``include_instance=False``.

Examples
--------
>>> import numpy as np
>>> from limekit.realistic import GaussianMixtureSampler
>>> rng = np.random.default_rng(0)
>>> t = rng.uniform(0, 2 * np.pi, 500)
>>> ring = np.c_[np.cos(t), np.sin(t)] + rng.normal(0, 0.03, (500, 2))
>>> sampler = GaussianMixtureSampler(n_components=8, random_state=0).fit(ring)
>>> Z = sampler.sample(ring[0], 200, scale=0.5, random_state=1)
>>> Z.shape
(200, 2)
>>> bool(np.all(Z[0] == ring[0]))
True
>>> radius = np.linalg.norm(Z, axis=1)   # neighbours stay close to the unit circle
>>> bool(np.abs(radius - 1).mean() < 0.1)
True
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError

from ._optional import require
from ._random import check_random_state
from ._validation import check_int as _check_int

__all__ = [
    "RealisticSampler",
    "GaussianMixtureSampler",
    "NearestNeighbourSampler",
    "VAESampler",
    "make_realistic_sampler",
]

RandomLike = int | np.random.Generator | None


def _check_matrix(X: Any, what: str = "X") -> np.ndarray:
    """Training data as a finite 2-D float array, with a message saying what is wrong."""
    if hasattr(X, "to_numpy"):  # pandas: refuse non-numeric columns by name
        dtypes = getattr(X, "dtypes", None)
        if dtypes is not None and hasattr(dtypes, "items"):
            from pandas.api.types import is_numeric_dtype

            bad = [str(c) for c, t in dtypes.items() if not is_numeric_dtype(t)]
            if bad:
                raise TypeError(
                    f"{what} has non-numeric column(s) {bad}; realistic samplers take numeric "
                    "data only: one-hot or ordinal-encode categorical columns first."
                )
        X = X.to_numpy()
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{what} must be numeric (an array of numbers); encode categorical or text "
            "columns as numbers first."
        ) from None
    if arr.ndim != 2:
        raise ValueError(f"{what} must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] < 2 or arr.shape[1] < 1:
        raise ValueError(f"{what} needs at least 2 rows and 1 column, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise ValueError(
            f"{what} has NaN or infinite values (first at row {row}, column {col}); "
            "impute or drop missing values before fitting."
        )
    return arr


def _check_scale(scale: Any) -> float:
    try:
        s = float(scale)
    except (TypeError, ValueError):
        raise TypeError(f"scale must be a number, got {type(scale).__name__}") from None
    if not np.isfinite(s) or s < 0:
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    return s


class RealisticSampler:
    """Base class: standardise, validate, and add ``x`` as row 0.

    Subclasses implement ``_fit(Z)`` on the standardised training matrix and
    ``_draw(Z0, n, scale, rngs)`` that returns ``(B, n, d)`` standardised
    neighbours of the ``B`` standardised instances ``Z0``, one generator per
    instance (so an instance's neighbourhood does not depend on the others in
    its batch).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen at fit.
    mean_, scale_ : ndarray of shape ``(n_features_in_,)``
        Per-column mean and standard deviation used to standardise (a constant
        column gets scale 1).
    """

    random_state: int | None

    def fit(self, X: Any) -> RealisticSampler:
        """Learn the data's shape from the numeric training matrix.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric, finite training data (encode categorical columns first).

        Returns
        -------
        self
            The fitted sampler.
        """
        arr = _check_matrix(X)
        self.random_state = check_random_state(self.random_state)
        self.mean_ = arr.mean(axis=0)
        std = arr.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        self.n_features_in_ = arr.shape[1]
        self._fit((arr - self.mean_) / self.scale_)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X_train) first."
            )

    def _check_instances(self, X: Any, what: str) -> np.ndarray:
        self._check_fitted()
        try:
            arr = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be numeric; encode categorical values first.") from None
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{what} must have {self.n_features_in_} features (as the data the sampler "
                f"was fitted on), got shape {np.shape(X)}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{what} has NaN or infinite values; impute them first.")
        return arr

    def sample(self, x: Any, n_samples: int, scale: float = 1.0,
               random_state: RandomLike = None, include_instance: bool = True) -> np.ndarray:
        """Draw ``n_samples`` realistic neighbours of ``x``.

        Parameters
        ----------
        x : array-like of shape (n_features,)
            The instance, in the units of the training data.
        n_samples : int
            Number of rows returned (including ``x`` itself when
            ``include_instance``).
        scale : float, default 1.0
            Neighbourhood size; 0 returns copies of ``x``. Its meaning per
            sampler is given in the class docstring.
        random_state : int, numpy Generator or None
            Seed of this draw; the same seed gives the same neighbours.
        include_instance : bool, default True
            Put ``x`` itself in row 0, as lime does.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            The neighbours, in the training data's units.
        """
        arr = self._check_instances(x, "x")
        if arr.shape[0] != 1:
            raise ValueError(f"x must be a single instance, got {arr.shape[0]} rows")
        n_samples = _check_int(n_samples, "n_samples", 1)
        scale = _check_scale(scale)
        return self._sample(arr, n_samples, scale, [np.random.default_rng(random_state)],
                            include_instance)[0]

    def _sample(self, X: np.ndarray, n_samples: int, scale: float,
                rngs: list[np.random.Generator], include_instance: bool) -> np.ndarray:
        """``(B, n_samples, d)`` neighbours of the validated rows of ``X`` (trusted input)."""
        n_draw = n_samples - 1 if include_instance else n_samples
        Z0 = (X - self.mean_) / self.scale_
        if n_draw > 0:
            Z = self._draw(Z0, n_draw, scale, rngs)
        else:
            Z = np.empty((X.shape[0], 0, X.shape[1]))
        out = Z * self.scale_ + self.mean_
        if include_instance:
            out = np.concatenate([X[:, None, :], out], axis=1)
        return out

    def _fit(self, Z: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, Z0: np.ndarray, n: int, scale: float,
              rngs: list[np.random.Generator]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"

    def _params(self) -> dict[str, Any]:
        return {"random_state": self.random_state}


class GaussianMixtureSampler(RealisticSampler):
    """Neighbours drawn from the local Gaussian-mixture component, re-centred on ``x``.

    A :class:`sklearn.mixture.GaussianMixture` is fitted to the standardised
    training data. To sample around ``x``, each neighbour first draws a
    component ``k`` with probability ``x``'s responsibility ``p(k | x)``, then
    ``x̃ = x + scale · L_k ε`` with ``ε ~ N(0, I)`` and ``L_k L_kᵀ = Σ_k``: the
    neighbourhood is ``N(x, scale² Σ_k)``, centred on ``x`` and shaped like
    the data in ``x``'s region. ``scale=1`` spreads as far as the whole
    component; smaller values are more local.

    Parameters
    ----------
    n_components : int, default 8
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Passed to GaussianMixture.
    random_state : int or None
        Seed of the mixture fit.
    """

    def __init__(self, n_components: int = 8, covariance_type: str = "full",
                 random_state: int | None = None) -> None:
        self.n_components = _check_int(n_components, "n_components", 1)
        if covariance_type not in ("full", "tied", "diag", "spherical"):
            raise ValueError(
                "covariance_type must be 'full', 'tied', 'diag' or 'spherical', got "
                f"{covariance_type!r}"
            )
        self.covariance_type = covariance_type
        self.random_state = random_state

    def _params(self) -> dict[str, Any]:
        return {"n_components": self.n_components, "covariance_type": self.covariance_type,
                "random_state": self.random_state}

    def _fit(self, Z: np.ndarray) -> None:
        from sklearn.mixture import GaussianMixture

        if self.n_components > Z.shape[0]:
            raise ValueError(
                f"n_components={self.n_components} is more than the {Z.shape[0]} training "
                "rows; use fewer components."
            )
        gm = GaussianMixture(self.n_components, covariance_type=self.covariance_type,
                             random_state=self.random_state).fit(Z)
        d = Z.shape[1]
        cov = gm.covariances_
        if self.covariance_type == "tied":
            cov = np.broadcast_to(cov, (self.n_components, d, d))
        elif self.covariance_type == "diag":
            cov = cov[:, :, None] * np.eye(d)
        elif self.covariance_type == "spherical":
            cov = cov[:, None, None] * np.eye(d)
        self.mixture_ = gm
        self.cholesky_ = np.linalg.cholesky(cov)

    def _draw(self, Z0, n, scale, rngs):
        resp = self.mixture_.predict_proba(Z0)
        B, d = Z0.shape
        K = self.n_components
        comp = np.empty((B, n), dtype=np.intp)
        eps = np.empty((B, n, d))
        for b, rng in enumerate(rngs):  # one generator per instance, not per sample
            comp[b] = np.minimum(np.searchsorted(np.cumsum(resp[b]), rng.random(n)), K - 1)
            eps[b] = rng.standard_normal((n, d))
        out = np.empty_like(eps)
        for k in range(K):  # loop over components: each gets one matmul
            mask = comp == k
            out[mask] = eps[mask] @ self.cholesky_[k].T
        return Z0[:, None, :] + scale * out


class NearestNeighbourSampler(RealisticSampler):
    """SMOTE-like neighbours: interpolations between ``x`` and its nearest training points.

    Each neighbour picks one of the ``n_neighbors`` training points closest to
    ``x`` (standardised Euclidean distance; a training point identical to
    ``x`` is skipped) uniformly at random and moves from ``x`` towards it:
    ``x̃ = x + λ (neighbour − x)`` with ``λ ~ U(0, scale)``. With
    ``scale <= 1`` every sample lies on a segment between ``x`` and a real
    instance; larger values extrapolate beyond the neighbours. The
    neighbourhood spans at most ``n_neighbors`` directions, so use
    ``n_neighbors >= n_features`` when a full-rank local design is needed.

    Parameters
    ----------
    n_neighbors : int, default 15
        How many of the nearest training points a neighbour may move towards.
    random_state : int or None
        Unused at fit (kept for a uniform interface).
    """

    def __init__(self, n_neighbors: int = 15, random_state: int | None = None) -> None:
        self.n_neighbors = _check_int(n_neighbors, "n_neighbors", 1)
        self.random_state = random_state

    def _params(self) -> dict[str, Any]:
        return {"n_neighbors": self.n_neighbors, "random_state": self.random_state}

    def _fit(self, Z: np.ndarray) -> None:
        from sklearn.neighbors import NearestNeighbors

        if self.n_neighbors >= Z.shape[0]:
            raise ValueError(
                f"n_neighbors={self.n_neighbors} needs more than {self.n_neighbors} training "
                f"rows, got {Z.shape[0]}; use fewer neighbours."
            )
        self._train = Z
        self.index_ = NearestNeighbors(n_neighbors=self.n_neighbors + 1).fit(Z)

    def _draw(self, Z0, n, scale, rngs):
        dist, ind = self.index_.kneighbors(Z0)
        # skip a neighbour at distance 0 (x itself, when x is a training row)
        start = (dist[:, 0] <= 1e-12).astype(np.intp)
        ind = np.take_along_axis(ind, start[:, None] + np.arange(self.n_neighbors), axis=1)
        B, d = Z0.shape
        pick = np.empty((B, n), dtype=np.intp)
        lam = np.empty((B, n))
        for b, rng in enumerate(rngs):
            pick[b] = rng.integers(0, self.n_neighbors, n)
            lam[b] = rng.random(n)
        nb = self._train[np.take_along_axis(ind, pick, axis=1)]  # (B, n, d)
        return Z0[:, None, :] + (scale * lam)[:, :, None] * (nb - Z0[:, None, :])


class VAESampler(RealisticSampler):
    """Neighbours decoded from latents drawn around ``x``'s encoding by a small β-VAE.

    An MLP β-VAE (encoder ``d → hidden → hidden → 2·latent_dim``, decoder
    ``latent_dim → hidden → hidden → d``, ELU activations) is trained on the
    standardised training data on the CPU with Adam. Its loss is
    ``½‖x − dec(z)‖² + beta · KL(q(z | x) ‖ N(0, I))``: a Gaussian decoder with
    unit variance in standardised units, so ``beta`` acts as the decoder's
    noise variance: variation smaller than about ``sqrt(beta)`` standard
    deviations (measurement noise around the manifold) is not encoded, and
    the decoder, hence every sample, stays on the smoother structure of the
    data. To sample around ``x``: encode it to ``(μ, σ)``, draw
    ``z = μ + scale · σ ⊙ ε``, decode. With ``recenter=True`` (default) the
    neighbour is ``x + dec(z) − dec(μ)``, so the neighbourhood is centred on
    ``x`` exactly (not on its imperfect reconstruction) while keeping the
    decoder's on-manifold directions; ``scale=0`` gives ``x``.

    Training is deterministic for an integer ``random_state``: it runs inside
    :func:`torch.random.fork_rng` with its own seed, so PyTorch's global
    random state is left as it was.

    Parameters
    ----------
    latent_dim : int or None, default None
        Latent size; None uses the number of features (unused latent
        dimensions collapse to the prior and are ignored by the decoder).
    beta : float, default 0.1
        Weight of the KL term (β-VAE); larger values give smoother, less
        detailed manifolds.
    epochs : int, default 150
        Training passes over the data.
    hidden : int, default 64
        Width of the encoder's and decoder's hidden layer.
    batch_size : int, default 128
        Rows per training step.
    learning_rate : float, default 3e-3
        Adam's learning rate.
    recenter : bool, default True
        Shift the decoded neighbours so the instance itself decodes to ``x``
        (see above).
    random_state : int or None
        Seed of the network's initialisation and training.

    Raises
    ------
    ImportError
        If PyTorch is not installed (``pip install 'limekit[torch]'``).
    """

    def __init__(self, latent_dim: int | None = None, beta: float = 0.1, epochs: int = 150,
                 hidden: int = 64, batch_size: int = 128, learning_rate: float = 3e-3,
                 recenter: bool = True, random_state: int | None = None) -> None:
        self.latent_dim = None if latent_dim is None else _check_int(latent_dim, "latent_dim", 1)
        beta = float(beta)
        if not np.isfinite(beta) or beta <= 0:
            raise ValueError(f"beta must be a positive number, got {beta}")
        self.beta = beta
        self.epochs = _check_int(epochs, "epochs", 1)
        self.hidden = _check_int(hidden, "hidden", 1)
        self.batch_size = _check_int(batch_size, "batch_size", 1)
        self.learning_rate = float(learning_rate)
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.recenter = bool(recenter)
        self.random_state = random_state

    def _params(self) -> dict[str, Any]:
        return {"latent_dim": self.latent_dim, "beta": self.beta, "epochs": self.epochs,
                "random_state": self.random_state}

    def _fit(self, Z: np.ndarray) -> None:
        torch = require("torch")
        L = self.latent_dim or Z.shape[1]
        seed = (self.random_state if self.random_state is not None
                else int(np.random.default_rng().integers(2**31)))
        threads = torch.get_num_threads()
        # a tiny MLP trains fastest on one thread (and deterministically); the thread
        # count and the global RNG state are both restored afterwards
        torch.set_num_threads(1)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                enc, dec = self._train(torch, torch.as_tensor(Z, dtype=torch.float32), L, seed)
        finally:
            torch.set_num_threads(threads)
        enc.eval()
        dec.eval()
        self.encoder_, self.decoder_, self.latent_dim_ = enc, dec, L

    def _train(self, torch: Any, data: Any, L: int, seed: int) -> tuple[Any, Any]:
        nn = torch.nn
        n, d = data.shape
        gen = torch.Generator().manual_seed(seed)
        h = self.hidden
        enc = nn.Sequential(nn.Linear(d, h), nn.ELU(), nn.Linear(h, h), nn.ELU(),
                            nn.Linear(h, 2 * L))
        dec = nn.Sequential(nn.Linear(L, h), nn.ELU(), nn.Linear(h, h), nn.ELU(),
                            nn.Linear(h, d))
        params = [*enc.parameters(), *dec.parameters()]
        opt = torch.optim.Adam(params, lr=self.learning_rate)
        for _ in range(self.epochs):
            perm = torch.randperm(n, generator=gen)
            for i in range(0, n, self.batch_size):
                xb = data[perm[i:i + self.batch_size]]
                mu, log_var = enc(xb).chunk(2, dim=1)
                z = mu + torch.exp(0.5 * log_var) * torch.randn(mu.shape, generator=gen)
                xr = dec(z)
                nll = 0.5 * ((xb - xr) ** 2).sum(1)
                kl = 0.5 * (mu ** 2 + log_var.exp() - 1.0 - log_var).sum(1)
                loss = (nll + self.beta * kl).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        return enc, dec

    def _draw(self, Z0, n, scale, rngs):
        torch = require("torch")
        B, d = Z0.shape
        L = self.latent_dim_
        eps = np.stack([rng.standard_normal((n, L)) for rng in rngs])  # (B, n, L)
        with torch.no_grad():
            mu, log_var = self.encoder_(torch.as_tensor(Z0, dtype=torch.float32)).chunk(2, dim=1)
            mu = mu.double().numpy()
            sd = np.exp(0.5 * log_var.double().numpy())
            z = mu[:, None, :] + scale * sd[:, None, :] * eps
            out = self.decoder_(torch.as_tensor(z.reshape(B * n, L), dtype=torch.float32))
            out = out.double().numpy().reshape(B, n, d)
            if self.recenter:
                centre = self.decoder_(torch.as_tensor(mu, dtype=torch.float32)).double().numpy()
                out = out - centre[:, None, :] + Z0[:, None, :]
        return out


_KINDS = ("auto", "gmm", "knn", "vae")


def make_realistic_sampler(kind: str = "auto", **kwargs: Any) -> RealisticSampler:
    """Build an (unfitted) realistic sampler by name.

    Parameters
    ----------
    kind : {"auto", "gmm", "knn", "vae"}, default "auto"
        ``"auto"`` is :class:`VAESampler` when PyTorch is installed (checked
        without importing it) and :class:`GaussianMixtureSampler` otherwise.
    **kwargs
        Passed to the sampler's constructor (for ``"auto"``, choose arguments
        both accept, e.g. ``random_state``).

    Returns
    -------
    RealisticSampler
        The sampler, not yet fitted.

    Examples
    --------
    >>> from limekit.realistic import make_realistic_sampler
    >>> make_realistic_sampler("knn", n_neighbors=5, random_state=0)
    NearestNeighbourSampler(n_neighbors=5, random_state=0)
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    if kind == "auto":
        kind = "vae" if importlib.util.find_spec("torch") is not None else "gmm"
    cls = {"gmm": GaussianMixtureSampler, "knn": NearestNeighbourSampler,
           "vae": VAESampler}[kind]
    return cls(**kwargs)
