"""The report: per environment, every priced line with where its quantity comes from; per job; per account;
the assumptions; what is not priced; the savings."""

from __future__ import annotations

from collections import defaultdict

from tools.cost.assumptions import Assumptions
from tools.cost.estimate import CATEGORIES, EnvEstimate, Line
from tools.cost.plan import SHARED
from tools.cost.prices import Prices


def grouped(lines: list[Line]) -> list[dict]:
    """Lines summed over their owners, in their first order: service, item, owners, quantity, $ before/after."""
    rows: dict[tuple, dict] = {}
    for line in lines:
        key = (line.service, line.item)
        row = rows.setdefault(key, {"service": line.service, "item": line.item, "unit": line.unit, "owners": set(),
                                    "quantity": 0.0, "resources": 0, "before": 0.0, "after": 0.0,
                                    "unit_price": line.unit_price, "price_key": line.price_key,
                                    "source": line.source, "pool": line.pool})
        row["owners"].add("shared" if line.owner == SHARED else "job")
        row["quantity"] += line.quantity
        row["resources"] += line.resources
        row["before"] += line.monthly
        row["after"] += line.after
    out = []
    for row in rows.values():
        row["owners"] = "+".join(sorted(row["owners"]))
        out.append(row)
    return out


def _q(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.4f}"


def _m(x: float) -> str:
    return f"{x:8.2f}" if abs(x) >= 0.005 or x == 0 else f"{x:8.4f}"


def env_section(est: EnvEstimate, account: str) -> list[str]:
    out = [f"== {est.env}  (account {account}; jobs: {', '.join(est.jobs) or 'none'})"]
    out += [f"  WARNING: {w}" for w in est.warnings]
    out.append(f"  {'service':<22} {'item':<52} {'for':<10} {'quantity':>10} {'unit':<22} {'before':>8} "
               f"{'after':>8}  from")
    for row in grouped(est.lines):
        out.append(f"  {row['service']:<22} {row['item'][:52]:<52} {row['owners']:<10} {_q(row['quantity']):>10} "
                   f"{row['unit'][:22]:<22} {_m(row['before'])} {_m(row['after'])}  {row['source']}")
    out.append(f"  {'total':<119} {_m(est.total())} {_m(est.total(True))}")
    out += per_job_section(est)
    if est.not_priced:
        out.append("  not priced:")
        for item in est.not_priced:
            out.append(f"    {item['type']} x{item['count']}: {item['why']}")
    else:
        out.append("  not priced: nothing (every resource type of the plan is priced or has no charge of its own)")
    return out + [""]


def per_job_section(est: EnvEstimate) -> list[str]:
    n = len(est.jobs)
    if not n:
        return ["  per job: no monitored job in the plan"]
    before, after = est.per_job(), est.per_job(after=True)
    head = " ".join(f"{c:>10}" for c in CATEGORIES)
    out = [f"  per job (after the free tier; own lines, then the shared lines / {n}):",
           f"    {'':<22} {head} {'total':>9}"]
    for job in est.jobs:
        cats = " ".join(f"{after[job]['categories'][c]:10.2f}" for c in CATEGORIES)
        out.append(f"    {job[:22]:<22} {cats} {after[job]['own']:9.2f}")
    shared = est.shared_categories(after=True)
    cats = " ".join(f"{shared[c] / n:10.2f}" for c in CATEGORIES)
    out.append(f"    {'shared / ' + str(n):<22} {cats} {est.total(True, SHARED) / n:9.2f}")
    for job in est.jobs:
        out.append(f"    {job}: {before[job]['total']:.2f} before the free tier, {after[job]['total']:.2f} after "
                   f"(own {after[job]['own']:.2f} + shared {after[job]['shared_part']:.2f})")
    return out


def summary_section(estimates: list[EnvEstimate], accounts: dict[str, list[str]], free: dict) -> list[str]:
    by_env = {e.env: e for e in estimates}
    out = ["== summary (USD per month)",
           f"  {'environment':<14} {'account':<10} {'jobs':>4} {'before':>9} {'after':>9} {'per job before':>15} "
           f"{'per job after':>14}"]
    for account, envs in accounts.items():
        for env in envs:
            e = by_env.get(env)
            if not e:
                continue
            n = max(1, len(e.jobs))
            out.append(f"  {env:<14} {account:<10} {len(e.jobs):>4} {e.total():9.2f} {e.total(True):9.2f} "
                       f"{e.total() / n:15.2f} {e.total(True) / n:14.2f}")
    total_b = sum(e.total() for e in estimates)
    total_a = sum(e.total(True) for e in estimates)
    out.append(f"  {'all':<14} {'':<10} {'':>4} {total_b:9.2f} {total_a:9.2f}")
    out.append("  free tier, once per account (allowance used -> credit):")
    for account, pools in free.items():
        credits = [f"{pool} {p['used']:.4g}/{p['allowance']:.4g} -> {p['credit']:.2f}" for pool, p in pools.items()
                   if p["credit"] >= 0.005]
        out.append(f"    {account}: " + ("; ".join(credits) or "nothing over a cent"))
    return out + [""]


