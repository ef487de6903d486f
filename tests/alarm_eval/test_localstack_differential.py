"""Differential check against the emulator: LocalStack evaluates simple metric alarms (10-second periods here) and
OR composites that name their children by ARN; for those, alarm_eval and LocalStack must go through the same
state transitions for the same datapoints.

LocalStack's side runs in the background of the test run (tests/e2e/scenarios.py): the alarms are created with
boto3, the datapoints put once (with their future timestamps) before LocalStack's
first evaluation, and the same alarms, read back from a `terraform show -json`-shaped state, run through
alarm_eval with its evaluation clock set to LocalStack's (every 10 s from creation). The ordered transitions
are compared, not their times: LocalStack's alarm keeps ALARM while any breaching datapoint is in its
evaluation range, where CloudWatch (and alarm_eval) follow the most recent one, so an alarm may return to OK
there a few evaluations later.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from e2e.scenarios import DIFFERENTIAL_ACCOUNT as ACCOUNT
from e2e.scenarios import DIFFERENTIAL_NAMESPACE as NAMESPACE

from alarm_eval.engine import run
from alarm_eval.plan import from_document
from alarm_eval.scenario import from_dict
from alarm_eval.timeutil import iso_z
from alarm_eval.topology import build

pytestmark = pytest.mark.e2e

REGION = "us-east-1"


def _alarm_arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"


def _state_document(metric_alarms: list[dict], composites: list[dict]) -> dict:
    """The created alarms as `terraform show -json` would show them after an apply."""
    resources = [
        {
            "address": f"aws_cloudwatch_metric_alarm.a{i}",
            "mode": "managed",
            "type": "aws_cloudwatch_metric_alarm",
            "values": {
                "alarm_name": a["AlarmName"],
                "arn": _alarm_arn(a["AlarmName"]),
                "namespace": a["Namespace"],
                "metric_name": a["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                "statistic": a["Statistic"],
                "period": a["Period"],
                "evaluation_periods": a["EvaluationPeriods"],
                "datapoints_to_alarm": a["DatapointsToAlarm"],
                "threshold": a["Threshold"],
                "comparison_operator": a["ComparisonOperator"],
                "treat_missing_data": a["TreatMissingData"],
                "actions_enabled": True,
                "alarm_actions": [],
                "ok_actions": [],
                "metric_query": [],
            },
        }
        for i, a in enumerate(metric_alarms)
    ] + [
        {
            "address": f"aws_cloudwatch_composite_alarm.c{i}",
            "mode": "managed",
            "type": "aws_cloudwatch_composite_alarm",
            "values": {
                "alarm_name": c["AlarmName"],
                "arn": _alarm_arn(c["AlarmName"]),
                "alarm_rule": c["AlarmRule"],
                "actions_enabled": True,
                "alarm_actions": [],
                "ok_actions": [],
                "actions_suppressor": [],
            },
        }
        for i, c in enumerate(composites)
    ]
    return {"format_version": "1.0", "values": {"root_module": {"resources": resources}}}


def test_static_alarms_and_an_or_composite_transition_like_localstack(localstack_differential):
    """LocalStack's side ran in the background (tests/e2e/scenarios.py: localstack_differential)."""
    case, created, base = localstack_differential, localstack_differential["created"], localstack_differential["base"]
    alarms, composite = case["alarms"], case["composite"]
    names = [a["AlarmName"] for a in alarms] + [composite["AlarmName"]]
    run_id = case["dimensions"][0]["Value"]
    topo = build(from_document(_state_document(alarms, [composite])))
    scenario = from_dict(
        {
            "name": "differential",
            "start": iso_z(base - 60),
            "apply_at": datetime.fromtimestamp(created, UTC).isoformat(),
            "end": iso_z(created + 70),
            "options": {"evaluation_offset": created % 10},
            "series": [
                {
                    "namespace": NAMESPACE,
                    "metric": metric,
                    "dimensions": {"Run": run_id},
                    "points": [{"at": iso_z(base + t), "value": v} for m, t, v in case["points"] if m == metric],
                }
                for metric in ("Latency", "Errors")
            ],
        }
    )
    result = run(topo, scenario)
    ours = {n: [(t.old, t.new) for t in result.transitions_of(n)] for n in names}
    expected = [("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM"), ("ALARM", "OK")]
    assert ours == {n: expected for n in names}, ours
    emulated = {n: [tuple(t) for t in case["transitions"][n]] for n in names}
    assert emulated == ours, f"LocalStack {emulated} != alarm_eval {ours}"
