"""SP-LIME (limekit.pick, limekit.compat.submodular_pick).

Known truths: the greedy pick is within 1 - 1/e of the brute-force optimum on
small random matrices, a hand-computed case where greedy is not optimal, a
planted model whose explanations use different features, and the picks of
lime's own ``SubmodularPick`` on the very same explanations.
"""

from __future__ import annotations

import inspect
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from limekit import Explanation, LabelExplanation, TabularExplainer, TextExplainer
from limekit.compat.lime_tabular import LimeTabularExplainer
from limekit.compat.lime_text import LimeTextExplainer
from limekit.compat.submodular_pick import SubmodularPick
from limekit.pick import PickResult, pick_explanations, submodular_pick

lime_sp = pytest.importorskip("lime.submodular_pick")


# ------------------------------------------------------------------ helpers
def make_explanations(weights, names=None, kind_cls=Explanation, mode="classification"):
    """Native explanations whose weights are ``weights[i, l, j]`` (label ``l``, feature ``j``).

    A 2-D ``weights`` means one label (label 1, lime's default); zero weights are
    features the explanation did not select.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim == 2:
        weights = weights[:, None, :]
    n, n_labels, d = weights.shape
    names = tuple(names or (f"f{j}" for j in range(d)))
    labels = [1] if n_labels == 1 else list(range(n_labels))
    exps = []
    for row in weights:
        les = {}
        for lab, w in zip(labels, row, strict=True):
            sel = np.flatnonzero(w)
            sel = sel[np.argsort(-np.abs(w[sel]), kind="stable")]
            les[lab] = LabelExplanation(weights=tuple((int(j), float(w[j])) for j in sel),
                                        intercept=0.0, score=1.0, local_pred=0.0)
        exps.append(kind_cls(mode=mode, feature_names=names, feature_descriptions=names,
                             feature_values=("1",) * d,
                             class_names=("a", "b") if mode == "classification" else None,
                             label_explanations=les))
    return exps


def coverage(W, subset):
    importance = np.sqrt(np.abs(W).sum(axis=0))
    return float(importance[(np.abs(W)[list(subset)] > 0).any(axis=0)].sum())


def brute_force_best(W, budget):
    importance = np.sqrt(np.abs(W).sum(axis=0))
    subsets = np.array(list(itertools.combinations(range(W.shape[0]), budget)))
    covered = (np.abs(W)[subsets] > 0).any(axis=1)  # (n_subsets, d)
    return float((covered @ importance).max())


def random_W(rng, n=8, d=6, density=0.4):
    W = rng.uniform(-1, 1, size=(n, d)) * (rng.random((n, d)) < density)
    # duplicated and empty rows make exact ties, where the tie rule decides
    if rng.random() < 0.5:
        W[rng.integers(n)] = W[rng.integers(n)]
    if rng.random() < 0.3:
        W[rng.integers(n)] = 0.0
    return W


class FakeLimeExplanation:
    """The part of lime's Explanation that SubmodularPick reads."""

    def __init__(self, w_row, mode="classification"):
        self.mode = mode
        self._list = [(f"f{j}", float(w_row[j])) for j in np.flatnonzero(w_row)]

    def available_labels(self):
        return [1]

    def as_list(self, label=1):
        return list(self._list)


class ReplayExplainer:
    """Returns precomputed explanations in order and records the rows it was given."""

    def __init__(self, explanations, random_state=None):
        self._explanations = list(explanations)
        self.random_state = random_state
        self.rows = []

    def explain_instance(self, row, predict_fn, **kwargs):
        self.rows.append(row)
        return self._explanations[len(self.rows) - 1]


def global_rng_state():
    """The legacy global RNG's state: SP-LIME must leave it alone (lime shuffles it)."""
    return np.random.get_state()[1].copy()  # noqa: NPY002 - inspecting, not drawing


