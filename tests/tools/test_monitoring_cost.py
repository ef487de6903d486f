"""tools/monitoring_cost.py and tools/cost/: a hand count of the dev plan's billed items, the free tier once per
account, the per-job split, what is not priced, the savings, the price table and the command line.

The fixtures are real plans trimmed to what the tool reads:
    python -m harness plan-json --env dev --out /tmp/dev.json
    python -m tools.monitoring_cost /tmp/dev.json --trim tests/tools/fixtures/dev-plan.json
(prod-plan.json the same way from the prod environment's plan).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from tools import monitoring_cost as mc
from tools.cost import contract
from tools.cost.assumptions import Assumptions
from tools.cost.estimate import classify_alarm, estimate_environment
from tools.cost.plan import SHARED, Res, planned_resources, trim_plan
from tools.cost.prices import Prices
from tools.cost.savings import analyse
from tools.cost.schedule import fires_per_month

pytestmark = pytest.mark.python
FIXTURES = Path(__file__).with_name("fixtures")
P = Prices.load()
DAYS, HOURS = P.days, P.hours  # 30.4167 days, 730 hours a month
JOB = "customer_import"


def plan(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}-plan.json").read_text())


def price(key: str) -> float:
    return P.unit_price(key)


def run(docs, accounts=(), free_tier=True, a: Assumptions | None = None):
    return mc.estimate(list(docs), P, a or Assumptions(), list(accounts), free_tier)


# ---- the hand count ------------------------------------------------------------------------------------------
# The dev plan (tests/tools/fixtures/dev-plan.json), read resource by resource, with the default assumptions:
# 1 run a day (30.4167 a month), 1 failure a month, 5 MB of Glue logs a run, 10 KB of logs a Lambda invocation,
# 1 notification a failed run (the job-state rule's sentence: job-failure and the health roll-up have no actions,
# and job-failure suppresses the glue-errors and out-of-memory composites).
# The Lambdas run: health check cron(0 6 * * ? *) = 30.4167 a month; weekly report cron(0 7 ? * MON *) =
# 30.4167 / 7 = 4.34524 a month; remediation: its dlq-sweep rate(6 hours) = 4 x 30.4167 = 121.667, its glue-failed
# rule 1, its dq-results rule 0 (dev's job has no Data Quality ruleset), and its critical and warning subscriptions
# 1 failure notification + 1 health alert = 124.667. Together 159.429 invocations.
RUNS = DAYS
REMEDIATION = 4 * DAYS + 1 + 1 + 1
INVOCATIONS = DAYS + DAYS / 7 + REMEDIATION
MB_GB = 1 / 1024
HAND_COUNT = {
    # (service, item, job or shared): quantity
    # alarms: job_monitoring's volume-anomaly is an ANOMALY_DETECTION_BAND alarm: 3 alarm metrics
    ("CloudWatch alarms", "anomaly-detection alarms", JOB): 3,
    # api-errors is a metric-math alarm over ApiCalls and ApiErrors: 2 alarm metrics
    ("CloudWatch alarms", "metric-math alarms", JOB): 2,
    # api-latency, data-freshness, duration-regression, glue-errors, job-failure, job-skewness, out-of-memory,
    # quality-score, schema-changes, validation-failure-rate, worker-utilization: 11 (dev has no SLO and no ruleset)
    ("CloudWatch alarms", "metric alarms", JOB): 11,
    # cost_alerts: 2 billing alarms; dead_letter_queue: depth and age x warning and critical = 4; each of the 3
    # Lambdas: errors and its async DLQ's depth = 6; 2 + 4 + 6 = 12, all with periods >= 60 s
    ("CloudWatch alarms", "metric alarms", SHARED): 12,
    # the job's health roll-up, and the notifying composites of glue-errors and out-of-memory
    ("CloudWatch alarms", "composite alarms", JOB): 3,
    # glue-etl-dev-etl-main (3 metrics) and glue-etl-dev-etl-metrics (25 metrics): both under 50 metrics
    ("CloudWatch dashboards", "dashboards", SHARED): 2,
    # 3 + 25 dashboard metrics, read once a day each
    ("CloudWatch API", "GetMetricData of dashboard views", SHARED): 28 * DAYS,
    # docs/metrics.md: 13 metrics per job + StageDurationSeconds and StageThroughput x 3 stages (extract,
    # transform, load on the metrics dashboard) = 19 streams, each sent in 1 hour of each of 30.4167 runs
    ("CloudWatch metrics", "custom metric streams of the contract", JOB): 19 * RUNS / HOURS,
    # lambda_src/health_check emits 4 metrics every run: 4 streams x 30.4167 hours
    ("CloudWatch metrics", "Powertools metrics of health_check", SHARED): 4 * DAYS / HOURS,
    # lambda_src/remediation: 13 metrics of docs/metrics.md's operations table, at most 124.667 hours a month
    ("CloudWatch metrics", "Powertools metrics of remediation", SHARED): 13 * REMEDIATION / HOURS,
    # lambda_src/weekly_report: 3 metrics, 4.34524 hours a month
    ("CloudWatch metrics", "Powertools metrics of weekly_report", SHARED): 3 * (DAYS / 7) / HOURS,
    # one batched PutMetricData a run
    ("CloudWatch API", "PutMetricData of the runs", JOB): RUNS,
    # 5 MB a run into the 3 Glue log groups; kept 7 days (retention_in_days of the three groups)
    ("CloudWatch Logs", "Glue job logs: ingestion", JOB): RUNS * 5 * MB_GB,
    ("CloudWatch Logs", "Glue job logs: storage", JOB): RUNS * 5 * MB_GB * 7 / DAYS,
    # 10 KB an invocation into the Lambdas' groups, kept 7 days
    ("CloudWatch Logs", "Lambda logs: ingestion", SHARED): INVOCATIONS * 10 / 1024 / 1024,
    ("CloudWatch Logs", "Lambda logs: storage", SHARED): INVOCATIONS * 10 / 1024 / 1024 * 7 / DAYS,
    # JobsStarted, JobsSucceeded, JobsFailed filters: free (their metrics are in the contract's 19)
    ("CloudWatch Logs", "metric filters (their metrics are counted above)", SHARED): 3,
    # the main dashboard's 2 log widgets read the output group over 24 h (5 MB a day), once a day each
    ("CloudWatch Logs", "Logs Insights scans of dashboard log widgets", SHARED): 2 * 5 * MB_GB * DAYS,
    # kms_key: the environment's one key, rotation on
    ("KMS", "customer managed keys", SHARED): 1,
    ("KMS", "rotated key material", SHARED): 0,  # first year: no rotation yet
    ("KMS", "requests of the runs", JOB): 20 * RUNS,
    ("KMS", "requests of the Lambdas", SHARED): 5 * INVOCATIONS,
    ("Lambda", "health_check: invocations", SHARED): DAYS,
    ("Lambda", "health_check: compute", SHARED): DAYS * 10 * 256 / 1024,  # 10 s at 256 MB
    ("Lambda", "remediation: invocations", SHARED): REMEDIATION,
    ("Lambda", "remediation: compute", SHARED): REMEDIATION * 5 * 256 / 1024,  # 5 s at 256 MB
    ("Lambda", "weekly_report: invocations", SHARED): DAYS / 7,
    ("Lambda", "weekly_report: compute", SHARED): DAYS / 7 * 60 * 512 / 1024,  # 60 s at 512 MB
    # one trace a run, read once; every Lambda invocation traced (tracing_config Active), read once
    ("X-Ray", "traces recorded (job runs)", JOB): RUNS,
    ("X-Ray", "traces retrieved or scanned", JOB): RUNS,
    ("X-Ray", "traces recorded (Lambdas, active tracing)", SHARED): INVOCATIONS,
    ("X-Ray", "traces retrieved or scanned", SHARED): INVOCATIONS,
    # the group glue-etl-dev-dev has Insights on and filters annotation.job_name = "customer_import"
    ("X-Ray", "traces processed by Insights", JOB): RUNS,
    # 1 group, 2 sampling rules, 1 encryption setting
    ("X-Ray", "groups, sampling rules, encryption (free)", SHARED): 4,
    # 4 KB of audit events a run, expired after 90 days (lifecycle 'audit-events')
    ("S3", "audit trail storage (at full retention)", JOB): RUNS * 4 / 1024 / 1024 * 90 / DAYS,
    ("S3", "PUT requests (audit events)", JOB): 4 * RUNS,  # 4 objects a run
    # 200 KB a weekly report; reports/ has no lifecycle rule: 12 months of growth
    ("S3", "weekly reports storage", SHARED): DAYS / 7 * 200 / 1024 / 1024 * 12,
    ("S3", "PUT requests (weekly reports)", SHARED): 2 * DAYS / 7,
    ("S3", "GET requests (weekly report reads the audit trail)", JOB): DAYS / 7 * 7 * 4,
    ("S3", "LIST requests (weekly report)", SHARED): DAYS / 7 * 8 * 2,  # 8 day prefixes x 2 tables
    ("S3", "claims of the remediation Lambda (PUT, GET)", SHARED): 2,
    # 3 saved queries read KBs (2, 8 and 31 days of one run's events): each billed the 10 MB minimum, 4 runs each
    ("Athena", "saved queries: data scanned", JOB): 3 * 4 * 10 / 1024 / 1024,
    ("S3", "Athena results storage", SHARED): 12 * 10 / 1024 / 1024 * 30 / DAYS,  # 10 KB, kept 30 days
    ("S3", "PUT requests (Athena results)", SHARED): 12 * 2,
    # objects read: 2 days x 3 job events + 8 days x 3 + 31 days x 1 quality event = 61, 4 runs
    ("S3", "GET requests (Athena reads the audit trail)", JOB): 61 * 4,
    ("Glue Data Catalog", "objects (databases, tables; partitions projected)", SHARED): 3,  # 1 database, 2 tables
    ("Glue Data Catalog", "requests (Athena planning)", SHARED): 12 * 3,
    # 1 failure x 1 notification (the job-state rule's sentence to the critical topic)
    ("SNS", "publishes (alarm and rule notifications)", JOB): 1,
    # the job-succeeded rule: every completed run to the info topic, 30.4167 runs less 1 failure
    ("SNS", "publishes (completed-run sentences)", JOB): RUNS - 1,
    ("SNS", "publishes (weekly report, health alerts)", SHARED): DAYS / 7 + 1,
    # remediation's 2 lambda subscriptions (critical, warning), each counted for every publish but the info topic's
    ("SNS", "deliveries to lambda subscriptions", SHARED): 2 * (1 + DAYS / 7 + 1),
    ("SQS", "requests (rejected records to the dead-letter queue)", JOB): RUNS,  # 10 records: one batch
    ("SQS", "requests (health check reads the queue depth)", SHARED): 2 * DAYS,
    # health check daily; remediation dlq-sweep, dq-results, glue-failed; tracing insights; weekly report;
    # job_monitoring job-state, job-succeeded, job-running-long: 9
    ("EventBridge", "rules on AWS service events and schedules", SHARED): 9,
    # glue_cost, glue_dpu_hours, s3_storage, api_gateway
    ("Budgets", "budgets without actions", SHARED): 4 * DAYS,
    ("Cost Anomaly Detection", "monitors and subscriptions", SHARED): 2,
    # IAM 4 roles + 4 policies, 1 KMS alias, 7 permissions + 3 invoke configs, 6 bucket settings, 9 event targets,
    # 3 topic policies, 5 saved Logs Insights queries, 3 saved Athena queries, 1 workgroup
    ("no charge", "configuration without a price of its own", SHARED): 46,
}


def lines_by_key(est):
    out = {}
    for line in est.lines:
        key = (line.service, line.item, SHARED if line.owner == SHARED else JOB)
        assert key not in out, f"two lines for {key}"
        out[key] = line
    return out


def test_make_cost_matches_the_hand_count_of_the_dev_plan():
    (dev,), _accounts, _free = run([("dev", plan("dev"))], free_tier=False)
    got = lines_by_key(dev)
    assert set(got) == set(HAND_COUNT), (set(got) ^ set(HAND_COUNT))
    for key, quantity in HAND_COUNT.items():
        line = got[key]
        assert line.quantity == pytest.approx(quantity, rel=1e-4), key
        assert line.monthly == pytest.approx(quantity * price(line.price_key) if line.price_key else 0,
                                             rel=1e-4, abs=1e-9), key
    # the Glue job and its script and package are the ETL, listed and not priced
    assert [(n["type"], n["count"]) for n in dev.not_priced] == [("aws_glue_job", 1), ("aws_s3_object", 2)]
    # the bill before the free tier: alarms 2.80, composites 1.50, dashboards 6, the key 1, the rest cents
    assert dev.total() == pytest.approx(
        (3 + 2 + 11 + 12) * price("cloudwatch.alarm_standard") + 3 * price("cloudwatch.alarm_composite")
        + 2 * price("cloudwatch.dashboard") + 1 * price("kms.key")
        + sum(line.monthly for line in dev.lines if line.service not in ("CloudWatch alarms", "CloudWatch dashboards")
              and line.item != "customer managed keys"), rel=1e-9)
    assert dev.total() == pytest.approx(12.36, abs=0.005)


def test_dev_alone_in_its_account_after_the_free_tier():
    (dev,), _accounts, free = run([("dev", plan("dev"))])
    # 28 standard alarm metrics, 10 free; both dashboards free; custom metrics (3.2 metric-months), logs (0.5 GB),
    # Lambda, X-Ray recordings, KMS, SNS, SQS and catalog requests within their allowances. Left: the alarms
    # beyond the free ten, the 3 composites, the key, GetMetricData, X-Ray Insights, S3 and Athena.
    paid = (28 - 10) * price("cloudwatch.alarm_standard") + 3 * price("cloudwatch.alarm_composite") + price("kms.key")
    rest = sum(line.monthly for line in dev.lines if line.service in ("S3", "Athena") or
               line.item in ("GetMetricData of dashboard views", "traces processed by Insights"))
    assert dev.total(after=True) == pytest.approx(paid + rest, rel=1e-6)
    assert free["nonprod"]["cloudwatch.dashboards"]["credit"] == pytest.approx(2 * price("cloudwatch.dashboard"))


# ---- the free tier once per account --------------------------------------------------------------------------

def test_two_environments_in_one_account_get_the_free_tier_once():
    docs = [("dev", plan("dev")), ("staging", plan("dev"))]  # two identical environments
    shared, _a, _f = run(docs, ["nonprod=dev,staging"])
    apart, _a, _f = run(docs, ["a=dev", "b=staging"])
    before = sum(e.total() for e in shared)
    assert before == pytest.approx(sum(e.total() for e in apart))
    # apart: 10 free alarm metrics and 3 free dashboards each; together: 10 and 3 for both
    lost = 10 * price("cloudwatch.alarm_standard") + 1 * price("cloudwatch.dashboard")
    assert sum(e.total(True) for e in shared) == pytest.approx(sum(e.total(True) for e in apart) + lost, rel=1e-6)
    # the two identical environments share the account's allowance equally
    assert shared[0].total(True) == pytest.approx(shared[1].total(True))


def test_accounts_default_and_option():
    (_d, _p), accounts, _f = run([("dev", plan("dev")), ("prod", plan("prod"))])
    assert accounts == {"nonprod": ["dev"], "prod": ["prod"]}
    _e, accounts, _f = run([("dev", plan("dev")), ("qa", plan("dev"))], ["shared=dev,qa"])
    assert accounts == {"shared": ["dev", "qa"]}
    _e, accounts, _f = run([("dev", plan("dev")), ("qa", plan("dev"))])
    assert accounts == {"nonprod": ["dev"], "qa": ["qa"]}  # an environment no account names has its own
    with pytest.raises(ValueError, match="in two accounts"):
        run([("dev", plan("dev"))], ["a=dev", "b=dev"])


# ---- per job -------------------------------------------------------------------------------------------------

def two_job_plan() -> dict:
    """The dev plan with a second job, `orders`: job_monitoring's per-job module copied."""
    doc = plan("dev")
    extra = []
    for rc in doc["resource_changes"]:
        if 'module.job["customer_import"]' in rc["address"]:
            text = json.dumps(rc).replace("customer_import", "orders")
            extra.append(json.loads(text))
    doc["resource_changes"] += extra
    return doc


