"""lambda_src/common/alarms.py reads the signal names from job_monitoring's catalog (modules/job_monitoring/
signals.json), the file the module builds its alarms from: a signal added there is known here without a change,
and what the module notifies (ALARM, a freshness INSUFFICIENT_DATA, a composite naming its children) parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_src.common import alarms
from lambda_src.common.alarms import from_alarm_action, from_sns_message

pytestmark = pytest.mark.python
MODULE_CATALOG = Path(__file__).resolve().parents[2] / "modules" / "job_monitoring" / "signals.json"
PREFIX = "glue-etl-prod"


def _sns(name: str, state: str = "ALARM", **more) -> alarms.Alarm:
    return from_sns_message(json.dumps({"AlarmName": name, "NewStateValue": state, **more}))


def test_the_signal_names_are_the_catalogs():
    names = {entry["name"] for entry in json.loads(MODULE_CATALOG.read_text())["signals"].values()}
    assert alarms.catalog() == json.loads(MODULE_CATALOG.read_text())
    assert names <= set(alarms.known_signals()) and set(alarms.known_signals()) - names == set(alarms.QUEUE_SIGNALS)
    lengths = [len(n) for n in alarms.known_signals()]
    assert lengths == sorted(lengths, reverse=True), "longest first, so that job-failure wins over failure"


@pytest.mark.parametrize("key", sorted(json.loads(MODULE_CATALOG.read_text())["signals"]))
def test_every_catalog_signal_and_its_job_come_from_the_alarm_name(key):
    signal = alarms.catalog()["signals"][key]["name"]
    alarm = _sns(f"{PREFIX}-orders_hourly-{signal}-critical")
    assert alarm.signal == signal and alarm.job_name(PREFIX) == "orders_hourly" and alarm.severity == "critical"


def test_a_signal_added_to_the_catalog_is_known_without_a_code_change(monkeypatch, tmp_path):
    doc = json.loads(MODULE_CATALOG.read_text())
    doc["signals"]["schema_drift"] = dict(doc["signals"]["quality_score"], name="schema-drift")
    path = tmp_path / "signals.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(alarms, "CATALOG_PATHS", (path,))
    alarms.catalog.cache_clear()
    alarms.known_signals.cache_clear()
    try:
        alarm = _sns(f"{PREFIX}-orders-schema-drift-warning")
        assert alarm.signal == "schema-drift" and alarm.job_name(PREFIX) == "orders"
    finally:
        alarms.catalog.cache_clear()
        alarms.known_signals.cache_clear()


def test_a_freshness_insufficient_data_means_the_job_stopped_reporting():
    stopped = _sns(f"{PREFIX}-orders-data-freshness-critical", "INSUFFICIENT_DATA")
    assert stopped.stopped_reporting and stopped.firing
    quiet = _sns(f"{PREFIX}-orders-quality-score-warning", "INSUFFICIENT_DATA")  # no meaning in the catalog
    assert not quiet.stopped_reporting and not quiet.firing
    assert _sns(f"{PREFIX}-orders-job-failure-critical").firing
    assert not _sns(f"{PREFIX}-orders-job-failure-critical", "OK").firing


def test_a_composite_names_the_job_its_signal_and_the_children_that_moved_it():
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
    child = f"{PREFIX}-orders-job-failure-critical"
    slo = _sns(f"{PREFIX}-orders-slo-burn-success-rate-critical", AlarmRule=f'ALARM("{arn}x")',
               TriggeringChildren=[{"Arn": f"{arn}{child}", "State": {"Value": "ALARM"}}])
    assert slo.signal == "slo-burn-success-rate" and slo.job_name(PREFIX) == "orders" and slo.children == [child]
    reason = json.dumps({"triggeringAlarms": [{"arn": f"{arn}{child}"}]})
    action = from_alarm_action({
        "source": "aws.cloudwatch", "alarmArn": f"{arn}{PREFIX}-orders-health-warning",
        "alarmData": {"alarmName": f"{PREFIX}-orders-health-warning",
                      "state": {"value": "ALARM", "reasonData": reason},
                      "configuration": {"alarmRule": f'ALARM("{arn}{child}")'}},
    })
    assert action.signal == "health" and action.job_name(PREFIX) == "orders" and action.children == [child]
    assert _sns(child).children == []


def test_the_dead_letter_queue_signals_stay_known():
    depth = _sns("glue-etl-prod-records-dlq-depth-critical", Trigger={
        "Namespace": "AWS/SQS", "Dimensions": [{"name": "QueueName", "value": "glue-etl-prod-records-dlq"}]})
    assert depth.signal == "depth" and depth.queue_name() == "glue-etl-prod-records-dlq"
