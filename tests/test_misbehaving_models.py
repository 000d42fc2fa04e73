"""Models that misbehave: every explainer must fail loudly and precisely, or cope.

For the tabular (array and DataFrame), text and image explainers, and for their
``explain_batch``, a model that

* raises: the error names the model call and the failing chunk of rows;
* returns NaN, the wrong number of rows, logits, a changing number of columns
  between chunks, complex or ragged output: a ValueError/TypeError says which and
  how to fix it;
* is non-deterministic or slow: the explanation still completes (limekit does
  not detect non-determinism; see ``test_non_deterministic_model_completes``);
* returns torch tensors, lists, pandas objects, int arrays, or a reused buffer:
  the explanation is *identical* to the one from the plain NumPy model;
* returns one probability column, or probabilities that do not sum to 1: a
  clear error, or a warning;
* mutates its input in place: the explanation is not corrupted (identical to
  the one from a model that does not).

Everything is small (a few hundred samples, 8×8 images) so the file runs in
seconds; no sleep is longer than 0.05 s and nothing asserts on timing.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from limekit import ImageExplainer, TabularExplainer, TextExplainer

N = 200          # samples per explanation
CHUNK = 50       # batch_size: four model calls per explanation


def _kw(kw: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of explain(), with CHUNK rows per model call unless overridden."""
    return {"batch_size": CHUNK, **kw}


def _sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


# ------------------------------------------------------------------ the cases
# Each case has an explainer, an instance (or instances, for explain_batch) and a
# well-behaved probability model ``base(inputs) -> (n, 2)``; the misbehaving
# models below wrap ``base``.
class Case:
    def __init__(self, name: str, explain: Callable[..., Any], base: Callable[[Any], np.ndarray],
                 batch: bool = False) -> None:
        self.name, self.explain, self.base, self.batch = name, explain, base, batch

    def __repr__(self) -> str:
        return self.name


def _tabular_array() -> Case:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    explainer = TabularExplainer(X, random_state=0)

    def base(A):
        p = _sigmoid(2.0 * np.asarray(A, dtype=float)[:, 0])
        return np.column_stack([1 - p, p])

    return Case("tabular-array",
                lambda model, **kw: explainer.explain(X[0], model, num_samples=N,
                                                      **_kw(kw)), base)


def _tabular_frame() -> Case:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"income": rng.normal(50, 10, 80),
                       "color": rng.choice(["red", "green", "blue"], 80)})
    explainer = TabularExplainer(df, random_state=0)

    def base(F):
        assert isinstance(F, pd.DataFrame)
        s = (F["income"].to_numpy(dtype=float) - 50) / 10 + (F["color"] == "red").to_numpy()
        p = _sigmoid(s)
        return np.column_stack([1 - p, p])

    return Case("tabular-frame",
                lambda model, **kw: explainer.explain(df.iloc[0], model, num_samples=N,
                                                      **_kw(kw)), base)


def _text() -> Case:
    explainer = TextExplainer(random_state=0)

    def base(texts):
        good = np.array([t.split().count("good") + 0.5 * t.split().count("fun")
                         for t in texts], dtype=float)
        p = _sigmoid(2.0 * good - 1.0)
        return np.column_stack([1 - p, p])

    return Case("text",
                lambda model, **kw: explainer.explain("a good and fun film , good", model,
                                                      num_samples=N, **_kw(kw)),
                base)


def _image() -> Case:
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    explainer = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 2}, hide_color=0,
                               random_state=0)

    def base(batch):
        b = np.asarray(batch, dtype=float)
        p = b[:, :4, :4].mean(axis=(1, 2, 3)) / 255.0
        return np.column_stack([1 - p, p])

    return Case("image",
                lambda model, **kw: explainer.explain(image, model, num_samples=N,
                                                      top_labels=None, **_kw(kw)),
                base)


def _tabular_batch() -> Case:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    explainer = TabularExplainer(X, random_state=0)
    base = _tabular_array().base
    # batch_size=CHUNK < num_samples: one row per group, four model calls per row
    return Case("tabular-batch",
                lambda model, **kw: explainer.explain_batch(X[:3], model, num_samples=N,
                                                            progress=False,
                                                            **_kw(kw)), base, batch=True)