def lime_V(explanations, budget):
    data = np.arange(len(explanations))[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # lime warns when budget > n
        sp = lime_sp.SubmodularPick(ReplayExplainer(explanations), data, None, method="full",
                                    num_exps_desired=budget)
    return sp.V


def ours_compat_V(explanations, budget):
    data = np.arange(len(explanations))[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sp = SubmodularPick(ReplayExplainer(explanations), data, None, method="full",
                            num_exps_desired=budget)
    return sp.V


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, LogisticRegression(max_iter=500).fit(X, y)


# -------------------------------------------------------- greedy vs optimum
def test_greedy_is_within_1_minus_1_over_e_of_brute_force():
    rng = np.random.default_rng(0)
    bound = 1 - 1 / np.e
    worst = 1.0
    for _ in range(300):
        W = random_W(rng)
        res = submodular_pick(make_explanations(W), budget=3)
        best = brute_force_best(W, 3)
        assert res.coverage == pytest.approx(coverage(W, res.indices))
        assert res.coverage >= bound * best - 1e-12
        assert res.coverage <= best + 1e-12
        # one pick is exactly the best single explanation
        assert res.gains[0] == pytest.approx(brute_force_best(W, 1))
        assert np.all(np.diff(res.gains) <= 1e-12)  # submodular: gains never grow
        if best > 0:
            worst = min(worst, res.coverage / best)
    assert worst < 1.0  # the random cases include some where greedy is not optimal


def test_hand_computed_case_where_greedy_is_suboptimal():
    W = np.array([[4.0, 4.0, 0.0, 0.0],
                  [1.0, 0.0, 3.0, 0.0],
                  [0.0, 1.0, 0.0, 3.0]])
    res = submodular_pick(make_explanations(W), budget=2)
    s5, s3 = np.sqrt(5), np.sqrt(3)
    np.testing.assert_allclose(res.importance, [s5, s5, s3, s3])
    np.testing.assert_allclose(res.W, W)
    # explanation 0 covers most alone; then 1 and 2 tie (gain sqrt 3) and the later one wins
    assert res.indices.tolist() == [0, 2]
    np.testing.assert_allclose(res.gains, [2 * s5, s3])
    assert res.coverage == pytest.approx(2 * s5 + s3)
    assert brute_force_best(W, 2) == pytest.approx(2 * s5 + 2 * s3)  # {1, 2}
    assert res.coverage_fraction == pytest.approx((2 * s5 + s3) / (2 * s5 + 2 * s3))
    assert res.newly_covered() == [["f0", "f1"], ["f3"]]


def test_W_sums_absolute_weights_over_labels():
    w = np.zeros((2, 2, 3))
    w[0, 0] = [0.5, 0.0, -0.2]
    w[0, 1] = [-0.5, 0.1, 0.2]  # opposite signs: lime's |sum| would cancel them
    w[1, 0] = [0.0, 0.3, 0.0]
    w[1, 1] = [0.0, -0.4, 0.0]
    exps = make_explanations(w)
    res = submodular_pick(exps, budget=1)
    np.testing.assert_allclose(res.W, [[1.0, 0.1, 0.4], [0.0, 0.7, 0.0]])
    np.testing.assert_allclose(res.importance, np.sqrt([1.0, 0.8, 0.4]))
    one = submodular_pick(exps, budget=2, label=1)
    np.testing.assert_allclose(one.W, [[0.5, 0.1, 0.2], [0.0, 0.4, 0.0]])


def test_ties_go_to_the_largest_index_and_empty_rows_come_last_in_reverse():
    W = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    res = submodular_pick(make_explanations(W), budget=4)
    assert res.indices.tolist() == [2, 3, 1, 0]  # all gains after the first are 0
    np.testing.assert_allclose(res.gains, [np.sqrt(2), 0, 0, 0])
    assert lime_V([FakeLimeExplanation(r) for r in W], 4) == [2, 3, 1, 0]


# ------------------------------------------------------------ lime parity
def test_same_pick_as_lime_on_random_matrices_with_ties():
    rng = np.random.default_rng(1)
    for _ in range(60):
        n, d = int(rng.integers(2, 10)), int(rng.integers(1, 7))
        W = random_W(rng, n, d, density=rng.uniform(0.2, 0.7))
        budget = int(rng.integers(1, n + 2))
        fakes = [FakeLimeExplanation(r) for r in W]
        expected = lime_V(fakes, budget)
        assert ours_compat_V(fakes, budget) == expected
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert submodular_pick(make_explanations(W), budget).indices.tolist() == expected


@pytest.mark.parametrize("mode", ["classification", "regression"])
def test_same_pick_as_lime_on_compat_tabular_explanations(iris, mode):
    X, model = iris
    if mode == "classification":
        predict = model.predict_proba
    else:
        def predict(Z):
            return model.predict_proba(Z)[:, 2]
    explainer = LimeTabularExplainer(X, mode=mode, random_state=0)
    # top_labels=1 is what lime's SubmodularPick passes (ignored for regression)
    exps = [explainer.explain_instance(r, predict, num_features=2, num_samples=300, top_labels=1)
            for r in X[::6]]  # 25 rows
    natives = [e.native for e in exps]
    for budget in (1, 4, len(exps)):
        expected = lime_V(exps, budget)
        assert ours_compat_V(exps, budget) == expected
        native = submodular_pick(natives, budget, features="descriptions")
        assert native.indices.tolist() == expected
    # lime's features are the per-instance bins ("x <= a"); ours by name are the columns
    by_name = submodular_pick(natives, 2)
    assert by_name.feature_names == tuple(explainer.feature_names)
    assert len(submodular_pick(natives, 2, features="descriptions").feature_names) > 4


def test_same_pick_as_lime_on_compat_text_explanations():
    docs = ["a good film", "good acting", "a good plot", "bad acting", "a bad film", "plot"]

    def model(texts):
        p = np.array([0.5 + 0.4 * ("good" in t.split()) - 0.4 * ("bad" in t.split())
                      for t in texts])
        return np.column_stack([1 - p, p])

    explainer = LimeTextExplainer(random_state=0)
    exps = [explainer.explain_instance(t, model, num_samples=200, top_labels=1) for t in docs]
    for budget in (1, 2, 6):
        assert ours_compat_V(exps, budget) == lime_V(exps, budget)


# --------------------------------------------------------------- domains
def test_text_explanations_are_matched_by_word():
    docs = ["a good film", "good acting", "a good plot", "bad acting", "a bad film"]

    def model(texts):
        p = np.array([0.5 + 0.4 * ("good" in t.split()) - 0.4 * ("bad" in t.split())
                      for t in texts])
        return np.column_stack([1 - p, p])

    for bow in (True, False):
        exps = TextExplainer(bow=bow, random_state=0).explain_batch(
            docs, model, num_features=1, num_samples=200, progress=False)
        res = submodular_pick(exps, budget=2)
        assert sorted(res.feature_names) == ["bad", "good"]
        # the two covering explanations: one "good" document, one "bad" one
        assert sorted(e.as_list()[0][0] for e in res.explanations) == ["bad", "good"]
        assert res.coverage_fraction == pytest.approx(1.0)
        good = res.feature_names.index("good")
        for i, e in enumerate(exps):
            word, w = e.as_list()[0]
            assert res.W[i, res.feature_names.index(word)] == pytest.approx(abs(w))
        assert res.importance[good] == pytest.approx(np.sqrt(res.W[:3, good].sum()))


def test_tabular_planted_features_are_both_covered():
    # f = 2 x0² + x1: near |x0| > 1/4 the local slope of x0 dominates, elsewhere x1 does
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))

    def f(Z):
        Z = np.asarray(Z)
        return 2 * Z[:, 0] ** 2 + Z[:, 1]

    explainer = TabularExplainer(X, mode="regression", discretizer=None,
                                 sample_around_instance=True, random_state=0)
    res = pick_explanations(explainer, X, f, budget=2, sample_size=30, num_features=1,
                            num_samples=300, progress=False)
    tops = [e.as_list()[0][0] for e in
            explainer.explain_batch(X[res.sample_indices], f, num_features=1, num_samples=300,
                                    progress=False)]
    assert set(tops) == {"x0", "x1"}
    assert sorted(e.as_list()[0][0] for e in res.explanations) == ["x0", "x1"]
    assert res.coverage_fraction == pytest.approx(1.0)
    # every explanation of the more important feature gains the same: the last one wins
    first = tops[res.indices[0]]
    assert res.indices[0] == max(i for i, t in enumerate(tops) if t == first)
    assert res.rows.tolist() == res.sample_indices[res.indices].tolist()


