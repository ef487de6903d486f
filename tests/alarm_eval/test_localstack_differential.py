"""Differential check against the emulator: LocalStack evaluates simple metric alarms (10-second periods here) and
OR composites that name their children by ARN; for those, alarm_eval and LocalStack must go through the same
state transitions for the same datapoints.

The alarms are created with boto3, the datapoints put once (with their future timestamps) before LocalStack's
first evaluation, and the same alarms, read back from a `terraform show -json`-shaped state, run through
alarm_eval with its evaluation clock set to LocalStack's (every 10 s from creation). The ordered transitions
are compared, not their times: LocalStack's alarm keeps ALARM while any breaching datapoint is in its
evaluation range, where CloudWatch (and alarm_eval) follow the most recent one, so an alarm may return to OK
there a few evaluations later.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from alarm_eval.engine import run
from alarm_eval.plan import from_document
from alarm_eval.scenario import from_dict
from alarm_eval.timeutil import iso_z
from alarm_eval.topology import build

pytestmark = pytest.mark.e2e

ACCOUNT = "100000000051"
REGION = "us-east-1"
NAMESPACE = "AlarmEval/Differential"


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


def _localstack_transitions(cw, name: str) -> list[tuple[str, str]]:
    items = cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    out = []
    for item in items:  # LocalStack lists them in the order they happened
        data = json.loads(item["HistoryData"])
        out.append((data["oldState"]["stateValue"], data["newState"]["stateValue"]))
    return out


def test_static_alarms_and_an_or_composite_transition_like_localstack(emulator):
    cw = emulator.client("cloudwatch", account=ACCOUNT, region=REGION)
    run_id = uuid.uuid4().hex[:8]
    dims = [{"Name": "Run", "Value": run_id}]
    common = dict(Namespace=NAMESPACE, Dimensions=dims, Period=10, EvaluationPeriods=1, DatapointsToAlarm=1)
    alarms = [
        dict(
            AlarmName=f"ae-diff-{run_id}-max",
            MetricName="Latency",
            Statistic="Maximum",
            Threshold=10.0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="missing",
            **common,
        ),
        dict(
            AlarmName=f"ae-diff-{run_id}-sum",
            MetricName="Errors",
            Statistic="Sum",
            Threshold=3.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            **common,
        ),
    ]
    composite = dict(
        AlarmName=f"ae-diff-{run_id}-any",
        AlarmRule=" OR ".join(f'ALARM("{_alarm_arn(a["AlarmName"])}")' for a in alarms),
    )
    names = [a["AlarmName"] for a in alarms] + [composite["AlarmName"]]
    try:
        created = time.time()
        for a in alarms:
            cw.put_metric_alarm(**a)
        cw.put_composite_alarm(**composite)
        # 10-second blocks from the creation second: Latency 5, then 20 (block 1), then 5; Errors 4 in block 1
        base = int(created)
        points: list[tuple[str, int, float]] = []
        for block in range(5):
            for second in (2, 4, 6, 8):
                t = base + 10 * block + second
                points.append(("Latency", t, 20.0 if block == 1 else 5.0))
                if block == 1:
                    points.append(("Errors", t, 1.0))
        cw.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": m,
                    "Dimensions": dims,
                    "Timestamp": datetime.fromtimestamp(t, UTC),
                    "Value": v,
                    "StorageResolution": 1,
                }
                for m, t, v in points
            ],
        )

        deadline = created + 58
        while time.time() < deadline:
            time.sleep(2)
            found = {
                a["AlarmName"]: a["StateValue"]
                for a in cw.describe_alarms(AlarmNames=names, AlarmTypes=["MetricAlarm", "CompositeAlarm"])[
                    "MetricAlarms"
                ]
            }
            history = {n: _localstack_transitions(cw, n) for n in names}
            if all(found.get(n) == "OK" for n in names[:2]) and all(("ALARM", "OK") in h for h in history.values()):
                break
        emulated = {n: _localstack_transitions(cw, n) for n in names}
    finally:
        cw.delete_alarms(AlarmNames=names)

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
                    "points": [{"at": iso_z(t), "value": v} for m, t, v in points if m == metric],
                }
                for metric in ("Latency", "Errors")
            ],
        }
    )
    result = run(topo, scenario)
    ours = {n: [(t.old, t.new) for t in result.transitions_of(n)] for n in names}
    expected = [("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM"), ("ALARM", "OK")]
    assert ours == {n: expected for n in names}, ours
    assert emulated == ours, f"LocalStack {emulated} != alarm_eval {ours}"
