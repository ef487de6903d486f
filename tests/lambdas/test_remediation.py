"""The remediation Lambda, in-process, against the emulator (Glue on moto; S3, SNS, SQS on LocalStack).

Each test delivers real event payloads (tests/lambdas/events/) to `lambda_handler` and checks what
changed on the emulator: Glue runs started (with their arguments), claims in S3, SNS notifications, SQS
messages. moto's Glue runs always succeed, so `glue_shim` makes the handler see the failed state of the
runs a test names; the runs and every retry the handler starts are real.

Unproven here (see also conftest.py): that SNS and EventBridge really invoke the deployed function (the
module's subscription, rule and permissions are checked by tests/modules/test_lambda_function.py, not
exercised), IAM enforcement, and the real concurrency of two Lambda instances (threads stand in for them).
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from ops_helpers import (
    PREFIX,
    FakeContext,
    archive_documents,
    depth_alarm,
    drain,
    emf_metrics,
    failed_run,
    glue_failed,
    hooked,
    load_event,
    logged,
    peek,
    refusing,
    retries_of,
)

from lambda_src.common.alarms import from_sns_message
from lambda_src.remediation import handler, retry
from lambda_src.remediation.config import Config

pytestmark = pytest.mark.python


def invoke(event, context=None):
    return handler.lambda_handler(event, context or FakeContext())


def failure_alarm(job: str) -> dict:
    return load_event(
        "sns_job_failure_alarm.json",
        prefix=PREFIX,
        job=job,
        topic="critical",
        message_id=str(uuid.uuid4()),
        state_change_time="2026-11-26T10:01:00.123+0000",
    )


# -- retries ----------------------------------------------------------------------------------------------


def test_duplicate_deliveries_start_exactly_one_retry(remediation_env, glue_shim, capsys):
    """The same failure through EventBridge twice and through the SNS alarm twice, all at once -> 1 run."""
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    events = [glue_failed(job, original), glue_failed(job, original), failure_alarm(job), failure_alarm(job)]
    results, barrier = [None] * len(events), threading.Barrier(len(events))

    def deliver(i):
        barrier.wait()
        results[i] = invoke(events[i])

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(events))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    retried = retries_of(ops, job, original)
    assert len(retried) == 1, retried
    assert retried[0]["Arguments"]["--source_date"] == "2026-11-26"  # the failed run's arguments
    assert retried[0]["Arguments"][retry.MARK_ATTEMPT] == "1"
    outcomes = [o for r in results for o in r["outcomes"]]
    assert [o["result"] for o in outcomes].count("retried") == 1, outcomes
    assert all(o["result"] in {"retried", "duplicate", "latest_run_not_failed"} for o in outcomes), outcomes
    claim = json.loads(
        ops.client("s3")
        .get_object(Bucket=ops.bucket, Key=f"remediation/claims/{job}/{original}/attempt-1.json")["Body"]
        .read()
    )
    assert claim["new_run_id"] == retried[0]["Id"]


def test_redelivery_after_the_retry_started_is_a_duplicate(remediation_env, glue_shim, capsys):
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    first = invoke(glue_failed(job, original))["outcomes"][0]
    second = invoke(glue_failed(job, original))["outcomes"][0]
    assert first["result"] == "retried" and first["original_run_id"] == original and first["attempt"] == 1
    assert second["result"] == "duplicate"
    assert len(retries_of(ops, job, original)) == 1
    metrics = emf_metrics(capsys.readouterr().out)
    assert metrics["RetriesStarted"] == 1 and metrics["DuplicateDeliveries"] == 1


def test_alarm_path_retries_the_latest_failed_run(remediation_env, glue_shim, caplog):
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    out = invoke(failure_alarm(job))["outcomes"][0]
    assert out["result"] == "retried" and out["run_id"] == original
    assert out["alarm_name"] == f"{PREFIX}-{job}-job-failure-critical"
    assert len(retries_of(ops, job, original)) == 1
    line = logged(caplog, "remediation_outcome")[0]  # every action logged with the alarm and run ids
    assert (line["alarm_name"], line["run_id"], line["new_run_id"]) == (out["alarm_name"], original, out["new_run_id"])


def test_retry_cap_then_one_escalation(remediation_env, glue_shim, capsys):
    """Original fails -> retry 1 fails -> retry 2 fails -> no third run, one critical message."""
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    failed = original
    for attempt in (1, 2):
        out = invoke(glue_failed(job, failed))["outcomes"][0]
        assert out["result"] == "retried" and out["attempt"] == attempt and out["original_run_id"] == original
        failed = out["new_run_id"]
        glue_shim({failed: {"JobRunState": "FAILED", "ErrorMessage": f"still broken {attempt}"}})
    capped = [invoke(glue_failed(job, failed))["outcomes"][0] for _ in range(2)]  # delivered twice
    assert [c["result"] for c in capped] == ["cap_reached", "cap_reached_duplicate"]
    assert len(retries_of(ops, job, original)) == 2
    messages = ops.critical.messages()
    assert len(messages) == 1, messages
    assert "retries exhausted" in messages[0]["Subject"] and original in messages[0]["Message"]
    assert emf_metrics(capsys.readouterr().out)["RetryCapReached"] == 2


def test_opted_out_job_by_tag_is_not_retried(remediation_env, glue_shim, capsys):
    ops = remediation_env
    job = ops.glue_job("ledger", tags={"remediation:auto-retry": "false"})
    original = failed_run(ops, glue_shim, job)
    out = invoke(glue_failed(job, original))["outcomes"][0]
    assert out["result"] == "opted_out" and "tag" in out["detail"]["reason"]
    assert retries_of(ops, job, original) == []
    assert emf_metrics(capsys.readouterr().out)["RetryOptedOut"] == 1


def test_opted_out_job_by_list_is_not_retried(remediation_env, glue_shim, monkeypatch):
    ops = remediation_env
    job = ops.glue_job("ledger")
    monkeypatch.setenv("OPT_OUT_JOBS", f"other,{job}")
    original = failed_run(ops, glue_shim, job)
    assert invoke(glue_failed(job, original))["outcomes"][0]["result"] == "opted_out"
    assert retries_of(ops, job, original) == []


def test_succeeded_and_stopped_runs_are_not_retried(remediation_env, glue_shim):
    ops = remediation_env
    job = ops.glue_job("orders")
    run = ops.client("glue").start_job_run(JobName=job)["JobRunId"]
    ok = load_event("glue_job_succeeded.json", job=job, run_id=run, event_id="e1")
    assert invoke(ok)["outcomes"][0]["result"] == "state_succeeded"
    stopped = glue_failed(job, run)
    stopped["detail"]["state"] = "STOPPED"
    assert invoke(stopped)["outcomes"][0]["result"] == "state_stopped"
    assert retries_of(ops, job, run) == []


def test_backoff_waits_from_the_failure_within_the_time_left(remediation_env, glue_shim, monkeypatch):
    ops = remediation_env
    monkeypatch.setenv("RETRY_BACKOFF_SECONDS", "30")
    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    invoke(glue_failed(job, original))
    assert len(slept) == 1 and 15 < slept[0] <= 30  # moto's run ended just now
    short = FakeContext(remaining_ms=25_000)  # 25 s left - 20 s margin: at most 5 s of backoff
    second = failed_run(ops, glue_shim, job)
    invoke(glue_failed(job, second), short)
    assert slept[1] <= 5
    assert Config(backoff_base_seconds=60, backoff_max_seconds=240).backoff_seconds(3) == 240


def test_start_failure_releases_the_claim_and_fails_the_invocation(remediation_env, glue_shim, capsys):
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)

    with hooked("glue", "before-call.glue.StartJobRun", refusing(lambda n: True)), pytest.raises(
        handler.RemediationFailed
    ):
        invoke(glue_failed(job, original))
    assert emf_metrics(capsys.readouterr().out)["RemediationErrors"] == 1
    # the claim was given back: Lambda's retry of the same event now starts the run
    assert invoke(glue_failed(job, original))["outcomes"][0]["result"] == "retried"
    assert len(retries_of(ops, job, original)) == 1


# -- bad events -------------------------------------------------------------------------------------------


def test_bad_events_never_crash_the_batch_and_unusable_messages_are_ignored(remediation_env, glue_shim, capsys, caplog):
    ops = remediation_env
    job = ops.glue_job("orders")
    original = failed_run(ops, glue_shim, job)
    malformed = load_event("sns_malformed.json", topic="critical", message_id="m1")
    unknown = load_event(
        "sns_unknown_alarm.json",
        prefix=PREFIX,
        job=job,
        topic="warning",
        message_id="m2",
        state_change_time="2026-11-26T10:01:00.123+0000",
    )
    sentence = load_event("sns_malformed.json", topic="critical", message_id="m3")  # a Glue failure rule's text
    sentence["Records"][0]["Sns"]["Message"] = json.dumps(f"CRITICAL: Glue job {job} ended in state FAILED")
    good = failure_alarm(job)
    batch = {"Records": malformed["Records"] + unknown["Records"] + sentence["Records"] + good["Records"]}
    out = invoke(batch)["outcomes"]
    assert [o["result"] for o in out] == ["ignored_event", "unknown_alarm", "ignored_event", "retried"]
    assert [o["action"] for o in out[:3]] == ["ignored"] * 3  # SNS messages it has no use for: not invalid
    for event in (
        {"hello": "world"},
        [],
        {"Records": [{"EventSource": "aws:sqs", "body": "x"}]},
        load_event("glue_job_failed.json", job=job, run_id="jr_does_not_exist", event_id="e"),
    ):
        assert invoke(event)["outcomes"][0]["action"] in {"invalid"}
    stdout = capsys.readouterr().out
    metrics = emf_metrics(stdout)
    assert metrics["InvalidEvents"] == 4 and metrics["UnknownAlarms"] == 1
    assert len(logged(caplog, "invalid_event")) == 4 and len(logged(caplog, "ignored_event")) == 2
    assert len(retries_of(ops, job, original)) == 1


def test_ok_transition_is_ignored(remediation_env):
    event = failure_alarm("orders")
    alarm = json.loads(event["Records"][0]["Sns"]["Message"])
    alarm["NewStateValue"], alarm["OldStateValue"] = "OK", "ALARM"
    event["Records"][0]["Sns"]["Message"] = json.dumps(alarm)
    assert invoke(event)["outcomes"][0]["result"] == "state_ok"


# -- data freshness ---------------------------------------------------------------------------------------


def test_freshness_alarm_escalates_once_with_context(remediation_env):
    ops = remediation_env
    job = ops.glue_job("customers")
    good_run = ops.client("glue").start_job_run(JobName=job)["JobRunId"]  # moto: SUCCEEDED at once
    event = load_event(
        "sns_data_freshness_alarm.json",
        prefix=PREFIX,
        job=job,
        topic="critical",
        message_id="m1",
        state_change_time="2026-11-26T10:05:00.000+0000",
    )
    first = invoke(event)["outcomes"][0]
    again = invoke(event)["outcomes"][0]
    assert first["result"] == "escalated" and first["detail"]["last_success_run_id"] == good_run
    assert again["result"] == "duplicate"
    messages = ops.critical.messages()
    assert len(messages) == 1
    body = messages[0]["Message"]
    assert job in messages[0]["Subject"] and good_run in body and "h ago" in body
    assert "https://github.com/example/glue-etl-monitoring/blob/main/docs/runbooks/data-freshness.md" in body


# -- DLQ redrive (to a declared consumer only) ---------------------------------------------------------------


@pytest.fixture
def redrive_env(dlq_env, monkeypatch):
    """A DLQ with 25 messages whose source queue is declared consumed (DLQ_REDRIVE_TARGETS)."""
    dlq = dlq_env.dlq(25, source=True)
    monkeypatch.setenv("DLQ_REDRIVE_TARGETS", json.dumps({dlq.name: dlq.source}))
    return dlq_env, dlq


def test_dlq_redrive_moves_everything_and_reports_it(redrive_env, capsys):
    ops, dlq = redrive_env
    out = invoke(depth_alarm(dlq.name))["outcomes"][0]
    assert out["result"] == "worked_off" and out["detail"]["redriven"] == 25 and out["detail"]["failed"] == 0
    assert out["detail"]["archived"] == 0  # young messages with a consumer go back to it
    sqs = ops.client("sqs")
    assert sorted(drain(sqs, dlq.source_url)) == sorted(dlq.bodies)
    assert drain(sqs, dlq.url) == []
    assert emf_metrics(capsys.readouterr().out)["DlqMessagesMoved"] == 25
    note = ops.info.messages()
    assert len(note) == 1 and "25 redriven" in note[0]["Subject"] and ops.critical.messages(wait=0) == []


def test_dlq_redrive_source_failing_midway_loses_nothing(redrive_env, capsys):
    """The source refuses every send after the first batch (a botocore before-call hook on the handler's SQS
    client raises for SendMessageBatch): what was not sent stays in the DLQ, and a person hears of it."""
    ops, dlq = redrive_env
    with hooked("sqs", "before-call.sqs.SendMessageBatch", refusing(lambda n: n > 1)):
        out = invoke(depth_alarm(dlq.name))["outcomes"][0]
    detail = out["detail"]
    assert out["result"] == "partially_worked_off"
    assert detail["redriven"] > 0 and detail["failed"] > 0 and detail["redriven"] + detail["failed"] == 25
    sqs = ops.client("sqs")
    in_source, in_dlq = drain(sqs, dlq.source_url), drain(sqs, dlq.url)  # the failed ones were made visible again
    assert len(in_source) == detail["redriven"] and len(in_dlq) == detail["failed"]
    assert sorted(in_source + in_dlq) == sorted(dlq.bodies)  # nothing lost, nothing doubled
    assert "failed" in ops.critical.messages()[0]["Message"]  # escalated: writes failed
    # once the source is back, the rest moves
    for body in in_dlq:
        sqs.send_message(QueueUrl=dlq.url, MessageBody=body)
    again = invoke(depth_alarm(dlq.name))["outcomes"][0]
    assert again["detail"]["redriven"] == len(in_dlq)
    assert sorted(in_source + drain(sqs, dlq.source_url)) == sorted(dlq.bodies)


def test_dlq_delete_failure_duplicates_but_never_loses(redrive_env):
    """The source has the copy but the DLQ delete fails (a before-call hook raises for the first
    DeleteMessageBatch): the message is moved again (at least once)."""
    ops, dlq = redrive_env
    with hooked("sqs", "before-call.sqs.DeleteMessageBatch", refusing(lambda n: n == 1)):
        first = invoke(depth_alarm(dlq.name))["outcomes"][0]["detail"]
    assert first["redriven"] == 25 and 0 < first["duplicates_possible"] <= 10
    second = invoke(depth_alarm(dlq.name))["outcomes"][0]["detail"]
    assert second["redriven"] == first["duplicates_possible"]
    sqs = ops.client("sqs")
    got = drain(sqs, dlq.source_url)
    assert set(got) == set(dlq.bodies) and len(got) == 25 + first["duplicates_possible"]
    assert drain(sqs, dlq.url) == []


def test_dlq_poison_messages_are_held(dlq_env, monkeypatch):
    ops = dlq_env
    held_attr = {"remediation-redrive-count": {"DataType": "Number", "StringValue": "3"}}
    dlq = ops.dlq(3, source=True, attrs=held_attr)
    monkeypatch.setenv("DLQ_REDRIVE_TARGETS", json.dumps({dlq.name: dlq.source}))
    out = invoke(depth_alarm(dlq.name))["outcomes"][0]["detail"]
    assert out["redriven"] == 0 and out["held"] == 3 and out["archived"] == 0
    sqs = ops.client("sqs")
    assert drain(sqs, dlq.source_url) == [] and sorted(drain(sqs, dlq.url)) == sorted(dlq.bodies)


def test_dlq_with_an_undeclared_source_is_archived_never_redriven(dlq_env, monkeypatch):
    """The source queue names the DLQ in its redrive policy, but nobody declared that anything consumes it:
    the records are archived (never sent where they would expire unread), and a person is told."""
    ops = dlq_env
    dlq = ops.dlq(12, source=True)
    monkeypatch.setenv("DLQ_QUEUES", dlq.name)
    out = invoke(depth_alarm(dlq.name))["outcomes"][0]
    assert out["result"] == "worked_off" and out["detail"]["archived"] == 12 and out["detail"]["redriven"] == 0
    sqs = ops.client("sqs")
    assert drain(sqs, dlq.source_url) == [] and drain(sqs, dlq.url) == []
    assert sorted(d["body"] for d in archive_documents(ops.client("s3"), ops.bucket).values()) == sorted(dlq.bodies)
    escalation = ops.critical.messages()
    assert len(escalation) == 1 and "No consumer is declared" in escalation[0]["Message"]


def test_dlq_the_function_does_not_manage_is_left_alone(dlq_env):
    ops = dlq_env
    dlq = ops.dlq(3, source=True)  # neither in DLQ_QUEUES nor in DLQ_REDRIVE_TARGETS
    out = invoke(depth_alarm(dlq.name))["outcomes"][0]
    assert (out["action"], out["result"]) == ("ignored", "unmanaged_queue")
    assert sorted(peek(ops.client("sqs"), dlq.url)) == sorted(dlq.bodies)


# -- alarm parsing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "signal", "job", "queue"),
    [
        ("sns_job_failure_alarm.json", "job-failure", "orders-x", None),
        ("sns_data_freshness_alarm.json", "data-freshness", "orders-x", None),
        ("sns_dlq_depth_alarm.json", "depth", None, "etl-dlq"),
        ("sns_unknown_alarm.json", "duration", "orders-x", None),
    ],
)
def test_alarm_signal_job_and_queue(fixture, signal, job, queue):
    event = load_event(
        fixture,
        prefix=PREFIX,
        job="orders-x",
        queue="etl-dlq",
        topic="t",
        message_id="m",
        state_change_time="2026-11-26T10:00:00.000+0000",
    )
    alarm = from_sns_message(event["Records"][0]["Sns"]["Message"])
    assert alarm.signal == signal
    assert alarm.job_name(PREFIX) == job
    assert alarm.queue_name() == queue
    assert alarm.runbook_url and alarm.runbook_url.startswith("https://")


def test_seed_style_alarm_names_are_understood():
    alarm = from_sns_message(
        json.dumps(
            {
                "AlarmName": "prod-DataFreshness-customers",
                "NewStateValue": "ALARM",
                "Trigger": {"Dimensions": [{"name": "JobName", "value": "customers"}]},
            }
        )
    )
    assert alarm.signal == "data-freshness" and alarm.job_name(None) == "customers"


# -- settings ---------------------------------------------------------------------------------------------


def test_defaults_are_defined_once_in_defaults_json():
    """config.py reads its defaults from defaults.json (Terraform can read the same file); an environment
    variable that is set wins, even when empty (OPT_OUT_TAG="" turns the tag check off)."""
    from lambda_src.remediation.config import DEFAULTS

    cfg = Config.from_env({})
    assert Config() == cfg  # the dataclass's own defaults are the file's too
    assert cfg.state_prefix == DEFAULTS["STATE_PREFIX"]
    assert cfg.max_retry_attempts == int(DEFAULTS["MAX_RETRY_ATTEMPTS"])
    assert cfg.backoff_max_seconds == float(DEFAULTS["RETRY_BACKOFF_MAX_SECONDS"])
    assert cfg.archive_prefix == DEFAULTS["DLQ_ARCHIVE_PREFIX"] and cfg.dlq_redrive_targets == {}
    assert all(isinstance(v, str) for v in DEFAULTS.values())  # Terraform merges them into environment_variables
    over = Config.from_env({"OPT_OUT_TAG": "", "MAX_RETRY_ATTEMPTS": "5", "STATE_BUCKET": "b"})
    assert over.opt_out_tag == "" and over.max_retry_attempts == 5 and over.archive_bucket == "b"
    targets = Config.from_env({"DLQ_QUEUES": "a, b", "DLQ_REDRIVE_TARGETS": '{"c": "c-src", "a": "a-src"}'})
    assert targets.managed_queues == ("a", "b", "c")
    with pytest.raises(ValueError, match="DLQ_REDRIVE_TARGETS must be a JSON object"):
        Config.from_env({"DLQ_REDRIVE_TARGETS": '["c"]'})
