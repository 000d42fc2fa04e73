# ruff: noqa
# lime tutorial "Tutorial - continuous and categorical features" (doc/notebooks/,
# marcotcr/lime commit 511dedd: the HEAD blob is missing from the mirror), code cells in
# order. Adaptations (identical for the lime and compat runs), marked in the cells:
# * [offline] the mushroom and adult data read from data/ (lime's copies, subsampled);
# * [py3] print statements as print() calls, str instead of bytes, list(map(...));
# * [removed API] sklearn.cross_validation -> sklearn.model_selection,
#   OneHotEncoder(categorical_features=) -> a ColumnTransformer one-hot encoding those columns;
# * [not installed] xgboost -> sklearn GradientBoostingClassifier;
# * [small N] fewer trees, a test index that exists in the subsampled split.
# %% [0]
import sklearn
import sklearn.datasets
import sklearn.ensemble
import numpy as np
import lime
import lime.lime_tabular
np.random.seed(1)
# %% [1]
iris = sklearn.datasets.load_iris()
# %% [2]
import sklearn.model_selection  # [removed API] sklearn.cross_validation is sklearn.model_selection
train, test, labels_train, labels_test = sklearn.model_selection.train_test_split(iris.data, iris.target, train_size=0.80)

# %% [3]
rf = sklearn.ensemble.RandomForestClassifier(n_estimators=500)
rf.fit(train, labels_train)

# %% [4]
sklearn.metrics.accuracy_score(labels_test, rf.predict(test))
# %% [5]
explainer = lime.lime_tabular.LimeTabularExplainer(train, feature_names=iris.feature_names, class_names=iris.target_names)
# %% [6]
i = np.random.randint(0, test.shape[0])
exp = explainer.explain_instance(test[i], rf.predict_proba, num_features=2, top_labels=1)
# %% [7]
exp.show_in_notebook(show_table=True, show_contributions=True, show_scaled=True, show_all=False)
# %% [8]
feature_index = lambda x: iris.feature_names.index(x)
# %% [9]
print('Increasing petal width')
temp = test[i].copy()
print('P(setosa) before:', rf.predict_proba(temp.reshape(1,-1))[0,0])
temp[feature_index('petal width (cm)')] = 1.5
print('P(setosa) after:', rf.predict_proba(temp.reshape(1,-1))[0,0])
print()
print('Increasing petal length')
temp = test[i].copy()
print('P(setosa) before:', rf.predict_proba(temp.reshape(1,-1))[0,0])
temp[feature_index('petal length (cm)')] = 3.5
print('P(setosa) after:', rf.predict_proba(temp.reshape(1,-1))[0,0])
print()
print('Increasing both')
temp = test[i].copy()
print('P(setosa) before:', rf.predict_proba(temp.reshape(1,-1))[0,0])
temp[feature_index('petal width (cm)')] = 1.5
temp[feature_index('petal length (cm)')] = 3.5
print('P(setosa) after:', rf.predict_proba(temp.reshape(1,-1))[0,0])

