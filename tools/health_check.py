"""Daily ETL health check (replaces the seed's daily-health-check.sh).

    python -m tools.health_check --jobs customer_import,orders_daily \
        --dlq glue-etl-dev-dlq --freshness s3://data-lake-dev-silver/customers/=26

Checks success rates over the last 24 hours (Glue job runs; with --log-group also the job log events),
DLQ depth, and data freshness per output prefix (age of the newest S3 object), prints a table, and exits
0 when healthy, 1 when a check FAILed, 2 when a check could not be evaluated (ERROR) or on bad usage.

Works against AWS (the usual credential chain) and against the emulator: boto3 follows AWS_ENDPOINT_URL
and AWS_ENDPOINT_URL_<SERVICE> (`eval "$(python -m harness emulator env)"`). Every option has a HEALTH_*
variable (the same ones the scheduled Lambda reads); options win over variables.
"""

from __future__ import annotations

import argparse
import json
import sys

from lambda_src.health_check.checks import HealthConfig, exit_code, render_table, run_checks


def _freshness(values: list[str]) -> dict[str, float]:
    out = {}
    for value in values:
        uri, sep, hours = value.rpartition("=")
        if not sep or not uri.startswith("s3://"):
            raise argparse.ArgumentTypeError(f"--freshness takes s3://bucket/prefix=HOURS, got {value!r}")
        out[uri] = float(hours)
    return out


def parse(argv: list[str] | None) -> tuple[HealthConfig, argparse.Namespace]:
    p = argparse.ArgumentParser(
        prog="python -m tools.health_check", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--jobs", help="comma-separated Glue job names (default: HEALTH_JOBS, else every job)")
    p.add_argument("--hours", type=float, help="look-back window in hours (default 24)")
    p.add_argument("--min-success-rate", type=float, help="percent below which a job FAILs (default 95)")
    p.add_argument("--dlq", action="append", default=[], help="DLQ name or URL (repeatable)")
    p.add_argument("--max-dlq-depth", type=int, help="messages a DLQ may hold (default 0)")
    p.add_argument(
        "--freshness",
        action="append",
        default=[],
        metavar="S3URI=HOURS",
        help="output prefix and its maximum age in hours (repeatable)",
    )
    p.add_argument("--log-group", help="JSON job log group for the log-based success rate (optional)")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--no-colour", action="store_true", help="plain table even on a terminal")
    args = p.parse_args(argv)
    cfg = HealthConfig.from_env()
    if args.jobs is not None:
        cfg.jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    if args.hours is not None:
        cfg.hours = args.hours
    if args.min_success_rate is not None:
        cfg.min_success_rate = args.min_success_rate
    if args.dlq:
        cfg.dlq_queues = args.dlq
    if args.max_dlq_depth is not None:
        cfg.max_dlq_depth = args.max_dlq_depth
    if args.freshness:
        try:
            cfg.freshness = _freshness(args.freshness)
        except argparse.ArgumentTypeError as exc:
            p.error(str(exc))
    if args.log_group is not None:
        cfg.log_group = args.log_group
    return cfg, args


def main(argv: list[str] | None = None) -> int:
    cfg, args = parse(argv)
    results = run_checks(cfg)
    if args.json:
        print(json.dumps({"exit_code": exit_code(results), "results": [r.as_dict() for r in results]}, indent=2))
    else:
        print(render_table(results, colour=sys.stdout.isatty() and not args.no_colour))
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
