"""Why does an alert, a log, a trace or a metric not show up? The four troubleshooting checklists, run.

    python -m tools.doctor --env prod                  # the environment applied on the emulator (make apply)
    python -m tools.doctor --env prod --target aws     # a real account: run `terraform init` in environments/prod first
    python -m tools.doctor --env prod --job my-job --json

For each check: its id, what it checks, PASS / FAIL / WARN, the evidence, and the fix (a command or the
Terraform input to change). The exit status is 1 when a check fails, 2 when the environment cannot be read.

What to check comes from the environment's Terraform state (`terraform state pull`): its outputs, read by
name through `Environment` below (a renamed output is a one-line change in OUTPUTS), and, for what no output
says yet, the resources it applied. The Glue jobs are the environment's (`--job` names others); each job's
role comes from Glue (GetJob), its permissions from IAM, and they are evaluated locally (tools.iam) against
the exact action, resource and condition keys the job's calls carry.

The checklists (docs/doctor.md):
  logs     the log groups exist with the retention Terraform gave them; each job logs to them; its role may
           create streams and put events there
  tracing  each job sends traces (--enable_tracing); its role may call xray:PutTraceSegments
  metrics  each job publishes to the environment's namespace; its role may put metrics there, in this region;
           datapoints arrived in the last hours
  alerts   each topic's policy and key let CloudWatch, EventBridge and Budgets publish; no subscription
           waits for its confirmation
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tools.iam import Request, UnsupportedPolicy, evaluate
from tools.iam import reference as ref
from tools.iam.roles import role_name, role_policies

ROOT = Path(__file__).resolve().parents[1]

# What the doctor needs -> the environment's output that holds it. Rename here when an output is renamed.
OUTPUTS = {
    "topics": "topic_arns",  # severity -> SNS topic ARN
    "log_groups": "log_group_names",  # the Glue log groups: a list of names, or name -> retention in days
    "retention": "log_retention_in_days",  # not an output yet: the retention of the applied log groups instead
    "namespace": "metric_namespace",  # Glue/ETL/<environment>
    "jobs": "glue_job_names",  # not an output yet: the jobs of job_alarms instead
    "job_alarms": "job_alarms",  # <job>/<signal>/<severity> -> {job, ...}
}
PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com")
PASS, FAIL, WARN = "pass", "fail", "warn"


@dataclass
class Check:
    id: str
    what: str
    status: str
    evidence: str
    fix: str = ""


# -- the environment: its outputs by name, and what it applied ----------------------------------------------

def _unwrap(value: Any) -> Any:
    """`terraform output -json` / state outputs wrap each value as {"value": ..., "type": ...}."""
    if isinstance(value, dict) and "value" in value and set(value) <= {"value", "type", "sensitive"}:
        return value["value"]
    return value


@dataclass
class Environment:
    """The one adapter between the doctor and the environment's outputs."""

    name: str
    outputs: dict[str, Any]
    resources: list[dict] = field(default_factory=list)  # raw state resources (mode, type, instances)

    @classmethod
    def from_state(cls, name: str, state: dict) -> Environment:
        return cls(name, {k: _unwrap(v) for k, v in (state.get("outputs") or {}).items()},
                   [r for r in state.get("resources", []) if r.get("mode") == "managed"])

    def output(self, what: str) -> Any:
        return _unwrap(self.outputs.get(OUTPUTS[what]))

    def missing(self) -> list[str]:
        """The outputs the doctor reads that the environment does not have."""
        return [name for name in OUTPUTS.values() if name not in self.outputs]

    def _applied(self, rtype: str) -> list[dict]:
        return [i.get("attributes") or {} for r in self.resources if r.get("type") == rtype
                for i in r.get("instances", [])]

    @property
    def topics(self) -> dict[str, str]:
        return dict(self.output("topics") or {})

    @property
    def log_groups(self) -> dict[str, int | None]:
        """Log group name -> the retention it should have (None: unknown)."""
        groups = self.output("log_groups") or []
        if isinstance(groups, dict):
            return {g: (int(r) if r is not None else None) for g, r in groups.items()}
        retention = self.output("retention")
        applied = {a.get("name"): a.get("retention_in_days") for a in self._applied("aws_cloudwatch_log_group")}
        return {g: int(retention) if retention is not None else applied.get(g) for g in groups}

    @property
    def namespace(self) -> str | None:
        return self.output("namespace")

    @property
    def job_names(self) -> list[str]:
        if self.output("jobs"):
            return list(self.output("jobs"))
        return sorted({a["job"] for a in (self.output("job_alarms") or {}).values() if a.get("job")})


