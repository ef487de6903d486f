"""Each end-of-run emitter of glue_jobs/signals/ on its own, with fakes: no Spark, no AWS."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from gluejobs_support import RecordingLog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from glue_jobs import contract
from glue_jobs.audit import AuditTrail, LocalStore, SchemaStore
from glue_jobs.background import BackgroundIO
from glue_jobs.contract import AuditStatus, Metric, SchemaSide
from glue_jobs.dlq import DeadLetterQueue, make_message
from glue_jobs.metrics import MetricsBuffer
from glue_jobs.quality import Dimension, QualityReport, RuleResult
from glue_jobs.signals import audit_events, freshness, quality_report, rejected_records, schema_change, stage_metrics
from glue_jobs.signals.final_sends import final_sends
from glue_jobs.stage_tracker import StageTracker
from glue_jobs.stages import StageStats
from glue_jobs.tracing import Tracer

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]


def metrics_buffer() -> tuple[MetricsBuffer, list]:
    sent: list = []
    return MetricsBuffer("job", "dev", lambda ns, data: sent.append(data), RecordingLog()), sent


def tracker_with(*stats: StageStats, failed: str | None = None) -> StageTracker:
    """A tracker as the run leaves it: the stages' stats in the order they ran."""
    tracker = StageTracker(
        Tracer("job", None, RecordingLog()),
        lambda: None,
        job_name="job",
        job_run_id="jr_1",
        track_step_rows=False,
        on_phase_end=lambda: None,
    )
    for s in stats:
        tracker.stats[s.stage] = s
        tracker.order.append(s.stage)
        if s.stage != failed:
            tracker.completed.append(s.stage)
    return tracker


# -- stage metrics -------------------------------------------------------------------------------------------


def test_stage_rows_come_from_observations_and_lazy_stages_take_the_loads_time():
    tracker = tracker_with(
        StageStats("extract", 0.1),
        StageStats("cleaning", 0.2),
        StageStats("transform", 0.3),
        StageStats("load", 4.0, spark_jobs=2),
    )
    load = stage_metrics.fill_rows(tracker, {"extract": {"rows": 100}, "transform": {"rows": 90}, "load": None}, 80)
    assert load.records == 80, "no load observation: LoadResult.records_written"
    assert tracker.stats["extract"].records == 100 and tracker.stats["cleaning"].records is None
    assert tracker.stats["extract"].throughput == pytest.approx(100 / 4.0), "lazy: computed by the load's job"
    assert load.throughput == pytest.approx(80 / 4.0)


def test_completed_stages_are_logged_in_order_and_metrics_carry_the_stage():
    tracker = tracker_with(StageStats("extract", 0.5, records=10), StageStats("cleaning", 0.25), failed="cleaning")
    tracker.stats["extract"].compute_seconds = 2.0
    log = RecordingLog()
    stage_metrics.log_completed_stages(log, tracker)
    assert log.events() == ["extract_phase_completed"], "a stage that raised is not 'completed'"
    line = log.fields("extract_phase_completed")
    assert (line["row_count"], line["lazy"], line["throughput_records_per_second"]) == (10, True, 5.0)

    metrics, sent = metrics_buffer()
    stage_metrics.put_stage_metrics(metrics, tracker, with_throughput=True)
    assert metrics.values(Metric.STAGE_DURATION_SECONDS, "cleaning") == [0.25]
    assert metrics.values(Metric.STAGE_THROUGHPUT, "extract") == [5.0]
    assert metrics.values(Metric.STAGE_THROUGHPUT, "cleaning") == [], "rows unknown: no throughput"
    failed_run, _ = metrics_buffer()
    stage_metrics.put_stage_metrics(failed_run, tracker, with_throughput=False)
    assert failed_run.values(Metric.STAGE_THROUGHPUT) == []


# -- quality report, freshness, schema -------------------------------------------------------------------------


def report() -> QualityReport:
    return QualityReport(
        100,
        4,
        (
            RuleResult("email_not_null", Dimension.COMPLETENESS, 3, 100, 1.0, True),
            RuleResult("country_allowed", Dimension.VALIDITY, 1, 100, 0.98, True),
        ),
    )


