"""The documentation site builds with warnings as errors, and misses nothing."""

import importlib
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mlpinit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _public_names():
    """Every name in the ``__all__`` of mlpinit and of its public modules."""
    names = {f"mlpinit.{n}" for n in mlpinit.__all__ if not n.startswith("__")}
    for info in pkgutil.iter_modules(mlpinit.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mlpinit.{info.name}")
        names |= {f"{module.__name__}.{n}" for n in getattr(module, "__all__", [])}
    return names


def _extras():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(ROOT / "pyproject.toml", "rb") as f:
        return sorted(tomllib.load(f)["project"]["optional-dependencies"])


def test_getting_started_lists_every_extra():
    text = (DOCS / "getting_started.rst").read_text()
    for extra in _extras():
        assert f"``{extra}``" in text, f"extra {extra!r} is not in Getting started"


def test_readme_links_the_docs_build_and_each_extra():
    readme = (ROOT / "README.md").read_text()
    assert "sphinx-build -W docs docs/_build/html" in readme
    for extra in _extras():
        assert re.search(rf"`{extra}`|\[{extra}\]|\b{extra}\b", readme), extra


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """Build the site once, as the README says, into a temporary directory."""
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("numpydoc")
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("docs")
    env = dict(os.environ, MLPINIT_QUICK="1", MPLBACKEND="Agg")
    # conf.py chooses where the examples' own figures go: beside the output.
    env.pop("MLPINIT_FIGURE_DIR", None)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        # Run every example again, even if an earlier build already did.
        "-D",
        "sphinx_gallery_conf.run_stale_examples=True",
        "-d",
        str(out / "doctrees"),
        str(DOCS),
        str(out / "html"),
    ]
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, (
        f"sphinx-build -W failed after {seconds:.0f} s:\n"
        + result.stdout[-3000:]
        + result.stderr[-6000:]
    )
    return out / "html"


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(built_site):
    for page in [
        "index",
        "getting_started",
        "user_guide",
        "ecosystem",
        "api",
        "benchmarks",
        "changelog",
        "auto_examples/index",
    ]:
        assert (built_site / f"{page}.html").is_file(), page


@pytest.mark.slow
def test_api_reference_has_a_page_for_every_public_name(built_site):
    pages = {p.stem for p in (built_site / "gen_modules").glob("*.html")}
    documented = set(pages)
    for name in _public_names():
        # A re-exported object is documented once, under its shortest name.
        module, _, attr = name.rpartition(".")
        obj = getattr(importlib.import_module(module), attr)
        shortest = f"mlpinit.{attr}" if getattr(mlpinit, attr, None) is obj else name
        assert shortest in documented, f"{name} has no API page"


@pytest.mark.slow
def test_gallery_runs_the_plot_examples_and_embeds_figures(built_site):
    examples = sorted((ROOT / "examples").glob("plot_*.py"))
    if not examples:
        pytest.skip("no examples/plot_*.py yet")
    for example in examples:
        page = built_site / "auto_examples" / f"{example.stem}.html"
        assert page.is_file(), example.name
        html = page.read_text()
        if "plt." in example.read_text() or "plotting" in example.read_text():
            assert re.search(r"<img[^>]+sphx_glr_" + example.stem, html), (
                f"{example.name} drew no figure in the gallery"
            )


@pytest.mark.slow
def test_benchmarks_page_shows_the_recorded_run(built_site):
    import json

    html = (built_site / "benchmarks.html").read_text()
    rows = json.loads((DOCS / "_static" / "benchmark.json").read_text())["rows"]
    assert rows, "docs/_static/benchmark.json has no rows"
    for row in rows:
        assert row["workload"] in html
        assert f"{row['speedup']:.2f}x" in html
    assert "benchmark.png" in html


# The public methods each class page must document, by their HTML anchors.
CLASS_METHODS = {
    "MLPClassifier": ["fit", "partial_fit", "predict", "predict_proba", "score"],
    "MLPRegressor": ["fit", "partial_fit", "predict", "score"],
    "MeanNormStandardizer": ["fit", "partial_fit", "transform", "inverse_transform"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLASS_METHODS))
def test_class_pages_list_their_public_methods(built_site, name):
    html = (built_site / "gen_modules" / f"mlpinit.{name}.html").read_text()
    anchors = set(re.findall(rf'id="mlpinit\.{name}\.(\w+)"', html))
    for method in CLASS_METHODS[name]:
        assert method in anchors, f"{name}'s page does not document {method}"
        assert callable(getattr(getattr(mlpinit, name), method))
    # scikit-learn's generated metadata-routing setters stay out.
    assert not {a for a in anchors if a.endswith("_request")}


@pytest.mark.slow
def test_benchmark_internals_stay_out_of_the_api_page(built_site):
    api = (built_site / "api.html").read_text()
    assert "mlpinit.MLPClassifier" in api
    assert "format_row" not in api and "save_json" not in api
    assert "format_row" in (built_site / "api_benchmark.html").read_text()


@pytest.mark.slow
def test_examples_save_their_figures_beside_the_output(built_site):
    # -d puts the doctrees beside html/; the examples' figures go there too,
    # not into docs/_build of the source tree.
    saved = {p.name for p in (built_site.parent / "example_figures").glob("*.png")}
    assert "activation_statistics.png" in saved, sorted(saved)


