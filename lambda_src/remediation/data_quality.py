"""Glue Data Quality results into the audit trail, beside the framework's own quality events.

AWS Glue Data Quality sends EventBridge `source: aws.glue-dataquality`, `detail-type: Data Quality Evaluation
Results Available` when a ruleset evaluation ends (https://docs.aws.amazon.com/glue/latest/dg/data-quality-alerts.html).
Its `detail`: `resultId`, `rulesetNames`, `state` (the data's verdict: SUCCEEDED or FAILED, not whether a job
ran), `score` (0-1, the share of rules that passed), the rules counts and a `context`:
- `contextType: GLUE_JOB` (a ruleset evaluated inside a Glue job): `jobName`, `jobId` (the job run id),
  `evaluationContext` (the transform node's name);
- `contextType: GLUE_DATA_CATALOG` (a ruleset run on a catalog table): `runId` (`dqrun-...`), `databaseName`,
  `tableName`, `catalogId`.
AWS's sample spells the result id `resultID` and the counts `rulesSucceeded`/`rulesFailed`/`rulesSkipped`;
delivered events say `resultId` and `numRulesSucceeded`/`numRulesFailed`/`numRulesSkipped`. Both are read.

Each event becomes one `data_quality_events` line (the table's fields first, exactly the framework's, then what
only Glue Data Quality has), at
`<AUDIT_PREFIX>/data_quality_events/year=YYYY/month=MM/day=DD/<job>__<run>__<resultId>.json`, the UTC day of the
event's `time`. `job_name` is the Glue job (GLUE_JOB) or `<database>.<table>` (GLUE_DATA_CATALOG);
`quality_score` is Glue's score, so the weekly quality-trend query and the weekly report average both kinds.
The four dimension scores, the pass rate and the record counts are null: Glue's event does not carry them.

Idempotent: the key and the line come from the event alone (no clock), and the write is conditional
(`If-None-Match: *`): a redelivery finds the object and is a duplicate, no second version.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from lambda_src.common import aws
from lambda_src.common.audit import DATA_QUALITY_EVENT_FIELDS, DATA_QUALITY_TABLE, day_prefix
from lambda_src.common.glue_runs import utc
from lambda_src.remediation.config import Config
from lambda_src.remediation.outcome import BadEvent, Outcome

logger = Logger(child=True)

SOURCE = "aws.glue-dataquality"
DETAIL_TYPE = "Data Quality Evaluation Results Available"
ORIGIN = "glue_data_quality"
"""The ``source`` field of the lines written here (the framework's lines have none)."""
_DUPLICATE_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


def is_result_event(event: Any) -> bool:
    return isinstance(event, dict) and event.get("source") == SOURCE and event.get("detail-type") == DETAIL_TYPE


def _first(mapping: dict[str, Any], *names: str) -> Any:
    return next((mapping[n] for n in names if mapping.get(n) is not None), None)


def _number(value: Any, kind: type) -> Any:
    if value is None or isinstance(value, bool):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def _safe(part: str) -> str:
    """As glue_jobs/audit.py names its objects: anything but letters, digits and `_.-` becomes `_`."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", part)


def audit_record(event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(key under the audit prefix, the line's fields) for one result event; BadEvent when it names no result,
    no subject (job or table) or no time."""
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    context = detail.get("context") if isinstance(detail.get("context"), dict) else {}
    result_id = _first(detail, "resultId", "resultID")
    if not result_id:
        raise BadEvent(f"{DETAIL_TYPE} without detail.resultId")
    database, table = context.get("databaseName"), context.get("tableName")
    job_name = context.get("jobName") or (f"{database}.{table}" if database and table else None)
    if not job_name:
        raise BadEvent(f"{DETAIL_TYPE} {result_id}: no context.jobName nor context.databaseName/tableName")
    try:
        moment = utc(event.get("time"))
    except ValueError:
        moment = None
    if moment is None:
        raise BadEvent(f"{DETAIL_TYPE} {result_id}: no event time")
    job_run_id = context.get("jobId") or context.get("runId") or result_id
    line: dict[str, Any] = dict.fromkeys(DATA_QUALITY_EVENT_FIELDS)
    line.update(
        job_name=job_name,
        job_run_id=job_run_id,
        timestamp=f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z",
        quality_score=_number(detail.get("score"), float),
    )
    line.update(
        source=ORIGIN,
        result_id=result_id,
        ruleset_names=[str(n) for n in detail.get("rulesetNames") or []],
        evaluation_context=context.get("evaluationContext"),
        context_type=context.get("contextType"),
        state=detail.get("state"),
        rules_succeeded=_number(_first(detail, "numRulesSucceeded", "rulesSucceeded"), int),
        rules_failed=_number(_first(detail, "numRulesFailed", "rulesFailed"), int),
        rules_skipped=_number(_first(detail, "numRulesSkipped", "rulesSkipped"), int),
    )
    name = f"{_safe(job_name)}__{_safe(job_run_id)}__{_safe(result_id)}.json"
    return f"{day_prefix('', DATA_QUALITY_TABLE, moment.date())}{name}", line


def record(event: EventBridgeEvent, cfg: Config) -> Outcome:
    """Write the result as one data_quality_events line; a redelivery is a duplicate."""
    key, line = audit_record(event.raw_event)
    logger.append_keys(job_name=line["job_name"], job_run_id=line["job_run_id"])
    if not cfg.audit_bucket:
        raise BadEvent("AUDIT_BUCKET (or STATE_BUCKET) is not set: nowhere to record the data quality result")
    full_key = f"{cfg.audit_prefix}/{key}" if cfg.audit_prefix else key
    body = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    outcome = Outcome(
        action="data_quality",
        result="recorded",
        job_name=line["job_name"],
        run_id=line["job_run_id"],
        detail={"result_id": line["result_id"], "key": f"s3://{cfg.audit_bucket}/{full_key}", "state": line["state"]},
    )
    try:
        aws.client("s3").put_object(
            Bucket=cfg.audit_bucket, Key=full_key, Body=body, ContentType="application/json", IfNoneMatch="*"
        )
    except Exception as exc:
        if aws.error_code(exc) not in _DUPLICATE_CODES:
            raise
        outcome.result = "duplicate"
    return outcome
