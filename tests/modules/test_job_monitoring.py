"""modules/job_monitoring beyond its plan inventory.

plan:     the example's alarms follow the alarm policy (names, severities, runbook links; actions are checked
          on the applied state, the topics' ARNs being unknown at plan time), with the module's silent alarms
          (a roll-up or an SLO window, "No actions:" in their description) silent and nothing else; every signal of
          the catalog (signals.json) is built as the catalog says and documented where the catalog's names point;
          the README's usage block uses the module's inputs; an upgrade from the 0.1 interface keeps every address
          and alarm name; alarm_eval replays the on-call review's cases over the plan (one notification per
          incident, nothing after a fresh apply, a job that stops reporting is caught, SLO windows silent); the
          dashboards fit CloudWatch's limits without overlapping widgets; the paging example is split into pages.
apply:    on the emulator, every alarm that notifies sends ALARM and OK (freshness also INSUFFICIENT_DATA) to exactly
          the topic of its severity and the silent ones have no action; composites name their children by ARN and
          the burn-rate alert is suppressed by the job's own alarm; the failure rules match the job's failure states
          and notify through an input transformer; the dashboards are stored as planned; the whole applied state
          passes the policy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from policy import NO_OK, SILENT, check_alarm_policy, count_alarms

from alarm_eval.engine import run
from alarm_eval.plan import from_document
from alarm_eval.scenario import from_dict
from alarm_eval.topology import build
from harness import hcl
from tools.dashboard_preview import load_bodies, metric_count, outside_grid, overlaps

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = ROOT / "modules" / "job_monitoring"
CATALOG = json.loads((MODULE_DIR / "signals.json").read_text())
KEY = "module.job_monitoring__complete"
MODULE = f"{KEY}.module.job_monitoring"
PREFIX = "ex-jobmon-complete"

# the complete example's plan before the catalog (0.1: alarm_defaults, runbook_base_url, ex-job-monitoring-complete)
OLD_PLAN = ROOT / "tests" / "alarm_eval" / "fixtures" / "job_monitoring_example_plan.json"


def _limits_ok(bodies: dict[str, dict]) -> list[str]:
    problems = []
    for name, body in bodies.items():
        widgets = body["widgets"]
        size = len(json.dumps(body, separators=(",", ":")))
        if len(widgets) > 500 or size > 262144:
            problems.append(f"{name}: {len(widgets)} widgets, {size} bytes")
        if sum(metric_count(w) for w in widgets) > 2500:
            problems.append(f"{name}: more than 2500 metrics")
        for w in widgets:
            if metric_count(w) > 500 or len((w.get("properties") or {}).get("alarms") or []) > 100:
                problems.append(f"{name}: widget {w['properties'].get('title')} over a per-widget limit")
        if overlaps(widgets) or outside_grid(widgets):
            problems.append(f"{name}: overlapping {overlaps(widgets)} or outside the grid {outside_grid(widgets)}")
    return problems


def _alarms(doc: dict, prefix: str = MODULE) -> dict[str, dict]:
    """Alarm address -> planned or applied values, of a plan or a `terraform show -json` state."""
    if "resource_changes" in doc:
        return {rc["address"]: rc["change"]["after"] for rc in doc["resource_changes"]
                if rc["type"].endswith("_alarm") and rc["address"].startswith(prefix)}
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for res in module.get("resources", []):
            if res["type"].endswith("_alarm") and res["address"].startswith(prefix):
                found[res["address"]] = res["values"]
        for child in module.get("child_modules", []):
            walk(child)
    walk(doc["values"]["root_module"])
    return found


def _policy(doc: dict, **kwargs) -> list[str]:
    """The alarm policy (tests/policy.py), where an alarm silent by design ("No actions:" in its description) must
    have no actions and is exempt from "notifies the topic of its severity"."""
    return check_alarm_policy(doc, address_prefix=MODULE, **kwargs)


def _simulate(doc: dict, **scenario):
    result = run(build(from_document(doc)), from_dict({"start": "2026-01-01T00:00:00Z", **scenario}))
    failed = [f"{c.description}: {c.detail}" for c in result.checks if not c.passed]
    assert not failed, "\n".join(failed)
    return result


def _series(metric: str, values: str, **more) -> dict:
    return {"namespace": "Glue/ETL/ex", "metric": metric, "dimensions": {"JobName": "customer-import-ex",
            "Environment": "ex"}, "values": values, **more}


# -- plan -------------------------------------------------------------------------------------------------------

@pytest.mark.plan
def test_example_alarms_follow_the_policy_at_plan(examples_plan):
    doc = examples_plan.doc
    assert count_alarms(doc, MODULE) == 59
    problems = _policy(doc, allow_unknown_actions=True)
    assert not problems, "\n".join(problems)
    silent = sorted(v["alarm_name"] for v in _alarms(doc).values() if SILENT in v["alarm_description"])
    # the 8 SLO windows of customer_import, the 2 health roll-ups, the 6 metric alarms of glue-errors and
    # out-of-memory (their composites notify), and the alarms whose rule sends the sentence instead: job-failure of
    # each of the 3 jobs and data-quality-rules of customer_import's 2 rulesets; nothing else
    announced = ("-job-failure-", "-data-quality-rules-")
    assert len(silent) == 21 and all("-slo-burn-" in n and n.endswith("-info") or "-health-" in n or "-metric-" in n
                                     or any(a in n for a in announced) for n in silent), silent


@pytest.mark.plan
def test_every_signal_of_the_catalog_is_built_as_the_catalog_says(examples_plan):
    """customer_import keeps the catalog's defaults (but quality_score, set module-wide by the example)."""
    alarms = {v["alarm_name"]: v for v in _alarms(examples_plan.doc).values()}
    for sig in CATALOG["signals"].values():
        if not sig["configurable"]:
            continue
        for severity in sig["defaults"]["thresholds"]:
            name = f"{PREFIX}-customer_import-{sig['name']}-{severity}"
            if sig["source"] == "data_quality":  # one alarm per ruleset
                name = f"{PREFIX}-customer_import-{sig['name']}-customers_completeness-{severity}"
            if sig["suppressed_by"]:  # a composite notifies for the silent metric alarm
                assert alarms[name]["alarm_rule"].endswith(f'{sig["name"]}-metric-{severity}")'), name
                name = f"{PREFIX}-customer_import-{sig['name']}-metric-{severity}"
            alarm = alarms[name]
            kind = sig["kind"]
            if kind == "static":
                assert alarm["metric_name"] == sig["metric"], name
                assert sig["statistic"] in (alarm.get("statistic"), alarm.get("extended_statistic")), name
                assert alarm["comparison_operator"] == sig["comparison"], name
            else:
                queries = {q["id"]: q for q in alarm["metric_query"]}
                metrics = {m["metric_name"] for q in queries.values() for m in q.get("metric") or []}
                assert metrics == ({sig["metric"]} if kind == "band" else set(sig["metrics"].values())), name
                assert alarm["comparison_operator"] == sig["comparison"], name
            assert alarm["alarm_description"].startswith(f"{severity.title()}: Glue job customer-import-ex (ex) ")
            assert alarm["alarm_description"].endswith(f"#{sig['name']}"), name
            period = sig["defaults"]["period_seconds"]
            assert (alarm.get("period") or alarm["metric_query"][0]["metric"][0]["period"]) == period, name
            assert alarm["treat_missing_data"] == sig["defaults"]["treat_missing_data"], name