def _text_batch() -> Case:
    explainer = TextExplainer(random_state=0)
    texts = ["good fun", "a dull film , not good", "fun and warm"]
    return Case("text-batch",
                lambda model, **kw: explainer.explain_batch(texts, model, num_samples=N,
                                                            progress=False,
                                                            **_kw(kw)), _text().base, batch=True)


def _image_batch() -> Case:
    rng = np.random.default_rng(4)
    images = [rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8) for _ in range(2)]
    explainer = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 2}, hide_color=0,
                               random_state=0)
    return Case("image-batch",
                lambda model, **kw: explainer.explain_batch(images, model, num_samples=N,
                                                            top_labels=None,
                                                            progress=False, **_kw(kw)),
                _image().base, batch=True)


CASES = [_tabular_array(), _tabular_frame(), _text(), _image(), _tabular_batch(), _text_batch(),
         _image_batch()]
SINGLE = [c for c in CASES if not c.batch]


@pytest.fixture(params=CASES, ids=repr)
def case(request) -> Case:
    return request.param


@pytest.fixture(params=SINGLE, ids=repr)
def single(request) -> Case:
    return request.param


def _explanations(result) -> list:
    return list(result) if isinstance(result, list) else [result]


class Counting:
    """Wrap ``fn`` and count calls; ``on_call(k, inputs, out)`` may alter the k-th answer."""

    def __init__(self, fn: Callable[[Any], np.ndarray],
                 on_call: Callable[[int, Any, np.ndarray], Any] | None = None) -> None:
        self.fn, self.on_call, self.calls = fn, on_call, 0

    def __call__(self, inputs):
        self.calls += 1
        out = self.fn(inputs)
        return out if self.on_call is None else self.on_call(self.calls, inputs, out)


# ======================================================= models that fail loudly
def test_model_that_raises_names_the_call_and_chunk(case):
    def on_call(k, inputs, out):
        if k == 3:
            raise ValueError("backend unavailable")
        return out

    with pytest.raises(RuntimeError, match=r"the model raised ValueError: backend unavailable "
                                           r"when called on rows 100\.\.149 of 200") as info:
        case.explain(Counting(case.base, on_call))
    assert isinstance(info.value.__cause__, ValueError)  # the original error is chained


def test_model_that_raises_in_one_call_names_all_rows(single):
    def fails(inputs):
        raise TimeoutError("inference endpoint timed out")

    with pytest.raises(RuntimeError, match=r"raised TimeoutError: inference endpoint timed out "
                                           r"when called on all 200 rows in one call"):
        single.explain(fails, batch_size=None)


def test_model_returning_nan(case):
    def on_call(k, inputs, out):
        out = np.array(out, dtype=float)
        if k == 2:
            out[7] = np.nan
        return out

    with pytest.raises(ValueError, match=r"NaN or infinite predictions \(1 of 200 rows, first "
                                         r"at sample row 57\).*finite values"):
        case.explain(Counting(case.base, on_call))


def test_model_returning_wrong_number_of_rows(case):
    def on_call(k, inputs, out):
        return out[:-1] if k == 2 else out

    with pytest.raises(ValueError, match=r"returned shape \(49, 2\) for 50 input rows \(when "
                                         r"called on rows 50\.\.99 of 200\); it must return one "
                                         r"prediction per row"):
        case.explain(Counting(case.base, on_call))


def test_model_returning_logits(case):
    def logits(inputs):
        p = case.base(inputs)[:, 1]
        return np.column_stack([-4.0 * p, 4.0 * p])  # unnormalised scores

    with pytest.raises(ValueError, match=r"outside \[0, 1\].*not probabilities.*softmax.*"
                                         r"mode='regression'"):
        case.explain(logits)