def state_pull(folder: Path) -> dict:
    from harness.root import terraform_binary, tf_env

    proc = subprocess.run([str(terraform_binary()), "state", "pull"], cwd=folder, env=tf_env(), capture_output=True,
                          text=True)
    if proc.returncode or not proc.stdout.strip():
        raise RuntimeError(f"terraform state pull in {folder} failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def load(env: str, target: str) -> tuple[Environment, Callable[[str], Any], str]:
    """The environment, a client factory for its account, and the region."""
    import boto3

    from harness import emulator as emulator_mod
    from harness import settings

    if target == "aws":
        folder = ROOT / "environments" / env
        if not (folder / ".terraform").is_dir():
            raise RuntimeError(f"run `terraform init -backend-config=backend.hcl` in {folder} first")
        state = state_pull(folder)
        region = settings.REGION
        return Environment.from_state(env, state), lambda s: boto3.client(s, region_name=region), region
    emu = emulator_mod.running()
    if emu is None:
        raise RuntimeError("no emulator answers: `make emulator-up`, then `make apply ENV=...`")
    folder = Path(emu.run_dir) / "work" / env / "environments" / env
    if not (folder / "emulator_override.tf").is_file():
        raise RuntimeError(f"{env} is not applied on the emulator: `make apply ENV={env}`")
    state = state_pull(folder)
    account = emulator_mod.DEFAULT_ACCOUNT
    return Environment.from_state(env, state), lambda s: emu.client(s, account=account), settings.REGION


# -- the account ----------------------------------------------------------------------------------------------

@dataclass
class Job:
    name: str
    arguments: dict[str, str]
    role: str
    glue_version: str
    policies: dict[str, dict]


class Account:
    """What the checks read from the account, each read once."""

    def __init__(self, client: Callable[[str], Any], region: str):
        self.client, self.region = client, region
        self._clients: dict[str, Any] = {}
        self.id = self.aws("sts").get_caller_identity()["Account"]
        self.partition = "aws"

    def aws(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.client(service)
        return self._clients[service]

    def job(self, name: str) -> Job | None:
        glue = self.aws("glue")
        try:
            found = glue.get_job(JobName=name)["Job"]
        except glue.exceptions.EntityNotFoundException:
            return None
        role = found.get("Role", "")
        return Job(name, found.get("DefaultArguments") or {}, role, found.get("GlueVersion", ""),
                   role_policies(self.aws("iam"), role) if role else {})

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.id}:{resource}"


def _decide(request: Request, policies: dict[str, dict]) -> tuple[bool | None, str]:
    try:
        decision = evaluate(request, policies)
    except UnsupportedPolicy as exc:
        return None, f"cannot evaluate: {exc}"
    return decision.allowed, decision.reason


def _role_check(cid: str, what: str, jobs: list[Job], requests: Callable[[Job], list[Request]], fix: str) -> Check:
    if not jobs:
        return Check(cid, what, WARN, "no Glue job of the environment was found (give them with --job)")
    lines, status = [], PASS
    for job in jobs:
        for req in requests(job):
            allowed, reason = _decide(req, job.policies)
            if allowed is None:
                status = WARN if status == PASS else status
            elif not allowed:
                status = FAIL
            verdict = {True: "allowed", False: "DENIED", None: "unknown"}[allowed]
            ctx = ", ".join(f"{k}={v}" for k, v in req.context.items() if not k.startswith("aws:Secure"))
            lines.append(f"{role_name(job.role)}: {req.action} on {req.resource}{f' ({ctx})' if ctx else ''}: "
                         f"{verdict} ({reason})")
    return Check(cid, what, status, "\n".join(lines), fix if status != PASS else "")


# -- the checklists --------------------------------------------------------------------------------------------

def _job_log_groups(job: Job) -> list[str]:
    args = job.arguments
    if job.glue_version.startswith(("5", "6")) or "--custom-logGroup-prefix" in args:
        prefix = args.get("--custom-logGroup-prefix", "/aws-glue/jobs")
        return [f"{prefix}/output", f"{prefix}/error"]
    return [args.get("--continuous-log-logGroup", "/aws-glue/jobs/logs-v2")]


def logs_checks(env: Environment, account: Account, jobs: list[Job]) -> list[Check]:
    logs = account.aws("logs")
    expected = env.log_groups
    found = {}
    for group in expected:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=group):
            found |= {g["logGroupName"]: g for g in page["logGroups"] if g["logGroupName"] == group}
    missing = [g for g in expected if g not in found]
    out = [Check("logs.groups", "the environment's log groups exist", FAIL if missing else PASS,
                 f"missing: {', '.join(missing)}" if missing else f"{len(found)} found: {', '.join(sorted(found))}",
                 f"re-apply the environment (log_groups module): make apply ENV={env.name} [TARGET=aws]"
                 if missing else "")]

    wrong = []
    for group, days in expected.items():
        have = found.get(group, {}).get("retentionInDays")
        if group in found and (have is None or (days is not None and have != days)):
            wrong.append((group, have, days))
    unknown = [g for g, d in expected.items() if d is None]
    evidence = "; ".join(f"{g}: {h or 'never expires'} days, Terraform says {d}" for g, h, d in wrong) or \
        "; ".join(f"{g}: {found[g].get('retentionInDays')} days" for g in sorted(found))
    fix = " && ".join(f"aws logs put-retention-policy --log-group-name {g} --retention-in-days {d}"
                      for g, _h, d in wrong if d) + \
        (f" (or change log_retention_in_days of module.monitoring in environments/{env.name}/main.tf)" if wrong else "")
    status = FAIL if wrong else (WARN if unknown else PASS)
    if unknown and not wrong:
        evidence += f"; no expected retention known for {', '.join(unknown)}"
    out.append(Check("logs.retention", "each log group keeps its logs as long as Terraform says", status, evidence,
                     fix))

    dest_lines, dest_status = [], PASS
    for job in jobs:
        groups = _job_log_groups(job)
        outside = [g for g in groups if g not in expected]
        if outside:
            dest_status = FAIL
        dest_lines.append(f"{job.name} logs to {', '.join(groups)}"
                          + (f": not the environment's ({', '.join(outside)})" if outside else ""))
    prefixes = sorted({g.rsplit("/", 1)[0] for g in expected if g.endswith("/output")})
    out.append(Check("logs.destination", "each job logs to the environment's log groups (in this region)",
                     dest_status if jobs else WARN,
                     "\n".join(dest_lines) or "no Glue job of the environment was found (give them with --job)",
                     f"set log_group_prefix = \"{prefixes[0] if prefixes else '<prefix>'}\" in the job's glue_job "
                     "module call (Glue 5.0: --custom-logGroup-prefix)" if dest_status == FAIL else ""))

    def write(job: Job) -> list[Request]:
        reqs = []
        for group in [g for g in _job_log_groups(job) if g in expected]:
            ctx = {"aws:RequestedRegion": account.region}
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):  # a stream named like a run's
                arn = ref.resources_of(action, {"logGroupName": group, "logStreamName": "jr_doctor"}, account.region,
                                       account.id, account.partition)[0]
                reqs.append(Request(action, arn, ctx))
        return reqs

    out.append(_role_check("logs.role-can-write", "each job's role may create log streams and put events in them",
                           jobs, write, "give the role logs:CreateLogStream and logs:PutLogEvents on the groups and "
                           "their streams (<group ARN>, <group ARN>:log-stream:*): the glue_job module's statement "
                           "WriteOwnLogGroups; re-apply the job's Terraform"))
    return out