def _recorded_outputs():
    """The example outputs measured_claims.rst includes, by file name."""
    text = (DOCS / "measured_claims.rst").read_text()
    return re.findall(r"\.\. literalinclude:: _static/(\w+\.txt)", text)


def test_claims_page_quotes_every_examples_recorded_output():
    recorded = _recorded_outputs()
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        # Each plot example records its printed lines for the claims page,
        # and ends with the sentence that says what they show.
        names = re.findall(r'FIGURE_DIR / "(\w+\.txt)"', example.read_text())
        assert names, f"{example.name} records no output"
        for name in names:
            assert name in recorded, f"measured_claims.rst does not show {name}"
    for name in recorded:
        text = (DOCS / "_static" / name).read_text()
        # The closing sentence, wrapped to a terminal's width, comes last.
        closing = text.split("\nWhat it shows: ")
        assert len(closing) == 2 and closing[1].strip(), name
        assert max(len(line) for line in closing[1].splitlines()) <= 79, name


def test_claims_page_prose_quotes_no_measured_figure():
    # Numbers belong in the recorded outputs, which the scripts write: the
    # prose may state settings (layer counts, learning rates) but no figure
    # with three significant digits or an exponent, the scripts' formats.
    text = (DOCS / "measured_claims.rst").read_text()
    prose = re.sub(r"(?m)^(\.\. |   ).*$", "", text)
    figures = re.findall(r"\b\d\.\d{2,}\b|\b\d+(?:\.\d+)?e[-+]?\d+\b", prose)
    assert not figures, figures


@pytest.mark.slow
def test_gallery_pages_end_with_what_they_show(built_site):
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        html = (built_site / "auto_examples" / f"{example.stem}.html").read_text()
        assert "What it shows:" in html, example.name


@pytest.mark.slow
def test_user_guide_tables_keep_their_header_rows(built_site):
    html = (built_site / "user_guide.html").read_text()
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html, flags=re.S)
    assert any("MeanNormStandardizer" in h for h in headers), headers
    assert any("StandardScaler" in h for h in headers), headers


@pytest.mark.slow
def test_site_cites_the_article_and_links_the_gallery(built_site):
    references = (built_site / "references.html").read_text()
    for work in ["Optimization problem", "Glorot", "He,", "Saxe", "Mishkin"]:
        assert work in references, work
    assert "Klambauer" in references
    for page in ["user_guide", "getting_started", "index"]:
        assert "auto_examples/index.html" in (built_site / f"{page}.html").read_text()


@pytest.mark.slow
def test_scikit_learn_names_link_to_its_site(built_site):
    # Resolved without the network (conf.py's missing-reference handler).
    html = (built_site / "user_guide.html").read_text()
    assert (
        'href="https://scikit-learn.org/stable/modules/generated/'
        "sklearn.preprocessing.StandardScaler.html" in html
    )


@pytest.mark.slow
def test_a_quick_build_says_so_on_every_page_it_changes(built_site):
    # built_site is a quick build (MLPINIT_QUICK=1): every gallery page, the
    # index with its thumbnails included, says its numbers are not the record
    # and shows the full run's recorded output where the example records one.
    pages = ["index"] + [p.stem for p in (ROOT / "examples").glob("plot_*.py")]
    for page in pages:
        html = (built_site / "auto_examples" / f"{page}.html").read_text()
        assert "Quick build: these numbers are not the record" in html, page
    # The index keeps its :orphan: field (metadata, not text on the page).
    assert "orphan:" not in (built_site / "auto_examples" / "index.html").read_text()
    deep = (built_site / "auto_examples" / "plot_deep_relu.html").read_text()
    recorded = (DOCS / "_static" / "deep_relu.txt").read_text().splitlines()[0]
    assert recorded.split(":")[0].strip() in deep
    # The pages a quick build does not change say nothing of it.
    assert "Quick build" not in (built_site / "measured_claims.html").read_text()


@pytest.mark.slow
def test_math_is_served_by_the_site_itself(built_site):
    import importlib.util

    if importlib.util.find_spec("sphinx-mathjax-offline") is None:
        pytest.skip("sphinx-mathjax-offline (the docs extra) is not installed")
    html = (built_site / "user_guide.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', html)
    assert scripts and not any(s.startswith(("http:", "https:", "//")) for s in scripts)
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    fonts = built_site / "_static" / "mathjax" / "output" / "chtml" / "fonts"
    assert any(fonts.rglob("*.woff"))


@pytest.mark.slow
def test_api_sidebar_groups_dotted_names_by_module(built_site):
    api = (built_site / "api.html").read_text()
    assert 'href="api_mlpinit.initializers.html"' in api
    # ``register`` alone was ambiguous in the old flat sidebar; its page now
    # carries the module it belongs to.
    page = (built_site / "gen_modules" / "mlpinit.onnx.register.html").read_text()
    assert "<h1>mlpinit.onnx.register" in page


def test_getting_started_extras_table_names_every_package():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(ROOT / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    text = (DOCS / "getting_started.rst").read_text().lower()
    table = text.split("extra          what it installs")[1].split("for example")[0]
    for extra, requirements in extras.items():
        row = table.split(f"``{extra}``")[1].split("``")[0]
        for requirement in requirements:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower()
            if name != "mlpinit":
                assert name in row, f"{name} of the {extra!r} extra"
