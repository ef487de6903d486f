"""Apply tier for the environments: each applied once per session on the emulator (10 s alarm periods),
checked with boto3, re-planned (must be empty); destroyed when the session ends, with the nothing-left
check (see conftest.environment)."""

from __future__ import annotations

import json
import subprocess

import pytest
from policy import check_alarm_policy, count_alarms
from tests_env import ENV_TEST_VARS

from harness.paths import ROOT
from harness.terraform import terraform_binary

pytestmark = [pytest.mark.apply, pytest.mark.xdist_group("environments")]
ENVS = sorted(p.name for p in (ROOT / "environments").iterdir() if (p / "main.tf").is_file())
RETENTION = {"dev": 7, "staging": 30, "prod": 90}


@pytest.mark.parametrize("env_name", ENVS)
def test_environment_applies_and_second_plan_is_empty(env_name, environment):
    env = environment(env_name)
    changes = env.root.changes(tf_vars=ENV_TEST_VARS)
    assert not changes, "not idempotent: " + ", ".join(f"{c.address} {c.actions}" for c in changes)


@pytest.mark.parametrize("env_name", ENVS)
def test_alert_topics_are_encrypted_with_the_projects_key(env_name, environment):
    env = environment(env_name)
    sns = env.client("sns")
    assert set(env.outputs["topic_arns"]) == {"critical", "warning", "info"}
    for arn in env.outputs["topic_arns"].values():
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert attrs.get("KmsMasterKeyId"), f"{arn} is not encrypted"
        assert "alias/aws/sns" not in attrs["KmsMasterKeyId"], "the AWS-managed key breaks alarm delivery"


@pytest.mark.parametrize("env_name", ENVS)
def test_glue_log_groups_keep_logs_as_long_as_the_environment_needs(env_name, environment):
    env = environment(env_name)
    groups = {g["logGroupName"]: g for g in env.client("logs").describe_log_groups()["logGroups"]}
    for name in ("/aws-glue/jobs/output", "/aws-glue/jobs/error", "/aws-glue/jobs/logs-v2"):
        assert groups[name].get("retentionInDays") == RETENTION[env_name], name


@pytest.mark.parametrize("env_name", ENVS)
def test_failed_records_queue_redrives_into_its_dlq_and_alarms_route_by_severity(env_name, environment):
    env = environment(env_name)
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


@pytest.mark.parametrize("env_name", ENVS)
def test_every_alarm_routes_to_its_severity_topic_with_a_runbook(env_name, environment):
    env = environment(env_name)
    proc = subprocess.run([str(terraform_binary()), "show", "-json"], cwd=env.root.path, env=env.root.env,
                          capture_output=True, text=True, check=True)
    state = json.loads(proc.stdout)
    assert count_alarms(state) >= 20, "the environment should carry the job, DLQ, Lambda and cost alarms"
    problems = check_alarm_policy(state)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("env_name", ENVS)
def test_dashboards_are_generated_from_the_job_list(env_name, environment):
    env = environment(env_name)
    pages = env.outputs["dashboard_names"]  # page (main, metrics, main-2 ...) -> dashboard name
    stored = {d["DashboardName"]: d for d in env.client("cloudwatch").list_dashboards()["DashboardEntries"]}
    assert {"main", "metrics"} <= set(pages) and set(pages.values()) <= set(stored)
    bodies = env.outputs["dashboard_bodies"]
    for page, name in pages.items():
        body = bodies.get(page) or bodies[name]
        assert "customer_import" in body, f"{name} does not show the job"