def test_the_quality_report_is_one_line_and_three_metrics():
    log, (metrics, _) = RecordingLog(), metrics_buffer()
    quality_report.emit_quality_report(report(), log, metrics)
    line = log.fields("data_quality_evaluated")
    assert line["data_quality_score"] == 0.5 and line["completeness_score"] == 0.0 and line["validity_score"] == 1.0
    assert line["consistency_score"] is None and line["records_failed"] == 4
    assert [r["rule"] for r in line["rules"]] == ["email_not_null", "country_allowed"]
    assert metrics.values(Metric.DATA_QUALITY_SCORE) == [0.5]
    assert metrics.values(Metric.VALIDATION_PASS_RATE) == [96.0]
    assert metrics.values(Metric.RECORDS_FAILED_VALIDATION) == [4]


def test_data_age_is_hours_from_the_newest_record_to_the_load_end():
    log, (metrics, _) = RecordingLog(), metrics_buffer()
    end = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    newest = int(datetime(2026, 11, 26, 9, 0, tzinfo=UTC).timestamp() * 1e6)
    assert freshness.emit_data_age("updated_at", newest, end, log, metrics) == pytest.approx(3.0)
    assert metrics.values(Metric.DATA_AGE_HOURS) == [pytest.approx(3.0)]
    assert log.fields("data_freshness")["newest_record"] == "2026-11-26T09:00:00.000Z"
    freshness.emit_records_processed(None, metrics)
    assert metrics.values(Metric.RECORDS_PROCESSED) == [], "unknown rows: no value rather than a wrong one"


def test_schema_changes_against_the_stored_schema():
    def schema(**columns):
        return {"type": "struct", "fields": [{"name": n, "type": t, "nullable": True} for n, t in columns.items()]}

    log, (metrics, _) = RecordingLog(), metrics_buffer()
    assert schema_change.check_schema(None, schema(a="string"), log) is None
    assert log.events() == ["schema_recorded"] and log.fields("schema_recorded")["side"] == "output"
    stored = {"job_run_id": "jr_0", "schema": schema(a="string", b="long")}
    assert schema_change.check_schema(stored, schema(a="string", b="long"), log, SchemaSide.INPUT) is None
    diff = schema_change.check_schema(stored, schema(a="int", c="long"), log, SchemaSide.INPUT)
    assert diff == {"added": ["c"], "removed": ["b"], "type_changed": ["a"]}
    changed = log.fields("schema_changed")
    assert (changed["side"], changed["added"], changed["removed"], changed["type_changed"]) == (
        "input",
        ["c"],
        ["b"],
        ["a"],
    )
    assert changed["previous_job_run_id"] == "jr_0"
    for sides in (0, 1, 2):
        schema_change.put_schema_changes(sides, metrics)
    assert metrics.values(Metric.SCHEMA_CHANGES) == [0, 1, 2]


def test_schema_store_keeps_each_side_beside_the_other_and_drift_is_a_job_event(tmp_path):
    store = SchemaStore(LocalStore(tmp_path))
    assert SchemaStore.key("job") == "_schemas/job.json"
    assert SchemaStore.key("job", SchemaSide.INPUT) == "_schemas/job.input.json"
    store.save("job", "jr_1", {"fields": [{"name": "a", "type": "string"}]}, SchemaSide.INPUT)
    assert store.load("job") is None and store.load("job", SchemaSide.INPUT)["job_run_id"] == "jr_1"

    audit = AuditTrail(LocalStore(tmp_path), "job", "jr_2")
    event = audit.schema_changed_event(SchemaSide.INPUT, {"added": ["b"], "removed": [], "type_changed": []}, "jr_1")
    (path,) = tmp_path.glob("job_events/year=*/month=*/day=*/job__jr_2__schema_changed_input.json")
    assert json.loads(path.read_text()) == event
    assert tuple(event) == (*contract.JOB_EVENT_FIELDS, *contract.SCHEMA_CHANGE_FIELDS)
    assert (event["event_type"], event["schema_side"], event["columns_added"]) == ("schema_changed", "input", ["b"])


# -- audit events --------------------------------------------------------------------------------------------