@pytest.mark.plan
def test_the_catalog_is_documented_where_its_names_point():
    runbook = (ROOT / "docs" / "runbooks" / "job-monitoring.md").read_text()
    sections = set(re.findall(r"^## (\S+)$", runbook, re.M))
    names = {sig["name"] for sig in CATALOG["signals"].values()}
    assert names <= sections, f"runbook sections missing (alarm descriptions link to #<signal>): {names - sections}"
    metrics = (ROOT / "docs" / "metrics.md").read_text().split("## Job alarms", 1)[1].split("\n## ", 1)[0]
    documented = {row.split("|")[1].strip(" `") for row in metrics.splitlines() if row.startswith("| `")}
    assert documented == names, f"docs/metrics.md '## Job alarms' differs from signals.json: {documented ^ names}"
    readme = (MODULE_DIR / "README.md").read_text()
    assert all(f"`{n}`" in readme for n in names)
    for sig in CATALOG["signals"].values():  # every metric a signal reads is in the contract
        for metric in [sig["metric"], *(sig["metrics"] or {}).values()]:
            assert metric is None or f"`{metric}`" in (ROOT / "docs" / "metrics.md").read_text(), metric


@pytest.mark.plan
def test_the_readme_usage_block_uses_the_modules_inputs():
    readme = (MODULE_DIR / "README.md").read_text()
    usage = readme.split("```hcl", 1)[1].split("```", 1)[0]
    used = set(re.findall(r"^  ([a-z_]+)\s*=", usage, re.M)) - {"source"}
    inputs = set(hcl.read(MODULE_DIR).variables)
    assert used and used <= inputs, f"the usage block sets inputs the module does not have: {used - inputs}"


@pytest.mark.plan
def test_an_upgrade_from_0_1_keeps_every_address_and_alarm_name(examples_plan):
    """The 0.1 plan of the same example (before the catalog): every alarm, rule and target it created is planned
    again at the same address with the same name, so a state of 0.1 is updated in place (no moved block is needed,
    none is replaced). The example's own prefix changed (26 characters is over name_prefix's 24)."""
    old = {rc["address"].split(".module.job_monitoring.", 1)[1]: rc["change"]["after"]
           for rc in json.loads(OLD_PLAN.read_text())["resource_changes"]
           if ".module.job_monitoring.module.job[" in rc["address"]}
    new = {rc["address"].split(".module.job_monitoring.", 1)[1]: rc["change"]["after"]
           for rc in examples_plan.doc["resource_changes"] if rc["address"].startswith(f"{MODULE}.module.job[")}
    assert len(old) == 42 and set(old) <= set(new), sorted(set(old) - set(new))
    for address, before in old.items():
        for attr in ("alarm_name", "name", "rule"):
            if attr in before:
                assert new[address][attr] == before[attr].replace("ex-job-monitoring-complete", PREFIX), address


