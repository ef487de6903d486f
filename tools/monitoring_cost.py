"""Monthly CloudWatch cost of the monitoring, per environment, per job and in total, from Terraform plans.

    terraform show -json tfplan > plan-dev.json          # one plan (or state) per environment
    python -m tools.monitoring_cost --env dev=plan-dev.json --env prod=plan-prod.json
    python -m tools.monitoring_cost plan.json            # the environment is read from Glue/ETL/<env>
    python -m tools.monitoring_cost plan.json --json     # machine-readable

What is counted (prices: tools/prices.json, us-east-1, dated, with their source):
  - alarms: standard and high-resolution (period < 60 s) alarm metrics, metric-math alarms per metric they
    query, anomaly-detection alarms as 3 alarm metrics, composite alarms;
  - custom metric streams: every metric of the contract (docs/metrics.md) x every monitored job (the stage
    metrics x the job's stages, read from its dashboard, else --stages), plus metric filters writing metrics
    outside the contract (one stream each);
  - dashboards, beyond the free ones (3 per account, up to 50 metrics each);
  - metric filters and AWS service events on the default bus: free, listed for completeness.
A job's share: its alarms, its metric streams (at the account's average metric price) and an equal part of
the paid dashboards. The free tier (10 metrics, 10 standard alarm metrics, 3 dashboards) is applied per
environment (one account each) unless --no-free-tier. Not estimated: Logs Insights scans of the log widgets,
API calls (GetMetricData of dashboards in use, PutMetricData), log ingestion and storage, SNS deliveries.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRICES = Path(__file__).with_name("prices.json")
CONTRACT = ROOT / "docs" / "metrics.md"
STAGE_METRICS = {"StageDurationSeconds", "StageThroughput"}
SHARED = "(shared)"


# ---- reading plans ---------------------------------------------------------------------------------------

@dataclass
class Res:
    address: str
    type: str
    values: dict


def _walk(module: dict):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


def planned_resources(doc: dict) -> list[Res]:
    """Resources a plan creates or keeps (or a `terraform show -json` state holds)."""
    if "resource_changes" in doc:
        return [Res(rc["address"], rc["type"], rc["change"].get("after") or {}) for rc in doc["resource_changes"]
                if rc.get("mode") == "managed" and rc["change"]["actions"] != ["delete"]]
    if "values" in doc:
        return [Res(r["address"], r["type"], r.get("values") or {})
                for r in _walk(doc["values"].get("root_module", {})) if r.get("mode", "managed") == "managed"]
    raise ValueError("not a plan or state from `terraform show -json`")


def contract_metrics(path: Path = CONTRACT) -> list[str]:
    """Metric names of the custom-metrics table of docs/metrics.md."""
    text = path.read_text()
    section = text.split("## Custom metrics", 1)[-1].split("\n## ", 1)[0]
    return re.findall(r"^\|\s*`([A-Za-z]+)`\s*\|", section, re.M)


def _index_key(address: str) -> str | None:
    m = re.search(r'\["([^"]+)"\]$', address)
    return m.group(1) if m else None


def job_of(res: Res) -> str:
    """The job an alarm or rule of modules/job_monitoring belongs to (by its for_each key), else shared."""
    key = _index_key(res.address)
    if key is None:
        return SHARED
    if res.type == "aws_cloudwatch_metric_alarm" and ".aws_cloudwatch_metric_alarm.this[" in res.address and "/" in key:
        return key.split("/", 1)[0]
    if res.type == "aws_cloudwatch_composite_alarm" and (".health[" in res.address or ".slo[" in res.address):
        return key.split("/", 1)[0]
    if res.type == "aws_cloudwatch_event_rule" and ".job_state[" in res.address:
        return key
    return SHARED


# ---- pricing -------------------------------------------------------------------------------------------------

@dataclass
class AlarmCost:
    kind: str  # standard, high-resolution, math, anomaly, composite
    alarm_metrics: int
    high_resolution: bool
    monthly: float


def alarm_cost(res: Res, prices: dict) -> AlarmCost:
    p = prices["alarms"]
    v = res.values
    if res.type == "aws_cloudwatch_composite_alarm":
        return AlarmCost("composite", 0, False, p["composite_per_alarm"])
    queries = v.get("metric_query") or []
    if queries:
        periods = [m.get("period") or 60 for q in queries for m in (q.get("metric") or [])]
        high = any(per < 60 for per in periods)
        rate = p["high_resolution_per_alarm_metric"] if high else p["standard_resolution_per_alarm_metric"]
        if any("ANOMALY_DETECTION_BAND" in (q.get("expression") or "") for q in queries):
            n = p["anomaly_detection_alarm_metrics"]
            return AlarmCost("anomaly", n, high, n * rate)
        n = max(1, sum(1 for q in queries if q.get("metric")))
        return AlarmCost("math", n, high, n * rate)
    high = (v.get("period") or 60) < 60
    rate = p["high_resolution_per_alarm_metric"] if high else p["standard_resolution_per_alarm_metric"]
    return AlarmCost("high-resolution" if high else "standard", 1, high, rate)


def tiered_metric_cost(n: int, prices: dict) -> float:
    total, lower = 0.0, 0
    for tier in prices["custom_metrics"]["tiers"]:
        upper = tier["up_to"] if tier["up_to"] is not None else float("inf")
        if n <= lower:
            break
        total += (min(n, upper) - lower) * tier["price"]
        lower = upper
    return total


# ---- one environment -----------------------------------------------------------------------------------------

@dataclass
class EnvCost:
    env: str
    lines: list[dict] = field(default_factory=list)  # item, count, unit, monthly
    jobs: dict[str, dict] = field(default_factory=dict)  # job -> {alarms, metrics, dashboards, total}
    total: float = 0.0


def dashboard_info(res: Res) -> tuple[int, set[str], dict[str, set[str]]]:
    """Metrics on a dashboard, the JobName values it shows, and the Stage values per JobName."""
    try:
        body = json.loads(res.values.get("dashboard_body") or "{}")
    except ValueError:
        return 0, set(), {}
    n, jobs, stages = 0, set(), defaultdict(set)
    for w in body.get("widgets", []):
        for entry in (w.get("properties") or {}).get("metrics") or []:
            n += 1
            parts = [p for p in entry if isinstance(p, str)] if isinstance(entry, list) else []
            dims = dict(zip(parts[2::2], parts[3::2], strict=False))
            if "JobName" in dims:
                jobs.add(dims["JobName"])
                if "Stage" in dims:
                    stages[dims["JobName"]].add(dims["Stage"])
    return n, jobs, stages


def environment_cost(env: str, doc: dict, prices: dict, contract: list[str], default_stages: int = 3,
                     free_tier: bool = True) -> EnvCost:
    out = EnvCost(env)
    res = planned_resources(doc)
    alarms = [r for r in res if r.type in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")]
    dashboards = [r for r in res if r.type == "aws_cloudwatch_dashboard"]
    filters = [r for r in res if r.type == "aws_cloudwatch_log_metric_filter"]
    rules = [r for r in res if r.type == "aws_cloudwatch_event_rule"]

    jobs: dict[str, dict] = defaultdict(lambda: {"alarms": 0.0, "alarm_count": 0, "metrics": 0.0, "streams": 0,
                                                  "dashboards": 0.0, "total": 0.0})
    by_kind: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])  # kind -> [alarms, alarm metrics, $]
    standard_metrics = 0
    for a in alarms:
        c = alarm_cost(a, prices)
        k = by_kind[c.kind]
        k[0], k[1], k[2] = k[0] + 1, k[1] + c.alarm_metrics, k[2] + c.monthly
        if not c.high_resolution and c.kind != "composite":
            standard_metrics += c.alarm_metrics
        j = jobs[job_of(a)]
        j["alarms"] += c.monthly
        j["alarm_count"] += 1
    for kind in ("standard", "high-resolution", "math", "anomaly", "composite"):
        if kind in by_kind:
            n, m, cost = by_kind[kind]
            unit = "alarm" if kind == "composite" else f"{m} alarm metrics"
            out.lines.append({"item": f"alarms: {kind}", "count": n, "unit": unit, "monthly": round(cost, 4)})
    if free_tier and standard_metrics:
        free = min(prices["free_tier"]["standard_alarm_metrics"], standard_metrics)
        out.lines.append({"item": "free tier: standard alarm metrics", "count": free, "unit": "alarm metrics",
                          "monthly": -round(free * prices["alarms"]["standard_resolution_per_alarm_metric"], 4)})

    # metric streams: the contract x the jobs, stages read from the dashboards
    stages_by_jobname: dict[str, set[str]] = defaultdict(set)
    for d in dashboards:
        for jobname, st in dashboard_info(d)[2].items():
            stages_by_jobname[jobname] |= st
    job_names = _job_names(res)
    job_metrics = [m for m in contract if m not in STAGE_METRICS]
    stage_metrics = [m for m in contract if m in STAGE_METRICS]
    streams_total = 0
    for job, jobname in job_names.items():
        n_stages = len(stages_by_jobname.get(jobname, ())) or default_stages
        n = len(job_metrics) + len(stage_metrics) * n_stages
        jobs[job]["streams"] = n
        streams_total += n
    extra_filters = [f for f in filters
                     if ((f.values.get("metric_transformation") or [{}])[0].get("name")) not in contract]
    streams_total += len(extra_filters)
    free_metrics = min(prices["free_tier"]["custom_metrics"], streams_total) if free_tier else 0
    metric_cost = tiered_metric_cost(streams_total - free_metrics, prices)
    avg = metric_cost / streams_total if streams_total else 0.0
    out.lines.append({"item": "custom metric streams (contract x jobs)", "count": streams_total - len(extra_filters),
                      "unit": f"{len(contract)} contract metrics, stages x{default_stages} unless on a dashboard",
                      "monthly": None})
    if extra_filters:
        out.lines.append({"item": "metric-filter metrics outside the contract", "count": len(extra_filters),
                          "unit": "streams", "monthly": None})
    out.lines.append({"item": "custom metrics (tiered" + (", 10 free" if free_tier else "") + ")",
                      "count": streams_total, "unit": "streams", "monthly": round(metric_cost, 4)})
    for job in job_names:
        jobs[job]["metrics"] = jobs[job]["streams"] * avg
    if extra_filters:
        jobs[SHARED]["metrics"] += len(extra_filters) * avg

    # dashboards beyond the free ones
    infos = [(d, dashboard_info(d)) for d in dashboards]
    free_left = prices["free_tier"]["dashboards"] if free_tier else 0
    paid = []
    for d, (n_metrics, shown, _st) in sorted(infos, key=lambda x: x[1][0]):
        if free_left and n_metrics <= prices["free_tier"]["dashboard_max_metrics"]:
            free_left -= 1
            continue
        paid.append((d, shown))
    dash_cost = len(paid) * prices["dashboards"]["per_dashboard"]
    out.lines.append({"item": "dashboards", "count": len(dashboards), "unit": f"{len(paid)} paid",
                      "monthly": round(dash_cost, 4)})
    by_name = {v: k for k, v in job_names.items()}
    for _d, shown in paid:
        owners = [by_name[n] for n in shown if n in by_name] or [SHARED]
        for job in owners:
            jobs[job]["dashboards"] += prices["dashboards"]["per_dashboard"] / len(owners)

    out.lines.append({"item": "metric filters", "count": len(filters), "unit": "free (their metrics are counted)",
                      "monthly": 0.0})
    out.lines.append({"item": "EventBridge rules (AWS service events)", "count": len(rules), "unit": "free",
                      "monthly": 0.0})

    out.total = round(sum(line["monthly"] or 0 for line in out.lines), 4)
    for j in jobs.values():
        j["total"] = j["alarms"] + j["metrics"] + j["dashboards"]
    if free_tier:  # the free alarm metrics lower the shared line, not a job's
        jobs[SHARED]["alarms"] -= min(prices["free_tier"]["standard_alarm_metrics"], standard_metrics) * \
            prices["alarms"]["standard_resolution_per_alarm_metric"]
        jobs[SHARED]["total"] = jobs[SHARED]["alarms"] + jobs[SHARED]["metrics"] + jobs[SHARED]["dashboards"]
    out.jobs = {k: {kk: round(vv, 4) for kk, vv in v.items()} for k, v in sorted(jobs.items())}
    return out


def _job_names(res: list[Res]) -> dict[str, str]:
    """Monitored jobs: for_each key -> Glue job name (the JobName dimension of its alarms)."""
    names: dict[str, str] = {}
    for r in res:
        if r.type != "aws_cloudwatch_metric_alarm":
            continue
        job = job_of(r)
        if job == SHARED:
            continue
        dims = r.values.get("dimensions") or {}
        for q in r.values.get("metric_query") or []:
            for m in q.get("metric") or []:
                dims = dims or m.get("dimensions") or {}
        if "JobName" in dims:
            names[job] = dims["JobName"]
        else:
            names.setdefault(job, job)
    return names


def guess_env(doc: dict) -> str:
    text = json.dumps(doc)
    envs = sorted(set(re.findall(r"Glue/ETL/([a-z][a-z0-9-]*)", text)))
    return envs[0] if len(envs) == 1 else "default"


# ---- report ----------------------------------------------------------------------------------------------------

def report(costs: list[EnvCost], prices: dict) -> str:
    lines = [f"CloudWatch monitoring cost per month, {prices['currency']}, {prices['region']} list prices of "
             f"{prices['as_of']} ({prices['source']})", ""]
    for c in costs:
        lines.append(f"== {c.env}")
        for line in c.lines:
            money = "" if line["monthly"] is None else f"{line['monthly']:>10.2f}"
            lines.append(f"  {line['item']:<48} {line['count']:>6}  {line['unit']:<46} {money}")
        lines.append(f"  {'total':<48} {'':>6}  {'':<46} {c.total:>10.2f}")
        lines.append(f"  per job: {'alarms':>6} {'$':>7} {'streams':>8} {'$':>7} {'dashboards $':>13} {'total $':>9}")
        for job, j in c.jobs.items():
            lines.append(f"  {job:<24} {j['alarm_count']:>6.0f} {j['alarms']:>7.2f} {j['streams']:>8.0f} "
                         f"{j['metrics']:>7.2f} {j['dashboards']:>13.2f} {j['total']:>9.2f}")
        lines.append("")
    lines.append(f"TOTAL all environments: {sum(c.total for c in costs):.2f} {prices['currency']} per month")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.monitoring_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plans", nargs="*", help="plan or state JSON files (environment read from the namespace)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=PLAN.json",
                        help="an environment and its plan JSON (repeatable)")
    parser.add_argument("--prices", default=str(PRICES), help="price table (default tools/prices.json)")
    parser.add_argument("--contract", default=str(CONTRACT), help="the metric contract (default docs/metrics.md)")
    parser.add_argument("--stages", type=int, default=3, help="stages per job when no dashboard shows them")
    parser.add_argument("--no-free-tier", action="store_true", help="do not subtract the free tier")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    prices = json.loads(Path(args.prices).read_text())
    contract = contract_metrics(Path(args.contract))
    inputs = [tuple(e.split("=", 1)) for e in args.env] + [(None, p) for p in args.plans]
    if not inputs:
        parser.error("give at least one plan (positional or --env name=plan.json)")
    costs = []
    for env, path in inputs:
        doc = json.loads(Path(path).read_text())
        costs.append(environment_cost(env or guess_env(doc), doc, prices, contract, args.stages,
                                      not args.no_free_tier))
    if args.json:
        print(json.dumps({"prices": {k: prices[k] for k in ("region", "currency", "as_of", "source")},
                          "environments": [c.__dict__ for c in costs],
                          "total": round(sum(c.total for c in costs), 4)}, indent=2))
    else:
        print(report(costs, prices))
    return 0


if __name__ == "__main__":
    sys.exit(main())
