"""The daily health check's logic, shared by `python -m tools.health_check` and the scheduled Lambda.

Checks (each gives OK, WARN, FAIL or ERROR):
- success_rate per Glue job over the last N hours, from the job runs (GetJobRuns):
  SUCCEEDED / (SUCCEEDED + FAILED + TIMEOUT + ERROR); FAIL below the minimum, WARN when no run finished;
- log_success_rate (optional, with a log group): the same ratio from the framework's JSON log events
  `job_completed_successfully` / `job_failed` (docs/metrics.md), which also counts runs Glue retried;
- dlq_depth per queue: visible + in-flight messages; FAIL above the maximum;
- freshness per `s3://bucket/prefix`: age of the newest object; FAIL above its maximum age or when empty.
ERROR means the check could not be evaluated (an AWS error); it is unhealthy too: a health check that cannot
look is not a green light.

Exit status (CLI): 0 healthy (OK or WARN only), 1 something FAILed, 2 nothing failed but a check ERRORed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lambda_src.common import aws
from lambda_src.common.glue_runs import FAILED_STATES, job_names, job_runs, utc

OK, WARN, FAIL, ERROR = "OK", "WARN", "FAIL", "ERROR"
_AWS_ERRORS = (ClientError, BotoCoreError)


@dataclass
class CheckResult:
    check: str
    target: str
    status: str
    value: str = ""
    threshold: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class HealthConfig:
    jobs: list[str] = field(default_factory=list)  # empty: every job of the account
    hours: float = 24.0
    min_success_rate: float = 95.0
    dlq_queues: list[str] = field(default_factory=list)  # names or URLs
    max_dlq_depth: int = 0
    freshness: dict[str, float] = field(default_factory=dict)  # s3://bucket/prefix -> max age in hours
    log_group: str = ""
    now: datetime | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> HealthConfig:
        """HEALTH_JOBS, HEALTH_HOURS, HEALTH_MIN_SUCCESS_RATE, HEALTH_DLQ_QUEUES, HEALTH_MAX_DLQ_DEPTH,
        HEALTH_FRESHNESS (JSON object: s3 uri -> hours), HEALTH_LOG_GROUP."""
        e = os.environ if env is None else env
        split = lambda v: [x.strip() for x in (v or "").split(",") if x.strip()]  # noqa: E731
        return cls(
            jobs=split(e.get("HEALTH_JOBS")),
            hours=float(e.get("HEALTH_HOURS") or 24),
            min_success_rate=float(e.get("HEALTH_MIN_SUCCESS_RATE") or 95),
            dlq_queues=split(e.get("HEALTH_DLQ_QUEUES")),
            max_dlq_depth=int(e.get("HEALTH_MAX_DLQ_DEPTH") or 0),
            freshness={k: float(v) for k, v in json.loads(e.get("HEALTH_FRESHNESS") or "{}").items()},
            log_group=e.get("HEALTH_LOG_GROUP", ""),
        )


def _rate(ok: int, bad: int) -> float | None:
    return round(100 * ok / (ok + bad), 1) if ok + bad else None


def _rate_result(check: str, job: str, ok: int, bad: int, cfg: HealthConfig, extra: str = "") -> CheckResult:
    rate = _rate(ok, bad)
    threshold = f">= {cfg.min_success_rate:g}%"
    if rate is None:
        return CheckResult(check, job, WARN, "no finished runs", threshold, f"in the last {cfg.hours:g} h{extra}")
    status = OK if rate >= cfg.min_success_rate else FAIL
    return CheckResult(check, job, status, f"{rate:g}%", threshold, f"{ok} succeeded, {bad} failed{extra}")


def check_success_rates(cfg: HealthConfig, now: datetime) -> list[CheckResult]:
    glue = aws.client("glue")
    try:
        jobs = cfg.jobs or job_names(glue)
    except _AWS_ERRORS as exc:
        return [CheckResult("success_rate", "(all jobs)", ERROR, detail=f"GetJobs: {aws.error_code(exc)}")]
    out = []
    for job in jobs:
        try:
            runs = job_runs(glue, job, now - timedelta(hours=cfg.hours), now)
        except _AWS_ERRORS as exc:
            out.append(CheckResult("success_rate", job, ERROR, detail=f"GetJobRuns: {aws.error_code(exc)}"))
            continue
        states = Counter(r.get("JobRunState") for r in runs)
        ok, bad = states["SUCCEEDED"], sum(states[s] for s in FAILED_STATES)
        running = sum(states[s] for s in ("STARTING", "RUNNING", "STOPPING", "WAITING"))
        out.append(_rate_result("success_rate", job, ok, bad, cfg, f", {running} running" if running else ""))
    return out


def check_log_success_rates(cfg: HealthConfig, now: datetime) -> list[CheckResult]:
    logs = aws.client("logs")
    counts: dict[str, Counter[str]] = {}
    kwargs: dict[str, Any] = {
        "logGroupName": cfg.log_group,
        "startTime": int((now - timedelta(hours=cfg.hours)).timestamp() * 1000),
        "endTime": int(now.timestamp() * 1000),
        "filterPattern": '{ ($.event = "job_completed_successfully") || ($.event = "job_failed") }',
    }
    try:
        for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
            for e in page.get("events", []):
                try:
                    line = json.loads(e["message"])
                except ValueError:
                    continue
                # matched again here: the pattern is an optimisation, not trusted (emulators ignore it)
                if isinstance(line, dict) and line.get("event") in ("job_completed_successfully", "job_failed"):
                    counts.setdefault(str(line.get("job_name", "?")), Counter())[line["event"]] += 1
    except _AWS_ERRORS as exc:
        return [CheckResult("log_success_rate", cfg.log_group, ERROR, detail=f"FilterLogEvents: {aws.error_code(exc)}")]
    jobs = cfg.jobs or sorted(counts)
    return [
        _rate_result(
            "log_success_rate",
            job,
            counts.get(job, Counter())["job_completed_successfully"],
            counts.get(job, Counter())["job_failed"],
            cfg,
        )
        for job in jobs
    ]


def check_dlq_depths(cfg: HealthConfig) -> list[CheckResult]:
    sqs = aws.client("sqs")
    out = []
    for queue in cfg.dlq_queues:
        name = queue.rsplit("/", 1)[-1]
        try:
            url = queue if queue.startswith(("http://", "https://")) else sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            attrs = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"]
        except _AWS_ERRORS as exc:
            out.append(CheckResult("dlq_depth", name, ERROR, detail=aws.error_code(exc)))
            continue
        visible = int(attrs.get("ApproximateNumberOfMessages", 0))
        inflight = int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))
        depth = visible + inflight
        out.append(
            CheckResult(
                "dlq_depth",
                name,
                OK if depth <= cfg.max_dlq_depth else FAIL,
                str(depth),
                f"<= {cfg.max_dlq_depth}",
                f"{visible} visible, {inflight} in flight",
            )
        )
    return out


def newest_object(s3: Any, uri: str) -> datetime | None:
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an s3://bucket/prefix URI")
    bucket, _, prefix = uri[5:].partition("/")
    newest = None
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            modified = utc(obj["LastModified"])
            newest = modified if newest is None or modified > newest else newest
    return newest


def check_freshness(cfg: HealthConfig, now: datetime) -> list[CheckResult]:
    s3 = aws.client("s3")
    out = []
    for uri, max_hours in sorted(cfg.freshness.items()):
        threshold = f"<= {max_hours:g} h"
        try:
            newest = newest_object(s3, uri)
        except (*_AWS_ERRORS, ValueError) as exc:
            out.append(
                CheckResult(
                    "freshness",
                    uri,
                    ERROR,
                    threshold=threshold,
                    detail=aws.error_code(exc) if not isinstance(exc, ValueError) else str(exc),
                )
            )
            continue
        if newest is None:
            out.append(CheckResult("freshness", uri, FAIL, "no objects", threshold, "nothing was ever written"))
            continue
        age = (now - newest).total_seconds() / 3600
        out.append(
            CheckResult(
                "freshness",
                uri,
                OK if age <= max_hours else FAIL,
                f"{age:.1f} h",
                threshold,
                f"newest object {newest:%Y-%m-%d %H:%M} UTC",
            )
        )
    return out


def run_checks(cfg: HealthConfig) -> list[CheckResult]:
    now = cfg.now or datetime.now(UTC)
    results = check_success_rates(cfg, now)
    if cfg.log_group:
        results += check_log_success_rates(cfg, now)
    return results + check_dlq_depths(cfg) + check_freshness(cfg, now)


def exit_code(results: list[CheckResult]) -> int:
    statuses = {r.status for r in results}
    return 1 if FAIL in statuses else 2 if ERROR in statuses else 0


def healthy(results: list[CheckResult]) -> bool:
    return exit_code(results) == 0


def render_table(results: list[CheckResult], colour: bool = False) -> str:
    headers = ["check", "target", "status", "value", "threshold", "detail"]
    rows = [[r.check, r.target, r.status, r.value, r.threshold, r.detail] for r in results]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    paint = {OK: "32", WARN: "33", FAIL: "31", ERROR: "35"}

    def fmt(row: list[str], header: bool = False) -> str:
        cells = []
        for i, (cell, w) in enumerate(zip(row, widths, strict=True)):
            text = cell.ljust(w)
            if colour and i == 2 and not header:
                text = f"\033[{paint.get(cell, '0')}m{text}\033[0m"
            cells.append(text)
        return " | ".join(cells).rstrip()

    lines = [fmt(headers, True), "-+-".join("-" * w for w in widths)] + [fmt(r) for r in rows]
    counts = Counter(r.status for r in results)
    verdict = "HEALTHY" if healthy(results) else "UNHEALTHY"
    lines += ["", f"{verdict}: " + ", ".join(f"{counts[s]} {s}" for s in (OK, WARN, FAIL, ERROR) if counts[s])]
    return "\n".join(lines)
