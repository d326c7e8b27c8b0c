"""The suite's summary: scores per set, mean ranks, wins/ties/losses, fit
times; as a plain or Markdown table, JSON and a figure.

- **score**: mean ± standard deviation (ddof=1; 0 for one split) over the
  splits, test accuracy or R².
- **mean rank**: on each data set the models are ranked by their mean score
  over the splits they all have (1 = best, ties share the average rank);
  the mean over the data sets every model has.
- **wins / ties / losses** against the reference (scikit-learn's MLP), per
  data set, on the splits both have: see :data:`TIE_RULE`.
- **median fit seconds** over every fit of the model; the ratio to
  RealMLP-TD's is the ratio of the two medians over the (data set, split)
  pairs both have.
"""

import json
import math
from pathlib import Path

import numpy as np

from mlpinit.benchmark.tabular.models import REALMLP, REFERENCE

TIE_ABS = 0.005
TIE_RULE = (
    "tie: |mean paired difference| <= max(0.005, its standard error over the "
    "splits); win or loss otherwise, by the sign"
)


def _load_notes(suite, info):
    """Where the fit seconds were measured: the machine's load at each fit.

    Cached fits keep the load of the run that made them, so this run's own
    load averages describe only the fits it ran.
    """
    results = suite["results"]
    cached = sum(r["cached"] for r in results)
    notes = [f"{cached} of {len(results)} fits read from a cache or results file"]
    load = info.get("load_average") or {}
    if load.get("before") and load.get("after") and cached < len(results):
        before, after = (
            ", ".join(f"{x:.2f}" for x in load[k]) for k in ("before", "after")
        )
        notes.append(
            f"this run's load average (1, 5, 15 min) before: {before}; after: {after}"
        )
    per_model = []
    for model in suite["models"]:
        loads = sorted(
            r["load"] for r in results if r["model"] == model and "load" in r
        )
        if loads:
            per_model.append(
                f"{model} {loads[len(loads) // 2]:.1f} ({loads[0]:.1f}-{loads[-1]:.1f})"
            )
    if per_model:
        notes.append(
            "1-minute load average at the fits, median (range): " + "; ".join(per_model)
        )
    return notes


def scores_by_model(results, field="score"):
    """``{model: {dataset: {split: value}}}`` of the results."""
    table = {}
    for record in results:
        by_set = table.setdefault(record["model"], {})
        by_set.setdefault(record["dataset"], {})[record["split"]] = record[field]
    return table


def _mean_std(values):
    values = np.asarray(values, dtype=float)
    std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return float(values.mean()), std


def _average_ranks(values):
    """Ranks of ``values``, 1 for the largest, ties sharing the average."""
    values = np.asarray(values, dtype=float)
    ranks = np.empty(len(values))
    for i, value in enumerate(values):
        above = np.sum(values > value)
        equal = np.sum(values == value)
        ranks[i] = above + (equal + 1) / 2
    return ranks


def mean_ranks(scores, models):
    """Mean rank of each model over the data sets all of them have.

    Parameters
    ----------
    scores : dict
        ``{model: {dataset: {split: score}}}``.
    models : list of str

    Returns
    -------
    ranks : dict of str to float
        NaN for every model when no data set has them all.
    datasets : list of str
        The data sets the ranks are taken over.
    """
    common = None
    for model in models:
        sets = set(scores.get(model, {}))
        common = sets if common is None else common & sets
    ranked, totals = [], np.zeros(len(models))
    for dataset in sorted(common or ()):
        splits = set.intersection(*(set(scores[m][dataset]) for m in models))
        if not splits:
            continue
        means = [
            np.mean([scores[m][dataset][s] for s in sorted(splits)]) for m in models
        ]
        totals += _average_ranks(means)
        ranked.append(dataset)
    if not ranked:
        return {model: math.nan for model in models}, []
    return {m: float(t / len(ranked)) for m, t in zip(models, totals)}, ranked


