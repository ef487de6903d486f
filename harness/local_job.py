"""Run a Glue job locally against the project's emulator (what `make job` runs).

    python -m harness.local_job --environment dev --generate_sample 5000 \
        --input_path build/demo/customers_raw --output_path build/demo/customers_silver

Starts the emulator (or reuses the one of `make emulator-up`), points boto3 at it through the standard
AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables, and, unless --audit_uri / --dlq_queue_url are
given, creates the bucket `gluemon-demo-audit` and the queue `gluemon-demo-dlq` there and passes them on.
Every other argument goes to the job unchanged; `--job module:Class` picks another job than the example.
The job itself knows nothing of the emulator: in AWS the same arguments reach it from Glue.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from harness.emulator import Emulator, ensure_running

DEMO_BUCKET = "gluemon-demo-audit"
DEMO_QUEUE = "gluemon-demo-dlq"
DEFAULT_JOB = "glue_jobs.examples.customer_import:CustomerImportJob"


def demo_resources(emu: Emulator, argv: list[str]) -> list[str]:
    """``argv`` plus ``--audit_uri`` / ``--dlq_queue_url`` for the demo bucket and queue, when not given."""
    given = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
    if "--audit_uri" not in given:
        s3 = emu.client("s3")
        try:
            s3.create_bucket(Bucket=DEMO_BUCKET)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        argv = [*argv, "--audit_uri", f"s3://{DEMO_BUCKET}/audit"]
    if "--dlq_queue_url" not in given:
        url = emu.client("sqs").create_queue(QueueName=DEMO_QUEUE)["QueueUrl"]
        argv = [*argv, "--dlq_queue_url", url]
    return argv


def point_at_emulator(argv: list[str], progress: Callable[[str], None] = print) -> list[str]:
    """Start or reuse the emulator, export its endpoints for boto3, and fill in the demo resources."""
    emu = ensure_running(progress=progress)
    os.environ.update(emu.shell_env())
    return demo_resources(emu, argv)


def split_job(argv: list[str]) -> tuple[str, list[str]]:
    """``--job module:Class`` (or ``--job=module:Class``) out of ``argv``; the example job by default."""
    rest, job = [], DEFAULT_JOB
    args = iter(argv)
    for arg in args:
        if arg == "--job":
            job = next(args, job)
        elif arg.startswith("--job="):
            job = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return job, rest


def main(argv: list[str] | None = None) -> int:
    job_path, rest = split_job(list(sys.argv[1:] if argv is None else argv))
    module, _, name = job_path.partition(":")
    job_cls = getattr(importlib.import_module(module), name)
    return job_cls.main(point_at_emulator(rest))


if __name__ == "__main__":
    sys.exit(main())
