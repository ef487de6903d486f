"""What the code emits, read from the project itself: the metric contract (docs/metrics.md) and the
Powertools metrics of the operations Lambdas (lambda_src/)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "metrics.md"
LAMBDA_SRC = ROOT / "lambda_src"
STAGE_METRICS = {"StageDurationSeconds", "StageThroughput"}
# docs/metrics.md, "Audit events": job_events has job_started, load_completed, job_completed per run (three
# objects); data_quality_events one per run.
AUDIT_EVENTS_PER_RUN = {"job_events": 3, "data_quality_events": 1}


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[-1].split("\n## ", 1)[0] if f"## {title}" in text else ""


def contract_metrics(path: Path = CONTRACT) -> list[str]:
    """Metric names of the custom-metrics table of docs/metrics.md."""
    return re.findall(r"^\|\s*`([A-Za-z]+)`\s*\|", _section(path.read_text(), "Custom metrics"), re.M)


def operations_metrics(path: Path = CONTRACT) -> list[str]:
    """Metric names of the operations-metrics table of docs/metrics.md (the Lambdas' Powertools metrics)."""
    names: list[str] = []
    for row in re.findall(r"^\|[^|\n]+\|([^|\n]+)\|\s*$", _section(path.read_text(), "Operations metrics"), re.M):
        names += re.findall(r"`([A-Za-z]+)`", row)
    return names


def operations_namespace(path: Path = CONTRACT) -> str:
    """The Powertools namespace pattern docs/metrics.md gives, e.g. Glue/ETL/<environment>/Operations."""
    m = re.search(r"namespace `([^`]+)`", _section(path.read_text(), "Operations metrics"))
    return m.group(1) if m else "Glue/ETL/<environment>/Operations"


@cache
def _string_constants(package: Path) -> frozenset[str]:
    found: set[str] = set()
    for py in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(), str(py))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return frozenset(found)


def lambda_metrics(handler: str, src: Path = LAMBDA_SRC, contract: Path = CONTRACT) -> list[str]:
    """The Powertools metrics a Lambda's package can emit: the operations metrics of docs/metrics.md whose
    names appear as strings in the package of its handler (`lambda_src.<package>.handler.lambda_handler`)."""
    parts = handler.split(".")
    if len(parts) < 3 or parts[0] != src.name:
        return []
    package = src / parts[1]
    if not package.is_dir():
        return []
    names = _string_constants(package)
    return [m for m in operations_metrics(contract) if m in names]