def test_pick_explanations_is_seeded_and_matches_submodular_pick(iris):
    X, model = iris
    explainer = TabularExplainer(X, random_state=0)
    state = global_rng_state()
    kw = dict(sample_size=12, num_features=2, num_samples=200, progress=False)
    a = pick_explanations(explainer, X, model, 3, **kw)
    b = pick_explanations(explainer, X, model, 3, **kw)
    c = pick_explanations(explainer, X, model, 3, random_state=5, **kw)
    np.testing.assert_array_equal(global_rng_state(), state)  # global RNG untouched
    np.testing.assert_array_equal(a.sample_indices, b.sample_indices)
    np.testing.assert_array_equal(a.indices, b.indices)
    expected_rows = np.sort(np.random.default_rng(0).choice(len(X), 12, replace=False))
    np.testing.assert_array_equal(a.sample_indices, expected_rows)
    assert not np.array_equal(a.sample_indices, c.sample_indices)
    exps = explainer.explain_batch(X[a.sample_indices], model, num_features=2,
                                   num_samples=200, progress=False)
    direct = submodular_pick(exps, 3)
    np.testing.assert_array_equal(direct.indices, a.indices)
    np.testing.assert_allclose(direct.W, a.W)
    # W by hand from the explanations
    W = np.zeros((12, 4))
    for i, e in enumerate(exps):
        for le in e.label_explanations.values():
            for j, w in le.weights:
                W[i, j] += abs(w)
    np.testing.assert_allclose(a.W, W)
    # a DataFrame works the same way
    df = pd.DataFrame(X, columns=explainer.feature_names)

    def predict(frame):
        return model.predict_proba(np.asarray(frame))

    d = pick_explanations(TabularExplainer(df, random_state=0), df, predict, 3, **kw)
    np.testing.assert_array_equal(d.sample_indices, a.sample_indices)


