"""Job arguments: Glue's ``--name value`` pairs, parsed and checked before anything starts.

Glue hands a job ``sys.argv`` with its own options mixed in (``--JOB_ID``, ``--JOB_RUN_ID``, ``--TempDir``,
``--job-bookmark-option``, ``--enable-metrics`` ...). Like ``awsglue.utils.getResolvedOptions`` we read the
options we know and ignore the rest, but every problem with ours is reported at once, with the option's
name and what is allowed, before a SparkSession exists (fail fast, fail clearly).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from glue_jobs.contract import ENVIRONMENTS, LOCAL_ENVIRONMENT


class JobArgumentError(ValueError):
    """Bad or missing job arguments; the message lists every problem found."""


Validator = Callable[[str], str | None]
"""Returns an error message for a bad value, or None."""


@dataclass(frozen=True)
class Arg:
    """A job argument, given to Glue as ``--<name> <value>`` (``default_arguments`` in Terraform)."""

    name: str
    help: str = ""
    required: bool = False
    default: str | None = None
    choices: tuple[str, ...] | None = None
    validate: Validator | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", self.name):
            raise ValueError(f"argument name {self.name!r} must be letters, digits and '_' (no leading '--')")
        if self.required and self.default is not None:
            raise ValueError(f"argument {self.name!r} cannot be both required and have a default")


# -- validators ---------------------------------------------------------------------------------------------

_JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def valid_job_name(value: str) -> str | None:
    if not _JOB_NAME.fullmatch(value):
        return "must be 1-255 letters, digits, '_', '.' or '-' (a Glue job name)"
    return None


def valid_bool(value: str) -> str | None:
    return None if value.lower() in ("true", "false") else "must be true or false"


def valid_positive_number(value: str) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return "must be a number"
    return None if number > 0 else "must be greater than 0"


MAX_INLINE_RECORDS = 10_000


def valid_inline_records(value: str) -> str | None:
    """A whole number of records, 1 to ``MAX_INLINE_RECORDS``: the driver holds this many per Spark task."""
    if not re.fullmatch(r"[0-9]+", value.strip()) or not 1 <= int(value) <= MAX_INLINE_RECORDS:
        return (
            f"must be a whole number from 1 to {MAX_INLINE_RECORDS:,} (rejected records sent to the DLQ one by "
            "one; the rest go to the audit store behind one pointer message)"
        )
    return None


def valid_storage_uri(value: str) -> str | None:
    """``s3://bucket/prefix`` or a local directory (local runs)."""
    if value.startswith("s3://"):
        bucket = value[5:].split("/", 1)[0]
        if not _BUCKET.fullmatch(bucket):
            return f"bucket {bucket!r} is not a valid S3 bucket name"
        return None
    if "://" in value:
        return "must be s3://bucket/prefix or a local directory"
    return None


def valid_queue_url(value: str) -> str | None:
    if not re.fullmatch(r"https?://[^\s/]+/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?", value):
        return "must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account id>/<queue name>)"
    return None


def new_run_id() -> str:
    """A Glue-like run id for runs outside Glue (Glue's are ``jr_`` + 64 hex digits)."""
    return "jr_local_" + secrets.token_hex(16)


# -- the common arguments ------------------------------------------------------------------------------------

