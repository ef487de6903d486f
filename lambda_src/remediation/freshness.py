"""Escalate a data-freshness alarm to the critical topic, with the context a responder needs first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from lambda_src.common import aws, notify
from lambda_src.common.alarms import Alarm
from lambda_src.common.claims import Claims
from lambda_src.common.glue_runs import job_runs, latest, utc
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import Outcome

metrics = Metrics()
tracer = Tracer()
LOOKBACK_DAYS = 14


def last_runs(job_name: str, now: datetime) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The job's latest run and its latest successful run over the last LOOKBACK_DAYS days."""
    runs = job_runs(aws.client("glue"), job_name, now - timedelta(days=LOOKBACK_DAYS))
    return latest(runs), latest(r for r in runs if r.get("JobRunState") == "SUCCEEDED")


@tracer.capture_method
def escalate(alarm: Alarm, cfg: Config, context: Any) -> Outcome:
    job = alarm.job_name(cfg.alarm_name_prefix)
    base = {"action": "freshness", "job_name": job, "alarm_name": alarm.name}
    claims = Claims(aws.client("s3"), cfg.state_bucket, cfg.state_prefix)
    # one escalation per alarm transition, whatever the number of deliveries
    key = claims.key("freshness", alarm.name, alarm.state_change_time or alarm.reason)
    if not claims.claim(key, {"alarm_name": alarm.name, "request_id": getattr(context, "aws_request_id", "")}):
        metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
        return Outcome(result="duplicate", **base)

    now = datetime.now(UTC)
    last = success = None
    if job:
        last, success = last_runs(job, now)
    runbook = alarm.runbook_url or cfg.runbook_url or "(no runbook link on the alarm)"
    lines = [
        f"Data freshness alarm {alarm.name} is in ALARM ({cfg.environment}).",
        f"Reason: {alarm.reason}",
        f"Job: {job or 'unknown (no JobName dimension and the name does not match ALARM_NAME_PREFIX)'}",
    ]
    detail: dict[str, Any] = {}
    if success:
        ended = utc(success.get("CompletedOn")) or utc(success.get("StartedOn"))
        age_h = round((now - ended).total_seconds() / 3600, 1) if ended else None
        detail |= {"last_success_run_id": success["Id"], "last_success_age_hours": age_h}
        lines += [f"Last successful run: {success['Id']}, ended {ended:%Y-%m-%d %H:%M} UTC ({age_h} h ago)"]
    elif job:
        lines += [f"Last successful run: none in the last {LOOKBACK_DAYS} days"]
    if last and last is not success:
        detail["last_run_state"] = last.get("JobRunState")
        lines += [
            f"Latest run: {last['Id']} is {last.get('JobRunState')}"
            + (f": {last['ErrorMessage']}" if last.get("ErrorMessage") else "")
        ]
    lines += [f"Runbook: {runbook}", f"Alarm: {alarm.arn}" if alarm.arn else ""]
    message_id = notify.publish(
        cfg.critical_topic_arn,
        f"[{cfg.environment}] ESCALATION data freshness: {job or alarm.name}",
        [line for line in lines if line],
        {"severity": "critical", "signal": "data-freshness"},
    )
    claims.update(key, {"alarm_name": alarm.name, "message_id": message_id, **detail})
    metrics.add_metric(name="FreshnessEscalations", unit=MetricUnit.Count, value=1)
    return Outcome(result="escalated" if message_id else "no_critical_topic", detail=detail, **base)
