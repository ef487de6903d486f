"""The weekly report's numbers, computed from Glue job runs and the S3 audit trail (pure functions).

Definitions (the tests check these against a known set of runs):
- a run belongs to the period when it *started* in [start, end);
- success rate = SUCCEEDED / (SUCCEEDED + FAILED + TIMEOUT + ERROR); STOPPED runs are left out (a person
  stopped them), running ones too; the same formula as the dashboards' metric math (docs/metrics.md);
- durations (average, P95 by nearest rank) are over successful runs, from Glue's `ExecutionTime`;
- records processed = per successful run, `records_processed` of its `job_completed` audit event (else of
  its `load_completed` event), summed;
- DPU-hours = `DPUSeconds` / 3600 when Glue reports it, else capacity x max(ExecutionTime, 60 s) / 3600 for
  every finished run (failed runs are billed too); estimated cost = DPU-hours x the price parameter.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lambda_src.common.glue_runs import FAILED_STATES, dpu_hours, percentile, utc

SUCCESS_TARGET = 95.0
QUALITY_TARGET = 0.90
DURATION_REGRESSION_PCT = 25.0
VARIANCE_RATIO = 1.5
_IDS = re.compile(r"\b(jr_[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4,})\b")


@dataclass
class JobStats:
    job_name: str
    runs: int = 0
    succeeded: int = 0
    failed: int = 0
    stopped: int = 0
    in_progress: int = 0
    success_rate: float | None = None
    avg_duration_s: float | None = None
    p95_duration_s: float | None = None
    max_duration_s: float | None = None
    records_processed: int = 0
    throughput_rps: float | None = None
    dpu_hours: float = 0.0
    cost: float = 0.0
    prev_avg_duration_s: float | None = None
    duration_change_pct: float | None = None


@dataclass
class QualityStats:
    job_name: str
    checks: int = 0
    avg_score: float | None = None
    min_score: float | None = None
    avg_pass_rate: float | None = None
    records_checked: int = 0
    records_failed: int = 0


@dataclass
class Report:
    environment: str
    period_start: datetime
    period_end: datetime
    dpu_hour_price: float
    jobs: list[JobStats] = field(default_factory=list)
    quality: list[QualityStats] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    daily: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    recommendations: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def normalise_error(message: str) -> str:
    """One line, run ids and long numbers masked, so the same failure groups across runs."""
    text = (message or "").strip()
    return _IDS.sub("<id>", text.splitlines()[0])[:200] if text else "(no error message)"


def records_by_run(job_events: list[dict[str, Any]]) -> dict[str, int]:
    completed: dict[str, int] = {}
    loaded: dict[str, int] = {}
    for e in job_events:
        run, n = e.get("job_run_id"), e.get("records_processed")
        if not run or not isinstance(n, (int, float)):
            continue
        if e.get("event_type") == "job_completed" and e.get("status") == "SUCCESS":
            completed[run] = int(n)
        elif e.get("event_type") == "load_completed":
            loaded[run] = max(loaded.get(run, 0), int(n))
    return loaded | completed


def job_stats(
    job: str, runs: list[dict[str, Any]], prev_runs: list[dict[str, Any]], records: dict[str, int], price: float
) -> JobStats:
    s = JobStats(job_name=job)
    durations: list[float] = []
    for run in runs:
        state = run.get("JobRunState")
        if state in ("STARTING", "RUNNING", "STOPPING", "WAITING"):
            s.in_progress += 1
            continue
        s.runs += 1
        s.dpu_hours += dpu_hours(run)
        if state == "SUCCEEDED":
            s.succeeded += 1
            durations.append(float(run.get("ExecutionTime") or 0))
            s.records_processed += records.get(run["Id"], 0)
        elif state in FAILED_STATES:
            s.failed += 1
        else:
            s.stopped += 1
    if s.succeeded + s.failed:
        s.success_rate = _r(100 * s.succeeded / (s.succeeded + s.failed))
    s.avg_duration_s = _r(_mean(durations))
    s.p95_duration_s = percentile(durations, 95)
    s.max_duration_s = max(durations) if durations else None
    if durations and sum(durations):
        s.throughput_rps = _r(s.records_processed / sum(durations))
    prev = [float(r.get("ExecutionTime") or 0) for r in prev_runs if r.get("JobRunState") == "SUCCEEDED"]
    s.prev_avg_duration_s = _r(_mean(prev))
    if s.avg_duration_s and s.prev_avg_duration_s:
        s.duration_change_pct = _r(100 * (s.avg_duration_s - s.prev_avg_duration_s) / s.prev_avg_duration_s)
    s.dpu_hours = round(s.dpu_hours, 3)
    s.cost = round(s.dpu_hours * price, 2)
    return s


def quality_stats(job: str, dq_events: list[dict[str, Any]], job_events: list[dict[str, Any]]) -> QualityStats:
    q = QualityStats(job_name=job)
    mine = [e for e in dq_events if e.get("job_name") == job]
    scores = [float(e["quality_score"]) for e in mine if isinstance(e.get("quality_score"), (int, float))]
    if not scores:  # fall back to the score on the job_completed audit events
        scores = [
            float(e["data_quality_score"])
            for e in job_events
            if e.get("job_name") == job
            and e.get("event_type") == "job_completed"
            and isinstance(e.get("data_quality_score"), (int, float))
        ]
    rates = [float(e["validation_pass_rate"]) for e in mine if isinstance(e.get("validation_pass_rate"), (int, float))]
    q.checks = len(scores)
    q.avg_score = _r(_mean(scores), 3)
    q.min_score = _r(min(scores), 3) if scores else None
    q.avg_pass_rate = _r(_mean(rates), 2)
    q.records_checked = sum(int(e.get("records_checked") or 0) for e in mine)
    q.records_failed = sum(int(e.get("records_failed") or 0) for e in mine)
    return q


def recommendations(
    jobs: list[JobStats], quality: list[QualityStats], errors: list[dict[str, Any]], total_cost: float
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    top_error = {}
    for e in errors:
        for job in e["jobs"]:
            top_error.setdefault(job, e["message"])
    q_by_job = {q.job_name: q for q in quality}
    for s in jobs:
        if s.runs == 0 and s.in_progress == 0:
            out.append(
                {
                    "job": s.job_name,
                    "severity": "warning",
                    "text": f"{s.job_name} did not run this week: check its schedule or trigger.",
                }
            )
            continue
        if s.success_rate is not None and s.success_rate < SUCCESS_TARGET:
            sev = "critical" if s.success_rate < 80 else "warning"
            err = f' Most common error: "{top_error[s.job_name]}".' if s.job_name in top_error else ""
            out.append(
                {
                    "job": s.job_name,
                    "severity": sev,
                    "text": f"{s.job_name} succeeded in {s.success_rate}% of runs ({s.failed} failed), below "
                    f"the {SUCCESS_TARGET:g}% target.{err}",
                }
            )
        if s.duration_change_pct is not None and s.duration_change_pct > DURATION_REGRESSION_PCT:
            out.append(
                {
                    "job": s.job_name,
                    "severity": "warning",
                    "text": f"{s.job_name} runs {s.duration_change_pct}% longer than the week before "
                    f"(average {s.avg_duration_s} s vs {s.prev_avg_duration_s} s): look at input "
                    "growth, skew and the Spark UI.",
                }
            )
        if (
            s.succeeded >= 5
            and s.avg_duration_s
            and s.p95_duration_s
            and s.p95_duration_s > VARIANCE_RATIO * s.avg_duration_s
        ):
            out.append(
                {
                    "job": s.job_name,
                    "severity": "info",
                    "text": f"{s.job_name}: P95 run time {s.p95_duration_s:g} s is more than "
                    f"{VARIANCE_RATIO:g}x the average ({s.avg_duration_s} s): uneven inputs or data "
                    "skew; consider auto scaling.",
                }
            )
        q = q_by_job.get(s.job_name)
        if q and q.avg_score is not None and q.avg_score < QUALITY_TARGET:
            out.append(
                {
                    "job": s.job_name,
                    "severity": "warning",
                    "text": f"Data quality of {s.job_name} averaged {q.avg_score} (target "
                    f"{QUALITY_TARGET:.2f}); {q.records_failed} records failed validation.",
                }
            )
    if total_cost > 0:
        top = max(jobs, key=lambda j: j.cost)
        share = 100 * top.cost / total_cost
        if share >= 50 and len([j for j in jobs if j.runs]) > 1:
            out.append(
                {
                    "job": top.job_name,
                    "severity": "info",
                    "text": f"{top.job_name} is {share:.0f}% of the estimated DPU cost (${top.cost:.2f}): check "
                    "its worker count, auto scaling, or the FLEX execution class for runs that can wait.",
                }
            )
    if not out:
        out.append({"job": "", "severity": "info", "text": "No action needed: every job met its targets."})
    return out


def build(
    environment: str,
    start: datetime,
    end: datetime,
    price: float,
    runs_by_job: dict[str, list[dict[str, Any]]],
    prev_runs_by_job: dict[str, list[dict[str, Any]]],
    job_events: list[dict[str, Any]],
    dq_events: list[dict[str, Any]],
) -> Report:
    report = Report(environment=environment, period_start=start, period_end=end, dpu_hour_price=price)
    records = records_by_run(job_events)
    report.jobs = [
        job_stats(j, runs_by_job[j], prev_runs_by_job.get(j, []), records, price) for j in sorted(runs_by_job)
    ]
    report.quality = [q for q in (quality_stats(j, dq_events, job_events) for j in sorted(runs_by_job)) if q.checks]

    errors: dict[str, Counter[str]] = defaultdict(Counter)
    days: dict[str, Counter[str]] = {}
    d = start
    while d < end:
        days[f"{d:%Y-%m-%d}"] = Counter()
        d += timedelta(days=1)
    for job, runs in runs_by_job.items():
        for run in runs:
            state = run.get("JobRunState")
            day = f"{utc(run.get('StartedOn')):%Y-%m-%d}"
            if state in FAILED_STATES:
                errors[normalise_error(run.get("ErrorMessage", ""))][job] += 1
            if day in days and state == "SUCCEEDED":
                days[day]["succeeded"] += 1
            elif day in days and state in FAILED_STATES:
                days[day]["failed"] += 1
    report.errors = sorted(
        ({"message": msg, "count": sum(c.values()), "jobs": sorted(c)} for msg, c in errors.items()),
        key=lambda e: (-e["count"], e["message"]),
    )[:10]
    report.daily = [{"date": day, "succeeded": c["succeeded"], "failed": c["failed"]} for day, c in days.items()]

    ok = sum(j.succeeded for j in report.jobs)
    bad = sum(j.failed for j in report.jobs)
    dpu = round(sum(j.dpu_hours for j in report.jobs), 3)
    report.totals = {
        "jobs": len(report.jobs),
        "runs": sum(j.runs for j in report.jobs),
        "succeeded": ok,
        "failed": bad,
        "success_rate": _r(100 * ok / (ok + bad)) if ok + bad else None,
        "records_processed": sum(j.records_processed for j in report.jobs),
        "dpu_hours": dpu,
        "cost": round(dpu * price, 2),
    }
    report.recommendations = recommendations(report.jobs, report.quality, report.errors, report.totals["cost"])
    return report
