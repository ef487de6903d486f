"""The emitters on their own: the contract matches docs/metrics.md, metrics batch and never fail the run,
segment documents have X-Ray's shape, log lines have the contract's fields."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from gluejobs_support import RecordingLog

from glue_jobs import contract
from glue_jobs.contract import Metric
from glue_jobs.logs import bind_run_context, clear_run_context, configure_logging, get_logger
from glue_jobs.metrics import MetricsBuffer
from glue_jobs.tracing import Tracer, new_segment_id, new_trace_id

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession
DOC = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text()


def _table_rows(heading: str) -> list[list[str]]:
    section = DOC.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("|")
    ]
    return rows[2:]  # header and the --- line


# -- the contract ------------------------------------------------------------------------------------------------


def test_metric_names_units_and_emitters_match_docs_metrics_md():
    documented = {row[0].strip("`"): (row[1], row[2].split(" (")[0]) for row in _table_rows("## Custom metrics")}
    in_code = {name: (spec.unit.value, spec.emitter.value) for name, spec in contract.METRICS.items()}
    assert in_code == documented


def test_log_events_and_audit_fields_match_docs_metrics_md():
    documented = {row[0].strip("`") for row in _table_rows("## Log events")}
    assert "<phase>_phase_completed" in documented
    names = {e.value for e in contract.LogEvent}
    assert {n for n in names if not n.endswith("_phase_completed")} == documented - {"<phase>_phase_completed"}
    assert {f"{p.value}_phase_completed" for p in contract.Phase} <= names
    every_line = DOC.split("Every line carries", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"`(\w+)`", every_line) == list(contract.LOG_LINE_FIELDS)
    audit = DOC.split("## Audit events", 1)[1].split("\n## ", 1)[0]
    job_part = audit.split("`job_events` fields:", 1)[1].split("`data_quality_events` fields")[0]
    job_fields = re.findall(r"`(\w+)`", job_part)
    fields = [
        f
        for f in job_fields
        if f not in {e.value for e in contract.AuditEventType} and f not in {s.value for s in contract.AuditStatus}
    ]
    assert fields == list(contract.JOB_EVENT_FIELDS)
    dq_fields = re.findall(r"`(\w+)`", audit.split("`data_quality_events` fields:", 1)[1])
    assert dq_fields == list(contract.DATA_QUALITY_EVENT_FIELDS)


# -- metrics -----------------------------------------------------------------------------------------------------


def test_metrics_go_out_in_calls_of_at_most_1000_values():
    calls = []
    buffer = MetricsBuffer("job", "dev", lambda ns, data: calls.append((ns, data)), RecordingLog())
    for i in range(2500):
        buffer.put(Metric.API_LATENCY_MS, i)
    assert [len(d) for _, d in calls] == [1000, 1000], "a full batch is sent as soon as it is full"
    buffer.flush()
    assert [len(d) for _, d in calls] == [1000, 1000, 500] and buffer.calls == 3 and buffer.sent == 2500
    namespace, data = calls[0]
    assert namespace == "Glue/ETL/dev"
    assert data[0]["Dimensions"] == [{"Name": "JobName", "Value": "job"}, {"Name": "Environment", "Value": "dev"}]
    assert data[0]["Unit"] == "Milliseconds" and data[0]["MetricName"] == "ApiLatencyMs"


def test_stage_metrics_carry_the_stage_dimension_and_nothing_else():
    calls = []
    buffer = MetricsBuffer("job", "prod", lambda ns, data: calls.append(data), RecordingLog())
    buffer.put(Metric.STAGE_DURATION_SECONDS, 1.5, stage="load")
    buffer.flush()
    assert [d["Name"] for d in calls[0][0]["Dimensions"]] == ["JobName", "Environment", "Stage"]
    with pytest.raises(ValueError, match="StageThroughput needs a Stage dimension"):
        buffer.put(Metric.STAGE_THROUGHPUT, 3)
    with pytest.raises(ValueError, match="RecordsProcessed takes no Stage dimension"):
        buffer.put(Metric.RECORDS_PROCESSED, 3, stage="load")


def test_only_the_contract_names_and_units_are_accepted():
    buffer = MetricsBuffer("job", "dev", lambda ns, data: None, RecordingLog())
    with pytest.raises(ValueError, match="is not a valid Metric"):
        buffer.put("data_quality_score", 0.9)  # the seed's name: a new billed stream nobody reads
    with pytest.raises(ValueError, match="DataAgeHours is in None"):
        buffer.put(Metric.DATA_AGE_HOURS, 2, unit="Seconds")
    with pytest.raises(ValueError, match="emitted by a log metric filter"):
        buffer.put(Metric.JOBS_FAILED, 1)


def test_a_failing_put_metric_data_is_logged_not_raised():
    log = RecordingLog()

    def broken(ns, data):
        raise ConnectionError("endpoint down")

    buffer = MetricsBuffer("job", "dev", broken, log)
    buffer.put(Metric.RECORDS_PROCESSED, 10)
    buffer.put(Metric.JOB_DURATION_SECONDS, float("nan"))  # skipped: CloudWatch rejects NaN
    buffer.flush()
    assert buffer.lost == 1 and buffer.sent == 0
    assert ("error", "metrics_publish_failed") in [(lvl, ev) for lvl, ev, _ in log.records]
    assert ("warning", "metric_value_skipped") in [(lvl, ev) for lvl, ev, _ in log.records]


def test_local_environment_prints_metrics_instead_of_sending():
    log = RecordingLog()
    buffer = MetricsBuffer("job", "local", None, log)
    buffer.put(Metric.RECORDS_PROCESSED, 42)
    buffer.flush()
    ((level, event, fields),) = log.records
    assert event == "metric_data" and fields["namespace"] == "Glue/ETL/local"
    assert fields["metric_data"] == [
        {
            "metric": "RecordsProcessed",
            "value": 42.0,
            "unit": "Count",
            "dimensions": {"JobName": "job", "Environment": "local"},
        }
    ]


# -- tracing -------------------------------------------------------------------------------------------------------


def test_trace_and_segment_ids_have_xray_format():
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", new_trace_id())
    assert new_trace_id(0x5759E988).startswith("1-5759e988-")
    assert re.fullmatch(r"[0-9a-f]{16}", new_segment_id())


def test_segments_nest_record_faults_and_batch_50_documents_a_call():
    sent = []
    tracer = Tracer(
        "job",
        lambda docs: sent.append(docs) or {"UnprocessedTraceSegments": []},
        RecordingLog(),
        annotations={"job-run id": "jr_1"},
    )
    with tracer.subsegment("transform"):
        with tracer.subsegment("api_enrichment"):
            pass
    with pytest.raises(KeyError):
        with tracer.subsegment("load"):
            raise KeyError("missing column")
    for i in range(60):
        tracer.end(tracer.start(f"step_{i}"))
    tracer.finish(RuntimeError("boom"))
    assert [len(b) for b in sent] == [50, 14] and tracer.calls == 2
    docs = {d["name"]: d for d in (json.loads(x) for batch in sent for x in batch)}
    root = docs["job"]
    assert "parent_id" not in root and "type" not in root and root["annotations"] == {"job_run_id": "jr_1"}
    assert root["fault"] is True and root["cause"]["exceptions"][0]["type"] == "RuntimeError"
    assert docs["transform"]["parent_id"] == root["id"] and docs["transform"]["type"] == "subsegment"
    assert docs["api_enrichment"]["parent_id"] == docs["transform"]["id"]
    load = docs["load"]
    assert load["fault"] is True and load["cause"]["exceptions"][0]["message"] == "'missing column'"
    stack = load["cause"]["exceptions"][0]["stack"]
    assert stack[0]["label"] == "test_segments_nest_record_faults_and_batch_50_documents_a_call"
    assert "fault" not in docs["transform"], "X-Ray reads the flag's presence: only set when true"
    assert all(d["trace_id"] == tracer.trace_id and d["end_time"] >= d["start_time"] for d in docs.values())


def test_tracing_failures_and_disabled_tracing_never_raise():
    log = RecordingLog()

    def down(docs):
        raise TimeoutError("xray unreachable")

    tracer = Tracer("job", down, log)
    tracer.finish()
    assert tracer.failed == 1 and ("error", "trace_publish_failed") in [(a, b) for a, b, _ in log.records]
    off = Tracer("job", down, log, enabled=False)
    off.finish()
    assert off.calls == 0


# -- logs ------------------------------------------------------------------------------------------------------------


def test_log_lines_are_json_with_the_bound_context_first():
    stream = io.StringIO()
    configure_logging(stream)
    bind_run_context(
        job_name="j", job_run_id="jr_1", environment="dev", trace_id="1-00000000-" + "0" * 24, correlation_id="c"
    )
    try:
        get_logger().info("transform_phase_completed", row_count=3, processing_time_seconds=0.5)
        get_logger().debug("hidden")
    finally:
        clear_run_context()
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert list(line) == [*contract.LOG_LINE_FIELDS, "row_count", "processing_time_seconds"]
    assert line["level"] == "INFO" and line["event"] == "transform_phase_completed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["timestamp"])
