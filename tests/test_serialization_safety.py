"""Serialized explanations are validated before anything is built from them.

``from_dict`` / ``from_json`` may read untrusted data. Every invalid document must be
refused with a ``ValueError`` that names the field, and must never allocate more than
its declared size; every document that *is* accepted must render. The property test
mutates valid documents of every kind at random places.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import tracemalloc
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from limekit import (
    Explanation,
    ImageExplainer,
    SegmentTimeSeriesExplainer,
    TabularExplainer,
    TextExplainer,
    submodular_pick,
)


def _documents() -> dict[str, dict]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))

    def table_model(A):
        p = 1 / (1 + np.exp(-np.asarray(A)[:, 0]))
        return np.column_stack([1 - p, p])

    tab = TabularExplainer(X, random_state=0, fidelity_samples=50).explain(
        X[0], table_model, num_features=3, num_samples=200)
    reg = TabularExplainer(X, mode="regression", random_state=0).explain(
        X[1], lambda A: np.asarray(A)[:, 1] * 2, num_features=2, num_samples=200)

    def text_model(docs):
        p = np.array([0.2 + 0.6 * ("good" in d) for d in docs])
        return np.column_stack([1 - p, p])

    txt = TextExplainer(random_state=0).explain("a good fun story", text_model,
                                                num_features=2, num_samples=200)
    image = rng.integers(0, 255, size=(12, 12, 3), dtype=np.uint8)
    img = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 2}, hide_color=0,
                         random_state=0).explain(
        image, lambda b: np.column_stack([np.asarray(b).mean(axis=(1, 2, 3)) / 255,
                                          1 - np.asarray(b).mean(axis=(1, 2, 3)) / 255]),
        num_samples=100)
    ts = SegmentTimeSeriesExplainer(n_segments=3, random_state=0, mode="regression").explain(
        np.arange(30.0), lambda b: np.asarray(b)[:, 10:20].sum(axis=1), num_samples=100)
    return {name: e.to_dict() for name, e in
            {"tabular": tab, "regression": reg, "text": txt, "image": img,
             "series": ts}.items()}


with warnings.catch_warnings():  # the documents' own quality warnings are not the point
    warnings.simplefilter("ignore")
    DOCS = _documents()


def _refused(doc, match=None):
    with pytest.raises(ValueError, match=match):
        Explanation.from_dict(doc)


# -------------------------------------------------------------------- round trip
@pytest.mark.parametrize("name", sorted(DOCS))
def test_valid_documents_round_trip(name):
    exp = Explanation.from_dict(copy.deepcopy(DOCS[name]))
    assert Explanation.from_json(exp.to_json()) == exp


# ------------------------------------------------------------- specific attacks
def test_a_compressed_run_of_zeros_is_refused_without_expanding_it():
    doc = copy.deepcopy(DOCS["image"])
    bomb = zlib.compress(b"\0" * (64 * 2**20), 9)  # 64 MB of zeros in ~64 kB
    doc["domain"]["image"]["data"] = base64.b64encode(bomb).decode("ascii")
    tracemalloc.start()
    try:
        _refused(doc, "does not hold exactly")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20  # nothing near the 64 MB the payload would expand to


def test_a_huge_declared_shape_is_refused_before_decoding():
    doc = copy.deepcopy(DOCS["image"])
    doc["domain"]["image"]["shape"] = [100_000, 100_000, 3]
    _refused(doc, "declares .* bytes")


def test_object_dtypes_are_refused():
    doc = copy.deepcopy(DOCS["image"])
    doc["domain"]["image"]["dtype"] = "|O"
    _refused(doc, "plain numeric dtype")


def test_deep_nesting_is_a_value_error():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValueError, match="nest"):
        Explanation.from_json(deep)
    doc = copy.deepcopy(DOCS["tabular"])
    nested: list = []
    for _ in range(200):
        nested = [nested]
    doc["settings"]["x"] = nested
    _refused(doc, "nests")


@pytest.mark.parametrize("value", [[], "text", 3, None])
def test_a_document_must_be_an_object(value):
    _refused(value, "must be a JSON object")


@pytest.mark.parametrize("key", ["label_explanations", "mode", "feature_names",
                                 "feature_descriptions"])
def test_missing_keys_are_named(key):
    doc = copy.deepcopy(DOCS["tabular"])
    del doc[key]
    _refused(doc, f"{key} is missing")


def test_missing_image_segments_are_named():
    doc = copy.deepcopy(DOCS["image"])
    del doc["domain"]["segments"]
    _refused(doc, "segments is missing")


@pytest.mark.parametrize("index", [99, -1, 10**30, 1.5, "0", True])
def test_feature_indices_out_of_range_are_refused(index):
    doc = copy.deepcopy(DOCS["tabular"])
    doc["label_explanations"][0]["weights"][0][0] = index
    _refused(doc, r"weights\[0\]\[0\]")


@pytest.mark.parametrize("field", ["intercept", "score", "local_pred"])
@pytest.mark.parametrize("value", [math.nan, math.inf, "1"])
def test_non_finite_numbers_are_refused(field, value):
    doc = copy.deepcopy(DOCS["tabular"])
    doc["label_explanations"][0][field] = value
    _refused(doc, field)


def test_json_infinity_and_overflowing_counts_are_refused():
    text = json.dumps(DOCS["tabular"]).replace('"num_samples": 200', '"num_samples": 1e999')
    with pytest.raises(ValueError, match="num_samples"):
        Explanation.from_json(text)
    doc = copy.deepcopy(DOCS["tabular"])
    doc["predict_proba"][0] = 1.5
    _refused(doc, "probabilities")


def test_empty_or_duplicated_labels_are_refused():
    doc = copy.deepcopy(DOCS["tabular"])
    doc["label_explanations"] = []
    _refused(doc, "empty")
    doc = copy.deepcopy(DOCS["tabular"])
    doc["label_explanations"].append(copy.deepcopy(doc["label_explanations"][0]))
    _refused(doc, "twice")
    doc = copy.deepcopy(DOCS["tabular"])
    doc["label_explanations"][0]["label"] = 7  # only classes 0 and 1 exist
    _refused(doc, "label")


def test_unknown_mode_and_mismatched_lengths_are_refused():
    doc = copy.deepcopy(DOCS["tabular"])
    doc["mode"] = "<script>"
    _refused(doc, "mode must be one of")
    doc = copy.deepcopy(DOCS["tabular"])
    doc["feature_values"] = doc["feature_values"][:-1]
    _refused(doc, "feature_values has")
    doc = copy.deepcopy(DOCS["series"])
    doc["domain"]["boundaries"] = [0, 40, 20, 30]
    _refused(doc, "boundaries")
    doc = copy.deepcopy(DOCS["text"])
    doc["domain"]["token_spans"][0] = [0, 10_000]
    _refused(doc, "token_spans")


def test_malformed_diagnostics_are_refused():
    doc = copy.deepcopy(DOCS["tabular"])
    doc["diagnostics"]["effective_sample_size"] = "lots"
    _refused(doc, "effective_sample_size")
    doc = copy.deepcopy(DOCS["tabular"])
    doc["diagnostics"]["fidelity"] = {"1": {"r2": None, "rmse": "x"}}
    _refused(doc, "fidelity")
    doc = copy.deepcopy(DOCS["tabular"])
    doc["diagnostics"]["warnings"] = [1, 2]
    _refused(doc, "warnings")


# ----------------------------------------------------------------- the property
_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                  st.just([]), st.just({}), st.just([[1, 2]]), st.just(["a"]))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list) and len(value) <= 8:  # long data lists: a sample suffices
        for i, child in enumerate(value):
            yield from _paths(child, (*prefix, i))


def _set(doc, path, value):
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(DOCS)), data=st.data())
def test_any_mutation_is_refused_clearly_or_renders(name, data):
    doc = copy.deepcopy(DOCS[name])
    paths = list(_paths(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            doc = _set(doc, path, data.draw(_JUNK))
        except (KeyError, IndexError, TypeError):
            pass  # the path vanished under an earlier mutation
    try:
        exp = Explanation.from_dict(doc)
    except ValueError:
        return  # refused, with a message (a subclass of ValueError)
    # accepted: then it is a real explanation that every consumer can use
    exp.to_text()
    exp.to_html()
    exp.as_list(exp.labels[0])
    exp.to_frame()
    Explanation.from_json(exp.to_json())
    submodular_pick([exp, exp], budget=1)
