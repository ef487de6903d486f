"""Apply checks of modules/glue_job (examples/complete, applied in the examples bundle).

What the applied resources show on the emulator (the job on moto, the role and its policy on moto's IAM, the
uploads on LocalStack's S3): the job with its settings, default arguments, role and script; the role's trust
and its one inline policy, equal to the module's role_policy_json; the uploaded script and package, byte for
byte what the checkout holds and what the framework's sources build; and that the framework accepts the job's
arguments as Glue passes them. Not shown (nothing runs the job, neither emulator evaluates IAM): that the policy
is enough for a real run; the README argues each statement.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glue_jobs.config import parse_job_args
from glue_jobs.examples.customer_import import CustomerImportJob
from glue_jobs.quality import RuleSet
from harness.settings import ROOT
from tools import build_glue_package

pytestmark = pytest.mark.apply
JOB = "ex-glue-job-complete-customer_import"
LOG_PREFIX = "/aws-glue/jobs/ex-glue-job-complete"
STAR_RESOURCE_SIDS = {"PublishFrameworkMetrics", "PublishGlueMetrics", "SendTraceSegments"}


@pytest.fixture(scope="module")
def ex(applied_examples) -> dict:
    out = applied_examples.example("glue_job")
    assert out["built"], "build/glue/glue_jobs.zip missing when the bundle was planned: run make glue-package"
    return out


@pytest.fixture(scope="module")
def job(applied_examples, ex) -> dict:
    return applied_examples.client("glue").get_job(JobName=ex["job_name"])["Job"]


def _doc(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def test_the_job_runs_the_uploaded_script_with_its_settings(job, ex):
    assert job["Name"] == JOB == ex["job_name"]
    assert job["Role"] == ex["role_arn"]
    assert job["Command"]["Name"] == "glueetl"
    assert job["Command"]["ScriptLocation"] == ex["script_s3_uri"]
    assert ex["script_s3_uri"] == f"s3://ex-glue-job-complete-artifacts/glue-jobs/{JOB}/customer_import.py"
    assert job["GlueVersion"] == "5.0"
    assert (job["WorkerType"], job["NumberOfWorkers"], job["ExecutionClass"]) == ("G.1X", 2, "STANDARD")
    assert job["Timeout"] == 30
    # the remediation Lambda owns retries. For 0 the provider sends no MaxRetries (Glue's default is 0), and
    # moto then returns none: absent means 0
    assert job.get("MaxRetries", 0) == 0
    assert job["NotificationProperty"]["NotifyDelayAfter"] == 20
    assert job["ExecutionProperty"]["MaxConcurrentRuns"] == 1
    assert "not retried twice" in job["Description"]


def test_default_arguments_are_the_frameworks_and_glues(job, ex):
    args = job["DefaultArguments"]
    assert args == ex["default_arguments"]
    assert args == {
        "--environment": "dev",
        "--audit_uri": "s3://ex-glue-job-complete-audit/audit",
        "--dlq_queue_url": ex["fixtures"]["dlq_queue_url"],
        "--extra-py-files": ex["package_s3_uri"],
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-job-insights": "true",
        "--custom-logGroup-prefix": LOG_PREFIX,
        "--input_path": "s3://ex-glue-job-complete-lake/raw/customers/",
        "--output_path": "s3://ex-glue-job-complete-lake/silver/customers/",
        "--dlq_max_inline_records": "100",
        "--job-bookmark-option": "job-bookmark-disable",
        "--enable-spark-ui": "true",
        "--spark-event-logs-path": f"s3://{ex['fixtures']['artifacts_bucket']}/spark-events/",
    }
    assert ex["log_group_names"] == [f"{LOG_PREFIX}/output", f"{LOG_PREFIX}/error"]


def test_the_framework_accepts_the_arguments_glue_passes(job):
    """Glue starts the script with the job's default arguments and its own (--JOB_NAME, --JOB_RUN_ID)."""
    argv = [token for key, value in job["DefaultArguments"].items() for token in (key, value)]
    argv += ["--JOB_NAME", job["Name"], "--JOB_RUN_ID", "jr_" + "0" * 64]
    config = parse_job_args(
        argv,
        job_args=CustomerImportJob.job_arguments,
        default_job_name=CustomerImportJob.job_name,
        needs_dlq=RuleSet(CustomerImportJob.rules).quarantines,
        environ={},
    )
    assert (config.job_name, config.environment) == (JOB, "dev")
    assert config.audit_uri == job["DefaultArguments"]["--audit_uri"]
    assert config.dlq_queue_url == job["DefaultArguments"]["--dlq_queue_url"]
    assert config.dlq_max_inline_records == 100