def test_the_per_job_split_adds_up_to_the_environment_total():
    (dev,), _a, _f = run([("dev", two_job_plan())])
    assert dev.jobs == ["customer_import", "orders"]
    for after in (False, True):
        per_job = dev.per_job(after)
        assert sum(j["total"] for j in per_job.values()) == pytest.approx(dev.total(after), rel=1e-9)
        assert sum(j["own"] for j in per_job.values()) + dev.total(after, SHARED) == pytest.approx(dev.total(after))
        for j in per_job.values():
            assert sum(j["categories"].values()) == pytest.approx(j["own"])
            assert j["shared_part"] == pytest.approx(dev.total(after, SHARED) / 2)
    # each job has its own alarms: 3 + 2 + 11 alarm metrics and 3 composites
    own_alarms = [line for line in dev.lines if line.owner == "orders" and line.service == "CloudWatch alarms"]
    assert sum(line.quantity for line in own_alarms if "composite" not in line.item) == 16
    assert sum(line.quantity for line in own_alarms if "composite" in line.item) == 3


# ---- what is not priced --------------------------------------------------------------------------------------

def test_an_unknown_resource_type_is_listed_as_not_priced(capsys, tmp_path):
    doc = plan("dev")
    doc["resource_changes"].append({"address": "module.x.aws_quantum_ledger.this[0]", "type": "aws_quantum_ledger",
                                    "mode": "managed", "change": {"actions": ["create"], "after": {}}})
    (dev,), _a, _f = run([("dev", doc)])
    unknown = [n for n in dev.not_priced if n["type"] not in ("aws_glue_job", "aws_s3_object")]
    assert [(n["type"], n["count"]) for n in unknown] == [("aws_quantum_ledger", 1)]
    assert "unknown resource type" in unknown[0]["why"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    assert mc.main(["--env", f"dev={path}"]) == 0
    out = capsys.readouterr().out
    assert "not priced:" in out and "aws_quantum_ledger x1: unknown resource type" in out


def test_the_etl_itself_is_not_priced_and_says_why():
    doc = plan("dev")
    doc["resource_changes"].append({"address": "module.job.aws_glue_job.this[0]", "type": "aws_glue_job",
                                    "mode": "managed", "change": {"actions": ["create"], "after": {}}})
    (dev,), _a, _f = run([("dev", doc)])
    assert dev.not_priced[0]["type"] == "aws_glue_job" and "not its monitoring" in dev.not_priced[0]["why"]


# ---- savings -------------------------------------------------------------------------------------------------

def savings(env: str, name: str) -> tuple[dict, dict]:
    estimates, accounts, _f = run([(env, plan(name))])
    result = analyse(estimates, accounts, P, Assumptions())[env]
    return result, {r["key"]: r for r in result["rows"]}


def test_the_savings_follow_from_the_prices():
    result, rows = savings("prod", "prod")
    alarm, composite = price("cloudwatch.alarm_standard"), price("cloudwatch.alarm_composite")
    # prod has the environment's one key already
    assert not rows["one-kms-key"]["applies"]
    # success rate: 4 windows x 2 metrics -> one day alarm of 2; freshness: 4 x 1 -> 1; the two composites stay
    # (they alone can wait for job-failure and data-freshness, the alarms that announced the incident)
    assert rows["slo-single-window"]["saves_per_job"] == pytest.approx((8 - 2 + 4 - 1) * alarm)
    # prod has 40 standard alarm metrics, so the free ten still apply after the change: same saving
    assert rows["slo-single-window"]["saves_per_job_after_free_tier"] == pytest.approx((8 - 2 + 4 - 1) * alarm)
    assert rows["health-composite"]["saves_per_job"] == pytest.approx(composite)
    assert rows["anomaly-to-static"]["saves_per_job"] == pytest.approx(2 * alarm)
    # JobsStarted and StageThroughput x 3: 4 of the 19 streams, each 30.4 h of 730
    assert rows["unread-streams"]["saves_per_job"] == pytest.approx(
        4 * DAYS / HOURS * price("cloudwatch.custom_metric"))
    # two dashboards -> one: a dashboard at list price; nothing after the free tier (prod's two are free)
    assert rows["merge-dashboards"]["saves_per_job"] == pytest.approx(price("cloudwatch.dashboard"))
    assert rows["merge-dashboards"]["saves_per_job_after_free_tier"] == pytest.approx(0)
    for key in ("one-kms-key", "high-resolution", "duplicate-streams", "billing-alarms-once"):
        assert not rows[key]["applies"], key
    # every change that gives up no coverage, together
    no_loss = sum(r["saves_per_job_after_free_tier"] for r in rows.values()
                  if r["applies"] and r["coverage"].startswith("none"))
    assert result["per_job_with_no_loss_changes_after_free_tier"] == pytest.approx(
        result["per_job_now_after_free_tier"] - no_loss, abs=0.005)
    # the truth: prod's one job is 6.51 after the free tier, 5.11 with the SLO and health changes: not under 4.00
    # (its composites, 2.50, and the key, 1.00, are most of what is left)
    assert result["per_job_now_after_free_tier"] == pytest.approx(6.51, abs=0.005)
    assert result["per_job_with_no_loss_changes_after_free_tier"] == pytest.approx(5.11, abs=0.005)


def test_billing_alarms_are_duplicated_in_a_shared_account():
    estimates, accounts, _f = run([("dev", plan("dev")), ("staging", plan("dev"))], ["nonprod=dev,staging"])
    rows = {r["key"]: r for r in analyse(estimates, accounts, P, Assumptions())["staging"]["rows"]}
    assert rows["billing-alarms-once"]["saves_per_job"] == pytest.approx(2 * price("cloudwatch.alarm_standard"))


# ---- alarms, metrics, schedules --------------------------------------------------------------------------------

def alarm(**values) -> Res:
    return Res('module.jm.aws_cloudwatch_metric_alarm.this["orders/x/warning"]', "aws_cloudwatch_metric_alarm", values)


def test_alarm_classes():
    dims = {"JobName": "orders", "Environment": "prod"}
    assert classify_alarm(alarm(period=3600, metric_name="M", dimensions=dims)) == ("static", 1, False)
    assert classify_alarm(alarm(period=10, metric_name="M", dimensions=dims)) == ("static", 1, True)
    math = alarm(metric_query=[{"id": "a", "metric": [{"metric_name": "A", "period": 300}]},
                               {"id": "b", "metric": [{"metric_name": "B", "period": 300}]},
                               {"id": "r", "expression": "a / b"}])
    assert classify_alarm(math) == ("math", 2, False)
    band = alarm(metric_query=[{"id": "m1", "metric": [{"metric_name": "A", "period": 30}]},
                               {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}])
    assert classify_alarm(band) == ("anomaly", 3, True)


def test_tiered_metric_prices():
    key = "cloudwatch.custom_metric"
    assert P.tiered(key, 0) == 0
    assert P.tiered(key, 10_000) == pytest.approx(3000)
    assert P.tiered(key, 10_001) == pytest.approx(3000.10)
    assert P.tiered(key, 1_000_100) == pytest.approx(3000 + 24000 + 37500 + 2)


def test_metrics_full_month_bills_every_stream_the_whole_month():
    a = Assumptions()
    a.metrics_full_month = True
    est = estimate_environment("dev", plan("dev"), P, a)
    line = next(li for li in est.lines if li.item == "custom metric streams of the contract")
    assert line.quantity == 19


def test_contract_and_lambda_metrics_are_read_from_the_project():
    names = contract.contract_metrics()
    assert {"JobsSucceeded", "DataAgeHours", "StageDurationSeconds", "ApiLatencyMs"} <= set(names)
    assert len(names) == len(set(names)) == 15
    assert contract.lambda_metrics("lambda_src.health_check.handler.lambda_handler") == [
        "HealthChecksPassed", "HealthChecksWarned", "HealthChecksFailed", "HealthChecksErrored"]
    assert "AuditLinesSkipped" in contract.lambda_metrics("lambda_src.weekly_report.handler.lambda_handler")
    assert contract.lambda_metrics("elsewhere.handler") == []


@pytest.mark.parametrize(("expression", "per_month"), [
    ("cron(0 6 * * ? *)", DAYS), ("cron(0 7 ? * MON *)", DAYS / 7), ("rate(1 hour)", 24 * DAYS),
    ("rate(5 minutes)", 288 * DAYS), ("cron(0 9 ? * MON-FRI *)", 5 * DAYS / 7), ("cron(0 8 1 * ? *)", 1),
    ("whenever", None)])
def test_schedules(expression, per_month):
    got = fires_per_month(expression, DAYS)
    assert got == (None if per_month is None else pytest.approx(per_month))


# ---- the price table, plans and states, the command line ------------------------------------------------------

def test_every_price_has_a_source_a_date_and_a_status():
    for kind in ("prices", "free_tier"):
        for key, entry in P.doc[kind].items():
            assert entry["source"].startswith(("http", "kept")), key
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["read"]), key
            if entry["status"] == "unverified":
                assert "memory" in entry["source"] or "unverified" in entry.get("note", "") or \
                       "previous" in entry.get("note", ""), key
    bad = copy.deepcopy(P.doc)
    del bad["prices"]["kms.key"]["source"]
    with pytest.raises(ValueError, match="kms.key lacks source"):
        Prices(bad).check()


