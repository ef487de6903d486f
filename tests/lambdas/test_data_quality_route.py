"""The remediation's Glue Data Quality route: an EventBridge "Data Quality Evaluation Results Available" event
(source aws.glue-dataquality) becomes one line of the audit trail's data_quality_events, in S3 on the emulator
(LocalStack), at the framework's layout, once however often it is delivered; the weekly quality-trend query
(modules/audit_trail/queries, run unchanged in DuckDB) then covers it beside the framework's own events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ops_helpers import FakeContext, emf_metrics, load_event

from alarm_eval.patterns import matches
from lambda_src.common.audit import DATA_QUALITY_EVENT_FIELDS
from lambda_src.remediation import data_quality, handler

pytestmark = pytest.mark.python

ROOT = Path(__file__).resolve().parents[2]
PATTERN = json.loads((ROOT / "lambda_src/remediation/data_quality_event_pattern.json").read_text())
GLUE_DQ_FIELDS = (
    "source",
    "result_id",
    "ruleset_names",
    "evaluation_context",
    "context_type",
    "state",
    "rules_succeeded",
    "rules_failed",
    "rules_skipped",
)


def dq_event(fixture: str, *, time: str = "2026-11-26T10:00:41Z", **subs: str) -> dict:
    subs.setdefault("result_id", f"dqresult-{uuid.uuid4().hex}")
    subs.setdefault("run_id", f"jr_{uuid.uuid4().hex}")
    return load_event(fixture, event_id=str(uuid.uuid4()), time=time, **subs)


def audit_objects(ops, prefix: str = "audit/data_quality_events/") -> dict[str, bytes]:
    s3 = ops.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=ops.bucket, Prefix=prefix).get("Contents", [])]
    return {k: s3.get_object(Bucket=ops.bucket, Key=k)["Body"].read() for k in keys}


def test_a_glue_job_result_is_one_data_quality_line_written_once(remediation_env, capsys):
    ops = remediation_env
    event = dq_event("glue_dq_results_job.json", job="orders_etl", run_id="jr_0123", result_id="dqresult-abc")
    assert matches(PATTERN, event), "the EventBridge rule's pattern (data_quality_event_pattern.json) takes it"

    first = handler.lambda_handler(event, FakeContext())["outcomes"]
    key = "audit/data_quality_events/year=2026/month=11/day=26/orders_etl__jr_0123__dqresult-abc.json"
    assert first == [
        {
            "action": "data_quality",
            "result": "recorded",
            "job_name": "orders_etl",
            "run_id": "jr_0123",
            "detail": {"result_id": "dqresult-abc", "key": f"s3://{ops.bucket}/{key}", "state": "FAILED"},
        }
    ]
    objects = audit_objects(ops)
    assert list(objects) == [key]
    (text,) = objects[key].decode().splitlines()
    line = json.loads(text)
    assert tuple(line) == (*DATA_QUALITY_EVENT_FIELDS, *GLUE_DQ_FIELDS), "the table's columns first, in order"
    assert line == {
        "job_name": "orders_etl",
        "job_run_id": "jr_0123",
        "timestamp": "2026-11-26T10:00:41.000Z",
        "quality_score": 0.75,
        "completeness_score": None,
        "uniqueness_score": None,
        "validity_score": None,
        "consistency_score": None,
        "validation_pass_rate": None,
        "records_checked": None,
        "records_failed": None,
        "source": "glue_data_quality",
        "result_id": "dqresult-abc",
        "ruleset_names": ["orders_after_cleaning"],
        "evaluation_context": "orders_after_cleaning",
        "context_type": "GLUE_JOB",
        "state": "FAILED",
        "rules_succeeded": 3,
        "rules_failed": 1,
        "rules_skipped": 0,
    }

    # EventBridge delivers at least once, and Lambda retries: the same result id writes the same key, once
    again = handler.lambda_handler(event, FakeContext())["outcomes"]
    assert [o["result"] for o in again] == ["duplicate"]
    assert audit_objects(ops) == objects
    versions = ops.client("s3").list_object_versions(Bucket=ops.bucket, Prefix=key).get("Versions", [])
    assert len(versions) == 1
    assert emf_metrics(capsys.readouterr().out)["InvalidEvents"] == 0


def test_a_catalog_result_in_the_spelling_of_aws_sample(remediation_env, monkeypatch):
    """AWS's documented sample says resultID and rulesSucceeded/rulesFailed/rulesSkipped; a ruleset run on a
    catalog table has no job: the table is the subject. AUDIT_BUCKET/AUDIT_PREFIX place the trail."""
    ops = remediation_env
    monkeypatch.setenv("AUDIT_PREFIX", "trail/")
    event = dq_event(
        "glue_dq_results_catalog.json", run_id="dqrun-9", result_id="dqresult-9", time="2026-12-31T23:59:59Z"
    )
    assert matches(PATTERN, event)
    (outcome,) = handler.lambda_handler(event, FakeContext())["outcomes"]
    assert (outcome["result"], outcome["job_name"], outcome["run_id"]) == ("recorded", "sales.orders", "dqrun-9")
    (key,) = audit_objects(ops, "trail/")
    assert key == "trail/data_quality_events/year=2026/month=12/day=31/sales.orders__dqrun-9__dqresult-9.json"
    line = json.loads(audit_objects(ops, "trail/")[key])
    assert (line["quality_score"], line["state"], line["context_type"]) == (1.0, "SUCCEEDED", "GLUE_DATA_CATALOG")
    assert (line["rules_succeeded"], line["rules_failed"], line["rules_skipped"]) == (12, 0, 0)
    assert line["timestamp"] == "2026-12-31T23:59:59.000Z" and line["evaluation_context"] is None


def test_an_unusable_result_event_is_invalid_and_writes_nothing(remediation_env, capsys):
    ops = remediation_env
    event = dq_event("glue_dq_results_job.json", job="orders_etl")
    del event["detail"]["resultId"]
    no_subject = dq_event("glue_dq_results_job.json", job="orders_etl")
    no_subject["detail"]["context"] = {"contextType": "GLUE_JOB"}
    outcomes = [handler.lambda_handler(e, FakeContext())["outcomes"][0] for e in (event, no_subject)]
    assert [o["action"] for o in outcomes] == ["invalid", "invalid"]
    assert "resultId" in outcomes[0]["detail"]["reason"] and "jobName" in outcomes[1]["detail"]["reason"]
    assert audit_objects(ops, "audit/") == {}
    assert emf_metrics(capsys.readouterr().out)["InvalidEvents"] == 2
    other = {"source": "aws.glue-dataquality", "detail-type": "Data Quality Task State Change", "detail": {}}
    assert not matches(PATTERN, other) and not data_quality.is_result_event(other)


def test_the_weekly_quality_trend_query_covers_both_kinds(remediation_env, tmp_path):
    """The framework's line (glue_jobs' audit writer) and Glue Data Quality's (this route) for one job in one
    week: weekly_quality_trend.sql, unchanged, averages both."""
    from glue_jobs.audit import AuditTrail, LocalStore
    from glue_jobs.contract import AuditEventType, AuditStatus
    from harness.athena_local import duckdb_for, run_query

    ops = remediation_env
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    framework = AuditTrail(LocalStore(tmp_path), "orders_etl", "jr_framework")
    framework.job_event(AuditEventType.JOB_STARTED, AuditStatus.RUNNING, moment=moment)  # the other table's view
    framework.data_quality_event(
        quality_score=0.95,
        completeness_score=1.0,
        uniqueness_score=1.0,
        validity_score=0.9,
        consistency_score=0.9,
        validation_pass_rate=97.0,
        records_checked=100,
        records_failed=3,
        moment=moment,
    )
    event = dq_event("glue_dq_results_job.json", job="orders_etl", time=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    handler.lambda_handler(event, FakeContext())
    for key, body in audit_objects(ops).items():  # the Lambda's object, under the same layout
        path = tmp_path / key.removeprefix("audit/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    rows = run_query(duckdb_for(tmp_path), "weekly_quality_trend")
    assert [(r["job_name"], round(r["avg_quality_score"], 6), r["min_quality_score"]) for r in rows] == [
        ("orders_etl", round((0.95 + 0.75) / 2, 6), 0.75)
    ]


def test_the_line_is_the_framework_contract_and_the_table():
    from glue_jobs.contract import AUDIT_DATA_QUALITY_TABLE
    from glue_jobs.contract import DATA_QUALITY_EVENT_FIELDS as FRAMEWORK_FIELDS

    schema = json.loads((ROOT / "modules/audit_trail/schemas/data_quality_events.json").read_text())
    assert DATA_QUALITY_EVENT_FIELDS == FRAMEWORK_FIELDS == tuple(c["name"] for c in schema["columns"])
    assert AUDIT_DATA_QUALITY_TABLE == "data_quality_events"
    assert json.loads((ROOT / "lambda_src/remediation/defaults.json").read_text())["AUDIT_PREFIX"] == "audit"