def verdict(model_splits, reference_splits, tie=TIE_ABS):
    """ "win", "tie" or "loss" of a model against the reference on one set.

    Parameters
    ----------
    model_splits, reference_splits : dict of int to float
        Score by split.
    tie : float, default=0.005
        The absolute part of :data:`TIE_RULE`.

    Returns
    -------
    str or None
        None when they share no split.
    """
    splits = sorted(set(model_splits) & set(reference_splits))
    if not splits:
        return None
    diffs = np.array([model_splits[s] - reference_splits[s] for s in splits])
    mean = float(diffs.mean())
    se = float(diffs.std(ddof=1) / math.sqrt(len(diffs))) if len(diffs) > 1 else 0.0
    if abs(mean) <= max(tie, se):
        return "tie"
    return "win" if mean > 0 else "loss"


def wins_ties_losses(scores, model, reference=REFERENCE):
    """Counts of :func:`verdict` over the data sets, and the verdicts."""
    verdicts = {}
    for dataset, splits in scores.get(model, {}).items():
        outcome = verdict(splits, scores.get(reference, {}).get(dataset, {}))
        if outcome is not None:
            verdicts[dataset] = outcome
    counts = [
        sum(v == kind for v in verdicts.values()) for kind in ("win", "tie", "loss")
    ]
    return tuple(counts), verdicts


def _median_fit(seconds, model, pairs=None):
    values = [
        value
        for dataset, splits in seconds.get(model, {}).items()
        for split, value in splits.items()
        if pairs is None or (dataset, split) in pairs
    ]
    return float(np.median(values)) if values else math.nan


def _pairs(seconds, model):
    return {(d, s) for d, splits in seconds.get(model, {}).items() for s in splits}


def summarize(suite, reference=REFERENCE, realmlp=REALMLP):
    """Per-set scores and the per-model summary of a suite's results.

    Returns
    -------
    dict
        ``"per_dataset"``: ``{dataset: {model: {"mean", "std", "n"}}}``;
        ``"models"``: ``{model: {"mean_rank", "wins", "ties", "losses",
        "median_fit_seconds", "fit_ratio_to_realmlp"}}``; ``"ranked_on"``:
        the data sets of the ranks; ``"tie_rule"``.
    """
    results, models = suite["results"], suite["models"]
    scores = scores_by_model(results)
    seconds = scores_by_model(results, "fit_seconds")
    per_dataset = {}
    for dataset in suite["datasets"]:
        row = per_dataset[dataset] = {}
        for model in models:
            splits = scores.get(model, {}).get(dataset)
            if splits:
                mean, std = _mean_std(list(splits.values()))
                row[model] = {"mean": mean, "std": std, "n": len(splits)}
    present = [m for m in models if m in scores]
    ranks, ranked_on = mean_ranks(scores, present)
    summary = {}
    for model in present:
        (wins, ties, losses), verdicts = wins_ties_losses(scores, model, reference)
        if reference not in scores:
            wins = ties = losses = None  # nothing to compare with
        ratio = math.nan
        if realmlp in seconds and model != realmlp:
            common = _pairs(seconds, model) & _pairs(seconds, realmlp)
            if common:
                ratio = _median_fit(seconds, model, common) / _median_fit(
                    seconds, realmlp, common
                )
        summary[model] = {
            "mean_rank": ranks[model],
            "wins": wins,
            "ties": ties,
            "losses": losses,
            "verdicts": verdicts,
            "median_fit_seconds": _median_fit(seconds, model),
            "fit_ratio_to_realmlp": ratio,
        }
    return {
        "per_dataset": per_dataset,
        "models": summary,
        "ranked_on": ranked_on,
        "reference": reference,
        "tie_rule": TIE_RULE,
    }


# -- text ------------------------------------------------------------------
def _number(value, digits=3):
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _seconds(value):
    if math.isnan(value):
        return "n/a"
    return f"{value:#.3g}"


