"""The example job against the emulator: every signal read back from where the modules read it.

Successful run: the log lines, the metrics through GetMetricData, the trace through X-Ray (moto), the
audit objects in S3 (queried as a Hive-partitioned table with DuckDB), the DLQ messages, the output.
Failed runs (an API down in transform; a Spark failure during the load's write): job_failed, the metrics,
the faulted trace and the FAILED audit event still go out, and nothing waits for observations that will
never arrive.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from gluejobs_support import RULE_OF_KIND, SAMPLE_BAD_EVERY, SAMPLE_ROWS, Run
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from glue_jobs import LoadResult
from glue_jobs.contract import DATA_QUALITY_EVENT_FIELDS, JOB_EVENT_FIELDS, LOG_LINE_FIELDS
from glue_jobs.examples import sample_data
from glue_jobs.examples.customer_import import CustomerImportJob, UnavailableDirectory

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession
ROOT = Path(__file__).resolve().parents[2]

TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")
ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
BAD = sample_data.expected_bad_rows(SAMPLE_ROWS, SAMPLE_BAD_EVERY)
REJECTED = sum(BAD.values())
LOADED = SAMPLE_ROWS - REJECTED


def expected_quality() -> dict[str, float]:
    """The seed's formula, computed independently from the sample's known bad rows and the job's rules."""
    failures = {rule: BAD[kind] for kind, rule in RULE_OF_KIND.items()}
    checks = {  # rule: (dimension, threshold)
        "customer_id_not_null": ("completeness", 1.0),
        "email_not_null": ("completeness", 0.995),
        "customer_id_unique": ("uniqueness", 0.98),
        "email_format": ("validity", 0.98),
        "country_allowed": ("validity", 1.0),
        "lifetime_value_range": ("validity", 0.99),
        "signup_before_update": ("consistency", 0.98),
    }
    by_dim: dict[str, list[bool]] = {}
    for rule, (dim, threshold) in checks.items():
        passed = (SAMPLE_ROWS - failures.get(rule, 0)) / SAMPLE_ROWS >= threshold
        by_dim.setdefault(dim, []).append(passed)
    scores = {d: sum(v) / len(v) for d, v in by_dim.items()}
    scores["quality"] = sum(scores.values()) / len(scores)
    return scores


def job_args(job_name: str, bucket: str, queue: str, input_path: str, output_path: str) -> list[str]:
    # the shape Glue passes: its own options mixed in, which the job must ignore
    return [
        "--JOB_ID",
        "j_0123",
        "--JOB_RUN_ID",
        f"jr_{secrets.token_hex(32)}",
        "--JOB_NAME",
        job_name,
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--TempDir",
        "s3://tmp-bucket/tmp",
        "--enable-metrics",
        "--environment",
        "dev",
        "--audit_uri",
        f"s3://{bucket}/audit",
        "--dlq_queue_url",
        queue,
        "--input_path",
        input_path,
        "--output_path",
        output_path,
        "--track_step_rows",  # rows and throughput of the steps too
        "true",
    ]


@pytest.fixture(scope="module")
def success(aws, spark, sample_input, tmp_path_factory):
    bucket, queue = aws.new_bucket(), aws.new_queue()
    job_name = f"customer_import_ok_{secrets.token_hex(3)}"
    out = str(tmp_path_factory.mktemp("out") / "customers")
    stream = io.StringIO()
    started = datetime.now(UTC)
    job = CustomerImportJob.from_args(
        job_args(job_name, bucket, queue, sample_input, out), spark=spark, clients=aws.client, log_stream=stream
    )
    result = job.run()
    return {
        "run": Run(job, result, stream.getvalue()),
        "bucket": bucket,
        "queue": queue,
        "job": job_name,
        "out": out,
        "started": started,
    }


# -- logs ----------------------------------------------------------------------------------------------------


def test_every_log_line_is_one_json_object_with_the_run_context(success):
    run, result = success["run"], success["run"].result
    lines = run.lines
    assert len(lines) == len(run.log.strip().splitlines())
    for line in lines:
        assert list(line)[: len(LOG_LINE_FIELDS)] == list(LOG_LINE_FIELDS), line
        assert ISO_Z.fullmatch(line["timestamp"])
        assert line["job_name"] == success["job"]
        assert line["job_run_id"] == result.job_run_id
        assert line["environment"] == "dev"
        assert line["trace_id"] == result.trace_id and TRACE_ID.fullmatch(line["trace_id"])
        assert line["correlation_id"] == result.job_run_id  # no workflow, no correlation_id given
        assert line["level"] in ("INFO", "WARNING")


