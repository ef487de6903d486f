"""Least privilege, proven: every AWS call the example Glue job and the Lambdas make is allowed by their role's
policy, and every permission of those policies is used by a call or says why it is there.

- The job: modules/glue_job's example `glue4` as planned in the examples bundle (`examples_plan`: its
  role_policy_json and default arguments are known at plan), run in-process (local Spark) with those
  arguments against the emulator, in an account of its own where its audit bucket and dead-letter queue
  are made with the names the policy names.
- The Lambdas: prod applied on the emulator (`environment`); their policies as Terraform applied them (a
  plan cannot know the topic, bucket and key ARNs they name) and their environment variables from the
  deployed functions; each handler is run in-process on the events tests/lambdas uses (a failed Glue run,
  a freshness alarm, a DLQ depth alarm, the weekly and daily schedules).
- Each call is recorded with botocore's before-call hook (harness/calls.py) and evaluated with tools.iam.
  docs/permissions.md is the table role -> permission -> call, `python -m tools.permissions` writes it from
  the recording this test leaves in build/least-privilege/record.json, and the last test checks it is
  current.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import uuid
from datetime import UTC, datetime

import pytest

from harness import settings
from harness.calls import CallRecorder
from tools import permissions as perms
from tools.iam import Request, UnsupportedPolicy, evaluate
from tools.iam import reference as ref
from tools.iam.roles import role_policies

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # read when a handler module is first imported
JOB_ACCOUNT = "100000000041"  # LocalStack keeps each account apart: the job's bucket and queue live here alone
THROTTLED = "Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException)"
RECORD: dict[str, dict] = {}  # role -> {"policy", "calls", "region", "account", "about"}: what the tests recorded


# -- the evaluator, on its own --------------------------------------------------------------------------------

POLICY = {"Statement": [
    {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
     "Condition": {"StringEquals": {"cloudwatch:namespace": "Glue/ETL/prod"}}},
    {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:Get*", "s3:PutObject"], "Resource": "arn:aws:s3:::b/audit/*"},
    {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
     "Condition": {"StringLikeIfExists": {"s3:prefix": ["audit/*"]}}},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/audit/secret/*"},
    {"Sid": "TlsOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
]}


@pytest.mark.python
@pytest.mark.parametrize("request_, allowed", [
    (Request("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Glue/ETL/prod"}), True),
    (Request("CloudWatch:putMetricData", "*", {"CLOUDWATCH:Namespace": "Glue/ETL/prod"}), True),  # case
    (Request("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Glue/ETL/dev"}), False),
    (Request("cloudwatch:PutMetricData", "*"), False),  # the key is missing: StringEquals does not hold
    (Request("s3:GetObjectTagging", "arn:aws:s3:::b/audit/x"), True),  # action wildcard
    (Request("s3:DeleteObject", "arn:aws:s3:::b/audit/x"), False),
    (Request("s3:PutObject", "arn:aws:s3:::b/audit/secret/k"), False),  # the Deny wins
    (Request("s3:ListBucket", "arn:aws:s3:::b"), True),  # IfExists: no prefix given
    (Request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "other/"}), False),
    (Request("s3:PutObject", "arn:aws:s3:::b/audit/k", {"aws:SecureTransport": "false"}), False),
])
def test_the_evaluator_follows_iam(request_, allowed):
    assert evaluate(request_, {"p": POLICY}).allowed is allowed


@pytest.mark.python
def test_the_evaluator_matches_principals_and_refuses_what_it_does_not_know():
    topic = {"Statement": [{"Sid": "Publishers", "Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:t",
                            "Principal": {"Service": ["events.amazonaws.com"]},
                            "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}]}
    ok = Request("sns:Publish", "arn:t", {"aws:SourceAccount": "1"}, {"Service": "events.amazonaws.com"})
    assert evaluate(ok, {"t": topic}).reason == "allowed by t/Publishers"
    assert not evaluate(Request("sns:Publish", "arn:t", {"aws:SourceAccount": "1"},
                                {"Service": "budgets.amazonaws.com"}), {"t": topic})
    numeric = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                              "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}]}
    with pytest.raises(UnsupportedPolicy):
        evaluate(Request("s3:ListBucket", "arn:aws:s3:::b"), {"n": numeric})


@pytest.mark.python
def test_operations_map_to_their_actions_and_resources():
    assert ref.action_of("s3", "HeadObject") == "s3:GetObject"
    assert ref.action_of("s3", "ListObjectsV2") == "s3:ListBucket"
    assert ref.action_of("sqs", "SendMessageBatch") == "sqs:SendMessage"
    assert ref.resources_of("sqs:SendMessage", {"QueueUrl": "http://localhost:4566/1/q"}, "r", "1") == \
        ["arn:aws:sqs:r:1:q"]
    assert ref.resources_of("cloudwatch:PutMetricData", {}, "r", "1") == ["*"]
    assert ref.condition_context("cloudwatch:PutMetricData", {"Namespace": "N"}, "r")["cloudwatch:namespace"] == "N"


# -- the job ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def job_record(examples_plan, emulator, spark, tmp_path_factory):
    from glue_jobs.examples.customer_import import CustomerImportJob

    example = examples_plan.output_values["glue_job__glue4"]
    args = example["default_arguments"]
    plan_queue = args["--dlq_queue_url"]  # https://sqs.<region>.amazonaws.com/<account>/<name>
    plan_account, queue_name = plan_queue.split("/")[3], plan_queue.rsplit("/", 1)[-1]
    bucket = args["--audit_uri"].removeprefix("s3://").split("/", 1)[0]
    s3, sqs = emulator.client("s3", account=JOB_ACCOUNT), emulator.client("sqs", account=JOB_ACCOUNT)
    s3.create_bucket(Bucket=bucket)
    queue = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    folder = tmp_path_factory.mktemp("least-privilege-job")
    argv = ["--JOB_NAME", example["job_name"], "--JOB_RUN_ID", f"jr_{secrets.token_hex(32)}",
            "--environment", args["--environment"], "--audit_uri", args["--audit_uri"], "--dlq_queue_url", queue,
            "--input_path", str(folder / "raw"), "--output_path", str(folder / "silver"), "--generate_sample", "200"]
    clients: dict[str, object] = {}
    recorder = CallRecorder()
    try:
        with recorder.recording():
            def client(service):
                if service not in clients:
                    clients[service] = emulator.client(service, account=JOB_ACCOUNT)
                return clients[service]

            job = CustomerImportJob.from_args(argv, spark=spark, clients=client, log_stream=io.StringIO())
            result = job.run()
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)
        sqs.delete_queue(QueueUrl=queue)
    assert result.status == "SUCCESS", result
    RECORD["glue_job"] = {
        "about": f"The example job customer_import on Glue 4.0 (modules/glue_job, example glue4: role "
                 f"`{example['job_name']}`), planned; the framework's calls from a local run of the job.",
        "policy": json.loads(example["role_policy_json"]), "calls": [c.as_dict() for c in recorder.distinct()],
        "region": settings.REGION, "account": plan_account}
    return RECORD["glue_job"]


def denied(record: dict) -> list[str]:
    calls = record["calls"]
    return [f"{v.operation} from {v.origin}: {v.action} on {', '.join(v.resources) or '?'} {v.context} "
            f"(parameters {call['params']}): {v.reason}"
            for call, v in zip(calls, perms.verdicts(record["policy"], calls, record["region"], record["account"]),
                               strict=True) if not v.allowed]


def unexplained(role: str, record: dict) -> list[str]:
    found = perms.verdicts(record["policy"], record["calls"], record["region"], record["account"])
    out = []
    for p in perms.permissions(role, record["policy"], found, perms.not_called_reasons()):
        if not p.called_by and not p.reason:
            out.append(f"{role} {p.sid} {p.action}: no call, no reason")
        elif p.called_by and p.reason.startswith(perms.UNUSED):
            out.append(f"{role} {p.sid} {p.action}: called ({p.called_by[0]}), yet listed as unused")
    return out


def test_the_job_calls_only_what_its_role_allows(job_record):
    assert {c["operation"] for c in job_record["calls"]} >= {"PutMetricData", "PutTraceSegments", "PutObject"}
    assert denied(job_record) == []


def test_every_permission_of_the_job_is_called_or_explained(job_record):
    assert unexplained("glue_job", job_record) == [], "call it, give it a line in tools/iam/not_called.txt, or drop it"


# -- the Lambdas -----------------------------------------------------------------------------------------------

def _event(name: str, **subs: str) -> dict:
    from lambdas.ops_helpers import load_event

    return load_event(name, **subs)


def _scenarios(prod, env: dict[str, str], run_id: str) -> dict[str, list]:
    """function -> [(what, event)] : the events tests/lambdas delivers, filled in for prod."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    prefix = env.get("ALARM_NAME_PREFIX", "glue-etl-prod")
    job_name = prod.outputs["glue_jobs"]["customer_import"]["job_name"]  # the job prod deploys (modules/glue_job)
    failed = _event("glue_job_failed.json", job=job_name, run_id=run_id, event_id=str(uuid.uuid4()))
    failed["detail"]["message"] = THROTTLED  # a transient failure: the remediation retries it
    return {
        "remediation": [
            ("a failed run is retried", failed),
            ("the same failure delivered again is not", failed),
            ("stale data is escalated", _event("sns_data_freshness_alarm.json", prefix=prefix, job=job_name,
                                               job_key="customer_import",
                                               topic="critical", message_id=str(uuid.uuid4()),
                                               state_change_time=change)),
            ("a Glue Data Quality result is recorded in the audit trail",
             _event("glue_dq_results_job.json", job=job_name, run_id=run_id, event_id=str(uuid.uuid4()),
                    result_id=f"dqresult-{uuid.uuid4().hex[:12]}", time=now)),
            ("the dead-letter queue is redriven",
             _event("sns_dlq_depth_alarm.json", queue=prod.outputs["dlq"]["dlq_name"], topic="critical",
                    message_id=str(uuid.uuid4()), state_change_time=change)),
        ],
        "weekly_report": [("the weekly schedule",
                           _event("scheduled_weekly.json", event_id=str(uuid.uuid4()), time=now))],
        "health_check": [("the daily schedule", _event("scheduled_daily.json", event_id=str(uuid.uuid4()), time=now))],
    }