def test_the_role_trusts_glue_in_its_own_account_and_has_one_inline_policy(applied_examples, ex):
    iam = applied_examples.client("iam")
    role = iam.get_role(RoleName=ex["role_name"])["Role"]
    assert role["Arn"] == ex["role_arn"] and ex["role_name"] == JOB
    (trust,) = _doc(role["AssumeRolePolicyDocument"])["Statement"]
    assert trust["Principal"] == {"Service": "glue.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": applied_examples.account}}
    assert iam.list_attached_role_policies(RoleName=ex["role_name"])["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ex["role_name"])["PolicyNames"] == [f"{JOB}-least-privilege"]
    doc = _doc(iam.get_role_policy(RoleName=ex["role_name"], PolicyName=f"{JOB}-least-privilege")["PolicyDocument"])
    assert doc == json.loads(ex["role_policy_json"])


def test_every_statement_has_a_reason_names_its_actions_and_scopes_its_resources(applied_examples, ex):
    statements = {st["Sid"]: st for st in json.loads(ex["role_policy_json"])["Statement"]}
    assert list(statements) == [
        "ReadJobCode",
        "WriteOwnLogGroups",
        "PublishFrameworkMetrics",
        "PublishGlueMetrics",
        "SendTraceSegments",
        "SendRejectedRecords",
        "ListAuditRejected",
        "ListInputs1",
        "ListOutputs1",
        "ListSparkEventLogs",
        "ReadInputs",
        "WriteOutputs",
        "WriteRejectedRecords",
        "WriteSparkEventLogs",
        "WriteAuditEvents",
        "ReadOwnSchema",
        "UseEnvironmentKey",
    ]
    for sid, st in statements.items():
        assert st["Effect"] == "Allow"
        assert not [a for a in _listed(st["Action"]) if "*" in a], st
        assert ("*" in _listed(st["Resource"])) == (sid in STAR_RESOURCE_SIDS), st
    namespaces = {
        sid: statements[sid]["Condition"]["StringEquals"]["cloudwatch:namespace"]
        for sid in ("PublishFrameworkMetrics", "PublishGlueMetrics")
    }
    assert namespaces == {"PublishFrameworkMetrics": "Glue/ETL/dev", "PublishGlueMetrics": "Glue"}

    account = applied_examples.account
    groups = [f"arn:aws:logs:us-east-1:{account}:log-group:{LOG_PREFIX}/{kind}" for kind in ("output", "error")]
    assert sorted(_listed(statements["WriteOwnLogGroups"]["Resource"])) == sorted(
        groups + [f"{g}:log-stream:*" for g in groups]
    )
    assert sorted(_listed(statements["WriteOwnLogGroups"]["Action"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statements["SendRejectedRecords"]["Resource"] == ex["fixtures"]["dlq_queue_arn"]
    assert statements["UseEnvironmentKey"]["Resource"] == ex["fixtures"]["kms_key_arn"]
    assert sorted(_listed(statements["ReadJobCode"]["Resource"])) == sorted(
        f"arn:aws:s3:::{'/'.join(_split(uri))}" for uri in (ex["script_s3_uri"], ex["package_s3_uri"])
    )
    audit = "arn:aws:s3:::ex-glue-job-complete-audit/audit"
    assert sorted(_listed(statements["WriteAuditEvents"]["Resource"])) == sorted(
        [
            f"{audit}/job_events/*/{JOB}__*",
            f"{audit}/data_quality_events/*/{JOB}__*",
            f"{audit}/_schemas/{JOB}.json",
            f"{audit}/_schemas/{JOB}.input.json",
            f"{audit}/_dlq_unsent/{JOB}/*",
            f"{audit}/_rejected_unstored/{JOB}/*",
        ]
    )
    artifacts = ex["fixtures"]["artifacts_bucket"]  # the Spark UI's event logs: spark_ui_event_logs_uri
    assert statements["WriteSparkEventLogs"]["Resource"] == f"arn:aws:s3:::{artifacts}/spark-events/*"
    assert statements["ListSparkEventLogs"]["Condition"] == {
        "StringLikeIfExists": {"s3:prefix": ["spark-events", "spark-events/*"]}
    }
    assert statements["ListAuditRejected"]["Condition"] == {
        "StringLikeIfExists": {"s3:prefix": [f"audit/rejected/job_name={JOB}", f"audit/rejected/job_name={JOB}/*"]}
    }


def _object(applied_examples, uri: str) -> dict:
    bucket, key = _split(uri)
    return applied_examples.client("s3").get_object(Bucket=bucket, Key=key)


def test_the_uploads_are_the_checkouts_files_encrypted_with_the_key(applied_examples, ex):
    tree = Path(applied_examples.root.path).parents[1]  # the copied tree the bundle was applied from
    script = _object(applied_examples, ex["script_s3_uri"])
    assert script["Body"].read() == (ROOT / "glue_jobs" / "examples" / "customer_import.py").read_bytes()
    package = _object(applied_examples, ex["package_s3_uri"])
    uploaded = package["Body"].read()
    assert uploaded == (tree / "build" / "glue" / "glue_jobs.zip").read_bytes()
    for obj in (script, package):
        assert obj["ServerSideEncryption"] == "aws:kms"
        assert obj["SSEKMSKeyId"] == ex["fixtures"]["kms_key_arn"]
    assert (script["ContentType"], package["ContentType"]) == ("text/x-python", "application/zip")


def test_the_uploaded_package_is_what_the_sources_build(applied_examples, ex, tmp_path):
    uploaded = _object(applied_examples, ex["package_s3_uri"])["Body"].read()
    build_glue_package.build(tmp_path)
    assert uploaded == (tmp_path / build_glue_package.PACKAGE).read_bytes(), (
        "the uploaded build/glue/glue_jobs.zip is not what glue_jobs/ builds now: run make glue-package"
    )


def test_price_outputs(ex):
    assert ex["dpus"] == 2
    assert ex["usd_per_hour"] == pytest.approx(0.88)  # 2 DPU x 0.44 (us-east-1, STANDARD)
    assert ex["max_usd_per_run"] == pytest.approx(0.44)  # 30 minutes
