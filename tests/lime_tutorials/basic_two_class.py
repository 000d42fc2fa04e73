# ruff: noqa
# lime tutorial "Lime - basic usage, two class case" (doc/notebooks/, marcotcr/lime
# HEAD), code cells in order. Adaptations (identical for the lime and compat runs):
# * [offline] fetch_20newsgroups is the synthetic stand-in of _offline.py;
# * [notebook] IPython magics removed; save_to_file writes to a temp folder.
# %% [0]
import lime
import sklearn
import sklearn.ensemble
import sklearn.metrics
# %% [1]
from _offline import fetch_20newsgroups  # [offline] was: from sklearn.datasets import fetch_20newsgroups
categories = ['alt.atheism', 'soc.religion.christian']
newsgroups_train = fetch_20newsgroups(subset='train', categories=categories)
newsgroups_test = fetch_20newsgroups(subset='test', categories=categories)
class_names = ['atheism', 'christian']
# %% [2]
vectorizer = sklearn.feature_extraction.text.TfidfVectorizer(lowercase=False)
train_vectors = vectorizer.fit_transform(newsgroups_train.data)
test_vectors = vectorizer.transform(newsgroups_test.data)
# %% [3]
rf = sklearn.ensemble.RandomForestClassifier(n_estimators=500)
rf.fit(train_vectors, newsgroups_train.target)
# %% [4]
pred = rf.predict(test_vectors)
sklearn.metrics.f1_score(newsgroups_test.target, pred, average='binary')
# %% [5]
from sklearn.pipeline import make_pipeline
c = make_pipeline(vectorizer, rf)
# %% [6]
print(c.predict_proba([newsgroups_test.data[0]]))
# %% [7]
from lime.lime_text import LimeTextExplainer
explainer = LimeTextExplainer(class_names=class_names)
# %% [8]
idx = 83
exp = explainer.explain_instance(newsgroups_test.data[idx], c.predict_proba, num_features=6)
print('Document id: %d' % idx)
print('Probability(christian) =', c.predict_proba([newsgroups_test.data[idx]])[0, 1])
print('True class: %s' % class_names[newsgroups_test.target[idx]])
# %% [9]
exp.as_list()
# %% [10]
print('Original prediction:', rf.predict_proba(test_vectors[idx])[0, 1])
tmp = test_vectors[idx].copy()
tmp[0, vectorizer.vocabulary_['Posting']] = 0
tmp[0, vectorizer.vocabulary_['Host']] = 0
print('Prediction removing some features:', rf.predict_proba(tmp)[0, 1])
print('Difference:', rf.predict_proba(tmp)[0, 1] - rf.predict_proba(test_vectors[idx])[0, 1])
# %% [11]
fig = exp.as_pyplot_figure()
# %% [12]
exp.show_in_notebook(text=False)
# %% [13]
import os  # [notebook] was: exp.save_to_file('/tmp/oi.html')
exp.save_to_file(os.path.join(_TMP, 'oi.html'))
# %% [14]
exp.show_in_notebook(text=True)
