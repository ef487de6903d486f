"""tools/monitoring_cost.py: alarm classes, tiered metric prices, per-job attribution, free tier, CLI."""

from __future__ import annotations

import json

import pytest

from tools import monitoring_cost as mc

pytestmark = pytest.mark.python
PRICES = json.loads(mc.PRICES.read_text())
DIMS = {"JobName": "orders-prod", "Environment": "prod"}


def res(address, rtype, after, actions=("create",)):
    return {"address": address, "type": rtype, "mode": "managed", "change": {"actions": list(actions), "after": after}}


def alarm(key, **values):
    return res(f'module.jm.aws_cloudwatch_metric_alarm.this["{key}"]', "aws_cloudwatch_metric_alarm", values)


def plan_doc():
    ns = "Glue/ETL/prod"
    rc = [
        alarm("orders/data-freshness/critical", period=3600, namespace=ns, dimensions=DIMS, metric_query=[]),
        alarm("orders/api-latency/warning", period=10, namespace=ns, dimensions=DIMS, metric_query=[]),
        alarm("orders/api-errors/warning", period=None, metric_query=[
            {"id": "errors", "expression": "", "metric": [{"period": 300, "dimensions": DIMS}]},
            {"id": "calls", "expression": "", "metric": [{"period": 300, "dimensions": DIMS}]},
            {"id": "rate", "expression": "IF(calls > 0, 100 * errors / calls, 0)", "metric": []}]),
        alarm("orders/volume-anomaly/info", period=None, metric_query=[
            {"id": "m1", "expression": "", "metric": [{"period": 3600, "dimensions": DIMS}]},
            {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "metric": []}]),
        res('module.jm.aws_cloudwatch_composite_alarm.health["orders"]', "aws_cloudwatch_composite_alarm",
            {"alarm_name": "x-orders-health-warning"}),
        res('module.dlq.aws_cloudwatch_metric_alarm.depth["warning"]', "aws_cloudwatch_metric_alarm",
            {"period": 60, "metric_query": []}),
        res('module.jm.aws_cloudwatch_dashboard.this["a"]', "aws_cloudwatch_dashboard", {"dashboard_body": json.dumps(
            {"widgets": [{"properties": {"metrics": [
                [ns, "StageDurationSeconds", "JobName", "orders-prod", "Environment", "prod", "Stage", s]
                for s in ("extract", "load")] + [[ns, f"M{i}", "JobName", "orders-prod"] for i in range(60)]}}]})}),
        res('module.lg.aws_cloudwatch_log_metric_filter.x["errors"]', "aws_cloudwatch_log_metric_filter",
            {"metric_transformation": [{"name": "LogErrors"}]}),
        res('module.lg.aws_cloudwatch_log_metric_filter.x["failed"]', "aws_cloudwatch_log_metric_filter",
            {"metric_transformation": [{"name": "JobsFailed"}]}),
        res("aws_sns_topic.gone", "aws_sns_topic", None, actions=("delete",)),
    ]
    return {"resource_changes": rc}


def test_alarm_classes():
    found = {r.address.split("[")[1]: r for r in mc.planned_resources(plan_doc())}
    kinds = {k: mc.alarm_cost(r, PRICES) for k, r in found.items()
             if r.type in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")}
    assert kinds['"orders/data-freshness/critical"]'].kind == "standard"
    assert kinds['"orders/api-latency/warning"]'].kind == "high-resolution"
    assert kinds['"orders/api-latency/warning"]'].monthly == pytest.approx(0.30)
    errors = kinds['"orders/api-errors/warning"]']
    assert (errors.kind, errors.alarm_metrics) == ("math", 2)
    assert kinds['"orders/volume-anomaly/info"]'].monthly == pytest.approx(0.30)  # 3 alarm metrics
    assert kinds['"orders"]'].monthly == pytest.approx(0.50)


def test_tiered_metric_prices():
    assert mc.tiered_metric_cost(0, PRICES) == 0
    assert mc.tiered_metric_cost(10_000, PRICES) == pytest.approx(3000)
    assert mc.tiered_metric_cost(10_001, PRICES) == pytest.approx(3000.10)
    assert mc.tiered_metric_cost(1_000_100, PRICES) == pytest.approx(3000 + 24000 + 37500 + 2)


def test_contract_metrics_are_read_from_docs():
    names = mc.contract_metrics()
    assert {"JobsSucceeded", "DataAgeHours", "StageDurationSeconds", "ApiLatencyMs"} <= set(names)
    assert len(names) == len(set(names)) >= 15


def test_environment_cost_per_job_and_total():
    contract = mc.contract_metrics()
    cost = mc.environment_cost("prod", plan_doc(), PRICES, contract, default_stages=3, free_tier=False)
    orders = cost.jobs["orders"]
    # the dashboard shows 2 stages for orders-prod: job metrics + 2 x the stage metrics
    assert orders["streams"] == len(contract) - 2 + 2 * 2
    assert orders["alarm_count"] == 5
    assert orders["alarms"] == pytest.approx(0.10 + 0.30 + 0.20 + 0.30 + 0.50)
    assert cost.jobs[mc.SHARED]["alarm_count"] == 1
    lines = {line["item"]: line for line in cost.lines}
    assert lines["dashboards"]["monthly"] == 3.0  # no free tier: > 50 metrics anyway
    # LogErrors is outside the contract (one more stream), JobsFailed is in it (already counted per job)
    assert lines["metric-filter metrics outside the contract"]["count"] == 1
    streams = orders["streams"] + 1
    assert lines["custom metrics (tiered)"]["monthly"] == pytest.approx(streams * 0.30)
    assert cost.total == pytest.approx(sum(j["total"] for j in cost.jobs.values()), abs=0.01)


def test_free_tier_lowers_the_total():
    contract = mc.contract_metrics()
    paid = mc.environment_cost("prod", plan_doc(), PRICES, contract, free_tier=False).total
    free = mc.environment_cost("prod", plan_doc(), PRICES, contract, free_tier=True).total
    # 10 metric streams, and 7 standard alarm metrics (2 static, 2 of the math alarm, 3 of the anomaly band)
    assert free == pytest.approx(paid - 10 * 0.30 - 7 * 0.10)


def test_cli_table_and_json(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_doc()))
    assert mc.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "== prod" in out and "orders" in out and "TOTAL all environments" in out
    assert mc.main(["--env", f"dev={path}", "--env", f"prod={path}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["env"] for e in data["environments"]] == ["dev", "prod"]
    assert data["total"] == pytest.approx(2 * data["environments"][0]["total"])
    assert data["prices"]["region"] == "us-east-1" and data["prices"]["as_of"]
