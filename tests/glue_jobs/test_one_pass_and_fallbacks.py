"""Stage metrics cost no Spark action; unreadable observations fall back instead of hanging; schema changes
are detected against the last known schema; a minimal job needs nothing but the three methods."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from gluejobs_support import SAMPLE_BAD_EVERY, SAMPLE_ROWS
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from glue_jobs import Arg, BaseJob, LoadResult
from glue_jobs.examples import sample_data
from glue_jobs.examples.customer_import import CustomerImportJob, plain_pipeline
from glue_jobs.stages import observe

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession
REJECTED = sum(sample_data.expected_bad_rows(SAMPLE_ROWS, SAMPLE_BAD_EVERY).values())


def local_args(input_path: str, output_path: str, *extra: str) -> list[str]:
    return ["--environment", "local", "--input_path", input_path, "--output_path", output_path, *extra]


def printed_metrics(run) -> dict[tuple[str, str | None], list[float]]:
    out: dict[tuple[str, str | None], list[float]] = {}
    for line in run.events("metric_data"):
        assert line["namespace"] == "Glue/ETL/local"
        for m in line["metric_data"]:
            out.setdefault((m["metric"], m["dimensions"].get("Stage")), []).append(m["value"])
    return out


def test_instrumented_run_launches_the_same_spark_jobs_as_the_plain_job(spark, run_job, sample_input, tmp_path):
    sc = spark.sparkContext
    group = f"plain-{secrets.token_hex(4)}"
    sc.setJobGroup(group, "plain customer_import")
    try:
        plain_pipeline(spark, sample_input, str(tmp_path / "plain"))
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    time.sleep(0.5)
    plain_jobs = len(sc.statusTracker().getJobIdsForGroup(group))

    run = run_job(CustomerImportJob, local_args(sample_input, str(tmp_path / "instrumented")))
    stages = run.result.stages
    assert len(run.result.spark_job_ids) == plain_jobs, "observations ride on the load's own Spark job(s)"
    assert stages["load"].spark_jobs == plain_jobs
    assert all(
        stages[s].spark_jobs == 0 and stages[s].lazy
        for s in ("extract", "transform", "data_cleaning", "api_enrichment")
    )
    assert stages["extract"].records == SAMPLE_ROWS and stages["load"].records == SAMPLE_ROWS - REJECTED
    assert stages["transform"].records == SAMPLE_ROWS, "shared with the rules' observation"
    assert stages["data_cleaning"].records is None, "step rows only with --track_step_rows true"
    assert ("StageThroughput", "data_cleaning") not in printed_metrics(run)
    assert ("StageDurationSeconds", "data_cleaning") in printed_metrics(run)
    assert stages["extract"].throughput == pytest.approx(SAMPLE_ROWS / stages["load"].duration_seconds)
    assert spark.read.parquet(str(tmp_path / "plain")).count() == run.result.records_processed

    metrics = printed_metrics(run)  # environment 'local': printed, not sent
    assert metrics[("RecordsProcessed", None)] == [SAMPLE_ROWS - REJECTED]
    assert metrics[("RecordsFailedValidation", None)] == [REJECTED]
    assert len(run.events("metric_data")) == 1 and run.result.metric_calls == 1
    assert run.events("dlq_disabled")[0]["records"] == REJECTED


class BypassingLoadJob(CustomerImportJob):
    """A sink that bypasses the DataFrame writer: the observations never fire."""

    def load(self, df: DataFrame) -> LoadResult:
        df.rdd.foreachPartition(list)  # a builtin: the executors need not import this test module
        return LoadResult(output_paths=("nowhere",), records_written=7)


def test_observations_that_never_arrive_time_out_and_fall_back(run_job, sample_input, tmp_path):
    t0 = time.monotonic()
    run = run_job(BypassingLoadJob, local_args(sample_input, str(tmp_path / "x"), "--observation_timeout_seconds", "1"))
    assert time.monotonic() - t0 < 60
    warning = run.event("observation_unavailable")
    assert set(warning["stages"]) >= {"extract", "transform", "load", "data_quality"}
    assert run.result.records_processed == 7, "LoadResult.records_written is the fallback"
    assert run.event("load_phase_completed")["row_count"] == 7
    assert run.event("extract_phase_completed")["row_count"] is None
    assert printed_metrics(run)[("RecordsProcessed", None)] == [7]
    assert not run.events("data_quality_evaluated")
    assert run.event("job_completed_successfully")["row_count"] == 7


def test_reading_an_observation_is_bounded(spark):
    df, stage = observe(spark.range(10), "never_acted_on")
    t0 = time.monotonic()
    assert stage.result(time.monotonic() + 0.3) is None
    assert time.monotonic() - t0 < 2
    df.collect()  # a DataFrame action: now it arrives
    assert stage.result(time.monotonic() + 10) == {"rows": 10}


class ReshapedJob(CustomerImportJob):
    def transform(self, df: DataFrame) -> DataFrame:
        out = super().transform(df)
        return out.drop("phone").withColumn("segment", F.lit("retail"))


def test_schema_changes_are_detected_against_the_last_known_schema(run_job, sample_input, tmp_path):
    audit = tmp_path / "audit"
    common = ("--JOB_NAME", "customer_import_schema", "--audit_uri", str(audit))
    first = run_job(CustomerImportJob, local_args(sample_input, str(tmp_path / "o1"), *common))
    assert first.result.schema_changed is False
    assert {e["side"] for e in first.events("schema_recorded")} == {"input", "output"}
    assert printed_metrics(first)[("SchemaChanges", None)] == [0]
    stored = json.loads((audit / "_schemas" / "customer_import_schema.json").read_text())
    assert stored["job_run_id"] == first.result.job_run_id

    same = run_job(CustomerImportJob, local_args(sample_input, str(tmp_path / "o2"), *common))
    assert same.result.schema_changed is False and not same.events("schema_changed")

    changed = run_job(ReshapedJob, local_args(sample_input, str(tmp_path / "o3"), *common))
    event = changed.event("schema_changed")
    assert (event["added"], event["removed"], event["type_changed"]) == (["segment"], ["phone"], [])
    assert event["previous_job_run_id"] == first.result.job_run_id
    assert printed_metrics(changed)[("SchemaChanges", None)] == [1]
    stored = json.loads((audit / "_schemas" / "customer_import_schema.json").read_text())
    assert stored["job_run_id"] == changed.result.job_run_id
    assert changed.result.schema_changes == {"output": {"added": ["segment"], "removed": ["phone"], "type_changed": []}}
    (drift,) = audit.glob(f"job_events/year=*/month=*/day=*/*__{changed.result.job_run_id}__schema_changed_output.json")
    assert json.loads(drift.read_text())["columns_removed"] == ["phone"]
    assert len(list(audit.glob("job_events/year=*/month=*/day=*/*.json"))) == 9 + 1, "3 runs, one schema change"


class MinimalJob(BaseJob):
    job_name = "minimal"
    job_arguments = (Arg("out", required=True),)

    def extract(self) -> DataFrame:
        return self.spark.range(0, 50).withColumn("ts", F.current_timestamp())

    def transform(self, df: DataFrame) -> DataFrame:
        return df.filter(F.col("id") % 2 == 0)

    def load(self, df: DataFrame) -> list[str]:
        df.write.mode("overwrite").parquet(self.config["out"])
        return [self.config["out"]]


class NotADataFrameJob(MinimalJob):
    def transform(self, df: DataFrame):
        return df.collect()


def test_a_minimal_job_and_a_wrong_return_type(run_job, tmp_path):
    run = run_job(MinimalJob, ["--environment", "local", "--out", str(tmp_path / "m")])
    assert run.result.records_processed == 25 and run.result.quality is None
    assert run.event("job_completed_successfully")["data_quality_score"] is None
    assert run.result.output_paths == (str(tmp_path / "m"),)
    assert run.events("audit_disabled")

    failed = run_job(NotADataFrameJob, ["--environment", "local", "--out", str(tmp_path / "n")], expect_failure=True)
    assert isinstance(failed.error, TypeError)
    assert failed.event("job_failed")["error_message"] == "transform() must return a pyspark.sql.DataFrame, got list"
    assert failed.event("extract_phase_completed")["row_count"] is None, "completed phases are still reported"
    assert not failed.events("transform_phase_completed")