def test_log_events_follow_the_contract(success):
    run = success["run"]
    started = run.event("job_started")
    assert "environment" in started["job_arguments"] and "input_path" in started["job_arguments"]
    assert not any("s3://" in a for a in started["job_arguments"]), "names only, never values"
    rows = {"extract": SAMPLE_ROWS, "transform": SAMPLE_ROWS, "load": LOADED}
    for phase, count in rows.items():
        line = run.event(f"{phase}_phase_completed")
        assert line["row_count"] == count
        assert line["processing_time_seconds"] >= 0
    assert run.events("step_completed")[0]["stage"] == "data_cleaning"
    done = run.event("job_completed_successfully")
    assert done["row_count"] == LOADED
    assert done["data_quality_score"] == pytest.approx(expected_quality()["quality"])
    assert done["processing_time_seconds"] > 0
    assert not run.events("job_failed")
    order = [line["event"] for line in run.lines]
    assert (
        order.index("job_started")
        < order.index("extract_phase_completed")
        < order.index("transform_phase_completed")
        < order.index("load_phase_completed")
        < order.index("job_completed_successfully")
    )


def test_quality_report_scores_and_pass_rate(success):
    report = success["run"].result.quality
    expected = expected_quality()
    assert report.records_checked == SAMPLE_ROWS and report.records_failed == REJECTED
    failed = {r.name: r.failed for r in report.rules}
    for kind, rule in RULE_OF_KIND.items():
        assert failed[rule] == BAD[kind], rule
    assert report.score == pytest.approx(expected["quality"])
    for dim in ("completeness", "uniqueness", "validity", "consistency"):
        assert report.dimension_scores[dim] == pytest.approx(expected[dim]), dim
    assert report.validation_pass_rate == pytest.approx(100 * LOADED / SAMPLE_ROWS)
    line = success["run"].event("data_quality_evaluated")
    assert line["rules_passed_ratio"] == pytest.approx(sum(r.passed for r in report.rules) / len(report.rules))


# -- metrics -------------------------------------------------------------------------------------------------


def test_metrics_read_back_with_get_metric_data(aws, spark, success):
    job, result = success["job"], success["run"].result
    q = expected_quality()

    def one(metric, stat="Sum", stage=None):
        values = aws.metric("dev", job, metric, stat, stage=stage, since=success["started"])
        assert len(values) == 1, f"{metric} {stage}: {values}"
        return values[0]

    assert one("RecordsProcessed") == LOADED
    assert one("RecordsFailedValidation") == REJECTED
    assert one("ValidationPassRate", "Average") == pytest.approx(100 * LOADED / SAMPLE_ROWS)
    assert one("DataQualityScore", "Average") == pytest.approx(q["quality"])
    assert one("SchemaChanges") == 0
    assert one("JobDurationSeconds", "SampleCount") == 1
    assert one("JobDurationSeconds", "Maximum") == pytest.approx(result.duration_seconds, rel=1e-6)
    assert one("ApiCalls") == 1 and one("ApiErrors") == 0
    assert one("ApiLatencyMs", "SampleCount") == 1
    newest = spark.read.parquet(success["out"]).agg(F.max(F.unix_timestamp("updated_at"))).first()[0]
    age = one("DataAgeHours", "Average")
    assert age == pytest.approx((time.time() - newest) / 3600, abs=0.2)
    assert age == pytest.approx(result.data_age_hours)
    for stage in ("extract", "transform", "load", "data_cleaning", "api_enrichment"):
        assert one("StageDurationSeconds", "SampleCount", stage) == 1
        assert one("StageThroughput", "SampleCount", stage) == 1
    assert result.metric_calls == 1, "every value of the run in one PutMetricData call"


def test_metrics_have_only_bounded_dimensions(aws, success):
    cw = aws.client("cloudwatch")
    metrics = cw.list_metrics(Namespace="Glue/ETL/dev", Dimensions=[{"Name": "JobName", "Value": success["job"]}])[
        "Metrics"
    ]
    assert {m["MetricName"] for m in metrics} >= {
        "RecordsProcessed",
        "RecordsFailedValidation",
        "ValidationPassRate",
        "DataQualityScore",
        "DataAgeHours",
        "SchemaChanges",
        "JobDurationSeconds",
        "StageDurationSeconds",
        "StageThroughput",
        "ApiCalls",
        "ApiErrors",
        "ApiLatencyMs",
    }
    for m in metrics:
        names = {d["Name"] for d in m["Dimensions"]}
        assert names in ({"JobName", "Environment"}, {"JobName", "Environment", "Stage"}), m


# -- traces --------------------------------------------------------------------------------------------------


