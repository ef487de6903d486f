"""Reading a `terraform show -json` plan or state: the resources it creates or keeps, and who owns them."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

SHARED = "(shared)"
JOB_MODULE = re.compile(r'module\.job\["([^"]+)"\]')
INDEX_KEY = re.compile(r'\["([^"]+)"\]$')
CUSTOM_NAMESPACE = re.compile(r"^Glue/ETL/([A-Za-z0-9_.-]+)$")


@dataclass
class Res:
    address: str
    type: str
    values: dict

    @property
    def module_path(self) -> str:
        """The module instance the resource is in (`module.a.module.b["x"]`), '' at the root."""
        head, _, _ = self.address.rpartition(f"{self.type}.")
        return head.rstrip(".")

    @property
    def key(self) -> str | None:
        m = INDEX_KEY.search(self.address)
        return m.group(1) if m else None


def _walk(module: dict):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


def planned_resources(doc: dict) -> list[Res]:
    """Managed resources a plan creates or keeps (or a `terraform show -json` state holds)."""
    if "resource_changes" in doc:
        return [Res(rc["address"], rc["type"], rc["change"].get("after") or {}) for rc in doc["resource_changes"]
                if rc.get("mode", "managed") == "managed" and rc["change"]["actions"] != ["delete"]]
    if "values" in doc:
        return [Res(r["address"], r["type"], r.get("values") or {})
                for r in _walk(doc["values"].get("root_module", {})) if r.get("mode", "managed") == "managed"]
    raise ValueError("not a plan or state from `terraform show -json`")


def by_type(resources: list[Res]) -> dict[str, list[Res]]:
    out: dict[str, list[Res]] = defaultdict(list)
    for r in resources:
        out[r.type].append(r)
    return out


def first(value, default=None):
    """The first block of a nested block list (`[{...}]`), else `default`."""
    if isinstance(value, list):
        return value[0] if value else default
    return value if value is not None else default


# ---- jobs ----------------------------------------------------------------------------------------------------

def job_keys(resources: list[Res]) -> list[str]:
    """Monitored jobs: the keys of job_monitoring's per-job module (`module.job["<key>"]`), else the job part of
    its alarm keys (`this["<job>/<signal>/<severity>"]`)."""
    keys = {m.group(1) for r in resources if (m := JOB_MODULE.search(r.address))}
    if not keys:
        keys = {r.key.split("/", 1)[0] for r in resources
                if r.type == "aws_cloudwatch_metric_alarm" and ".aws_cloudwatch_metric_alarm.this[" in r.address
                and r.key and "/" in r.key}
    return sorted(keys)


def alarm_metrics(res: Res) -> list[dict]:
    """The metrics an alarm reads: [{namespace, metric_name, dimensions, period}]."""
    v = res.values
    queries = v.get("metric_query") or []
    if not queries:
        if not v.get("metric_name"):
            return []
        return [{"namespace": v.get("namespace"), "metric_name": v.get("metric_name"),
                 "dimensions": v.get("dimensions") or {}, "period": v.get("period")}]
    out = []
    for q in queries:
        for m in q.get("metric") or []:
            out.append({"namespace": m.get("namespace"), "metric_name": m.get("metric_name"),
                        "dimensions": m.get("dimensions") or {}, "period": m.get("period")})
    return out


def job_names(resources: list[Res], jobs: list[str]) -> dict[str, str]:
    """job key -> Glue job name (the JobName dimension of its alarms; the key when none says)."""
    names = {j: j for j in jobs}
    for r in resources:
        if r.type != "aws_cloudwatch_metric_alarm":
            continue
        owner = owner_of(r, jobs, {})
        if owner == SHARED:
            continue
        for m in alarm_metrics(r):
            if "JobName" in m["dimensions"] and m["namespace"] != "Glue":
                names[owner] = m["dimensions"]["JobName"]
                break
    return names


def owner_of(res: Res, jobs: list[str], by_glue_name: dict[str, str]) -> str:
    """The job a resource belongs to, else SHARED: job_monitoring's per-job module, its for_each keys, or the
    JobName dimension of an alarm's metrics."""
    m = JOB_MODULE.search(res.address)
    if m and m.group(1) in jobs:
        return m.group(1)
    key = res.key
    if key:
        head = key.split("/", 1)[0]
        if head in jobs and (("/" in key) or res.type == "aws_cloudwatch_composite_alarm"
                             or res.type in ("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target")):
            return head
    if res.type == "aws_cloudwatch_metric_alarm":
        for metric in alarm_metrics(res):
            name = (metric["dimensions"] or {}).get("JobName")
            if name in by_glue_name:
                return by_glue_name[name]
    return SHARED