def _render(header, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]

    def line(cells):
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        )

    return "\n".join(
        [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    )


def scores_table(suite, summary, markdown=False):
    """Per data set, each model's score mean ± std over the splits."""
    models = list(summary["models"])
    header = ["data set", "task", *models]
    rows = []
    tasks = {r["dataset"]: r["task"] for r in suite["results"]}
    for dataset, row in summary["per_dataset"].items():
        cells = [dataset, "acc" if tasks.get(dataset) == "classification" else "R2"]
        for model in models:
            entry = row.get(model)
            if entry is None:
                cells.append("-")
            else:
                cells.append(f"{_number(entry['mean'])} ± {_number(entry['std'])}")
        rows.append(cells)
    return _render(header, rows, markdown)


def summary_table(summary, markdown=False):
    """Per model: mean rank, wins/ties/losses, median fit seconds, ratio."""
    reference = summary["reference"]
    header = [
        "model",
        "mean rank",
        f"W/T/L vs {reference}",
        "median fit s",
        "fit time / realmlp",
    ]
    rows = []
    for model, entry in summary["models"].items():
        if model == reference:
            wtl = "-"
        elif entry["wins"] is None:
            wtl = f"n/a (no {reference} row)"
        else:
            wtl = f"{entry['wins']}/{entry['ties']}/{entry['losses']}"
        rows.append(
            [
                model,
                _number(entry["mean_rank"], 2),
                wtl,
                _seconds(entry["median_fit_seconds"]),
                _number(entry["fit_ratio_to_realmlp"], 3),
            ]
        )
    return _render(header, rows, markdown)


def format_report(suite, summary, info, markdown=False):
    """The whole text output: both tables and the notes under them."""
    n_ranked = len(summary["ranked_on"])
    notes = [
        f"score: test accuracy (acc) or R² on the original y; mean ± std over "
        f"{suite['n_splits']} split(s) of 80/20, stratified for classification",
        f"mean rank over the {n_ranked} data sets every model has (1 = best)",
        summary["tie_rule"],
        "fit seconds: fit() alone, one thread (threadpool_limits(1))",
        info.get("external_note", ""),
    ]
    if suite.get("unavailable"):
        notes.append(
            "not run (package not installed): " + ", ".join(suite["unavailable"])
        )
    notes.extend(_load_notes(suite, info))
    if "command" in info:
        notes.append(f"command: {info['command']}")
    bullet = "- " if markdown else ""
    text = [
        scores_table(suite, summary, markdown),
        "",
        summary_table(summary, markdown),
        "",
        *(bullet + note for note in notes if note),
    ]
    return "\n".join(text)


def save_json(suite, summary, info, path):
    """Every result, the summary and the run's information, as JSON."""
    document = {
        "format": "mlpinit-tabular-suite/1",
        "info": info,
        "summary": summary,
        "suite": {k: v for k, v in suite.items() if k != "results"},
        "results": suite["results"],
    }
    Path(path).write_text(json.dumps(_plain(document), indent=1))


def _plain(value):
    """JSON-ready: NaN becomes null (JSON has no NaN), tuples lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def plot_rank_vs_time(summary, path, title=None):
    """Mean rank against median fit seconds per model (log x); saves ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = summary["models"]
    figure, axes = plt.subplots(figsize=(8.0, 4.4), layout="constrained")
    markers = "osD^vP*Xh<>"
    for i, (name, entry) in enumerate(models.items()):
        x, y = entry["median_fit_seconds"], entry["mean_rank"]
        if math.isnan(x) or math.isnan(y):
            continue
        # A legend, not labels at the points: close points would overlap.
        axes.scatter([x], [y], s=50, marker=markers[i % len(markers)], label=name)
    axes.set_xscale("log")
    axes.margins(x=0.15, y=0.12)
    axes.invert_yaxis()
    axes.set_xlabel("median fit seconds (one thread, log scale)")
    axes.set_ylabel("mean rank over the data sets (1 = best)")
    axes.set_title(title or f"tabular suite: {len(summary['ranked_on'])} data sets")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    figure.savefig(path, dpi=120)
    plt.close(figure)
