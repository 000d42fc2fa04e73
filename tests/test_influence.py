"""Influence functions against leave-one-out retraining, closed forms and each other."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from limekit.influence import (
    InfluenceResult,
    LinearInfluence,
    LogisticInfluence,
    TorchInfluence,
)

C = 0.5


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(0).choice(len(y), 215, replace=False)
    X = StandardScaler().fit_transform(X[rows, :10])
    return X[:200], y[rows][:200], X[200:], y[rows][200:]


def _logistic(**kw):
    return LogisticRegression(C=C, tol=1e-12, solver="newton-cholesky", max_iter=1000, **kw)


def _log_loss(model, X, y):
    cls = np.searchsorted(model.classes_, y)
    return -np.log(model.predict_proba(X)[np.arange(len(y)), cls])


def _loo_changes(make, X, y, X_test, y_test, rows):
    """Actual change of each test loss when each of ``rows`` is left out and refitted."""
    base = _log_loss(make().fit(X, y), X_test, y_test)
    out = np.empty((len(rows), len(y_test)))
    for j, i in enumerate(rows):
        keep = np.arange(len(y)) != i
        out[j] = _log_loss(make().fit(X[keep], y[keep]), X_test, y_test) - base
    return out


def test_logistic_predicts_leave_one_out_retraining(cancer):
    X, y, X_test, y_test = cancer
    model = _logistic().fit(X, y)
    infl = LogisticInfluence(model, X, y)
    # the hardest test points have the largest gradients, hence informative influence
    hard = np.argsort(-_log_loss(model, X_test, y_test))[:3]
    pred = infl.influence(X_test[hard], y_test[hard])
    assert pred.shape == (3, 200)
    for j, t in enumerate(hard):
        rows = np.argsort(-np.abs(pred[j]))[:30]
        actual = _loo_changes(_logistic, X, y, X_test[[t]], y_test[[t]], rows)[:, 0]
        assert np.corrcoef(pred[j, rows], actual)[0, 1] >= 0.95
        assert np.mean(np.sign(pred[j, rows]) == np.sign(actual)) >= 0.9


def test_multinomial_predicts_leave_one_out_retraining():
    X, y = load_iris(return_X_y=True)
    order = np.random.default_rng(1).permutation(150)
    X = StandardScaler().fit_transform(X)[order]
    y = np.array(["setosa", "versicolor", "virginica"])[y[order]]
    X, y, X_test, y_test = X[:120], y[:120], X[120:122], y[120:122]

    def make():
        return LogisticRegression(C=0.3, tol=1e-10, solver="newton-cholesky", max_iter=200)

    pred = LogisticInfluence(make().fit(X, y), X, y).influence(X_test, y_test)
    for j in range(2):
        rows = np.argsort(-np.abs(pred[j]))[:15]
        actual = _loo_changes(make, X, y, X_test[[j]], y_test[[j]], rows)[:, 0]
        assert np.corrcoef(pred[j, rows], actual)[0, 1] >= 0.95


@pytest.mark.parametrize(
    "kw",
    [
        # liblinear penalises the intercept through intercept_scaling
        dict(solver="liblinear", intercept_scaling=2.0),
        dict(solver="newton-cholesky", class_weight={0: 1.0, 1: 3.0}),
        dict(solver="newton-cholesky", fit_intercept=False),
    ],
)
def test_objective_variants_match_retraining(cancer, kw):
    X, y, X_test, y_test = cancer

    def make():
        return LogisticRegression(C=0.1, tol=1e-12, **kw)

    pred = LogisticInfluence(make().fit(X, y), X, y).influence(X_test[0], y_test[0])
    rows = np.argsort(-np.abs(pred))[:10]
    actual = _loo_changes(make, X, y, X_test[:1], y_test[:1], rows)[:, 0]
    assert np.corrcoef(pred[rows], actual)[0, 1] >= 0.99


def test_ignoring_the_intercept_penalty_of_liblinear_would_be_detected(cancer):
    # the same coefficients read as an lbfgs model (unpenalised intercept) give other scores
    X, y, X_test, y_test = cancer
    lib = LogisticRegression(C=0.1, tol=1e-12, solver="liblinear", intercept_scaling=0.3)
    lib.fit(X, y)
    scores = LogisticInfluence(lib, X, y).influence(X_test[0], y_test[0])
    lib.solver = "lbfgs"
    with pytest.warns(UserWarning, match="not at the minimum"):
        other = LogisticInfluence(lib, X, y).influence(X_test[0], y_test[0])
    assert not np.allclose(scores, other, rtol=1e-2)


@pytest.mark.parametrize("make", [lambda: Ridge(alpha=5.0), LinearRegression])
def test_linear_scores_are_exact_first_order_leave_one_out(make):
    X, y = load_diabetes(return_X_y=True)
    # n = 250 keeps leverages small, so second-order effects stay small (at n = 70 the
    # identity below still holds exactly but LinearRegression's correlation drops to ~0.85)
    n = 250
    X = StandardScaler().fit_transform(X[: n + 1])
    X, y, x_test, y_test = X[:n], y[:n], X[n], y[n]
    model = make().fit(X, y)
    pred = LinearInfluence(model, X, y).influence(x_test, y_test)

    Xt = np.hstack([X, np.ones((n, 1))])
    theta = np.r_[model.coef_, model.intercept_]
    alpha = getattr(model, "alpha", 0.0)
    A = Xt.T @ Xt + alpha * np.diag(np.r_[np.ones(X.shape[1]), 0.0])
    leverage = np.einsum("ij,ji->i", Xt, np.linalg.solve(A, Xt.T))
    grad_test = 2 * (np.r_[x_test, 1.0] @ theta - y_test) * np.r_[x_test, 1.0]
    actual_dtheta = np.empty((n, theta.size))
    actual_dloss = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        m = make().fit(X[keep], y[keep])
        actual_dtheta[i] = np.r_[m.coef_, m.intercept_] - theta
        actual_dloss[i] = (m.predict(x_test[None])[0] - y_test) ** 2 - (
            model.predict(x_test[None])[0] - y_test
        ) ** 2
    # Sherman-Morrison: the exact parameter change is the influence one divided by 1 - h_ii
    first_order = (actual_dtheta * (1 - leverage)[:, None]) @ grad_test
    np.testing.assert_allclose(pred, first_order, rtol=1e-6, atol=1e-9 * np.abs(pred).max())
    assert np.corrcoef(pred, actual_dloss)[0, 1] >= 0.99


def test_hand_computed_ridge_without_intercept():
    # 1-D ridge through the origin: θ = Σxy/(Σx²+α), J'' = 2(Σx²+α)/n per mean loss
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([1.0, 3.0, 2.0])
    model = Ridge(alpha=1.0, fit_intercept=False).fit(X, y)
    theta = 13.0 / 15.0
    assert model.coef_[0] == pytest.approx(theta)
    g = 2 * (theta * X[:, 0] - y) * X[:, 0]
    g_test = 2 * (theta * 2.0 - 1.0) * 2.0
    expected = g_test * g / (2 * 15.0)
    got = LinearInfluence(model, X, y).influence([2.0], 1.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_batch_equals_single_and_dataframe_equals_array(cancer):
    X, y, X_test, y_test = cancer
    model = _logistic().fit(X, y)
    infl = LogisticInfluence(model, X, y)
    batch = infl.influence(X_test[:4], y_test[:4])
    for j in range(4):
        np.testing.assert_allclose(batch[j], infl.influence(X_test[j], y_test[j]), rtol=1e-12)
    cols = [f"f{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=cols)
    model_df = _logistic().fit(frame, y)
    infl_df = LogisticInfluence(model_df, frame, pd.Series(y))
    got = infl_df.influence(pd.DataFrame(X_test[:4], columns=cols), y_test[:4])
    np.testing.assert_allclose(got, batch, rtol=1e-6, atol=1e-12)


def test_top_lists_extremes_with_signs(cancer):
    X, y, X_test, y_test = cancer
    infl = LogisticInfluence(_logistic().fit(X, y), X, y)
    scores = infl.influence(X_test[0], y_test[0])
    res = infl.top(X_test[0], y_test[0], k=4)
    assert isinstance(res, InfluenceResult)
    np.testing.assert_array_equal(res.helpful_indices, np.argsort(-scores)[:4])
    np.testing.assert_array_equal(res.harmful_indices, np.argsort(scores)[:4])
    assert (res.helpful_scores > 0).all() and (res.harmful_scores < 0).all()
    assert res.n_train == 200 and res.test_loss > 0
    frame = res.to_frame()
    assert list(frame.columns) == ["effect", "rank", "index", "score"]
    assert frame["effect"].tolist() == ["helpful"] * 4 + ["harmful"] * 4
    text = str(res)
    assert "helpful" in text and "harmful" in text and f"row {res.helpful_indices[0]}" in text
    # a point whose scores are all positive lists no harmful point
    whole = infl.top(X_test[0], y_test[0], k=1000)
    assert len(whole.helpful) + len(whole.harmful) == np.count_nonzero(scores)


def test_mislabelled_training_point_is_harmful():
    # a planted label flip near the test point must be its most harmful training point
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] > 0).astype(int)
    X[7] = [1.5, 0.0]
    y[7] = 0
    infl = LogisticInfluence(LogisticRegression(C=10.0, tol=1e-12).fit(X, y), X, y)
    assert infl.top([1.5, 0.1], 1, k=1).harmful_indices[0] == 7


def test_validation_messages(cancer):
    X, y, X_test, y_test = cancer
    model = _logistic().fit(X, y)
    with pytest.raises(TypeError, match="LogisticRegression"):
        LogisticInfluence(DecisionTreeClassifier().fit(X, y), X, y)
    with pytest.raises(TypeError, match="LinearRegression, Ridge"):
        LinearInfluence(model, X, y)
    with pytest.raises(TypeError, match=r"pipe\[-1\]"):
        LogisticInfluence(make_pipeline(StandardScaler(), _logistic()).fit(X, y), X, y)
    with pytest.raises(NotFittedError, match="not fitted"):
        LogisticInfluence(_logistic(), X, y)
    with pytest.raises(ValueError, match="10 features"):
        LogisticInfluence(model, X[:, :5], y)
    with pytest.raises(ValueError, match="one target per row"):
        LogisticInfluence(model, X, y[:-1])
    with pytest.raises(ValueError, match=r"label\(s\) \[7\]"):
        LogisticInfluence(model, X, y).influence(X_test[0], 7)
    with pytest.raises(ValueError, match="x_test has 3 features"):
        LogisticInfluence(model, X, y).influence(X_test[0, :3], 1)
    with pytest.raises(ValueError, match=r"label\(s\) \['a'\]"):
        LogisticInfluence(model, X, y).influence(X_test[:2], np.array(["a", "a"]))
    l1 = LogisticRegression(C=1.0, l1_ratio=1.0, solver="liblinear").fit(X, y)
    with pytest.raises(ValueError, match="L2 penalty"):
        LogisticInfluence(l1, X, y)
    frame = pd.DataFrame({"a": X[:, 0], "b": np.where(y == 1, "u", "v")})
    with pytest.raises(TypeError, match="non-numeric column.*'b'.*Pipeline"):
        LogisticInfluence(_logistic().fit(X[:, :2], y), frame, y)
    with pytest.raises(ValueError, match="positive int"):
        LogisticInfluence(model, X, y).top(X_test[0], y_test[0], k=0)
    with pytest.raises(ValueError, match="one test point"):
        LogisticInfluence(model, X, y).top(X_test[:2], y_test[:2])


def test_wrong_training_data_warns_and_singular_hessian_asks_for_damping(cancer):
    X, y, _, _ = cancer
    model = _logistic().fit(X, y)
    with pytest.warns(UserWarning, match="not at the minimum"):
        LogisticInfluence(model, X[::-1] * 1.5, y)
    collinear = np.hstack([X[:, :3], X[:, :1]])
    lin = LinearRegression().fit(collinear, y.astype(float))
    with pytest.raises(ValueError, match="damping"):
        LinearInfluence(lin, collinear, y.astype(float))
    damped = LinearInfluence(lin, collinear, y.astype(float), damping=1e-6)
    assert np.isfinite(damped.influence(collinear[0], 1.0)).all()


# ------------------------------------------------------------------ torch


@pytest.fixture(scope="module")
def torch_setup(cancer):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    # tiny models: one thread avoids oversubscribing shared CPUs; restored afterwards
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    X, y, X_test, y_test = cancer
    X, y, X_test, y_test = X[:150, :6], y[:150], X_test[:3, :6], y_test[:3]
    model = _logistic().fit(X, y)
    exact = LogisticInfluence(model, X, y).influence(X_test, y_test)
    net = torch.nn.Linear(6, 1).double()
    with torch.no_grad():
        net.weight.copy_(torch.as_tensor(model.coef_))
        net.bias.copy_(torch.as_tensor(model.intercept_))

    def loss(out, target):
        return F.binary_cross_entropy_with_logits(out.squeeze(-1), target)

    # sklearn's C Σℓ + ½‖w‖² is, per mean loss, (1/n)Σℓ + ½ (1/(nC)) ‖w‖² with a free bias
    kw = dict(weight_decay={"weight": 1.0 / (len(y) * C)})
    yield torch, net, loss, X, y.astype(float), X_test, y_test.astype(float), exact, kw
    torch.set_num_threads(threads)


def test_torch_cg_matches_exact_path(torch_setup):
    torch, net, loss, X, y, X_test, y_test, exact, kw = torch_setup
    infl = TorchInfluence(net, loss, X, y, damping=0.0, solver="cg", cg_tol=1e-10, **kw)
    got = infl.influence(X_test, y_test)
    assert got.shape == exact.shape
    for j in range(len(y_test)):
        assert np.corrcoef(got[j], exact[j])[0, 1] >= 0.99
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-7 * np.abs(exact).max())
    # tensors in, same numbers out; a single point gives a 1-D result
    single = infl.influence(torch.as_tensor(X_test[1]), torch.as_tensor(y_test[1]))
    np.testing.assert_allclose(single, got[1], rtol=1e-10)


def test_torch_lissa_is_close_and_deterministic(torch_setup):
    torch, net, loss, X, y, X_test, y_test, exact, kw = torch_setup

    def run(seed, x, t):
        infl = TorchInfluence(
            net, loss, X, y, damping=0.0, solver="lissa", lissa_depth=150,
            lissa_batch_size=64, random_state=seed, **kw,
        )
        return infl.influence(x, t)

    got = run(0, X_test[:2], y_test[:2])
    for j in range(2):
        assert np.corrcoef(got[j], exact[j])[0, 1] >= 0.9
    np.testing.assert_array_equal(run(0, X_test[:2], y_test[:2]), got)
    # each test point's estimate depends on the seed, not on its position in the batch
    np.testing.assert_allclose(run(0, X_test[1], y_test[1]), got[1], rtol=1e-12, atol=1e-15)
    assert not np.array_equal(run(1, X_test[1], y_test[1]), got[1])


def test_torch_validation(torch_setup, monkeypatch):
    torch, net, loss, X, y, X_test, y_test, exact, kw = torch_setup
    import torch.nn.functional as F

    def summed(out, target):
        return F.binary_cross_entropy_with_logits(out.squeeze(-1), target, reduction="sum")

    with pytest.raises(ValueError, match="reduction='mean'"):
        TorchInfluence(net, summed, X, y)
    with pytest.raises(ValueError, match="solver must be"):
        TorchInfluence(net, loss, X, y, solver="newton")
    with pytest.raises(ValueError, match="not module parameters"):
        TorchInfluence(net, loss, X, y, weight_decay={"weights": 1.0})
    with pytest.raises(ValueError, match="targets for"):
        TorchInfluence(net, loss, X, y[:-1])
    with pytest.raises(TypeError, match="torch.nn.Module"):
        TorchInfluence(lambda x: x, loss, X, y)
    infl = TorchInfluence(net, loss, X, y, **kw)
    with pytest.raises(ValueError, match="shape of one training input"):
        infl.influence(X_test[:, :3], y_test)
    # an indefinite Hessian (negative damping is refused, so use a concave loss)
    with pytest.raises(ValueError, match="increase damping"):
        TorchInfluence(net, lambda o, t: -loss(o, t), X, y, damping=0.0).influence(
            X_test[0], y_test[0]
        )
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"limekit\[torch\]"):
        TorchInfluence(net, loss, X, y)
