"""The free tier, applied once per AWS account: environments that share an account share its allowances."""

from __future__ import annotations

from collections import defaultdict

from tools.cost.estimate import EnvEstimate, Line
from tools.cost.prices import Prices

DEFAULT_ACCOUNTS = {"nonprod": ["dev", "staging"], "prod": ["prod"]}


def parse_accounts(specs: list[str], envs: list[str]) -> dict[str, list[str]]:
    """`--account name=env1,env2` (repeatable) -> {account: [envs]}; without any, dev and staging share
    'nonprod' and prod has 'prod'. An environment no account names gets an account of its own."""
    accounts: dict[str, list[str]] = {}
    if specs:
        for spec in specs:
            if "=" not in spec:
                raise ValueError(f"--account takes NAME=ENV[,ENV...]; got {spec!r}")
            name, members = spec.split("=", 1)
            accounts[name] = [m for m in members.split(",") if m]
    else:
        accounts = {k: [e for e in v if e in envs] for k, v in DEFAULT_ACCOUNTS.items()}
        accounts = {k: v for k, v in accounts.items() if v}
    seen: dict[str, str] = {}
    for name, members in accounts.items():
        for env in members:
            if env in seen:
                raise ValueError(f"environment {env} is in two accounts: {seen[env]} and {name}")
            seen[env] = name
    for env in envs:
        if env not in seen:
            accounts[env] = [env]
    return {k: v for k, v in accounts.items() if any(e in envs for e in v)}


def apply_free_tier(estimates: list[EnvEstimate], accounts: dict[str, list[str]], prices: Prices,
                    free_tier: bool = True) -> dict[str, dict]:
    """Price tiered items on each account's total and subtract each allowance once per account. A pool's
    credit goes to its dearest units first; every line of the pool then keeps the same share of its price
    (so environments and jobs of one account share the allowance in proportion to their use).
    Returns per account: the pools' use, allowance and credit."""
    by_env = {e.env: e for e in estimates}
    summary: dict[str, dict] = {}
    for account, envs in accounts.items():
        lines: list[Line] = [line for env in envs if env in by_env for line in by_env[env].lines]
        pools: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            line.monthly = line.quantity * line.unit_price
            line.after = line.monthly
            if line.pool:
                pools[line.pool].append(line)
        summary[account] = {}
        # tiered prices on the account's total, whether or not they have a free pool
        tiered_keys = {line.price_key for line in lines if line.price_key and "tiers" in prices.entry(line.price_key)}
        for key in tiered_keys:
            group = [line for line in lines if line.price_key == key]
            units = sum(line.quantity for line in group)
            if units:
                avg = prices.tiered(key, units) / units
                for line in group:
                    line.unit_price = avg
                    line.monthly = line.after = line.quantity * avg
        for pool, group in sorted(pools.items()):
            allowance = prices.free(pool) if free_tier and pool in prices.doc["free_tier"] else 0.0
            used = sum(line.quantity for line in group)
            gross = sum(line.monthly for line in group)
            keys = {line.price_key for line in group}
            if len(keys) == 1 and "tiers" in prices.entry(next(iter(keys))):
                key = next(iter(keys))
                billed = prices.tiered(key, max(0.0, used - allowance))
                credit = gross - billed
            else:
                left, credit = allowance, 0.0
                for line in sorted(group, key=lambda x: -x.unit_price):
                    take = min(left, line.quantity)
                    credit += take * line.unit_price
                    left -= take
            factor = (1 - credit / gross) if gross else 1.0
            for line in group:
                line.after = line.monthly * factor
            summary[account][pool] = {"used": used, "allowance": allowance, "credit": credit, "gross": gross}
    return summary
