# ruff: noqa
# lime tutorial "Latin Hypercube Sampling" (doc/notebooks/, marcotcr/lime HEAD), code cells
# in order. It targets a lime newer than 0.2.0.1 (explain_instance(sampling_method=...)),
# so its explanation cells fail under lime 0.2.0.1 and are not required of compat.
# Adaptations (identical for the lime and compat runs), marked in the cells:
# * [not installed] pyDOE2 -> the stand-in pyDOE2.py in this folder (classic lhs);
# * [small N] the convergence loop stops at 30 samples instead of 5000.
# %% [0]
# imports 
from lime import lime_tabular
import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as mpatches 
from pyDOE2 import lhs  # [not installed] pyDOE2 is the local stand-in pyDOE2.py
from scipy.stats.distributions import norm

np.random.seed(1) # for repeatability 
# %% [1]
n = 2                                                      # number of features
s = 25                                                     # number of samples

gauss_data = np.random.normal(0,1,n*s).reshape(s,n)        # how lime generates the values
lhs_data = lhs(n,s)                                        # lhs generated data
# %% [2]
# visualizing the results in the cdf
means = np.zeros(n)
stdvs = np.array([1]*n)
gaus_cdf = np.zeros((s,n))
for i in range(n):
    gaus_cdf[:,i] = norm(loc=means[i], scale=stdvs[i]).cdf(gauss_data[:,i])
    
    
fig, (ax1, ax2) = plt.subplots(1, 2,sharey=True)

ax1.scatter(gaus_cdf[:,0],gaus_cdf[:,1],color='tab:blue',label='Gaussian Sampling (cdf)')
ax1.set_xlabel('feature 1')
ax1.set_ylabel('feature 2')
ax1.legend(shadow=True,fancybox=True)

ax2.scatter(lhs_data[:,0], lhs_data[:,1],color='tab:orange',label='LHS (cdf)')
ax2.set_xlabel('feature 1')
ax2.legend(shadow=True, fancybox=True)

plt.show()
# %% [3]
# visualizing the the distribution of points in the pdf
# transformation lhs from cdf to pdf
means = np.zeros(n)
stdvs = np.array([1]*n)
for i in range(n):
    lhs_data[:, i] = norm(loc=means[i], scale=stdvs[i]).ppf(lhs_data[:, i])   

fig, (ax1, ax2) = plt.subplots(1, 2,sharey=True)

ax1.scatter(gauss_data[:,0],gauss_data[:,1],color='tab:blue',label='Gaussian Sampling (pdf)')
ax1.set_xlabel('feature 1')
ax1.set_ylabel('feature 2')
ax1.legend(shadow=True,fancybox=True)

ax2.scatter(lhs_data[:,0], lhs_data[:,1],color='tab:orange',label='LHS (pdf)')
ax2.set_xlabel('feature 1')
ax2.legend(shadow=True, fancybox=True)

plt.show()
# %% [4]
# imports for the iris data set and model
from sklearn.neural_network import MLPClassifier
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.metrics import accuracy_score
# %% [5]
# train a black box model on the data set
np.random.seed(1)
iris = load_iris()
train, test, labels_train, labels_test = train_test_split(iris.data, iris.target, train_size=0.80)
clf = MLPClassifier(solver='lbfgs', alpha=1e-5,hidden_layer_sizes=(11,6), random_state=1)
clf.fit(train, labels_train)
print('model accuracy score: ',accuracy_score(labels_test, clf.predict(test)))

# point to explain
test_instance = test[8]
# %% [6]
# gaussian sampling for LIME
explainer = lime_tabular.LimeTabularExplainer(train,10,feature_names=iris.feature_names,class_names=iris.target_names,discretize_continuous=False)
exp = explainer.explain_instance(test_instance,clf.predict_proba,num_features=1,top_labels=1,num_samples=5000,model_regressor=None,sampling_method='gauss')
exp.show_in_notebook()
# %% [7]
# LHS sampling for LIME
explainer = lime_tabular.LimeTabularExplainer(train,10,feature_names=iris.feature_names,class_names=iris.target_names,discretize_continuous=False)
exp = explainer.explain_instance(test_instance,clf.predict_proba,num_features=1,top_labels=1,num_samples=5000,model_regressor=None,sampling_method='lhs')
exp.show_in_notebook()
# %% [8]
max_samples = 30  # [small N] was 5000 (two explanations per value from 10 to max_samples)

samp = []
weight_gauss = []
weight_lhs = []

for i in range(10,max_samples+1):
    
    # gaussian random sampling explanation
    explainer_gauss = lime_tabular.LimeTabularExplainer(train,i,feature_names=iris.feature_names,class_names=iris.target_names,discretize_continuous=False)
    exp_gauss = explainer.explain_instance(test_instance,clf.predict_proba,num_features=1,top_labels=1,num_samples=i,model_regressor=None,sampling_method='gauss')
    _gauss = list(exp_gauss.local_exp.values())[0][0][1]
    
    # lhs random sampling explanation
    explainer_lhs = lime_tabular.LimeTabularExplainer(train,i,feature_names=iris.feature_names,class_names=iris.target_names,discretize_continuous=False)
    exp_lhs = explainer.explain_instance(test_instance,clf.predict_proba,num_features=1,top_labels=1,num_samples=i,model_regressor=None,sampling_method='lhs')
    _lhs = list(exp_lhs.local_exp.values())[0][0][1]
    
    # appending the data
    samp.append(i)
    weight_gauss.append(_gauss)
    weight_lhs.append(_lhs) 
# %% [9]
# plotting the data generated in the previous step
plt.figure(1,[10,7])
plt.plot(samp,weight_gauss,color='tab:blue',label='Gaussian Sampling')
plt.plot(samp,weight_lhs,color='tab:orange',label='LHS')
plt.xlabel('number of samples')
plt.ylabel('top explanation weight')
plt.title('Comparing the Convergence of the Explanation')
plt.legend()
plt.show()
