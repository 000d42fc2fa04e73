"""The ``limekit`` command line.

Two sub-commands:

* ``limekit demo`` trains a model on a bundled data set and explains one
  held-out row, printing the explanation and writing an HTML report.
* ``limekit explain`` explains one row of a CSV file with a saved model.

**Security:** a joblib or pickle file runs code chosen by whoever wrote it
when it is loaded, so ``limekit explain`` refuses to load one unless
``--trust-model`` is passed. A ``.skops`` file (``skops.io.dump``) is read
without running code: it loads without the flag when it holds only types
skops trusts, and otherwise the flag must vouch for the types it lists.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

from .explainers._common import DEFAULT_NUM_FEATURES

__all__ = ["main", "build_parser"]

PROG = "limekit"

TRUST_WARNING = (
    "WARNING: loading a joblib/pickle model file executes code stored in the file, so "
    "'limekit explain' refuses to load one unless you pass --trust-model. Only pass it for "
    "files from sources you trust. A .skops file (skops.io.dump) that holds only types skops "
    "trusts is loaded without running code."
)

#: File suffixes read with skops.io instead of joblib/pickle.
SKOPS_SUFFIXES = (".skops",)


class CliError(Exception):
    """A user-facing error: printed as one line on stderr, no traceback."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------- helpers
def _version() -> str:
    try:
        from . import __version__

        return str(__version__)
    except Exception:  # pragma: no cover - the package is importable when this runs
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("limekit")
        except PackageNotFoundError:
            return "unknown"


