"""Monthly cost of everything the monitoring stack creates, per environment, per job and per account, from
Terraform plans or states (`terraform show -json`).

    python -m tools.monitoring_cost --env dev=plan-dev.json --env staging=plan-staging.json --env prod=plan-prod.json
    python -m tools.monitoring_cost plan.json            # the environment is read from Glue/ETL/<env>
    python -m tools.monitoring_cost ... --account nonprod=dev,staging --account prod=prod   (the default)
    python -m tools.monitoring_cost ... --savings        # where the bill could shrink, and at what coverage
    python -m tools.monitoring_cost ... --json           # machine-readable

What it prices (tools/cost/estimate.py; prices with their source and date in tools/prices.json):
  CloudWatch alarms (standard, high resolution, metric math per metric queried, anomaly detection as 3 alarm
  metrics, composite), custom metric streams (docs/metrics.md x jobs x stages, metric filters, streams outside
  the contract's dimension sets, the operations Lambdas' Powertools metrics; billed by the hour they are sent),
  dashboards, CloudWatch Logs (ingestion, storage, Logs Insights of the dashboards), KMS keys and requests,
  Lambda, X-Ray, S3 (audit trail, reports, Athena results, requests), Athena, Glue Data Catalog, SNS, SQS,
  EventBridge, Budgets, Cost Anomaly Detection. Resource types it does not know are listed as not priced.
Usage the plan cannot tell is an assumption with a default (see --help), shown in the report. The free tier
applies once per account (--account); each line's share of it is in proportion to its use.
The code is in tools/cost/ (plan, contract, prices, assumptions, estimate, accounts, savings, report).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.cost import contract as contract_mod
from tools.cost.accounts import apply_free_tier, parse_accounts
from tools.cost.assumptions import Assumptions
from tools.cost.estimate import EnvEstimate, estimate_environment
from tools.cost.plan import SHARED, environment_name, planned_resources, trim_plan
from tools.cost.prices import PRICES, Prices
from tools.cost.report import json_report, savings_section, text_report
from tools.cost.savings import analyse

__all__ = ["PRICES", "SHARED", "estimate", "main", "planned_resources", "trim_plan"]


def estimate(inputs: list[tuple[str | None, dict]], prices: Prices, a: Assumptions, account_specs: list[str],
             free_tier: bool = True, contract_path: Path = contract_mod.CONTRACT):
    """(estimates, accounts, free-tier summary) for [(environment or None, plan document)]."""
    estimates: list[EnvEstimate] = []
    for env, doc in inputs:
        name = env or environment_name(doc, planned_resources(doc))
        estimates.append(estimate_environment(name, doc, prices, a, contract_path))
    accounts = parse_accounts(account_specs, [e.env for e in estimates])
    order = {env: i for i, env in enumerate(env for envs in accounts.values() for env in envs)}
    estimates.sort(key=lambda e: order.get(e.env, 0))
    for e in estimates:
        plan_env = e.facts.get("plan_environment")
        if plan_env not in (e.env, "default", None):
            e.warnings.append(f"the plan given for {e.env} is {plan_env}'s (its metrics are in Glue/ETL/{plan_env}): "
                              "check how it was made (a stale or shared plan cache?)")
            print(f"warning: {e.warnings[-1]}", file=sys.stderr)
    free = apply_free_tier(estimates, accounts, prices, free_tier)
    return estimates, accounts, free


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.monitoring_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plans", nargs="*", help="plan or state JSON files (environment read from the namespace)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=PLAN.json",
                        help="an environment and its plan JSON (repeatable)")
    parser.add_argument("--account", action="append", default=[], metavar="NAME=ENV[,ENV...]",
                        help="which environments share an AWS account (repeatable); default nonprod=dev,staging and "
                             "prod=prod; an environment no account names has its own")
    parser.add_argument("--prices", default=str(PRICES), help="price table (default tools/prices.json)")
    parser.add_argument("--contract", default=str(contract_mod.CONTRACT),
                        help="the metric contract (default docs/metrics.md)")
    parser.add_argument("--no-free-tier", action="store_true", help="do not subtract the free tier")
    parser.add_argument("--savings", action="store_true", help="add the savings analysis")
    parser.add_argument("--markdown", action="store_true", help="print only the savings tables, as markdown")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--trim", metavar="OUT.json", help="write the first plan trimmed to what the tool reads "
                                                           "(for test fixtures) and exit")
    Assumptions.add_arguments(parser)
    args = parser.parse_args(argv)
    inputs_paths = [tuple(e.split("=", 1)) for e in args.env] + [(None, p) for p in args.plans]
    if not inputs_paths:
        parser.error("give at least one plan (positional or --env name=plan.json)")
    if any(len(x) != 2 for x in inputs_paths):
        parser.error("--env takes NAME=PLAN.json")
    docs = [(env, json.loads(Path(path).read_text())) for env, path in inputs_paths]
    if args.trim:
        Path(args.trim).write_text(json.dumps(trim_plan(docs[0][1]), indent=1, sort_keys=True) + "\n")
        return 0
    prices = Prices.load(args.prices)
    a = Assumptions.from_args(args)
    free_tier = not args.no_free_tier
    try:
        estimates, accounts, free = estimate(docs, prices, a, args.account, free_tier, Path(args.contract))
    except ValueError as err:
        parser.error(str(err))
    analysis = analyse(estimates, accounts, prices, a, free_tier) if (args.savings or args.markdown) else None
    if args.json:
        print(json.dumps(json_report(estimates, accounts, free, prices, a, analysis), indent=2, default=str))
    elif args.markdown:
        print("\n".join(savings_section(analysis, markdown=True)))
    else:
        out = text_report(estimates, accounts, free, prices, a, free_tier)
        if analysis:
            out += "\n" + "\n".join(savings_section(analysis))
        print(out, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
