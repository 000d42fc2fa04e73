"""Which features make a credit model treat women and men differently?

Fits a random forest to the German credit data bundled with limekit (1,000
applicants, target: good/bad credit risk) with ``sex`` as the protected
attribute, kept out of the model. Then asks, for every feature, how much fairer
the model becomes without it (fair feature importance, limekit.fairness):

* permutation importance with refit, demographic parity;
* exact occlusion (refit without each feature), demographic parity and
  equalized odds;
* minipatch occlusion (one ensemble of models on random row × feature subsets).

A positive importance means the feature adds bias: a proxy for sex, through
which the model's decisions differ between the groups. Run it with::

    python examples/fairness_german_credit.py
"""

from __future__ import annotations

import time

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from limekit.datasets.german_credit import load_german_credit
from limekit.fairness import fair_feature_importance


def main() -> None:
    X, y, protected = load_german_credit()
    categorical = [c for c in X.columns if X[c].dtype == object and c != protected]
    model = make_pipeline(
        ColumnTransformer(
            [("cat", OneHotEncoder(handle_unknown="ignore"), categorical)],
            remainder="passthrough",
        ),
        RandomForestClassifier(n_estimators=50, min_samples_leaf=5, random_state=0),
    )
    print(f"German credit: {len(X)} applicants, protected attribute {protected!r} "
          f"({X[protected].value_counts().to_dict()}), good risk rate {y.mean():.2f}\n")

    runs = [
        ("permutation", {"method": "permutation", "n_repeats": 3}),
        ("occlusion", {"method": "occlusion"}),
        ("occlusion, equalized odds", {"method": "occlusion", "metric": "equalized_odds"}),
        ("minipatch occlusion",
         {"method": "occlusion", "minipatch": True, "n_patches": 100}),
    ]
    for title, options in runs:
        start = time.perf_counter()
        result = fair_feature_importance(model, X, y, protected, n_bootstrap=200,
                                         random_state=0, **options)
        print(result)
        adds_bias = [f for f, lo in zip(result.feature_names, result.ci_low, strict=True)
                     if lo > 0]
        print(f"features whose whole {result.confidence_level:.0%} interval is above 0: "
              f"{', '.join(adds_bias) or 'none'}")
        print(f"({title}: {time.perf_counter() - start:.1f} s)\n")


if __name__ == "__main__":
    main()