def tracing_checks(env: Environment, account: Account, jobs: list[Job]) -> list[Check]:
    off = [j.name for j in jobs if j.arguments.get("--enable_tracing", "true").lower() != "true"]
    out = [Check("tracing.enabled", "each job sends its trace (--enable_tracing, the framework's default true)",
                 FAIL if off else (PASS if jobs else WARN),
                 (f"--enable_tracing is not true for {', '.join(off)}" if off else
                  f"on for {', '.join(j.name for j in jobs)}") if jobs else
                 "no Glue job of the environment was found (give them with --job)",
                 'remove "--enable_tracing" from job_arguments of the job\'s glue_job module call (or set it to '
                 '"true"), then re-apply' if off else "")]
    out.append(_role_check(
        "tracing.role-can-send", "each job's role may send trace segments (xray:PutTraceSegments)", jobs,
        lambda job: [Request("xray:PutTraceSegments", "*", {"aws:RequestedRegion": account.region})],
        "give the role xray:PutTraceSegments on \"*\": the glue_job module's statement SendTraceSegments (the "
        "tracing module's job_policy_json output holds the same statement)"))
    return out


def metrics_checks(env: Environment, account: Account, jobs: list[Job], since_hours: float) -> list[Check]:
    namespace = env.namespace
    out = []
    wrong = [(j.name, f"Glue/ETL/{j.arguments.get('--environment', '?')}") for j in jobs
             if f"Glue/ETL/{j.arguments.get('--environment', '?')}" != namespace]
    out.append(Check("metrics.namespace", f"each job publishes to the environment's namespace {namespace}",
                     FAIL if wrong else (PASS if jobs else WARN),
                     "; ".join(f"{n} publishes to {ns}" for n, ns in wrong) or
                     (f"{', '.join(j.name for j in jobs)}: --environment {env.name}" if jobs else
                      "no Glue job of the environment was found (give them with --job)"),
                     f'set environment = "{env.name}" in the job\'s glue_job module call (--environment)' if wrong
                     else ""))
    out.append(_role_check(
        "metrics.role-can-put", f"each job's role may put metrics in {namespace}, in {account.region}", jobs,
        lambda job: [Request("cloudwatch:PutMetricData", "*",
                             {"cloudwatch:namespace": namespace, "aws:RequestedRegion": account.region})],
        f"give the role cloudwatch:PutMetricData on \"*\" with the condition StringEquals cloudwatch:namespace = "
        f"{namespace}: the glue_job module's statement PublishFrameworkMetrics (its input environment names it)"))

    cloudwatch = account.aws("cloudwatch")
    start = datetime.now(UTC) - timedelta(hours=since_hours)
    end = datetime.now(UTC) + timedelta(minutes=5)  # a datapoint stamped by a clock a little ahead still counts
    lines, status = [], PASS if jobs else WARN
    for job in jobs:
        metrics = cloudwatch.list_metrics(Namespace=namespace, Dimensions=[{"Name": "JobName", "Value": job.name}])
        names = sorted({m["MetricName"] for m in metrics.get("Metrics", [])})
        latest = None
        for metric in metrics.get("Metrics", [])[:20]:
            stats = cloudwatch.get_metric_statistics(Namespace=namespace, MetricName=metric["MetricName"],
                                                     Dimensions=metric["Dimensions"], StartTime=start, EndTime=end,
                                                     Period=300, Statistics=["SampleCount"])
            for point in stats.get("Datapoints", []):
                latest = max(latest or point["Timestamp"], point["Timestamp"])
        if latest:
            lines.append(f"{job.name}: last datapoint {latest:%Y-%m-%d %H:%M} UTC ({', '.join(names)})")
            continue
        runs = account.aws("glue").get_job_runs(JobName=job.name, MaxResults=20).get("JobRuns", [])
        recent = [r for r in runs if r.get("StartedOn") and r["StartedOn"] >= start]
        status = FAIL if recent else (WARN if status == PASS else status)
        lines.append(f"{job.name}: no datapoint in {namespace} in the last {since_hours:g} h"
                     + (f" although it ran {len(recent)} time(s)" if recent else ", and no run either"))
    out.append(Check("metrics.arrived", f"datapoints arrived in {namespace} in the last {since_hours:g} h",
                     status, "\n".join(lines) or "no Glue job of the environment was found (give them with --job)",
                     "look for metrics_publish_failed in the job's log (permission, namespace or region: the "
                     "checks above); the framework publishes at the end of each run" if status == FAIL else
                     ("run the job, or widen --since-hours" if status == WARN and jobs else "")))
    return out


