"""Pieces every benchmark script shares: timing, the version header, the
overhead row and table (limekit vs lime), and the allocator option."""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

try:
    import limekit
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import limekit


def timed_ms(fn: Callable[[], object]) -> float:
    """Wall time of one call of ``fn``, in milliseconds."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


class TimedModel:
    """A classifier proxy that adds up the wall time spent inside ``predict_proba``.

    Each library's overhead is its total time minus the time *its own* model
    calls took (on its own perturbed samples, cache state included), rather
    than a separate timing on other inputs: a random forest's cost depends on
    where the samples fall and on what the explainer evicted from the cache.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.classes_ = getattr(model, "classes_", None)
        self.seconds = 0.0

    def predict_proba(self, X: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.model.predict_proba(X)
        finally:
            self.seconds += time.perf_counter() - start

    def take_ms(self) -> float:
        """Milliseconds accumulated since the last call, and reset."""
        ms, self.seconds = self.seconds * 1000.0, 0.0
        return ms


def timed_with_model_ms(fn: Callable[[], object], model: TimedModel) -> tuple[float, float]:
    """``(total ms, ms inside model)`` for one call of ``fn`` using ``model``."""
    model.take_ms()
    total = timed_ms(fn)
    return total, model.take_ms()


def package_version(dist: str) -> str:
    """Installed version of a distribution, or "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def versions(*extra: str) -> dict[str, str]:
    """Versions of the interpreter and the packages that matter for the timings."""
    info = {"python": platform.python_version()}
    for dist in ("numpy", "pandas", "scikit-learn", *extra):
        info[dist] = package_version(dist)
    info["limekit"] = getattr(limekit, "__version__", "unknown")
    return info


def overhead_row(key: str, name: str, n: int, k: int, lime_ms: float, kit_ms: float,
                 model_ms: float, kit_model_ms: float | None = None) -> dict[str, Any]:
    """One case's figures: overhead = time − the model's own time; ratios lime / limekit.

    ``model_ms`` is the model's time inside lime's calls (or a separate timing
    when ``kit_model_ms`` is not given); ``kit_model_ms`` inside limekit's.
    """
    kit_model_ms = model_ms if kit_model_ms is None else kit_model_ms
    lime_over = max(lime_ms - model_ms, 1e-9)
    kit_over = max(kit_ms - kit_model_ms, 1e-9)
    return {
        key: name, "N": n, "K": k,
        "lime_ms": lime_ms, "limekit_ms": kit_ms, "model_ms": model_ms,
        "limekit_model_ms": kit_model_ms,
        "lime_overhead_ms": lime_over, "limekit_overhead_ms": kit_over,
        "overhead_ratio": lime_over / kit_over, "total_ratio": lime_ms / kit_ms,
    }


def overhead_table(results: Sequence[dict[str, Any]], key: str) -> str:
    """The :func:`overhead_row` results as a markdown table, first column ``key``."""
    lines = [f"| {key} | N | K | lime ms | limekit ms | model ms (in lime / in limekit) "
             "| lime overhead ms | limekit overhead ms | overhead ratio (lime/limekit) "
             "| total ratio |",
             "|" + "---|" * 10]
    for r in results:
        model = f"{r['model_ms']:.2f}"
        if r.get("limekit_model_ms", r["model_ms"]) != r["model_ms"]:
            model += f" / {r['limekit_model_ms']:.2f}"
        lines.append(
            f"| {r[key]} | {r['N']} | {r['K']} | {r['lime_ms']:.1f} | {r['limekit_ms']:.1f} "
            f"| {model} | {r['lime_overhead_ms']:.1f} "
            f"| {r['limekit_overhead_ms']:.1f} | {r['overhead_ratio']:.1f}× "
            f"| {r['total_ratio']:.1f}× |"
        )
    return "\n".join(lines)


def add_allocator_option(parser: argparse.ArgumentParser) -> None:
    """``--retain-freed-memory``: see :func:`apply_allocator_option`."""
    parser.add_argument("--retain-freed-memory", action="store_true",
                        help="keep freed memory for reuse (limekit.performance."
                             "retain_freed_memory), for lime and limekit alike")


def apply_allocator_option(args: argparse.Namespace) -> None:
    """Apply ``--retain-freed-memory`` to this process (both contenders run in it)."""
    if args.retain_freed_memory:
        from limekit.performance import retain_freed_memory

        print(f"retain_freed_memory: {retain_freed_memory()}", file=sys.stderr)


def emit_table(text: str, out: str | None) -> None:
    """Print the result table and, with ``--out``, also write it to that file."""
    print(text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