def test_trace_reaches_xray_with_a_subsegment_per_phase_and_step(aws, success):
    result = success["run"].result
    summaries = aws.client("xray").get_trace_summaries(
        StartTime=success["started"].timestamp() - 60, EndTime=time.time() + 60
    )["TraceSummaries"]
    assert result.trace_id in {s["Id"] for s in summaries}
    docs = {d["name"]: d for d in aws.trace_documents(result.trace_id)}
    root = docs[success["job"]]
    assert "parent_id" not in root and root["annotations"]["job_run_id"] == result.job_run_id
    assert "fault" not in root and root["end_time"] >= root["start_time"]
    for phase in ("extract", "transform", "load"):
        assert docs[phase]["type"] == "subsegment" and docs[phase]["parent_id"] == root["id"]
    assert docs["data_cleaning"]["parent_id"] == docs["transform"]["id"]
    assert docs["api_enrichment"]["parent_id"] == docs["transform"]["id"]
    api = docs["country_directory"]
    assert api["namespace"] == "remote" and api["parent_id"] == docs["api_enrichment"]["id"]
    assert docs["dead_letter_queue"]["parent_id"] == root["id"]
    # every AWS call of the run is an `aws` subsegment of the run, with its operation (what the X-Ray SDK records)
    calls = {(d["name"], d["annotations"]["operation"]) for d in aws.trace_documents(result.trace_id)
             if d.get("namespace") == "aws" and "operation" in d.get("annotations", {})}
    assert {("S3", "PutObject"), ("CloudWatch", "PutMetricData"), ("SQS", "SendMessageBatch")} <= calls, calls
    assert all(d["trace_id"] == result.trace_id for d in docs.values())
    assert not any(d.get("fault") for d in docs.values())
    assert result.trace_calls == 4, "one batched PutTraceSegments per phase end, plus the root at the end"


# -- audit trail ---------------------------------------------------------------------------------------------


def test_audit_events_in_s3_partitioned_by_date(aws, success, tmp_path):
    result = success["run"].result
    objects = aws.objects(success["bucket"], "audit/")
    job_events = {k: v for k, v in objects.items() if k.startswith("audit/job_events/")}
    dq_events = {k: v for k, v in objects.items() if k.startswith("audit/data_quality_events/")}
    assert len(job_events) == 3 and len(dq_events) == 1
    events = {}
    for key, body in {**job_events, **dq_events}.items():
        text = body.decode()
        assert text.endswith("\n") and text.count("\n") == 1, "JSON lines"
        event = json.loads(text)
        assert ISO_Z.fullmatch(event["timestamp"])
        day = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
        assert f"/year={day:%Y}/month={day:%m}/day={day:%d}/" in key
        events[event.get("event_type", "data_quality")] = event
    for name in ("job_started", "load_completed", "job_completed"):
        assert tuple(events[name]) == JOB_EVENT_FIELDS
        assert events[name]["job_run_id"] == result.job_run_id
    assert events["job_started"]["status"] == "RUNNING"
    assert events["load_completed"]["status"] == "SUCCESS"
    assert events["load_completed"]["records_processed"] == LOADED
    assert events["load_completed"]["output_paths"] == [success["out"]]
    done = events["job_completed"]
    assert done["status"] == "SUCCESS" and done["records_processed"] == LOADED
    assert done["data_quality_score"] == pytest.approx(expected_quality()["quality"])
    dq = events["data_quality"]
    assert tuple(dq) == DATA_QUALITY_EVENT_FIELDS
    assert dq["records_checked"] == SAMPLE_ROWS and dq["records_failed"] == REJECTED
    assert dq["validation_pass_rate"] == pytest.approx(100 * LOADED / SAMPLE_ROWS)
    assert dq["quality_score"] == pytest.approx(expected_quality()["quality"])
    assert "audit/_schemas/" + success["job"] + ".json" in objects

    # the layout is a Hive-partitioned JSON table: what Athena / a Glue catalog table reads
    for key, body in objects.items():
        path = tmp_path / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    rows = duckdb.sql(
        f"SELECT event_type, status, records_processed, year, month, day FROM read_json_auto("
        f"'{tmp_path}/audit/job_events/*/*/*/*.json', hive_partitioning = true) ORDER BY timestamp"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        ("job_started", "RUNNING", None),
        ("load_completed", "SUCCESS", LOADED),
        ("job_completed", "SUCCESS", LOADED),
    ]
    assert len({r[3:] for r in rows}) == 1


# -- dead-letter queue ------------------------------------------------------------------------------------------------


