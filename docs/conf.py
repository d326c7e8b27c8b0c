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
import importlib.util
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


def _bundled_mathjax():
    """The folder holding ``mathjax/`` of the docs extra's
    sphinx-mathjax-offline (MathJax 3, fonts included), or None.

    Sphinx's default loads MathJax from a CDN, so a site opened without the
    network shows raw LaTeX. The package's module name has hyphens: it is
    found, not imported, and only its files are used.
    """
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    static = Path(list(spec.submodule_search_locations)[0]) / "static"
    return static if (static / "mathjax" / "tex-chtml.js").is_file() else None


_MATHJAX = _bundled_mathjax()
if _MATHJAX is not None:
    # Copied into _static/mathjax/ with the site's own static files.
    mathjax_path = "mathjax/tex-chtml.js"
else:
    print(
        "conf.py: sphinx-mathjax-offline is not installed (pip install -e "
        '".[docs]"): the formulas load MathJax from a CDN and need the network'
    )

templates_path = ["_templates"]
# The page's table of contents (right-hand side) names a method ``fit()``,
# not ``MLPClassifier.fit()``, so that it is not cut off.
toc_object_entries_show_parents = "hide"
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


def _module_page(module_name):
    return f"api_{module_name}"


def write_api_pages(path, internals_path):
    """``api.rst``, one page per public module under it, and the benchmark
    internals' page of their own.

    Each module has a page titled by its dotted name, and each name's page is
    titled in full, ``mlpinit.initializers.register``: the sidebar then
    groups the API by module, and no bare name is ambiguous.
    """
    sections = public_api()
    public = [s for s in sections if not s[0].startswith(_INTERNAL_PREFIX)]
    internal = [s for s in sections if s[0].startswith(_INTERNAL_PREFIX)]
    lines = _page_header(
        "api",
        "API reference",
        "Every public name of the package, module by module; the estimators "
        "are also importable from the modules that define them.",
    )
    # titlesonly: the module pages and their names, not the headings of the
    # module docstrings.
    lines += [".. toctree::", "   :maxdepth: 2", "   :titlesonly:", ""]
    lines += [f"   {_module_page(name)}" for name, _ in public]
    lines += [
        "",
        "Benchmark internals",
        "-------------------",
        "",
        "The functions behind ``python -m mlpinit benchmark`` have a page of "
        f"their own, :doc:`{internals_path.stem}`, outside this page's "
        "table of contents so that the sidebar lists the library's API only.",
        "",
    ]
    _write_if_changed(path, lines)
    for module_name, names in public:
        page = [
            ".. This page is written by conf.py at every build; edit conf.py.",
            "",
            module_name,
            "=" * len(module_name),
            "",
        ]
        page += _api_section_body(module_name, names)
        _write_if_changed(DOCS / f"{_module_page(module_name)}.rst", page)
    internals = [":orphan:", ""] + _page_header(
        "api_benchmark",
        "Benchmark internals",
        "The building blocks of ``python -m mlpinit benchmark`` (see "
        ":doc:`benchmarks`), for scripts that time their own workloads.",
    )
    _write_if_changed(internals_path, internals + _api_sections(internal))


def _api_section_body(module_name, names):
    lines = [f".. automodule:: {module_name}", "   :no-members:", ""]
    if module_name == "mlpinit":
        lines += [
            "The estimators, also importable from the modules that define them.",
            "",
        ]
    if not names:
        return lines + _documented_elsewhere(module_name)
    # Bare names under currentmodule (autosummary refuses dotted ones after
    # automodule); each page's title is the full name (_templates/autosummary).
    lines += [f".. currentmodule:: {module_name}", ""]
    lines += [".. autosummary::", "   :toctree: gen_modules/", ""]
    lines += [f"   {name}" for name in names]
    return lines + [""]


def _documented_elsewhere(module_name):
    """Links to this module's public names, which another page documents."""
    exported = getattr(importlib.import_module(module_name), "__all__", [])
    links = [f":obj:`~mlpinit.{name}`" for name in exported if hasattr(mlpinit, name)]
    if not links:
        return ["Its public names are listed on other pages.", ""]
    text = "Its public names are documented with :mod:`mlpinit`: "
    return [text + ", ".join(links) + ".", ""]


def _api_sections(sections):
    lines = []
    for module_name, names in sections:
        title = f":mod:`{module_name}`"
        lines += [title, "-" * len(title), ""]
        lines += _api_section_body(module_name, names)
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


