"""`make job`'s runner (harness/local_job.py): the example job reaches the emulator through boto3's standard
endpoint variables alone, with the demo bucket and queue made for it."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from glue_jobs.examples import sample_data
from harness import local_job

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]
ROOT = Path(__file__).resolve().parents[2]


def test_the_example_job_imports_nothing_of_the_harness():
    code = "import sys, glue_jobs.examples.customer_import; print(sorted(m for m in sys.modules if 'harness' in m))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stderr[-2000:]


def test_the_job_class_is_picked_out_of_the_arguments():
    assert local_job.split_job(["--environment", "dev", "--job", "m:C", "--x", "1"]) == (
        "m:C",
        ["--environment", "dev", "--x", "1"],
    )
    assert local_job.split_job(["--job=m:D"]) == ("m:D", [])
    assert local_job.split_job(["--a"]) == (local_job.DEFAULT_JOB, ["--a"])


def test_given_resources_are_kept_and_missing_ones_made(aws_emulator):
    given = ["--audit_uri", "s3://mine/audit", "--dlq_queue_url=https://q"]
    assert local_job.demo_resources(aws_emulator, given) == given
    argv = local_job.demo_resources(aws_emulator, ["--environment", "dev"])
    assert argv[:4] == ["--environment", "dev", "--audit_uri", f"s3://{local_job.DEMO_BUCKET}/audit"]
    assert argv[4] == "--dlq_queue_url" and argv[5].endswith(f"/{local_job.DEMO_QUEUE}")
    assert local_job.demo_resources(aws_emulator, ["--environment", "dev"]) == argv, "made once, reused"


def test_the_example_runs_against_the_emulator_without_importing_it(aws_emulator, tmp_path):
    """What `make job` does, in a separate process whose emulator is the suite's; the job module itself never
    imports the harness (boto3 reads the AWS_ENDPOINT_URL* variables local_job exports). Every signal of the
    run lands: the log lines, the audit events, the trace, the bounded rejected records."""
    script = (
        "import json, sys\n"
        "from harness import emulator, local_job\n"
        "emu = emulator.Emulator(**json.loads(sys.argv[1]))\n"
        "local_job.ensure_running = lambda progress=print: emu\n"
        "sys.exit(local_job.main(sys.argv[2:]))\n"
    )
    args = ["--environment", "dev", "--generate_sample", "300", "--sample_bad_every", "50"]
    args += ["--input_path", str(tmp_path / "raw"), "--output_path", str(tmp_path / "silver")]
    args += ["--dlq_max_inline_records", "10"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cmd = [sys.executable, "-c", script, json.dumps(dataclasses.asdict(aws_emulator)), *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["event"] == "job_started" and lines[-1]["event"] == "job_completed_successfully"
    run_id = lines[-1]["job_run_id"]

    bad = sum(sample_data.expected_bad_rows(300, 50).values())
    assert lines[-1]["row_count"] == 300 - bad
    s3 = aws_emulator.client("s3")
    run_events = [o["Key"] for o in s3.list_objects_v2(Bucket=local_job.DEMO_BUCKET, Prefix="audit/").get(
        "Contents", []) if run_id in o["Key"] and "/rejected/" not in o["Key"]]
    assert sum("/job_events/" in k for k in run_events) == 3, run_events
    assert sum("/data_quality_events/" in k for k in run_events) == 1, run_events
    xray = aws_emulator.client("xray")
    assert xray.batch_get_traces(TraceIds=[lines[-1]["trace_id"]])["Traces"], "no trace reached X-Ray"
    prefix = f"audit/rejected/job_name=customer_import/job_run_id={run_id}/"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=local_job.DEMO_BUCKET, Prefix=prefix).get("Contents", [])]
    stored = sum(
        len(s3.get_object(Bucket=local_job.DEMO_BUCKET, Key=k)["Body"].read().splitlines())
        for k in keys
        if k.endswith(".json")
    )
    assert stored == bad - 10
    sqs = aws_emulator.client("sqs")
    url = sqs.get_queue_url(QueueName=local_job.DEMO_QUEUE)["QueueUrl"]
    bodies = []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        bodies += [json.loads(m["Body"]) for m in got]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in got]
        )
    mine = [b for b in bodies if b["job_run_id"] == run_id]
    assert sorted(b["message_type"] for b in mine) == ["rejected_record"] * 10 + ["rejected_records_pointer"]