def test_failed_records_are_in_the_dlq_with_reason_and_record(aws, success):
    result = success["run"].result
    messages = aws.drain(success["queue"], REJECTED)
    assert len(messages) == REJECTED == result.dlq_sent
    assert result.dlq_calls == -(-REJECTED // 10), "SendMessageBatch: 10 records a call"
    rules = Counter()
    for m in messages:
        body = json.loads(m["Body"])
        assert body["job_name"] == success["job"] and body["job_run_id"] == result.job_run_id
        assert body["trace_id"] == result.trace_id
        assert body["reason"] and len(body["failed_rules"]) == 1
        assert body["message_type"] == m["MessageAttributes"]["message_type"]["StringValue"] == "rejected_record"
        assert body["record"]["customer_id"].startswith("C")
        assert m["MessageAttributes"]["job_name"]["StringValue"] == success["job"]
        rules[body["failed_rules"][0]] += 1
    assert rules == {RULE_OF_KIND[k]: n for k, n in BAD.items()}
    assert result.dlq_inline == REJECTED and result.rejected_overflow is None, "under the default bound of 100"


def test_output_holds_only_valid_records(spark, success):
    out = spark.read.parquet(success["out"])
    assert out.count() == LOADED
    assert out.select("customer_id").distinct().count() == LOADED
    assert out.filter(F.col("region").isNull()).count() == 0
    assert out.filter(~F.col("email").rlike("^[a-z0-9._%+-]+@[a-z0-9.-]+[.][a-z]{2,}$")).count() == 0


# -- failures ------------------------------------------------------------------------------------------------


class BrokenLoadJob(CustomerImportJob):
    """The write itself fails on the executors (a Spark job error, not a planning error)."""

    def load(self, df: DataFrame) -> LoadResult:
        failing = F.when(F.col("country") == "SE", F.raise_error(F.lit("disk full"))).cast("string")
        boom = df.withColumn("x", failing)
        boom.write.mode("overwrite").parquet(self.config["output_path"])
        return LoadResult((self.config["output_path"],))


@pytest.mark.parametrize("case", ["api_down_in_transform", "spark_failure_in_load"])
def test_failed_run_still_sends_every_signal(aws, run_job, sample_input, tmp_path, case):
    bucket, queue = aws.new_bucket(), aws.new_queue()
    job_name = f"customer_import_{case}_{secrets.token_hex(3)}"
    started = datetime.now(UTC)
    argv = job_args(job_name, bucket, queue, sample_input, str(tmp_path / "out"))
    if case == "api_down_in_transform":
        run = run_job(
            CustomerImportJob, argv, clients=aws.client, expect_failure=True, directory=UnavailableDirectory()
        )
        error_type, stage = "ConnectionError", "api_enrichment"
    else:
        t0 = time.monotonic()
        run = run_job(BrokenLoadJob, argv, clients=aws.client, expect_failure=True)
        error_type, stage = "Py4JJavaError", "load"
        assert time.monotonic() - t0 < 120, "a failed load must not wait for observations"
    result = run.result

    failed = run.event("job_failed")
    assert failed["error_type"] == error_type and failed["failed_stage"] == stage
    assert failed["error_message"] and failed["processing_time_seconds"] > 0
    assert failed["trace_id"] == result.trace_id
    assert not run.events("job_completed_successfully")
    assert run.events("job_started")

    assert aws.metric("dev", job_name, "JobDurationSeconds", "SampleCount", since=started) == [1]
    assert aws.metric("dev", job_name, "StageDurationSeconds", "SampleCount", stage="extract", since=started) == [1]
    assert aws.metric("dev", job_name, "RecordsProcessed", since=started) == []
    if case == "api_down_in_transform":
        assert aws.metric("dev", job_name, "ApiCalls", since=started) == [1]
        assert aws.metric("dev", job_name, "ApiErrors", since=started) == [1]

    docs = {d["name"]: d for d in aws.trace_documents(result.trace_id)}
    root = docs[job_name]
    assert root["fault"] is True
    assert root["cause"]["exceptions"][0]["type"] == error_type
    assert docs[stage]["fault"] is True and docs[stage]["cause"]["exceptions"][0]["stack"]
    if case == "api_down_in_transform":
        assert docs["country_directory"]["fault"] is True and docs["transform"]["fault"] is True
        assert "load" not in docs

    events = [json.loads(b) for b in aws.objects(bucket, "audit/job_events/").values()]
    assert sorted((e["event_type"], e["status"]) for e in events) == [
        ("job_completed", "FAILED"),
        ("job_started", "RUNNING"),
    ]
    assert not aws.objects(bucket, "audit/data_quality_events/")
    assert aws.drain(queue, 1, timeout=2) == []
