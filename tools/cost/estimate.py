"""One environment's monthly bill, line by line, from its plan: what the plan counts, times the prices, times
the usage assumptions where the plan cannot tell. Each line says where its quantity comes from."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from tools.cost import contract as contract_mod
from tools.cost.assumptions import Assumptions
from tools.cost.plan import (
    SHARED,
    Res,
    alarm_metrics,
    by_type,
    environment_name,
    first,
    job_keys,
    job_names,
    owner_of,
    planned_resources,
)
from tools.cost.prices import Prices
from tools.cost.schedule import fires_per_month

MB = 1024 * 1024
GB = 1024 * MB
TB = 1024 * GB

# Types that cost nothing of their own (their use is priced on the resources they configure).
NO_CHARGE = {
    "aws_iam_role": "IAM",
    "aws_iam_role_policy": "IAM",
    "aws_iam_policy": "IAM",
    "aws_iam_role_policy_attachment": "IAM",
    "aws_kms_alias": "KMS alias",
    "aws_sns_topic_policy": "topic policy",
    "aws_sqs_queue_policy": "queue policy",
    "aws_sqs_queue_redrive_policy": "queue setting",
    "aws_sqs_queue_redrive_allow_policy": "queue setting",
    "aws_s3_bucket_policy": "bucket setting",
    "aws_s3_bucket_ownership_controls": "bucket setting",
    "aws_s3_bucket_public_access_block": "bucket setting",
    "aws_s3_bucket_server_side_encryption_configuration": "bucket setting",
    "aws_s3_bucket_versioning": "bucket setting",
    "aws_s3_bucket_lifecycle_configuration": "bucket setting",
    "aws_lambda_permission": "Lambda setting",
    "aws_lambda_function_event_invoke_config": "Lambda setting",
    "aws_cloudwatch_event_target": "EventBridge target",
    "aws_cloudwatch_query_definition": "saved Logs Insights query (billed by the GB it scans when run)",
    "aws_athena_workgroup": "Athena workgroup (billed by the queries it runs)",
    "aws_athena_named_query": "saved Athena query (billed by the data it scans when run)",
}
# Types a plan may hold that are not monitoring: listed as not priced, with the reason.
OUTSIDE = {
    "aws_glue_job": "the ETL job itself (Glue DPU-hours), not its monitoring",
    "aws_s3_object": "the job's script and packages in S3 (a few MB): the ETL, not its monitoring",
}

CATEGORY = {
    "CloudWatch alarms": "alarms", "CloudWatch metrics": "metrics", "CloudWatch dashboards": "dashboards",
    "CloudWatch API": "dashboards", "CloudWatch Logs": "logs", "KMS": "keys", "Lambda": "lambda",
    "X-Ray": "traces", "S3": "s3+athena", "Athena": "s3+athena", "Glue Data Catalog": "s3+athena",
    "SNS": "other", "SQS": "other", "EventBridge": "other", "Budgets": "other",
    "Cost Anomaly Detection": "other", "no charge": "other",
}
CATEGORIES = ["alarms", "metrics", "dashboards", "logs", "keys", "lambda", "traces", "s3+athena", "other"]


@dataclass
class Line:
    env: str
    service: str
    item: str
    owner: str
    quantity: float
    unit: str
    price_key: str | None
    unit_price: float
    source: str
    pool: str | None = None
    resources: int = 0  # plan resources behind the line
    monthly: float = 0.0  # before the free tier
    after: float = 0.0  # after the free tier (set per account)

    def __post_init__(self) -> None:
        self.monthly = self.quantity * self.unit_price
        self.after = self.monthly

    @property
    def category(self) -> str:
        return CATEGORY.get(self.service, "other")


@dataclass
class EnvEstimate:
    env: str
    jobs: list[str]
    job_names: dict[str, str]
    lines: list[Line] = field(default_factory=list)
    not_priced: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def total(self, after: bool = False, owner: str | None = None) -> float:
        return sum(line.after if after else line.monthly for line in self.lines
                   if owner is None or line.owner == owner)

    def per_job(self, after: bool = False) -> dict[str, dict]:
        """Each job's own lines, its equal part of the shared lines, and the sum of the two."""
        n = len(self.jobs)
        shared = self.total(after, SHARED)
        out = {}
        for job in self.jobs:
            own = self.total(after, job)
            cats = {c: 0.0 for c in CATEGORIES}
            for line in self.lines:
                if line.owner == job:
                    cats[line.category] += line.after if after else line.monthly
            out[job] = {"own": own, "shared_part": shared / n, "total": own + shared / n, "categories": cats}
        return out

    def shared_categories(self, after: bool = False) -> dict[str, float]:
        cats = {c: 0.0 for c in CATEGORIES}
        for line in self.lines:
            if line.owner == SHARED:
                cats[line.category] += line.after if after else line.monthly
        return cats


class Builder:
    def __init__(self, env: str, prices: Prices, a: Assumptions):
        self.env, self.p, self.a = env, prices, a
        self.lines: list[Line] = []

    def add(self, service: str, item: str, owner: str, quantity: float, unit: str, price_key: str | None,
            source: str, resources: int = 0, pool: str | None = "default", unit_price: float | None = None) -> None:
        if price_key and unit_price is None:
            unit_price = self.p.unit_price(price_key)
        if pool == "default":
            pool = self.p.pool(price_key) if price_key else None
        self.lines.append(Line(self.env, service, item, owner, float(quantity), unit, price_key,
                               float(unit_price or 0.0), source, pool, resources))


