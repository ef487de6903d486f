"""Schema drift on both sides of a run, with real PySpark: the input (what ``extract()`` returned) and the output
(what the load wrote), each against its last known schema in the audit store (``_schemas/<job>.input.json`` and
``_schemas/<job>.json``). A change counts in ``SchemaChanges`` (the sides that changed, one value a run), is
logged (``schema_changed`` with ``side``) and written as a ``schema_changed`` job event; it never fails the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from glue_jobs import Arg, BaseJob, LoadResult
from glue_jobs.contract import JOB_EVENT_FIELDS, SCHEMA_CHANGE_FIELDS

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession

JOB = "drift_job"


class DriftJob(BaseJob):
    """Reads ``--input_columns`` (``name:type,...``, a real DataFrame of 5 rows), writes ``id`` plus
    ``--output_extra`` columns as Parquet; ``--fail_in_transform true`` raises after the extract."""

    job_name = JOB
    job_arguments = (
        Arg("input_columns", required=True),
        Arg("output_extra", default=""),
        Arg("out", required=True),
        Arg("fail_in_transform", default="false"),
    )

    def extract(self) -> DataFrame:
        columns = [c.split(":") for c in self.config["input_columns"].split(",")]
        return self.spark.range(5).select(*[F.col("id").cast(t).alias(n) for n, t in columns])

    def transform(self, df: DataFrame) -> DataFrame:
        if self.config["fail_in_transform"] == "true":
            raise KeyError("customer_id")  # what a transform does when its input lost a column
        out = df.select(F.col("id").cast("bigint").alias("id"))
        for name in filter(None, self.config["output_extra"].split(",")):
            out = out.withColumn(name, F.lit("x"))
        return out

    def load(self, df: DataFrame) -> LoadResult:
        df.write.mode("overwrite").parquet(self.config["out"])
        return LoadResult(output_paths=(self.config["out"],))


@pytest.fixture
def drift(run_job, tmp_path):
    audit = tmp_path / "audit"

    def run(input_columns: str, output_extra: str = "", *, fail: bool = False):
        argv = ["--environment", "local", "--audit_uri", str(audit), "--out", str(tmp_path / "out")]
        argv += ["--input_columns", input_columns, "--output_extra", output_extra]
        argv += ["--fail_in_transform", "true" if fail else "false"]
        return run_job(DriftJob, argv, expect_failure=fail)

    run.audit = audit
    return run


def schema_changes(run) -> list[float]:
    return [
        m["value"] for line in run.events("metric_data") for m in line["metric_data"] if m["metric"] == "SchemaChanges"
    ]


def stored(audit: Path, side: str) -> dict:
    name = f"{JOB}.json" if side == "output" else f"{JOB}.input.json"
    return json.loads((audit / "_schemas" / name).read_text())


def drift_events(audit: Path, run) -> dict[str, dict]:
    """The run's ``schema_changed`` job events, by side (file name and content agree)."""
    out = {}
    for path in audit.glob(f"job_events/year=*/month=*/day=*/{JOB}__{run.result.job_run_id}__schema_changed_*.json"):
        (line,) = path.read_text().splitlines()
        event = json.loads(line)
        assert path.stem.endswith(f"_{event['schema_side']}")
        out[event["schema_side"]] = event
    return out


def test_first_run_records_both_schemas_and_the_same_schema_is_no_change(drift):
    first = drift("id:bigint,email:string")
    assert {e["side"] for e in first.events("schema_recorded")} == {"input", "output"}
    assert not first.events("schema_changed") and first.result.schema_changed is False
    assert schema_changes(first) == [0]
    assert stored(drift.audit, "input")["job_run_id"] == first.result.job_run_id
    assert [f["name"] for f in stored(drift.audit, "input")["schema"]["fields"]] == ["id", "email"]
    assert [f["name"] for f in stored(drift.audit, "output")["schema"]["fields"]] == ["id"]

    same = drift("id:bigint,email:string")
    assert not same.events("schema_changed") and not same.events("schema_recorded")
    assert same.result.schema_changed is False and same.result.schema_changes == {}
    assert schema_changes(same) == [0]
    assert drift_events(drift.audit, same) == {}
    assert stored(drift.audit, "input")["job_run_id"] == first.result.job_run_id, "stored only when it changes"


