"""explain_batch: identical to explain row by row, whatever the grouping or worker count."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from limekit import ExplanationBatch, TabularExplainer
from limekit.blackbox import BlackBox


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target.to_numpy()
    rf = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    return X, y, rf


@pytest.mark.parametrize("batch_size", [None, 300, 1000, 2999])
def test_batch_equals_row_by_row(cancer, batch_size):
    X, _, rf = cancer
    ex = TabularExplainer(X, random_state=3)
    rows = X.iloc[[5, 0, 17, 5, 300]]
    batch = ex.explain_batch(rows, rf, num_samples=600, batch_size=batch_size, progress=False)
    assert isinstance(batch, ExplanationBatch) and len(batch) == 5
    for (_, row), exp in zip(rows.iterrows(), batch, strict=True):
        assert exp == ex.explain(row, rf, num_samples=600)
    assert batch[0] == batch[3]  # the same row twice gives the same explanation
    assert batch.row_ids == [5, 0, 17, 5, 300]


def test_groups_call_the_model_once_each(cancer):
    X, _, rf = cancer
    calls = []

    def model(frame):
        calls.append(len(frame))
        return rf.predict_proba(frame)

    ex = TabularExplainer(X, random_state=0)
    ex.explain_batch(X.iloc[:7], model, num_samples=500, batch_size=1500, progress=False)
    # groups of 3 instances (1500 // 500), the model sees each group's 1500 rows in one call
    assert calls == [1500, 1500, 500]


def test_parallel_workers_give_identical_results(cancer):
    X, _, _ = cancer
    model = LogisticRegression(max_iter=3000).fit(X.to_numpy(), cancer[1])
    ex = TabularExplainer(X.to_numpy(), random_state=1)
    rows = X.to_numpy()[:6]
    serial = ex.explain_batch(rows, model, num_samples=400, batch_size=800, progress=False)
    parallel = ex.explain_batch(rows, model, num_samples=400, batch_size=800, n_jobs=2,
                                progress=False)
    assert list(serial) == list(parallel)


def test_to_frame_is_tidy(cancer):
    X, _, rf = cancer
    ex = TabularExplainer(X, class_names=["malignant", "benign"], random_state=0)
    batch = ex.explain_batch(X.iloc[[3, 9]], rf, top_labels=2, num_features=4,
                             num_samples=300, progress=False)
    frame = batch.to_frame()
    assert list(frame.columns) == ["row_id", "label", "class_name", "rank", "feature",
                                   "description", "value", "weight"]
    assert len(frame) == 2 * 2 * 4
    assert set(frame["row_id"]) == {3, 9}
    sub = frame[(frame.row_id == 9) & (frame.label == batch[1].labels[0])]
    assert list(sub["weight"]) == [w for _, w in batch[1].as_list()]
    assert pickle.loads(pickle.dumps(batch)).row_ids == [3, 9]


def test_progress_bar_runs(cancer, capsys):
    X, _, rf = cancer
    ex = TabularExplainer(X, random_state=0)
    batch = ex.explain_batch(X.iloc[:4], rf, num_samples=200, batch_size=400, progress=True)
    assert len(batch) == 4
    assert "explaining" in capsys.readouterr().err


def test_batch_errors_name_the_row(cancer):
    X, _, rf = cancer
    bad = X.iloc[:3].copy()
    bad.iloc[1, 2] = np.nan
    ex = TabularExplainer(X)
    with pytest.raises(ValueError, match=r"row 1: the instance has NaN in feature 'mean perimeter'"):
        ex.explain_batch(bad, rf, progress=False)
    with pytest.raises(ValueError, match="X must be 2-D"):
        ex.explain_batch(X.iloc[0].to_numpy(), rf, progress=False)
    with pytest.raises(ValueError, match="no rows"):
        ex.explain_batch(X.iloc[:0], rf, progress=False)
    with pytest.raises(ValueError, match="n_jobs must be a non-zero int"):
        ex.explain_batch(X.iloc[:2], rf, n_jobs=0, progress=False)


def test_deduplication_asks_each_distinct_row_once():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.choice(["x", "y"], 300), "b": rng.choice(["p", "q", "r"], 300)})
    seen = []

    def model(frame):
        seen.append(len(frame))
        p = (frame["a"] == "x").to_numpy() * 0.6 + 0.2
        return np.column_stack([1 - p, p])

    ex = TabularExplainer(df, random_state=0)
    plain = ex.explain(df.iloc[0], model, num_samples=1000)
    deduped = ex.explain(df.iloc[0], model, num_samples=1000, deduplicate=True)
    assert seen[0] == 1000 and seen[1] <= 6  # only 2 x 3 distinct rows exist
    assert deduped == plain


@pytest.mark.parametrize("inputs", [
    np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0]]),
    ["a b", "a b", "c"],
    np.zeros((3, 2, 2, 3), dtype=np.uint8) + np.array([0, 0, 1])[:, None, None, None],
])
def test_deduplicating_blackbox_expands_answers(inputs):
    calls = []

    def model(x):
        calls.append(len(x))
        return np.arange(len(x), dtype=float)[:, None] * 0 + np.array(
            [hash(str(np.asarray(r).tolist())) % 7 for r in x], dtype=float)[:, None]

    bb = BlackBox(model, "regression", deduplicate=True)
    out = bb.predict(inputs)
    assert calls == [2]
    ref = BlackBox(model, "regression").predict(inputs)
    np.testing.assert_array_equal(out, ref)


def test_text_image_series_batches_equal_single_explanations():
    from limekit import ImageExplainer, SegmentTimeSeriesExplainer, TextExplainer

    def text_model(texts):
        p = np.array([0.8 if "good" in t else 0.3 for t in texts])
        return np.column_stack([1 - p, p])

    tex = TextExplainer(random_state=0)
    docs = ["a good day", "a bad day, not good", "nothing here"]
    batch = tex.explain_batch(docs, text_model, num_samples=200, progress=False)
    assert [b == tex.explain(d, text_model, num_samples=200) for b, d in zip(batch, docs,
                                                                            strict=True)] == [True] * 3
    with pytest.raises(TypeError, match="sequence of instances"):
        tex.explain_batch("one text", text_model)

    rng = np.random.default_rng(0)
    images = rng.random((2, 16, 16, 3))

    def image_model(x):
        p = x[:, :8, :8].mean(axis=(1, 2, 3))
        return np.column_stack([1 - p, p])

    iex = ImageExplainer(segmenter="grid", random_state=0)
    ib = iex.explain_batch(images, image_model, num_samples=100, top_labels=1, progress=False)
    assert ib[1] == iex.explain(images[1], image_model, num_samples=100, top_labels=1)

    sex = SegmentTimeSeriesExplainer(n_segments=4, random_state=0, mode="regression")
    series = rng.normal(size=(3, 40))
    sb = sex.explain_batch(series, lambda s: s[:, :10].sum(axis=1), num_samples=100,
                           n_jobs=2, progress=False)
    assert sb[2] == sex.explain(series[2], lambda s: s[:, :10].sum(axis=1), num_samples=100)


def test_text_deduplication_scores_each_distinct_text_once():
    from limekit import TextExplainer

    calls = []

    def model(texts):
        calls.append(len(texts))
        p = np.array([0.9 if "good" in t else 0.2 for t in texts])
        return np.column_stack([1 - p, p])

    ex = TextExplainer(random_state=0)
    plain = ex.explain("good not bad", model, num_samples=1000)
    deduped = ex.explain("good not bad", model, num_samples=1000, deduplicate=True)
    assert calls[0] == 1000 and calls[1] <= 8  # 3 words: at most 2³ distinct texts
    assert deduped == plain


def test_retain_freed_memory_is_opt_in_and_harmless(cancer):
    from limekit.performance import retain_freed_memory

    X, _, rf = cancer
    ex = TabularExplainer(X, random_state=0)
    before = ex.explain(X.iloc[0], rf, num_samples=300)
    assert isinstance(retain_freed_memory(64), bool)
    assert ex.explain(X.iloc[0], rf, num_samples=300) == before
    with pytest.raises(ValueError, match="max_mb must be a positive int"):
        retain_freed_memory(0)


@pytest.mark.parametrize("n_groups, workers", [(1, 2), (3, 2), (125, 2), (25_000, 2), (500, 8)])
def test_parallel_tasks_are_equal_and_cover_every_group(n_groups, workers):
    from limekit.batch import _task_sizes

    sizes = _task_sizes(n_groups, workers, tasks_per_worker=4, max_groups=64)
    assert sum(sizes) == n_groups and min(sizes) >= 1
    assert max(sizes) - min(sizes) <= 1  # equal work per task
    assert max(sizes) <= 64  # the progress bar moves at least every 64 groups
    assert len(sizes) >= min(n_groups, 4 * workers)  # every worker gets several tasks
