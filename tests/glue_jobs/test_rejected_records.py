"""Rejected records are bounded: at most --dlq_max_inline_records reach the DLQ one by one, the executors write
the rest to the audit store, one pointer message (the shape docs/metrics.md gives) says where; a failed
write is said everywhere; the argument is checked like the others."""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from pathlib import Path

import pytest
from gluejobs_support import RULE_OF_KIND, SAMPLE_BAD_EVERY, SAMPLE_ROWS, RecordingLog
from pyspark.sql import functions as F

from glue_jobs import JobArgumentError
from glue_jobs.audit import S3Store
from glue_jobs.dlq import POINTER_MESSAGE, RECORD_MESSAGE, make_pointer
from glue_jobs.examples import sample_data
from glue_jobs.examples.customer_import import RULES, CustomerImportJob
from glue_jobs.quality import NotNull, RuleSet
from glue_jobs.rejected import OverflowTarget, RejectedRecord, first_records
from glue_jobs.results import StoredOverflow
from glue_jobs.signals import rejected_records

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession
DOC = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text()
BAD = sample_data.expected_bad_rows(SAMPLE_ROWS, SAMPLE_BAD_EVERY)
REJECTED = sum(BAD.values())
INLINE = 7


def local_args(sample_input: str, tmp_path: Path, queue: str, *extra: str, environment: str = "local") -> list[str]:
    return [
        "--environment",
        environment,
        "--JOB_RUN_ID",
        f"jr_{secrets.token_hex(8)}",
        "--input_path",
        sample_input,
        "--output_path",
        str(tmp_path / "out"),
        "--audit_uri",
        str(tmp_path / "audit"),
        "--dlq_queue_url",
        queue,
        "--dlq_max_inline_records",
        str(INLINE),
        *extra,
    ]


def by_type(messages: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {RECORD_MESSAGE: [], POINTER_MESSAGE: []}
    for m in messages:
        body = json.loads(m["Body"])
        assert m["MessageAttributes"]["message_type"]["StringValue"] == body["message_type"]
        out[body["message_type"]].append(body)
    return out


def stored_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for f in sorted(folder.glob("part-*.json")) for line in f.read_text().splitlines()]


def overflow_jobs(spark, run_id: str) -> int:
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(f"{run_id}:rejected_records"))


# -- the bound -------------------------------------------------------------------------------------------------


def test_n_records_inline_the_rest_in_the_audit_store_behind_one_pointer(aws, spark, run_job, sample_input, tmp_path):
    queue = aws.new_queue()
    run = run_job(CustomerImportJob, local_args(sample_input, tmp_path, queue), clients=aws.client)
    result, run_id = run.result, run.result.job_run_id
    messages = by_type(aws.drain(queue, INLINE + 1))
    assert len(messages[RECORD_MESSAGE]) == INLINE == result.dlq_inline, "exactly N one by one"
    (pointer,) = messages[POINTER_MESSAGE]
    assert result.dlq_sent == INLINE + 1 and result.dlq_calls == 1

    folder = tmp_path / "audit" / "rejected" / "job_name=customer_import" / f"job_run_id={run_id}"
    assert pointer["records_uri"] == f"{folder}/" and pointer["status"] == "stored" and pointer["error"] is None
    lines = stored_lines(folder)
    assert len(lines) == REJECTED - INLINE == pointer["record_count"] == result.rejected_overflow.written
    assert (pointer["inline_count"], pointer["rejected_count"]) == (INLINE, REJECTED)
    assert list(pointer) == _documented_pointer()[0], "what docs/metrics.md documents, in its order"
    assert (folder / "_SUCCESS").exists()

    # nothing lost, nothing twice: the inline records and the stored ones are the rejected records
    everything = [(m["record"], m["failed_rules"]) for m in messages[RECORD_MESSAGE]]
    everything += [(line["record"], line["failed_rules"]) for line in lines]
    assert len(everything) == len({json.dumps(r, sort_keys=True) for r, _ in everything}) == REJECTED
    assert Counter(rules[0] for _, rules in everything) == {RULE_OF_KIND[k]: n for k, n in BAD.items()}
    stored_rules = Counter(rule for line in lines for rule in line["failed_rules"])
    assert pointer["failed_rule_counts"] == dict(stored_rules)
    assert pointer["failed_rules"] == [r for r, _ in sorted(stored_rules.items(), key=lambda x: (-x[1], x[0]))]

    # the count is the observation's; the write is the one extra Spark action, in its own job group
    assert result.quality.records_failed == REJECTED
    load_jobs = result.stages["load"].spark_jobs
    assert overflow_jobs(spark, run_id) >= 1
    assert len(result.spark_job_ids) == load_jobs + overflow_jobs(spark, run_id)
    assert run.event("rejected_records_stored")["records"] == REJECTED - INLINE
    assert not run.events("rejected_records_count_mismatch")


