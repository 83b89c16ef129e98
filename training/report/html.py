"""The evaluation report as one static HTML page: tables and inline SVG charts, with no
script and nothing fetched from the network, so it opens anywhere and can be archived."""

from collections.abc import Sequence
from html import escape

from training.report.types import EvaluationReport, LearningCurve, NoteError, PRCurve, Summary

MAX_EXAMPLES = 50

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; color: #222; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
p.why { color: #444; max-width: 52rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child, td.left { text-align: left; }
table.notes th, table.notes td { text-align: left; }
td.text { text-align: left; white-space: pre-wrap; max-width: 36rem; }
td.same { color: #bbb; text-align: center; }
.headline { font-size: 1.1rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .axis { stroke: #999; } svg .grid { stroke: #eee; }
svg .curve { fill: none; stroke: #2563eb; stroke-width: 1.6; }
svg .base { stroke: #aaa; stroke-dasharray: 4 3; }
svg .mark { fill: #dc2626; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def render(report: EvaluationReport, *, errors_href: str, max_examples: int = MAX_EXAMPLES) -> str:
    """The whole page; every note text, id and label is HTML-escaped."""
    summary = report.summary
    body = "".join(
        [
            _header(summary, errors_href),
            _metrics_section(summary),
            _confusion_section(summary),
            _curves_section(summary),
            _learning_section(summary),
            _errors_section(report.errors, summary, errors_href, max_examples),
        ]
    )
    title = _e(f"Evaluation of model {summary['model_version']}")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _header(summary: Summary, errors_href: str) -> str:
    metrics = summary["metrics"]
    no_theme = (
        f"{_number(metrics['no_theme_accuracy'])} of {metrics['no_theme_support']} no-theme notes"
        " left untagged"
        if metrics["no_theme_accuracy"] is not None
        else "no note without a theme in this data"
    )
    return (
        f"<h1>Evaluation of model <code>{_e(summary['model_version'])}</code></h1>\n"
        f"<p>On {metrics['n']} labelled notes from {_e(', '.join(summary['data']))}.</p>\n"
        f'<p class="headline">macro-F1 <b>{_number(metrics["macro_f1"])}</b> · micro-F1 '
        f"<b>{_number(metrics['micro_f1'])}</b> · {no_theme} · "
        f'<a href="{_e(errors_href)}">{summary["n_errors"]} misclassified notes</a></p>\n'
    )


def _metrics_section(summary: Summary) -> str:
    metrics = summary["metrics"]
    rows = []
    for label, scores in metrics["per_theme"].items():
        curve = summary["pr_curves"].get(label)
        rows.append(
            f"<tr><td>{_e(label)}</td><td>{summary['thresholds'][label]:.2f}</td>"
            f"<td>{_number(scores['precision'])}</td><td>{_number(scores['recall'])}</td>"
            f"<td>{_number(scores['f1'])}</td><td>{scores['support']}</td>"
            f"<td>{_number(curve['average_precision'] if curve else None)}</td></tr>"
        )
    return (
        "<h2>Per-theme scores</h2>\n"
        '<p class="why">Each theme is a separate yes/no decision: the model tags a note with '
        "a theme when its score reaches the theme's threshold (tuned on out-of-fold scores at "
        "training time). Support is the number of notes labelled with the theme. Macro-F1 "
        "averages the themes equally, so rare themes count as much as common ones; micro-F1 "
        "pools every decision. Average precision summarises the whole precision-recall "
        "curve, independent of the threshold.</p>\n"
        "<table><tr><th>theme</th><th>threshold</th><th>precision</th><th>recall</th>"
        "<th>F1</th><th>support</th><th>average precision</th></tr>\n"
        + "\n".join(rows)
        + f"\n<tr><th>macro</th><td></td><td></td><td></td><th>{_number(metrics['macro_f1'])}"
        f"</th><td></td><td></td></tr>\n<tr><th>micro</th><td></td><td></td><td></td>"
        f"<th>{_number(metrics['micro_f1'])}</th><td></td><td></td></tr>\n</table>\n"
    )


def _confusion_section(summary: Summary) -> str:
    confusion = summary["confusion"]
    top = max((count for row in confusion["counts"] for count in row), default=0) or 1
    header = "".join(f"<th>{_e(column)}</th>" for column in confusion["columns"])
    rows = []
    for row_label, counts in zip(confusion["rows"], confusion["counts"], strict=True):
        cells = []
        for column_label, count in zip(confusion["columns"], counts, strict=True):
            if column_label == row_label:
                cells.append('<td class="same">·</td>')
            else:
                shade = 0.65 * count / top
                cells.append(f'<td style="background: rgba(220,38,38,{shade:.2f})">{count}</td>')
        rows.append(f"<tr><th>{_e(row_label)}</th>{''.join(cells)}</tr>")
    return (
        "<h2>Which theme is predicted in place of which</h2>\n"
        '<p class="why">A row is a theme the model missed on a note (labelled, not predicted); '
        "a column is a theme it predicted on that note without it being labelled. A note with "
        "one theme missed and two predicted wrongly counts in two cells of the row, so cells "
        "do not add up to notes. Column <code>(none)</code>: the theme was missed and nothing "
        "was predicted wrongly instead (a plain miss). Row <code>(none)</code>: the theme was "
        "predicted wrongly and nothing was missed (a plain false alarm). Large off-diagonal "
        "cells point at themes whose definitions, or labels, overlap.</p>\n"
        f"<table><tr><th>missed ↓ / predicted instead →</th>{header}</tr>\n"
        + "\n".join(rows)
        + "\n</table>\n"
    )


def _curves_section(summary: Summary) -> str:
    charts = [
        _pr_chart(label, curve)
        for label, curve in summary["pr_curves"].items()
        if curve is not None
    ]
    skipped = [label for label, curve in summary["pr_curves"].items() if curve is None]
    note = (
        f"<p>No curve for {_e(', '.join(skipped))}: no note of this data has the theme.</p>\n"
        if skipped
        else ""
    )
    return (
        "<h2>Precision-recall curves</h2>\n"
        '<p class="why">Each curve shows the precision and recall the theme would get at '
        "every possible threshold on its score, on these notes. The red point is the "
        "threshold the model uses (labelled <i>t</i>): moving it along the curve trades "
        "missed notes for false alarms. The dashed line is the share of notes with the "
        "theme, the precision of tagging every note. A point well inside a curve's corner "
        "suggests the threshold no longer suits this data.</p>\n"
        f'<div class="charts">{"".join(charts)}</div>\n{note}'
    )


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 280, 240, 42, 12, 26, 36


def _x(value: float, width: int = WIDTH) -> float:
    return LEFT + value * (width - LEFT - RIGHT)


def _y(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return TOP + (1 - (value - low) / (high - low)) * (HEIGHT - TOP - BOTTOM)


def _axes(width: int, x_label: str, y_label: str, y_ticks: Sequence[tuple[float, str]]) -> str:
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{width - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}"/>',
        f'<text x="{(LEFT + width - RIGHT) / 2}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{_e(x_label)}</text>",
        f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(TOP + HEIGHT - BOTTOM) / 2})">{_e(y_label)}</text>',
    ]
    for y, text in y_ticks:
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_e(text)}</text>'
        )
    return "".join(parts)


def _pr_chart(label: str, curve: PRCurve) -> str:
    steps = []  # drawn as steps, like scikit-learn's PrecisionRecallDisplay
    points = list(zip(curve["recall"], curve["precision"], strict=True))
    for (recall, precision), (next_recall, _) in zip(points, points[1:], strict=False):
        steps += [(recall, precision), (next_recall, precision)]
    steps.append(points[-1])
    polyline = " ".join(f"{_x(r):.1f},{_y(p):.1f}" for r, p in steps)
    mark_x, mark_y = _x(curve["threshold_recall"]), _y(curve["threshold_precision"])
    anchor, shift = ("end", -7) if curve["threshold_recall"] > 0.6 else ("start", 7)
    ticks = [(_y(v), f"{v:.2f}") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    text = f"t = {curve['threshold']:.2f}"
    return (
        f'<svg width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="precision-recall curve of {_e(label)}">'
        f'<text x="{LEFT}" y="16"><tspan font-weight="bold">{_e(label)}</tspan> '
        f"AP {curve['average_precision']:.3f}</text>"
        + _axes(WIDTH, "recall", "precision", ticks)
        + "".join(
            f'<text x="{_x(v):.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle">{v:g}</text>'
            for v in (0.0, 0.5, 1.0)
        )
        + f'<line class="base" x1="{LEFT}" y1="{_y(curve["prevalence"]):.1f}" '
        f'x2="{WIDTH - RIGHT}" y2="{_y(curve["prevalence"]):.1f}"/>'
        f'<polyline class="curve" points="{polyline}"/>'
        f'<circle class="mark" cx="{mark_x:.1f}" cy="{mark_y:.1f}" r="4">'
        f"<title>{_e(text)}: precision {curve['threshold_precision']:.3f}, recall "
        f"{curve['threshold_recall']:.3f}</title></circle>"
        f'<text x="{mark_x + shift:.1f}" y="{mark_y + 14:.1f}" text-anchor="{anchor}">'
        f"{_e(text)}</text></svg>"
    )


def _learning_section(summary: Summary) -> str:
    curve = summary["learning_curve"]
    rows = "\n".join(
        f"<tr><td>{point['fraction']:.0%}</td><td>{point['n_train']}</td>"
        f"<td>{_number(point['macro_f1'])}</td><td>{_number(point['micro_f1'])}</td>"
        f"<td>{point['seconds']:.1f}</td>"
        f'<td class="left">{_e(point["error"] or "")}</td></tr>'
        for point in curve["points"]
    )
    return (
        "<h2>Learning curve</h2>\n"
        '<p class="why">Fresh taggers with the model\'s parameters, fitted on nested, seeded '
        f"random shares (seed {curve['seed']}) of the training notes "
        f"({_e(', '.join(summary['training_data']))}) and scored on the notes above. A curve "
        "still rising at 100% says more labelled notes would help; a flat one says the "
        "features or the labels are the limit. The dashed line is the model's own "
        "macro-F1; with unchanged data and config (and no per-file weights) the 100% point "
        "repeats the model.</p>\n"
        f"<p>{curve['n_available']} training notes used; <b>{curve['n_excluded']}</b> left "
        "out because their text (ignoring case and whitespace) is also an evaluation note's, "
        "which would leak the answer.</p>\n"
        + _learning_chart(curve, summary["metrics"]["macro_f1"])
        + "<table><tr><th>share</th><th>training notes</th><th>macro-F1</th><th>micro-F1</th>"
        f"<th>fit + score seconds</th><th></th></tr>\n{rows}\n</table>\n"
    )


def _learning_chart(curve: LearningCurve, model_f1: float) -> str:
    width = 600
    scored = [p for p in curve["points"] if p["macro_f1"] is not None]
    values = [float(p["macro_f1"]) for p in scored if p["macro_f1"] is not None] + [model_f1]
    low = max(0.0, int((min(values) - 0.05) * 10) / 10)
    high = min(1.0, int((max(values) + 0.05) * 10 + 0.999) / 10)
    most = max((p["n_train"] for p in curve["points"]), default=1) or 1
    step = 0.05 if high - low <= 0.3 else 0.1
    ticks = [
        (_y(low + i * step, low, high), f"{low + i * step:.2f}")
        for i in range(round((high - low) / step) + 1)
    ]
    coordinates = [  # 0.95: room for the last point's label
        (_x(0.95 * p["n_train"] / most, width), _y(float(p["macro_f1"] or 0), low, high), p)
        for p in scored
    ]
    marks = "".join(
        f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
        f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle">{p["macro_f1"]:.3f}</text>'
        f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle">{p["n_train"]}</text>'
        for x, y, p in coordinates
    )
    base_y = _y(model_f1, low, high)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coordinates)
    return (
        f'<svg width="{width}" height="{HEIGHT}" role="img" aria-label="learning curve">'
        + _axes(width, "training notes", "macro-F1", ticks)
        + f'<line class="base" x1="{LEFT}" y1="{base_y:.1f}" x2="{width - RIGHT}" '
        f'y2="{base_y:.1f}"><title>this model: {model_f1:.3f}</title></line>'
        f'<polyline class="curve" points="{line}"/>'
        f"{marks}</svg>\n"
    )


def _errors_section(
    errors: Sequence[NoteError], summary: Summary, errors_href: str, most: int
) -> str:
    thresholds = summary["thresholds"]

    def confidence(error: NoteError) -> float:
        gaps = [thresholds[t] - error["scores"][t] for t in error["missed"]]
        gaps += [error["scores"][t] - thresholds[t] for t in error["extra"]]
        return max(gaps, default=0.0)

    shown = sorted(errors, key=confidence, reverse=True)[:most]

    def themes(names: Sequence[str], error: NoteError) -> str:
        return ", ".join(f"{_e(name)} ({error['scores'][name]:.2f})" for name in names) or "–"

    rows = "\n".join(
        f'<tr><td>{_e(error["id"])}</td><td class="text">{_e(error["text"])}</td>'
        f'<td class="left">{_e(", ".join(error["expected"]) or "–")}</td>'
        f'<td class="left">{themes(error["missed"], error)}</td>'
        f'<td class="left">{themes(error["extra"], error)}</td></tr>'
        for error in shown
    )
    return (
        "<h2>Misclassified notes</h2>\n"
        f'<p class="why">{len(errors)} of {summary["metrics"]["n"]} notes get a theme set '
        "other than their labels. Shown: the "
        f"{len(shown)} most confident mistakes (score furthest past the threshold), which are "
        "often labelling errors worth a second look. Every one, with all theme scores, is in "
        f'<a href="{_e(errors_href)}">{_e(errors_href)}</a> (JSON Lines).</p>\n'
        '<table class="notes"><tr><th>id</th><th>note</th><th>labelled</th><th>missed (score)</th>'
        f"<th>predicted wrongly (score)</th></tr>\n{rows}\n</table>\n"
    )