def alerts_checks(env: Environment, account: Account) -> list[Check]:
    sns, kms = account.aws("sns"), account.aws("kms")
    policy_lines, key_lines, sub_lines = [], [], []
    policy_status = key_status = sub_status = PASS
    pending = []
    context = {"aws:SourceAccount": account.id, "aws:SecureTransport": "true", "aws:RequestedRegion": account.region}
    for severity, topic in sorted(env.topics.items()):
        attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        policy = json.loads(attrs.get("Policy") or "{}")
        for service in PUBLISHERS:
            allowed, reason = _decide(Request("sns:Publish", topic, context, {"Service": service}), {"topic": policy})
            if not allowed:
                policy_status = FAIL if allowed is False else (WARN if policy_status == PASS else policy_status)
                policy_lines.append(f"{severity}: {service} may NOT publish ({reason})")
        key = attrs.get("KmsMasterKeyId")
        if not key:
            key_status = WARN if key_status == PASS else key_status
            key_lines.append(f"{severity}: not encrypted")
        elif key.endswith("alias/aws/sns"):
            key_status = FAIL
            key_lines.append(f"{severity}: alias/aws/sns, whose policy admits no AWS service")
        else:
            meta = kms.describe_key(KeyId=key)["KeyMetadata"]
            key_policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"])
            for service in PUBLISHERS:
                for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                    allowed, reason = _decide(Request(action, meta["Arn"], context, {"Service": service}),
                                              {"key": key_policy})
                    if not allowed:
                        key_status = FAIL if allowed is False else (WARN if key_status == PASS else key_status)
                        key_lines.append(f"{severity}: {service} may NOT {action} with {meta['Arn']} ({reason})")
            if meta.get("KeyState") != "Enabled":
                key_status = FAIL
                key_lines.append(f"{severity}: key {meta['Arn']} is {meta.get('KeyState')}")
        subs = [s for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic)
                for s in page["Subscriptions"]]
        for sub in subs:
            waiting = sub["SubscriptionArn"] == "PendingConfirmation"
            if not waiting:  # the emulator lists pending ones with an ARN; their attributes say it
                sattrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
                waiting = sattrs.get("PendingConfirmation") == "true"
            if waiting:
                pending.append((severity, sub))
        sub_lines.append(f"{severity}: {len(subs)} subscription(s)"
                         + ("" if subs else " (its alerts reach no one)"))
    if pending:
        sub_status = FAIL
        sub_lines = [f"{sev}: {s['Protocol']} {s['Endpoint']} waits for its confirmation" for sev, s in pending]
    topics = ", ".join(sorted(env.topics))
    return [
        Check("alerts.topic-policy", "each topic's policy lets CloudWatch, EventBridge and Budgets publish",
              policy_status,
              "\n".join(policy_lines) or f"{topics}: the three may publish (aws:SourceAccount {account.id})",
              "the topic policy needs an Allow of sns:Publish for those service principals with aws:SourceAccount = "
              "this account: the notifications module's statement PublisherServicesPublish (input publisher_services);"
              " re-apply the environment" if policy_status != PASS else ""),
        Check("alerts.key", "each topic's KMS key lets them encrypt (GenerateDataKey, Decrypt)", key_status,
              "\n".join(key_lines) or f"{topics}: a customer-managed key that admits the three",
              "the key policy needs statement AwsServicesPublishAlertsForThisAccount (modules/kms_key, input "
              "publisher_services), and the topics a customer-managed key; re-apply the environment"
              if key_status != PASS else ""),
        Check("alerts.subscriptions", "no subscription waits for its confirmation", sub_status, "\n".join(sub_lines),
              "confirm from the message AWS sent to each endpoint (it expires after 3 days; `aws sns subscribe` "
              "sends it again), or remove the subscription from alert_subscriptions" if pending else ""),
    ]


