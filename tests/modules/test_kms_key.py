"""modules/kms_key, applied (examples/complete in the examples bundle) and read back with boto3: the key
rotates, and its policy admits exactly the statements the README lists."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def key(applied_examples):
    out = applied_examples.example("kms_key")
    kms = applied_examples.client("kms")
    key_id = out["kms_key_arn"].rsplit("/", 1)[-1]
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    return {"out": out, "kms": kms, "id": key_id, "statements": {s["Sid"]: s for s in policy["Statement"]}}


def test_key_is_customer_managed_rotated_and_aliased(applied_examples, key):
    meta = key["kms"].describe_key(KeyId=key["id"])["KeyMetadata"]
    assert meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] == "Enabled"
    assert key["kms"].get_key_rotation_status(KeyId=key["id"])["KeyRotationEnabled"]
    aliases = key["kms"].list_aliases(KeyId=key["id"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/ex-kms-key"] == [key["out"]["kms_key_alias"]]


def test_policy_names_who_may_use_the_key_and_how(applied_examples, key):
    account = applied_examples.account
    statements = key["statements"]
    assert set(statements) == {
        "AccountAdministersTheKey", "AccountPrincipalsUseTheKeyThroughTheEnvironmentsServices",
        "AwsServicesPublishAlertsForThisAccount", "CloudWatchLogsEncryptsTheEnvironmentsLogGroups"}
    admin = statements["AccountAdministersTheKey"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admin["Action"])
    assert all(a.startswith("kms:") and "*" not in a for s in statements.values() for a in _list(s["Action"]))
    via = statements["AccountPrincipalsUseTheKeyThroughTheEnvironmentsServices"]["Condition"]
    assert set(_list(via["StringEquals"]["kms:ViaService"])) == {
        f"{s}.us-east-1.amazonaws.com" for s in ("s3", "sqs", "sns", "lambda", "xray")}
    assert via["StringEquals"]["kms:CallerAccount"] == account
    publishers = statements["AwsServicesPublishAlertsForThisAccount"]
    assert set(_list(publishers["Principal"]["Service"])) == {
        "cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com",
        "sns.amazonaws.com"}
    assert publishers["Condition"]["StringEquals"]["aws:SourceAccount"] == account
    logs = statements["CloudWatchLogsEncryptsTheEnvironmentsLogGroups"]["Condition"]["ArnLike"]
    assert set(_list(logs["kms:EncryptionContext:aws:logs:arn"])) == {
        f"arn:aws:logs:us-east-1:{account}:log-group:/aws-glue/jobs/ex-kms-key/*",
        f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/ex-kms-key-*"}


def _list(value) -> list:
    return value if isinstance(value, list) else [value]
