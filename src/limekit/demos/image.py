"""Image demo: explain a digit classifier's prediction with superpixel LIME.

Everything loads offline: scikit-learn's bundled 8×8 handwritten digits are
upscaled to 32×32, a logistic regression is trained on the spot, and one
held-out digit is explained. Hidden superpixels are painted black (the digits'
background), so hiding a superpixel erases the ink in it: the explanation
shows which strokes make the digit what the model says it is.

Run it with ``limekit demo --image`` or ``python -m limekit.demos.image``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DigitModel", "run_image_demo"]

#: Upscaling factor of the 8×8 digits (so superpixels have room to follow strokes).
SCALE = 4


@dataclass
class DigitModel:
    """A classifier of 32×32 digit images: average 4×4 blocks back to 8×8, then predict.

    Parameters
    ----------
    classifier : estimator
        Fitted on flattened 8×8 digits scaled to [0, 1].
    """

    classifier: Any

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        x = np.asarray(images, dtype=float)
        n, h, w = x.shape[:3]
        blocks = x.reshape(n, h // SCALE, SCALE, w // SCALE, SCALE).mean(axis=(2, 4))
        return self.classifier.predict_proba(blocks.reshape(n, -1))


def _segmenter() -> tuple[str, dict[str, Any]]:
    """slic when scikit-image is installed, else a grid: the demo never needs an extra."""
    try:
        import skimage.segmentation  # noqa: F401
    except ImportError:
        return "grid", {"rows": 8, "cols": 8}
    # Low compactness: on a [0, 1] grey image slic then follows intensity edges.
    return "slic", {"n_segments": 40, "compactness": 0.1}


def run_image_demo(seed: int = 0, html_path: str | None = "limekit_image_demo.html",
                   index: int = 3, num_samples: int = 1000, verbose: bool = True):
    """Train a digit classifier, explain one held-out digit, print a summary, write HTML.

    Parameters
    ----------
    seed : int, default 0
        Seed of the explainer (the split and the model are fixed).
    html_path : str or None, default "limekit_image_demo.html"
        Where to write the HTML report (overlay embedded); ``None`` writes nothing.
    index : int, default 3
        Which held-out digit to explain.
    num_samples : int, default 1000
        Neighbourhood size.
    verbose : bool, default True
        Print the summary.

    Returns
    -------
    limekit.explainers.image.ImageExplanation
    """
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    from ..explainers.image import ImageExplainer

    start = time.perf_counter()
    digits = load_digits()
    X = digits.images / 16.0
    test = np.arange(len(X)) % 5 == 0  # a fixed 80/20 split
    clf = LogisticRegression(max_iter=2000).fit(X[~test].reshape(-1, 64), digits.target[~test])
    accuracy = clf.score(X[test].reshape(-1, 64), digits.target[test])
    model = DigitModel(clf)

    held_out = np.flatnonzero(test)
    if not 0 <= index < held_out.size:
        raise ValueError(f"index must be in 0..{held_out.size - 1}, got {index}")
    row = held_out[index]
    image = np.kron(X[row], np.ones((SCALE, SCALE)))  # 32×32 float in [0, 1]

    segmenter, kwargs = _segmenter()
    explainer = ImageExplainer(segmenter=segmenter, segmenter_kwargs=kwargs, hide_color=0.0,
                               random_state=seed,
                               class_names=[str(c) for c in digits.target_names])
    exp = explainer.explain(image, model, top_labels=2, num_samples=num_samples,
                            batch_size=100)
    elapsed = time.perf_counter() - start

    if verbose:
        label = exp.labels[0]
        weights = exp.label_explanations[label].weights
        ink = image > 0.25
        pos = [(f, w) for f, w in weights if w > 0][:5]
        on_ink = [float(ink[exp.segments == f].mean()) for f, _ in pos]
        print("data:     scikit-learn digits, 8×8 upscaled to 32×32 "
              f"({(~test).sum()} training, {test.sum()} held-out images)")
        print(f"model:    logistic regression, accuracy {accuracy:.3f} on held-out digits")
        print(f"image:    held-out digit #{index} (dataset row {row}), true class "
              f"{digits.target[row]}, predicted {exp.class_name(label)} "
              f"(p={exp.predict_proba[label]:.3f})")
        print(f"segments: {exp.n_segments} superpixels ({segmenter}); hidden ones painted black")
        print(f"surrogate R² {exp.score[label]:.3f}; strongest superpixels for class "
              f"{exp.class_name(label)}:")
        for f, w in weights[:8]:
            print(f"  segment {f:>3}  {w:+.4f}  ({int((exp.segments == f).sum())} px, "
                  f"{100 * ink[exp.segments == f].mean():.0f}% ink)")
        if pos:
            print(f"the top {len(pos)} positive superpixels are {100 * np.mean(on_ink):.0f}% ink "
                  f"(the image is {100 * ink.mean():.0f}% ink)")
        print(f"done in {elapsed:.2f} s ({num_samples} samples)")
    if html_path is not None:
        exp.save_html(html_path)
        if verbose:
            print(f"HTML report written to {os.path.abspath(html_path)}")
    return exp


if __name__ == "__main__":  # pragma: no cover
    run_image_demo()
