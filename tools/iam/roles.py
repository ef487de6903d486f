"""A role's permissions as IAM holds them: its inline policies and the default version of each attached one."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote


def _document(doc: Any) -> dict:
    """IAM returns documents URL-encoded over the query API; boto3 decodes them to dicts, the emulator not
    always."""
    if isinstance(doc, dict):
        return doc
    text = unquote(doc)
    return json.loads(text)


def role_name(role: str) -> str:
    """A role name from a name or an ARN (arn:aws:iam::<account>:role/<path/>name)."""
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def role_policies(iam, role: str) -> dict[str, dict]:
    """Policy label ("inline:<name>" or "attached:<arn>") -> document, for every policy of the role."""
    name = role_name(role)
    policies: dict[str, dict] = {}
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy_name in page["PolicyNames"]:
            doc = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            policies[f"inline:{policy_name}"] = _document(doc)
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for attached in page["AttachedPolicies"]:
            arn = attached["PolicyArn"]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            policies[f"attached:{arn}"] = _document(doc)
    return policies
