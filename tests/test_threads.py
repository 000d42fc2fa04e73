"""One explainer shared by several threads gives exactly the sequential results.

An explanation is a pure function of (seed, instance, settings), so 20
explanations computed by 4 threads at once must equal, weight for weight,
the same 20 computed one after the other. Any state an explainer mutates
while explaining (a cache, a generator, a buffer) would show up here as a
difference. The interpreter is made to switch threads very often during the
threaded runs, so that interleavings are many.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from limekit import ImageExplainer, TabularExplainer, TextExplainer
from limekit.explainers.timeseries import SegmentTimeSeriesExplainer

N_ITEMS = 20
N_THREADS = 4


def _threaded(explain, items):
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # many more thread switches than the default 5 ms
    try:
        with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
            return list(pool.map(explain, items))
    finally:
        sys.setswitchinterval(old)


def _assert_same(sequential, threaded):
    assert len(sequential) == len(threaded) == N_ITEMS
    for i, (a, b) in enumerate(zip(sequential, threaded, strict=True)):
        assert a == b, f"item {i} differs between sequential and threaded use"
        assert a.local_exp == b.local_exp  # the weights themselves, bit for bit


def _check(explain, items):
    sequential = [explain(x) for x in items]
    threaded = _threaded(explain, items)
    _assert_same(sequential, threaded)
    # and the explanations differ between items (the comparison is not vacuous)
    assert len({tuple(e.local_exp[e.labels[0]]) for e in sequential}) > 1


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "x0": rng.normal(size=300), "x1": rng.normal(size=300), "x2": rng.uniform(size=300),
        "color": rng.choice(["red", "green", "blue"], size=300),
    })
    y = ((X["x0"] + (X["color"] == "red") * 1.5 - X["x1"]) > 0.3).astype(int)
    return X, y


@pytest.mark.parametrize("discretizer", ["quartile", None])
def test_tabular_explainer_is_thread_safe(table, discretizer):
    X, y = table
    numeric = X[["x0", "x1", "x2"]].assign(red=(X["color"] == "red").astype(float))
    model = LogisticRegression().fit(numeric, y)

    def predict(frame):
        f = frame[["x0", "x1", "x2"]].assign(red=(frame["color"] == "red").astype(float))
        return model.predict_proba(f)

    explainer = TabularExplainer(X, class_names=["no", "yes"], discretizer=discretizer,
                                 random_state=0)
    rows = [X.iloc[i] for i in range(N_ITEMS)]
    _check(lambda row: explainer.explain(row, predict, num_features=4, num_samples=400), rows)


def test_text_explainer_is_thread_safe():
    words = ["good", "bad", "great", "awful", "plot", "actor", "film", "boring", "fun"]
    rng = np.random.default_rng(1)
    docs = [" ".join(rng.choice(words, size=8)) for _ in range(N_ITEMS)]
    score = {"good": 1.0, "great": 1.5, "fun": 0.8, "bad": -1.0, "awful": -1.5, "boring": -0.7}

    def model(texts):
        z = np.array([sum(score.get(w, 0.0) for w in t.split()) for t in texts])
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1 - p, p])

    explainer = TextExplainer(class_names=["neg", "pos"], random_state=0)
    _check(lambda d: explainer.explain(d, model, num_features=None, num_samples=300), docs)


def test_image_explainer_is_thread_safe():
    rng = np.random.default_rng(2)
    images = [rng.integers(0, 256, size=(24, 24, 3), dtype=np.uint8) for _ in range(N_ITEMS)]

    def model(batch):
        p = batch[:, :12, :12].mean(axis=(1, 2, 3)) / 255.0
        return np.column_stack([1 - p, p])

    explainer = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4}, random_state=0)
    _check(lambda im: explainer.explain(im, model, labels=[1], num_samples=200,
                                        batch_size=40), images)


def test_segment_timeseries_explainer_is_thread_safe():
    rng = np.random.default_rng(3)
    series = [np.cumsum(rng.normal(size=40)) for _ in range(N_ITEMS)]

    def model(batch):
        v = np.asarray(batch)[:, 10:20].mean(axis=1)
        p = 1.0 / (1.0 + np.exp(-v))
        return np.column_stack([1 - p, p])

    explainer = SegmentTimeSeriesExplainer(n_segments=5, random_state=0)
    _check(lambda s: explainer.explain(s, model, num_samples=200), series)