def test_when_all_fit_inline_there_is_no_pointer_and_no_extra_spark_job(aws, spark, run_job, sample_input, tmp_path):
    queue = aws.new_queue()
    argv = local_args(sample_input, tmp_path, queue)
    argv[argv.index("--dlq_max_inline_records") + 1] = str(REJECTED)
    result = run_job(CustomerImportJob, argv, clients=aws.client).result
    messages = by_type(aws.drain(queue, REJECTED))
    assert len(messages[RECORD_MESSAGE]) == REJECTED and not messages[POINTER_MESSAGE]
    assert result.rejected_overflow is None and not (tmp_path / "audit" / "rejected").exists()
    assert overflow_jobs(spark, result.job_run_id) == 0
    assert len(result.spark_job_ids) == result.stages["load"].spark_jobs


def test_with_an_s3_audit_store_the_rest_lands_in_s3(aws, run_job, sample_input, tmp_path):
    """Local PySpark has no s3:// filesystem: the executors write locally and the driver uploads the files."""
    bucket, queue = aws.new_bucket(), aws.new_queue()
    argv = local_args(sample_input, tmp_path, queue, environment="dev")
    argv[argv.index("--audit_uri") + 1] = f"s3://{bucket}/audit"
    result = run_job(CustomerImportJob, argv, clients=aws.client).result
    (pointer,) = by_type(aws.drain(queue, INLINE + 1))[POINTER_MESSAGE]
    prefix = f"audit/rejected/job_name=customer_import/job_run_id={result.job_run_id}/"
    assert pointer["records_uri"] == f"s3://{bucket}/{prefix}" and pointer["environment"] == "dev"
    objects = aws.objects(bucket, prefix)
    assert f"{prefix}_SUCCESS" in objects and not any("/." in k or k.endswith(".crc") for k in objects)
    lines = [json.loads(line) for k, body in objects.items() if k.endswith(".json") for line in body.splitlines()]
    assert len(lines) == REJECTED - INLINE == pointer["record_count"]


# -- a failed write ----------------------------------------------------------------------------------------------


def test_a_failed_write_is_logged_kept_and_pointed_at_never_silent(aws, run_job, sample_input, tmp_path):
    queue = aws.new_queue()
    argv = local_args(sample_input, tmp_path, queue)
    run_id = argv[argv.index("--JOB_RUN_ID") + 1]
    folder = tmp_path / "audit" / "rejected" / "job_name=customer_import" / f"job_run_id={run_id}"
    folder.mkdir(parents=True)  # a run writes its folder once: the writer refuses an existing one
    run = run_job(CustomerImportJob, argv, clients=aws.client)
    result = run.result
    assert result.status == "SUCCESS", "the output was loaded; the rejected records' fate is said, not hidden"

    failed = run.event("rejected_records_write_failed")
    assert failed["level"] == "ERROR" and failed["records"] == REJECTED - INLINE
    assert failed["records_uri"] == f"{folder}/" and "already exists" in failed["error_message"]

    messages = by_type(aws.drain(queue, INLINE + 1))
    assert len(messages[RECORD_MESSAGE]) == INLINE, "the inline records still go out"
    (pointer,) = messages[POINTER_MESSAGE]
    assert pointer["status"] == "write_failed" and pointer["error"].startswith("AnalysisException")
    assert pointer["record_count"] == REJECTED - INLINE and pointer["rejected_count"] == REJECTED
    inline_rules = Counter(r for m in messages[RECORD_MESSAGE] for r in m["failed_rules"])
    expected = {RULE_OF_KIND[k]: n - inline_rules[RULE_OF_KIND[k]] for k, n in BAD.items()}
    assert pointer["failed_rule_counts"] == {r: n for r, n in expected.items() if n}

    marker = tmp_path / "audit" / "_rejected_unstored" / "customer_import" / f"{run_id}.json"
    assert json.loads(marker.read_text()) == pointer
    assert not result.rejected_overflow.stored and result.rejected_overflow.error == pointer["error"]


