"""Run one adapted lime tutorial cell by cell, with ``lime`` or with ``limekit.compat``.

Usage::

    python run_tutorial.py {lime,compat} OUT.json TUTORIAL.py [TUTORIAL.py ...]

A tutorial file holds a notebook's code cells, each starting with a
``# %% [n]`` line (``n``: the cell's index among the notebook's code cells).
The cells run in order in one namespace, like a notebook's "run all" that
carries on after an error; each cell's outcome (ok, or the exception and its
traceback) goes to ``OUT.json``. Several tutorials run one after the other in one
process, each in a fresh namespace with the seeds reset.

With ``compat``, the lime imports are rewritten the way a user migrates:
``from lime.X import Y`` -> ``from limekit.compat.X import Y``,
``from lime import X`` -> ``from limekit.compat import X`` and
``import lime[.X]`` -> ``import limekit.compat[.X]`` bound to the name ``lime``.
Nothing else differs between the two runs: same cells, same seeds (numpy's and
Python's global generators seeded with 0 before the first cell), matplotlib's
headless Agg backend, a minimal IPython stand-in whose ``display`` renders the
object to a string (so ``show_in_notebook`` runs headless), the tutorial's own
folder as working directory (``data/`` files) and on ``sys.path`` (the offline
stand-ins in ``_offline.py`` and ``pyDOE2.py``).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import tempfile
import traceback
import types

_CELL = re.compile(r"^# %% \[(\d+)\]\s*$", re.MULTILINE)
_FROM = re.compile(r"^(\s*)from lime((?:\.\w+)*) import ", re.MULTILINE)
_IMPORT = re.compile(r"^(\s*)import lime((?:\.\w+)*)\s*$", re.MULTILINE)


def split_cells(text: str) -> list[tuple[int, str]]:
    """``[(n, source), ...]`` for the ``# %% [n]`` cells of a tutorial file."""
    marks = list(_CELL.finditer(text))
    return [(int(m.group(1)), text[m.end():marks[i + 1].start() if i + 1 < len(marks) else None])
            for i, m in enumerate(marks)]


def to_compat(source: str) -> str:
    """The migration of a cell: lime's imports replaced by limekit.compat's."""
    source = _FROM.sub(lambda m: f"{m.group(1)}from limekit.compat{m.group(2)} import ", source)

    def _imp(m: re.Match) -> str:
        indent, sub = m.group(1), m.group(2)
        if not sub:
            return f"{indent}import limekit.compat as lime"
        return f"{indent}import limekit.compat{sub}; import limekit.compat as lime"

    return _IMPORT.sub(_imp, source)


def _install_ipython_stub() -> list[str]:
    shown: list[str] = []

    class HTML:
        def __init__(self, data=None, *args, **kwargs):
            self.data = data

    def display(*objs, **kwargs):
        for obj in objs:
            shown.append(obj.data if isinstance(obj, HTML) else repr(obj))

    ipython = types.ModuleType("IPython")
    core = types.ModuleType("IPython.core")
    core_display = types.ModuleType("IPython.core.display")
    disp = types.ModuleType("IPython.display")
    for mod in (core_display, disp):
        mod.HTML, mod.display = HTML, display
    ipython.core, core.display, ipython.display = core, core_display, disp
    ipython.get_ipython = lambda: None
    ipython.version_info = (8, 24, 0)  # matplotlib reads it; >= 8.24 asks for nothing more
    sys.modules.update({"IPython": ipython, "IPython.core": core,
                        "IPython.core.display": core_display, "IPython.display": disp})
    return shown


def run_cells(path: str, flavour: str) -> list[dict]:
    """Run one tutorial's cells in a fresh namespace; one outcome per cell."""
    import matplotlib.pyplot as plt
    import numpy as np

    here = os.path.dirname(os.path.abspath(path))
    os.chdir(here)
    with open(path, encoding="utf-8") as fh:
        cells = split_cells(fh.read())
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - the global stream the notebooks use
    tmp = tempfile.mkdtemp(prefix=f"lime-tutorial-{flavour}-")
    namespace: dict = {"__name__": "__main__", "_TMP": tmp}
    results = []
    for n, source in cells:
        code = to_compat(source) if flavour == "compat" else source
        entry = {"cell": n, "ok": True}
        try:
            exec(compile(code, f"<cell {n}>", "exec"), namespace)
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - a notebook cell may raise anything
            entry.update(ok=False, error=f"{type(err).__name__}: {err}"[:2000],
                         traceback="".join(traceback.format_exception(err))[-6000:])
        plt.close("all")
        results.append(entry)
    return results


def main(flavour: str, out: str, *paths: str) -> int:
    """Run each tutorial in ``paths`` in turn (one process: the imports are paid once)."""
    import matplotlib

    matplotlib.use("Agg")
    _install_ipython_stub()
    report = {}
    for path in paths:
        here = os.path.dirname(os.path.abspath(path))
        if here not in sys.path:
            sys.path.insert(0, here)
        report[os.path.basename(path)] = run_cells(path, flavour)
        print(f"[{flavour}] {os.path.basename(path)} done", flush=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"flavour": flavour, "tutorials": report}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], *sys.argv[3:]))