def _expressions(res: Res) -> list[str]:
    return [q.get("expression") or "" for q in res.values.get("metric_query") or []]


def classify_alarm(res: Res) -> tuple[str, int, bool]:
    """(kind, alarm metrics, high resolution) of a metric alarm."""
    metrics = alarm_metrics(res)
    periods = [m["period"] or res.values.get("period") or 60 for m in metrics] or [res.values.get("period") or 60]
    high = any(float(p) < 60 for p in periods)
    exprs = _expressions(res)
    if any("ANOMALY_DETECTION_BAND" in e for e in exprs):
        return "anomaly", 3, high
    if any(e.strip().upper().startswith("SELECT") for e in exprs):
        return "metrics-insights", 1, high
    if res.values.get("metric_query"):
        return "math", max(1, len(metrics)), high
    return "static", 1, high


ALARM_ITEMS = {
    "static": ("metric alarms", "plan: one metric each (1 alarm metric)"),
    "math": ("metric-math alarms", "plan: 1 alarm metric per metric queried"),
    "anomaly": ("anomaly-detection alarms", "plan: 3 alarm metrics each (the metric and the band's bounds)"),
    "metrics-insights": ("Metrics Insights query alarms", "plan; assumption: 1 metric analysed each"),
}


def _metric_refs_of_dashboard(body: dict) -> tuple[list[dict], list[dict]]:
    """The metrics a dashboard reads ([{namespace, metric_name, dimensions}]) and its log widgets."""
    refs, logs = [], []
    for w in body.get("widgets", []):
        props = w.get("properties") or {}
        if w.get("type") == "log" or "query" in props:
            logs.append(props)
            continue
        prev: list = []
        for entry in props.get("metrics") or []:
            if not isinstance(entry, list):
                continue
            parts = [p for p in entry if not isinstance(p, dict)]
            if len(parts) < 2:
                continue  # an expression only
            parts = [prev[i] if p == "." and i < len(prev) else p for i, p in enumerate(parts)]
            prev = parts
            dims = dict(zip(parts[2::2], parts[3::2], strict=False))
            refs.append({"namespace": parts[0], "metric_name": parts[1], "dimensions": dims})
    return refs, logs


def _duration_days(iso: str | None) -> float:
    """Days in a dashboard's relative start (-PT24H, -P7D, ...); 1 when absent."""
    m = re.fullmatch(r"-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", iso or "")
    if not m:
        return 1.0
    d, h, mi = (int(x or 0) for x in m.groups())
    return max(d + h / 24 + mi / 1440, 1 / 24)


def _interval_days(query: str) -> float:
    """Days of partitions a saved query reads: its INTERVAL, plus the partial first day."""
    m = re.search(r"INTERVAL\s+'(\d+)'\s+(DAY|HOUR|MINUTE)", query, re.I)
    if not m:
        return 31.0
    n, unit = int(m.group(1)), m.group(2).upper()
    days = {"DAY": n, "HOUR": n / 24, "MINUTE": n / 1440}[unit]
    return math.ceil(days) + 1