@pytest.mark.plan
def test_one_failed_run_notifies_once(examples_plan):
    """A FAILED run of customer_import: its log line counts in JobsFailed (the SLO windows burn 100x) and the rule
    matches the event. Before: job-failure, health and the SLO alert (and 8 windows) each notified. Now the rule's
    sentence (run id, Glue's message) is the one page; the job-failure alarm has no actions but still drives the
    roll-ups and suppresses the burn-rate alert while in ALARM and while the failure's datapoint is in its short
    windows; health and windows have no actions."""
    result = _simulate(
        examples_plan.doc, name="one failed run", duration="4h", alarms=[f"{PREFIX}-customer_import-*"],
        events=[{"at": "20m", "glue_job_state": {"job": "customer-import-ex", "state": "FAILED", "run_id": "jr_1"}}],
        series=[_series("JobsFailed", "1", start="20m")],
        expect={"transitions": [
            {"alarm": f"{PREFIX}-customer_import-job-failure-critical", "mode": "at_least",
             "sequence": [{"from": "OK", "to": "ALARM", "at": "21m"}]},
            {"alarm": f"{PREFIX}-customer_import-slo-burn-success-rate-critical", "mode": "at_least",
             "sequence": [{"from": "OK", "to": "ALARM", "at": "21m"}]},
            {"alarm": f"{PREFIX}-customer_import-health-warning", "mode": "at_least",
             "sequence": [{"to": "ALARM", "at": "21m"}]},
        ]},
    )
    alarms = [(n.origin.rsplit(":", 1)[-1], n.state) for n in result.notifications if n.state == "ALARM"]
    # (the bundle plans other examples too: the dead_letter_queue example's rule matches every failed run)
    sentences = [n for n in result.notifications if n.source == "eventbridge" and f":{PREFIX}-" in n.topic_arn]
    assert alarms == [], alarms  # job-failure has no actions while its rule sends the sentence
    assert len(sentences) == 1 and sentences[0].topic_arn.endswith(f"{PREFIX}-critical")


@pytest.mark.plan
def test_a_fresh_apply_pages_nobody_and_a_job_that_stops_reporting_is_caught(examples_plan):
    """Before, freshness counted missing data as stale: a new job paged critical at once. Now no data at all leaves
    it in INSUFFICIENT_DATA, silently; a job that reported and then stops moves it OK -> INSUFFICIENT_DATA about
    the threshold (25 h) after its last report, and that notifies the warning topic (a failed run has paged
    already; stale data that is reported pages critical)."""
    fresh = _simulate(examples_plan.doc, name="fresh apply", duration="3d", alarms=[f"{PREFIX}-customer_import-*"],
                      expect={"never_alarm": [f"{PREFIX}-customer_import-*"]})
    assert not [n for n in fresh.notifications if n.state in ("ALARM", "INSUFFICIENT_DATA")]
    stops = _simulate(
        examples_plan.doc, name="stops reporting", duration="3d", alarms=[f"{PREFIX}-customer_import-data-freshness-*"],
        series=[_series("DataAgeHours", "2 _x23 2", step="1h")],  # runs at 0 h and 24 h, then never again
        expect={"never_alarm": [f"{PREFIX}-customer_import-data-freshness-*"]},
    )
    stopped = [n for n in stops.notifications if n.state == "INSUFFICIENT_DATA"]
    # a warning: a failed run already paged (job-failure), and a day without a report follows from it
    assert len(stopped) == 1 and stopped[0].topic_arn.endswith(f"{PREFIX}-warning")
    hours = (stopped[0].time - stops.start) / 3600
    assert 24 + 24 <= hours <= 24 + 27, f"announced {hours - 24:.1f} h after the last report"


@pytest.mark.plan
def test_a_stale_load_alarms_at_once_and_recovers_with_the_next_fresh_load(examples_plan):
    result = _simulate(
        examples_plan.doc, name="stale once", duration="3d", alarms=[f"{PREFIX}-customer_import-data-freshness-*"],
        series=[_series("DataAgeHours", "2 _x23 30 _x23 2 _x23", step="1h")],
    )
    states = [(round((t.time - result.start) / 3600), t.new) for t in result.transitions]
    assert ("ALARM" in [s for _, s in states]) and [h for h, s in states if s == "ALARM"][0] == 24, states
    recovered = [h for h, s in states if s == "OK" and h > 24]
    assert recovered and recovered[0] <= 48 + 2, f"still stale {recovered} h after the fresh load at 48 h: {states}"


@pytest.mark.plan
def test_slo_windows_are_silent_and_only_the_burn_rate_alert_notifies(examples_plan):
    """Runs failing every 10 minutes for 3 hours (as their log lines say; the failure alarm sees no state change,
    so nothing suppresses the alert) burn the budget for real: the burn-rate alert pages, its windows never
    notify."""
    result = _simulate(
        examples_plan.doc, name="burning", duration="6h", alarms=[f"{PREFIX}-customer_import-slo-burn-success-rate*"],
        series=[_series("JobsFailed", "1x18", step="10m", start="10m")],
    )
    paged = {n.origin.rsplit(":", 1)[-1] for n in result.notifications if n.state == "ALARM"}
    assert paged == {f"{PREFIX}-customer_import-slo-burn-success-rate-critical"}, paged
    assert not [n for n in result.notifications if n.origin.endswith("-info")], "a window notified"


