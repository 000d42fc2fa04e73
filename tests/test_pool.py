"""Work arrays reused between explanations never leak into what users can see."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from limekit import TabularExplainer, _compiled, _pool

pytestmark = pytest.mark.skipif(not _compiled.enabled(),
                                reason="numba is not installed: the pooled kernel path is off")


@pytest.fixture(scope="module")
def case():
    X, y = load_breast_cancer(return_X_y=True)
    return X, LogisticRegression(max_iter=5000).fit(X, y)


def test_a_model_that_keeps_its_inputs_never_sees_them_overwritten(case):
    X, model = case
    _pool.clear()
    kept = []

    def remembering_model(inputs):
        kept.append(inputs)  # the very array it was given
        return model.predict_proba(inputs)

    explainer = TabularExplainer(X, random_state=0)
    explainer.explain(X[0], remembering_model, num_samples=500)
    snapshot = kept[0].copy()
    for i in range(1, 4):
        explainer.explain(X[i], remembering_model, num_samples=500)
    np.testing.assert_array_equal(kept[0], snapshot)
    assert all(a is not b for a in kept for b in kept if a is not b)
    np.testing.assert_array_equal(kept[0][0], X[0])  # the instance row is still its own


def test_a_model_that_keeps_a_view_of_its_inputs_is_detected(case):
    X, model = case
    _pool.clear()
    kept = []

    def viewing_model(inputs):
        kept.append(inputs[:5])  # a view keeps the whole buffer alive
        return model.predict_proba(inputs)

    explainer = TabularExplainer(X, random_state=0)
    explainer.explain(X[0], viewing_model, num_samples=500)
    snapshot = kept[0].copy()
    explainer.explain(X[1], viewing_model, num_samples=500)
    np.testing.assert_array_equal(kept[0], snapshot)


def test_pooled_arrays_are_referenced_by_nothing_but_the_pool(case):
    X, model = case
    _pool.clear()
    explainer = TabularExplainer(X, random_state=0)
    exp = explainer.explain(X[0], model, num_samples=500)
    free = _pool._free()
    arrays = [a for stack in free.values() for a in stack]
    assert len(arrays) == 1  # the model inputs (the 0/1 samples are packed bits)
    for a in arrays:
        # the pool's list, the `arrays` list, this loop's variable, getrefcount's argument
        assert sys.getrefcount(a) == 4
    assert exp is not None


def test_reuse_does_not_change_explanations(case):
    X, model = case
    explainer = TabularExplainer(X, random_state=0)
    _pool.clear()
    cold = explainer.explain(X[3], model, num_samples=800)
    warm = [explainer.explain(X[i], model, num_samples=800) for i in (5, 3)][1]
    assert cold == warm
    batch = explainer.explain_batch(X[:6], model, num_samples=800, progress=False)
    assert list(batch)[3] == cold


def test_pool_keeps_a_bounded_number_of_bytes():
    _pool.clear()
    for _ in range(3):
        _pool.give_back(np.empty((_pool.MAX_POOLED_BYTES // 8 // 2 + 1,)))
    assert _pool.pooled_bytes() <= _pool.MAX_POOLED_BYTES
    a = _pool.take((_pool.MAX_POOLED_BYTES // 8 // 2 + 1,))
    assert a.shape == (_pool.MAX_POOLED_BYTES // 8 // 2 + 1,)
    assert _pool.pooled_bytes() == 0
    _pool.clear()


def test_batches_never_overwrite_inputs_a_model_kept(case):
    X, model = case
    _pool.clear()
    kept = []

    def remembering_model(inputs):
        kept.append(inputs)
        return model.predict_proba(inputs)

    explainer = TabularExplainer(X, random_state=0)
    explainer.explain_batch(X[:6], remembering_model, num_samples=500, batch_size=1000,
                            progress=False)  # groups of two rows: stacked inputs
    snapshots = [k.copy() for k in kept]
    explainer.explain_batch(X[6:12], remembering_model, num_samples=500, batch_size=1000,
                            progress=False)
    for k, snap in zip(kept, snapshots, strict=False):
        np.testing.assert_array_equal(k, snap)
    _pool.clear()
    normal = explainer.explain_batch(X[:6], model, num_samples=500, batch_size=1000,
                                     progress=False)
    assert _pool.pooled_bytes() > 0  # the stacked inputs and work arrays came back
    again = explainer.explain_batch(X[:6], model, num_samples=500, batch_size=1000,
                                    progress=False)
    assert list(normal) == list(again)


def test_release_work_arrays_frees_the_pool(case):
    from limekit.performance import release_work_arrays

    X, model = case
    _pool.clear()
    TabularExplainer(X, random_state=0).explain(X[0], model, num_samples=500)
    assert release_work_arrays() == 500 * X.shape[1] * 8  # the model inputs
    assert _pool.pooled_bytes() == 0
