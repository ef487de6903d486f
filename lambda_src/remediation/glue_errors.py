"""Glue error categories: which one a failed run is in, and what the remediation does about it.

The one table is glue_error_categories.json beside this file (AWS Glue's observability categories, each with
its action and the patterns that classify a run's ErrorMessage); lambda_src/README.md shows it. A category
comes from the alarm when the alarm watches `glue.error.<CATEGORY>` (namespace `Glue`), else from the
failed run's `ErrorMessage` (GetJobRun).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_src.common.glue_runs import WORKER_DPU

TABLE_PATH = Path(__file__).with_name("glue_error_categories.json")
TABLE: dict[str, Any] = json.loads(TABLE_PATH.read_text())
ACTIONS = tuple(TABLE["actions"])  # retry, escalate, escalate_sizing
UNCLASSIFIED = "UNCLASSIFIED_ERROR"
METRIC_NAMESPACE = "Glue"
METRIC_PREFIX = "glue.error."
# Worker types from small to large (https://docs.aws.amazon.com/glue/latest/dg/add-job.html): 16 GB per DPU.
WORKER_LADDER = ("G.025X", "G.1X", "G.2X", "G.4X", "G.8X")
GB_PER_DPU = 16


@dataclass(frozen=True)
class Category:
    name: str
    action: str
    meaning: str
    patterns: tuple[re.Pattern[str], ...]


CATEGORIES: dict[str, Category] = {
    c["category"]: Category(c["category"], c["action"], c["meaning"], tuple(re.compile(p, re.I) for p in c["patterns"]))
    for c in TABLE["categories"]
}


def classify(message: str | None) -> str:
    """The category of a Glue ErrorMessage: the first one (in the table's order) with a matching pattern."""
    text = message or ""
    for category in CATEGORIES.values():
        if any(p.search(text) for p in category.patterns):
            return category.name
    return UNCLASSIFIED


def from_metric(namespace: str, metric_name: str) -> str | None:
    """The category an alarm's metric names (`glue.error.OUT_OF_MEMORY_ERROR`), or None (`glue.error.ALL`,
    an unknown category, another metric)."""
    if namespace != METRIC_NAMESPACE or not metric_name.startswith(METRIC_PREFIX):
        return None
    name = metric_name[len(METRIC_PREFIX) :]
    return name if name in CATEGORIES else None


def is_error_metric(namespace: str, metric_name: str) -> bool:
    return namespace == METRIC_NAMESPACE and metric_name.startswith(METRIC_PREFIX)


def action(category: str) -> str:
    return CATEGORIES.get(category, CATEGORIES[UNCLASSIFIED]).action


def meaning(category: str) -> str:
    return CATEGORIES.get(category, CATEGORIES[UNCLASSIFIED]).meaning


def _memory(worker_type: str) -> str:
    dpu = WORKER_DPU.get(worker_type)
    return f"{dpu * GB_PER_DPU:g} GB" if dpu and worker_type.startswith("G.") else "?"


def sizing_hint(category: str, run: dict[str, Any]) -> str:
    """What to change in the job's capacity, from the failed run's worker type and number of workers."""
    worker, count = run.get("WorkerType"), run.get("NumberOfWorkers")
    if not worker or not count:
        dpu = run.get("MaxCapacity") or run.get("AllocatedCapacity") or "?"
        return (f"The run had {dpu} DPU and no worker type: set WorkerType (e.g. G.2X, 32 GB a worker) and "
                "NumberOfWorkers instead of MaxCapacity.")
    had = f"The run had {count} x {worker} ({_memory(worker)} a worker)."
    more = f"NumberOfWorkers={2 * count} with {worker}"
    step = WORKER_LADDER.index(worker) + 1 if worker in WORKER_LADDER else None
    bigger = WORKER_LADDER[step] if step is not None and step < len(WORKER_LADDER) else None
    up = f"WorkerType={bigger} ({_memory(bigger)} a worker) with {count} workers" if bigger else None
    if category == "DISK_NO_SPACE_ERROR":
        return f"{had} Shuffle and spill need more disk: {more} spreads them over more disks" + (
            f"; or {up}." if up else "."
        )
    if up:
        return (f"{had} Out of memory on the driver: {up} (the driver runs on one worker of that type). "
                f"On the executors: the same, or {more} if the data can spread (repartition skewed keys).")
    return (f"{had} There is no bigger G worker type: {more}, and less data per task (repartition skewed keys, "
            "smaller broadcasts).")