def test_audit_events_are_calls_that_write_the_contracts_objects(tmp_path):
    audit = AuditTrail(LocalStore(tmp_path), "job", "jr_1")
    calls = [
        audit_events.load_completed(audit, 96, ["s3://out/x"]),
        audit_events.data_quality(audit, report()),
        audit_events.job_completed(audit, AuditStatus.SUCCESS, 96, ["s3://out/x"], 0.5),
    ]
    assert audit.written == [], "nothing is written until the I/O threads call them"
    for call in calls:
        call()
    events = [json.loads((tmp_path / path).read_text()) for path in audit.written]
    assert [e.get("event_type") for e in events] == ["load_completed", None, "job_completed"]
    assert events[1]["records_failed"] == 4 and events[1]["completeness_score"] == 0.0
    assert events[2]["status"] == "SUCCESS" and events[2]["data_quality_score"] == 0.5
    audit_events.job_completed(audit, AuditStatus.FAILED, None, [])()
    failed = json.loads((tmp_path / audit.written[-1]).read_text())
    assert (failed["status"], failed["data_quality_score"], failed["records_processed"]) == ("FAILED", None, None)


# -- the background I/O and the final sends ------------------------------------------------------------------


def test_background_tasks_keep_the_log_context_and_failures_are_logged_not_raised():
    log = RecordingLog()
    io = BackgroundIO(log, max_workers=2)
    bind_contextvars(job_run_id="jr_ctx")
    try:
        seen = io.submit("context", lambda: (threading.current_thread().name, get_contextvars()["job_run_id"]))
        io.submit("broken", lambda: 1 / 0)
        io.drain()
    finally:
        clear_contextvars()
        io.shutdown()
    thread, run_id = seen.result()
    assert thread.startswith("glue-jobs-io") and run_id == "jr_ctx"
    error = log.fields("signal_error")
    assert (error["signal"], error["error_type"]) == ("broken", "ZeroDivisionError")


def test_final_sends_flush_metrics_send_the_dlq_and_the_audit_event_then_the_trace():
    log = RecordingLog()
    io = BackgroundIO(log)
    order: list[str] = []
    metrics, sent = metrics_buffer()
    metrics.put(Metric.RECORDS_PROCESSED, 1)
    tracer = Tracer("job", lambda docs: order.append("trace") or {}, log)

    def broken_dlq() -> None:
        order.append("dlq")
        raise ConnectionError("sqs down")

    try:
        final_sends(io, metrics, tracer, None, broken_dlq, lambda: order.append("audit"))
    finally:
        io.shutdown()
    # the trace goes last, so that it holds the other sends' AWS calls; even when the DLQ send failed
    assert len(sent) == 1 and order[-1] == "trace" and {"dlq", "audit"} <= set(order[:-1])
    assert tracer.root.end_time is not None
    assert log.fields("signal_error")["signal"] == "dead_letter_queue"


# -- rejected records ------------------------------------------------------------------------------------------


class RefusingSqs:
    """SendMessageBatch that refuses every entry whose body mentions 'refuse'."""

    def __init__(self) -> None:
        self.calls = 0

    def send_message_batch(self, QueueUrl, Entries):  # noqa: N803 - boto3's names
        self.calls += 1
        refused = [e for e in Entries if "refuse" in e["MessageBody"]]
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e not in refused],
            "Failed": [{"Id": e["Id"], "Code": "InvalidMessageContents", "Message": "no"} for e in refused],
        }


def test_refused_dlq_messages_are_kept_in_the_audit_store(tmp_path):
    context = {"job_name": "job", "job_run_id": "jr_1", "environment": "dev", "trace_id": "t", "timestamp": "x"}
    messages = [
        make_message({"id": i, "note": "refuse" if i == 3 else "ok"}, ["r"], ["bad"], context) for i in range(12)
    ]
    log, sqs = RecordingLog(), RefusingSqs()
    tracer = Tracer("job", None, log)
    outcome = rejected_records.send_messages(
        messages, DeadLetterQueue(sqs, "https://q", "job"), tracer, log, LocalStore(tmp_path), "job", "jr_1"
    )
    assert (outcome.sent, len(outcome.unsent), sqs.calls) == (11, 1, 3), "2 batches, the refused entry retried once"
    kept = (tmp_path / "_dlq_unsent" / "job" / "jr_1.jsonl").read_text().splitlines()
    assert [json.loads(line)["record"]["id"] for line in kept] == [3]
    assert log.fields("dlq_send_failed")["unsent"] == 1
    assert [s.name for s in tracer.spans] == ["dead_letter_queue"]