# -- the argument ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "ten", "", "10001"])
def test_the_inline_bound_must_be_a_whole_number_from_1_to_10000(value):
    argv = ["--environment", "local", "--input_path", "a", "--output_path", "b", "--dlq_max_inline_records", value]
    with pytest.raises(JobArgumentError) as err:
        CustomerImportJob.from_args(argv)
    assert f"--dlq_max_inline_records: {value!r} must be a whole number from 1 to 10,000" in str(err.value)


def test_the_inline_bound_defaults_to_100():
    cfg = CustomerImportJob.from_args(["--environment", "local", "--input_path", "a", "--output_path", "b"]).config
    assert cfg.dlq_max_inline_records == 100
    argv = ["--environment", "local", "--input_path", "a", "--output_path", "b", "--dlq_max_inline_records", "1"]
    assert CustomerImportJob.from_args(argv).config.dlq_max_inline_records == 1


# -- the Spark side on its own -------------------------------------------------------------------------------------


def test_at_most_n_records_per_task_reach_the_driver_which_keeps_n(spark):
    bad = spark.range(0, 400, numPartitions=4).selectExpr("CAST(id AS STRING) AS customer_id", "'' AS email")
    evaluation = RuleSet((NotNull("email"),)).evaluate(bad, max_inline=5)
    evaluation.valid.write.format("noop").mode("overwrite").save()
    observed = evaluation.stage.result(float("inf"))
    sample = json.loads(observed["rejected_sample"])
    assert observed["rejected"] == 400 and len(sample) == 4 * 5, "five per task, not 400"
    kept = evaluation.inline_records(observed)
    assert len(kept) == 5 and [r.record["customer_id"] for r in kept] == ["0", "1", "2", "3", "4"]


def test_identical_records_are_told_apart_by_counting_them(spark):
    rows = [("C1", "")] * 3 + [("C2", "")] * 2 + [("C3", "")]
    df = spark.createDataFrame(rows, "customer_id string, email string")
    evaluation = RuleSet((NotNull("email"),)).evaluate(df, max_inline=2)
    evaluation.valid.write.format("noop").mode("overwrite").save()
    inline = evaluation.inline_records(evaluation.stage.result(float("inf")))
    assert len(inline) == 2
    rest = evaluation.overflow(inline).select(F.col("record.customer_id").alias("c")).collect()
    everything = Counter([r.record["customer_id"] for r in inline] + [row.c for row in rest])
    assert everything == {"C1": 3, "C2": 2, "C3": 1}, "each record inline or stored, once"


def test_first_records_are_ordered_by_task_then_position():
    def line(name: str) -> str:
        return json.dumps({"failed_rules": ["r"], "record": {"id": name}})

    task_1, task_0 = 1 << 33, 0  # the partition id is in the high bits
    sample = [
        {"seq": task_1, "line": line("b0")},
        {"seq": task_0 + 1, "line": line("a1")},
        {"seq": 0, "line": line("a0")},
    ]
    kept = first_records(json.dumps(sample), 2)
    assert [r.record["id"] for r in kept] == ["a0", "a1"] and kept[0].failed_rules == ["r"]
    assert first_records(None, 5) == []


class FakeS3:
    """upload_file / get_object, recorded in order."""

    def __init__(self) -> None:
        self.uploads: list[tuple[str, str, bytes]] = []

    def upload_file(self, filename, bucket, key, ExtraArgs=None):  # noqa: N803 - boto3's names
        self.uploads.append((bucket, key, Path(filename).read_bytes()))

    def get_object(self, Bucket, Key):  # noqa: N803
        error = Exception("not found")
        error.response = {"Error": {"Code": "NoSuchKey"}}
        raise error