def test_result_views(iris):
    W = np.array([[4.0, 4.0, 0.0, 0.0], [1.0, 0.0, 3.0, 0.0], [0.0, 1.0, 0.0, 3.0]])
    res = submodular_pick(make_explanations(W, names=["a", "b", "c", "d"]), budget=3)
    assert isinstance(res, PickResult)
    frame = res.to_frame()
    assert list(frame.columns) == ["step", "index", "gain", "coverage", "coverage_fraction",
                                   "new_features"]
    assert frame["index"].tolist() == [0, 2, 1]
    assert frame["new_features"].tolist() == ["a, b", "d", "c"]
    np.testing.assert_allclose(frame["coverage"], np.cumsum(res.gains))
    assert frame["coverage_fraction"].iloc[-1] == pytest.approx(1.0)
    text = str(res)
    assert text.splitlines()[0].startswith("SP-LIME pick: 3 of 3 explanations")
    assert "a, b" in text and "100.0%" in text
    assert "PickResult" in repr(res)
    with pytest.raises(ValueError):
        res.W[0, 0] = 1.0  # results are read-only
    X, model = iris
    r = pick_explanations(TabularExplainer(X, random_state=0), X, model, 2, sample_size=5,
                          num_samples=200, progress=False)
    assert "row" in r.to_frame().columns


# ------------------------------------------------------------------ errors
def test_errors():
    W = np.eye(3)
    exps = make_explanations(W)
    with pytest.raises(ValueError, match="at least 1"):
        submodular_pick(exps, 0)
    with pytest.raises(TypeError, match="budget must be an int"):
        submodular_pick(exps, 2.0)
    with pytest.raises(TypeError, match="budget must be an int"):
        submodular_pick(exps, True)
    with pytest.raises(ValueError, match="empty"):
        submodular_pick([], 1)
    with pytest.raises(TypeError, match="not a single one"):
        submodular_pick(exps[0], 1)
    with pytest.raises(TypeError, match=r"explanations\[1\]"):
        submodular_pick([exps[0], "text"], 1)
    from limekit import TextExplanation

    text_exps = make_explanations(W, kind_cls=TextExplanation)
    with pytest.raises(ValueError, match="mix kinds"):
        submodular_pick([exps[0], text_exps[1]], 1)
    with pytest.raises(ValueError, match="mix modes"):
        submodular_pick([exps[0], make_explanations(W, mode="regression")[1]], 1)
    with pytest.raises(ValueError, match="label 0 was not explained"):
        submodular_pick(exps, 1, label=0)
    with pytest.raises(ValueError, match="features must be one of"):
        submodular_pick(exps, 1, features="words")
    other = make_explanations(W, names=["p", "q", "r"])
    with pytest.raises(ValueError, match="different feature_names"):
        submodular_pick([exps[0], other[1]], 1)
    # matching by description strings is allowed across feature lists
    res = submodular_pick([exps[0], other[1]], 2, features="descriptions")
    assert res.feature_names == ("f0", "q")
    # text explanations with different words are matched by word
    assert submodular_pick([text_exps[0], make_explanations(
        W, names=["x", "y", "z"], kind_cls=TextExplanation)[1]], 2).feature_names == ("f0", "y")