def estimate_environment(env: str, doc: dict, prices: Prices, a: Assumptions,
                         contract_path=contract_mod.CONTRACT) -> EnvEstimate:
    res = planned_resources(doc)
    types = by_type(res)
    jobs = job_keys(res)
    names = job_names(res, jobs)
    by_glue = {v: k for k, v in names.items()}
    est = EnvEstimate(env, jobs, names)
    b = Builder(env, prices, a)
    days, hours = prices.days, prices.hours
    runs_month = {j: a.runs(j) * days for j in jobs}
    facts = est.facts
    handled: set[str] = set()

    def own(r: Res) -> str:
        return owner_of(r, jobs, by_glue)

    # ---- alarms ----------------------------------------------------------------------------------------------
    handled |= {"aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"}
    groups: dict[tuple, list] = defaultdict(lambda: [0, 0])
    facts["alarms"] = []
    for r in types.get("aws_cloudwatch_metric_alarm", []):
        kind, n, high = classify_alarm(r)
        owner = own(r)
        g = groups[(kind, high, owner)]
        g[0] += 1
        g[1] += n
        facts["alarms"].append({"address": r.address, "key": r.key, "owner": owner, "kind": kind,
                                "alarm_metrics": n, "high_resolution": high,
                                "namespaces": sorted({m["namespace"] or "" for m in alarm_metrics(r)}),
                                "periods": [m["period"] or r.values.get("period") for m in alarm_metrics(r)]})
    for (kind, high, owner), (count, n) in sorted(groups.items()):
        item, source = ALARM_ITEMS[kind]
        if high:
            b.add("CloudWatch alarms", f"{item}, high resolution (period < 60 s)", owner, n, "alarm metric-months",
                  "cloudwatch.alarm_high_resolution", source + "; a period under 60 s", count)
        elif kind == "metrics-insights":
            b.add("CloudWatch alarms", item, owner, n, "metrics analysed", "cloudwatch.alarm_metrics_insights",
                  source, count)
        else:
            b.add("CloudWatch alarms", item, owner, n, "alarm metric-months", "cloudwatch.alarm_standard", source,
                  count)
    comp: dict[str, int] = defaultdict(int)
    facts["composites"] = []
    for r in types.get("aws_cloudwatch_composite_alarm", []):
        owner = own(r)
        comp[owner] += 1
        facts["composites"].append({"address": r.address, "key": r.key, "owner": owner,
                                    "kind": "slo" if ".slo[" in r.address else
                                    ("health" if ".health[" in r.address else "other")})
    for owner, count in sorted(comp.items()):
        b.add("CloudWatch alarms", "composite alarms", owner, count, "composite alarm-months",
              "cloudwatch.alarm_composite", "plan: one price per composite alarm", count)

    # ---- dashboards ------------------------------------------------------------------------------------------
    handled.add("aws_cloudwatch_dashboard")
    dash_refs: list[dict] = []
    facts["dashboards"] = []
    stages_by_name: dict[str, set] = defaultdict(set)
    log_widgets: list[tuple[dict, float]] = []
    max_free = prices.free_entry("cloudwatch.dashboards").get("max_metrics", 50)
    for r in types.get("aws_cloudwatch_dashboard", []):
        try:
            body = json.loads(r.values.get("dashboard_body") or "{}")
        except ValueError:
            body = {}
        refs, logs = _metric_refs_of_dashboard(body)
        dash_refs += refs
        for ref in refs:
            if "JobName" in ref["dimensions"] and "Stage" in ref["dimensions"]:
                stages_by_name[ref["dimensions"]["JobName"]].add(ref["dimensions"]["Stage"])
        span = _duration_days(body.get("start"))
        log_widgets += [(w, span) for w in logs]
        eligible = len(refs) <= max_free
        facts["dashboards"].append({"name": r.values.get("dashboard_name") or r.key, "metrics": len(refs),
                                    "log_widgets": len(logs), "eligible_for_free_tier": eligible})
    for eligible in (True, False):
        group = [d for d in facts["dashboards"] if d["eligible_for_free_tier"] is eligible]
        if group:
            b.add("CloudWatch dashboards", "dashboards" if eligible else f"dashboards over {max_free} metrics", SHARED,
                  len(group), "dashboard-months", "cloudwatch.dashboard",
                  "plan: " + ", ".join(f"{d['metrics']} metrics" for d in group)
                  + ("" if eligible else f" (the free ones take up to {max_free})"), len(group),
                  pool="cloudwatch.dashboards" if eligible else None)
    if dash_refs and a.dashboard_views_per_day:
        b.add("CloudWatch API", "GetMetricData of dashboard views", SHARED,
              len(dash_refs) * a.dashboard_views_per_day * days, "metrics requested", "cloudwatch.get_metric_data",
              f"plan: {len(dash_refs)} dashboard metrics x assumption {a.dashboard_views_per_day:g} views/day "
              "(--dashboard-views)")

    # ---- custom metric streams -------------------------------------------------------------------------------
    handled.add("aws_cloudwatch_log_metric_filter")
    contract = contract_mod.contract_metrics(contract_path)
    job_metrics = [m for m in contract if m not in contract_mod.STAGE_METRICS]
    stage_metrics = [m for m in contract if m in contract_mod.STAGE_METRICS]
    plan_env = environment_name(doc, res)
    namespace = f"Glue/ETL/{plan_env if plan_env != 'default' else env}"
    facts["plan_environment"] = plan_env

    def active_hours(job: str | None) -> float:
        if a.metrics_full_month:
            return hours
        if job is None:
            return hours
        return min(hours, runs_month[job] * a.metric_hours_per_run)

    modeled: set[tuple] = set()
    facts["streams"] = {}
    for job in jobs:
        name = names[job]
        stages = sorted(stages_by_name.get(name, ())) or [f"stage{i + 1}" for i in range(a.stages)]
        base = {"JobName": name, "Environment": namespace.rsplit("/", 1)[-1]}
        keys = [(namespace, m, frozenset(base.items())) for m in job_metrics]
        keys += [(namespace, m, frozenset({**base, "Stage": s}.items())) for m in stage_metrics for s in stages]
        modeled |= set(keys)
        facts["streams"][job] = {"count": len(keys), "stages": len(stages), "keys": keys}
        h = active_hours(job)
        b.add("CloudWatch metrics", "custom metric streams of the contract", job, len(keys) * h / hours,
              "metric-months", "cloudwatch.custom_metric",
              f"docs/metrics.md: {len(job_metrics)} metrics + {len(stage_metrics)} per stage x "
              f"{len(stages)} stages = {len(keys)} streams a job, each sent {h:.1f} h of {hours:g} "
              f"(assumptions {a.runs_per_day:g} runs/day x {a.metric_hours_per_run:g} h a run; "
              "billed by the hour)" if not a.metrics_full_month else
              f"docs/metrics.md: {len(keys)} streams a job, each billed the whole month (--metrics-full-month)",
              pool="cloudwatch.metrics")
    # streams the plan reads or writes beyond the contract's dimension sets
    referenced: list[tuple[tuple, str]] = []
    for r in types.get("aws_cloudwatch_metric_alarm", []):
        for m in alarm_metrics(r):
            if m["namespace"] == namespace:
                referenced.append(((namespace, m["metric_name"], frozenset((m["dimensions"] or {}).items())),
                                   own(r)))
    for ref in dash_refs:
        if ref["namespace"] == namespace:
            job = by_glue.get(ref["dimensions"].get("JobName"), SHARED)
            referenced.append(((namespace, ref["metric_name"], frozenset(ref["dimensions"].items())), job))
    for r in types.get("aws_cloudwatch_log_metric_filter", []):
        for t in r.values.get("metric_transformation") or []:
            dims = t.get("dimensions") or {}
            if t.get("namespace") == namespace and set(dims) == {"JobName", "Environment"} and \
                    t.get("name") in job_metrics:
                continue  # one stream per job, in the contract's count
            if any(str(v).startswith("$.") for v in dims.values()):
                for job in jobs:  # one stream per job the log carries
                    concrete = {k: (names[job] if v == "$.job_name" else
                                    namespace.rsplit("/", 1)[-1] if v == "$.environment" else v)
                                for k, v in dims.items()}
                    referenced.append(((t.get("namespace"), t.get("name"), frozenset(concrete.items())), job))
            else:
                referenced.append(((t.get("namespace"), t.get("name"), frozenset(dims.items())), SHARED))
    extra: dict[tuple, str] = {}
    for key, owner in referenced:
        if key not in modeled:
            extra.setdefault(key, owner)
    facts["extra_streams"] = [{"namespace": k[0], "metric": k[1], "dimensions": dict(k[2]), "owner": o}
                              for k, o in extra.items()]
    per_owner: dict[str, int] = defaultdict(int)
    for _key, owner in extra.items():
        per_owner[owner] += 1
    for owner, count in sorted(per_owner.items()):
        h = active_hours(owner if owner in jobs else None)
        b.add("CloudWatch metrics", "metric streams outside the contract's dimension sets", owner,
              count * h / hours, "metric-months", "cloudwatch.custom_metric",
              "plan: metrics alarms, dashboards or metric filters name with other dimensions than "
              "docs/metrics.md; each a stream of its own", count, pool="cloudwatch.metrics")
    # streams nobody reads: in no alarm and on no dashboard
    alarm_or_dash = set()
    for r in types.get("aws_cloudwatch_metric_alarm", []):
        for m in alarm_metrics(r):
            if m["namespace"] == namespace:
                alarm_or_dash.add((m["metric_name"], frozenset((m["dimensions"] or {}).items())))
    for ref in dash_refs:
        if ref["namespace"] == namespace:
            alarm_or_dash.add((ref["metric_name"], frozenset(ref["dimensions"].items())))
    facts["unread_streams"] = {job: sorted({k[1] for k in facts["streams"][job]["keys"]
                                            if (k[1], k[2]) not in alarm_or_dash}) for job in jobs}
    facts["unread_stream_count"] = {job: sum(1 for k in facts["streams"][job]["keys"]
                                             if (k[1], k[2]) not in alarm_or_dash) for job in jobs}

    # ---- Lambda invocations (needed by metrics, logs, traces, S3) ------------------------------------------
    handled |= {"aws_lambda_function", "aws_cloudwatch_event_rule", "aws_sns_topic_subscription"}
    fails = sum(a.failures_per_month for _ in jobs)
    notifications = fails * a.notifications_per_failure + a.unhealthy_days_per_month
    functions = []
    for fn in types.get("aws_lambda_function", []):
        path = fn.module_path
        invocations, why = 0.0, []
        for rule in types.get("aws_cloudwatch_event_rule", []):
            if rule.module_path != path:
                continue
            if rule.values.get("schedule_expression"):
                n = fires_per_month(rule.values["schedule_expression"], days)
                if n is None:
                    est.not_priced.append({"type": "aws_cloudwatch_event_rule", "count": 1,
                                           "addresses": [rule.address], "why": "schedule not understood"})
                    continue
                invocations += n
                why.append(f"{rule.values['schedule_expression']} = {n:.1f}/month")
            elif rule.values.get("event_pattern"):
                pattern = json.loads(rule.values["event_pattern"])
                if "aws.glue" in pattern.get("source", []):
                    matched = pattern.get("detail", {}).get("jobName")
                    n_jobs = len([j for j in jobs if names[j] in matched]) if matched else len(jobs)
                    invocations += n_jobs * a.failures_per_month
                    why.append(f"Glue failures: {n_jobs} jobs x {a.failures_per_month:g}/month (--failures-per-month)")
        subs = [s for s in types.get("aws_sns_topic_subscription", [])
                if s.module_path == path and s.values.get("protocol") == "lambda"]
        if subs:
            invocations += notifications
            why.append(f"alarm notifications: {fails:g} failures x {a.notifications_per_failure:g} "
                       f"(--notifications-per-failure) + {a.unhealthy_days_per_month:g} health alerts")
        handler = fn.values.get("handler") or ""
        package = handler.split(".")[1] if handler.count(".") >= 2 else (fn.values.get("function_name") or "")
        functions.append({"res": fn, "invocations": invocations, "why": "; ".join(why) or "no trigger in the plan",
                          "package": package, "memory": float(fn.values.get("memory_size") or 128),
                          "arm": "arm64" in (fn.values.get("architectures") or []),
                          "tracing": (first(fn.values.get("tracing_config"), {}) or {}).get("mode") == "Active",
                          "name": fn.values.get("function_name") or fn.address})
    facts["lambdas"] = [{k: v for k, v in f.items() if k != "res"} for f in functions]
    total_inv = sum(f["invocations"] for f in functions)
    # Powertools (EMF) metrics of the operations Lambdas
    for f in functions:
        names_emf = contract_mod.lambda_metrics(f["res"].values.get("handler") or "", contract=contract_path)
        if not names_emf:
            continue
        h = hours if a.metrics_full_month else min(hours, f["invocations"] * a.metric_hours_per_run)
        b.add("CloudWatch metrics", f"Powertools metrics of {f['package']}", SHARED, len(names_emf) * h / hours,
              "metric-months", "cloudwatch.custom_metric",
              f"lambda_src/{f['package']}: {len(names_emf)} metrics ({contract_mod.operations_namespace()}, "
              f"dimensions service, Environment), sent in {h:.1f} h of {hours:g} ({f['why']})",
              len(names_emf), pool="cloudwatch.metrics")
    # PutMetricData of the runs
    for job in jobs:
        b.add("CloudWatch API", "PutMetricData of the runs", job, runs_month[job], "requests",
              "cloudwatch.api_request", "framework: one batched call a run x runs (--runs-per-day)")

    # ---- logs ------------------------------------------------------------------------------------------------
    handled.add("aws_cloudwatch_log_group")
    glue_groups = [g for g in types.get("aws_cloudwatch_log_group", []) if (g.values.get("name") or "")
                   .startswith("/aws-glue/")]
    lambda_groups = {g.values.get("name"): g for g in types.get("aws_cloudwatch_log_group", [])
                     if (g.values.get("name") or "").startswith("/aws/lambda/")}
    others = [g for g in types.get("aws_cloudwatch_log_group", []) if g not in glue_groups
              and g not in lambda_groups.values()]
    if others:
        est.not_priced.append({"type": "aws_cloudwatch_log_group", "count": len(others),
                               "addresses": [g.address for g in others],
                               "why": "no volume assumption for log groups that are neither Glue's nor a Lambda's"})

    def retention_months(groups: list[Res]) -> tuple[float, str]:
        kept = [int(g.values.get("retention_in_days") or 0) for g in groups]
        if not kept or any(k == 0 for k in kept):
            return a.horizon_months, f"never expire: {a.horizon_months:g} months priced (--horizon-months)"
        return max(kept) / days, f"plan: retention {max(kept)} days"

    def ia(groups: list[Res]) -> bool:
        return any((g.values.get("log_group_class") or "").upper() == "INFREQUENT_ACCESS" for g in groups)

    facts["glue_log_groups"] = [g.values.get("name") for g in glue_groups]
    if glue_groups:
        months, why = retention_months(glue_groups)
        key = "cloudwatch.logs_ingestion_infrequent_access" if ia(glue_groups) else "cloudwatch.logs_ingestion"
        for job in jobs:
            gb = runs_month[job] * a.log_mb_per_run * MB / GB
            b.add("CloudWatch Logs", "Glue job logs: ingestion", job, gb, "GB", key,
                  f"assumption: {a.log_mb_per_run:g} MB a run (--log-mb-per-run) x runs; plan: "
                  f"{len(glue_groups)} Glue log groups", len(glue_groups))
            b.add("CloudWatch Logs", "Glue job logs: storage", job, gb * months * a.log_compression, "GB-months",
                  "cloudwatch.logs_storage", f"the month's ingestion x {why} x compression "
                  f"{a.log_compression:g} (--log-compression)")
    if lambda_groups:
        months, why = retention_months(list(lambda_groups.values()))
        gb = total_inv * a.lambda_log_kb * 1024 / GB
        b.add("CloudWatch Logs", "Lambda logs: ingestion", SHARED, gb, "GB", "cloudwatch.logs_ingestion",
              f"assumption: {a.lambda_log_kb:g} KB an invocation (--lambda-log-kb) x {total_inv:.1f} invocations",
              len(lambda_groups))
        b.add("CloudWatch Logs", "Lambda logs: storage", SHARED, gb * months * a.log_compression, "GB-months",
              "cloudwatch.logs_storage", f"the month's ingestion x {why}")
    n_filters = len(types.get("aws_cloudwatch_log_metric_filter", []))
    if n_filters:
        b.add("CloudWatch Logs", "metric filters (their metrics are counted above)", SHARED, n_filters, "filters",
              "cloudwatch.metric_filter", "plan", n_filters)
    if log_widgets and a.dashboard_views_per_day:
        daily = {}
        for g in glue_groups:
            daily[g.values.get("name")] = sum(a.runs(j) * a.log_mb_per_run * MB for j in jobs) / GB
        for name_ in lambda_groups:
            fn = next((f for f in functions if f"/aws/lambda/{f['name']}" == name_), None)
            daily[name_] = (fn["invocations"] / days if fn else 0.0) * a.lambda_log_kb * 1024 / GB
        scanned = 0.0
        for w, span in log_widgets:
            groups = re.findall(r"SOURCE\s+'([^']+)'", w.get("query") or "")
            scanned += sum(daily.get(gname, 0.0) for gname in groups) * span
        b.add("CloudWatch Logs", "Logs Insights scans of dashboard log widgets", SHARED,
              scanned * a.dashboard_views_per_day * days, "GB scanned", "cloudwatch.logs_insights",
              f"plan: {len(log_widgets)} log widgets over their dashboard's range x the groups' daily volume x "
              f"{a.dashboard_views_per_day:g} views/day (--dashboard-views)", len(log_widgets))

    # ---- KMS -------------------------------------------------------------------------------------------------
    handled.add("aws_kms_key")
    keys = types.get("aws_kms_key", [])
    facts["kms_keys"] = [{"address": k.address, "description": k.values.get("description"),
                          "rotation": bool(k.values.get("enable_key_rotation"))} for k in keys]
    if keys:
        b.add("KMS", "customer managed keys", SHARED, len(keys), "key-months", "kms.key", "plan", len(keys))
        rotating = sum(1 for k in keys if k.values.get("enable_key_rotation"))
        rot = min(a.kms_rotations, int(prices.entry("kms.key_rotation").get("max_rotations_billed", 2)))
        if rotating:
            b.add("KMS", "rotated key material", SHARED, rotating * rot, "backing key-months", "kms.key_rotation",
                  f"plan: {rotating} keys rotate yearly x assumption {a.kms_rotations} rotations so far "
                  "(--kms-rotations; the first two are billed)", rotating)
        for job in jobs:
            b.add("KMS", "requests of the runs", job, runs_month[job] * a.kms_requests_per_run, "requests",
                  "kms.request", f"assumption: {a.kms_requests_per_run:g} a run (--kms-requests-per-run)")
        b.add("KMS", "requests of the Lambdas", SHARED, total_inv * a.kms_requests_per_invocation, "requests",
              "kms.request", f"assumption: {a.kms_requests_per_invocation:g} an invocation "
              "(--kms-requests-per-invocation)")

    # ---- Lambda ----------------------------------------------------------------------------------------------
    for f in functions:
        gbs = f["invocations"] * a.seconds(f["package"]) * f["memory"] / 1024
        b.add("Lambda", f"{f['package']}: invocations", SHARED, f["invocations"], "invocations", "lambda.request",
              f"plan: {f['why']}", 1)
        b.add("Lambda", f"{f['package']}: compute", SHARED, gbs, "GB-seconds",
              "lambda.gb_second_arm64" if f["arm"] else "lambda.gb_second",
              f"plan: {f['memory']:g} MB x assumption {a.seconds(f['package']):g} s an invocation "
              "(--lambda-seconds)")

    # ---- X-Ray -----------------------------------------------------------------------------------------------
    handled |= {"aws_xray_group", "aws_xray_sampling_rule", "aws_xray_encryption_config"}
    for job in jobs:
        n = runs_month[job] * a.traces_per_run
        b.add("X-Ray", "traces recorded (job runs)", job, n, "traces", "xray.trace_recorded",
              f"assumption: {a.traces_per_run:g} trace a run (--traces-per-run) x runs")
        b.add("X-Ray", "traces retrieved or scanned", job, n * a.trace_reads, "traces", "xray.trace_retrieved",
              f"assumption: each trace read {a.trace_reads:g} times (--trace-reads)")
    traced = sum(f["invocations"] for f in functions if f["tracing"])
    if traced:
        b.add("X-Ray", "traces recorded (Lambdas, active tracing)", SHARED, traced, "traces", "xray.trace_recorded",
              "plan: tracing Active; the sampling reservoir (1 a second) records every one at this rate")
        b.add("X-Ray", "traces retrieved or scanned", SHARED, traced * a.trace_reads, "traces",
              "xray.trace_retrieved", f"assumption: each trace read {a.trace_reads:g} times (--trace-reads)")
    insights = [g for g in types.get("aws_xray_group", [])
                if (first(g.values.get("insights_configuration"), {}) or {}).get("insights_enabled")]
    for g in insights:
        expr = g.values.get("filter_expression") or ""
        for job in jobs:
            if not expr or names[job] in expr or job in expr:
                b.add("X-Ray", "traces processed by Insights", job, runs_month[job] * a.traces_per_run, "traces",
                      "xray.insights_trace", f"plan: group {g.values.get('group_name')} has Insights on and "
                      "matches the job's traces", 1)
    free_xray = sum(len(types.get(t, [])) for t in ("aws_xray_group", "aws_xray_sampling_rule",
                                                     "aws_xray_encryption_config"))
    if free_xray:
        b.add("X-Ray", "groups, sampling rules, encryption (free)", SHARED, free_xray, "resources",
              "xray.group_or_sampling_rule", "plan; X-Ray bills traces only", free_xray)

    # ---- S3, Athena, Glue Data Catalog -------------------------------------------------------------------------
    handled |= {"aws_s3_bucket", "aws_glue_catalog_database", "aws_glue_catalog_table", "aws_budgets_budget",
                "aws_budgets_budget_action", "aws_ce_anomaly_monitor", "aws_ce_anomaly_subscription",
                "aws_sns_topic", "aws_sqs_queue"}
    rules = [r for lc in types.get("aws_s3_bucket_lifecycle_configuration", []) for r in lc.values.get("rule") or []]

    def expiry(prefix: str) -> tuple[float, str]:
        for rule in rules:
            flt = first(rule.get("filter"), {}) or {}
            pre = flt.get("prefix") if flt.get("prefix") is not None else rule.get("prefix") or ""
            exp = first(rule.get("expiration"), {}) or {}
            if pre and prefix.startswith(pre) and exp.get("days") and rule.get("status", "Enabled") == "Enabled":
                return exp["days"] / days, f"plan: lifecycle '{rule.get('id')}' expires {pre} after {exp['days']} days"
        return a.horizon_months, f"no lifecycle rule expires {prefix}: {a.horizon_months:g} months of growth " \
                                 "(--horizon-months)"

    weekly = [f for f in functions if f["package"] == "weekly_report"]
    remediation = [f for f in functions if f["package"] == "remediation"]
    workgroups = types.get("aws_athena_workgroup", [])
    queries = types.get("aws_athena_named_query", [])
    cutoff = None
    if workgroups:
        cutoff = (first(workgroups[0].values.get("configuration"), {}) or {}).get("bytes_scanned_cutoff_per_query")
    events_total = sum(contract_mod.AUDIT_EVENTS_PER_RUN.values())
    if types.get("aws_s3_bucket"):
        months, why = expiry("audit/")
        for job in jobs:
            gb = runs_month[job] * a.audit_kb_per_run * 1024 / GB
            b.add("S3", "audit trail storage (at full retention)", job, gb * months, "GB-months",
                  "s3.storage_standard", f"assumption: {a.audit_kb_per_run:g} KB a run (--audit-kb-per-run) x "
                  f"runs x {why}")
            b.add("S3", "PUT requests (audit events)", job, runs_month[job] * events_total, "requests",
                  "s3.put_request", f"docs/metrics.md: {events_total} objects a run (one per event) x runs")
        for f in weekly:
            m_, w_ = expiry("reports/")
            b.add("S3", "weekly reports storage", SHARED, f["invocations"] * a.report_kb * 1024 / GB * m_,
                  "GB-months", "s3.storage_standard", f"assumption: {a.report_kb:g} KB a report (--report-kb) x "
                  f"{f['invocations']:.2f} reports/month x {w_}")
            b.add("S3", "PUT requests (weekly reports)", SHARED, f["invocations"] * 2, "requests", "s3.put_request",
                  "lambda_src/weekly_report: an HTML and a JSON object a report")
            for job in jobs:
                objects = a.runs(job) * 7 * events_total
                b.add("S3", "GET requests (weekly report reads the audit trail)", job, f["invocations"] * objects,
                      "requests", "s3.get_request", "lambda_src/common/audit.py: every audit object of the 7 days "
                      "(runs x 7 x objects a run) a report")
            b.add("S3", "LIST requests (weekly report)", SHARED,
                  f["invocations"] * 8 * len(contract_mod.AUDIT_EVENTS_PER_RUN), "requests", "s3.put_request",
                  "lambda_src/common/audit.py: one list per day prefix (8) per table a report")
        if remediation:
            b.add("S3", "claims of the remediation Lambda (PUT, GET)", SHARED, 2 * len(jobs) * a.failures_per_month,
                  "requests", "s3.put_request", "lambda_src/common/claims.py: a claim per failed run "
                  "(--failures-per-month)")
    facts["athena"] = []
    athena_tb: dict[str, float] = defaultdict(float)
    for q in queries:
        text = q.values.get("query") or ""
        table = next((t for t in contract_mod.AUDIT_EVENTS_PER_RUN if re.search(rf"\bFROM\s+{t}\b", text, re.I)),
                     None)
        span = _interval_days(text)
        share = contract_mod.AUDIT_EVENTS_PER_RUN.get(table, events_total) / events_total
        per_job = {j: a.runs(j) * span * a.audit_kb_per_run * 1024 * share for j in jobs}
        scanned = sum(per_job.values())
        minimum = prices.entry("athena.tb_scanned").get("min_bytes_per_query", 10 * MB)
        billed = max(scanned, minimum)
        if cutoff:
            billed = min(billed, float(cutoff))
        facts["athena"].append({"name": q.values.get("name"), "table": table, "days": span, "scanned": scanned,
                                "billed_bytes": billed, "cutoff": cutoff})
        n = len(jobs) or 1
        for job in jobs or [SHARED]:
            part = (per_job.get(job, 0) / scanned) if scanned else 1 / n
            athena_tb[job] += a.athena_runs_per_month * billed * part / TB
    for job, tb in athena_tb.items():
        b.add("Athena", "saved queries: data scanned", job, tb, "TB", "athena.tb_scanned",
              "plan: " + ", ".join(f"{fa['name']} reads {fa['days']:g} days" for fa in facts["athena"])
              + f" of its table (10 MB minimum, cutoff {cutoff or 'none'} bytes) x assumption "
              f"{a.athena_runs_per_month:g} runs of each a month (--athena-runs)", len(queries))
    if queries:
        m_, w_ = expiry("athena-results/")
        runs_q = len(queries) * a.athena_runs_per_month
        b.add("S3", "Athena results storage", SHARED, runs_q * a.athena_result_kb * 1024 / GB * m_, "GB-months",
              "s3.storage_standard", f"assumption: {a.athena_result_kb:g} KB a query (--athena-result-kb); {w_}")
        b.add("S3", "PUT requests (Athena results)", SHARED, runs_q * 2, "requests", "s3.put_request",
              "a result and its metadata a query")
        for job in jobs:
            objs = sum(a.runs(job) * fa["days"] * contract_mod.AUDIT_EVENTS_PER_RUN.get(fa["table"], events_total)
                       for fa in facts["athena"]) * a.athena_runs_per_month
            b.add("S3", "GET requests (Athena reads the audit trail)", job, objs, "requests", "s3.get_request",
                  "every object of the days a saved query reads, per run of it")
    catalog = len(types.get("aws_glue_catalog_database", [])) + len(types.get("aws_glue_catalog_table", []))
    if catalog:
        b.add("Glue Data Catalog", "objects (databases, tables; partitions projected)", SHARED, catalog, "objects",
              "glue.catalog_object", "plan", catalog)
        b.add("Glue Data Catalog", "requests (Athena planning)", SHARED, len(queries) * a.athena_runs_per_month * 3,
              "requests", "glue.catalog_request", "about 3 a query (GetDatabase, GetTable, GetPartitions) x runs")

    # ---- SNS, SQS, EventBridge, Budgets, Cost Anomaly Detection ----------------------------------------------------
    topics = types.get("aws_sns_topic", [])
    if topics:
        weekly_pub = sum(f["invocations"] for f in weekly)
        for job in jobs:
            b.add("SNS", "publishes (alarm and rule notifications)", job,
                  a.failures_per_month * a.notifications_per_failure, "publishes", "sns.publish",
                  f"assumptions: {a.failures_per_month:g} failures x {a.notifications_per_failure:g} notifications")
        # job_monitoring's job-succeeded rule sends each completed run's sentence to the info topic (notify_success)
        succeeded = {own(r) for r in types.get("aws_cloudwatch_event_rule", [])
                     if (r.key or "").endswith("/job-succeeded")}
        for job in jobs:
            if job in succeeded:
                b.add("SNS", "publishes (completed-run sentences)", job,
                      max(0.0, runs_month[job] - a.failures_per_month), "publishes", "sns.publish",
                      "plan: the job-succeeded rule (notify_success) sends every completed run to the info topic: runs "
                      "less failures", 1)
        b.add("SNS", "publishes (weekly report, health alerts)", SHARED, weekly_pub + a.unhealthy_days_per_month,
              "publishes", "sns.publish", f"plan: weekly schedule; assumption {a.unhealthy_days_per_month:g} "
              "unhealthy days (--unhealthy-days)", len(topics))
        pubs = fails * a.notifications_per_failure + weekly_pub + a.unhealthy_days_per_month
        protocols: dict[str, int] = defaultdict(int)
        for s in types.get("aws_sns_topic_subscription", []):
            protocols[s.values.get("protocol") or "?"] += 1
        for proto, count in sorted(protocols.items()):
            key = {"lambda": "sns.delivery_lambda_sqs", "sqs": "sns.delivery_lambda_sqs",
                   "https": "sns.delivery_https", "http": "sns.delivery_https", "email": "sns.delivery_email",
                   "email-json": "sns.delivery_email"}.get(proto)
            if key is None:
                est.not_priced.append({"type": "aws_sns_topic_subscription", "count": count, "addresses": [],
                                       "why": f"protocol {proto} not priced"})
                continue
            b.add("SNS", f"deliveries to {proto} subscriptions", SHARED, count * pubs, "deliveries", key,
                  f"plan: {count} subscriptions, each counted for every publish (upper bound)", count)
    queues = types.get("aws_sqs_queue", [])
    if queues:
        for job in jobs:
            b.add("SQS", "requests (rejected records to the dead-letter queue)", job,
                  runs_month[job] * math.ceil(a.dlq_messages_per_run / 10), "requests", "sqs.request",
                  f"assumption: {a.dlq_messages_per_run:g} records a run (--dlq-messages-per-run), 10 a batch")
        health = sum(f["invocations"] for f in functions if f["package"] == "health_check")
        b.add("SQS", "requests (health check reads the queue depth)", SHARED, health * 2, "requests", "sqs.request",
              f"plan: {len(queues)} queues; GetQueueUrl and GetQueueAttributes a health check", len(queues))
    event_rules = types.get("aws_cloudwatch_event_rule", [])
    if event_rules:
        b.add("EventBridge", "rules on AWS service events and schedules", SHARED, len(event_rules), "rules",
              "events.aws_service_event", "plan: default bus, AWS events and schedules are free", len(event_rules))
    custom_bus = [r for r in event_rules if (r.values.get("event_bus_name") or "default") != "default"]
    if custom_bus or a.custom_events_per_month:
        b.add("EventBridge", "custom events", SHARED, a.custom_events_per_month, "events", "events.custom_event",
              f"assumption: {a.custom_events_per_month:g} a month (--custom-events); plan: {len(custom_bus)} rules on "
              "other buses")
    budgets = types.get("aws_budgets_budget", [])
    acted = {r.values.get("budget_name") for r in types.get("aws_budgets_budget_action", [])}
    for action in (False, True):
        group = [bud for bud in budgets if (bud.values.get("name") in acted) is action]
        if group:
            b.add("Budgets", "action-enabled budgets" if action else "budgets without actions", SHARED,
                  len(group) * days, "budget-days",
                  "budgets.action_enabled_budget_day" if action else "budgets.budget_day",
                  f"plan: {len(group)} budgets, billed by the day", len(group))
    ce = len(types.get("aws_ce_anomaly_monitor", [])) + len(types.get("aws_ce_anomaly_subscription", []))
    if ce:
        b.add("Cost Anomaly Detection", "monitors and subscriptions", SHARED, ce, "resources", "ce.anomaly_detection",
              "plan", ce)

    # ---- the rest: no charge, outside the monitoring, or unknown ----------------------------------------------------
    free = defaultdict(int)
    for t, rs in sorted(types.items()):
        if t in handled:
            continue
        if t in NO_CHARGE:
            free[NO_CHARGE[t]] += len(rs)
        elif t in OUTSIDE:
            est.not_priced.append({"type": t, "count": len(rs), "addresses": [r.address for r in rs],
                                   "why": OUTSIDE[t]})
        else:
            est.not_priced.append({"type": t, "count": len(rs), "addresses": [r.address for r in rs],
                                   "why": "unknown resource type: no price in tools/cost"})
    if free:
        n = sum(free.values())
        b.add("no charge", "configuration without a price of its own", SHARED, n, "resources", None,
              "plan: " + ", ".join(f"{v} {k}" for k, v in sorted(free.items())), n)
    est.lines = [line for line in b.lines]
    facts["n_jobs"] = len(jobs)
    return est


def copy_lines(lines: list[Line]) -> list[Line]:
    return [replace(line) for line in lines]