# %% [10]
exp.show_in_notebook(show_table=True, show_contributions=True, show_scaled=True, show_all=True)
# %% [11]
data = np.genfromtxt('data/mushroom_data.csv', delimiter=',', dtype=str)  # [offline] lime's copy, subsampled; [py3] dtype str, not bytes ('S20')
labels = data[:,0]
le= sklearn.preprocessing.LabelEncoder()
le.fit(labels)
labels = le.transform(labels)
class_names = le.classes_
data = data[:,1:]
# %% [12]
data[:,0]
# %% [13]
categorical_features = range(22)
# %% [14]
feature_names = 'cap-shape,cap-surface,cap-color,bruises?,odor,gill-attachment,gill-spacing,gill-size,gill-color,stalk-shape,stalk-root,stalk-surface-above-ring, stalk-surface-below-ring, stalk-color-above-ring,stalk-color-below-ring,veil-type,veil-color,ring-number,ring-type,spore-print-color,population,habitat'.split(',')
# %% [15]
categorical_names = '''bell=b,conical=c,convex=x,flat=f,knobbed=k,sunken=s
fibrous=f,grooves=g,scaly=y,smooth=s
brown=n,buff=b,cinnamon=c,gray=g,green=r,pink=p,purple=u,red=e,white=w,yellow=y
bruises=t,no=f
almond=a,anise=l,creosote=c,fishy=y,foul=f,musty=m,none=n,pungent=p,spicy=s
attached=a,descending=d,free=f,notched=n
close=c,crowded=w,distant=d
broad=b,narrow=n
black=k,brown=n,buff=b,chocolate=h,gray=g,green=r,orange=o,pink=p,purple=u,red=e,white=w,yellow=y
enlarging=e,tapering=t
bulbous=b,club=c,cup=u,equal=e,rhizomorphs=z,rooted=r,missing=?
fibrous=f,scaly=y,silky=k,smooth=s
fibrous=f,scaly=y,silky=k,smooth=s
brown=n,buff=b,cinnamon=c,gray=g,orange=o,pink=p,red=e,white=w,yellow=y
brown=n,buff=b,cinnamon=c,gray=g,orange=o,pink=p,red=e,white=w,yellow=y
partial=p,universal=u
brown=n,orange=o,white=w,yellow=y
none=n,one=o,two=t
cobwebby=c,evanescent=e,flaring=f,large=l,none=n,pendant=p,sheathing=s,zone=z
black=k,brown=n,buff=b,chocolate=h,green=r,orange=o,purple=u,white=w,yellow=y
abundant=a,clustered=c,numerous=n,scattered=s,several=v,solitary=y
grasses=g,leaves=l,meadows=m,paths=p,urban=u,waste=w,woods=d'''.split('\n')
for j, names in enumerate(categorical_names):
    values = names.split(',')
    values = dict([(x.split('=')[1], x.split('=')[0]) for x in values])
    data[:,j] = np.array(list(map(lambda x: values[x], data[:,j])))  # [py3] map is lazy

# %% [16]
data[:,0]
# %% [17]
categorical_names = {}
for feature in categorical_features:
    le = sklearn.preprocessing.LabelEncoder()
    le.fit(data[:, feature])
    data[:, feature] = le.transform(data[:, feature])
    categorical_names[feature] = le.classes_
# %% [18]
data[:,0]
# %% [19]
categorical_names[0]
# %% [20]
data = data.astype(float)
# %% [21]
train, test, labels_train, labels_test = sklearn.model_selection.train_test_split(data, labels, train_size=0.80)  # [removed API]

# %% [22]
from sklearn.compose import ColumnTransformer  # [removed API] OneHotEncoder(categorical_features=) left scikit-learn in 0.22
encoder = ColumnTransformer([('onehot', sklearn.preprocessing.OneHotEncoder(handle_unknown='ignore'), list(categorical_features))], remainder='passthrough')
# %% [23]
encoded_train = encoder.fit_transform(train)
# %% [24]
rf = sklearn.ensemble.RandomForestClassifier(n_estimators=100)  # [small N] was 500
rf.fit(encoded_train, labels_train)

# %% [25]
predict_fn = lambda x: rf.predict_proba(encoder.transform(x))
# %% [26]
sklearn.metrics.accuracy_score(labels_test, rf.predict(encoder.transform(test)))
# %% [27]
np.random.seed(1)
# %% [28]
explainer = lime.lime_tabular.LimeTabularExplainer(train ,class_names=['edible', 'poisonous'], feature_names = feature_names,
                                                   categorical_features=categorical_features, 
                                                   categorical_names=categorical_names, kernel_width=3, verbose=False)
# %% [29]
i = 130
exp = explainer.explain_instance(test[i], predict_fn, num_features=5)