def test_model_changing_number_of_columns_between_chunks(case):
    def on_call(k, inputs, out):
        if k == 3:  # e.g. a classifier that reports only the classes it saw
            return np.column_stack([out, np.zeros(len(out))])
        return out

    with pytest.raises(ValueError, match=r"returned shape \(50, 3\) for rows 100\.\.149 of 200 "
                                         r"but \(50, 2\) for rows 0\.\.49.*same number of "
                                         r"outputs"):
        case.explain(Counting(case.base, on_call))


def test_model_changing_dimensions_between_chunks(single):
    def on_call(k, inputs, out):
        return out[:, 1] if k == 2 else out  # a 1-D answer from the second call on

    with pytest.raises(ValueError, match=r"returned shape \(50,\) for rows 50\.\.99 of 200 but "
                                         r"\(50, 2\)"):
        single.explain(Counting(single.base, on_call))


@pytest.mark.parametrize("output, match", [
    (lambda p: p.astype(complex), r"not numeric.*complex"),
    (lambda p: [list(r) if i % 2 else list(r[:1]) for i, r in enumerate(p)],
     r"not numeric, or not one rectangular row per input.*inhomogeneous"),
    (lambda p: np.array([["a", "b"]] * len(p)), r"not numeric"),
    (lambda p: None, r"returned None.*return statement"),
    (lambda p: [[10**400, 0]] * len(p), r"not numeric.*too large"),
])
def test_model_returning_non_numeric_output(single, output, match):
    with pytest.raises(TypeError, match=match) as info:
        single.explain(lambda inputs: output(single.base(inputs)))
    assert "when called on rows 0..49 of 200" in str(info.value)


def test_one_column_probabilities(single):
    with pytest.raises(ValueError, match=r"n_classes >= 2.*np\.column_stack\(\[1 - p, p\]\).*"
                                         r"mode='regression'"):
        single.explain(lambda inputs: single.base(inputs)[:, 1:])


def test_three_dimensional_output(single):
    with pytest.raises(ValueError, match=r"shape \(200, 2, 1\)"):
        single.explain(lambda inputs: single.base(inputs)[:, :, None])


# ================================================== models the explainers cope with
def _reference(case: Case) -> list:
    return _explanations(case.explain(case.base))


def _same(case: Case, model) -> None:
    """The explanation with ``model`` equals the one with the plain NumPy model."""
    got = _explanations(case.explain(model))
    want = _reference(case)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g == w


def test_torch_tensor_output(case):
    torch = pytest.importorskip("torch")

    def model(inputs):  # float64 so the numbers are bit-identical to NumPy's
        return torch.tensor(case.base(inputs), dtype=torch.float64, requires_grad=True)

    _same(case, model)


@pytest.mark.parametrize("convert", [
    lambda p: p.tolist(),
    lambda p: [tuple(r) for r in p],
    lambda p: pd.DataFrame(p, columns=["no", "yes"]),
    lambda p: np.asfortranarray(p),
], ids=["list", "tuples", "DataFrame", "fortran-order"])
def test_list_and_pandas_outputs(case, convert):
    _same(case, lambda inputs: convert(case.base(inputs)))


def test_int_one_hot_output(case):
    """A hard classifier answering 0/1 ints explains like the same answers as floats."""
    def hard(inputs):
        p = case.base(inputs)
        return np.eye(2, dtype=np.int64)[np.argmax(p, axis=1)]

    got = _explanations(case.explain(hard))
    want = _explanations(case.explain(lambda inputs: hard(inputs).astype(float)))
    assert got == want


def test_regression_pandas_series_output():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    explainer = TabularExplainer(df, mode="regression", random_state=0)

    def series(F):
        return pd.Series(2.0 * F["a"] - F["b"], index=F.index)  # a Series, index and all

    got = explainer.explain(df.iloc[0], series, num_samples=N, batch_size=CHUNK)
    want = explainer.explain(df.iloc[0], lambda F: (2.0 * F["a"] - F["b"]).to_numpy(),
                             num_samples=N, batch_size=CHUNK)
    assert got == want


def test_probabilities_not_summing_to_one_warn(single):
    with pytest.warns(UserWarning, match=r"do not sum to 1 \(row sums range .*multi-label"):
        exp = single.explain(lambda inputs: 0.8 * single.base(inputs))
    assert np.all(np.isfinite([le.intercept for le in exp.label_explanations.values()]))


