"""Thirty simulated days of an environment, replayed through the evaluator: one page per incident, or not.

    python -m alarm_eval.replay --plan plan.json [--markdown | --format json]
    python -m alarm_eval.replay --env prod --markdown > docs/alarm-replay.md   # plans prod + an hourly job first

The days: every job of ``JOBS`` that the plan monitors runs on its schedule and reports what the job framework
reports (glue_jobs/contract.py: the log events the metric filters count, DataAgeHours, JobDurationSeconds,
RecordsProcessed, ValidationPassRate, DataQualityScore, ApiCalls/ApiErrors/ApiLatencyMs, and the "Glue Job State
Change" event). The alarms are created at the start (a fresh apply). ``INCIDENTS`` happen on known days; every
other day is healthy. Each notification is put on the day (and incident) it happens in, each delivery to the
remediation Lambda's subscriptions (their filter policy applied) is parsed with lambda_src/common/alarms.py.

The checks (``Replay.problems``): exactly one critical ALARM notification per failed run and no other paging
message; no notification on a healthy day nor on the first day after the apply; an OK only on a topic that got the
ALARM of that alarm; each incident reaching the remediation Lambda at most once (exactly once for those it acts
on), with a message it can use. Anomaly-band results are approximate (alarm_eval/README.md): ``~`` in the table.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from alarm_eval.engine import run
from alarm_eval.model import Topology
from alarm_eval.results import Result
from alarm_eval.scenario import from_dict

DAY, HOUR = 86400, 3600
DAYS = 30
START = "2026-01-01T00:00:00Z"
TOPICS = ("critical", "warning", "info")
# signals the remediation Lambda acts on (lambda_src/remediation/handler.py: retry, escalate, dead letters)
REMEDIATION_SIGNALS = ("job-failure", "data-freshness", "depth", "age")


@dataclass(frozen=True)
class Job:
    key: str
    every_hours: int
    at_minute: int  # minute of the hour (or of 02:00 for a daily job) the run starts
    duration_s: int
    records: int
    schedule_hours: int = 24  # as the environment declares it (the extra job's override below)


@dataclass(frozen=True)
class Incident:
    day: int
    job: str
    kind: str  # failed_run, stale_day, slow_run, dlq_spike, api_outage, quality_drop
    expected: str
    remediation: bool  # the remediation Lambda should act on it (once)


JOBS = (
    Job("customer_import", 24, 0, 900, 5000),
    Job("orders_hourly", 1, 10, 300, 800, schedule_hours=1),
)
FAILED_RUN = "1 critical page (the job-state rule's sentence); remediation once"
INCIDENTS = (
    Incident(4, "customer_import", "failed_run", FAILED_RUN, True),
    Incident(8, "customer_import", "stale_day", "1 critical ALARM (data-freshness) and its OK; remediation once", True),
    Incident(12, "customer_import", "slow_run", "1 warning ALARM (duration-regression) and its OK", False),
    Incident(
        16, "customer_import", "dlq_spike", "1 critical ALARM (records-dlq depth) and its OK; remediation once", True
    ),
    Incident(20, "orders_hourly", "api_outage", "warning ALARMs (api-errors, api-latency) and their OKs", False),
    Incident(24, "customer_import", "quality_drop", "warning ALARMs (quality-score, validation) and their OKs", False),
    Incident(27, "orders_hourly", "failed_run", FAILED_RUN, True),
)
# the environment the replay plans with --env: prod's own job plus an hourly one (an override in a temp copy)
EXTRA_JOBS_HCL = """locals {
  jobs = {
    customer_import = {
      schedule_interval_hours = 24
      usual_duration_seconds  = 900
      slo                     = { success_rate_percent = 99, freshness_percent = 95 }
    }
    orders_hourly = {
      schedule_interval_hours = 1
      usual_duration_seconds  = 300
      slo                     = { success_rate_percent = 99, freshness_percent = 95 }
    }
  }
}
"""


def glue_job_name(topo: Topology, key: str) -> str | None:
    """The Glue job name the alarms of a job key watch (the JobName dimension of its freshness alarm)."""
    for name, alarm in topo.alarms.items():
        if fnmatch(name, f"*-{key}-data-freshness-*") and alarm.metric:
            return alarm.metric.dimensions.get("JobName")
    return None


def _log_group(topo: Topology) -> str:
    return next((f.log_group for f in topo.filters if f.metric_name == "JobsFailed"), "/aws-glue/jobs/output")


# -- the thirty days as a scenario ---------------------------------------------------------------------------


class _Days:
    def __init__(self, topo: Topology, env: str, jobs: list[Job], incidents: tuple[Incident, ...]):
        self.topo, self.env, self.jobs, self.incidents = topo, env, jobs, incidents
        self.rng = random.Random(12)
        self.points: dict[tuple[str, str, str], list[list[Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.group = _log_group(topo)

    def incident(self, day: int, job: str) -> str | None:
        return next((i.kind for i in self.incidents if i.day == day and i.job in (job, "*")), None)

    def put(self, job: str, metric: str, at: float, value: float) -> None:
        self.points.setdefault((f"Glue/ETL/{self.env}", metric, job), []).append([f"{int(at)}s", round(value, 3)])

    def log(self, job: str, at: float, event: str) -> None:
        message = {"event": event, "job_name": job, "environment": self.env}
        self.events.append({"at": f"{int(at)}s", "log": {"group": self.group, "message": message}})

    def run(self, job: Job, name: str, day: int, start: float, run_no: int) -> None:
        incident = self.incident(day, job.key)
        first_run_of_day = job.every_hours == 24 or (start % DAY) // HOUR == 2
        hit = incident if first_run_of_day else None
        # during an API outage the run retries its calls and takes four times as long
        outage = incident == "api_outage" and 8 * HOUR <= start % DAY < 9 * HOUR
        slow = 2.7 if hit == "slow_run" else 4.0 if outage else 1.0
        duration = job.duration_s * slow + self.rng.uniform(-30, 30)
        end = start + duration
        self.log(name, start, "job_started")
        failed = hit == "failed_run"
        self.log(name, end, "job_failed" if failed else "job_completed_successfully")
        state = {"job": name, "state": "FAILED" if failed else "SUCCEEDED", "run_id": f"jr_{job.key}_{run_no}"}
        if failed:
            state["message"] = "Command failed with exit code 1"
        self.events.append({"at": f"{int(end)}s", "glue_job_state": state})
        # the API calls of the run, one batch per 5 minutes, latency samples every 10 s
        for k in range(max(1, int(duration // 300))):
            t = start + 300 * k + 60
            self.put(name, "ApiCalls", t, 100)
            self.put(name, "ApiErrors", t, 70 if outage else (1 if self.rng.random() < 0.2 else 0))
        for k in range(int(duration // 10)):
            self.put(name, "ApiLatencyMs", start + 10 * k + 5, (9000 if outage else 150) + self.rng.uniform(0, 60))
        if failed:
            return
        self.put(name, "JobDurationSeconds", end, duration)
        self.put(name, "RecordsProcessed", end, job.records * self.rng.uniform(0.97, 1.03))
        quality = hit == "quality_drop"
        self.put(name, "ValidationPassRate", end, 80.0 if quality else 99.0 + self.rng.uniform(0, 1))
        self.put(name, "DataQualityScore", end, 0.7 if quality else 0.96 + self.rng.uniform(0, 0.03))
        age = 30.0 if hit == "stale_day" else job.every_hours * 0.5 + self.rng.uniform(0, 1)
        self.put(name, "DataAgeHours", end, age)

    def build(self) -> dict[str, Any]:
        for job in self.jobs:
            name = glue_job_name(self.topo, job.key) or job.key
            run_no = 0
            for day in range(DAYS):
                hours = range(2, 3) if job.every_hours == 24 else range(0, 24, job.every_hours)
                for hour in hours:
                    run_no += 1
                    self.run(job, name, day, day * DAY + hour * HOUR + job.at_minute * 60, run_no)
        queue = next(
            (
                a.metric.dimensions["QueueName"]
                for n, a in sorted(self.topo.alarms.items())
                if fnmatch(n, "*-records-dlq-depth-*") and a.metric and "QueueName" in a.metric.dimensions
            ),
            None,
        )
        sqs: list[list[Any]] = []
        for i in self.incidents:
            if i.kind == "dlq_spike" and queue:  # an SQS queue reports only while it is active
                base = i.day * DAY + 3 * HOUR
                sqs += [[f"{int(base + 60 * m)}s", 150 if 15 <= m < 45 else 0] for m in range(90)]
        series = [
            {"namespace": ns, "metric": metric, "dimensions": {"JobName": job, "Environment": self.env}, "points": pts}
            for (ns, metric, job), pts in sorted(self.points.items())
        ]
        if sqs:
            series.append(
                {
                    "namespace": "AWS/SQS",
                    "metric": "ApproximateNumberOfMessagesVisible",
                    "dimensions": {"QueueName": queue},
                    "points": sqs,
                }
            )
        subs = [
            {"topic": "*", "protocol": "sqs", "endpoint": f"arn:aws:sqs:{self.topo.region}:{self.topo.account}:inbox"}
        ]
        return {
            "name": f"{DAYS} days of {self.env}",
            "start": START,
            "duration": f"{DAYS}d",
            "alarms": ["*"],
            "subscriptions": subs,
            "series": series,
            "events": sorted(self.events, key=lambda e: int(e["at"][:-1])),
        }


# -- the result, per day and incident ---------------------------------------------------------------------


@dataclass
class Row:
    label: str
    expected: str
    days: list[int]
    by_topic: Counter = field(default_factory=Counter)  # (severity, state) -> count
    approximate: set = field(default_factory=set)  # severities with an approximate notification
    remediation: int = 0
    remediation_usable: int = 0
    remediation_alarms: list[str] = field(default_factory=list)


def _severity(topic: str) -> str:
    return next((s for s in TOPICS if topic.endswith(f"-{s}")), topic)


def _usable(body: str, prefix: str) -> tuple[bool, str]:
    """Whether the remediation Lambda can act on what its subscription delivered (lambda_src/common/alarms.py)."""
    from lambda_src.common.alarms import MalformedAlarm, from_sns_message

    try:
        envelope = json.loads(body)
        alarm = from_sns_message(envelope["Records"][0]["Sns"]["Message"])
    except (MalformedAlarm, KeyError, IndexError, TypeError, ValueError) as exc:
        return False, f"not an alarm: {exc}"
    if alarm.state != "ALARM" or alarm.signal not in REMEDIATION_SIGNALS:
        return False, f"{alarm.name}: state {alarm.state}, signal {alarm.signal}"
    target = alarm.queue_name() if alarm.signal in ("depth", "age") else alarm.job_name(prefix)
    return bool(target), alarm.name


@dataclass
class Problem:
    check: str  # fresh-apply, healthy-day, ok-without-alarm, failed-run-pages, remediation-count, unusable
    text: str
    approximate: bool = False  # it depends on an anomaly band


@dataclass
class Replay:
    result: Result
    rows: list[Row]
    problems: list[Problem]

    @property
    def approximate(self) -> bool:
        return any(r.approximate for r in self.rows)

    @property
    def checks_failed(self) -> set[str]:
        """The checks that fail, without those that only an (approximate) anomaly band makes fail."""
        return {p.check for p in self.problems if not p.approximate}


def _prefix(topo: Topology) -> str:
    names = [t.name for t in topo.topics.values() if t.name.endswith("-critical")]
    return names[0][: -len("-critical")] if names else ""


def _rows(incidents: tuple[Incident, ...]) -> tuple[list[Row], dict[int, Row]]:
    """One row per incident (its day and the next: a daily job recovers with the next run), the first day after
    the apply, and the healthy days."""
    first = Row("day 0: first day after the apply", "nothing", [0])
    rows = [
        Row(f"days {i.day}-{i.day + 1}: {i.kind.replace('_', ' ')} ({i.job})", i.expected, [i.day, i.day + 1])
        for i in incidents
    ]
    day_row = {0: first}
    for row in rows:
        day_row.update(dict.fromkeys(row.days, row))
    healthy_days = [d for d in range(1, DAYS) if d not in day_row]
    healthy = Row(f"{len(healthy_days)} healthy days (totals)", "nothing", healthy_days)
    day_row.update(dict.fromkeys(healthy_days, healthy))
    return [first, *rows, healthy], day_row


def replay(topo: Topology, env: str = "prod", incidents: tuple[Incident, ...] = INCIDENTS) -> Replay:
    jobs = [j for j in JOBS if glue_job_name(topo, j.key)]
    incidents = tuple(i for i in incidents if any(j.key == i.job for j in jobs))
    result = run(topo, from_dict(_Days(topo, env, jobs, incidents).build()))
    start, prefix = result.start, _prefix(topo)
    rows, day_row = _rows(incidents)
    problems: list[Problem] = []
    opened: set[tuple[str, str]] = set()  # (topic, alarm) with an ALARM not yet closed
    for n in result.notifications:
        row = day_row[int((n.time - start) // DAY)]
        topic = result.topology.topics[n.topic_arn].name if n.topic_arn in result.topology.topics else n.topic_arn
        sev = _severity(topic)
        row.by_topic[(sev, n.state or "event")] += 1
        if n.approximate:
            row.approximate.add(sev)
        if row.expected == "nothing":
            check = "fresh-apply" if row is rows[0] else "healthy-day"
            problems.append(
                Problem(check, f"{row.label}: {n.state or 'event'} of {n.origin} on {topic}", n.approximate)
            )
        if n.state == "ALARM":
            opened.add((topic, n.origin))
        elif n.state == "OK":
            if (topic, n.origin) not in opened:
                problems.append(
                    Problem(
                        "ok-without-alarm",
                        f"{row.label}: OK of {n.origin} on {topic}, which got no ALARM from it",
                        n.approximate,
                    )
                )
            opened.discard((topic, n.origin))
    for d in result.deliveries:
        if "remediation" not in (d.subscription.address + d.subscription.endpoint):
            continue
        row = day_row[int((d.notification.time - start) // DAY)]
        ok, what = _usable(d.body, prefix)
        row.remediation += 1
        row.remediation_usable += ok
        row.remediation_alarms.append(what)
        if not ok:
            problems.append(
                Problem("unusable", f"{row.label}: the remediation Lambda got a message it cannot use ({what})")
            )
    # the remediation Lambda's own EventBridge rules (a failed Glue run) reach it directly, not through a topic
    for at, rule in result.rule_matches:
        if "-remediation-" not in rule:
            continue
        row = day_row[int((at - start) // DAY)]
        row.remediation += 1
        row.remediation_usable += 1
        row.remediation_alarms.append(f"rule {rule}")
    for incident, row in zip(incidents, rows[1:-1], strict=True):
        if incident.kind == "failed_run":
            # one page: the job-state rule's sentence (run id, Glue's message); the job-failure alarm is silent
            pages = sum(c for (s, st), c in row.by_topic.items() if s == "critical" and st != "OK")
            if pages != 1:
                problems.append(
                    Problem(
                        "failed-run-pages",
                        f"{row.label}: critical got {pages} notifications that are not OK, not exactly 1",
                    )
                )
        wanted = 1 if incident.remediation else 0
        if row.remediation != wanted:
            problems.append(
                Problem(
                    "remediation-count",
                    f"{row.label}: the remediation Lambda got "
                    f"{row.remediation} deliveries, not {wanted} ({', '.join(row.remediation_alarms)})",
                )
            )
    return Replay(result, rows, problems)


# -- reports --------------------------------------------------------------------------------------------------


def _cell(row: Row, sev: str) -> str:
    parts = [f"{c} {st}" for (s, st), c in sorted(row.by_topic.items()) if s == sev]
    text = ", ".join(parts) or "-"
    return f"~ {text}" if sev in row.approximate else text


def markdown(rep: Replay, plan_label: str) -> str:
    res = rep.result
    lines = [
        "# Alarm replay: thirty days of prod",
        "",
        "<!-- generated by `python -m alarm_eval.replay --env prod --markdown > docs/alarm-replay.md`;"
        " tests/alarm_eval/test_replay.py holds it equal -->",
        "",
        f"Plan: {plan_label}. Jobs: "
        + ", ".join(f"`{j.key}` every {j.every_hours} h" for j in JOBS)
        + f". {DAYS} days from a fresh apply, {len(res.alarms)} alarms, {len(res.notifications)} notifications, "
        f"{len(res.transitions)} transitions. Cells: notifications per topic by new state (`event`: an EventBridge "
        "rule's message); `~` marks results that depend on an anomaly band (approximate, see alarm_eval/README.md). "
        "Remediation: deliveries through the Lambda's subscriptions (their filter policy applied), usable by "
        "lambda_src/common/alarms.py.",
        "",
        "| days | expected | critical | warning | info | remediation (usable) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rep.rows:
        cells = [r.label, r.expected, *(_cell(r, s) for s in TOPICS), f"{r.remediation} ({r.remediation_usable})"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"## What the replay finds ({len(rep.problems)}; `~`: only through an anomaly band)", ""]
    lines += [f"- `{p.check}`: {'~ ' if p.approximate else ''}{p.text}" for p in rep.problems] or ["Nothing."]
    return "\n".join(lines) + "\n"


def to_json(rep: Replay) -> dict[str, Any]:
    return {
        "approximate": rep.approximate,
        "rows": [
            {
                "days": r.label,
                "expected": r.expected,
                "by_topic": {f"{s}:{st}": c for (s, st), c in sorted(r.by_topic.items())},
                "approximate": sorted(r.approximate),
                "remediation": r.remediation,
                "remediation_usable": r.remediation_usable,
            }
            for r in rep.rows
        ],
        "problems": [{"check": p.check, "text": p.text, "approximate": p.approximate} for p in rep.problems],
    }


def plan_environment(env: str, out: Path) -> Path:
    """Plan ``env`` with the replay's jobs (an override file in a temporary copy of the tree), as on AWS."""
    import tempfile

    from harness import emulator as emulator_mod
    from harness import gaps
    from harness.root import Root, copy_tree

    emu = emulator_mod.ensure_running(started_by=f"alarm_eval replay ({env})")
    tree = copy_tree(Path(tempfile.mkdtemp(prefix="alarm-replay-")))
    root_dir = tree / "environments" / env
    (root_dir / "alarm_replay_override.tf").write_text(EXTRA_JOBS_HCL)
    root = Root(root_dir)
    root.target_emulator(
        emu, account=emulator_mod.DEFAULT_ACCOUNT, state_path=tree / "plan-only.tfstate", as_on_aws=True
    )
    plan = root.plan(tf_vars=gaps.plan_values(root.path), cache=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan.doc))
    return out


PLAN_LABEL = "environments/prod with an hourly job `orders_hourly` added (an override of `local.jobs` in a copy)"


def main(argv: list[str] | None = None) -> int:
    from alarm_eval import load_topology

    parser = argparse.ArgumentParser(
        prog="python -m alarm_eval.replay", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", help="`terraform show -json` of a plan")
    src.add_argument("--env", help="plan this environment with the replay's jobs first (needs terraform)")
    parser.add_argument("--markdown", action="store_true", help="the table for docs/alarm-replay.md")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    args = parser.parse_args(argv)
    plan = args.plan or plan_environment(args.env, Path("build/plans") / f"{args.env}-replay.json")
    rep = replay(load_topology(plan), env=args.env or "prod")
    if args.format == "json" and not args.markdown:
        sys.stdout.write(json.dumps(to_json(rep), indent=2) + "\n")
    else:
        sys.stdout.write(markdown(rep, PLAN_LABEL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
