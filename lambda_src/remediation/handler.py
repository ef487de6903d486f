"""Remediation Lambda entry point: `lambda_src.remediation.handler.lambda_handler`.

Events it takes (one invocation may carry several SNS records; each is handled on its own):
- EventBridge "Glue Job State Change" (source aws.glue): retry the failed run, or escalate it when its Glue
  error category is not transient (glue_errors.py);
- a CloudWatch alarm through SNS (`Records[].Sns.Message` is the alarm as a JSON string), or as a direct
  alarm action (`source: aws.cloudwatch`): by signal,
  - `job-failure`, or a metric `glue.error.<CATEGORY>` -> the job's latest failed run: retry or escalate,
  - `data-freshness` -> escalate to the critical topic with context,
  - `depth`/`age` of a dead-letter queue it manages -> work the queue off (dlq.py: redrive to a declared
    consumer, archive in S3, never lose a message);
- EventBridge "Scheduled Event": work off every dead-letter queue it manages (archive before the retention);
- EventBridge "Data Quality Evaluation Results Available" (source aws.glue-dataquality): record the Glue Data
  Quality result in the audit trail's data_quality_events, beside the framework's own (data_quality.py).
An SNS message it has no use for (not an alarm; the subscription filter policy keeps most of them away) and
an alarm about something it does not manage are logged as ignored. An event of another shape, or one that
names what does not exist, is logged and counted as invalid (`InvalidEvents`). Neither fails the batch. An AWS
error while acting is counted (`RemediationErrors`) and, after every record was handled, raised: Lambda's
asynchronous retries and dead-letter queue then take over, and the claims make the re-run safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambda_src.common.alarms import Alarm, MalformedAlarm, from_alarm_action, from_sns_message
from lambda_src.remediation import data_quality, dlq, freshness, glue_errors, retry
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import BadEvent, Outcome

logger = Logger()
metrics = Metrics()
tracer = Tracer()

GLUE_STATE_CHANGE = "Glue Job State Change"
SCHEDULED = "Scheduled Event"
OUTCOME_METRICS = {"opted_out", "not_retryable", "no_recent_run", "run_in_progress", "latest_run_not_failed"}


class RemediationFailed(RuntimeError):
    """Some records hit AWS errors; raised after all records were handled so Lambda retries the event."""


def _items(event: dict[str, Any], cfg: Config) -> Iterator[tuple[str, Any, dict[str, str]]]:
    """(kind, payload, log keys) for each actionable unit of the event."""
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        for record in SNSEvent(event).records:
            if record.event_source != "aws:sns":
                yield "invalid", f"record from {record.event_source!r}, not SNS", {}
                continue
            yield "sns", record.sns.message, {"sns_message_id": record.sns.message_id}
        return
    if isinstance(event, dict) and event.get("detail-type") == GLUE_STATE_CHANGE:
        eb = EventBridgeEvent(event)
        yield "glue", eb, {"event_id": eb.get_id}
        return
    if data_quality.is_result_event(event):
        eb = EventBridgeEvent(event)
        yield "data_quality", eb, {"event_id": eb.get_id}
        return
    if isinstance(event, dict) and event.get("source") == "aws.cloudwatch" and "alarmData" in event:
        yield "alarm_action", event, {"event_id": str(event.get("id", ""))}
        return
    if isinstance(event, dict) and event.get("detail-type") == SCHEDULED and event.get("source") == "aws.events":
        for queue in cfg.managed_queues:
            yield "sweep", queue, {"event_id": str(event.get("id", "")), "queue": queue}
        if not cfg.managed_queues:
            yield "ignored", "scheduled event, but no dead-letter queue is configured (DLQ_QUEUES)", {}
        return
    yield "invalid", "not an SNS, Glue state change, Glue Data Quality result, CloudWatch alarm or scheduled event", {}


def _alarm(alarm: Alarm, cfg: Config, context: LambdaContext) -> Outcome:
    logger.append_keys(alarm_name=alarm.name)
    if alarm.state != "ALARM":
        return Outcome(action="ignored", result=f"state_{alarm.state.lower()}", alarm_name=alarm.name)
    signal = alarm.signal
    glue_error = glue_errors.is_error_metric(alarm.namespace, alarm.metric_name)
    if signal == "job-failure" or glue_error:
        job = alarm.job_name(cfg.alarm_name_prefix)
        if not job:
            raise BadEvent(
                f"job alarm {alarm.name}: no JobName dimension and the name does not "
                f"start with ALARM_NAME_PREFIX={cfg.alarm_name_prefix!r}"
            )
        category = glue_errors.from_metric(alarm.namespace, alarm.metric_name)
        found = retry.failure_from_alarm(job, alarm.name, cfg, category)
        return found if isinstance(found, Outcome) else retry.retry(found, cfg, context)
    if signal == "data-freshness":
        return freshness.escalate(alarm, cfg, context)
    if signal in dlq.SIGNALS:  # alarms.py may call the age alarm `depth` (an AWS/SQS metric) or `age`
        return dlq.on_alarm(alarm, cfg, context)
    metrics.add_metric(name="UnknownAlarms", unit=MetricUnit.Count, value=1)
    return Outcome(action="ignored", result="unknown_alarm", alarm_name=alarm.name, detail={"signal": signal or ""})


def _glue(event: EventBridgeEvent, cfg: Config, context: LambdaContext) -> Outcome:
    detail = event.detail or {}
    job, run_id, state = detail.get("jobName"), detail.get("jobRunId"), str(detail.get("state", ""))
    if not job or not run_id:
        raise BadEvent("Glue Job State Change without detail.jobName/jobRunId")
    logger.append_keys(job_name=job, job_run_id=run_id)
    if state not in retry.FAILED_STATES:
        return Outcome(action="ignored", result=f"state_{state.lower()}", job_name=job, run_id=run_id)
    failure = retry.Failure(job, run_id, state, str(detail.get("message", "")), source="eventbridge")
    return retry.retry(failure, cfg, context)


def _ignored(reason: str) -> Outcome:
    logger.info("ignored_event", extra={"reason": reason})
    return Outcome(action="ignored", result="ignored_event", detail={"reason": reason})


def handle(kind: str, payload: Any, cfg: Config, context: LambdaContext) -> Outcome:
    if kind == "invalid":
        raise BadEvent(payload)
    if kind == "ignored":
        return _ignored(payload)
    if kind == "glue":
        return _glue(payload, cfg, context)
    if kind == "data_quality":
        return data_quality.record(payload, cfg)
    if kind == "sweep":
        return dlq.work_off(payload, cfg, context, "Scheduled sweep")
    if kind == "sns":
        try:
            alarm = from_sns_message(payload)
        except MalformedAlarm as exc:  # e.g. the readable sentence of a Glue failure rule: not for us
            return _ignored(str(exc))
    else:
        try:
            alarm = from_alarm_action(payload)
        except MalformedAlarm as exc:
            raise BadEvent(str(exc)) from exc
    return _alarm(alarm, cfg, context)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    cfg = Config.from_env()
    metrics.set_default_dimensions(Environment=cfg.environment)
    outcomes: list[dict[str, Any]] = []
    errors = 0
    for kind, payload, keys in _items(event, cfg):
        logger.append_keys(**keys)
        try:
            outcome = handle(kind, payload, cfg, context)
        except BadEvent as exc:
            metrics.add_metric(name="InvalidEvents", unit=MetricUnit.Count, value=1)
            logger.warning("invalid_event", extra={"reason": str(exc), "kind": kind})
            outcome = Outcome(action="invalid", result="invalid_event", detail={"reason": str(exc)})
        except Exception as exc:  # noqa: BLE001 - one record's AWS error must not stop the others
            errors += 1
            metrics.add_metric(name="RemediationErrors", unit=MetricUnit.Count, value=1)
            logger.exception("remediation_error", extra={"kind": kind, "error": repr(exc)})
            outcome = Outcome(action="error", result=type(exc).__name__, detail={"error": str(exc)[:500]})
        if outcome.result in OUTCOME_METRICS:
            metrics.add_metric(name="RemediationSkipped", unit=MetricUnit.Count, value=1)
        logger.info("remediation_outcome", extra=outcome.as_dict())
        outcomes.append(outcome.as_dict())
        logger.remove_keys(["alarm_name", "job_name", "job_run_id", *keys])
    if errors:
        raise RemediationFailed(f"{errors} of {len(outcomes)} record(s) failed; see remediation_error logs")
    return {"outcomes": outcomes}