@pytest.mark.plan
def test_example_dashboards_are_within_limits_and_do_not_overlap(examples_plan):
    bodies = {n: b for n, b in load_bodies(examples_plan.doc).items() if n.startswith(PREFIX)}
    assert set(bodies) == {f"{PREFIX}-etl-main", f"{PREFIX}-etl-metrics"}
    assert not _limits_ok(bodies)
    main = bodies[f"{PREFIX}-etl-main"]["widgets"]
    titles = {w["properties"].get("title") for w in main}
    assert {"Glue Task Success/Failure", "Successful Job Completions (5min bins)"} <= titles
    tasks = next(w for w in main if w["properties"].get("title") == "Glue Task Success/Failure")
    assert ["Glue", "glue.driver.aggregate.numCompletedTasks", "JobName", "customer-import-ex", "JobRunId", "ALL",
            "Type", "count"] == tasks["properties"]["metrics"][1][:8]
    logs = next(w for w in main if w["type"] == "log")
    # glue_log_group_names = []: the job log group modules/log_groups creates for the same name_prefix
    assert logs["properties"]["query"].startswith(f"SOURCE '/aws-glue/jobs/{PREFIX}/output' |")
    assert "stats count() by bin(5m)" in logs["properties"]["query"]
    custom = bodies[f"{PREFIX}-etl-metrics"]["widgets"]
    title = "customer_import: success rate (%) and failed runs"
    rate = next(w for w in custom if w["properties"].get("title") == title)
    expression = rate["properties"]["metrics"][0][0]["expression"]
    assert expression == "100 * FILL(succeeded, 0) / (FILL(succeeded, 0) + FILL(failed, 0))"  # docs/metrics.md
    assert any(w["type"] == "alarm" for w in custom)
    assert any("ApproximateNumberOfMessagesVisible" in json.dumps(w) for w in custom)
    # one widget per catalog widget and job, and each static threshold drawn on the widget its signal names
    per_job = [w for w in custom if w["properties"].get("title", "").startswith("orders_hourly: ")]
    assert [w["properties"]["title"] for w in per_job] == [f"orders_hourly: {w['title']}" for w in CATALOG["widgets"]]
    freshness = next(w for w in per_job if w["properties"]["title"].endswith("(DataAgeHours)"))
    assert freshness["properties"]["annotations"]["horizontal"] == [
        {"label": "critical: stale after 3 h", "value": 3}, {"label": "warning: stale after 2 h", "value": 2}]
    validation = next(w for w in per_job if "validation pass rate" in w["properties"]["title"])
    assert {a["value"] for a in validation["properties"]["annotations"]["horizontal"]} == {80, 95}


@pytest.mark.plan
def test_dashboards_split_into_pages_before_the_limits(examples_plan):
    """modules/job_monitoring/examples/paging: 12 jobs and small dashboard_limits (planned only)."""
    bodies = {n: b for n, b in load_bodies(examples_plan.doc).items() if n.startswith("pg-jm-")}
    names = examples_plan.output_values["job_monitoring__paging"]["dashboard_names"]
    main = sorted(n for n in bodies if "-etl-main" in n)
    metrics = sorted(n for n in bodies if "-etl-metrics" in n)
    # metrics pages: 20 widgets - header, 3 DLQ widgets (5 queues each) and the alarm widget leave room for
    # one job (9 widgets); main pages: 5 health alarms per alarm widget -> 5 jobs
    assert len(main) == 3 and len(metrics) == 12, (main, metrics)
    assert names["main"] == "pg-jm-etl-main" and names["main-3"] == "pg-jm-etl-main-3"
    assert names["metrics-12"] == "pg-jm-etl-metrics-12"
    problems = _limits_ok(bodies)
    assert not problems, problems
    for name in metrics:
        widgets = bodies[name]["widgets"]
        assert len(widgets) <= 20
        assert all(metric_count(w) <= 10 for w in widgets), name
    shown = [json.dumps(bodies[n]) for n in metrics]
    for i in range(12):  # every job is on exactly one metrics page
        assert sum(f'"job{i:02d}"' in s for s in shown) == 1


# -- apply ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(applied_examples):
    return applied_examples.example("job_monitoring")


