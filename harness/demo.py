"""`make demo`: the dev environment on the embedded AWS emulator, and an alert travelling through it.

1. start (or reuse) LocalStack + moto;
2. create an SQS inbox and apply environments/dev with it subscribed to the critical topic;
3. print what was created;
4. run the example Glue job (customer_import, local PySpark) against it: logs, metrics, trace, audit
   events, and its bad rows sent to the dead-letter queue;
5. the dead-letter queue's critical depth alarm reaches the inbox;
6. a "Glue Job State Change" FAILED event reaches the inbox as a critical notification;
7. the remediation Lambda's handler retries a failed run, once, although the failure is delivered twice;
8. the monitoring guide's audit queries on the audit events of the job run;
9. dashboard previews (PNG) and the monthly CloudWatch cost of the monitoring.

The emulator stays up afterwards so you can look around (`source .emulator/env.sh; aws sns list-topics`);
`make emulator-down` stops it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from harness import emulator as emulator_mod
from harness.environments import on_emulator
from harness.root import Root
from harness.settings import ROOT

ACCOUNT = emulator_mod.DEFAULT_ACCOUNT
INBOX = "demo-critical-inbox"
JOB = "customer_import"
BUILD = ROOT / "build" / "demo"


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say(f"\n== {text} " + "=" * max(0, 70 - len(text)))


@dataclass
class Demo:
    emu: emulator_mod.Emulator
    root: Root | None = None
    outputs: dict = field(default_factory=dict)
    inbox_url: str = ""
    job_run_id: str = ""

    @property
    def job_name(self) -> str:
        """The Glue job name of the example job in the applied environment."""
        return self.outputs["glue_jobs"][JOB]["job_name"]

    def client(self, service: str):
        return self.emu.client(service, account=ACCOUNT)


def step_emulator(demo: Demo) -> None:
    heading("1. AWS emulator")
    say(f"LocalStack {demo.emu.localstack_url}; moto {demo.emu.moto_url} for {', '.join(sorted(demo.emu.routes))}")


def step_apply(demo: Demo) -> None:
    heading("2. terraform apply environments/dev")
    sqs = demo.client("sqs")
    demo.inbox_url = sqs.create_queue(QueueName=INBOX)["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=demo.inbox_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    BUILD.mkdir(parents=True, exist_ok=True)
    demo.root = on_emulator("dev", demo.emu, account=ACCOUNT)  # the state `make plan ENV=dev` sees too
    tf_vars = {
        "alarm_period_seconds": 10,  # LocalStack evaluates an alarm once per period: seconds instead of minutes
        "alert_subscriptions": {"demo_inbox": {"severity": "critical", "protocol": "sqs", "endpoint": inbox_arn}},
    }
    started = time.monotonic()
    demo.root.apply(tf_vars=tf_vars)
    demo.outputs = demo.root.outputs()
    say(f"applied in {time.monotonic() - started:.0f} s")


def step_inventory(demo: Demo) -> None:
    heading("3. What monitors the pipeline now")
    out = demo.outputs
    say("SNS topics (KMS-encrypted):")
    for severity, arn in out["topic_arns"].items():
        subs = demo.client("sns").list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        say(f"  {severity:<9} {arn}  ({len(subs)} subscription(s))")
    say("Log groups:")
    for group in demo.client("logs").describe_log_groups(logGroupNamePrefix="/aws-glue")["logGroups"]:
        say(f"  {group['logGroupName']:<34} retention {group.get('retentionInDays', '-')} days")
    dlq = out["dlq"]
    say(f"Dead-letter queue: {dlq['dlq_name']} (source queue {dlq['source_queue_name']})")
    alarms = demo.client("cloudwatch").describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    states: dict[str, int] = {}
    for alarm in alarms["MetricAlarms"] + alarms["CompositeAlarms"]:
        states[alarm["StateValue"]] = states.get(alarm["StateValue"], 0) + 1
    say(f"Alarms: {len(alarms['MetricAlarms'])} metric, {len(alarms['CompositeAlarms'])} composite ({states}), e.g.")
    for alarm in alarms["MetricAlarms"][:6]:
        say(f"  {alarm['AlarmName']:<56} {alarm['StateValue']}")
    say(f"Dashboards: {', '.join(out['dashboard_names'].values())}")
    say(f"Lambdas: {', '.join(f['function_name'] for f in out['lambdas'].values())}")
    say(f"Audit trail: {out['audit']['audit_uri']} (Glue database {out['audit']['database']})")


def step_dlq_alert(demo: Demo) -> None:
    heading("5. An alert travels: failed records -> DLQ -> alarm -> critical topic -> inbox")
    dlq = demo.outputs["dlq"]
    sqs = demo.client("sqs")
    depth = int(sqs.get_queue_attributes(QueueUrl=dlq["dlq_url"], AttributeNames=["ApproximateNumberOfMessages"])
                ["Attributes"]["ApproximateNumberOfMessages"])
    say(f"{dlq['dlq_name']} holds {depth} failed records (dev pages at 10); waiting for the depth alarm ...")
    if depth < 10:
        sqs.send_message_batch(QueueUrl=dlq["dlq_url"], Entries=[
            {"Id": str(i), "MessageBody": json.dumps({"record_id": i, "reason": "demo"})} for i in range(10 - depth)])
    started = time.monotonic()
    while time.monotonic() - started < 120:
        received = sqs.receive_message(QueueUrl=demo.inbox_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for msg in received.get("Messages", []):
            sqs.delete_message(QueueUrl=demo.inbox_url, ReceiptHandle=msg["ReceiptHandle"])
            alarm = json.loads(json.loads(msg["Body"])["Message"])
            if alarm.get("NewStateValue") == "ALARM" and "depth-critical" in alarm.get("AlarmName", ""):
                say(f"after {time.monotonic() - started:.0f} s the inbox got:")
                say(f"  AlarmName:   {alarm['AlarmName']}")
                say(f"  NewState:    {alarm['NewStateValue']}  ({alarm.get('NewStateReason', '')[:90]})")
                say(f"  Description: {alarm.get('AlarmDescription', '')[:120]}")
                return
    raise RuntimeError("no ALARM notification reached the inbox within 120 s")


def step_run_job(demo: Demo) -> None:
    heading("4. The deployed Glue job runs against it (its own arguments, local PySpark)")
    os.environ.update(demo.emu.shell_env(ACCOUNT))
    from glue_jobs.examples.customer_import import CustomerImportJob

    deployed = demo.outputs["glue_jobs"][JOB]
    job = demo.client("glue").get_job(JobName=deployed["job_name"])["Job"]
    say(f"Glue job {job['Name']} ({job.get('GlueVersion')}, {job.get('WorkerType')} x {job.get('NumberOfWorkers')}), "
        f"role {job['Role'].rsplit('/', 1)[-1]}, script {job['Command']['ScriptLocation']}")
    # What Glue would pass: the job's default arguments. moto stores the job but runs nothing, so the same
    # script runs here on local Spark; its data goes to local folders (local Spark has no S3 connector).
    argv = ["--JOB_NAME", job["Name"]]
    for name, value in sorted(job.get("DefaultArguments", {}).items()):
        argv += [name, value]
    argv += ["--generate_sample", "2000",
             "--input_path", str(BUILD / "customers_raw"), "--output_path", str(BUILD / "customers_silver")]
    say("python -m glue_jobs.examples.customer_import <the job's default arguments> --generate_sample 2000 "
        "--input_path build/demo/customers_raw --output_path build/demo/customers_silver")
    started = time.monotonic()
    run = CustomerImportJob.from_args(argv, log_stream=open(BUILD.parent / "demo-job.log", "w"))  # noqa: SIM115
    result = run.run()
    demo.job_run_id = result.job_run_id
    say(f"done in {time.monotonic() - started:.0f} s: run {result.job_run_id}; JSON log lines in build/demo-job.log")
    cw = demo.client("cloudwatch")
    names = sorted({m["MetricName"] for m in cw.list_metrics(Namespace="Glue/ETL/dev")["Metrics"]})
    say(f"metrics in Glue/ETL/dev: {', '.join(names)}")
    traces = demo.client("xray").get_trace_summaries(StartTime=time.time() - 3600, EndTime=time.time() + 60)
    say(f"X-Ray traces: {len(traces.get('TraceSummaries', []))}")


def step_job_failure(demo: Demo) -> None:
    heading("6. A Glue job fails: the Glue Job State Change event pages the critical topic")
    demo.client("events").put_events(Entries=[{
        "Source": "aws.glue", "DetailType": "Glue Job State Change",
        "Detail": json.dumps({"jobName": demo.job_name, "state": "FAILED", "jobRunId": "jr_demo_failed",
                              "severity": "ERROR",
                              "message": "Demo: ResourceNotFoundException for s3://raw/customers/"})}])
    sqs, started = demo.client("sqs"), time.monotonic()
    while time.monotonic() - started < 60:
        for msg in sqs.receive_message(QueueUrl=demo.inbox_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=2).get("Messages", []):
            sqs.delete_message(QueueUrl=demo.inbox_url, ReceiptHandle=msg["ReceiptHandle"])
            text = json.loads(msg["Body"]).get("Message", "")
            if "jr_demo_failed" in text:
                say(f"after {time.monotonic() - started:.1f} s the inbox got: {text[:300]}")
                return
    raise RuntimeError("the failure notification did not reach the inbox within 60 s")


def step_remediation(demo: Demo) -> None:
    """The emulator cannot run Lambda code (no Docker), so the handler runs here, in-process, with the
    deployed function's own settings, against the emulator."""
    heading("7. The remediation Lambda retries a failed run, once")
    lam, glue = demo.client("lambda"), demo.client("glue")
    function = demo.outputs["lambdas"]["remediation"]["function_name"]
    settings = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    os.environ.update(demo.emu.shell_env(ACCOUNT) | settings | {
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING", "RETRY_BACKOFF_SECONDS": "0"})
    from lambda_src.common import aws

    aws.reset()
    from lambda_src.remediation import handler  # after the settings: Powertools reads them on import

    name = demo.job_name  # the job environments/dev deployed (modules/glue_job)
    run = glue.start_job_run(JobName=name, Arguments={"--environment": "dev"})["JobRunId"]
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Glue Job State Change", "source": "aws.glue",
             "account": ACCOUNT, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
             "resources": [], "detail": {"jobName": name, "severity": "ERROR", "state": "FAILED", "jobRunId": run,
                                         # a transient error (throttling) is retried; a permanent one would
                                         # be escalated instead (lambda_src/remediation/glue_errors.py)
                                         "message": "Rate exceeded (Service: AmazonS3; Status Code: 503; "
                                                    "Error Code: SlowDown)"}}

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = function, 256, "demo"
        invoked_function_arn = demo.outputs["lambdas"]["remediation"]["function_arn"]

        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 300_000

    say(f"run {run[:24]}... of {name} failed; EventBridge and SNS deliver at least once, so it comes twice:")
    for delivery in (1, 2):
        emf = io.StringIO()  # the Lambda's metrics (Powertools EMF on stdout, turned into metrics by CloudWatch)
        with contextlib.redirect_stdout(emf):
            out = handler.lambda_handler(event, Context())["outcomes"][0]
        counted = sorted({name for line in emf.getvalue().splitlines() if line.startswith("{")
                          for m in json.loads(line)["_aws"]["CloudWatchMetrics"] for name in
                          (x["Name"] for x in m["Metrics"])})
        new = f" -> new run {out['new_run_id'][:24]}..." if out.get("new_run_id") else ""
        say(f"  delivery {delivery}: {out['result']}{new}  (counted: {', '.join(counted)})")
    retries = [r for r in glue.get_job_runs(JobName=name)["JobRuns"]
               if (r.get("Arguments") or {}).get("--remediation-of") == run]
    say(f"runs started for it: {len(retries)}")


def step_audit_queries(demo: Demo) -> None:
    heading("8. The audit trail: the monitoring guide's queries on this run's audit events")
    from harness.athena_local import QUERIES, duckdb_for, run_query

    s3, uri = demo.client("s3"), demo.outputs["audit"]["audit_uri"]
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    local = BUILD / "audit"
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        for obj in page.get("Contents", []):
            path = local / obj["Key"][len(prefix) + 1:]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            count += 1
    say(f"{count} audit objects under {uri}/ (what Athena reads through the Glue tables)")
    con = duckdb_for(local)
    for name in QUERIES:
        rows = run_query(con, name)
        say(f"\n{name} (Athena named query in workgroup {demo.outputs['audit']['workgroup']}): {len(rows)} row(s)")
        for row in rows[:5]:
            say("  " + ", ".join(f"{k}={v}" for k, v in row.items()))


def step_dashboards_and_cost(demo: Demo) -> None:
    heading("9. Dashboard previews and what the monitoring costs")
    state = BUILD / "dev-state.json"
    state.write_text(demo.root.run("show", "-json").stdout)
    from tools import dashboard_preview, monitoring_cost

    os.environ.update(demo.emu.shell_env(ACCOUNT))  # the previews draw the job's datapoints from the emulator
    dashboard_preview.main([str(state), "--out", str(ROOT / "build" / "dashboards")])
    say("\nThe demo's alarms have 10 s periods, so they price as high-resolution here; `make cost` prices every")
    say("environment as it is configured for AWS.")
    monitoring_cost.main(["--env", f"dev={state}"])


STEPS: list[Callable[[Demo], None]] = [
    step_emulator, step_apply, step_inventory, step_run_job, step_dlq_alert, step_job_failure, step_remediation,
    step_audit_queries, step_dashboards_and_cost,
]


def main() -> int:
    emu = emulator_mod.ensure_running(progress=say, started_by="make demo")
    demo = Demo(emu)
    for step in STEPS:
        step(demo)
    heading("done")
    say("Dashboard previews: build/dashboards/*.png")
    say("The emulator is still up: `source .emulator/env.sh` and use the aws cli or boto3;")
    say("`make emulator-down` stops it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
