"""Writing a report: ``report.json``, ``errors.jsonl`` and the ``index.html`` page."""

import json
from pathlib import Path

from training.report.html import render
from training.report.types import EvaluationReport

INDEX_FILE = "index.html"
ERRORS_FILE = "errors.jsonl"
SUMMARY_FILE = "report.json"


def write_report(report: EvaluationReport, folder: Path) -> None:
    """Write ``index.html``, ``errors.jsonl`` and ``report.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SUMMARY_FILE).write_text(
        json.dumps(report.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with (folder / ERRORS_FILE).open("w", encoding="utf-8") as handle:
        for error in report.errors:
            handle.write(json.dumps(error, ensure_ascii=False) + "\n")
    (folder / INDEX_FILE).write_text(render(report, errors_href=ERRORS_FILE), encoding="utf-8")
