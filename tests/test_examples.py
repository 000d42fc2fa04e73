"""The gallery scripts in examples/ are well formed (cheap: nothing is executed here;
the documentation build runs them)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def test_there_are_enough_examples():
    assert len(SCRIPTS) >= 12, [p.name for p in SCRIPTS]
    assert (EXAMPLES / "README.rst").is_file()


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_example_compiles_and_has_a_title(path):
    source = path.read_text(encoding="utf-8")
    tree = compile(source, str(path), "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    compile(tree, str(path), "exec", dont_inherit=True)
    doc = ast.get_docstring(tree, clean=False)
    assert doc, f"{path.name} has no module docstring"
    lines = doc.strip("\n").splitlines()
    # sphinx-gallery: an rst title (text underlined with = of at least its length),
    # then a paragraph
    assert len(lines) >= 4, f"{path.name}: the docstring needs a title and a paragraph"
    title, underline = lines[0].strip(), lines[1].strip()
    assert title and re.fullmatch(r"=+", underline), f"{path.name}: no '====' title"
    assert len(underline) >= len(title), f"{path.name}: title underline too short"
    assert any(line.strip() for line in lines[2:]), f"{path.name}: no paragraph after title"
    assert "# %%" in source, f"{path.name}: no '# %%' cells"
