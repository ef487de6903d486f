"""Where the bill could shrink: each change is a transformation of an environment's priced lines, priced
again with its account's free tier, so what it saves follows from tools/prices.json and the plan."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tools.cost.accounts import apply_free_tier
from tools.cost.assumptions import Assumptions
from tools.cost.estimate import EnvEstimate, Line, copy_lines
from tools.cost.plan import SHARED
from tools.cost.prices import Prices

SLO_WINDOW = re.compile(r"^(?P<job>[^/]+)/slo-burn-(?P<slo>success-rate|freshness)-(?P<w>\d+[hm])/")


@dataclass
class Change:
    key: str
    title: str
    coverage: str  # what coverage it gives up, or "none"
    module_change: str
    apply: Callable[[EnvEstimate, Assumptions, dict], list[Line] | None]  # new lines, or None: not applicable


def _take(lines: list[Line], service: str, item_start: str, owner: str | None, qty: float) -> float:
    """Remove up to `qty` units from the matching lines; returns what was removed."""
    removed = 0.0
    for line in lines:
        if line.service == service and line.item.startswith(item_start) and (owner is None or line.owner == owner):
            take = min(qty - removed, line.quantity)
            line.quantity -= take
            removed += take
        if removed >= qty:
            break
    return removed


def one_kms_key(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    keys = len(est.facts.get("kms_keys", []))
    if keys <= 1:
        return None
    lines = copy_lines(est.lines)
    _take(lines, "KMS", "customer managed keys", SHARED, keys - 1)
    rotating = sum(1 for k in est.facts["kms_keys"] if k["rotation"])
    for line in lines:
        if line.service == "KMS" and line.item.startswith("rotated key material") and rotating:
            line.quantity *= min(1, rotating) / rotating
    return lines


def slo_single_window(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    windows: dict[tuple, list[int]] = defaultdict(list)
    for alarm in est.facts.get("alarms", []):
        m = SLO_WINDOW.match(alarm["key"] or "")
        if m and a.runs(m["job"]) <= 4:
            windows[(m["job"], m["slo"])].append(alarm["alarm_metrics"])
    if not windows:
        return None
    lines = copy_lines(est.lines)
    for (job, _slo), metrics in windows.items():
        # the windows' alarm metrics go, one alarm on the same metrics (one window, a day or the run interval) stays
        _take(lines, "CloudWatch alarms", "metric-math alarms", job, sum(metrics) - max(metrics))
    # the composite of each objective stays: it alone can wait for job-failure or data-freshness
    # (actions_suppressor), so the incident they announced does not notify again (one notification per incident)
    return lines


def health_composite(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    health = [c for c in est.facts.get("composites", []) if c["kind"] == "health"]
    if not health:
        return None
    lines = copy_lines(est.lines)
    for c in health:
        _take(lines, "CloudWatch alarms", "composite alarms", c["owner"], 1)
    return lines


def anomaly_to_static(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    anomalies = [x for x in est.facts.get("alarms", []) if x["kind"] == "anomaly"]
    if not anomalies:
        return None
    lines = copy_lines(est.lines)
    for x in anomalies:
        _take(lines, "CloudWatch alarms", "anomaly-detection alarms", x["owner"], 3)
        for line in lines:
            if line.service == "CloudWatch alarms" and line.item == "metric alarms" and line.owner == x["owner"]:
                line.quantity += 1
                break
        else:
            lines.append(Line(est.env, "CloudWatch alarms", "metric alarms", x["owner"], 1, "alarm metric-months",
                              "cloudwatch.alarm_standard", ctx["prices"].unit_price("cloudwatch.alarm_standard"),
                              "savings: a static threshold", "cloudwatch.alarm_metrics", 1))
    return lines


def high_resolution(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    if not any(x["high_resolution"] for x in est.facts.get("alarms", [])):
        return None
    p: Prices = ctx["prices"]
    lines = copy_lines(est.lines)
    for line in lines:
        if line.service == "CloudWatch alarms" and "high resolution" in line.item:
            line.item = line.item.split(", high resolution")[0]
            line.price_key = "cloudwatch.alarm_standard"
            line.unit_price = p.unit_price("cloudwatch.alarm_standard")
            line.pool = "cloudwatch.alarm_metrics"
    return lines


def duplicate_streams(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    if not est.facts.get("extra_streams"):
        return None
    return [line for line in copy_lines(est.lines)
            if not (line.service == "CloudWatch metrics" and line.item.startswith("metric streams outside"))]


def unread_streams(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    unread = est.facts.get("unread_stream_count", {})
    if not any(unread.values()):
        return None
    lines = copy_lines(est.lines)
    for line in lines:
        if line.service == "CloudWatch metrics" and line.item.startswith("custom metric streams of the contract"):
            total = est.facts["streams"][line.owner]["count"]
            line.quantity *= (total - unread.get(line.owner, 0)) / total
    return lines


def merge_dashboards(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    dashboards = est.facts.get("dashboards", [])
    if len(dashboards) <= 1:
        return None
    max_free = ctx["prices"].free_entry("cloudwatch.dashboards").get("max_metrics", 50)
    metrics = sum(d["metrics"] for d in dashboards)
    lines = [line for line in copy_lines(est.lines) if line.service != "CloudWatch dashboards"]
    lines.append(Line(est.env, "CloudWatch dashboards", "dashboards", SHARED, 1, "dashboard-months",
                      "cloudwatch.dashboard", ctx["prices"].unit_price("cloudwatch.dashboard"),
                      "savings: one dashboard", "cloudwatch.dashboards" if metrics <= max_free else None, 1))
    return lines


def billing_alarms_once(est: EnvEstimate, a: Assumptions, ctx: dict) -> list[Line] | None:
    account_envs = ctx["account_envs"]
    if account_envs.index(est.env) == 0:
        return None  # the first environment of the account keeps them
    billing = [x for x in est.facts.get("alarms", []) if x["namespaces"] == ["AWS/Billing"]]
    if not billing:
        return None
    lines = copy_lines(est.lines)
    _take(lines, "CloudWatch alarms", "metric alarms", SHARED, sum(x["alarm_metrics"] for x in billing))
    return lines


CHANGES = [
    Change("one-kms-key", "One KMS key per environment instead of one per module and Lambda",
           "none: the same data stays under a customer managed key; one key policy then grants all the "
           "environment's services (less separation between the alert, log, audit and Lambda keys)",
           "yes: notifications, log_groups, audit_trail, lambda_function take the environment's key ARN "
           "(the interface work in progress)", one_kms_key),
    Change("slo-single-window", "SLO burn rate: one metric-math alarm per objective over a day instead of 4 "
           "window alarms (5 min, 30 min, 1 h, 6 h), for jobs that run every 6 h or less often; the objective's "
           "composite stays (with job-failure or data-freshness as its actions suppressor)",
           "none for such jobs: each window sees at most one run, so the pairs burn on the same failed or stale run "
           "that job-failure and data-freshness announce (and suppress); the day alarm keeps the error-budget ratio "
           "over the runs of a day. Keep the pairs for jobs that run several times an hour",
           "yes: job_monitoring (burn_rate_windows by schedule_interval_hours: one window of a day)",
           slo_single_window),
    Change("health-composite", "Job health: no roll-up composite (health_severity = \"none\"), the dashboards' "
           "alarm-status widget lists the job's alarms instead",
           "none of the alerts (the roll-up has no actions; every child notifies its own severity): the one "
           "healthy/unhealthy state per job goes, the alarm widget shows the children",
           "no: jobs[*].health_severity = \"none\" exists; an environment setting (environments/*)",
           health_composite),
    Change("unread-streams", "Stop sending the metric streams no alarm or dashboard reads (JobsStarted, "
           "StageThroughput per stage)",
           "none for alarms and dashboards; the values stay in the job log (job_started and the stage lines "
           "carry them) and in Logs Insights",
           "JobsStarted: yes (log_groups drops its filter); StageThroughput: no module change (glue_jobs stops "
           "sending it; docs/metrics.md changes)", unread_streams),
    Change("merge-dashboards", "One dashboard per environment (main and metrics together)",
           "none: the same widgets on one page",
           "yes: job_monitoring (one dashboard, or the main one optional)", merge_dashboards),
    Change("billing-alarms-once", "Billing alarms once per account, not per environment",
           "none: AWS/Billing is account-wide, so the second environment's alarms watch the same numbers",
           "yes: etl_monitoring (a switch, like anomaly_monitor_arn for the anomaly monitor)", billing_alarms_once),
    Change("high-resolution", "High-resolution alarm periods (< 60 s) to 60 s",
           "detection up to 50 s later", "yes: the alarm's period input", high_resolution),
    Change("duplicate-streams", "Drop metric streams published with other dimension sets than the contract's",
           "none when nothing reads the duplicate", "the emitter, or the metric filter's dimensions",
           duplicate_streams),
    Change("anomaly-to-static", "Volume: a static threshold instead of the anomaly-detection band",
           "the learned, seasonal band: a static bound sees a drop below it, not an unusual value inside it",
           "yes: job_monitoring (volume-anomaly signal)", anomaly_to_static),
]


def _reprice(estimates: list[EnvEstimate], accounts: dict[str, list[str]], prices: Prices, free_tier: bool,
             env: str, new_lines: list[Line]) -> tuple[float, float]:
    """(before, after free tier) of `env` with `new_lines`, its account priced again."""
    account = next(k for k, v in accounts.items() if env in v)
    copies = []
    for e in estimates:
        if e.env not in accounts[account]:
            continue
        copies.append(EnvEstimate(e.env, e.jobs, e.job_names, new_lines if e.env == env else copy_lines(e.lines),
                                  e.not_priced, e.facts))
    apply_free_tier(copies, {account: accounts[account]}, prices, free_tier)
    target = next(c for c in copies if c.env == env)
    return target.total(), target.total(after=True)


def analyse(estimates: list[EnvEstimate], accounts: dict[str, list[str]], prices: Prices, a: Assumptions,
            free_tier: bool = True) -> dict[str, dict]:
    """Per environment: each change's saving per job per month (list price and after the free tier), and the
    per-job figure with every change that gives up no coverage."""
    out: dict[str, dict] = {}
    for est in estimates:
        account = next(k for k, v in accounts.items() if est.env in v)
        ctx = {"prices": prices, "account_envs": accounts[account]}
        base_before, base_after = _reprice(estimates, accounts, prices, free_tier, est.env, copy_lines(est.lines))
        n = max(1, len(est.jobs))
        rows, combined = [], copy_lines(est.lines)
        for change in CHANGES:
            new = change.apply(est, a, ctx)
            row = {"key": change.key, "change": change.title, "coverage": change.coverage,
                   "module_change": change.module_change, "applies": new is not None,
                   "saves_per_job": 0.0, "saves_per_job_after_free_tier": 0.0}
            if new is not None:
                before, after = _reprice(estimates, accounts, prices, free_tier, est.env, new)
                row["saves_per_job"] = (base_before - before) / n
                row["saves_per_job_after_free_tier"] = (base_after - after) / n
                if change.coverage.startswith("none"):
                    combined_est = EnvEstimate(est.env, est.jobs, est.job_names, combined, est.not_priced, est.facts)
                    combined = change.apply(combined_est, a, ctx) or combined
            rows.append(row)
        before, after = _reprice(estimates, accounts, prices, free_tier, est.env, combined)
        out[est.env] = {"rows": rows, "jobs": len(est.jobs),
                        "per_job_now": base_before / n, "per_job_now_after_free_tier": base_after / n,
                        "per_job_with_no_loss_changes": before / n,
                        "per_job_with_no_loss_changes_after_free_tier": after / n}
    return out