def environment_name(doc: dict, resources: list[Res]) -> str:
    """The environment the custom namespace names (Glue/ETL/<env>), else 'default'."""
    envs = set()
    for r in resources:
        if r.type == "aws_cloudwatch_metric_alarm":
            for m in alarm_metrics(r):
                if (hit := CUSTOM_NAMESPACE.match(m["namespace"] or "")):
                    envs.add(hit.group(1))
        if r.type == "aws_cloudwatch_log_metric_filter":
            for t in r.values.get("metric_transformation") or []:
                if (hit := CUSTOM_NAMESPACE.match(t.get("namespace") or "")):
                    envs.add(hit.group(1))
    if not envs:
        envs = set(re.findall(r"Glue/ETL/([a-z][a-z0-9-]*)\b(?!/)", json.dumps(doc)))
    return sorted(envs)[0] if len(envs) == 1 else "default"


# ---- trimming a plan to what the tool reads (for test fixtures) ---------------------------------------------

KEEP = {
    "aws_cloudwatch_metric_alarm": ["alarm_name", "namespace", "metric_name", "dimensions", "period",
                                    "extended_statistic", "statistic", "metric_query", "threshold_metric_id"],
    "aws_cloudwatch_composite_alarm": ["alarm_name", "alarm_rule"],
    "aws_cloudwatch_dashboard": ["dashboard_name", "dashboard_body"],
    "aws_cloudwatch_log_group": ["name", "retention_in_days", "log_group_class"],
    "aws_cloudwatch_log_metric_filter": ["name", "log_group_name", "metric_transformation"],
    "aws_cloudwatch_event_rule": ["name", "schedule_expression", "event_pattern", "event_bus_name", "state"],
    "aws_cloudwatch_event_target": ["rule", "target_id", "event_bus_name"],
    "aws_kms_key": ["description", "enable_key_rotation", "customer_master_key_spec"],
    "aws_lambda_function": ["function_name", "handler", "memory_size", "timeout", "architectures",
                            "tracing_config", "environment"],
    "aws_sns_topic": ["name", "fifo_topic"],
    "aws_sns_topic_subscription": ["protocol"],
    "aws_sqs_queue": ["name", "fifo_queue"],
    "aws_s3_bucket": ["bucket"],
    "aws_s3_bucket_lifecycle_configuration": ["rule"],
    "aws_athena_workgroup": ["name", "configuration"],
    "aws_athena_named_query": ["name", "database", "query"],
    "aws_glue_catalog_database": ["name"],
    "aws_glue_catalog_table": ["name", "database_name", "parameters"],
    "aws_xray_group": ["group_name", "filter_expression", "insights_configuration"],
    "aws_xray_sampling_rule": ["rule_name", "fixed_rate", "reservoir_size", "service_type"],
    "aws_budgets_budget": ["name", "budget_type"],
    "aws_budgets_budget_action": ["budget_name"],
}


def trim_plan(doc: dict) -> dict:
    """The parts of a plan this tool reads: managed resources kept or created, and of their values only the
    attributes the estimate uses (`KEEP`; nothing for the types it counts or lists only)."""
    out = []
    for r in planned_resources(doc):
        keep = KEEP.get(r.type, [])
        after = {k: r.values[k] for k in keep if k in r.values}
        out.append({"address": r.address, "type": r.type, "mode": "managed",
                    "change": {"actions": ["create"], "after": after}})
    return {"format_version": doc.get("format_version", "1.2"), "resource_changes": out}
