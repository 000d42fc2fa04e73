"""The NumPy fallback gives bit-identical explanations to the compiled (numba) path.

The README promises this, for every sampler mode. Each case is computed in two
fresh interpreters, one with ``LIMEKIT_DISABLE_NUMBA=1`` and one without (so the
switch is exercised exactly as a user sets it, at import time), and the two JSON
documents must be equal character for character.
CI also runs this file, with the tabular, parity, sampler and batch tests, under
``LIMEKIT_DISABLE_NUMBA=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from limekit import _compiled

# Builds every case and prints {case: explanation JSON}; run here and in a subprocess.
CASES = textwrap.dedent('''
    import json
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LogisticRegression
    from limekit import TabularExplainer, TextExplainer, _compiled

    X, y = load_breast_cancer(return_X_y=True)
    clf = LogisticRegression(max_iter=5000).fit(X, y)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.integers(18, 80, 300),
                          "income": rng.normal(50, 10, 300),
                          "color": rng.choice(["red", "green", "blue"], 300)})
    reg = RandomForestRegressor(n_estimators=20, random_state=0).fit(
        pd.get_dummies(frame), frame["income"] * 2 + (frame["color"] == "red"))

    def frame_model(f):
        return reg.predict(pd.get_dummies(f).reindex(columns=reg.feature_names_in_,
                                                      fill_value=False))

    def text_model(docs):
        p = np.array([0.2 + 0.6 * ("good" in d) + 0.1 * ("fun" in d) for d in docs])
        return np.column_stack([1 - p, p])

    out = {"compiled": _compiled.enabled()}
    for disc in ("quartile", "decile", "entropy", None):
        kw = {"training_labels": y} if disc == "entropy" else {}
        e = TabularExplainer(X, discretizer=disc, random_state=3, **kw)
        out[f"tabular-{disc}"] = [e.explain(X[i], clf, num_samples=1500).to_json()
                                  for i in (0, 7)]
    e = TabularExplainer(X, discretizer=None, kernel_width=1.0, random_state=1)
    out["continuous-narrow"] = e.explain(X[3], clf, num_samples=1500).to_json()
    for sampler in ("kernel", "nball", "kernelshap"):
        e = TabularExplainer(X, sampler=sampler, random_state=2)
        out[f"sampler-{sampler}"] = e.explain(X[5], clf, num_samples=1000).to_json()
    e = TabularExplainer(frame, mode="regression", random_state=4)
    out["mixed-regression"] = e.explain(frame.iloc[2], frame_model, num_samples=1000).to_json()
    batch = TabularExplainer(X, random_state=5).explain_batch(X[:6], clf, num_samples=800,
                                                             progress=False)
    out["batch"] = [b.to_json() for b in batch]
    out["text"] = TextExplainer(random_state=6).explain(
        "a good and fun story, good", text_model, num_samples=500).to_json()
    print(json.dumps(out))
''')


def _run(disable: bool) -> dict:
    env = dict(os.environ)
    env["LIMEKIT_DISABLE_NUMBA"] = "1" if disable else "0"
    env.setdefault("MPLBACKEND", "Agg")
    done = subprocess.run([sys.executable, "-c", CASES], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_environment_variable_switches_the_path():
    disabled = os.environ.get("LIMEKIT_DISABLE_NUMBA", "") not in ("", "0")
    if disabled:
        assert not _compiled.enabled()
    else:
        pytest.importorskip("numba")
        assert _compiled.enabled()


def test_numpy_fallback_is_bit_identical_to_compiled():
    pytest.importorskip("numba", reason="numba is not installed: only the NumPy path exists")
    compiled, fallback = _run(disable=False), _run(disable=True)
    assert compiled.pop("compiled") is True
    assert fallback.pop("compiled") is False
    assert compiled.keys() == fallback.keys()
    different = [case for case in compiled if compiled[case] != fallback[case]]
    assert not different, f"NumPy fallback differs from the compiled path in: {different}"
