"""Sphinx configuration of mlpinit's documentation site.

Build it with one command, from the repository root::

    sphinx-build -W docs docs/_build/html

(``pip install -e ".[docs]"`` first). ``-W`` turns every warning into an
error. The gallery runs ``examples/plot_*.py``; ``-D plot_gallery=0`` skips
running them (their pages then show the code without figures), and the
examples' own quick mode (``MLPINIT_QUICK=1`` in the environment) runs them
on small sizes.

The API reference (``api.rst``) is written here, at every build, from the
``__all__`` of each public module, so that no public name can be left out.
"""

import importlib
import inspect
import os
import pkgutil
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))

import mlpinit  # noqa: E402

# -- project ------------------------------------------------------------------
project = "mlpinit"
author = "mlpinit developers"
copyright = "mlpinit developers"  # noqa: A001
version = release = mlpinit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "readme_ecosystem.md", "**/*.md5", "**/*.ipynb"]
root_doc = "index"
default_role = "literal"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
# numpydoc lists each class's members itself; the class template does it here.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# Public modules are those without a leading underscore; __main__ is the
# command line, documented in Getting started.
_SKIP_MODULES = {"__main__"}


def public_api():
    """``[(module name, [public names])]``, each object listed once.

    The package's own ``__all__`` comes first (``mlpinit.MLPClassifier``);
    each public module then lists the names of its ``__all__`` (or, without
    one, the classes and functions it defines) not already listed.
    """
    sections, seen = [], set()

    def add(module, names):
        kept = []
        for name in names:
            obj = getattr(module, name)
            if name.startswith("__") or id(obj) in seen:
                continue
            seen.add(id(obj))
            kept.append(name)
        sections.append((module.__name__, kept))

    add(mlpinit, mlpinit.__all__)
    for info in sorted(pkgutil.iter_modules(mlpinit.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in _SKIP_MODULES:
            continue
        module = importlib.import_module(f"mlpinit.{info.name}")
        names = getattr(module, "__all__", None)
        if names is None:
            names = [
                name
                for name, obj in vars(module).items()
                if not name.startswith("_")
                and (inspect.isclass(obj) or inspect.isfunction(obj))
                and obj.__module__ == module.__name__
            ]
        add(module, names)
    return sections


def write_api_page(path):
    lines = [
        ".. This page is written by conf.py at every build; edit conf.py.",
        "",
        ".. _api:",
        "",
        "API reference",
        "=============",
        "",
        "Every public name of the package, module by module.",
        "",
    ]
    for module_name, names in public_api():
        title = f":mod:`{module_name}`"
        lines += [title, "-" * len(title), ""]
        lines += [f".. automodule:: {module_name}", "   :no-members:", ""]
        if module_name == "mlpinit":
            lines += [
                "The estimators, also importable from the modules below that "
                "define them.",
                "",
            ]
        if not names:
            lines += ["Its public names are listed above.", ""]
            continue
        lines += [
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: gen_modules/",
            "",
        ]
        lines += [f"   {name}" for name in names]
        lines += [""]
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


write_api_page(DOCS / "api.rst")

# numpydoc's References sections list works that the text need not cite.
suppress_warnings = ["ref.citation"]

# In a numpydoc type such as "ndarray of shape (n_features_in_,)", reST reads
# "n_features_in_" as a link to a target named "n_features_in". Escape the
# underscore of such attribute names in the type part of parameter lines.
_PARAMETER_LINE = re.compile(r"^(\s*[*\w][\w, *]*) : (.*)$")
_ATTRIBUTE_NAME = re.compile(r"(?<![`\\\w])([A-Za-z]\w*?)_(?=[,)\]])")


def _escape_attribute_names_in_types(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        match = _PARAMETER_LINE.match(line)
        if match:
            names, type_ = match.groups()
            lines[i] = names + " : " + _ATTRIBUTE_NAME.sub(r"\1\\_", type_)


def setup(app):
    # Before numpydoc turns the sections into reST (priority 500).
    app.connect(
        "autodoc-process-docstring", _escape_attribute_names_in_types, priority=400
    )


# -- gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Only plot_*.py run; the others (grid_search_dask.py) are shown as code.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"/_|__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("mlpinit",),
    "backreferences_dir": "gen_modules/backreferences",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "show_memory": False,
    "download_all_examples": False,
    "min_reported_time": 1,
}

# -- HTML ---------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": False,
        "secondary_sidebar_items": ["page-toc"],
    }
except ImportError:  # the docs extra brings it; alabaster comes with Sphinx
    html_theme = "alabaster"
html_title = f"mlpinit {release}"
html_static_path = ["_static"]
html_show_sourcelink = False
html_last_updated_fmt = None

# The examples run inside this process: no windows, and their own figure files
# (besides the ones the gallery captures) go under _build, not into examples/.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("MLPINIT_FIGURE_DIR", str(DOCS / "_build" / "example_figures"))
