"""Glue job runs: read them in a time window, and the numbers derived from one run."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

FAILED_STATES = frozenset({"FAILED", "TIMEOUT", "ERROR"})
TERMINAL_STATES = FAILED_STATES | {"SUCCEEDED", "STOPPED", "EXPIRED"}
# DPUs per worker (https://docs.aws.amazon.com/glue/latest/dg/add-job.html, worker types).
WORKER_DPU = {"Standard": 1.0, "G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0, "Z.2X": 2.0}
# Glue 2.0 and later bill per second with a 1-minute minimum per run.
MIN_BILLED_SECONDS = 60


def utc(value: datetime | str | None) -> datetime | None:
    """A timezone-aware UTC datetime from boto3's datetime or an ISO 8601 string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def job_names(glue: Any) -> list[str]:
    """Every Glue job of the account and region."""
    names: list[str] = []
    for page in glue.get_paginator("get_jobs").paginate():
        names += [job["Name"] for job in page.get("Jobs", [])]
    return sorted(names)


def job_runs(
    glue: Any, job_name: str, since: datetime, until: datetime | None = None, max_pages: int = 50
) -> list[dict[str, Any]]:
    """Runs of `job_name` started in [since, until). GetJobRuns lists the newest first, so paging stops
    at the first page that is entirely older than `since`."""
    runs: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(max_pages):
        kwargs: dict[str, Any] = {"JobName": job_name, "MaxResults": 200}
        if token:
            kwargs["NextToken"] = token
        page = glue.get_job_runs(**kwargs)
        batch = page.get("JobRuns", [])
        started = [utc(r.get("StartedOn")) for r in batch]
        for run, start in zip(batch, started, strict=True):
            if start and start >= since and (until is None or start < until):
                runs.append(run)
        token = page.get("NextToken")
        if not token or (started and all(s and s < since for s in started)):
            break
    return runs


def latest(runs: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The run started last."""
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(runs, key=lambda r: utc(r.get("StartedOn")) or epoch, default=None)


def dpu_hours(run: dict[str, Any]) -> float:
    """DPU-hours a run is billed for: `DPUSeconds` when Glue reports it (auto scaling, Flex), else the
    run's capacity x its execution time, with the 1-minute minimum."""
    if run.get("DPUSeconds"):
        return float(run["DPUSeconds"]) / 3600
    seconds = max(float(run.get("ExecutionTime") or 0), MIN_BILLED_SECONDS if run.get("ExecutionTime") else 0)
    if run.get("WorkerType") and run.get("NumberOfWorkers"):
        capacity = WORKER_DPU.get(run["WorkerType"], 1.0) * float(run["NumberOfWorkers"])
    else:
        capacity = float(run.get("MaxCapacity") or run.get("AllocatedCapacity") or 0)
    return seconds * capacity / 3600


def percentile(values: Iterable[float], pct: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least pct% of the values at or below it)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
