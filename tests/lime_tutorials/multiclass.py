# ruff: noqa
# lime tutorial "Lime - multiclass" (doc/notebooks/, marcotcr/lime commit 73fba8a: the
# HEAD blob of this notebook is missing from the mirror), code cells in order.
# Adaptations (identical for the lime and compat runs):
# * [offline] fetch_20newsgroups is the synthetic stand-in of _offline.py;
# * [py3] Python 2 print statements written as print() calls;
# * [removed API] lime.lime_text.ScikitClassifier (gone from lime since 0.1.1.x;
#   the later notebook uses make_pipeline) replaced by sklearn's make_pipeline.
# %% [0]
import lime
import sklearn
import numpy as np
import sklearn
import sklearn.ensemble
import sklearn.metrics
# %% [1]
from _offline import fetch_20newsgroups  # [offline]
newsgroups_train = fetch_20newsgroups(subset='train')
newsgroups_test = fetch_20newsgroups(subset='test')
# making class names shorter
class_names = [x.split('.')[-1] if 'misc' not in x else '.'.join(x.split('.')[-2:]) for x in newsgroups_train.target_names]
class_names[3] = 'pc.hardware'
class_names[4] = 'mac.hardware'
# %% [2]
print(','.join(class_names))
# %% [3]
vectorizer = sklearn.feature_extraction.text.TfidfVectorizer(lowercase=False)
train_vectors = vectorizer.fit_transform(newsgroups_train.data)
test_vectors = vectorizer.transform(newsgroups_test.data)
# %% [4]
from sklearn.naive_bayes import MultinomialNB
nb = MultinomialNB(alpha=.01)
nb.fit(train_vectors, newsgroups_train.target)
# %% [5]
pred = nb.predict(test_vectors)
sklearn.metrics.f1_score(newsgroups_test.target, pred, average='weighted')
# %% [6]
from lime import lime_text
from sklearn.pipeline import make_pipeline  # [removed API] was: from lime.lime_text import ScikitClassifier
c = make_pipeline(vectorizer, nb)  # [removed API] was: c = ScikitClassifier(nb, vectorizer)
# %% [7]
print(c.predict_proba([newsgroups_test.data[0]]).round(3))
# %% [8]
from lime.lime_text import LimeTextExplainer
explainer = LimeTextExplainer(class_names=class_names)
# %% [9]
idx = 1340
exp = explainer.explain_instance(newsgroups_test.data[idx], c.predict_proba, num_features=6, labels=[0, 17])
print('Document id: %d' % idx)
print('Predicted class =', class_names[nb.predict(test_vectors[idx])[0]])  # [numpy] was class_names[<1-element array>]
print('True class: %s' % class_names[newsgroups_test.target[idx]])
# %% [10]
print('Explanation for class %s' % class_names[0])
print('\n'.join(map(str, exp.as_list(label=0))))
print()
print('Explanation for class %s' % class_names[17])
print('\n'.join(map(str, exp.as_list(label=17))))
# %% [11]
exp = explainer.explain_instance(newsgroups_test.data[idx], c.predict_proba, num_features=6, top_labels=3)
print(exp.available_labels())
# %% [12]
exp.show_in_notebook(text=False)
# %% [13]
exp.show_in_notebook(text=newsgroups_test.data[idx], labels=(0,))
# %% [14]
newsgroups_train = fetch_20newsgroups(subset='train', remove=('headers', 'footers', 'quotes'))
newsgroups_test = fetch_20newsgroups(subset='test',remove=('headers', 'footers', 'quotes'))
train_vectors = vectorizer.fit_transform(newsgroups_train.data)
test_vectors = vectorizer.transform(newsgroups_test.data)
nb = MultinomialNB(alpha=.01)
nb.fit(train_vectors, newsgroups_train.target)
c = make_pipeline(vectorizer, nb)  # [removed API] was: c = ScikitClassifier(nb, vectorizer)
explainer = LimeTextExplainer(class_names=class_names)
# %% [15]
exp = explainer.explain_instance(newsgroups_test.data[idx], c.predict_proba, num_features=6, top_labels=3)
print(exp.available_labels())
# %% [16]
exp.show_in_notebook(text=False)
# %% [17]
exp.show_in_notebook(text=newsgroups_test.data[idx], labels=(15,))
