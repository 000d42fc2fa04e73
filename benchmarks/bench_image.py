"""Benchmark: image explanations, limekit vs lime 0.2.0.1.

A 224×224 RGB photograph (``skimage.data.astronaut`` resized), lime's default
quickshift segmentation (``kernel_size=4, max_dist=200, ratio=0.2``), a trivial
model (a logistic regression on each image's mean colour, subsampled, 3 classes,
so the model's own cost is small and the explainers' overhead shows), N = 1000
samples, ``batch_size=10``, ``top_labels=5`` (lime's defaults). In the same
run, interleaved, it times:

* lime:    ``lime.lime_image.LimeImageExplainer().explain_instance``
* limekit: ``limekit.explainers.image.ImageExplainer().explain``
* both again with the segmentation precomputed (``segmentation_fn`` returning
  it for lime, ``segments=`` for limekit): the time *excluding segmentation*
* quickshift alone (the segmentation both libraries run), and the model
  alone on 1000 images.

Each figure is the median over repeats; ratios are lime / limekit. tqdm's bar
(lime always shows one) is disabled for both, so it costs neither.

Usage::

    python benchmarks/bench_image.py            # full run, about a minute on 2 cores
    python benchmarks/bench_image.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import warnings

os.environ.setdefault("TQDM_DISABLE", "1")  # before lime imports tqdm

import lime  # noqa: F401  (version printed below)
import numpy as np
import skimage
from _common import timed_ms, versions  # also puts src/ on the path
from lime.lime_image import LimeImageExplainer
from skimage import data
from skimage.segmentation import quickshift
from skimage.transform import resize

from limekit.explainers.image import ImageExplainer

QUICKSHIFT = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}



def _seconds(fn) -> float:
    return timed_ms(fn) / 1000.0


class MeanColourLogistic:
    """softmax(W · mean RGB + b), the mean taken over every 4th pixel in each axis.

    Deliberately cheap (a few microseconds per image) so the explainers' own
    cost is what the table compares; the model's time is reported separately.
    """

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.W = rng.normal(size=(3, 3)) * 8.0
        self.b = rng.normal(size=3)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        m = np.asarray(images)[:, ::4, ::4].mean(axis=(1, 2)) / 255.0
        z = m @ self.W.T + self.b
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, N=200")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args(argv)
    n = 200 if args.quick else 1000
    repeats = 1 if args.quick else args.repeats

    image = (resize(data.astronaut(), (args.size, args.size), anti_aliasing=True) * 255
             ).round().astype(np.uint8)
    model = MeanColourLogistic()
    segments = quickshift(image, **QUICKSHIFT)
    n_seg = len(np.unique(segments))

    batch = np.repeat(image[None], 10, axis=0)
    times: dict[str, list[float]] = {k: [] for k in (
        "lime_total", "kit_total", "lime_noseg", "kit_noseg", "seg", "model")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(repeats):
            times["seg"].append(_seconds(lambda: quickshift(image, **QUICKSHIFT)))
            times["lime_total"].append(_seconds(lambda r=r: LimeImageExplainer(
                random_state=r).explain_instance(image, model, num_samples=n)))
            times["kit_total"].append(_seconds(lambda r=r: ImageExplainer(
                random_state=r).explain(image, model, num_samples=n)))
            times["lime_noseg"].append(_seconds(lambda r=r: LimeImageExplainer(
                random_state=r).explain_instance(image, model, num_samples=n,
                                                 segmentation_fn=lambda _: segments)))
            times["kit_noseg"].append(_seconds(lambda r=r: ImageExplainer(
                random_state=r).explain(image, model, num_samples=n, segments=segments)))
            times["model"].append(_seconds(lambda: [model(batch) for _ in range(n // 10)]))
    med = {k: statistics.median(v) for k, v in times.items()}

    def row(name: str, total: float, noseg: float) -> str:
        return (f"| {name} | {total:.3f} | {med['seg']:.3f} | {noseg:.3f} | "
                f"{max(noseg - med['model'], 0.0):.3f} |")

    print(f"# Image benchmark: {args.size}×{args.size} RGB, quickshift ({n_seg} segments), "
          f"N={n}, batch_size=10, {repeats} repeat(s), median seconds\n")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"scikit-image {skimage.__version__}, lime 0.2.0.1, limekit {versions()['limekit']}, "
          f"{os.cpu_count()} CPUs\n")
    print("| explainer | total | segmentation | excl. segmentation | excl. segmentation "
          "and model |")
    print("|---|---:|---:|---:|---:|")
    print(row("lime 0.2.0.1", med["lime_total"], med["lime_noseg"]))
    print(row("limekit", med["kit_total"], med["kit_noseg"]))
    lime_over = max(med["lime_noseg"] - med["model"], 1e-9)
    kit_over = max(med["kit_noseg"] - med["model"], 1e-9)
    print(f"| **ratio lime / limekit** | **{med['lime_total'] / med['kit_total']:.1f}×** | 1× | "
          f"**{med['lime_noseg'] / med['kit_noseg']:.1f}×** | **{lime_over / kit_over:.1f}×** |")
    print(f"\nmodel alone on {n} images in batches of 10: {med['model']:.3f} s")
    batch_vs_single(image, model, n, k=2 if args.quick else 6)


def batch_vs_single(image: np.ndarray, model, n: int, k: int) -> None:
    """Seconds per instance: ``explain_batch`` over ``k`` images (one worker and all
    cores) against a loop of ``explain`` on the same images (flips and rotations of
    the photo, each segmented afresh)."""
    images = [np.rot90(image, r // 2) if r % 2 == 0 else np.rot90(image, r // 2)[:, ::-1]
              for r in range(k)]
    explainer = ImageExplainer(random_state=0)
    explainer.explain_batch(images[:2], model, num_samples=n, n_jobs=-1, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = _seconds(lambda: [explainer.explain(x, model, num_samples=n) for x in images])
        serial = _seconds(lambda: explainer.explain_batch(images, model, num_samples=n,
                                                          progress=False))
        parallel = _seconds(lambda: explainer.explain_batch(images, model, num_samples=n,
                                                            n_jobs=-1, progress=False))
    print(f"\n| {k} images, N={n} | s per image | vs single |\n|---|---:|---:|")
    for name, t in (("explain, one at a time", single), ("explain_batch, n_jobs=1", serial),
                    ("explain_batch, n_jobs=-1", parallel)):
        print(f"| {name} | {t / k:.3f} | {single / t:.2f}× |")


if __name__ == "__main__":
    main()