def _quick_build():
    return os.environ.get("MLPINIT_QUICK", "") not in ("", "0")


def _recorded_outputs(example):
    """The output files an example records for the docs (``FIGURE_DIR /
    "name.txt"``) that docs/_static holds from a full run."""
    names = re.findall(r'FIGURE_DIR / "(\w+\.txt)"', example.read_text())
    return [name for name in names if (DOCS / "_static" / name).is_file()]


def _quick_build_warning(docname):
    """The warning a quick build puts at the top of a gallery page: its numbers
    and figures are a small run's, and the full run's recorded output."""
    lines = [
        ".. admonition:: Quick build: these numbers are not the record",
        "   :class: warning mlpinit-quick-build",
        "",
        "   This site was built with ``MLPINIT_QUICK=1``: the examples of the",
        "   gallery ran on small sizes, to check that they work, so their figures",
        "   and printed numbers need not show what their titles say. The record is",
        "   the full run",
        "   (:doc:`/measured_claims`; a build without ``MLPINIT_QUICK`` reruns it).",
        "",
    ]
    example = ROOT / "examples" / (docname.split("/", 1)[1] + ".py")
    recorded = _recorded_outputs(example) if example.is_file() else []
    if recorded:
        lines += ["   The full run's recorded output:", ""]
        for name in recorded:
            lines += [
                f"   .. literalinclude:: /_static/{name}",
                "      :language: none",
                "",
            ]
    return "\n".join(lines) + "\n"


_LEADING_FIELDS = re.compile(r"(?:[ \t]*\n)*(?::[\w-]+:[^\n]*\n)+")


def _mark_quick_gallery_pages(app, docname, source):
    # Every page a quick build changes is a gallery page: an example's, and
    # the gallery's index with its thumbnails. (Not the execution-times page,
    # whose :orphan: must stay its first line.)
    if not (_quick_build() and docname.startswith("auto_examples/")):
        return
    stem = docname.split("/", 1)[1]
    if stem == "index" or (ROOT / "examples" / f"{stem}.py").is_file():
        # After the page's leading field list (the index's :orphan:), which
        # must stay first to count.
        fields = _LEADING_FIELDS.match(source[0])
        at = fields.end() if fields else 0
        warning = _quick_build_warning(docname)
        source[0] = source[0][:at] + "\n" + warning + "\n" + source[0][at:]


def setup(app):
    app.connect("source-read", _mark_quick_gallery_pages)
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
def _examples_mode_changed():
    """Whether the last build ran the examples in the other mode (quick/full).

    sphinx-gallery reruns an example only when its source changed, so a full
    build after a quick one would show the quick run's numbers and figures.
    """
    mode = "quick" if _quick_build() else "full"
    stamp = DOCS / "auto_examples" / ".examples_mode"
    changed = not stamp.is_file() or stamp.read_text() != mode
    stamp.parent.mkdir(exist_ok=True)
    stamp.write_text(mode)
    return changed


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
    "run_stale_examples": _examples_mode_changed(),
}

# -- HTML ---------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": False,
        "secondary_sidebar_items": ["page-toc"],
        # A class page's table of contents lists its methods too.
        "show_toc_level": 2,
        # Every top-level page in the header, none under a "More" menu.
        "header_links_before_dropdown": 15,
    }
except ImportError:  # the docs extra brings it; alabaster comes with Sphinx
    html_theme = "alabaster"
html_title = f"mlpinit {release}"
# The top-level pages have no section navigation: without the empty left
# sidebar their text, tables and figures get its width.
html_sidebars = {
    page: []
    for page in [
        "index",
        "getting_started",
        "user_guide",
        "choosing",
        "init_depth",
        "measured_claims",
        "ecosystem",
        "benchmarks",
        "changelog",
        "references",
    ]
}
html_static_path = ["_static"] + ([str(_MATHJAX)] if _MATHJAX else [])
# Wide tables and code blocks scroll sideways instead of running off the page.
html_css_files = ["mlpinit.css"]
html_show_sourcelink = False
html_last_updated_fmt = None

# The examples run inside this process: no windows. Their own figure files
# (besides the ones the gallery captures) go beside the build's output: see
# _example_figures_beside_the_output.
os.environ.setdefault("MPLBACKEND", "Agg")