def test_budget_at_least_n_returns_everything_like_lime():
    W = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.5]])
    exps = make_explanations(W)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert submodular_pick(exps, 3).indices.tolist() == [1, 0, 2]  # budget == n: no warning
    with pytest.warns(UserWarning, match="larger than the number of explanations"):
        res = submodular_pick(exps, 10)
    assert res.indices.tolist() == [1, 0, 2]
    fakes = [FakeLimeExplanation(r) for r in W]
    with pytest.warns(UserWarning):
        lime = lime_sp.SubmodularPick(ReplayExplainer(fakes), np.zeros((3, 1)), None,
                                      method="full", num_exps_desired=10)
    assert lime.V == [1, 0, 2]


def test_pick_explanations_errors(iris):
    X, model = iris
    explainer = TabularExplainer(X, random_state=0)
    with pytest.raises(ValueError, match="sample_size must be between"):
        pick_explanations(explainer, X, model, 2, sample_size=1000)
    with pytest.raises(TypeError, match="sample_size"):
        pick_explanations(explainer, X, model, 2, sample_size=2.5)
    with pytest.raises(ValueError, match="at least 1"):
        pick_explanations(explainer, X, model, 0)
    with pytest.raises(TypeError, match="explain_batch"):
        pick_explanations(object(), X, model, 2)


# ------------------------------------------------------------------ compat
def test_compat_signature_matches_lime():
    ours = inspect.signature(SubmodularPick).parameters
    theirs = inspect.signature(lime_sp.SubmodularPick).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == \
        [(p.name, p.kind, p.default) for p in theirs.values()]


def test_compat_sampling_is_seeded_by_the_explainer():
    W = np.random.default_rng(3).uniform(size=(20, 4)) * (np.arange(4) < 2)
    fakes = [FakeLimeExplanation(r) for r in W]
    data = np.arange(20)[:, None]
    state = global_rng_state()
    runs = []
    for seed in (7, 7, np.random.RandomState(7), np.random.RandomState(7)):
        explainer = ReplayExplainer(fakes, random_state=seed)
        sp = SubmodularPick(explainer, data, None, sample_size=6, num_exps_desired=2)
        runs.append(([int(r[0]) for r in explainer.rows], sp.V))
        assert len(sp.explanations) == 6 and len(sp.V) == 2
        assert sp.sp_explanations == [sp.explanations[i] for i in sp.V]
    np.testing.assert_array_equal(global_rng_state(), state)
    assert runs[0] == runs[1] and runs[2] == runs[3]
    assert runs[0][0] == np.random.default_rng(7).permutation(20)[:6].tolist()


def test_compat_arguments_and_warnings(iris):
    fakes = [FakeLimeExplanation(r) for r in np.eye(3)]
    data = np.zeros((3, 1))
    with pytest.raises(ValueError, match="method must be"):
        SubmodularPick(ReplayExplainer(fakes), data, None, method="all")
    # as lime: a budget of 0 explains the sample and picks nothing
    empty = SubmodularPick(ReplayExplainer(fakes), data, None, num_exps_desired=0)
    assert empty.V == [] and empty.sp_explanations == []
    with pytest.raises(TypeError, match="explain_instance"):
        SubmodularPick(object(), data, None)
    with pytest.warns(UserWarning, match="sample_size"):
        sp = SubmodularPick(ReplayExplainer(fakes, random_state=0), data, None, sample_size=10,
                            num_exps_desired=3)
    assert sorted(sp.V) == [0, 1, 2]
    # the real compat explainer, end to end, with a DataFrame
    X, model = iris
    df = pd.DataFrame(X[:8])
    sp = SubmodularPick(LimeTabularExplainer(X, random_state=0), df, model.predict_proba,
                        method="full", num_exps_desired=2, num_features=2, num_samples=200)
    assert len(sp.explanations) == 8 and len(set(sp.V)) == 2
