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
# No default members: api.rst's automodule directives show the module
# docstrings only. Each class page (_templates/autosummary/class.rst) lists its
# public methods itself, the inherited ones too (``score`` comes from
# scikit-learn's mixins); _skip_member leaves out the ones a user of mlpinit
# does not call.
autodoc_member_order = "groupwise"
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


# The benchmark's functions are the command line's building blocks, not the
# library's API: they get a page of their own, out of the estimators' sidebar.
_INTERNAL_PREFIX = "mlpinit.benchmark"


def _page_header(label, title, intro):
    return [
        ".. This page is written by conf.py at every build; edit conf.py.",
        "",
        f".. _{label}:",
        "",
        title,
        "=" * len(title),
        "",
        intro,
        "",
    ]


def _write_if_changed(path, lines):
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_api_pages(path, internals_path):
    sections = public_api()
    public = [s for s in sections if not s[0].startswith(_INTERNAL_PREFIX)]
    internal = [s for s in sections if s[0].startswith(_INTERNAL_PREFIX)]
    lines = _page_header(
        "api", "API reference", "Every public name of the package, module by module."
    )
    lines += _api_sections(public)
    lines += [
        "Benchmark internals",
        "-------------------",
        "",
        "The functions behind ``python -m mlpinit benchmark`` have a page of "
        f"their own, :doc:`{internals_path.stem}`, outside this page's "
        "table of contents so that the sidebar lists the library's API only.",
        "",
    ]
    _write_if_changed(path, lines)
    internals = [":orphan:", ""] + _page_header(
        "api_benchmark",
        "Benchmark internals",
        "The building blocks of ``python -m mlpinit benchmark`` (see "
        ":doc:`benchmarks`), for scripts that time their own workloads.",
    )
    _write_if_changed(internals_path, internals + _api_sections(internal))


def _api_sections(sections):
    lines = []
    for module_name, names in sections:
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
    return lines


write_api_pages(DOCS / "api.rst", DOCS / "api_benchmark.rst")

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


# scikit-learn's metadata-routing methods (``set_fit_request`` and the like)
# are generated per class; their docstrings are scikit-learn's concern, their
# labels fail -W, and nobody calls them on an MLP without routing enabled.
_ROUTING_MEMBER = re.compile(r"^(set_\w+_request|get_metadata_routing)$")


def _skip_member(app, what, name, obj, skip, options):
    if what == "class" and _ROUTING_MEMBER.match(name):
        return True
    return None


# scikit-learn's names link to its site without the network at build time:
# intersphinx would download scikit-learn's inventory, so the few kinds of
# target mlpinit's pages use are mapped to the pages of its stable docs here.
_SKLEARN_DOCS = "https://scikit-learn.org/stable/"


def _sklearn_url(target, reftype):
    if reftype == "mod":
        return f"{_SKLEARN_DOCS}api/{target}.html"
    # A method or attribute is an anchor on its class's page.
    page = target.rsplit(".", 1)[0] if reftype in ("meth", "attr") else target
    return f"{_SKLEARN_DOCS}modules/generated/{page}.html#{target}"


def _link_sklearn(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("sklearn"):
        return None
    from docutils import nodes

    link = nodes.reference(
        "", "", internal=False, refuri=_sklearn_url(target, node["reftype"])
    )
    link += contnode
    return link


def _example_figures_beside_the_output(app, config):
    # The examples save extra figures to $MLPINIT_FIGURE_DIR; without it they
    # would land in the source tree. Next to the doctrees, whatever -d says.
    default = Path(app.doctreedir).parent / "example_figures"
    os.environ.setdefault("MLPINIT_FIGURE_DIR", str(default))


# Inherited scikit-learn docstrings (``score``, ``set_output``) cite labels of
# scikit-learn's own site with :ref:, which do not exist here: keep their text.
_SKLEARN_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`|:ref:`([^`]+)`")


def _unlink_sklearn_labels(app, what, name, obj, options, lines):
    if not getattr(obj, "__module__", "").startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_REF.sub(lambda m: f"*{m.group(1) or m.group(2)}*", line)


def setup(app):
    # Before numpydoc turns the sections into reST (priority 500).
    app.connect(
        "autodoc-process-docstring", _escape_attribute_names_in_types, priority=400
    )
    app.connect("autodoc-process-docstring", _unlink_sklearn_labels)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _link_sklearn)
    # Before sphinx-gallery runs the examples.
    app.connect("config-inited", _example_figures_beside_the_output, priority=100)


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
        # Every top-level page in the header, none under a "More" menu.
        "header_links_before_dropdown": 10,
    }
except ImportError:  # the docs extra brings it; alabaster comes with Sphinx
    html_theme = "alabaster"
html_title = f"mlpinit {release}"
html_static_path = ["_static"]
html_show_sourcelink = False
html_last_updated_fmt = None

# The examples run inside this process: no windows. Their own figure files
# (besides the ones the gallery captures) go beside the build's output: see
# _example_figures_beside_the_output.
os.environ.setdefault("MPLBACKEND", "Agg")