def run_checks(env: Environment, account: Account, job_names: list[str] | None = None,
               since_hours: float = 25.0) -> tuple[list[Check], list[str]]:
    """Every check, and the job names that were not found."""
    names = job_names or env.job_names
    found = {n: account.job(n) for n in names}
    jobs = [j for j in found.values() if j]
    checks = logs_checks(env, account, jobs) + tracing_checks(env, account, jobs)
    checks += metrics_checks(env, account, jobs, since_hours) + alerts_checks(env, account)
    return checks, [n for n, j in found.items() if j is None]


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


def render(env: Environment, account: Account, checks: list[Check], not_found: list[str]) -> str:
    lines = [f"doctor: {env.name} in account {account.id}, {account.region}"]
    if env.missing():
        lines.append(f"  outputs this environment lacks (read elsewhere): {', '.join(env.missing())}")
    if not_found:
        lines.append(f"  Glue jobs not found: {', '.join(not_found)} (give the jobs' names with --job)")
    for c in checks:
        lines.append(f"{c.status.upper():<5} {c.id:<22} {c.what}")
        lines += [f"      {line}" for line in c.evidence.splitlines()]
        if c.fix:
            lines.append(f"      fix: {c.fix}")
    counts = {s: sum(c.status == s for c in checks) for s in (PASS, FAIL, WARN)}
    lines.append(f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[WARN]} warned")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.doctor", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="dev", help="environment (environments/<env>)")
    p.add_argument("--target", default="emulator", choices=["emulator", "aws"])
    p.add_argument("--job", action="append", default=[], help="a Glue job to check (repeatable; default: the "
                   "environment's)")
    p.add_argument("--since-hours", type=float, default=25.0, help="how recent a datapoint must be (default 25)")
    p.add_argument("--json", action="store_true", help="the checks as JSON")
    args = p.parse_args(argv)
    try:
        env, client, region = load(args.env, args.target)
        account = Account(client, region)
    except RuntimeError as exc:
        print(f"doctor: {exc}", file=sys.stderr)
        return 2
    checks, not_found = run_checks(env, account, args.job, args.since_hours)
    if args.json:
        print(json.dumps({"environment": env.name, "account": account.id, "region": region,
                          "missing_outputs": env.missing(), "jobs_not_found": not_found,
                          "exit_code": exit_code(checks), "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(render(env, account, checks, not_found))
    return exit_code(checks)


if __name__ == "__main__":
    sys.exit(main())
