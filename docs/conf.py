"""Sphinx configuration for the limekit documentation site.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` after
``pip install -e ".[docs]"``. Nothing here reaches the network: no intersphinx, no
remote images; the gallery runs the scripts in ``examples/`` during the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")

import limekit  # noqa: E402

project = "limekit"
author = "The limekit developers"
copyright = "2026, The limekit developers"
release = limekit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "myst_parser",
    # MathJax served from the site itself, so formulas render offline (no CDN)
    "sphinx-mathjax-offline",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json",
                    "auto_examples/*.md5", "sg_execution_times.rst"]
templates_path = ["_templates"]
default_role = "py:obj"
nitpicky = False

# --- API reference ----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
# Class pages list the methods a user can call, including those a public class inherits
# from limekit's own (often private) bases; members of builtins (BaseException's
# add_note and with_traceback on the exception classes included) and ABC are left out.
autodoc_default_options = {"members": True,
                           "inherited-members": "object,list,tuple,dict,BaseException,ABC",
                           "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every rule but the ones that ask for sections a small library does not need everywhere:
# see-also (SA01), extended summary (ES01), examples (EX01).
numpydoc_validation_checks = {"all", "SA01", "ES01", "EX01"}
numpydoc_validation_exclude = {r"\.__init__$", r"\.__repr__$", r"\._repr_html_$",
                               r"\.__post_init__$", r"\.__eq__$", r"\.__hash__$",
                               # constants and class attributes documented by a one-line ``#:``
                               # comment (numpydoc reads it as an unterminated docstring: GL02)
                               r"\.[A-Z][A-Z0-9_]+$", r"\.wants_position$"}
numpydoc_validation_overrides = {
    # Result records (dataclasses users receive, not build) document their fields under
    # Attributes and have no Parameters section: do not ask for one.
    "PR01": [r"(?m)\A(?![\s\S]*^\s*Parameters\n\s*-{3,}$)[\s\S]*^\s*Attributes\n\s*-{3,}$"],
}


def _skip_namedtuple_fields(app, what, name, obj, skip, options):
    """Leave out a NamedTuple's "Alias for field number N" properties (its docstring lists them)."""
    if (getattr(obj, "__doc__", None) or "").startswith("Alias for field number"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_namedtuple_fields)


# --- gallery ----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every example during the build
    "ignore_pattern": r"(^|/)_",
    "plot_gallery": os.environ.get("LIMEKIT_DOCS_NO_GALLERY", "") in ("", "0"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "matplotlib_animations": False,
}

# --- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"limekit {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]