def Context(name: str, arn: str):  # noqa: N802 - a class made on first use: tests/lambdas is imported late
    from lambdas.ops_helpers import FakeContext

    class Deployed(FakeContext):
        """The context Lambda gives the deployed function: its own ARN (the handlers derive the account from it)."""

        @property
        def invoked_function_arn(self) -> str:
            return arn

    return Deployed(function_name=name)


def _versions(s3, bucket: str) -> list[tuple[str, str]]:
    return [(v["Key"], v["VersionId"]) for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
            for kind in ("Versions", "DeleteMarkers") for v in page.get(kind, [])]


@pytest.fixture(scope="module")
def lambda_records(suite, dlq_alert):
    """Each Lambda of prod run in-process on its events, its calls recorded."""
    import importlib

    from lambda_src.common import aws

    prod = suite.roots["environment:prod"].wait()
    patch = pytest.MonkeyPatch()
    glue, sqs = prod.client("glue"), prod.client("sqs")
    job_name = prod.outputs["glue_jobs"]["customer_import"]["job_name"]  # the job prod deploys (modules/glue_job)
    records, errors = {}, {}
    s3, bucket = prod.client("s3"), prod.outputs["audit"]["bucket"]
    kept = set(_versions(s3, bucket))  # the handlers write claims and reports into the versioned audit bucket
    try:
        run_id = glue.start_job_run(JobName=job_name)["JobRunId"]
        sqs.send_message(QueueUrl=prod.outputs["dlq"]["dlq_url"], MessageBody=json.dumps({"record": 1}))
        today = datetime.now(UTC)  # one audit event of this week, for the weekly report to read
        s3.put_object(Bucket=bucket, Key=f"audit/job_events/year={today:%Y}/month={today:%m}/day={today:%d}/"
                      f"{job_name}__{run_id}__job_completed.json",
                      Body=json.dumps({"job_name": job_name, "job_run_id": run_id, "status": "SUCCESS",
                                       "timestamp": today.isoformat()}).encode())
        for key, value in prod.emulator.shell_env(account=prod.account).items():
            patch.setenv(key, value)
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            patch.delenv(key, raising=False)
        patch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        functions = prod.client("lambda")
        for name, function in sorted(prod.outputs["lambdas"].items()):
            config = functions.get_function_configuration(FunctionName=function["function_name"])
            env = config.get("Environment", {}).get("Variables", {})
            for key, value in env.items():
                patch.setenv(key, value)
            patch.setenv("RETRY_BACKOFF_SECONDS", "0")  # the retry now, not in a minute
            policies = role_policies(prod.client("iam"), function["role_arn"])
            handler = importlib.import_module(config["Handler"].rsplit(".", 1)[0])
            recorder = CallRecorder()
            aws.reset()
            with recorder.recording():
                shim = aws.client("glue")  # moto's runs succeed: the handler must see run_id FAILED

                def failed(parsed, **_kwargs):
                    for run in parsed.get("JobRuns") or ([parsed["JobRun"]] if "JobRun" in parsed else []):
                        if run.get("Id") == run_id:
                            run.update(JobRunState="FAILED", ErrorMessage=THROTTLED)

                shim.meta.events.register("after-call.glue.GetJobRun", failed)
                shim.meta.events.register("after-call.glue.GetJobRuns", failed)
                # the ARN Lambda gives the function on AWS: moto's names its own account, not the role's
                arn = f"arn:aws:lambda:{settings.REGION}:{prod.account}:function:{function['function_name']}"
                for what, event in _scenarios(prod, env, run_id)[name]:
                    try:
                        handler.lambda_handler(event, Context(function["function_name"], arn))
                    except Exception as exc:  # noqa: BLE001 - reported below: the calls made so far still count
                        errors[f"{name}: {what}"] = repr(exc)[:300]
            aws.reset()
            statements = [s for doc in policies.values() for s in doc.get("Statement", [])]
            records[name] = {"about": f"The Lambda `{function['function_name']}` of prod (modules/lambda_function "
                                      f"in modules/etl_monitoring); its policy as applied, its calls from its "
                                      f"handler on: {', '.join(w for w, _ in _scenarios(prod, env, run_id)[name])}.",
                             "policy": {"Version": "2012-10-17", "Statement": statements},
                             "calls": [c.as_dict() for c in recorder.distinct()], "region": settings.REGION,
                             "account": prod.account}
    finally:
        patch.undo()
        aws.reset()
        for key, version in set(_versions(s3, bucket)) - kept:  # so that prod's destroy finds the bucket as it was
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    RECORD.update(records)
    return records, errors


