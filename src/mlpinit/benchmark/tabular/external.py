"""Rows fitted in another environment: RealMLP-TD from its results file.

``benchmarks/realmlp_runner.py`` fits pytabkit's RealMLP-TD (torch) in an
environment of its own and writes a JSON file; :func:`add_external` merges
its results into a suite's, keeping only the results of the suite's data
sets and splits whose data fingerprint matches the suite's own (the same
numbers were fitted). Its note says what was kept and what was not.
"""

import json
from pathlib import Path

FORMAT = "mlpinit-tabular-external/1"


def read_external(path):
    """The header and results of a results file written by the runner.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    header : dict
        Everything but the results (model name, versions, load averages).
    results : list of dict
        One per fit: dataset, split, task, score, fit_seconds, fingerprint.
    """
    document = json.loads(Path(path).read_text())
    if document.get("format") != FORMAT:
        raise ValueError(
            f"{path}: not a results file of benchmarks/realmlp_runner.py "
            f"(format {document.get('format')!r}, expected {FORMAT!r})"
        )
    results = document.pop("results")
    return document, results


def _load_of(result):
    """The 1-minute load average when the external fit ended, if recorded."""
    load = result.get("load_average")
    return {"load": round(float(load[0]), 2)} if load else {}


def add_external(suite, path):
    """Merge an external results file into ``suite`` (in place).

    Parameters
    ----------
    suite : dict
        What :func:`~mlpinit.benchmark.tabular.run_suite` returned.
    path : str or Path or None
        The runner's JSON file; None, or a missing file, adds nothing.

    Returns
    -------
    str
        A note for the output: what the external rows cover.
    """
    if path is None:
        return (
            "RealMLP-TD: not shown (no --realmlp results file; "
            "benchmarks/realmlp_runner.py writes one where pytabkit is installed)"
        )
    if not Path(path).exists():
        return f"RealMLP-TD: not shown ({path} does not exist)"
    header, results = read_external(path)
    model = header.get("model", "external")
    fingerprints = suite["fingerprints"]
    kept, mismatched = [], set()
    for result in results:
        name, split = result["dataset"], result["split"]
        if name not in fingerprints or split >= suite["n_splits"]:
            continue
        if result["fingerprint"] != fingerprints[name]:
            mismatched.add(name)
            continue
        kept.append(
            {
                "model": model,
                "config": "external",
                "dataset": name,
                "fingerprint": result["fingerprint"],
                "split": split,
                "task": result["task"],
                "score": float(result["score"]),
                "fit_seconds": float(result["fit_seconds"]),
                "cached": True,
                **_load_of(result),
            }
        )
    if kept and model not in suite["models"]:
        suite["models"].append(model)
    suite["results"].extend(kept)
    expected = len(fingerprints) * suite["n_splits"]
    covered = {r["dataset"] for r in kept}
    note = (
        f"{model}: read from {path}; {len(kept)} of {expected} fits "
        f"({len(covered)} of {len(fingerprints)} data sets)"
    )
    if not header.get("complete", False):
        note += "; the file is from an unfinished run"
    if mismatched:
        note += f"; left out, fitted on other data: {', '.join(sorted(mismatched))}"
    return note
