"""Small demo data sets that load offline.

:func:`load_demo` wraps scikit-learn's bundled tabular data sets (no download);
:func:`make_mixed_frame` builds a synthetic table with mixed column types and a
target whose dependence on the columns is known, for tests and examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .german_credit import load_german_credit

__all__ = ["DemoData", "DEMO_DATASETS", "load_demo", "make_mixed_frame", "load_german_credit"]

#: Names accepted by :func:`load_demo`.
DEMO_DATASETS: tuple[str, ...] = ("breast_cancer", "wine", "iris")


@dataclass(frozen=True)
class DemoData:
    """A demo data set.

    Attributes
    ----------
    name : str
        The name it was loaded under.
    X : pandas.DataFrame
        Feature table, one row per sample.
    y : numpy.ndarray
        Integer class labels, ``y[i]`` is the class of ``X.iloc[i]``.
    feature_names : list of str
        Column names of ``X``.
    class_names : list of str
        ``class_names[k]`` is the display name of label ``k``.
    description : str
        One-line description with the source and size.
    """

    name: str
    X: pd.DataFrame
    y: np.ndarray
    feature_names: list[str]
    class_names: list[str]
    description: str


def load_demo(name: str = "breast_cancer") -> DemoData:
    """Load a small classification data set bundled with scikit-learn.

    Parameters
    ----------
    name : {"breast_cancer", "wine", "iris"}
        Which data set. All three ship inside scikit-learn; nothing is downloaded.

    Returns
    -------
    DemoData
        The features as a DataFrame, the labels, and their names.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`DEMO_DATASETS`.

    Examples
    --------
    >>> from limekit.datasets import load_demo
    >>> data = load_demo("iris")
    >>> data.X.shape, data.class_names
    ((150, 4), ['setosa', 'versicolor', 'virginica'])
    """
    from sklearn import datasets as skd

    loaders = {
        "breast_cancer": skd.load_breast_cancer,
        "wine": skd.load_wine,
        "iris": skd.load_iris,
    }
    if name not in loaders:
        raise ValueError(
            f"unknown demo data set {name!r}; choose one of {', '.join(DEMO_DATASETS)}"
        )
    bunch = loaders[name](as_frame=True)
    X = bunch.frame.drop(columns="target") if "target" in bunch.frame else bunch.data
    X = X.reset_index(drop=True)
    y = np.asarray(bunch.target, dtype=int)
    class_names = [str(c) for c in bunch.target_names]
    description = (
        f"{name}: {X.shape[0]} rows, {X.shape[1]} numeric features, "
        f"{len(class_names)} classes ({', '.join(class_names)}); bundled with scikit-learn"
    )
    return DemoData(
        name=name,
        X=X,
        y=y,
        feature_names=[str(c) for c in X.columns],
        class_names=class_names,
        description=description,
    )


def make_mixed_frame(n: int = 400, random_state: int | None = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A synthetic table with mixed column types and a binary target of known form.

    Columns:

    * ``income`` (float): log-normal, the strongest positive driver.
    * ``age`` (int): uniform 18–80, a weak positive driver.
    * ``color`` (str): one of ``"red"``, ``"green"``, ``"blue"``; ``"red"`` raises
      the odds, ``"blue"`` lowers them, ``"green"`` is the reference.
    * ``member`` (bool): raises the odds.
    * ``noise`` (float): standard normal, unrelated to the target.

    The target is drawn as ``y ~ Bernoulli(sigmoid(logit))`` with
    ``logit = 2.0·z(income) + 0.5·z(age) + 1.5·[red] − 1.5·[blue] + 1.0·[member] − 0.5``
    where ``z`` standardises a column.

    Parameters
    ----------
    n : int, default 400
        Number of rows.
    random_state : int or None, default 0
        Seed of the generator (``None`` for a fresh, unseeded draw).

    Returns
    -------
    X : pandas.DataFrame, shape (n, 5)
        The features (dtypes float64, int64, object, bool, float64).
    y : numpy.ndarray of int, shape (n,)
        The binary target (0 or 1).

    Examples
    --------
    >>> from limekit.datasets import make_mixed_frame
    >>> X, y = make_mixed_frame(100)
    >>> list(X.columns)
    ['income', 'age', 'color', 'member', 'noise']
    """
    if isinstance(n, bool) or int(n) < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    rng = np.random.default_rng(random_state)
    income = np.round(rng.lognormal(mean=10.5, sigma=0.5, size=n), 2)
    age = rng.integers(18, 81, size=n).astype(np.int64)
    color = rng.choice(np.array(["red", "green", "blue"], dtype=object), size=n)
    member = rng.random(n) < 0.4
    noise = rng.standard_normal(n)

    def z(v: np.ndarray) -> np.ndarray:
        sd = v.std()
        return (v - v.mean()) / (sd if sd > 0 else 1.0)

    logit = (
        2.0 * z(np.log(income))
        + 0.5 * z(age.astype(float))
        + 1.5 * (color == "red")
        - 1.5 * (color == "blue")
        + 1.0 * member
        - 0.5
    )
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "income": income,
            "age": age,
            "color": pd.Series(color, dtype=object),
            "member": member,
            "noise": noise,
        }
    )
    return X, y
