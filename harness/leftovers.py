"""What is still there after `terraform destroy`: the "destroy leaves nothing behind" check.

LocalStack isolates accounts (each root runs with its own 12-digit access key), so there everything in
the account counts, unless the account is shared (`only_prefixed`: dev and staging of the README
sequence). moto serves every root from one account, so there only names with the root's prefix count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Lister = Callable[[object], Iterable[str]]


def _kms_keys(kms) -> Iterable[str]:
    for key in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if meta.get("KeyManager") != "AWS" and meta["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion"):
            yield f"kms key {key['KeyId']} ({meta['KeyState']})"


def _paged(client, op: str, key: str, field: str | None = None, **kw) -> Iterable[str]:
    for page in client.get_paginator(op).paginate(**kw):
        for item in page.get(key, []):
            yield item if field is None else item[field]


LISTERS: dict[str, list[tuple[str, Lister]]] = {
    "sns": [("topic", lambda c: _paged(c, "list_topics", "Topics", "TopicArn"))],
    "sqs": [("queue", lambda c: c.list_queues().get("QueueUrls", []))],
    "cloudwatch": [
        ("alarm", lambda c: (a["AlarmName"] for page in c.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"]) for kind in ("MetricAlarms", "CompositeAlarms")
            for a in page.get(kind, []))),
        ("dashboard", lambda c: _paged(c, "list_dashboards", "DashboardEntries", "DashboardName")),
    ],
    "logs": [("log group", lambda c: _paged(c, "describe_log_groups", "logGroups", "logGroupName"))],
    "kms": [("", _kms_keys)],
    "events": [("rule", lambda c: (r["Name"] for r in c.list_rules().get("Rules", [])))],
    "s3": [("bucket", lambda c: (b["Name"] for b in c.list_buckets().get("Buckets", [])))],
    "iam": [("role", lambda c: _paged(c, "list_roles", "Roles", "RoleName")),
            ("policy", lambda c: _paged(c, "list_policies", "Policies", "PolicyName", Scope="Local"))],
    "lambda": [("function", lambda c: _paged(c, "list_functions", "Functions", "FunctionName"))],
    "glue": [("database", lambda c: _paged(c, "get_databases", "DatabaseList", "Name")),
             ("job", lambda c: c.list_jobs().get("JobNames", []))],
    "athena": [("workgroup", lambda c: (w["Name"] for w in c.list_work_groups().get("WorkGroups", [])
                                         if w["Name"] != "primary"))],
    "scheduler": [("schedule", lambda c: (s["Name"] for s in c.list_schedules().get("Schedules", [])))],
}


def leftovers(emu, account: str, moto_prefixes: tuple[str, ...], only_prefixed: bool = False) -> list[str]:
    """Resources left in `account` (LocalStack) or named with one of `moto_prefixes` (moto, or both when
    `only_prefixed`)."""
    found = []
    for service, listers in LISTERS.items():
        on_moto = service in emu.routes or only_prefixed
        client = emu.client(service, account=account)
        for kind, lister in listers:
            for item in lister(client):
                name = item.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
                if on_moto and not any(p in name for p in moto_prefixes):
                    continue
                found.append(f"{service} {kind} {item}".replace("  ", " "))
    return found
