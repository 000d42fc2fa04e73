"""Memory budgets: chunks sized in bytes, and image explanations that stay within them.

Peak memory is measured with :mod:`tracemalloc`, which sees every NumPy data
buffer (NumPy reports its allocations to it), so the figures are the arrays
limekit and the model allocate, not the interpreter's own footprint.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from limekit._memory import DEFAULT_MEMORY_BUDGET, MiB, check_memory_budget, rows_per_chunk
from limekit.explainers.image import ImageExplainer
from limekit.representations.image import ImageRepresentation, grid_segments

# Small neighbourhoods on purpose: these tests are about memory, not fit quality.
pytestmark = pytest.mark.filterwarnings("ignore:.*too few for a stable fit")


# ------------------------------------------------------------- rows_per_chunk
@pytest.mark.parametrize(("bytes_per_row", "budget", "max_rows", "expected"), [
    (100, 1000, None, 10),
    (100, 1099, None, 10),       # floor division: never over the budget
    (100, 1100, None, 11),
    (100, 99, None, 1),          # one row even when it alone is over the budget
    (100, 1000, 4, 4),           # the row cap wins when smaller
    (100, 1000, 40, 10),         # the byte budget wins when smaller
    (100, None, 7, 7),           # no byte limit: the row cap alone
    (100, None, None, None),     # no limit at all
    (12 * MiB, 256 * MiB, None, 21),
])
def test_rows_per_chunk(bytes_per_row, budget, max_rows, expected):
    assert rows_per_chunk(bytes_per_row, budget, max_rows=max_rows) == expected


def test_rows_per_chunk_default_budget():
    assert DEFAULT_MEMORY_BUDGET == 256 * MiB
    assert rows_per_chunk(MiB) == 256


@pytest.mark.parametrize("bad", [0, -1, 1.5, None, True])
def test_rows_per_chunk_rejects_bad_row_size(bad):
    with pytest.raises(ValueError, match="bytes_per_row"):
        rows_per_chunk(bad, 1000)


@pytest.mark.parametrize(("bad", "error"), [
    (0, ValueError), (-5, ValueError), (256e6, TypeError), (True, TypeError), ("1G", TypeError),
])
def test_check_memory_budget_rejects(bad, error):
    with pytest.raises(error, match="memory_budget"):
        check_memory_budget(bad)


def test_check_memory_budget_accepts_numpy_ints():
    assert check_memory_budget(np.int64(1024)) == 1024
    assert check_memory_budget(None) is None


# ------------------------------------------------ bytes per decoded image
def _rep(shape, dtype, hide_color=0):
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind == "f":
        img = rng.random(shape).astype(dtype)
    else:
        img = rng.integers(0, 200, size=shape).astype(dtype)
    seg = grid_segments(shape, 4)
    return ImageRepresentation(img, seg, 16, hide_color=hide_color)


@pytest.mark.parametrize(("shape", "dtype", "expected"), [
    ((64, 48, 3), np.uint8, 64 * 48 * (1 + 3)),          # pixel mask + image, in place
    ((64, 48), np.uint8, 64 * 48),                       # the mask is the image
    ((64, 48, 3), np.uint16, 64 * 48 * 2 * (1 + 3)),     # cast mask + repeated mask
    ((64, 48), np.int32, 64 * 48 * (1 + 4)),             # mask + cast mask
    ((64, 48, 3), np.float32, 64 * 48 * 3 * (1 + 4)),    # bool mask per value + image
    ((64, 48, 4), np.float64, 64 * 48 * 4 * (1 + 8)),
])
def test_bytes_per_image_hand_computed(shape, dtype, expected):
    assert _rep(shape, dtype).bytes_per_image == expected


@pytest.mark.parametrize(("shape", "dtype"), [
    ((128, 96, 3), np.uint8), ((128, 96), np.uint8), ((128, 96, 3), np.uint16),
    ((128, 96), np.int32), ((128, 96, 3), np.float32),
])
def test_bytes_per_image_bounds_measured_decoding(shape, dtype):
    """Building a chunk of b images peaks at no more than b * bytes_per_image (measured)."""
    rep = _rep(shape, dtype)
    rep._flat_tables()  # built once per explanation, outside the per-chunk cost
    Z = np.random.default_rng(1).integers(0, 2, size=(24, 16))
    b = 8
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        sizes = []
        for chunk in rep.decode_chunks(Z, batch_size=b):
            sizes.append(len(chunk))
            assert chunk.dtype == rep.image.dtype
            del chunk
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert sizes == [8, 8, 8]
    img_bytes = rep.image.nbytes
    assert b * img_bytes <= peak  # the chunk itself is seen: the probe works
    assert peak <= b * rep.bytes_per_image + 64 * 1024  # + a few small index arrays


# --------------------------------------------------- chunking by bytes in explain
def _row_model(calls):
    """Per-image output (so chunking cannot change it): brightness of the left half."""
    def model(images):
        calls.append(len(images))
        p = images[:, :, : images.shape[2] // 2].reshape(len(images), -1).mean(axis=1) / 255.0
        return np.column_stack([1 - p, p])
    return model


@pytest.fixture(scope="module")
def small_image():
    return np.random.default_rng(3).integers(0, 256, size=(40, 40, 3), dtype=np.uint8)


@pytest.mark.parametrize(("budget", "batch_size", "expected"), [
    (3, 10, [3] * 16 + [2]),      # budget of 3.5 images: 3 per call
    (3, 2, [2] * 25),             # batch_size caps further
    (0, 10, [1] * 50),            # less than one image: one per call
    (None, None, [50]),           # no limits: one call
    (None, 20, [20, 20, 10]),     # rows only, as before budgets existed
])
def test_explain_chunks_by_bytes(small_image, budget, batch_size, expected):
    ex = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4}, hide_color=0,
                        random_state=0)
    per_image = 40 * 40 * (1 + 3)  # uint8 RGB: bytes_per_image
    memory_budget = None if budget is None else int(budget * per_image + per_image // 2)
    calls: list[int] = []
    ex.explain(small_image, _row_model(calls), labels=[1], num_samples=50,
               batch_size=batch_size, memory_budget=memory_budget)
    assert calls == expected


def test_explanation_does_not_depend_on_budget(small_image):
    ex = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 4}, random_state=0)
    runs = [ex.explain(small_image, _row_model([]), top_labels=1, num_samples=60,
                       batch_size=None, memory_budget=budget)
            for budget in (None, 1, 7 * 40 * 40 * 4)]
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (1.5e8, TypeError)])
def test_explain_rejects_bad_budget(small_image, bad, error):
    ex = ImageExplainer(segmenter="grid", random_state=0)
    with pytest.raises(error, match="memory_budget"):
        ex.explain(small_image, _row_model([]), num_samples=10, memory_budget=bad)


# ---------------------------------------------------- a 2048 x 2048 image
def test_large_image_stays_within_budget():
    """A 12 MiB image, 200 samples: at most budget + fixed tables, never 200 images.

    Decoding all 200 perturbed images at once would take 2.4 GiB. With a
    64 MiB budget each model call gets 4 images (4 x 16 MiB: 12 MiB of pixels
    plus a 4 MiB pixel mask while building), and the bound is

        budget + 8 B/pixel (the int64 segmentation) + 2 x image bytes (the fill
        that hides segments and the image - fill difference decoding adds)
        + 8 MiB (masks Z, kernel, surrogate, Python objects)
      = 64 + 32 + 24 + 8 = 128 MiB,

    measured at ~121 MiB. Segmentation (grid), segment means and the
    explanation's read-only copy of the image come before or after the
    chunks and stay below that.
    """
    h = w = 2048
    image = np.full((h, w, 3), 60, dtype=np.uint8)
    image[: h // 4, : w // 4, 0] = 250  # a bright red top-left corner
    image[h // 2:, :, 2] = 180
    calls: list[int] = []

    def model(images):  # mean colour (every 61st pixel) -> 2-class softmax on redness
        calls.append(len(images))
        m = images.reshape(len(images), -1, 3)[:, ::61].mean(axis=1) / 255.0
        z = 20.0 * (m[:, 0] - m[:, 2])
        return np.column_stack([1.0 / (1.0 + np.exp(z)), 1.0 / (1.0 + np.exp(-z))])

    budget = 64 * MiB
    ex = ImageExplainer(segmenter="grid", segmenter_kwargs={"rows": 16}, hide_color=0,
                        random_state=0)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        exp = ex.explain(image, model, labels=[1], num_samples=200, memory_budget=budget)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()

    bound = budget + 8 * h * w + 2 * image.nbytes + 8 * MiB
    assert peak <= bound, f"peak {peak / MiB:.1f} MiB over the bound {bound / MiB:.1f} MiB"
    assert peak >= 4 * image.nbytes  # the probe sees the chunks of images
    per_image = h * w * (1 + 3)
    assert max(calls) == budget // per_image == 4
    assert sum(calls) == 200
    # the planted signal: the 4 x 4 grid cells of the red corner push towards class 1
    corner = {r * 16 + c for r in range(4) for c in range(4)}
    top = [seg for seg, weight in exp.local_exp[1][:8] if weight > 0]
    assert top and set(top) <= corner


# ------------------------------------------------------------------ tabular batches
_BIG_BATCH = r"""
import json, sys, warnings
import numpy as np
from limekit import TabularExplainer
warnings.simplefilter("ignore")
rows = int(sys.argv[1])
X = np.random.default_rng(0).normal(size=(rows, 3))
def model(A):
    p = 1 / (1 + np.exp(-A[:, 0]))
    return np.column_stack([1 - p, p])