@pytest.mark.parametrize(
    ("second", "diff"),
    [
        ("id:bigint,email:string,phone:string", {"added": ["phone"], "removed": [], "type_changed": []}),
        ("id:bigint", {"added": [], "removed": ["email"], "type_changed": []}),
        ("id:bigint,email:int", {"added": [], "removed": [], "type_changed": ["email"]}),
    ],
    ids=["added", "removed", "type_changed"],
)
def test_input_drift_alone(drift, second, diff):
    first = drift("id:bigint,email:string")
    changed = drift(second)
    assert changed.result.status.value == "SUCCESS", "drift never fails the run"
    line = changed.event("schema_changed")
    assert line["side"] == "input" and line["previous_job_run_id"] == first.result.job_run_id
    assert {k: line[k] for k in diff} == diff
    assert changed.result.schema_changes == {"input": diff} and changed.result.schema_changed is True
    assert schema_changes(changed) == [1]

    events = drift_events(drift.audit, changed)
    assert set(events) == {"input"}, "the output did not change"
    event = events["input"]
    assert tuple(event) == (*JOB_EVENT_FIELDS, *SCHEMA_CHANGE_FIELDS)
    assert (event["event_type"], event["status"], event["job_name"]) == ("schema_changed", "RUNNING", JOB)
    assert (event["columns_added"], event["columns_removed"], event["columns_type_changed"]) == (
        diff["added"],
        diff["removed"],
        diff["type_changed"],
    )
    assert event["previous_job_run_id"] == first.result.job_run_id
    assert stored(drift.audit, "input")["job_run_id"] == changed.result.job_run_id
    assert stored(drift.audit, "output")["job_run_id"] == first.result.job_run_id

    again = drift(second)
    assert not again.events("schema_changed") and schema_changes(again) == [0], "the new schema is the known one"


def test_output_drift_alone_then_both_sides(drift):
    first = drift("id:bigint,email:string")
    out_only = drift("id:bigint,email:string", "segment")
    (line,) = out_only.events("schema_changed")
    assert (line["side"], line["added"]) == ("output", ["segment"])
    assert set(drift_events(drift.audit, out_only)) == {"output"} and schema_changes(out_only) == [1]
    assert stored(drift.audit, "input")["job_run_id"] == first.result.job_run_id
    assert stored(drift.audit, "output")["job_run_id"] == out_only.result.job_run_id

    both = drift("id:bigint,email:string,phone:string", "")
    assert {e["side"]: e["added" if e["side"] == "input" else "removed"] for e in both.events("schema_changed")} == {
        "input": ["phone"],
        "output": ["segment"],
    }
    events = drift_events(drift.audit, both)
    assert (events["input"]["columns_added"], events["output"]["columns_removed"]) == (["phone"], ["segment"])
    assert schema_changes(both) == [2], "one value a run: the sides that changed"


def test_a_run_that_fails_after_its_input_drifted_still_reports_the_drift(drift):
    drift("id:bigint,customer_id:string")
    failed = drift("id:bigint", fail=True)
    assert isinstance(failed.error, KeyError)
    assert failed.event("schema_changed")["removed"] == ["customer_id"]
    assert set(drift_events(drift.audit, failed)) == {"input"}
    assert schema_changes(failed) == [1]


def test_an_unreadable_schema_store_does_not_fail_the_run(drift):
    drift("id:bigint")
    (drift.audit / "_schemas" / f"{JOB}.input.json").write_text("{not json")
    run = drift("id:bigint")
    errors = [e for e in run.events("signal_error") if e["signal"] == "schema_input"]
    assert errors and errors[0]["error_type"] == "JSONDecodeError"
    assert run.result.status.value == "SUCCESS" and schema_changes(run) == [0], "the output side was still checked"