@pytest.mark.parametrize("environment", ["prod"], indirect=True)
def test_each_lambda_calls_only_what_its_role_allows(environment, lambda_records):
    records, errors = lambda_records
    assert set(records) == {"remediation", "weekly_report", "health_check"}
    assert errors == {}, "a handler failed on its event: its later calls were not recorded"
    assert {name: denied(record) for name, record in records.items()} == {name: [] for name in records}


@pytest.mark.parametrize("environment", ["prod"], indirect=True)
def test_every_permission_of_each_lambda_is_called_or_explained(environment, lambda_records):
    records, _ = lambda_records
    assert [u for name, record in sorted(records.items()) for u in unexplained(name, record)] == [], \
        "call it, give it a line in tools/iam/not_called.txt, or drop it"


@pytest.mark.parametrize("environment", ["prod"], indirect=True)
def test_docs_permissions_is_the_table_of_this_recording(environment, job_record, lambda_records):
    perms.RECORD.parent.mkdir(parents=True, exist_ok=True)
    perms.RECORD.write_text(json.dumps({"roles": RECORD}, indent=1, sort_keys=True, default=str))
    expected = perms.render({"roles": RECORD}, perms.not_called_reasons())
    assert perms.DOC.exists() and perms.DOC.read_text() == expected, \
        f"docs/permissions.md is stale: run `python -m tools.permissions` (the recording is in {perms.RECORD})"
