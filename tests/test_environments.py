"""Apply tier for the environments: each applied once per run on the emulator (10 s alarm periods), checked
with boto3, re-planned (must be empty), destroyed with the nothing-left check. prod is applied alone in
its own account; dev and staging come from the README sequence, both in one account, through the
Makefile (tests/conftest.py, harness/sequence.py)."""

from __future__ import annotations

import json

import pytest
from policy import check_alarm_policy, count_alarms

from harness.settings import ROOT

pytestmark = pytest.mark.apply
ENVS = sorted(p.name for p in (ROOT / "environments").iterdir() if (p / "main.tf").is_file())
each_environment = pytest.mark.parametrize("environment", ENVS, indirect=True)
RETENTION = {"dev": 7, "staging": 30, "prod": 90}


@each_environment
def test_environment_applies_and_second_plan_is_empty(environment):
    env = environment
    changes = env.changes
    assert not changes, "not idempotent: " + ", ".join(f"{c.address} {c.actions}" for c in changes)


@each_environment
def test_alert_topics_are_encrypted_with_the_projects_key(environment):
    env = environment
    sns = env.client("sns")
    assert set(env.outputs["topic_arns"]) == {"critical", "warning", "info"}
    for arn in env.outputs["topic_arns"].values():
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert attrs.get("KmsMasterKeyId"), f"{arn} is not encrypted"
        assert "alias/aws/sns" not in attrs["KmsMasterKeyId"], "the AWS-managed key breaks alarm delivery"


@each_environment
def test_glue_log_groups_keep_logs_as_long_as_the_environment_needs(environment):
    env, env_name = environment, environment.root.path.name
    groups = {g["logGroupName"]: g for g in env.client("logs").describe_log_groups()["logGroups"]}
    for stream in ("output", "error", "logs-v2"):  # the environment's own groups (its jobs' log prefix)
        name = f"/aws-glue/jobs/glue-etl-{env_name}/{stream}"
        assert groups[name].get("retentionInDays") == RETENTION[env_name], name
    shared = [g for g in groups if g in ("/aws-glue/jobs/output", "/aws-glue/jobs/error", "/aws-glue/jobs/logs-v2")]
    assert not shared, f"the environment created Glue's account-wide default groups {shared}"


@each_environment
def test_failed_records_queue_redrives_into_its_dlq_and_alarms_route_by_severity(environment):
    env = environment
    dlq = env.outputs["dlq"]
    sqs = env.client("sqs")
    redrive = sqs.get_queue_attributes(QueueUrl=dlq["source_queue_url"], AttributeNames=["RedrivePolicy"])
    assert dlq["dlq_arn"] in redrive["Attributes"]["RedrivePolicy"]
    alarms = env.client("cloudwatch").describe_alarms(AlarmNamePrefix=dlq["dlq_name"])["MetricAlarms"]
    assert alarms, "no DLQ alarms"
    for alarm in alarms:
        severity = alarm["AlarmName"].rsplit("-", 1)[-1]
        assert alarm["AlarmActions"] == [env.outputs["topic_arns"][severity]], alarm["AlarmName"]
        assert alarm["OKActions"] == [env.outputs["topic_arns"][severity]], alarm["AlarmName"]


@each_environment
def test_every_alarm_routes_to_its_severity_topic_with_a_runbook(environment):
    env = environment
    state = json.loads(env.root.run("show", "-json").stdout)
    assert count_alarms(state) >= 20, "the environment should carry the job, DLQ, Lambda and cost alarms"
    problems = check_alarm_policy(state)
    assert not problems, "\n".join(problems)


@each_environment
def test_dashboards_are_generated_from_the_job_list(environment):
    env = environment
    pages = env.outputs["dashboard_names"]  # page (main, metrics, main-2 ...) -> dashboard name
    stored = {d["DashboardName"]: d for d in env.client("cloudwatch").list_dashboards()["DashboardEntries"]}
    assert {"main", "metrics"} <= set(pages) and set(pages.values()) <= set(stored)
    bodies = env.outputs["dashboard_bodies"]
    for page, name in pages.items():
        body = bodies.get(page) or bodies[name]
        assert "customer_import" in body, f"{name} does not show the job"
