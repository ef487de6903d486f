"""Retry a failed Glue run once per failure, with a cap per original run and a backoff.

Bookkeeping lives on the runs themselves: a retry carries `--remediation-of=<original run id>` and
`--remediation-attempt=<n>`, so the failure of a retry tells which original run it belongs to and how many
attempts were made, with nothing else to store. The at-most-once start per (original run, attempt) is an
S3 conditional create (see lambda_src/common/claims.py); the markers double-check it.

Only transient failures are retried: the run's Glue error category (glue_errors.py: from the alarm's
`glue.error.<CATEGORY>` metric, else from the run's ErrorMessage) decides. A permanent one (permissions,
syntax, a bad argument...) and a capacity one (out of memory, disk full) are escalated once per original run
instead, the latter with a sizing hint.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError

from lambda_src.common import aws, notify
from lambda_src.common.claims import Claims
from lambda_src.common.glue_runs import FAILED_STATES, job_runs, latest, utc
from lambda_src.remediation import glue_errors
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import BadEvent, Outcome

logger = Logger(child=True)
metrics = Metrics()
tracer = Tracer()

MARK_ORIGINAL = "--remediation-of"
MARK_ATTEMPT = "--remediation-attempt"
IN_PROGRESS = {"STARTING", "RUNNING", "STOPPING", "WAITING"}
OPT_OUT_VALUES = {"false", "off", "no", "0", "disabled", "never"}
sleep = time.sleep  # replaced in tests


@dataclass
class Failure:
    job_name: str
    run_id: str
    state: str
    message: str = ""
    source: str = "eventbridge"  # or "alarm"
    alarm_name: str | None = None
    category: str | None = None  # from the alarm's glue.error.<CATEGORY> metric; None: classify the run's error


def job_arn(job_name: str, function_arn: str) -> str:
    """The job's ARN in the Lambda's own partition, region and account."""
    parts = function_arn.split(":")
    if len(parts) < 5 or not parts[4]:
        raise ValueError(f"cannot derive the account from {function_arn!r}")
    return f"arn:{parts[1]}:glue:{parts[3]}:{parts[4]}:job/{job_name}"


def opted_out(job_name: str, cfg: Config, function_arn: str) -> str | None:
    """Why the job is excluded from automatic retries, or None."""
    if job_name in cfg.opt_out_jobs:
        return "listed in OPT_OUT_JOBS"
    if not cfg.opt_out_tag:
        return None
    tags = aws.client("glue").get_tags(ResourceArn=job_arn(job_name, function_arn)).get("Tags") or {}
    value = tags.get(cfg.opt_out_tag)
    if value is not None and value.strip().lower() in OPT_OUT_VALUES:
        return f"tag {cfg.opt_out_tag}={value}"
    return None


def failure_from_alarm(job_name: str, alarm_name: str, cfg: Config, category: str | None = None) -> Failure | Outcome:
    """The failed run a job-failure alarm is about: the job's latest run, when it failed recently."""
    since = datetime.now(UTC) - timedelta(minutes=cfg.failure_lookback_minutes)
    run = latest(job_runs(aws.client("glue"), job_name, since))
    base = {"action": "retry", "job_name": job_name, "alarm_name": alarm_name}
    if run is None:
        return Outcome(result="no_recent_run", **base)
    state = run.get("JobRunState", "")
    if state in IN_PROGRESS:
        return Outcome(result="run_in_progress", run_id=run["Id"], detail={"state": state}, **base)
    if state not in FAILED_STATES:
        return Outcome(result="latest_run_not_failed", run_id=run["Id"], detail={"state": state}, **base)
    return Failure(job_name, run["Id"], state, run.get("ErrorMessage", ""), "alarm", alarm_name, category)


def _marked_run(job_name: str, original: str, attempt: int) -> str | None:
    """A run that already carries this (original, attempt) marker."""
    since = datetime.now(UTC) - timedelta(days=2)
    for run in job_runs(aws.client("glue"), job_name, since):
        args = run.get("Arguments") or {}
        if args.get(MARK_ORIGINAL) == original and args.get(MARK_ATTEMPT) == str(attempt):
            return run["Id"]
    return None