def assumptions_section(a: Assumptions) -> list[str]:
    out = ["== assumptions (what the plan cannot tell; change them with the flags)"]
    for d in a.described():
        value = d["value"] if not isinstance(d["value"], float) else f"{d['value']:g}"
        out.append(f"  {d['flag']:<32} {str(value):<40} {'(default)' if d['default'] else '(set)':<10} {d['text']}")
    return out + [""]


def prices_section(prices: Prices) -> list[str]:
    weak = prices.not_verified()
    counts = defaultdict(int)
    for _k, status, _s in weak:
        counts[status] += 1
    total = len(prices.doc["prices"]) + len(prices.doc["free_tier"])
    out = [f"== prices: {total} entries in tools/prices.json, read {prices.doc['as_of']}; "
           f"{total - len(weak)} from AWS pages, {counts['secondary']} from secondary sources, "
           f"{counts['unverified']} unverified:"]
    for key, status, _source in weak:
        if status == "unverified":
            out.append(f"  unverified: {key}")
    return out + [""]


def savings_section(analysis: dict[str, dict], markdown: bool = False) -> list[str]:
    out = []
    for env, result in analysis.items():
        if markdown:
            out += [f"### {env}: {result['per_job_now_after_free_tier']:.2f} USD per job per month now, "
                    f"{result['per_job_with_no_loss_changes_after_free_tier']:.2f} with every change that gives up "
                    "no coverage (after the free tier)", "",
                    "| change | saves per job per month (list price) | after the free tier | coverage given up | "
                    "module change |", "|---|---:|---:|---|---|"]
            for r in result["rows"]:
                saves = f"{r['saves_per_job']:.2f}" if r["applies"] else "nothing in the plan"
                after = f"{r['saves_per_job_after_free_tier']:.2f}" if r["applies"] else "-"
                out.append(f"| {r['change']} | {saves} | {after} | {r['coverage']} | {r['module_change']} |")
            out.append("")
            continue
        out += [f"== savings: {env} ({result['jobs']} jobs): per job {result['per_job_now']:.2f} before the free tier, "
                f"{result['per_job_now_after_free_tier']:.2f} after; with every change that gives up no coverage: "
                f"{result['per_job_with_no_loss_changes']:.2f} before, "
                f"{result['per_job_with_no_loss_changes_after_free_tier']:.2f} after",
                f"  {'saves/job':>9} {'after ft':>8}  change"]
        for r in result["rows"]:
            if not r["applies"]:
                out.append(f"  {'-':>9} {'-':>8}  {r['change']}: nothing of the kind in the plan")
                continue
            out.append(f"  {r['saves_per_job']:9.2f} {r['saves_per_job_after_free_tier']:8.2f}  {r['change']}")
            out.append(f"  {'':>9} {'':>8}    coverage given up: {r['coverage']}")
            out.append(f"  {'':>9} {'':>8}    module change: {r['module_change']}")
        out.append("")
    return out


def text_report(estimates: list[EnvEstimate], accounts: dict[str, list[str]], free: dict, prices: Prices,
                a: Assumptions, free_tier: bool) -> str:
    env_account = {env: acc for acc, envs in accounts.items() for env in envs}
    lines = [f"Monitoring cost per month, {prices.doc['currency']}, {prices.doc['region']} list prices read "
             f"{prices.doc['as_of']} (tools/prices.json). 'before'/'after': without and with the free tier, "
             "which applies once per account" + ("" if free_tier else " (--no-free-tier: not applied)") + ".",
             "Accounts: " + "; ".join(f"{acc} = {', '.join(envs)}" for acc, envs in accounts.items()), ""]
    for est in estimates:
        lines += env_section(est, env_account[est.env])
    lines += summary_section(estimates, accounts, free)
    lines += assumptions_section(a)
    lines += prices_section(prices)
    return "\n".join(lines).rstrip() + "\n"


def json_report(estimates: list[EnvEstimate], accounts: dict[str, list[str]], free: dict, prices: Prices,
                a: Assumptions, analysis: dict | None) -> dict:
    envs = []
    for est in estimates:
        envs.append({
            "env": est.env, "jobs": est.jobs,
            "lines": [{"service": li.service, "item": li.item, "owner": li.owner, "quantity": li.quantity,
                       "unit": li.unit, "price_key": li.price_key, "unit_price": li.unit_price,
                       "before": li.monthly, "after": li.after, "source": li.source, "free_pool": li.pool}
                      for li in est.lines],
            "total_before": est.total(), "total_after": est.total(True),
            "per_job_before": est.per_job(), "per_job_after": est.per_job(True),
            "not_priced": est.not_priced})
    return {"prices": {k: prices.doc[k] for k in ("region", "currency", "as_of")},
            "accounts": accounts, "free_tier": free, "environments": envs,
            "total_before": sum(e.total() for e in estimates), "total_after": sum(e.total(True) for e in estimates),
            "assumptions": [{k: (v if not isinstance(v, set) else sorted(v)) for k, v in d.items()}
                            for d in a.described()],
            "savings": analysis}
