"""Command line.

    python -m alarm_eval --plan plan.json --scenario s.yaml [--scenario ...] [--format table|json]
    python -m alarm_eval kinds --plan plan.json [--format table|json]
    python -m alarm_eval coverage --plan plan.json --scenario s.yaml [...] [--format table|json]

Exit status: 0 every expectation holds (coverage: every kind covered), 1 one does not, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from alarm_eval import report
from alarm_eval.engine import run
from alarm_eval.errors import InputError
from alarm_eval.kinds import classify, coverage
from alarm_eval.plan import load as load_plan
from alarm_eval.scenario import load as load_scenario
from alarm_eval.topology import build

COMMANDS = ("run", "kinds", "coverage")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m alarm_eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", choices=COMMANDS, default="run")
    parser.add_argument("--plan", required=True, help="`terraform show -json` of a plan or a state")
    parser.add_argument("--scenario", action="append", default=[], help="a scenario YAML file (repeatable)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        topo = build(load_plan(args.plan))
        if args.command == "kinds":
            kinds = classify(topo)
            sys.stdout.write(report.dumps(kinds) if args.format == "json" else report.kinds_table(kinds))
            return 0
        if not args.scenario:
            raise InputError(f"{args.command}: give at least one --scenario")
        results = [run(topo, load_scenario(path)) for path in args.scenario]
    except InputError as exc:
        print(f"alarm_eval: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "coverage":
        cov = coverage(topo, results)
        sys.stdout.write(
            report.dumps(report.coverage_json(cov)) if args.format == "json" else report.coverage_table(cov)
        )
        return 0 if cov.complete else 1
    if args.format == "json":
        sys.stdout.write(report.dumps([report.to_json(r) for r in results]))
    else:
        sys.stdout.write("\n".join(report.to_table(r) for r in results))
    return 0 if all(r.passed for r in results) else 1
