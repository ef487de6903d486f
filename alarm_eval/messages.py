"""The JSON message CloudWatch publishes to an SNS topic when an alarm changes state, and its subject.

Fields as CloudWatch sends them for a metric alarm (with ``Trigger``) and for a composite alarm (with ``AlarmRule``
and ``TriggeringChildren``); ``Region`` is the region's long name, as in the real message.
"""

from __future__ import annotations

from typing import Any

from alarm_eval.model import CompositeAlarm, MetricAlarm, MetricStat
from alarm_eval.statistics import STANDARD
from alarm_eval.timeutil import cloudwatch_time

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-north-1": "EU (Stockholm)",
    "eu-south-1": "EU (Milan)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ca-central-1": "Canada (Central)",
    "sa-east-1": "South America (Sao Paulo)",
}


def region_name(region: str) -> str:
    return REGION_NAMES.get(region, region)


def subject(state: str, alarm_name: str, region: str) -> str:
    """``ALARM: "name" in US East (N. Virginia)``, cut to the 100 characters SNS allows."""
    return f'{state}: "{alarm_name}" in {region_name(region)}'[:100]


def _dimensions(dimensions: dict[str, str]) -> list[dict[str, str]]:
    return [{"value": v, "name": k} for k, v in dimensions.items()]


def _metric_stat(stat: MetricStat) -> dict[str, Any]:
    return {
        "Metric": {
            "Dimensions": _dimensions(stat.dimensions),
            "MetricName": stat.metric_name,
            "Namespace": stat.namespace,
        },
        "Period": stat.period,
        "Stat": stat.stat,
    }


def trigger(alarm: MetricAlarm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if alarm.metric:
        stat = alarm.metric
        out.update(MetricName=stat.metric_name, Namespace=stat.namespace)
        if stat.stat in STANDARD:
            out.update(
                StatisticType="Statistic", Statistic=stat.stat.upper() if stat.stat != "SampleCount" else "SAMPLE_COUNT"
            )
        else:
            out.update(StatisticType="ExtendedStatistic", ExtendedStatistic=stat.stat)
        out.update(Unit=stat.unit, Dimensions=_dimensions(stat.dimensions), Period=stat.period)
    else:
        out["Metrics"] = [
            {
                "Id": q.id,
                **({"MetricStat": _metric_stat(q.metric)} if q.metric else {"Expression": q.expression}),
                **({"Label": q.label} if q.label else {}),
                "ReturnData": q.return_data,
            }
            for q in alarm.queries
        ]
        out["Period"] = alarm.period
    out.update(
        EvaluationPeriods=alarm.evaluation_periods,
        DatapointsToAlarm=alarm.datapoints_to_alarm,
        ComparisonOperator=alarm.comparison,
        TreatMissingData=alarm.treat_missing_data,
        EvaluateLowSampleCountPercentile=alarm.low_sample_percentiles,
    )
    if alarm.threshold_metric_id:
        out["ThresholdMetricId"] = alarm.threshold_metric_id
    else:
        out["Threshold"] = alarm.threshold
    return out


def alarm_message(
    alarm: MetricAlarm | CompositeAlarm,
    account: str,
    region: str,
    old_state: str,
    new_state: str,
    reason: str,
    at: float,
    created_at: float,
    triggering: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or None,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": cloudwatch_time(created_at),
        "NewStateValue": new_state,
        "NewStateReason": reason,
        "StateChangeTime": cloudwatch_time(at),
        "Region": region_name(region),
        "AlarmArn": alarm.arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
    }
    if isinstance(alarm, MetricAlarm):
        message["Trigger"] = trigger(alarm)
    else:
        message["AlarmRule"] = alarm.rule
        message["TriggeringChildren"] = triggering or []
    return message