def _int_at_least(minimum: int, what: str, maximum: int | None = None):
    """An argparse type accepting integers in ``[minimum, maximum]``, named ``what`` in errors."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            span = "" if maximum is None else f" from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"expected a {what} integer{span}, got {value}")
        return value
    return parse


_positive_int = _int_at_least(1, "positive")
_nonneg_int = _int_at_least(0, "non-negative")
# NumPy and scikit-learn seeds are 32-bit
_seed = _int_at_least(0, "seed", 2**32 - 1)


def _check_file(path: str, what: str) -> None:
    if not os.path.exists(path):
        raise CliError(f"{what} file not found: {path}")
    if os.path.isdir(path):
        raise CliError(f"{what} path is a directory, not a file: {path}")


def _check_writable(path: str | None, what: str) -> None:
    if path is None:
        return
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise CliError(f"cannot write the {what} to {path}: folder {parent} does not exist")


def _write_outputs(exp: Any, html: str | None, json_path: str | None) -> None:
    if html is not None:
        try:
            exp.save_html(html)
        except OSError as exc:
            raise CliError(f"cannot write the HTML report to {html}: {exc.strerror or exc}") from None
        print(f"HTML report written to {os.path.abspath(html)}")
    if json_path is not None:
        try:
            with open(json_path, "w", encoding="utf-8") as fh:
                fh.write(exp.to_json(indent=2))
                fh.write("\n")
        except OSError as exc:
            raise CliError(f"cannot write the JSON to {json_path}: {exc.strerror or exc}") from None
        print(f"JSON written to {os.path.abspath(json_path)}")


def _read_csv(path: str, what: str):
    import pandas as pd

    _check_file(path, what)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {what} file {path} as CSV: {exc}") from None
    if frame.shape[0] == 0:
        raise CliError(f"{what} file {path} has no data rows")
    return frame


def _format_row(row, limit: int = 8) -> str:
    items = [f"{k}={v}" for k, v in row.items()]
    more = len(items) - limit
    text = ", ".join(items[:limit])
    return text + (f", ... (+{more} more)" if more > 0 else "")


# ------------------------------------------------------------------------ demo
def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr if file is None else file)


def _printed_explanation_lists_diagnostics() -> None:
    """The commands that print a whole explanation show its quality warnings in it:
    do not repeat them on stderr."""
    from .exceptions import ExplanationQualityWarning

    warnings.simplefilter("ignore", ExplanationQualityWarning)


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.text or args.image:
        return _cmd_demo_other(args)
    import time

    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import TabularExplainer
    from .datasets import load_demo

    _printed_explanation_lists_diagnostics()
    _check_writable(args.html, "HTML report")
    _check_writable(args.json, "JSON")
    data = load_demo(args.dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        data.X, data.y, test_size=0.25, random_state=args.seed, stratify=data.y
    )
    if args.row >= len(X_test):
        raise CliError(
            f"--row {args.row} is out of range: the held-out split of {args.dataset} has "
            f"{len(X_test)} rows (0..{len(X_test) - 1})"
        )
    if args.model == "rf":
        model = RandomForestClassifier(n_estimators=100, random_state=args.seed)
        model_desc = "RandomForestClassifier(n_estimators=100)"
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model_desc = "StandardScaler + LogisticRegression"
    model.fit(X_train, y_train)
    accuracy = float((model.predict(X_test) == y_test).mean())

    row = X_test.iloc[args.row]
    true_label = data.class_names[int(y_test[args.row])]
    print(f"dataset:  {data.description}")
    print(f"model:    {model_desc}, trained on {len(X_train)} rows")
    print(f"accuracy: {accuracy:.3f} on the {len(X_test)} held-out rows")
    print(f"row:      {args.row} of the held-out split (dataset row {row.name}), "
          f"true class: {true_label}")
    print()

    # the demo also measures how far to trust the explanation: its surrogate against
    # the model on 1000 fresh neighbourhood samples (shown as held-out fidelity)
    explainer = TabularExplainer(
        X_train, class_names=data.class_names, random_state=args.seed,
        fidelity_samples=_DEMO_FIDELITY_SAMPLES,
    )
    start = time.perf_counter()
    num_samples = args.num_samples or 5000
    exp = explainer.explain(row, model, num_features=args.num_features,
                            num_samples=num_samples)
    elapsed = time.perf_counter() - start
    print(exp)
    print()
    print(f"explained in {elapsed * 1000:.0f} ms ({num_samples} samples, plus "
          f"{_DEMO_FIDELITY_SAMPLES} fresh ones for the held-out fidelity)")
    _write_outputs(exp, args.html, args.json)
    return 0


_DEMO_FIDELITY_SAMPLES = 1000


def _cmd_demo_other(args: argparse.Namespace) -> int:
    """``limekit demo --text`` / ``--image``: the text and image demos, on offline data."""
    _check_writable(args.html, "HTML report")
    _check_writable(args.json, "JSON")
    if args.image:
        from .demos.image import run_image_demo as run
    else:
        from .demos.text import run_text_demo as run
    kwargs = {"seed": args.seed, "html_path": None}
    if args.num_samples:
        kwargs["num_samples"] = args.num_samples
    exp = run(**kwargs)
    _write_outputs(exp, args.html, args.json)
    return 0


# --------------------------------------------------------------------- explain
def _is_skops(path: str) -> bool:
    return path.lower().endswith(SKOPS_SUFFIXES)


def _check_trust(path: str, trusted: bool) -> None:
    """Refuse a joblib/pickle file unless the user vouched for it (before reading a byte)."""
    if trusted or _is_skops(path):
        return
    raise CliError(
        f"refusing to load the model file {path} without --trust-model: joblib/pickle files "
        "run code stored in them when they are loaded, so a file from an untrusted source "
        "can do anything your user account can. If you trust this file (you saved it "
        "yourself, or it comes from a source you trust), run the command again with "
        "--trust-model. Safer: save the model with skops (skops.io.dump(model, "
        "'model.skops')) and pass the .skops file, which loads without running code."
    )


def _load_skops(path: str, trusted: bool) -> Any:
    try:
        import skops.io as sio
    except ImportError:
        raise CliError(f"{path} is a .skops file, and reading it needs skops: "
                       "pip install skops") from None
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a corrupt or foreign file: report, never traceback
        raise CliError(f"cannot read {path} as a skops file: {type(exc).__name__}: {exc}"
                       ) from None
    if untrusted and not trusted:
        raise CliError(
            f"refusing to load {path}: it holds types that skops does not trust by default "
            f"({', '.join(untrusted)}), and loading those may run their code. If you trust "
            "the file, run the command again with --trust-model."
        )
    try:
        # Only the types listed above are added to skops' default trusted set.
        return sio.load(path, trusted=list(untrusted) or None)
    except Exception as exc:
        raise CliError(f"cannot load a model from {path}: {type(exc).__name__}: {exc}"
                       ) from None


def _load_model(path: str, trusted: bool = False) -> Any:
    _check_file(path, "model")
    _check_trust(path, trusted)
    if _is_skops(path):
        return _load_skops(path, trusted)
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # unpickling can raise almost anything
        raise CliError(
            f"cannot load a model from {path}: {type(exc).__name__}: {exc}. "
            "Save it with joblib.dump(model, path) or pickle.dump."
        ) from None


def _cmd_explain(args: argparse.Namespace) -> int:
    from . import TabularExplainer

    _printed_explanation_lists_diagnostics()
    _check_file(args.model, "model")
    _check_trust(args.model, args.trust_model)
    rows = _read_csv(args.data, "data")
    train = _read_csv(args.train, "training") if args.train is not None else rows
    _check_writable(args.html, "HTML report")
    _check_writable(args.json, "JSON")

    if args.target is not None:
        in_rows = args.target in rows.columns
        in_train = args.target in train.columns
        if not (in_rows or in_train):
            where = "data file" if args.train is None else "data or training file"
            raise CliError(
                f"target column {args.target!r} not found in the {where}; columns are: "
                + ", ".join(map(str, rows.columns))
            )
        if in_rows:
            rows = rows.drop(columns=args.target)
        if in_train:
            train = train.drop(columns=args.target)

    n = len(rows)
    if args.row >= n:
        raise CliError(f"--row {args.row} is out of range: {args.data} has {n} data rows "
                       f"(0..{n - 1})")

    model = _load_model(args.model, trusted=args.trust_model)
    # A fitted scikit-learn estimator knows its input columns: use exactly those.
    expected = getattr(model, "feature_names_in_", None)
    if expected is not None:
        columns = [str(c) for c in expected]
        for name, frame in (("data", rows), ("training", train)):
            absent = [c for c in columns if c not in frame.columns]
            if absent:
                raise CliError(
                    f"the {name} file lacks column(s) the model was trained on: "
                    + ", ".join(absent)
                )
        dropped = [str(c) for c in train.columns if c not in columns]
        if dropped:
            print(f"note: ignoring column(s) the model does not use: {', '.join(dropped)}")
        train = train[columns]
    missing = [str(c) for c in train.columns if c not in rows.columns]
    if missing:
        raise CliError(
            f"the data file lacks column(s) of the training data: {', '.join(missing)}"
        )
    rows = rows[list(train.columns)]
    if len(train) < 2:
        raise CliError("the training data needs at least 2 rows to estimate feature "
                       "distributions; pass a larger file with --train")

    mode = args.mode
    if mode is None:
        mode = "classification" if hasattr(model, "predict_proba") else "regression"
    class_names = None
    if mode == "classification":
        classes = getattr(model, "classes_", None)
        if classes is not None:
            class_names = [str(c) for c in classes]

    try:
        explainer = TabularExplainer(train, mode=mode, class_names=class_names,
                                     random_state=args.seed)
        row = rows.iloc[args.row]
        exp = explainer.explain(row, model, num_features=args.num_features,
                                num_samples=args.num_samples)
    except (ValueError, TypeError, KeyError) as exc:
        raise CliError(f"cannot explain row {args.row}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user's model failing is the user's to fix
        raise CliError(f"the model failed while explaining row {args.row} of {args.data}: "
                       f"{type(exc).__name__}: {exc}") from None

    print(f"model: {type(model).__name__} from {args.model} ({mode})")
    print(f"data:  {args.data}, row {args.row} of {n}; training distribution from "
          f"{args.train if args.train is not None else args.data} ({len(train)} rows)")
    print(f"row:   {_format_row(row)}")
    print()
    print(exp)
    print()
    _write_outputs(exp, args.html, args.json)
    return 0


# ---------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``limekit`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="limekit: fast, lime-compatible local explanations (LIME) for any model.",
        epilog=("Run 'limekit demo' for a first look. " + TRUST_WARNING
                + " (applies to 'limekit explain')"),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an unexpected error (as "
                             "LIMEKIT_DEBUG=1 does)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="train a model on a bundled data set and explain one held-out row",
        description=("Train a model on a data set bundled with scikit-learn, explain one row "
                     "of a held-out split, print the explanation and write an HTML report."),
    )
    kind = demo.add_mutually_exclusive_group()
    kind.add_argument("--text", action="store_true",
                      help="explain a text classifier (TF-IDF + logistic regression) instead")
    kind.add_argument("--image", action="store_true",
                      help="explain an image classifier (digits) instead")
    demo.add_argument("--dataset", choices=["breast_cancer", "wine", "iris"],
                      default="breast_cancer", help="data set (default: %(default)s)")
    demo.add_argument("--model", choices=["rf", "logreg"], default="rf",
                      help="rf: RandomForest(100 trees); logreg: StandardScaler + "
                           "LogisticRegression (default: %(default)s)")
    demo.add_argument("--row", type=_nonneg_int, default=0,
                      help="row of the held-out split to explain (default: %(default)s)")
    demo.add_argument("--num-features", type=_positive_int, default=DEFAULT_NUM_FEATURES,
                      metavar="K",
                      help="features in the explanation (default: 10, or all when fewer)")
    demo.add_argument("--num-samples", type=_positive_int, default=None, metavar="N",
                      help="neighbourhood size (default: 5000 for tables and text, 1000 for "
                           "images)")
    demo.add_argument("--html", default="limekit-demo.html", metavar="PATH",
                      help="HTML report to write (default: %(default)s in the current folder)")
    demo.add_argument("--json", default=None, metavar="PATH",
                      help="also write the explanation as JSON")
    demo.add_argument("--seed", type=_seed, default=0,
                      help="seed of the split, the model and the explainer (default: %(default)s)")
    demo.set_defaults(func=_cmd_demo)

    explain = sub.add_parser(
        "explain",
        help="explain one row of a CSV file with a saved model (joblib/pickle, or skops)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Explain one row of a CSV file with a model saved by joblib.dump or pickle\n"
            "(loaded only with --trust-model) or by skops.io.dump (a .skops file).\n"
            "The model receives a pandas DataFrame with the CSV's columns (a scikit-learn\n"
            "Pipeline with a ColumnTransformer works unchanged).\n\n"
            + textwrap.fill(TRUST_WARNING, width=78)
        ),
    )
    explain.add_argument("--model", required=True, metavar="M.joblib",
                         help="model file: joblib or pickle (needs --trust-model), or .skops")
    explain.add_argument("--trust-model", action="store_true",
                         help="load a joblib/pickle model file, which executes code stored in "
                              "it: only for files you trust; for a .skops file, also trust "
                              "the types skops does not trust by default")
    explain.add_argument("--data", required=True, metavar="rows.csv",
                         help="CSV file (with a header row) holding the row to explain")
    explain.add_argument("--row", type=_nonneg_int, required=True, metavar="N",
                         help="0-based data row of --data to explain")
    explain.add_argument("--train", default=None, metavar="train.csv",
                         help="CSV whose rows define the sampling distribution "
                              "(default: the --data file)")
    explain.add_argument("--target", default=None, metavar="COL",
                         help="target column to drop from the CSV files")
    explain.add_argument("--mode", choices=["classification", "regression"], default=None,
                         help="default: classification if the model has predict_proba, "
                              "else regression")
    explain.add_argument("--num-features", type=_positive_int, default=DEFAULT_NUM_FEATURES,
                         metavar="K",
                         help="features in the explanation (default: 10, or all when fewer)")
    explain.add_argument("--num-samples", type=_positive_int, default=5000, metavar="N",
                         help="neighbourhood size (default: %(default)s)")
    explain.add_argument("--html", default=None, metavar="PATH", help="write an HTML report")
    explain.add_argument("--json", default=None, metavar="PATH",
                         help="write the explanation as JSON")
    explain.add_argument("--seed", type=_seed, default=0,
                         help="seed of the explainer (default: %(default)s)")
    explain.set_defaults(func=_cmd_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``limekit`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a mistake in the arguments, the input
        files or the model (missing file, row out of range, unknown column, a
        model that fails on the data), 1 for an unexpected internal error (shown
        as one line; ``LIMEKIT_DEBUG=1`` shows the traceback).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            # a command-line user needs the message, not the library source line
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except CliError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.code
    except (ValueError, TypeError) as exc:
        # the library's own validation: the message says what to change
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a command line never shows a traceback
        if getattr(args, "debug", False) or os.environ.get("LIMEKIT_DEBUG", "") not in ("", "0"):
            raise
        print(f"{PROG}: error: {type(exc).__name__}: {exc} (this is a limekit bug if your "
              "input is valid; run with --debug to see the traceback)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
