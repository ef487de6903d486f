"""The usage the plan cannot tell: each a parameter with a default, shown next to the numbers it drives."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields


def _a(default, flag: str, text: str):
    return field(default=default, metadata={"flag": flag, "text": text})


@dataclass
class Assumptions:
    runs_per_day: float = _a(1.0, "--runs-per-day", "runs of each job per day (every job of the three "
                             "environments is scheduled every 24 h); JOB=N sets one job")
    failures_per_month: float = _a(1.0, "--failures-per-month", "failed runs per job per month")
    metric_hours_per_run: float = _a(1.0, "--metric-hours-per-run", "hours in which a run's custom metrics "
                                     "are sent (one PutMetricData at the end of the run; the log-filter counts "
                                     "within the same hour)")
    metrics_full_month: bool = _a(False, "--metrics-full-month", "bill every custom metric stream for the whole "
                                  "month (the worst case: a job that runs at least hourly)")
    stages: int = _a(3, "--stages", "stages per job when no dashboard shows them")
    log_mb_per_run: float = _a(5.0, "--log-mb-per-run", "MB a run writes to its Glue log groups (the "
                               "framework's JSON lines are a few KB; the rest is Spark's driver and executor "
                               "output)")
    log_compression: float = _a(1.0, "--log-compression", "stored log bytes per ingested byte (1 = priced "
                                "uncompressed, the upper bound; AWS may bill archived logs compressed)")
    lambda_log_kb: float = _a(10.0, "--lambda-log-kb", "KB of logs (Powertools JSON, EMF, platform lines) "
                              "per Lambda invocation")
    lambda_seconds: dict = _a(None, "--lambda-seconds", "seconds per invocation, by Lambda package "
                              "(remediation=5, weekly_report=60, health_check=10; others 10); PKG=S sets one")
    notifications_per_failure: float = _a(1.0, "--notifications-per-failure", "SNS notifications a failed run "
                                          "causes (the job-state rule's sentence, the one notification of a "
                                          "failed run: the job-failure alarm and the health roll-up have no "
                                          "actions, and job-failure suppresses the glue-errors, out-of-memory "
                                          "and SLO composites)")
    unhealthy_days_per_month: float = _a(1.0, "--unhealthy-days", "days a month the health check finds "
                                         "something and publishes to the warning topic")
    traces_per_run: float = _a(1.0, "--traces-per-run", "X-Ray traces a run records (one trace id a run)")
    trace_reads: float = _a(1.0, "--trace-reads", "times each recorded trace is retrieved or scanned")
    kms_requests_per_run: float = _a(20.0, "--kms-requests-per-run", "KMS requests a run causes (S3 audit "
                                     "writes with a bucket key, encrypted logs, traces, DLQ sends)")
    kms_requests_per_invocation: float = _a(5.0, "--kms-requests-per-invocation", "KMS requests a Lambda "
                                            "invocation causes (environment, logs, SNS publish)")
    kms_rotations: int = _a(0, "--kms-rotations", "automatic rotations each key has had (one a year; the first "
                            "two add $1/month each)")
    audit_kb_per_run: float = _a(4.0, "--audit-kb-per-run", "KB of audit events a run writes to S3 (4 objects "
                                 "of about 1 KB: docs/metrics.md, Audit events)")
    report_kb: float = _a(200.0, "--report-kb", "KB a weekly report writes to S3 (HTML and JSON)")
    athena_runs_per_month: float = _a(4.0, "--athena-runs", "runs of each saved Athena query a month (by "
                                      "people: no part of the stack runs them; the weekly report reads S3)")
    athena_result_kb: float = _a(10.0, "--athena-result-kb", "KB of results an Athena query writes")
    dlq_messages_per_run: float = _a(10.0, "--dlq-messages-per-run", "records a run sends to the dead-letter "
                                     "queue (sent in batches of 10)")
    dashboard_views_per_day: float = _a(1.0, "--dashboard-views", "views of each dashboard a day (each view "
                                        "reads its metrics and runs its Logs Insights widgets)")
    custom_events_per_month: float = _a(0.0, "--custom-events", "custom events published to EventBridge (the "
                                        "stack publishes none)")
    horizon_months: float = _a(12.0, "--horizon-months", "months of growth priced for S3 objects no lifecycle "
                               "rule expires")
    runs_by_job: dict = field(default_factory=dict, metadata={})
    set_by_user: set = field(default_factory=set, metadata={})

    LAMBDA_SECONDS = {"remediation": 5.0, "weekly_report": 60.0, "health_check": 10.0}

    def runs(self, job: str) -> float:
        return float(self.runs_by_job.get(job, self.runs_per_day))

    def seconds(self, package: str) -> float:
        table = {**self.LAMBDA_SECONDS, **(self.lambda_seconds or {})}
        return float(table.get(package, 10.0))

    def described(self) -> list[dict]:
        """Every assumption with its flag, value and whether it is the default."""
        out = []
        for f in fields(self):
            if "flag" not in f.metadata:
                continue
            value = getattr(self, f.name)
            if f.name == "runs_per_day" and self.runs_by_job:
                value = f"{self.runs_per_day:g} ({', '.join(f'{k}={v:g}' for k, v in self.runs_by_job.items())})"
            if f.name == "lambda_seconds":
                value = ", ".join(f"{k}={v:g}" for k, v in {**self.LAMBDA_SECONDS, **(value or {})}.items())
            out.append({"name": f.name, "flag": f.metadata["flag"], "value": value, "text": f.metadata["text"],
                        "default": f.name not in self.set_by_user})
        return out

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("usage assumptions (the plan cannot tell; shown in the report)")
        for f in fields(cls):
            if "flag" not in f.metadata:
                continue
            if f.type in ("bool", bool):
                group.add_argument(f.metadata["flag"], dest=f"a_{f.name}", action="store_true", default=None,
                                   help=f.metadata["text"])
            elif f.name in ("runs_per_day", "lambda_seconds"):
                group.add_argument(f.metadata["flag"], dest=f"a_{f.name}", action="append", default=None,
                                   metavar="N|KEY=N", help=f"{f.metadata['text']} (default {f.default})")
            else:
                group.add_argument(f.metadata["flag"], dest=f"a_{f.name}", type=float, default=None,
                                   help=f"{f.metadata['text']} (default {f.default:g})")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Assumptions:
        out = cls()
        for f in fields(cls):
            value = getattr(args, f"a_{f.name}", None)
            if value is None:
                continue
            out.set_by_user.add(f.name)
            if f.name == "runs_per_day":
                for item in value:
                    if "=" in item:
                        job, n = item.split("=", 1)
                        out.runs_by_job[job] = float(n)
                    else:
                        out.runs_per_day = float(item)
            elif f.name == "lambda_seconds":
                out.lambda_seconds = {k: float(v) for k, v in (item.split("=", 1) for item in value)}
            elif f.name in ("stages", "kms_rotations"):
                setattr(out, f.name, int(value))
            else:
                setattr(out, f.name, value)
        return out