def test_without_an_s3_filesystem_the_driver_uploads_what_the_executors_wrote(spark):
    s3 = FakeS3()
    target = OverflowTarget(S3Store(s3, "s3://bucket/audit"), "job", "jr_1")
    frame = spark.createDataFrame(
        [(["r"], ("C1",)), (["r"], ("C2",))], "failed_rules array<string>, record struct<c:string>"
    )
    target.write(frame.repartition(2))
    keys = [key for _, key, _ in s3.uploads]
    assert all(k.startswith("audit/rejected/job_name=job/job_run_id=jr_1/") for k in keys)
    assert keys[-1].endswith("/_SUCCESS") and not any(re.search(r"/\.|\.crc$", k) for k in keys)
    lines = [json.loads(x) for _, k, body in s3.uploads if k.endswith(".json") for x in body.splitlines()]
    assert sorted(line["record"]["c"] for line in lines) == ["C1", "C2"]
    assert target.uri == "s3://bucket/audit/rejected/job_name=job/job_run_id=jr_1/"


def test_store_overflow_never_raises_and_says_why(spark):
    log = RecordingLog()

    def broken():
        raise RuntimeError("AccessDenied\nmore detail")

    outcome = rejected_records.store_overflow(
        broken,
        OverflowTarget(S3Store(FakeS3(), "s3://bucket/audit"), "job", "jr_1"),
        RuleSet(RULES),
        expected=10,
        expected_counts={"email_not_null": 10},
        timeout_seconds=1,
        log=log,
    )
    assert outcome == StoredOverflow(
        "s3://bucket/audit/rejected/job_name=job/job_run_id=jr_1/",
        10,
        rule_counts={"email_not_null": 10},
        error="RuntimeError: AccessDenied",
    )
    assert log.fields("rejected_records_write_failed")["records"] == 10


# -- the pointer message is what docs/metrics.md says ------------------------------------------------------------


def _dlq_section() -> str:
    return DOC.split("## Dead-letter queue messages", 1)[1].split("\n## ", 1)[0]


def _documented_pointer() -> tuple[list[str], dict]:
    section = _dlq_section().split("`rejected_records_pointer`", 1)[1]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("| `")]
    fields = [row[0].strip().strip("`") for row in rows]
    types = {row[0].strip().strip("`"): row[1].strip() for row in rows}
    (example,) = re.findall(r"```json\n(.*?)\n```", section, re.S)
    return fields, {"types": types, "example": json.loads(example)}


def _json_type(value: object) -> str:
    return {str: "string", int: "integer", list: "array of strings", dict: "object", type(None): "null"}[type(value)]


def test_the_pointer_message_has_the_fields_and_types_docs_metrics_md_gives():
    fields, doc = _documented_pointer()
    context = {"job_name": "j", "job_run_id": "jr_1", "environment": "dev", "trace_id": "1-x", "timestamp": "t"}
    for stored in (True, False):
        overflow = StoredOverflow(
            "s3://b/audit/rejected/job_name=j/job_run_id=jr_1/",
            9,
            written=9 if stored else None,
            rule_counts={"email_not_null": 4, "country_allowed": 5},
            error=None if stored else "AnalysisException: boom",
        )
        message = rejected_records.pointer_message(overflow, RuleSet(RULES), context, inline_count=3, rejected_count=12)
        body = json.loads(message.body)
        assert list(body) == fields == list(doc["example"]), "the documented fields, in the documented order"
        for name, value in body.items():
            assert _json_type(value) in doc["types"][name], f"{name}: {value!r} is not {doc['types'][name]}"
        assert body["failed_rules"] == ["country_allowed", "email_not_null"] and body["message_type"] == POINTER_MESSAGE
        assert body["status"] == ("stored" if stored else "write_failed") and body["record_count"] == 9
        assert message.message_type == POINTER_MESSAGE and message.failed_rules == ("country_allowed", "email_not_null")


def test_the_record_message_has_the_documented_fields():
    section = _dlq_section().split("`rejected_records_pointer`", 1)[0]
    (example,) = re.findall(r"```json\n(.*?)\n```", section, re.S)
    context = {"job_name": "j", "job_run_id": "jr_1", "environment": "dev", "trace_id": "1-x", "timestamp": "t"}
    record = RejectedRecord.parse('{"failed_rules":["email_not_null"],"record":{"customer_id":"C1"}}')
    (message,) = rejected_records.record_messages([record], RuleSet(RULES), context)
    assert list(json.loads(message.body)) == list(json.loads(example))
    pointer = make_pointer(
        context=context,
        stored=True,
        records_uri="u",
        record_count=1,
        inline_count=1,
        rejected_count=2,
        rule_counts={},
        describe=lambda names: [],
    )
    assert json.loads(pointer.body)["reason"] == "failed validation" and pointer.failed_rules == ()
