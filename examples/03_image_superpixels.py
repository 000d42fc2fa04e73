"""
Explaining an image classifier with superpixels
===============================================

:class:`~limekit.ImageExplainer` splits an image into superpixels (contiguous
patches of similar pixels), hides random subsets of them, asks the model about
each perturbed image and fits a linear model of "superpixel shown"
indicators: a superpixel's weight is how much showing it raises the
probability of the class.

Two cases: a real classifier of handwritten digits (scikit-learn's bundled
8×8 digits, upscaled), and a photo from scikit-image's bundled data explained
for a hand-written "orange fur" score, where we know what the right answer is.
"""

# %%
# A digit classifier
# ------------------
# A logistic regression on the 8×8 digits; :class:`limekit.demos.image.DigitModel`
# wraps it so that it takes 32×32 images (the digits upscaled 4×, so
# superpixels have room to follow the strokes) and averages them back to 8×8.

import matplotlib.pyplot as plt
import numpy as np
import skimage.data
from skimage.segmentation import mark_boundaries
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from limekit import ImageExplainer
from limekit.demos.image import DigitModel

digits = load_digits()
X = digits.images / 16.0
test = np.arange(len(X)) % 5 == 0  # a fixed 80/20 split
clf = LogisticRegression(max_iter=2000).fit(X[~test].reshape(-1, 64), digits.target[~test])
print(f"held-out accuracy: {clf.score(X[test].reshape(-1, 64), digits.target[test]):.3f}")
model = DigitModel(clf)

row = np.flatnonzero(test)[3]
image = np.kron(X[row], np.ones((4, 4)))  # 32×32 grey image in [0, 1]
print(f"true class {digits.target[row]}, predicted {model.predict_proba(image[None]).argmax()}")

# %%
# Explain it
# ----------
# ``slic`` with a low compactness follows intensity edges on a grey image.
# Hidden superpixels are painted black (``hide_color=0.0``), the digits'
# background, so hiding a superpixel erases the ink in it. ``top_labels=2``
# explains the two most probable classes.

explainer = ImageExplainer(segmenter="slic",
                           segmenter_kwargs={"n_segments": 40, "compactness": 0.1},
                           hide_color=0.0, random_state=0,
                           class_names=[str(c) for c in digits.target_names])
exp = explainer.explain(image, model, top_labels=2, num_samples=1000, batch_size=100)
label = exp.labels[0]
print(f"{exp.n_segments} superpixels; explained classes {[exp.class_name(k) for k in exp.labels]}")
print(f"class {exp.class_name(label)}: surrogate R² {exp.score[label]:.2f}, "
      f"local_pred {exp.local_pred[label]:.2f}, model p {exp.predict_proba[label]:.3f}")

# %%
# A ``local_pred`` above 1 is no bug: the surrogate is a straight line through
# probabilities that saturate at 1, so at the full image it overshoots. For a
# confident model, ``link="logit"`` (or ``"auto"``) fits the log-odds instead.
print("strongest superpixels:", [(s, round(w, 3)) for s, w in exp.as_list()[:5]])

# %%
# :meth:`~limekit.ImageExplanation.plot` shows the image, the overlay of the
# strongest superpixels (green: for the class, red: against) and their weights.

fig = exp.plot(num_features=6)

# %%
# lime's ``get_image_and_mask``
# -----------------------------
# :meth:`~limekit.ImageExplanation.image_and_mask` has lime's semantics and
# returns an image and a mask that scikit-image's ``mark_boundaries`` can
# outline. ``positive_only=True, hide_rest=True`` keeps only the superpixels
# that argue *for* the class: the strokes that make this digit a 5.
# ``positive_only=False`` colours the strongest of both signs.

pos_img, pos_mask = exp.image_and_mask(label, positive_only=True, hide_rest=True,
                                       num_features=5)
both_img, both_mask = exp.image_and_mask(label, positive_only=False, num_features=8)

fig, axes = plt.subplots(1, 3, figsize=(9, 3.3))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("the digit")
axes[1].imshow(mark_boundaries(np.dstack([pos_img] * 3), pos_mask, color=(1, 1, 0)))
axes[1].set_title("top 5 superpixels for class 5")
axes[2].imshow(mark_boundaries(both_img, both_mask, color=(1, 1, 0)))
axes[2].set_title("top 8, green for / red against")
for ax in axes:
    ax.set_axis_off()
fig.tight_layout()

# %%
# The second class
# ----------------
# The explanation of the runner-up class tells what stands between the digit
# and that class. Its weights are much smaller: the model gives it almost no
# probability whatever is hidden, and the surrogate's R² is lower.

second = exp.labels[1]
print(f"class {exp.class_name(second)}: model p {exp.predict_proba[second]:.4f}, "
      f"surrogate R² {exp.score[second]:.2f}")
fig = exp.plot(label=second, num_features=6)

# %%
# A photo, and a model whose answer we know
# -----------------------------------------
# ``skimage.data.astronaut()`` ships inside scikit-image (no download); we halve
# it to 256×256. The "model" is transparent: the probability of "flag" rises
# with the share of strongly blue pixels, which in this photo are the flag's
# blue canton (top left) and the blue mission patch on the suit. Its explanation should point at those superpixels and nothing else, a
# quick sanity check of the whole pipeline. Hidden superpixels take a neutral
# grey here (``hide_color=128``); the default, ``None``, fills each with its own
# mean colour, as lime does.

photo = skimage.data.astronaut()[::2, ::2]  # (256, 256, 3) uint8


def blue_model(images):
    rgb = np.asarray(images, dtype=float) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    blue = ((b > r + 0.1) & (b > g + 0.05)).mean(axis=(1, 2))
    p = 1.0 / (1.0 + np.exp(-150.0 * (blue - 0.012)))
    return np.column_stack([1.0 - p, p])


photo_explainer = ImageExplainer(segmenter="slic", segmenter_kwargs={"n_segments": 60},
                                 hide_color=128, random_state=0,
                                 class_names=["no flag", "flag"])
photo_exp = photo_explainer.explain(photo, blue_model, labels=[1], num_samples=500)
print(f"p(flag) = {photo_exp.predict_proba[1]:.3f}; {photo_exp.n_segments} superpixels; "
      f"surrogate R² {photo_exp.score[1]:.2f}")
fig = photo_exp.plot(label=1, num_features=6)

# %%
# The green superpixels sit on the blue parts of the photo: the explanation
# recovers what the model looks at. With a real network the same check, on a
# model whose behaviour you can predict, is worth doing before trusting
# explanations of one you cannot.

plt.show()