def status_mib(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) / 1024 for l in f if l.startswith(key))
ex = TabularExplainer(X[:2000], random_state=0, feature_selection="none")
marks, count = [], 0
for i, (rid, exp) in enumerate(ex.iter_explain(X, model, num_samples=10, num_features=2,
                                               memory_budget=8 * 2**20)):
    count += 1
    if i == 0:
        # the first group compiled the kernels (LLVM's own peak): measure from here
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets the peak resident set size (VmHWM)
        except OSError:
            pass
    if i % (rows // 5) == 0:
        marks.append(status_mib("VmRSS"))
marks.append(status_mib("VmRSS"))
print(json.dumps({"count": count, "marks": marks, "peak": status_mib("VmHWM")}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_200k_row_batch_streams_in_flat_memory():
    out = subprocess.run([sys.executable, "-c", _BIG_BATCH, "200000"], capture_output=True,
                         text=True, timeout=900, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["count"] == 200_000
    marks = result["marks"]
    # once the first groups ran, memory does not grow with the rows explained
    # (marks: resident MiB after 0, 20, 40, 60, 80 and 100% of the rows)
    assert max(marks[1:]) - min(marks[1:]) < 40, result
    assert result["peak"] - min(marks[1:]) < 80, result


def test_explain_batch_groups_rows_by_the_memory_budget():
    from limekit import TabularExplainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    calls = []

    def model(A):
        calls.append(len(A))
        p = 1 / (1 + np.exp(-A[:, 0]))
        return np.column_stack([1 - p, p])

    ex = TabularExplainer(X, random_state=0)
    # 48 bytes × 500 samples × 5 features = 120 kB per row: a 600 kB budget holds 5 rows
    batch = ex.explain_batch(X[:20], model, num_samples=500, memory_budget=600_000,
                             progress=False)
    assert max(calls) == 5 * 500 and len(batch) == 20
    calls.clear()
    assert list(ex.iter_explain(X[:20], model, num_samples=500, memory_budget=600_000)) == \
        list(zip(range(20), batch, strict=True))
    assert max(calls) == 5 * 500