def test_a_state_prices_like_its_plan():
    doc = plan("dev")
    state = {"values": {"root_module": {"resources": [
        {"address": rc["address"], "type": rc["type"], "mode": "managed", "values": rc["change"]["after"]}
        for rc in doc["resource_changes"]]}}}
    (a,), _x, _y = run([("dev", doc)])
    (b,), _x, _y = run([("dev", state)])
    assert a.total() == pytest.approx(b.total()) and a.total(True) == pytest.approx(b.total(True))


def test_trimming_keeps_what_the_tool_reads():
    doc = plan("dev")
    assert trim_plan(doc) == doc
    assert len(planned_resources(doc)) == 125


def test_cli_table_json_savings_and_warning(tmp_path, capsys):
    dev, prod = FIXTURES / "dev-plan.json", FIXTURES / "prod-plan.json"
    assert mc.main(["--env", f"dev={dev}", "--env", f"prod={prod}", "--savings"]) == 0
    out = capsys.readouterr().out
    for text in ("== dev  (account nonprod", "== prod  (account prod", "== summary", "== assumptions",
                 "--log-mb-per-run", "== savings: prod", "coverage given up", "unverified:"):
        assert text in out, text
    assert mc.main(["--env", f"dev={dev}", "--env", f"prod={prod}", "--json", "--account", "all=dev,prod"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["accounts"] == {"all": ["dev", "prod"]}
    assert data["total_before"] == pytest.approx(sum(e["total_before"] for e in data["environments"]))
    assert mc.main(["--env", f"staging={dev}", "--runs-per-day", "4", "--log-mb-per-run", "2"]) == 0
    captured = capsys.readouterr()
    assert "WARNING: the plan given for staging is dev's" in captured.out
    assert re.search(r"--runs-per-day\s+4\s+\(set\)", captured.out)
    assert mc.main(["--env", f"prod={prod}", "--markdown"]) == 0
    assert "| change | saves per job per month" in capsys.readouterr().out
