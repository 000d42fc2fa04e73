"""limekit.compat accepts what lime accepts: array-like arguments, discretizer objects,
training_data_stats, sparse data, lime's random_state=None, an in-place model_regressor,
and the lime modules (discretize, lime_base, exceptions, utils) its tests import."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, Ridge

from limekit import TabularExplainer
from limekit.compat import discretize as compat_discretize
from limekit.compat.explanation import DomainMapper, id_generator
from limekit.compat.lime_base import LimeBase
from limekit.compat.lime_tabular import LimeTabularExplainer

lime_discretize = pytest.importorskip("lime.discretize")
lime_base = pytest.importorskip("lime.lime_base")

N = 400


@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(data.data, data.target)
    return data, model


def _mixed(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 3, n), rng.normal(size=n), rng.integers(0, 2, n)])
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    return X.astype(float), model


# ------------------------------------------------------------------ array-like arguments
@pytest.mark.parametrize("cats", [np.array([0]), np.array([0, 2]), (0, 2), range(1)])
def test_categorical_features_as_array_like(cats):
    X, model = _mixed()
    as_list = [int(c) for c in cats]
    a = LimeTabularExplainer(X, categorical_features=cats, discretize_continuous=False,
                             random_state=0)
    b = LimeTabularExplainer(X, categorical_features=as_list, discretize_continuous=False,
                             random_state=0)
    assert a.categorical_features == as_list  # index 0 kept, no ambiguous truth value
    assert a.native.categorical_features == as_list
    ea = a.explain_instance(X[1], model.predict_proba, num_samples=N)
    eb = b.explain_instance(X[1], model.predict_proba, num_samples=N)
    assert ea.as_list() == eb.as_list()
    assert ea.as_list()[0][0].count("=") <= 1


def test_names_as_arrays_and_numpy_keys():
    X, model = _mixed()
    names = {np.int64(0): np.array(["low", "mid", "high"])}
    explainer = LimeTabularExplainer(
        X, feature_names=np.array(["a", "b", "c"]), class_names=np.array(["no", "yes"]),
        categorical_features=np.array([0]), categorical_names=names, random_state=0)
    assert explainer.feature_names == ["a", "b", "c"]
    exp = explainer.explain_instance(X[0], model.predict_proba, num_samples=N)
    value = ["low", "mid", "high"][int(X[0, 0])]
    assert f"a={value}" in [name for name, _ in exp.as_list()]
    assert exp.class_names == ["no", "yes"]


def test_class_names_filled_in_by_explain_instance(iris):
    data, rf = iris
    explainer = LimeTabularExplainer(data.data, random_state=0)
    assert explainer.class_names is None
    explainer.explain_instance(data.data[0], rf.predict_proba, num_samples=N)
    assert explainer.class_names == ["0", "1", "2"]


# ------------------------------------------------------------------ behaviour
def test_model_regressor_is_fitted_in_place(iris):
    data, rf = iris
    reg = Ridge(alpha=0.5)
    explainer = LimeTabularExplainer(data.data, feature_selection="none", random_state=0)
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, labels=(0,),
                                     num_features=4, num_samples=N, model_regressor=reg)
    assert hasattr(reg, "coef_")  # lime fits the object it is given
    weights = dict(exp.as_map()[0])
    np.testing.assert_allclose([weights[j] for j in range(4)], reg.coef_)
    assert exp.intercept[0] == pytest.approx(reg.intercept_)


def test_random_state_none_follows_numpy_global_seed(iris):
    data, rf = iris

    def run():
        np.random.seed(0)  # noqa: NPY002 - what lime's tests do
        explainer = LimeTabularExplainer(data.data)
        return explainer.explain_instance(data.data[5], rf.predict_proba,
                                          num_samples=N).as_map()

    assert run() == run()


# ------------------------------------------------------------------ discretizer objects
@pytest.mark.parametrize("name", ["QuartileDiscretizer", "DecileDiscretizer",
                                  "EntropyDiscretizer"])
def test_discretizers_match_lime(iris, name):
    data, _ = iris
    ours = getattr(compat_discretize, name)(data.data, [], data.feature_names, data.target,
                                            random_state=3)
    theirs = getattr(lime_discretize, name)(data.data, [], data.feature_names, data.target,
                                            random_state=3)
    assert ours.names == theirs.names
    assert sorted(ours.lambdas) == sorted(theirs.lambdas) == ours.to_discretize
    for j in ours.means:
        np.testing.assert_allclose(ours.means[j], theirs.means[j])
        np.testing.assert_allclose(ours.mins[j], theirs.mins[j])
        np.testing.assert_allclose(ours.maxs[j], theirs.maxs[j])
        np.testing.assert_allclose(ours.stds[j], theirs.stds[j], atol=1e-6)
    np.testing.assert_array_equal(ours.discretize(data.data), theirs.discretize(data.data))
    back = ours.undiscretize(ours.discretize(data.data))
    codes = ours.discretize(data.data)
    np.testing.assert_array_equal(ours.discretize(back), codes)  # values stay in their bins


def test_discretizer_categorical_features_as_array(iris):
    data, _ = iris
    disc = compat_discretize.QuartileDiscretizer(data.data, np.array([0]), data.feature_names)
    assert disc.to_discretize == [1, 2, 3]


class _Halves(compat_discretize.BaseDiscretizer):
    """A user's discretizer: one cut at each column's median."""

    def bins(self, data, labels):
        return [np.array([np.median(data[:, j])]) for j in self.to_discretize]


def test_discretizer_objects_are_used(iris):
    data, rf = iris
    disc = _Halves(data.data, [], data.feature_names, random_state=1)
    explainer = LimeTabularExplainer(data.data, feature_names=data.feature_names,
                                     discretizer=disc, random_state=0)
    assert explainer.discretizer is disc
    assert explainer.categorical_features == [0, 1, 2, 3]
    assert all(len(v) <= 2 for v in explainer.feature_values.values())
    exp = explainer.explain_instance(data.data[0], rf.predict_proba, num_samples=N)
    allowed = {n for names in disc.names.values() for n in names}
    assert {name for name, _ in exp.as_list()} <= allowed

    def run(disc_seed, seed):
        d = compat_discretize.QuartileDiscretizer(data.data, [], data.feature_names,
                                                  random_state=disc_seed)
        e = LimeTabularExplainer(data.data, discretizer=d, random_state=seed)
        return e.explain_instance(data.data[60], rf.predict_proba, num_samples=N).as_map()

    assert run(10, 10) == run(10, 10)
    assert run(20, 10) != run(10, 10)  # the discretizer's seed matters, as in lime
    assert run(20, 20) != run(20, 10)


def test_training_data_stats(iris):
    data, rf = iris
    disc = compat_discretize.QuartileDiscretizer(data.data, [], data.feature_names)
    codes = disc.discretize(data.data)
    values = {j: sorted(set(codes[:, j])) for j in range(4)}
    stats = {"means": disc.means, "stds": disc.stds, "mins": disc.mins, "maxs": disc.maxs,
             "bins": {j: e.tolist() for j, e in enumerate(disc.bins(data.data, None))},
             "feature_values": values,
             "feature_frequencies": {j: [int((codes[:, j] == v).sum()) for v in values[j]]
                                     for j in range(4)}}
    explainer = LimeTabularExplainer(np.zeros((2, 4)), feature_names=data.feature_names,
                                     training_data_stats=stats, random_state=0)
    assert explainer.discretizer.names == disc.names
    assert explainer.feature_values == values
    bins0 = explainer.native.representation.columns[0]
    np.testing.assert_allclose(bins0.edges, disc.mins[0][1:])
    exp = explainer.explain_instance(data.data[120], rf.predict_proba, num_features=2,
                                     num_samples=2000)
    assert all("petal" in name for name, _ in exp.as_list())
    with pytest.raises(Exception, match="feature_frequencies"):
        LimeTabularExplainer(data.data, training_data_stats={k: v for k, v in stats.items()
                                                             if k != "feature_frequencies"})


def test_lime_attributes(iris):
    data, _ = iris
    explainer = LimeTabularExplainer(data.data, categorical_features=[0],
                                     discretize_continuous=False, random_state=0)
    np.testing.assert_allclose(explainer.scaler.scale_[1:], data.data[:, 1:].std(axis=0))
    assert explainer.scaler.mean_[0] == 0 and explainer.scaler.scale_[0] == 1
    assert isinstance(explainer.base, LimeBase)
    assert LimeTabularExplainer.convert_and_round([1.234, 2]) == ["1.23", "2.00"]
    values = sorted(set(data.data[:, 0]))
    assert explainer.feature_values[0] == values
    assert explainer.feature_frequencies[0].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------ sparse data
@pytest.fixture(scope="module")
def sparse_data():
    X, y = make_multilabel_classification(n_samples=120, sparse=True, n_features=15,
                                          n_classes=1, n_labels=2, random_state=3)
    y = y.ravel()
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    return X.tocsr(), model


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_native_sparse_equals_dense(sparse_data, fmt):
    X, model = sparse_data
    sparse_exp = TabularExplainer(X.asformat(fmt), discretizer=None, random_state=0).explain(
        X[4], model.predict_proba, num_samples=N)
    dense_exp = TabularExplainer(X.toarray(), discretizer=None, random_state=0).explain(
        X[4].toarray().ravel(), model.predict_proba, num_samples=N)
    for label, le in sparse_exp.label_explanations.items():
        other = dense_exp.label_explanations[label]
        assert [f for f, _ in le.weights] == [f for f, _ in other.weights]
        np.testing.assert_allclose([w for _, w in le.weights], [w for _, w in other.weights],
                                   rtol=1e-6, atol=1e-9)


def test_native_sparse_calls_model_with_csr_and_batches(sparse_data):
    X, model = sparse_data
    seen = []

    def predict(Z):
        seen.append(sp.issparse(Z))
        return model.predict_proba(Z)

    explainer = TabularExplainer(X, discretizer=None, random_state=0)
    batch = explainer.explain_batch(X[:3], predict, num_samples=200)
    assert len(batch) == 3 and all(seen)
    with pytest.raises(ValueError, match="discretizer=None"):
        TabularExplainer(X)
    with pytest.raises(ValueError, match="categorical"):
        TabularExplainer(X, discretizer=None, categorical_features=[0])


def test_compat_sparse_is_continuous(sparse_data):
    X, model = sparse_data
    explainer = LimeTabularExplainer(X, random_state=0)  # discretize_continuous=True
    assert explainer.discretizer is None
    exp = explainer.explain_instance(X[4], model.predict_proba, num_samples=N)
    assert len(exp.as_list()) == 10
    np.testing.assert_array_equal(exp.domain_mapper.feature_indexes, X[4].indices)
    dense = LimeTabularExplainer(X.toarray(), discretize_continuous=False, random_state=0)
    other = dense.explain_instance(X[4].toarray().ravel(), model.predict_proba,
                                   num_samples=N)
    assert [f for f, _ in exp.as_map()[1]] == [f for f, _ in other.as_map()[1]]


# ------------------------------------------------------------------ lime modules
def test_lime_base_matches_lime():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(300, 6)).astype(float)
    X[0] = 1
    Y = np.column_stack([X @ [0.5, -0.3, 0.0, 0.2, 0.0, 0.1] + 0.05 * rng.normal(size=300),
                         rng.random(300)])
    d = np.sqrt(((X - X[0]) ** 2).sum(axis=1))

    def kernel(x):
        return np.sqrt(np.exp(-(x ** 2) / 2.0 ** 2))

    for method in ["forward_selection", "highest_weights", "lasso_path", "none"]:
        ours = LimeBase(kernel, random_state=0).explain_instance_with_data(
            X, Y, d, 0, 3, feature_selection=method)
        theirs = lime_base.LimeBase(kernel, random_state=0).explain_instance_with_data(
            X, Y, d, 0, 3, feature_selection=method)
        assert [f for f, _ in ours[1]] == [int(f) for f, _ in theirs[1]], method
        np.testing.assert_allclose([w for _, w in ours[1]], [w for _, w in theirs[1]],
                                   rtol=1e-6)
        assert ours[0] == pytest.approx(theirs[0]) and ours[2] == pytest.approx(theirs[2])
        np.testing.assert_allclose(ours[3], theirs[3])
    reg = LinearRegression()
    LimeBase(kernel).explain_instance_with_data(X, Y, d, 0, 2, model_regressor=reg)
    assert reg.coef_.shape == (2,)
    alphas, coefs = LimeBase.generate_lars_path(X - X.mean(axis=0), Y[:, 0] - Y[:, 0].mean())
    assert coefs.shape == (6, alphas.size)


def test_small_lime_modules():
    from limekit.compat.exceptions import LimeError
    from limekit.compat.utils.generic_utils import has_arg
    from limekit.compat.wrappers.scikit_image import BaseWrapper

    assert issubclass(LimeError, Exception)

    def fn(a, *, b=1, **kwargs):
        return a

    assert has_arg(fn, "a") and has_arg(fn, "b")
    assert not has_arg(fn, "kwargs") and not has_arg(fn, None)
    ident = id_generator(size=12, random_state=np.random.RandomState(0))
    assert len(ident) == 12 and ident == id_generator(12, np.random.RandomState(0))
    assert DomainMapper().visualize_instance_html([], 1, "div", "exp") == ""
    with pytest.raises(AttributeError):  # lime looks up target_fn.__call__
        BaseWrapper([1, 2, 3], fn_name="x")._check_params("fn_name")


def test_submodular_pick_zero_and_image_data_labels(iris):
    from limekit.compat.lime_image import LimeImageExplainer
    from limekit.compat.submodular_pick import SubmodularPick

    data, rf = iris
    explainer = LimeTabularExplainer(data.data, random_state=0)
    sp_obj = SubmodularPick(explainer, data.data[:10], rf.predict_proba, sample_size=4,
                            num_exps_desired=0, num_features=2, num_samples=200)
    assert sp_obj.V == [] and sp_obj.sp_explanations == []
    assert len(sp_obj.explanations) == 4

    image = np.random.default_rng(0).random((8, 8, 3))
    segments = np.repeat(np.arange(4), 16).reshape(8, 8)

    def predict(images):
        m = images.mean(axis=(1, 2, 3))
        return np.column_stack([m, 1 - m])

    img_explainer = LimeImageExplainer(random_state=0)
    masks, labels = img_explainer.data_labels(image, np.zeros_like(image), segments, predict,
                                              9, batch_size=4)
    assert masks.shape == (9, 4) and labels.shape == (9, 2)
    assert (masks[0] == 1).all()
    np.testing.assert_allclose(labels[0], predict(image[None])[0])
    hidden = image.copy()
    hidden[np.isin(segments, np.flatnonzero(masks[5] == 0))] = 0
    np.testing.assert_allclose(labels[5], predict(hidden[None])[0])