COMMON_ARGS: tuple[Arg, ...] = (
    Arg("JOB_NAME", "Glue job name (Glue passes it); defaults to the job class's job_name", validate=valid_job_name),
    Arg("JOB_RUN_ID", "Glue job run id (Glue passes it); generated for local runs"),
    Arg(
        "environment",
        "where the job runs; 'local' prints metrics instead of sending them",
        required=True,
        choices=ENVIRONMENTS,
    ),
    Arg("correlation_id", "business correlation id; defaults to WORKFLOW_RUN_ID, then JOB_RUN_ID"),
    Arg("WORKFLOW_RUN_ID", "Glue workflow run id (Glue passes it inside a workflow)"),
    Arg("audit_uri", "s3://bucket/prefix of the audit trail (required outside 'local')", validate=valid_storage_uri),
    Arg(
        "dlq_queue_url",
        "SQS queue URL for failed records (required outside 'local' when rules quarantine)",
        validate=valid_queue_url,
    ),
    Arg(
        "dlq_max_inline_records",
        "rejected records sent to the DLQ one message each; the rest are written to <audit_uri>/rejected/ "
        "behind one pointer message",
        default="100",
        validate=valid_inline_records,
    ),
    Arg("aws_region", "AWS region for the clients (default: the environment's)"),
    Arg("enable_tracing", "send X-Ray segment documents", default="true", validate=valid_bool),
    Arg(
        "track_step_rows",
        "also count rows where steps call track() (one observation each: ~2 % CPU on a light job)",
        default="false",
        validate=valid_bool,
    ),
    Arg(
        "observation_timeout_seconds",
        "how long to wait for observed stage metrics after the load",
        default="10",
        validate=valid_positive_number,
    ),
    Arg("log_level", "minimum log level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
)


@dataclass(frozen=True)
class JobConfig:
    """The resolved arguments of one run."""

    job_name: str
    job_run_id: str
    environment: str
    correlation_id: str
    audit_uri: str | None = None
    dlq_queue_url: str | None = None
    dlq_max_inline_records: int = 100
    aws_region: str | None = None
    enable_tracing: bool = True
    observation_timeout_seconds: float = 10.0
    track_step_rows: bool = False
    log_level: str = "INFO"
    remediation_of: str | None = None
    """Set on a retry by the remediation Lambda (``--remediation-of=<original run id>``)."""
    remediation_attempt: int | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    """Every argument by name, the job's own included (what Glue's getResolvedOptions returns)."""

    @property
    def is_local(self) -> bool:
        return self.environment == LOCAL_ENVIRONMENT

    def __getitem__(self, name: str) -> str:
        return self.args[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.args.get(name, default)


def split_argv(argv: Sequence[str]) -> dict[str, str]:
    """``--name value`` / ``--name=value`` pairs; flags without a value map to ``"true"``; the rest is ignored."""
    values: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("--") or token == "--":
            continue
        name, eq, value = token[2:].partition("=")
        if not eq:
            if i < len(argv) and not argv[i].startswith("--"):
                value = argv[i]
                i += 1
            else:
                value = "true"
        values[name] = value
    return values


def parse_job_args(
    argv: Sequence[str],
    *,
    job_args: Sequence[Arg] = (),
    default_job_name: str,
    needs_dlq: bool = False,
    environ: Mapping[str, str] | None = None,
) -> JobConfig:
    """Resolve and check the arguments; raises :class:`JobArgumentError` listing every problem."""
    environ = os.environ if environ is None else environ
    given = split_argv(argv)
    specs = {a.name: a for a in (*COMMON_ARGS, *job_args)}
    if len(specs) != len(COMMON_ARGS) + len(job_args):
        clash = sorted({a.name for a in job_args} & {a.name for a in COMMON_ARGS})
        raise JobArgumentError(f"job arguments {clash} clash with the framework's own arguments")

    errors: list[str] = []
    resolved: dict[str, str] = {}
    for name, spec in specs.items():  # a bad value is reported and left out of `resolved`
        value = given.get(name)
        if value is None:
            if spec.required:
                errors.append(f"--{name}: required ({spec.help})" if spec.help else f"--{name}: required")
            elif spec.default is not None:
                resolved[name] = spec.default
            continue
        if value == "" and spec.required:
            errors.append(f"--{name}: must not be empty")
            continue
        if spec.choices is not None and value not in spec.choices:
            errors.append(f"--{name}: {value!r} is not one of {', '.join(spec.choices)}")
            continue
        if spec.validate is not None and (problem := spec.validate(value)):
            errors.append(f"--{name}: {value!r} {problem}")
            continue
        resolved[name] = value

    job_name = resolved.get("JOB_NAME") or default_job_name
    if "JOB_NAME" not in resolved and (problem := valid_job_name(job_name)):
        errors.append(f"job_name {job_name!r} {problem}")
    environment = resolved.get("environment", "")
    if environment and environment != LOCAL_ENVIRONMENT:
        if "audit_uri" in resolved and not resolved["audit_uri"].startswith("s3://"):
            errors.append(
                f"--audit_uri: must be an s3:// URI outside the 'local' environment (got {resolved['audit_uri']!r})"
            )
        if "audit_uri" not in given:
            errors.append(f"--audit_uri: required in the {environment!r} environment (s3://bucket/prefix)")
        if needs_dlq and "dlq_queue_url" not in given:
            errors.append(
                f"--dlq_queue_url: required in the {environment!r} environment, because the job's "
                "rules route failed records to the dead-letter queue"
            )
    if errors:
        raise JobArgumentError(f"invalid arguments for job {job_name!r}:\n  " + "\n  ".join(errors))

    run_id = resolved.get("JOB_RUN_ID") or new_run_id()
    resolved.setdefault("JOB_NAME", job_name)
    resolved["JOB_RUN_ID"] = run_id
    region = resolved.get("aws_region") or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    return JobConfig(
        job_name=job_name,
        job_run_id=run_id,
        environment=environment,
        correlation_id=resolved.get("correlation_id") or resolved.get("WORKFLOW_RUN_ID") or run_id,
        audit_uri=resolved.get("audit_uri"),
        dlq_queue_url=resolved.get("dlq_queue_url"),
        dlq_max_inline_records=int(resolved["dlq_max_inline_records"]),
        aws_region=region,
        enable_tracing=resolved["enable_tracing"].lower() == "true",
        observation_timeout_seconds=float(resolved["observation_timeout_seconds"]),
        track_step_rows=resolved["track_step_rows"].lower() == "true",
        log_level=resolved["log_level"],
        remediation_of=given.get("remediation-of") or None,
        remediation_attempt=int(attempt) if (attempt := given.get("remediation-attempt", "")).isdigit() else None,
        args=dict(resolved),
    )


def argument_names(config: JobConfig) -> list[str]:
    """Names only (values may hold secrets or paths): what ``job_started`` logs."""
    return sorted(config.args)


def as_bool(value: Any) -> bool:
    return str(value).lower() == "true"
