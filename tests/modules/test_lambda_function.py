"""Apply checks of modules/lambda_function (examples/complete, applied in the examples bundle).

What the applied resources show on the emulator (Lambda and IAM on moto, the rest on LocalStack): the three
functions with their settings, least-privilege inline policies, log groups with retention and a KMS key,
asynchronous retry settings with the on-failure destination, the schedules and the Glue failure rule
targeting the function, the SNS subscriptions, the invoke permissions, and the alarms on the functions.
Not shown (nothing runs the code on the emulator): that the invocations happen; the handlers are tested
in-process in tests/lambdas/.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.apply
NAMES = ("remediation", "weekly_report", "health_check")


@pytest.fixture(scope="module")
def ex(applied_examples):
    out = applied_examples.example("lambda_function")
    assert out["built"], "build/lambda/*.zip missing when the bundle was planned: run python -m tools.build_lambdas"
    return out


def test_functions_are_deployed_with_their_settings(applied_examples, ex):
    lam = applied_examples.client("lambda")
    for name in NAMES:
        fn = lam.get_function(FunctionName=ex["function_names"][name])
        conf = fn["Configuration"]
        assert conf["Handler"] == f"lambda_src.{name}.handler.lambda_handler"
        assert conf["Runtime"] == "python3.11"
        assert conf["TracingConfig"]["Mode"] == "Active"
        assert conf["KMSKeyArn"] == ex["kms_key_arns"][name]
        assert fn["Concurrency"]["ReservedConcurrentExecutions"] == 2
        env = conf["Environment"]["Variables"]
        assert env["ENVIRONMENT"] == "example" and env["POWERTOOLS_METRICS_NAMESPACE"] == "Glue/ETL/example/Operations"
    remediation = lam.get_function(FunctionName=ex["function_names"]["remediation"])["Configuration"]
    env = remediation["Environment"]["Variables"]
    assert env["CRITICAL_TOPIC_ARN"] == ex["topic_arns"]["critical"] and env["STATE_BUCKET"]
    invoke = lam.get_function_event_invoke_config(FunctionName=ex["function_names"]["remediation"])
    assert invoke["MaximumRetryAttempts"] == 2 and invoke["MaximumEventAgeInSeconds"] == 3600
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"].endswith(
        ex["dead_letter_queue_names"]["remediation"]
    )


def test_policies_name_every_action_and_scope_every_resource(applied_examples, ex):
    iam = applied_examples.client("iam")
    for name in NAMES:
        role = ex["role_names"][name]
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"]
        (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        doc = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        for st in doc["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            assert not [a for a in actions if "*" in a], st
            if st["Sid"] != "WriteTraces":  # X-Ray's two write actions take no resource but "*"
                assert "*" not in resources, st
        sids = {st["Sid"] for st in doc["Statement"]}
        assert {"WriteOwnLogs", "WriteTraces", "DeadLetterFailedInvocations", "UseTheKey"} <= sids


def test_log_groups_and_dead_letter_queues(applied_examples, ex):
    logs, sqs = applied_examples.client("logs"), applied_examples.client("sqs")
    for name in NAMES:
        group = f"/aws/lambda/{ex['function_names'][name]}"
        (found,) = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group
        ]
        assert found["retentionInDays"] == 30 and found["kmsKeyId"] == ex["kms_key_arns"][name]
        url = sqs.get_queue_url(QueueName=ex["dead_letter_queue_names"][name])["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["KmsMasterKeyId"] == ex["kms_key_arns"][name]
        assert "aws:SecureTransport" in attrs["Policy"]


def test_rules_and_subscriptions_invoke_the_functions(applied_examples, ex):
    events, sns, lam = (applied_examples.client(s) for s in ("events", "sns", "lambda"))
    rules = {
        ("remediation", "glue-failed"): ("EventPattern", "Glue Job State Change"),
        ("weekly_report", "weekly"): ("ScheduleExpression", "cron(0 7 ? * MON *)"),
        ("health_check", "daily"): ("ScheduleExpression", "cron(0 6 * * ? *)"),
    }
    for (name, key), (field, expected) in rules.items():
        rule_name = ex["event_rule_arns"][name][key].rsplit("/", 1)[-1]
        assert expected in events.describe_rule(Name=rule_name)[field]
        (target,) = events.list_targets_by_rule(Rule=rule_name)["Targets"]
        assert target["Arn"] == ex["function_arns"][name]
    remediation = ex["function_names"]["remediation"]
    for severity in ("critical", "warning"):
        subs = sns.list_subscriptions_by_topic(TopicArn=ex["topic_arns"][severity])["Subscriptions"]
        assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("lambda", ex["function_arns"]["remediation"])]
    policy = json.loads(lam.get_policy(FunctionName=remediation)["Policy"])
    by_principal = {}
    for st in policy["Statement"]:
        principal = st["Principal"]["Service"] if isinstance(st["Principal"], dict) else st["Principal"]
        by_principal.setdefault(principal, []).append(st["Condition"]["ArnLike"]["AWS:SourceArn"])
    assert sorted(by_principal["sns.amazonaws.com"]) == sorted(
        [ex["topic_arns"]["critical"], ex["topic_arns"]["warning"]]
    )
    assert by_principal["events.amazonaws.com"] == [ex["event_rule_arns"]["remediation"]["glue-failed"]]


def test_the_functions_are_watched(applied_examples, ex):
    cw = applied_examples.client("cloudwatch")
    names = [n for per_fn in ex["alarm_names"].values() for n in per_fn.values()]
    assert len(names) == 6
    alarms = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    critical = alarms[f"{ex['function_names']['remediation']}-errors-critical"]
    assert critical["AlarmActions"] == [ex["topic_arns"]["critical"]] == critical["OKActions"]
    assert critical["AlarmDescription"].split("Runbook: ")[-1].startswith("https://")
    depth = alarms[f"{ex['dead_letter_queue_names']['weekly_report']}-depth-warning"]
    assert depth["Namespace"] == "AWS/SQS" and depth["AlarmActions"] == [ex["topic_arns"]["warning"]]
