"""SP-LIME: pick a few explanations that together cover the features that matter.

Run: python examples/sp_lime.py   (a few seconds)
"""

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from limekit import TabularExplainer, pick_explanations


def main() -> None:
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    explainer = TabularExplainer(X, class_names=list(data.target_names), random_state=0)
    # explain 60 random rows (seeded), then choose the 4 that cover the most important features
    pick = pick_explanations(explainer, X, model, budget=4, sample_size=60,
                             num_features=5, num_samples=1000, progress=False)
    print(pick)
    for exp in pick.explanations:
        print(exp.to_text(width=90))


if __name__ == "__main__":
    main()
