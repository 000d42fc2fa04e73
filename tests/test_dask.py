"""limekit.dask: explaining a Dask DataFrame on a 2-process LocalCluster.

The result computed on the workers must equal ``explain_batch(...).to_frame()``
computed in this process, weight for weight: the explainer and the model are
pickled to the workers, and each explanation depends only on the seed and the
row's values.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("dask.distributed")
dd = pytest.importorskip("dask.dataframe")

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import limekit.dask as limekit_dask  # noqa: E402
from limekit import TabularExplainer  # noqa: E402
from limekit.dask import explain_dataframe, explanation_meta  # noqa: E402

SORT = ["row_id", "label", "rank"]
N_SAMPLES = 300


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes: explainer and model really get pickled."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    cl = distributed.Client(cluster)
    try:
        yield cl
    finally:
        cl.close()
        cluster.close()


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    # 60 rows to explain with a non-default integer index, so row_id is checked
    rows = X.iloc[::9].iloc[:60].copy()
    rows.index = rows.index + 1000
    explainer = TabularExplainer(X, class_names=list(data.target_names), random_state=0)
    return X, y, rows, explainer


@pytest.fixture(scope="module")
def logistic(cancer):
    X, y, _, _ = cancer
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(SORT, kind="stable").reset_index(drop=True)


def _assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_exact=True)


@pytest.mark.parametrize("kind", ["logistic", "forest"])
def test_cluster_matches_in_process(client, cancer, logistic, kind):
    X, y, rows, explainer = cancer
    if kind == "logistic":
        model = logistic
        opts = {"num_features": 5}
    else:
        model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
        opts = {"top_labels": 2, "num_features": 4}
    ddf = dd.from_pandas(rows, npartitions=4)
    assert ddf.npartitions == 4

    lazy = explain_dataframe(ddf, explainer, model, num_samples=N_SAMPLES, **opts)
    assert list(lazy.columns) == list(explanation_meta().columns)
    got = lazy.compute()

    expected = explainer.explain_batch(rows, model, num_samples=N_SAMPLES, progress=False,
                                       **opts).to_frame()
    _assert_same(got, expected)
    assert sorted(got["row_id"].unique()) == sorted(rows.index)
    per_row = len(opts.get("labels") or [0] * opts.get("top_labels", 1)) * opts["num_features"]
    assert len(got) == len(rows) * per_row


def test_meta_dtypes_match_computed(client, cancer, logistic):
    X, y, rows, explainer = cancer
    model = logistic
    lazy = explain_dataframe(dd.from_pandas(rows.iloc[:8], npartitions=2), explainer, model,
                             labels=[0, 1], num_features=3, num_samples=N_SAMPLES)
    got = lazy.compute()
    assert got.dtypes.to_dict() == lazy.dtypes.to_dict()
    assert got["row_id"].dtype == rows.index.dtype
    assert got["label"].dtype == np.int64 and got["rank"].dtype == np.int64
    assert got["weight"].dtype == np.float64
    assert set(got["label"]) == {0, 1}


def test_string_categories_through_pipeline(client):
    rng = np.random.default_rng(0)
    n = 400
    train = pd.DataFrame({
        "age": rng.integers(18, 80, n).astype(float),
        "income": rng.lognormal(10, 0.5, n),
        "city": rng.choice(["paris", "lyon", "nice"], n),
        "plan": rng.choice(["basic", "pro"], n).astype(object),
    })
    y = ((train["age"] > 45) ^ (train["city"] == "nice")).astype(int)
    pre = ColumnTransformer([
        ("num", StandardScaler(), ["age", "income"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
    ])
    model = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(train, y)
    explainer = TabularExplainer(train, class_names=["no", "yes"], random_state=3)

    rows = train.iloc[:24].copy()
    rows["extra"] = "ignored"  # a column the explainer does not know: not passed on
    ddf = dd.from_pandas(rows, npartitions=3)
    got = explain_dataframe(ddf, explainer, model, num_features=4,
                            num_samples=N_SAMPLES).compute()
    expected = explainer.explain_batch(train.iloc[:24], model, num_features=4,
                                       num_samples=N_SAMPLES, progress=False).to_frame()
    _assert_same(got, expected)
    assert {"city", "plan"} <= set(got["feature"])
    assert got.loc[got["feature"] == "city", "description"].str.startswith("city=").all()


def test_columns_argument_selects_and_orders(cancer, logistic):
    """Threaded scheduler (no cluster): columns= picks the explainer's columns."""
    X, y, rows, explainer = cancer
    model = logistic
    shuffled = rows.iloc[:4][list(X.columns[::-1])].assign(junk=1.0)
    ddf = dd.from_pandas(shuffled, npartitions=2)
    got = explain_dataframe(ddf, explainer, model, num_features=3, num_samples=N_SAMPLES,
                            columns=list(X.columns)).compute(scheduler="sync")
    expected = explainer.explain_batch(rows.iloc[:4], model, num_features=3,
                                       num_samples=N_SAMPLES, progress=False).to_frame()
    _assert_same(got, expected)


def test_columns_argument_maps_renamed_columns(cancer, logistic):
    """The documented use: the ddf names the explainer's features differently."""
    X, y, rows, explainer = cancer
    model = logistic
    renamed = rows.iloc[:4].set_axis([f"c{i}" for i in range(X.shape[1])], axis=1)
    ddf = dd.from_pandas(renamed.assign(extra=0.0), npartitions=2)
    got = explain_dataframe(ddf, explainer, model, num_features=3, num_samples=N_SAMPLES,
                            columns=list(renamed.columns)).compute(scheduler="sync")
    expected = explainer.explain_batch(rows.iloc[:4], model, num_features=3,
                                       num_samples=N_SAMPLES, progress=False).to_frame()
    _assert_same(got, expected)
    with pytest.raises(ValueError, match="one ddf column per explainer feature"):
        explain_dataframe(ddf, explainer, model, columns=list(renamed.columns)[:3])


def test_empty_partition_gives_empty_frame(cancer, logistic):
    X, y, rows, explainer = cancer
    model = logistic
    ddf = dd.from_pandas(rows.iloc[:4], npartitions=2)
    ddf = ddf[ddf["mean radius"] > 1e9]  # every partition empty
    got = explain_dataframe(ddf, explainer, model, num_samples=N_SAMPLES).compute(
        scheduler="sync")
    assert len(got) == 0
    assert list(got.columns) == list(explanation_meta().columns)


def test_errors_name_the_problem(cancer, logistic):
    X, y, rows, explainer = cancer
    model = logistic
    with pytest.raises(TypeError, match="from_pandas"):
        explain_dataframe(rows, explainer, model)
    ddf = dd.from_pandas(rows.drop(columns=["mean radius"]), npartitions=2)
    with pytest.raises(ValueError, match="mean radius"):
        explain_dataframe(ddf, explainer, model)


def test_docstring_examples():
    result = doctest.testmod(limekit_dask,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
