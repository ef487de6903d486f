"""Glue error categories: the one table (lambda_src/remediation/glue_error_categories.json), the classifier
of a run's ErrorMessage, and the remediation's routing by category on the emulator (Glue on moto; S3, SNS on
LocalStack).

The messages below are shaped like Glue's own (`ErrorMessage` of GetJobRun: Py4J wrappers, Spark stage
failures, AWS SDK errors with their service, status and error code). moto's runs always succeed, so
`glue_shim` makes the handler's Glue client see the failed state, the error message and the capacity of the
runs a test names; the runs and every retry the handler starts are the emulator's.

Unproven here: that AWS Glue publishes `glue.error.<CATEGORY>` for exactly the failures these patterns
recognise (the category names are AWS's, from the Glue observability metrics documentation; the patterns are
ours), and CloudWatch evaluating such an alarm (the tests deliver its notification).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from ops_helpers import PREFIX, FakeContext, emf_metrics, failed_run, glue_failed, load_event, retries_of

from lambda_src.remediation import glue_errors, handler

pytestmark = pytest.mark.python
README = Path(__file__).resolve().parents[2] / "lambda_src" / "README.md"
# AWS Glue's error categories (Monitoring with AWS Glue Observability metrics, "glue.error.[error category]").
AWS_CATEGORIES = {
    "COMPILATION_ERROR", "CONNECTION_ERROR", "DISK_NO_SPACE_ERROR", "OUT_OF_MEMORY_ERROR", "IMPORT_ERROR",
    "INVALID_ARGUMENT_ERROR", "PERMISSION_ERROR", "RESOURCE_NOT_FOUND_ERROR", "QUERY_ERROR", "SYNTAX_ERROR",
    "THROTTLING_ERROR", "DATA_LAKE_FRAMEWORK_ERROR", "UNSUPPORTED_OPERATION_ERROR", "RESOURCES_ALREADY_EXISTS_ERROR",
    "GLUE_INTERNAL_SERVICE_ERROR", "GLUE_OPERATION_TIMEOUT_ERROR", "GLUE_VALIDATION_ERROR",
    "GLUE_JOB_BOOKMARK_VERSION_MISMATCH_ERROR", "LAUNCH_ERROR", "DYNAMODB_ERROR", "GLUE_ERROR", "LAKEFORMATION_ERROR",
    "REDSHIFT_ERROR", "S3_ERROR", "SYSTEM_EXIT_ERROR", "TIMEOUT_ERROR", "UNCLASSIFIED_SPARK_ERROR",
    "UNCLASSIFIED_ERROR",
}  # fmt: skip


# -- the table ------------------------------------------------------------------------------------------------


def test_the_table_has_every_aws_category_once_with_a_known_action():
    names = [c["category"] for c in glue_errors.TABLE["categories"]]
    assert len(names) == len(set(names)) == 28 and set(names) == AWS_CATEGORIES
    assert {c.action for c in glue_errors.CATEGORIES.values()} == set(glue_errors.ACTIONS)
    assert glue_errors.action("PERMISSION_ERROR") == "escalate" and glue_errors.action("SYNTAX_ERROR") == "escalate"
    assert glue_errors.action("INVALID_ARGUMENT_ERROR") == "escalate"
    assert glue_errors.action("THROTTLING_ERROR") == "retry" and glue_errors.action("TIMEOUT_ERROR") == "retry"
    assert glue_errors.action("GLUE_INTERNAL_SERVICE_ERROR") == "retry"
    assert glue_errors.action("OUT_OF_MEMORY_ERROR") == "escalate_sizing"
    assert glue_errors.CATEGORIES["UNCLASSIFIED_ERROR"].patterns == ()  # the fallback matches nothing itself


def test_the_readme_shows_the_table_as_it_is():
    """lambda_src/README.md documents the categories; this keeps it the table the code reads."""
    section = README.read_text().split("### Glue error categories", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| (\w+) \| (.+?) \|$", section, re.M)
    assert [(c, a, m) for c, a, m in rows] == [
        (c["category"], c["action"], c["meaning"]) for c in glue_errors.TABLE["categories"]
    ]


# -- the classifier --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("An error occurred while calling o112.pyWriteDynamicFrame. Access Denied (Service: Amazon S3; Status Code: "
         "403; Error Code: AccessDenied; Request ID: 4N3QK8R2ZJ7X; S3 Extended Request ID: q0a=; Proxy: null)",
         "PERMISSION_ERROR"),
        ("User: arn:aws:sts::123456789012:assumed-role/glue-etl-prod-job/GlueJobRunnerSession is not authorized to "
         "perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders",
         "PERMISSION_ERROR"),
        ("AnalysisException: Insufficient Lake Formation permission(s) on orders", "PERMISSION_ERROR"),
        ("Command Failed due to Out of Memory", "OUT_OF_MEMORY_ERROR"),
        ("An error occurred while calling o87.save. Job aborted due to stage failure: Task 3 in stage 4.0 failed 4 "
         "times, most recent failure: Lost task 3.3 in stage 4.0 (TID 57) (172.36.10.5 executor 2): ExecutorLostFailure"
         " (executor 2 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding "
         "memory limits. 5.6 GB of 5.5 GB physical memory used.", "OUT_OF_MEMORY_ERROR"),
        ("An error occurred while calling o64.collectToPython. : java.lang.OutOfMemoryError: Java heap space",
         "OUT_OF_MEMORY_ERROR"),
        ("An error occurred while calling o95.pyWriteDynamicFrame. : org.apache.spark.SparkException: Job aborted. "
         "Caused by: java.io.IOException: No space left on device", "DISK_NO_SPACE_ERROR"),
        ("ConcurrentRunsExceededException: Concurrent runs exceeded for orders_daily", "THROTTLING_ERROR"),
        ("An error occurred (ThrottlingException) when calling the GetTable operation (reached max retries: 4): "
         "Rate exceeded", "THROTTLING_ERROR"),
        ("Please reduce your request rate. (Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: "
         "Y8QW)", "THROTTLING_ERROR"),
        ('  File "/tmp/orders_daily.py", line 42\n    df = spark.read.parquet(path\n                           ^\n'
         "SyntaxError: '(' was never closed", "SYNTAX_ERROR"),
        ("ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'.(line 1, pos 9)", "SYNTAX_ERROR"),
        ("ModuleNotFoundError: No module named 'great_expectations'", "IMPORT_ERROR"),
        ("GlueArgumentError: the following arguments are required: --source_date", "INVALID_ARGUMENT_ERROR"),
        ("An error occurred while calling o71.getDynamicFrame. EntityNotFoundException: Table orders not found.",
         "RESOURCE_NOT_FOUND_ERROR"),
        ("AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://data-lake-prod/raw/orders/dt=2026-11-26.",
         "RESOURCE_NOT_FOUND_ERROR"),
        ("Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
         "ResourceNotFoundException; Request ID: 8K2L)", "RESOURCE_NOT_FOUND_ERROR"),
        ("AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name "
         "`custmer_id` cannot be resolved. Did you mean one of the following? [`customer_id`]", "QUERY_ERROR"),
        ("AlreadyExistsException: Table already exists: sales.orders_v2", "RESOURCES_ALREADY_EXISTS_ERROR"),
        ("com.amazonaws.services.glue.model.VersionMismatchException: Continuation for job orders_daily failed: "
         "job bookmark version mismatch", "GLUE_JOB_BOOKMARK_VERSION_MISMATCH_ERROR"),
        ("org.apache.iceberg.exceptions.CommitFailedException: Cannot commit glue.sales.orders because base metadata"
         " location is not same as the current table metadata location", "DATA_LAKE_FRAMEWORK_ERROR"),
        ("Communications link failure\n\nThe last packet sent successfully to the server was 0 milliseconds ago.",
         "CONNECTION_ERROR"),
        ("Unable to execute HTTP request: Connect to sales-db.internal:5432 failed: connect timed out",
         "CONNECTION_ERROR"),
        ("Job run timed out after 2880 minutes", "TIMEOUT_ERROR"),
        ("InternalServiceException: An internal service error occurred", "GLUE_INTERNAL_SERVICE_ERROR"),
        ("An error occurred while calling o88.pyWriteDynamicFrame. We encountered an internal error. Please try "
         "again. (Service: Amazon S3; Status Code: 500; Error Code: InternalError; Request ID: 7Q)", "S3_ERROR"),
        ("com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: Internal server error", "DYNAMODB_ERROR"),
        ("Failed to start job run due to insufficient capacity in subnet subnet-0abc", "LAUNCH_ERROR"),
        ("SystemExit: 1", "SYSTEM_EXIT_ERROR"),
        ("An error occurred while calling o123.count. Job aborted due to stage failure: Task 0 in stage 2.0 failed 4"
         " times", "UNCLASSIFIED_SPARK_ERROR"),
        ("boom", "UNCLASSIFIED_ERROR"),
        ("", "UNCLASSIFIED_ERROR"),
        (None, "UNCLASSIFIED_ERROR"),
    ],
)
def test_glue_error_messages_are_classified(message, category):
    assert glue_errors.classify(message) == category


def test_the_category_of_an_alarm_comes_from_its_metric():
    assert glue_errors.from_metric("Glue", "glue.error.OUT_OF_MEMORY_ERROR") == "OUT_OF_MEMORY_ERROR"
    assert glue_errors.from_metric("Glue", "glue.error.ALL") is None  # all categories: classify the run's error
    assert glue_errors.from_metric("Glue", "glue.error.SOMETHING_NEW") is None
    assert glue_errors.from_metric("Glue/ETL/dev", "glue.error.OUT_OF_MEMORY_ERROR") is None
    assert glue_errors.is_error_metric("Glue", "glue.error.ALL")
    assert not glue_errors.is_error_metric("Glue", "glue.driver.aggregate.numFailedTasks")


def test_sizing_hints_name_the_next_capacity():
    oom = glue_errors.sizing_hint("OUT_OF_MEMORY_ERROR", {"WorkerType": "G.1X", "NumberOfWorkers": 10})
    assert "10 x G.1X (16 GB a worker)" in oom and "WorkerType=G.2X (32 GB a worker) with 10 workers" in oom
    assert "NumberOfWorkers=20 with G.1X" in oom
    top = glue_errors.sizing_hint("OUT_OF_MEMORY_ERROR", {"WorkerType": "G.8X", "NumberOfWorkers": 4})
    assert "no bigger G worker type" in top and "NumberOfWorkers=8" in top
    disk = glue_errors.sizing_hint("DISK_NO_SPACE_ERROR", {"WorkerType": "G.025X", "NumberOfWorkers": 2})
    assert "NumberOfWorkers=4" in disk and "WorkerType=G.1X" in disk
    assert "MaxCapacity" in glue_errors.sizing_hint("OUT_OF_MEMORY_ERROR", {"MaxCapacity": 10.0})


# -- routing on the emulator ------------------------------------------------------------------------------------


def invoke(event):
    return handler.lambda_handler(event, FakeContext())["outcomes"][0]


def error_alarm(job: str, metric: str) -> dict:
    return load_event(
        "sns_glue_error_alarm.json", prefix=PREFIX, job=job, metric=metric, topic="critical",
        message_id=str(uuid.uuid4()), state_change_time="2026-11-26T10:02:00.000+0000",
    )  # fmt: skip


def test_a_permanent_error_is_escalated_once_and_never_retried(remediation_env, glue_shim, capsys):
    """Access denied, delivered by EventBridge twice and by the failure alarm: no run, one critical message."""
    ops = remediation_env
    job = ops.glue_job("orders")
    denied = "An error occurred while calling o112.pyWriteDynamicFrame. Access Denied (Service: Amazon S3)"
    run = failed_run(ops, glue_shim, job, denied)
    alarm = load_event(
        "sns_job_failure_alarm.json", prefix=PREFIX, job=job, topic="critical", message_id="m1",
        state_change_time="2026-11-26T10:01:00.123+0000",
    )  # fmt: skip
    outs = [invoke(glue_failed(job, run)), invoke(glue_failed(job, run)), invoke(alarm)]
    assert [o["result"] for o in outs] == ["escalated", "escalated_duplicate", "escalated_duplicate"]
    assert outs[0]["detail"] == {"category": "PERMISSION_ERROR", "action": "escalate"}
    assert retries_of(ops, job, run) == []
    messages = ops.critical.messages()
    assert len(messages) == 1
    assert "PERMISSION_ERROR, not retried" in messages[0]["Subject"] and "Access Denied" in messages[0]["Message"]
    assert "a retry would fail the same way" in messages[0]["Message"]
    assert "#glue-error-categories" in messages[0]["Message"]
    metrics = emf_metrics(capsys.readouterr().out)
    assert metrics["FailuresEscalated"] == 1 and metrics["DuplicateDeliveries"] == 2 and metrics["RetriesStarted"] == 0


def test_out_of_memory_is_escalated_with_a_sizing_hint(remediation_env, glue_shim):
    ops = remediation_env
    job = ops.glue_job("orders")
    run = failed_run(ops, glue_shim, job, "Command Failed due to Out of Memory", WorkerType="G.1X", NumberOfWorkers=2)
    out = invoke(glue_failed(job, run))
    assert out["result"] == "escalated_sizing" and out["detail"]["category"] == "OUT_OF_MEMORY_ERROR"
    assert "WorkerType=G.2X" in out["detail"]["sizing_hint"] and "NumberOfWorkers=4" in out["detail"]["sizing_hint"]
    assert retries_of(ops, job, run) == []
    message = ops.critical.messages()[0]["Message"]
    assert "Sizing: The run had 2 x G.1X (16 GB a worker)." in message and "needs more capacity" in message


def test_a_transient_error_is_retried(remediation_env, glue_shim):
    ops = remediation_env
    job = ops.glue_job("orders")
    run = failed_run(ops, glue_shim, job, "An error occurred (ThrottlingException) calling GetTable: Rate exceeded")
    out = invoke(glue_failed(job, run))
    assert out["result"] == "retried" and out["detail"]["category"] == "THROTTLING_ERROR"
    assert len(retries_of(ops, job, run)) == 1 and ops.critical.messages(wait=0) == []


def test_a_retry_that_fails_permanently_is_escalated_for_its_original_run(remediation_env, glue_shim):
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job, "Communications link failure")
    first = invoke(glue_failed(job, original))
    assert first["result"] == "retried" and first["detail"]["category"] == "CONNECTION_ERROR"
    glue_shim({first["new_run_id"]: {"JobRunState": "FAILED", "ErrorMessage": "SyntaxError: invalid syntax"}})
    second = invoke(glue_failed(job, first["new_run_id"]))
    assert second["result"] == "escalated" and second["original_run_id"] == original and second["attempt"] == 2
    assert len(retries_of(ops, job, original)) == 1
    assert f"Original run: {original} (automatic retries so far: 1)" in ops.critical.messages()[0]["Message"]


def test_a_glue_error_alarm_routes_by_its_metrics_category(remediation_env, glue_shim):
    """glue.error.OUT_OF_MEMORY_ERROR: the alarm's category wins over the run's unclassified message;
    glue.error.ALL: the run's message decides (here a throttling, retried)."""
    ops = remediation_env
    job = ops.glue_job("orders")
    run = failed_run(ops, glue_shim, job, "boom", WorkerType="G.2X", NumberOfWorkers=5)
    out = invoke(error_alarm(job, "glue.error.OUT_OF_MEMORY_ERROR"))
    assert out["result"] == "escalated_sizing" and out["run_id"] == run
    assert "the alarm's metric glue.error.OUT_OF_MEMORY_ERROR" in ops.critical.messages()[0]["Message"]
    other = ops.glue_job("customers")
    throttled = failed_run(ops, glue_shim, other, "Rate exceeded")
    out = invoke(error_alarm(other, "glue.error.ALL"))
    assert out["result"] == "retried" and out["run_id"] == throttled and out["detail"]["category"] == "THROTTLING_ERROR"


def test_the_table_is_json_terraform_can_read_too():
    """The other half of the contract: a module may create one alarm per category from the same file."""
    data = json.loads(glue_errors.TABLE_PATH.read_text())
    assert all(set(c) == {"category", "action", "meaning", "patterns"} for c in data["categories"])