# %% [30]
exp.show_in_notebook()
# %% [31]
odor_idx = feature_names.index('odor')
explainer.categorical_names[odor_idx]
# %% [32]
explainer.feature_frequencies[odor_idx]
# %% [33]
foul_idx = 4
non_foul = np.delete(explainer.categorical_names[odor_idx], foul_idx)
non_foul_normalized_frequencies = explainer.feature_frequencies[odor_idx].copy()
non_foul_normalized_frequencies[foul_idx] = 0
non_foul_normalized_frequencies /= non_foul_normalized_frequencies.sum()
# %% [34]
print('Making odor not equal foul')
temp = test[i].copy()
print('P(poisonous) before:', predict_fn(temp.reshape(1,-1))[0,1])
print()
average_poisonous = 0
for idx, (name, frequency) in enumerate(zip(explainer.categorical_names[odor_idx], non_foul_normalized_frequencies)):
    if name == 'foul':
        continue
    temp[odor_idx] = idx
    p_poisonous = predict_fn(temp.reshape(1,-1))[0,1]
    average_poisonous += p_poisonous * frequency
    print('P(poisonous | odor=%s): %.2f' % (name, p_poisonous))
print()
print('P(poisonous | odor != foul) = %.2f' % average_poisonous)
# %% [35]
feature_names = ["Age", "Workclass", "fnlwgt", "Education", "Education-Num", "Marital Status","Occupation", "Relationship", "Race", "Sex", "Capital Gain", "Capital Loss","Hours per week", "Country"]
# %% [36]
data = np.genfromtxt('data/adult.csv', delimiter=', ', dtype=str)  # [offline] lime's copy, subsampled
# %% [37]
labels = data[:,14]
le= sklearn.preprocessing.LabelEncoder()
le.fit(labels)
labels = le.transform(labels)
class_names = le.classes_
data = data[:,:-1]
# %% [38]
categorical_features = [1,3,5, 6,7,8,9,13]
# %% [39]
categorical_names = {}
for feature in categorical_features:
    le = sklearn.preprocessing.LabelEncoder()
    le.fit(data[:, feature])
    data[:, feature] = le.transform(data[:, feature])
    categorical_names[feature] = le.classes_
# %% [40]
data = data.astype(float)
# %% [41]
from sklearn.compose import ColumnTransformer  # [removed API] OneHotEncoder(categorical_features=) left scikit-learn in 0.22
encoder = ColumnTransformer([('onehot', sklearn.preprocessing.OneHotEncoder(handle_unknown='ignore'), list(categorical_features))], remainder='passthrough')
# %% [42]
np.random.seed(1)
train, test, labels_train, labels_test = sklearn.model_selection.train_test_split(data, labels, train_size=0.80)  # [removed API]

# %% [43]
encoded_train = encoder.fit_transform(train)
# %% [44]
# [not installed] xgboost: scikit-learn's gradient boosting instead; [small N] 50 trees, was 300
gbtree = sklearn.ensemble.GradientBoostingClassifier(n_estimators=50, max_depth=5)
gbtree.fit(encoded_train, labels_train)

# %% [45]
sklearn.metrics.accuracy_score(labels_test, gbtree.predict(encoder.transform(test)))
# %% [46]
predict_fn = lambda x: gbtree.predict_proba(encoder.transform(x)).astype(float)
# %% [47]
explainer = lime.lime_tabular.LimeTabularExplainer(train ,feature_names = feature_names,class_names=class_names,
                                                   categorical_features=categorical_features, 
                                                   categorical_names=categorical_names, kernel_width=3)
# %% [48]
np.random.seed(1)
i = 153  # [small N] was 1653; the subsampled test split has 400 rows
exp = explainer.explain_instance(test[i], predict_fn, num_features=5)
exp.show_in_notebook(show_all=False)
# %% [49]
i = 10
exp = explainer.explain_instance(test[i], predict_fn, num_features=5)
exp.show_in_notebook(show_all=False)
# %% [50]
np.mean(labels_train)