def _described(cw, names: list[str]) -> dict[str, dict]:
    found = {}
    for i in range(0, len(names), 100):
        page = cw.describe_alarms(AlarmNames=names[i:i + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        for a in page["MetricAlarms"] + page["CompositeAlarms"]:
            found[a["AlarmName"]] = a
    return found


def test_every_alarm_notifies_exactly_the_topic_of_its_severity(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    topics = example["topic_arns"]
    assert len(example["alarms"]) == 59
    found = _described(cw, [a["name"] for a in example["alarms"].values()])
    assert set(found) == {a["name"] for a in example["alarms"].values()}
    for key, meta in example["alarms"].items():
        alarm = found[meta["name"]]
        assert key == f"{meta['job']}/{meta['signal']}" and meta["name"] == f"{PREFIX}-{meta['job']}-{meta['signal']}"
        assert alarm["AlarmName"].endswith(f"-{meta['severity']}") and alarm["ActionsEnabled"], key
        assert "#" in alarm["AlarmDescription"].rsplit("Runbook: ", 1)[1], key
        if not meta["notifies"]:  # a roll-up or an SLO window: its composite (or its children) notify
            assert not alarm.get("AlarmActions") and not alarm.get("OKActions"), key
            assert SILENT in alarm["AlarmDescription"], key
            continue
        topic = topics[meta["severity"]]
        # a composite that may be suppressed sends no OK (it would close nothing)
        ok = [] if NO_OK in alarm["AlarmDescription"] else [topic]
        assert alarm["AlarmActions"] == [topic] and alarm.get("OKActions", []) == ok, key
        stops = "-data-freshness-" in alarm["AlarmName"]  # its INSUFFICIENT_DATA: the job stopped reporting (warns)
        assert alarm.get("InsufficientDataActions", []) == ([topics["warning"]] if stops else []), key
    jobs = ("customer_import", "orders_hourly", "adhoc_backfill")
    silent = sorted(k for k, a in example["alarms"].items() if not a["notifies"])
    assert silent == sorted([*(f"customer_import/slo-burn-{s}-{w}-info" for s in ("success-rate", "freshness")
                               for w in ("1h", "5m", "6h", "30m")),
                             "customer_import/health-warning", "orders_hourly/health-critical",
                             *(f"{j}/{s}-metric-warning" for j in jobs for s in ("glue-errors", "out-of-memory")),
                             # their rules send the incident as a sentence instead
                             *(f"{j}/job-failure-critical" for j in jobs),
                             *(k for k in example["alarms"] if k.startswith("customer_import/data-quality-rules-"))])


def test_composites_name_their_children_by_arn(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    health = cw.describe_alarms(AlarmNames=[f"{PREFIX}-orders_hourly-health-critical"],
                                AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]
    rule = health["AlarmRule"]
    assert " AND " not in rule and rule.startswith('ALARM("arn:aws:cloudwatch:')  # the form LocalStack evaluates
    children = [a for a in example["alarms"].values() if a["job"] == "orders_hourly" and a["type"] == "metric"
                and a["severity"] in ("critical", "warning")]
    assert children and all(f'ALARM("{c["arn"]}")' in rule for c in children)
    assert "volume-anomaly-info" not in rule  # info alarms do not make a job unhealthy
    slo = cw.describe_alarms(AlarmNames=[f"{PREFIX}-customer_import-slo-burn-success-rate-critical"],
                             AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]
    assert slo["AlarmRule"].count(" AND ") == 2 and "slo-burn-success-rate-1h-info" in slo["AlarmRule"]
    assert "-5m-info" in slo["AlarmRule"]
    # quiet while the job's own failure alarm (which paged this incident) is in ALARM
    assert slo["ActionsSuppressor"] == example["alarms"]["customer_import/job-failure-critical"]["arn"]
    assert slo["ActionsSuppressorWaitPeriod"] == 300 and slo["ActionsSuppressorExtensionPeriod"] == 5400


def test_failure_rules_match_the_failure_states_and_notify_a_sentence(applied_examples, example):
    events = applied_examples.client("events")
    rule = example["event_rule_names"]["orders_hourly"]
    pattern = json.loads(events.describe_rule(Name=rule)["EventPattern"])
    assert pattern == {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"],
                       "detail": {"jobName": ["orders_hourly"], "state": ["FAILED", "TIMEOUT", "STOPPED"]}}
    target = events.list_targets_by_rule(Rule=rule)["Targets"][0]
    assert target["Arn"] == example["topic_arns"]["critical"]
    template = target["InputTransformer"]["InputTemplate"]
    assert template.startswith('"CRITICAL: Glue job <job> ended in state <state>')
    assert template.endswith('https://wiki.example.com/runbooks/orders-hourly#job-failure"')


def test_dashboards_are_stored_as_planned(applied_examples, example):
    cw = applied_examples.client("cloudwatch")
    for name, body in example["dashboard_bodies"].items():
        stored = json.loads(cw.get_dashboard(DashboardName=name)["DashboardBody"])
        assert stored == json.loads(body)


def test_applied_state_passes_the_alarm_policy(applied_examples):
    root = applied_examples.root
    doc = json.loads(root.run("show", "-json").stdout)
    assert count_alarms(doc, MODULE) == 59
    problems = _policy(doc)
    assert not problems, "\n".join(problems)


# -- Glue-native signals, Glue Data Quality, schema changes, info notifications (issues 11 and 13) ---------------

GLUE_ERROR_DIMS = {"JobName": "customer-import-ex", "JobRunId": "ALL", "Type": "count", "ObservabilityGroup": "error"}


def _glue(metric: str, values: str, dims: dict | None = None, **more) -> dict:
    """A series in namespace Glue with the dimensions Glue's observability metrics carry (docs/metrics.md)."""
    return {"namespace": "Glue", "metric": metric, "dimensions": dims or GLUE_ERROR_DIMS, "values": values, **more}


def _rules(doc: dict, kind: str) -> dict[str, dict]:
    return {rc["change"]["after"]["name"]: rc["change"]["after"] for rc in doc["resource_changes"]
            if rc["type"] == kind and rc["address"].startswith(MODULE) and "name" in (rc["change"]["after"] or {})}


@pytest.mark.plan
def test_glue_native_signals_read_what_glue_publishes(examples_plan):
    alarms = {v["alarm_name"]: v for v in _alarms(examples_plan.doc).values()}
    job = f"{PREFIX}-customer_import"
    expected = {
        "glue-errors-metric-warning": ("Glue", "glue.error.ALL", "Sum", {**GLUE_ERROR_DIMS}),
        "out-of-memory-metric-warning": ("Glue", "glue.error.OUT_OF_MEMORY_ERROR", "Sum", {**GLUE_ERROR_DIMS}),
        "job-skewness-info": ("Glue", "glue.driver.skewness.job", "Maximum",
                              {**GLUE_ERROR_DIMS, "Type": "gauge", "ObservabilityGroup": "job_performance"}),
        "worker-utilization-info": ("Glue", "glue.driver.workerUtilization", "Average",
                                    {**GLUE_ERROR_DIMS, "Type": "gauge", "ObservabilityGroup": "resource_utilization"}),
        "data-quality-rules-customers_completeness-warning": (
            "Glue Data Quality", "glue.data.quality.rules.failed", "Sum",
            {"JobName": "customer-import-ex", "EvaluationContext": "customers_completeness"}),
        "data-quality-rules-customers_validity-warning": (
            "Glue Data Quality", "glue.data.quality.rules.failed", "Sum",
            {"JobName": "customer-import-ex", "EvaluationContext": "customers_validity"}),
        "schema-changes-info": ("Glue/ETL/ex", "SchemaChanges", "Sum",
                                {"JobName": "customer-import-ex", "Environment": "ex"}),
    }
    for suffix, (namespace, metric, stat, dims) in expected.items():
        a = alarms[f"{job}-{suffix}"]
        assert (a["namespace"], a["metric_name"], a["statistic"], a["dimensions"]) == (namespace, metric, stat, dims), \
            suffix
    assert alarms[f"{job}-worker-utilization-info"]["comparison_operator"] == "LessThanThreshold"
    assert alarms[f"{job}-worker-utilization-info"]["threshold"] == 30
    assert alarms[f"{job}-schema-changes-info"]["threshold"] == 0
    # the suppressed signals: the metric alarm is silent, its composite notifies unless job-failure is in ALARM
    for sig in ("glue-errors", "out-of-memory"):
        assert SILENT in alarms[f"{job}-{sig}-metric-warning"]["alarm_description"]
        composite = alarms[f"{job}-{sig}-warning"]
        assert composite["alarm_rule"].startswith('ALARM("arn:aws:cloudwatch:')
        assert composite["alarm_rule"].endswith(f':alarm:{job}-{sig}-metric-warning")')
        suppressor = composite["actions_suppressor"][0]
        assert suppressor["alarm"].endswith(f":alarm:{job}-job-failure-critical")
        assert suppressor["wait_period"] == 300 and suppressor["extension_period"] == 600
    # one alarm per ruleset; jobs without rulesets have none
    assert not [n for n in alarms if "data-quality-rules" in n and "customer_import" not in n]


@pytest.mark.plan
def test_notification_rules_and_their_switches(examples_plan):
    rules = _rules(examples_plan.doc, "aws_cloudwatch_event_rule")
    targets = {rc["address"]: rc["change"]["after"] for rc in examples_plan.doc["resource_changes"]
               if rc["type"] == "aws_cloudwatch_event_target" and rc["address"].startswith(MODULE)}
    names = set(rules)
    # notify_success: on for the daily and the on-demand job, off by default for the hourly one (< 6 h)
    assert f"{PREFIX}-customer_import-job-succeeded" in names and f"{PREFIX}-adhoc_backfill-job-succeeded" in names
    assert f"{PREFIX}-orders_hourly-job-succeeded" not in names
    assert {f"{PREFIX}-{j}-job-running-long" for j in ("customer_import", "orders_hourly", "adhoc_backfill")} <= names
    # a Glue Data Quality rule only for the job that lists rulesets
    assert [n for n in names if n.endswith("-dq-results")] == [f"{PREFIX}-customer_import-dq-results"]
    dq = json.loads(rules[f"{PREFIX}-customer_import-dq-results"]["event_pattern"])
    assert dq == {"source": ["aws.glue-dataquality"], "detail-type": ["Data Quality Evaluation Results Available"],
                  "detail": {"context": {"contextType": ["GLUE_JOB"], "jobName": ["customer-import-ex"]},
                             "state": ["FAILED"]}}
    ok = json.loads(rules[f"{PREFIX}-customer_import-job-succeeded"]["event_pattern"])
    assert ok == {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"],
                  "detail": {"jobName": ["customer-import-ex"], "state": ["SUCCEEDED"]}}
    late = json.loads(rules[f"{PREFIX}-orders_hourly-job-running-long"]["event_pattern"])
    assert late == {"source": ["aws.glue"], "detail-type": ["Glue Job Run Status"],
                    "detail": {"jobName": ["orders_hourly"]}}
    by_rule = {t["rule"]: t for t in targets.values()}
    assert by_rule[f"{PREFIX}-customer_import-dq-results"]["target_id"] == "notify-warning"
    assert by_rule[f"{PREFIX}-customer_import-job-succeeded"]["target_id"] == "notify-info"
    assert by_rule[f"{PREFIX}-orders_hourly-job-running-long"]["target_id"] == "notify-warning"
    transformer = by_rule[f"{PREFIX}-customer_import-dq-results"]["input_transformer"][0]
    assert transformer["input_paths"]["failed"] == "$.detail.rulesFailed"
    assert transformer["input_paths"]["context"] == "$.detail.context.evaluationContext"
    assert transformer["input_template"].startswith('"WARNING: Glue job <job> failed <failed> Glue Data Quality rules')
    assert transformer["input_template"].endswith('#data-quality-rules"')
    # the alerts example switches the completed-run message off (its end-to-end test sends SUCCEEDED)
    alerts = [(rc["change"]["after"] or {}).get("name", "") for rc in examples_plan.doc["resource_changes"]
              if rc["address"].startswith("module.job_monitoring__alerts.")
              and rc["type"] == "aws_cloudwatch_event_rule"]
    assert sorted(alerts) == ["ex-job-monitoring-alerts-orders-job-running-long",
                              "ex-job-monitoring-alerts-orders-job-state"]


@pytest.mark.plan
def test_one_out_of_memory_run_notifies_once(examples_plan):
    """A run that dies out of memory: the FAILED event (job-failure and its sentence), its log line (JobsFailed), and
    Glue's observability metrics glue.error.ALL and glue.error.OUT_OF_MEMORY_ERROR, as Glue publishes them. The
    job-failure alarm pages once, with the sentence; glue-errors and out-of-memory move to ALARM (their composites
    too) but are suppressed by job-failure, so nothing else notifies, on any topic."""
    result = _simulate(
        examples_plan.doc, name="one OOM run", duration="4h", alarms=[f"{PREFIX}-customer_import-*"],
        events=[{"at": "20m", "glue_job_state": {"job": "customer-import-ex", "state": "FAILED", "run_id": "jr_oom",
                                                 "message": "Container killed by YARN for exceeding memory limits"}}],
        series=[_series("JobsFailed", "1", start="20m"), _glue("glue.error.ALL", "1", start="20m"),
                _glue("glue.error.OUT_OF_MEMORY_ERROR", "1", start="20m")],
        expect={"transitions": [
            {"alarm": f"{PREFIX}-customer_import-out-of-memory-metric-warning", "mode": "at_least",
             "sequence": [{"from": "OK", "to": "ALARM"}]},
            {"alarm": f"{PREFIX}-customer_import-out-of-memory-warning", "mode": "at_least",
             "sequence": [{"to": "ALARM"}]},
            {"alarm": f"{PREFIX}-customer_import-glue-errors-warning", "mode": "at_least",
             "sequence": [{"to": "ALARM"}]},
        ]},
    )
    alarms = [(n.origin.rsplit(":", 1)[-1], n.state) for n in result.notifications if n.state == "ALARM"]
    assert alarms == [], alarms  # job-failure has no actions: its rule's sentence is the page
    sentences = [n for n in result.notifications if n.source == "eventbridge" and f":{PREFIX}-" in n.topic_arn]
    assert len(sentences) == 1 and sentences[0].topic_arn.endswith(f"{PREFIX}-critical")
    # one incident, one page, and nothing on any other topic (the OKs of the alarms' first evaluation aside:
    # CloudWatch sends them after any apply, docs/alarm-replay.md)
    mine = [n for n in result.notifications if f":{PREFIX}-" in n.topic_arn and n.state != "OK"]
    assert mine == sentences, mine


@pytest.mark.plan
def test_glue_error_classes_speak_when_job_failure_did_not(examples_plan):
    """An out-of-memory run in a state the job does not count as a failure (no job-failure page): out-of-memory and
    glue-errors notify the warning topic, once each."""
    result = _simulate(
        examples_plan.doc, name="OOM without a failure page", duration="2h", alarms=[f"{PREFIX}-customer_import-*"],
        series=[_glue("glue.error.ALL", "1", start="20m"), _glue("glue.error.OUT_OF_MEMORY_ERROR", "1", start="20m")],
    )
    paged = sorted(n.origin.rsplit(":", 1)[-1] for n in result.notifications if n.state == "ALARM")
    assert paged == [f"{PREFIX}-customer_import-glue-errors-warning", f"{PREFIX}-customer_import-out-of-memory-warning"]
    assert all(n.topic_arn.endswith(f"{PREFIX}-warning") for n in result.notifications if n.state == "ALARM")


@pytest.mark.plan
@pytest.mark.parametrize("signal, series, fires", [
    ("worker-utilization-info", _glue("glue.driver.workerUtilization", "12", {**GLUE_ERROR_DIMS, "Type": "gauge",
                                      "ObservabilityGroup": "resource_utilization"}, start="20m"), True),
    ("worker-utilization-info", _glue("glue.driver.workerUtilization", "85", {**GLUE_ERROR_DIMS, "Type": "gauge",
                                      "ObservabilityGroup": "resource_utilization"}, start="20m"), False),
    ("job-skewness-info", _glue("glue.driver.skewness.job", "3", {**GLUE_ERROR_DIMS, "Type": "gauge",
                                "ObservabilityGroup": "job_performance"}, start="20m"), True),
    ("job-skewness-info", _glue("glue.driver.skewness.job", "0", {**GLUE_ERROR_DIMS, "Type": "gauge",
                                "ObservabilityGroup": "job_performance"}, start="20m"), False),
    ("data-quality-rules-customers_validity-warning",
     {"namespace": "Glue Data Quality", "metric": "glue.data.quality.rules.failed", "values": "2", "start": "20m",
      "dimensions": {"JobName": "customer-import-ex", "EvaluationContext": "customers_validity"}}, True),
    ("data-quality-rules-customers_validity-warning",
     {"namespace": "Glue Data Quality", "metric": "glue.data.quality.rules.failed", "values": "0", "start": "20m",
      "dimensions": {"JobName": "customer-import-ex", "EvaluationContext": "customers_validity"}}, False),
    ("schema-changes-info", _series("SchemaChanges", "1", start="20m"), True),
    ("schema-changes-info", _series("SchemaChanges", "0", start="20m"), False),
])
def test_each_new_signal_fires_on_its_metric_and_stays_quiet_otherwise(examples_plan, signal, series, fires):
    name = f"{PREFIX}-customer_import-{signal}"
    result = _simulate(examples_plan.doc, name=f"{signal} {'fires' if fires else 'quiet'}", duration="3h",
                       alarms=[f"{PREFIX}-customer_import-*"], series=[series])
    notified = [n for n in result.notifications if n.state == "ALARM"]
    if fires and signal.startswith("data-quality-rules-"):  # silent: the results rule's sentence is the notification
        states = [t.new for t in result.transitions if t.alarm == name]
        assert "ALARM" in states and not notified, (states, notified)
    elif fires:
        assert [n.origin.rsplit(":", 1)[-1] for n in notified] == [name], notified
        assert notified[0].topic_arn.endswith(f"{PREFIX}-{signal.rsplit('-', 1)[1]}")
    else:
        assert not notified, notified


@pytest.mark.plan
def test_a_failed_quality_evaluation_and_info_events_become_one_sentence_each(examples_plan):
    """Glue Data Quality's "Data Quality Evaluation Results Available" (state FAILED) of the job -> one warning
    sentence; a SUCCEEDED run -> one info sentence; a "Glue Job Run Status" -> one warning sentence. A passed
    evaluation and another job's events notify nothing."""
    dq = {"source": "aws.glue-dataquality", "detail-type": "Data Quality Evaluation Results Available",
          "detail": {"context": {"contextType": "GLUE_JOB", "jobId": "jr_dq", "jobName": "customer-import-ex",
                                 "evaluationContext": "customers_validity"},
                     "resultID": "dqresult-1", "rulesetNames": ["customers_validity"], "state": "FAILED",
                     "score": 0.5, "rulesSucceeded": 1, "rulesFailed": 1, "rulesSkipped": 0}}
    passed = json.loads(json.dumps(dq))
    passed["detail"].update(state="SUCCEEDED", score=1, rulesSucceeded=2, rulesFailed=0)
    late = {"source": "aws.glue", "detail-type": "Glue Job Run Status",
            "detail": {"jobName": "customer-import-ex", "severity": "INFO", "state": "RUNNING", "jobRunId": "jr_late",
                       "notificationCondition": {"NotifyDelayAfter": 20},
                       "message": "Job is taking more time than expected to complete."}}
    result = _simulate(
        examples_plan.doc, name="events", duration="1h", alarms=[f"{PREFIX}-customer_import-*"],
        events=[{"at": "5m", "eventbridge": dq}, {"at": "6m", "eventbridge": passed},
                {"at": "7m", "glue_job_state": {"job": "customer-import-ex", "state": "SUCCEEDED", "run_id": "jr_ok"}},
                {"at": "8m", "glue_job_state": {"job": "orders_hourly", "state": "SUCCEEDED", "run_id": "jr_hourly"}},
                {"at": "9m", "eventbridge": late}],
    )
    sentences = sorted((n.topic_arn.rsplit("-", 1)[-1], n.origin.rsplit("/", 1)[-1]) for n in result.notifications
                       if n.source == "eventbridge" and f":{PREFIX}-" in n.topic_arn)
    assert sentences == sorted([("warning", f"{PREFIX}-customer_import-dq-results"),
                                ("info", f"{PREFIX}-customer_import-job-succeeded"),
                                ("warning", f"{PREFIX}-customer_import-job-running-long")]), sentences


def test_glue_native_alarms_read_the_datapoints_glue_publishes(applied_examples, example):
    """The out-of-memory alarm as applied: its metric is where Glue puts it. The datapoint a failed OOM run makes
    (namespace Glue, JobName, JobRunId=ALL, Type=count, ObservabilityGroup=error) is found by the alarm's own
    metric, dimensions and statistic; its composite is suppressed by the job's job-failure alarm; the Glue Data
    Quality rule matches the failed evaluations of the job and notifies the warning topic."""
    cw = applied_examples.client("cloudwatch")
    meta = example["alarms"]
    metric = _described(cw, [meta["customer_import/out-of-memory-metric-warning"]["name"]])[
        meta["customer_import/out-of-memory-metric-warning"]["name"]]
    dims = [{"Name": k, "Value": v} for k, v in GLUE_ERROR_DIMS.items()]
    assert (metric["Namespace"], metric["MetricName"]) == ("Glue", "glue.error.OUT_OF_MEMORY_ERROR")
    assert sorted(metric["Dimensions"], key=lambda d: d["Name"]) == sorted(dims, key=lambda d: d["Name"])
    assert not metric.get("AlarmActions")
    cw.put_metric_data(Namespace="Glue", MetricData=[{"MetricName": "glue.error.OUT_OF_MEMORY_ERROR",
                                                       "Dimensions": dims, "Value": 1, "Unit": "Count"}])
    from datetime import UTC, datetime, timedelta
    now = datetime.now(UTC)
    found = cw.get_metric_statistics(Namespace=metric["Namespace"], MetricName=metric["MetricName"],
                                     Dimensions=metric["Dimensions"], StartTime=now - timedelta(minutes=10),
                                     EndTime=now + timedelta(minutes=1), Period=60, Statistics=[metric["Statistic"]])
    assert sum(p["Sum"] for p in found["Datapoints"]) >= 1
    composite = _described(cw, [meta["customer_import/out-of-memory-warning"]["name"]])[
        meta["customer_import/out-of-memory-warning"]["name"]]
    assert composite["AlarmActions"] == [example["topic_arns"]["warning"]]
    assert composite["ActionsSuppressor"] == meta["customer_import/job-failure-critical"]["arn"]
    events = applied_examples.client("events")
    rule = f"{PREFIX}-customer_import-dq-results"
    pattern = json.loads(events.describe_rule(Name=rule)["EventPattern"])
    assert pattern["source"] == ["aws.glue-dataquality"] and pattern["detail"]["state"] == ["FAILED"]
    target = events.list_targets_by_rule(Rule=rule)["Targets"][0]
    assert target["Arn"] == example["topic_arns"]["warning"]
    assert "<failed>" in target["InputTransformer"]["InputTemplate"]


@pytest.mark.plan
def test_the_metrics_dashboard_shows_each_jobs_shuffle_bytes(examples_plan):
    """The notes' "data moved between partitions": Glue's job metrics (--enable-metrics) count shuffle bytes per run
    (namespace Glue, JobRunId=ALL, Type=count); each job's DPU widget draws them beside its executors."""
    body = load_bodies(examples_plan.doc)[f"{PREFIX}-etl-metrics"]
    lines = [m for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]]
    for metric in ("glue.driver.aggregate.shuffleBytesWritten", "glue.driver.aggregate.shuffleLocalBytesRead"):
        found = [m[:8] for m in lines if m[:2] == ["Glue", metric] and m[3] == "customer-import-ex"]
        assert found == [["Glue", metric, "JobName", "customer-import-ex", "JobRunId", "ALL", "Type", "count"]], found
