"""
Explaining a text classifier
============================

:class:`~limekit.TextExplainer` explains any model that takes a list of strings:
each perturbed sample hides a random set of words, the model scores the
perturbed texts, and a sparse linear model of "word present" indicators says
which words pushed the prediction. The data is limekit's bundled corpus of
sixty short reviews (:func:`limekit.datasets.text.load_reviews`), the model a
TF-IDF + logistic regression pipeline.
"""

# %%
# Train a sentiment classifier
# ----------------------------
# The corpus is tiny: too small for a model that generalises (its positive and
# negative reviews are written in pairs about the same things, so a held-out
# split is close to a coin toss), but enough for a TF-IDF + logistic
# regression to learn that "excellent" is good news and "refund" bad news,
# which is all a demonstration of word-level explanations needs. We train on
# all sixty reviews and explain new sentences written from their vocabulary.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from limekit import TextExplainer
from limekit.datasets.text import load_reviews

data = load_reviews()
print(data.description)
model = make_pipeline(TfidfVectorizer(sublinear_tf=True),
                      LogisticRegression(C=10.0, max_iter=1000))
model.fit(data.texts, data.labels)

new_reviews = [
    "The staff were friendly but the soup was cold and the bread was stale.",
    "An excellent hotel with a lovely view, although breakfast was slow.",
    "Rude waiters and a bland curry; I want a refund.",
    "A wonderful book with a satisfying ending.",
]
for review, p in zip(new_reviews, model.predict_proba(new_reviews)[:, 1], strict=True):
    print(f"p(positive) = {p:.2f}   {review}")

# %%
# Explain one review
# ------------------
# The pipeline is passed as it is: limekit calls ``predict_proba`` with lists
# of perturbed strings. ``num_features`` is the number of words kept in the
# explanation.

explainer = TextExplainer(class_names=data.class_names, random_state=0)
text = new_reviews[0]
exp = explainer.explain(text, model, num_features=6, num_samples=2000)
print(exp)

# %%
# The printed report has the weights table (each feature is a distinct word;
# hiding it removes every occurrence) and the text with the selected words
# marked ``[word+]`` (pushes towards the explained class) or ``[word-]``
# (pushes away). A weight is the change in the class probability, according to
# the surrogate, when the word is present rather than hidden. Here "cold" and
# "stale" push towards *negative* and "friendly" against it, as one would
# hope; "were" and "was" also get some weight, which says something about the
# model rather than about English: in sixty reviews, these words happen to
# occur more often in negative ones. Explanations are a cheap way to catch such
# shortcuts.
#
# The same weights as a bar chart:

fig = exp.plot()

# %%
# Highlight the words in the text
# -------------------------------
# :meth:`~limekit.TextExplanation.token_weights` gives the weight of every word
# occurrence (0 for words not selected), aligned with ``token_spans``, the
# character span of each occurrence. That is all it takes to colour the text
# itself; :meth:`~limekit.Explanation.to_html` does the same as a
# self-contained HTML snippet.

weights = exp.token_weights()
scale = np.abs(weights).max()
fig, ax = plt.subplots(figsize=(8, 1.6))
ax.set_axis_off()
x = 0.01
for (start, end), w in zip(exp.token_spans, weights, strict=True):
    word = exp.text[start:end]
    color = (0.18, 0.49, 0.2, abs(w) / scale) if w > 0 else (0.78, 0.16, 0.16, abs(w) / scale)
    t = ax.text(x, 0.5, word, fontsize=13, va="center",
                bbox={"facecolor": color, "edgecolor": "none", "pad": 2})
    fig.canvas.draw()
    box = t.get_window_extent().transformed(ax.transAxes.inverted())
    x = box.x1 + 0.012
ax.set_title(f"class {exp.class_name(exp.labels[0])}: green for, red against")

# %%
# Explain the other class, or several reviews
# -------------------------------------------
# For a two-class model the weights for "negative" are the mirror image of
# those for "positive". ``explain_batch`` explains a list of texts, each one
# exactly as :meth:`~limekit.TextExplainer.explain` would.

batch = explainer.explain_batch(new_reviews, model, labels=[1], num_features=3,
                                num_samples=1000, progress=False)
for doc, e in zip(new_reviews, batch, strict=True):
    words = ", ".join(f"{w} {v:+.2f}" for w, v in e.as_list(1))
    print(f"p(positive)={e.predict_proba[1]:.2f}  {words}\n    {doc}")

plt.show()