@tracer.capture_method
def retry(failure: Failure, cfg: Config, context: Any) -> Outcome:
    base = {"action": "retry", "job_name": failure.job_name, "run_id": failure.run_id, "alarm_name": failure.alarm_name}
    if failure.state not in cfg.retryable_states:
        return Outcome(result="not_retryable", detail={"state": failure.state}, **base)
    glue = aws.client("glue")
    try:
        run = glue.get_job_run(JobName=failure.job_name, RunId=failure.run_id)["JobRun"]
    except ClientError as exc:
        if aws.error_code(exc) == "EntityNotFoundException":
            raise BadEvent(f"run {failure.run_id} of job {failure.job_name} does not exist") from exc
        raise
    args = {k: v for k, v in (run.get("Arguments") or {}).items() if k not in (MARK_ORIGINAL, MARK_ATTEMPT)}
    marks = run.get("Arguments") or {}
    original = marks.get(MARK_ORIGINAL) or failure.run_id
    attempt = int(marks.get(MARK_ATTEMPT) or 0) + 1
    base |= {"original_run_id": original, "attempt": attempt}
    claims = Claims(aws.client("s3"), cfg.state_bucket, cfg.state_prefix)
    category = failure.category or glue_errors.classify(run.get("ErrorMessage"))
    record = {
        "job_name": failure.job_name,
        "failed_run_id": failure.run_id,
        "original_run_id": original,
        "attempt": attempt,
        "source": failure.source,
        "alarm_name": failure.alarm_name,
        "category": category,
        "request_id": getattr(context, "aws_request_id", ""),
    }
    if glue_errors.action(category) != "retry":
        return _escalate(failure, run, category, claims, record, cfg, base)
    reason = opted_out(failure.job_name, cfg, context.invoked_function_arn)
    if reason:
        metrics.add_metric(name="RetryOptedOut", unit=MetricUnit.Count, value=1)
        return Outcome(result="opted_out", detail={"reason": reason, "category": category}, **base)

    if attempt > cfg.max_retry_attempts:
        metrics.add_metric(name="RetryCapReached", unit=MetricUnit.Count, value=1)
        if not claims.claim(claims.key(failure.job_name, original, "exhausted"), record):
            metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
            return Outcome(result="cap_reached_duplicate", **base)
        notify.publish(
            cfg.critical_topic_arn,
            f"[{cfg.environment}] Glue job {failure.job_name}: automatic retries exhausted",
            [
                f"Glue job {failure.job_name} failed again after {cfg.max_retry_attempts} automatic retries.",
                f"Original run: {original}",
                f"Last failed run: {failure.run_id} ({failure.state})",
                f"Error ({category}): {failure.message or run.get('ErrorMessage', '')}",
                "No further automatic retries will be made for this run: a person has to look.",
                f"Runbook: {cfg.runbook_url}" if cfg.runbook_url else "",
            ],
            {"severity": "critical", "job_name": failure.job_name},
        )
        return Outcome(result="cap_reached", detail={"escalated": bool(cfg.critical_topic_arn)}, **base)

    key = claims.key(failure.job_name, original, f"attempt-{attempt}")
    if not claims.claim(key, record):
        metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
        return Outcome(result="duplicate", detail={"claim": key}, **base)
    existing = _marked_run(failure.job_name, original, attempt)
    if existing:  # a retry exists although its claim did not (deleted or expired): do not start another
        claims.update(key, record | {"new_run_id": existing})
        metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
        return Outcome(result="duplicate", new_run_id=existing, **base)

    wait = _backoff_left(run, cfg.backoff_seconds(attempt), context)
    if wait > 0:
        logger.info("retry_backoff", extra={"seconds": wait, **{k: v for k, v in base.items() if v}})
        sleep(wait)
    try:
        new_run = glue.start_job_run(
            JobName=failure.job_name,
            Arguments={**args, MARK_ORIGINAL: original, MARK_ATTEMPT: str(attempt)},
        )["JobRunId"]
    except Exception:
        claims.release(key)  # let a redelivery (or Lambda's own async retry) try again
        raise
    claims.update(key, record | {"new_run_id": new_run})
    metrics.add_metric(name="RetriesStarted", unit=MetricUnit.Count, value=1)
    return Outcome(result="retried", new_run_id=new_run, detail={"backoff_seconds": wait, "category": category}, **base)


def _escalate(
    failure: Failure, run: dict[str, Any], category: str, claims: Claims, record: dict[str, Any], cfg: Config,
    base: dict[str, Any],
) -> Outcome:
    """A failure a retry cannot fix: one critical message per original run (whatever the number of deliveries
    and paths), never a retry."""
    plan = glue_errors.action(category)
    detail: dict[str, Any] = {"category": category, "action": plan}
    if not claims.claim(claims.key(failure.job_name, record["original_run_id"], "escalated"), record):
        metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
        return Outcome(result="escalated_duplicate", detail=detail, **base)
    if plan == "escalate_sizing":
        detail["sizing_hint"] = glue_errors.sizing_hint(category, run)
    source = f"the alarm's metric glue.error.{category}" if failure.category else "the run's error message"
    runbook = cfg.runbook_url
    if runbook and "#" not in runbook:
        runbook += "#glue-error-categories"  # the section of docs/runbooks/remediation.md
    notify.publish(
        cfg.critical_topic_arn,
        f"[{cfg.environment}] Glue job {failure.job_name}: {category}, not retried",
        [
            f"Glue job {failure.job_name} run {failure.run_id} failed ({failure.state}) with {category} "
            f"({source}): {glue_errors.meaning(category)}.",
            "Not retried: the job needs more capacity first." if plan == "escalate_sizing"
            else "Not retried: a retry would fail the same way; a person has to fix the cause.",
            f"Error: {(run.get('ErrorMessage') or failure.message or '')[:1500]}",
            f"Sizing: {detail['sizing_hint']}" if "sizing_hint" in detail else "",
            f"Original run: {record['original_run_id']} (automatic retries so far: {record['attempt'] - 1})",
            f"Runbook: {runbook}" if runbook else "",
        ],
        {"severity": "critical", "job_name": failure.job_name, "category": category},
    )
    metrics.add_metric(name="FailuresEscalated", unit=MetricUnit.Count, value=1)
    return Outcome(result="escalated_sizing" if plan == "escalate_sizing" else "escalated", detail=detail, **base)


def _backoff_left(run: dict[str, Any], delay: float, context: Any) -> float:
    """Seconds still to wait so the retry starts `delay` after the failed run ended, within the time the
    invocation has left (minus a 20 s margin for the start and the bookkeeping)."""
    ended = utc(run.get("CompletedOn")) or datetime.now(UTC)
    left = delay - (datetime.now(UTC) - ended).total_seconds()
    budget = context.get_remaining_time_in_millis() / 1000 - 20 if context else left
    return max(0.0, min(left, budget))