def test_model_reusing_its_output_buffer(case):
    """Some runtimes (ONNX, TensorRT wrappers) return the same buffer on every call."""
    buffer = np.empty((CHUNK, 2))

    def reuse(inputs):
        out = case.base(inputs)
        view = buffer[: len(out)]
        view[...] = out
        return view

    _same(case, reuse)


def test_model_returning_a_view_of_its_input():
    """A regression model answering with a column of its own input (``A[:, 0]``)."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 2))
    explainer = TabularExplainer(X, mode="regression", random_state=0)
    got = explainer.explain(X[0], lambda A: A[:, 0], num_samples=N, batch_size=CHUNK)
    want = explainer.explain(X[0], lambda A: A[:, 0].copy(), num_samples=N, batch_size=CHUNK)
    assert got == want


# ------------------------------------------------------------------ mutation
def _mutate(inputs) -> None:
    """Scribble over (or shrink) whatever the model was given, after answering."""
    if isinstance(inputs, pd.DataFrame):
        inputs.iloc[:, 0] = inputs.iloc[0, 0]
        del inputs[inputs.columns[-1]]
    elif isinstance(inputs, np.ndarray):
        inputs[...] = 0
    elif isinstance(inputs, list):
        inputs[:] = ["mutated"] * (len(inputs) // 2)


def test_model_mutating_its_input(case):
    def mutating(inputs):
        out = np.array(case.base(inputs))
        _mutate(inputs)
        return out

    _same(case, mutating)


def test_model_mutating_its_input_with_deduplication():
    rng = np.random.default_rng(7)
    X = rng.integers(0, 3, size=(60, 3)).astype(float)
    explainer = TabularExplainer(X, categorical_features=[0, 1, 2], random_state=0)
    base = _tabular_array().base

    def mutating(A):
        out = base(A)
        A[...] = -1.0
        return out

    got = explainer.explain(X[0], mutating, num_samples=N, batch_size=CHUNK, deduplicate=True)
    want = explainer.explain(X[0], base, num_samples=N, batch_size=CHUNK, deduplicate=True)
    assert got == want == explainer.explain(X[0], base, num_samples=N, batch_size=CHUNK)


@pytest.mark.parametrize("options", [{"deduplicate": True}, {"fidelity_samples": 60}],
                         ids=["deduplicate", "fidelity_samples"])
def test_model_mutating_its_input_extra_paths(options):
    """The de-duplicated and held-out-fidelity paths reuse no model input either."""
    rng = np.random.default_rng(10)
    X = rng.normal(size=(60, 3))
    explainer = TabularExplainer(X, random_state=0)
    base = _tabular_array().base

    def mutating(A):
        out = base(A)
        A[...] = np.nan
        return out

    got = explainer.explain(X[0], mutating, num_samples=N, batch_size=CHUNK, **options)
    assert got == explainer.explain(X[0], base, num_samples=N, batch_size=CHUNK, **options)


def test_text_model_emptying_its_list():
    """Rows are counted before the call: a model that consumes (clears) the list it was
    given is not reported as answering for the wrong number of rows."""
    case = _text()

    def consuming(texts):
        out = case.base(texts)
        texts.clear()
        return out

    _same(case, consuming)


# --------------------------------------------------- non-determinism and slowness
def test_non_deterministic_model_completes(case):
    """A model with unseeded noise still yields finite, valid explanations.

    limekit does not detect non-determinism (it would need to ask the model twice
    about the same rows); two runs then differ by the noise.
    """
    rng = np.random.default_rng()  # deliberately unseeded

    def noisy(inputs):
        p = np.clip(case.base(inputs)[:, 1] + rng.normal(0, 0.05, _len(inputs)), 0, 1)
        return np.column_stack([1 - p, p])

    for exp in _explanations(case.explain(noisy)):
        for le in exp.label_explanations.values():
            assert np.isfinite(le.intercept) and np.isfinite(le.local_pred)
            assert all(np.isfinite(w) for _, w in le.weights)


def _len(inputs) -> int:
    return inputs.shape[0] if hasattr(inputs, "shape") else len(inputs)


def _finishes(fn: Callable[[], Any], limit: float = 120.0) -> Any:
    """Run ``fn`` in a thread; fail (instead of hanging the suite) if it never returns."""
    box: dict[str, Any] = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), "explain() did not return: it hangs on a slow model"
    if "error" in box:
        raise box["error"]
    return box["result"]


@pytest.mark.parametrize("case", SINGLE, ids=repr)
def test_slow_model_completes(case):
    """A slow model (50 ms per call, four calls) only makes the explanation slower.

    There is no timeout option: a model that must give up should raise (e.g.
    TimeoutError), which is reported like any model error.
    """
    import time

    def slow(inputs):
        time.sleep(0.05)
        return case.base(inputs)

    got = _explanations(_finishes(lambda: case.explain(slow)))
    assert got == _reference(case)


def test_slow_model_that_times_out_is_reported():
    case = _text()
    calls = {"n": 0}

    def flaky(inputs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("no answer within 30 s")
        return case.base(inputs)

    with pytest.raises(RuntimeError, match=r"TimeoutError: no answer within 30 s when called "
                                           r"on rows 50\.\.99 of 200"):
        _finishes(lambda: case.explain(flaky))


def test_keyboard_interrupt_is_not_wrapped():
    """Only Exceptions are wrapped with context; Ctrl-C stays a KeyboardInterrupt."""
    case = _tabular_array()

    def interrupted(inputs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        case.explain(interrupted)


def test_warnings_from_good_models_are_silent(case):
    """A well-behaved model triggers no warning at all (any would be noise to users)."""
    from limekit import ExplanationQualityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # advice about the neighbourhood, not about the model
        warnings.simplefilter("ignore", ExplanationQualityWarning)
        _ = _reference(case)


# ------------------------------------------------------------------ time series
def test_sequence_model_errors_name_the_chunk():
    """TimeSeriesExplainer reshapes each chunk to 3-D before the call; errors still say which."""
    from limekit import TimeSeriesExplainer

    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 3, 2))
    explainer = TimeSeriesExplainer(X, random_state=0)
    calls = {"n": 0}

    def model(batch):
        calls["n"] += 1
        assert batch.shape[1:] == (3, 2)
        if calls["n"] == 2:
            raise IndexError("step 3 out of range")
        p = _sigmoid(batch[:, -1, 0])
        return np.column_stack([1 - p, p])

    with pytest.raises(RuntimeError, match=r"IndexError: step 3 out of range when called on "
                                           r"rows 50\.\.99 of 200 \(ndarray of shape "
                                           r"\(50, 3, 2\)\)"):
        explainer.explain(X[0], model, num_samples=N, batch_size=CHUNK)


def test_segment_series_model_returning_nan():
    from limekit import SegmentTimeSeriesExplainer

    x = np.sin(np.linspace(0, 6, 40))

    def model(batch):
        out = batch[:, :10].mean(axis=1)
        out[out == out.min()] = np.nan  # NaN wherever the first window is hidden the most
        return out

    with pytest.raises(ValueError, match=r"NaN or infinite predictions"):
        SegmentTimeSeriesExplainer(n_segments=4, mode="regression", random_state=0).explain(
            x, model, num_samples=N, batch_size=CHUNK)


# ------------------------------------------------------------------ known gaps (xfail)
def test_explain_batch_names_the_bad_instance():
    case = _text()
    with pytest.raises(ValueError) as info:
        TextExplainer(random_state=0).explain_batch(["good film", "   ", "fun"], case.base,
                                                    num_samples=N, progress=False)
    assert "instance 1" in str(info.value)


def test_tabular_explain_batch_error_names_the_rows():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(30, 2))

    def fails(A):
        raise ValueError("boom")

    with pytest.raises(RuntimeError) as info:
        TabularExplainer(X, random_state=0).explain_batch(X[:5], fails, num_samples=50,
                                                          progress=False)
    assert "0..4" in str(info.value) or "[0, 1, 2, 3, 4]" in str(info.value)
