"""modules/notifications, applied (examples/complete in the examples bundle) and read back with boto3.

What the emulator proves: the topics, key, policies and subscriptions are stored as planned, and a message
published to a topic reaches the SQS subscriber (wrapped, or raw where raw_message_delivery is on). What it
cannot: LocalStack enforces neither key policies nor topic policies, so the policies are checked as
documents (the statements a real account would evaluate), not by being refused.
"""

from __future__ import annotations

import json
import time

import pytest

MODULE = "notifications"
SEVERITIES = ("critical", "warning", "info")
PUBLISHER_SERVICES = {"cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com",
                      "costalerts.amazonaws.com"}


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example(MODULE)


def _statements(policy: str | dict) -> list[dict]:
    doc = json.loads(policy) if isinstance(policy, str) else policy
    stmts = doc["Statement"]
    return stmts if isinstance(stmts, list) else [stmts]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _principals(stmt: dict, kind: str) -> set[str]:
    principal = stmt.get("Principal", {})
    if principal == "*":
        return {"*"}
    return set(_as_list(principal.get(kind, [])))


def test_one_topic_per_severity_encrypted_with_the_module_key(applied_examples, out):
    sns = applied_examples.client("sns")
    assert set(out["topic_arns"]) == set(SEVERITIES)
    for severity, arn in out["topic_arns"].items():
        assert arn.endswith(f":ex-notify-complete-{severity}")
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert attrs["KmsMasterKeyId"] == out["kms_key_arn"], severity
        assert not attrs["KmsMasterKeyId"].endswith("alias/aws/sns")
        tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
        assert tags["Severity"] == severity


def test_key_is_customer_managed_rotated_and_usable_by_the_publishers(applied_examples, out):
    kms = applied_examples.client("kms")
    meta = kms.describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]
    assert meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=out["kms_key_id"])["KeyRotationEnabled"] is True
    aliases = {a["AliasName"] for a in kms.list_aliases(KeyId=out["kms_key_id"])["Aliases"]}
    assert "alias/ex-notify-complete-alert-topics" in aliases

    stmts = _statements(kms.get_key_policy(KeyId=out["kms_key_id"], PolicyName="default")["Policy"])
    for stmt in stmts:
        for action in _as_list(stmt["Action"]):
            assert action != "*" and not action.endswith(":*"), f"wildcard action in {stmt['Sid']}"
    by_sid = {s["Sid"]: s for s in stmts}
    services = by_sid["AwsServicesPublishAlertsForThisAccount"]  # modules/kms_key's statements
    assert _principals(services, "Service") == PUBLISHER_SERVICES
    assert set(_as_list(services["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert services["Condition"]["StringEquals"]["aws:SourceAccount"] in (applied_examples.account,
                                                                           [applied_examples.account])
    users = by_sid["NamedRolesUseTheKey"]
    assert _principals(users, "AWS") == {out["publisher_role_arn"]}
    admin = by_sid["AccountAdministersTheKey"]
    assert _principals(admin, "AWS") == {f"arn:aws:iam::{applied_examples.account}:root"}
    assert not {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} & set(_as_list(admin["Action"]))
    via = by_sid["AccountPrincipalsUseTheKeyThroughTheEnvironmentsServices"]["Condition"]["StringEquals"]
    assert _as_list(via["kms:ViaService"]) == ["sns.us-east-1.amazonaws.com"]  # publishing only, nothing else


def test_topic_policies_allow_the_services_and_deny_publish_without_tls(applied_examples, out):
    sns = applied_examples.client("sns")
    for severity, arn in out["topic_arns"].items():
        stmts = _statements(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
        by_sid = {s["Sid"]: s for s in stmts}
        deny = by_sid["DenyPublishWithoutTls"]
        assert deny["Effect"] == "Deny" and _as_list(deny["Action"]) == ["sns:Publish"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert _as_list(deny["Resource"]) == [arn]
        services = by_sid["PublisherServicesPublish"]
        assert _principals(services, "Service") == PUBLISHER_SERVICES
        assert _as_list(services["Action"]) == ["sns:Publish"]
        assert "aws:SourceAccount" in services["Condition"]["StringEquals"]
        for stmt in stmts:
            assert all(a != "*" and not a.endswith(":*") for a in _as_list(stmt["Action"])), severity
            if stmt["Effect"] == "Allow":
                assert "*" not in _principals(stmt, "AWS"), f"{severity}: {stmt['Sid']} allows anyone"


def test_subscriptions_are_typed_per_severity(applied_examples, out):
    sns = applied_examples.client("sns")
    subs = {}
    for severity, arn in out["topic_arns"].items():
        for sub in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
            subs[(severity, sub["Protocol"])] = sub
    assert set(subs) == {("critical", "sqs"), ("critical", "email"), ("warning", "sqs"), ("warning", "https")}
    assert subs[("critical", "email")]["Endpoint"] == "oncall@example.com"
    assert subs[("warning", "https")]["Endpoint"] == "https://hooks.example.com/services/glue-etl-alerts"
    queue_arn = subs[("critical", "sqs")]["Endpoint"]
    assert queue_arn.endswith(":ex-notify-complete-subscriber")
    raw = sns.get_subscription_attributes(SubscriptionArn=out["subscription_arns"]["automation-warning"])
    assert raw["Attributes"].get("RawMessageDelivery") == "true"
    wrapped = sns.get_subscription_attributes(SubscriptionArn=out["subscription_arns"]["automation-critical"])
    assert wrapped["Attributes"].get("RawMessageDelivery", "false") == "false"


def test_a_published_alert_reaches_the_subscriber_queue(applied_examples, out):
    sns, sqs = applied_examples.client("sns"), applied_examples.client("sqs")
    queue = out["subscriber_queue_url"]
    marker = f"apply-test-{time.time_ns()}"
    sns.publish(TopicArn=out["topic_arns"]["critical"], Subject="test", Message=json.dumps({"critical": marker}))
    sns.publish(TopicArn=out["topic_arns"]["warning"], Message=json.dumps({"warning": marker}))
    bodies: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(marker in b for b in bodies) < 2:
        for msg in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            bodies.append(msg["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=msg["ReceiptHandle"])
    mine = [b for b in bodies if marker in b]
    # critical: the SNS envelope (raw delivery off); warning: the message itself (raw delivery on)
    envelopes = [json.loads(b) for b in mine if json.loads(b).get("Type") == "Notification"]
    raws = [json.loads(b) for b in mine if "warning" in json.loads(b)]
    assert len(envelopes) == 1 and json.loads(envelopes[0]["Message"]) == {"critical": marker}, bodies
    assert envelopes[0]["TopicArn"] == out["topic_arns"]["critical"]
    assert raws == [{"warning": marker}], bodies


@pytest.mark.plan
def test_create_false_creates_nothing(examples_plan):
    outputs = examples_plan.output_values["notifications__disabled"]["all"]
    assert outputs["topic_arns"] == {} and outputs["subscription_arns"] == {}
    assert outputs["kms_key_arn"] is None and outputs["kms_key_id"] is None
