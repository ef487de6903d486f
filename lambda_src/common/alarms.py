"""CloudWatch alarm notifications: parse them and tell which signal raised them.

An alarm reaches a Lambda in two shapes:
- through SNS: `Records[].Sns.Message` is a JSON string (`AlarmName`, `NewStateValue`, `Trigger`, ...;
  a composite alarm has `AlarmRule` and `TriggeringChildren` instead of `Trigger`);
- as a direct alarm action: `{"source": "aws.cloudwatch", "alarmData": {...}}`.
Both become an `Alarm`.

The alarm names follow the modules' conventions:
- job_monitoring:    `<prefix>-<job>-<signal>-<severity>`; its signals (`job-failure`, `data-freshness`, ...,
  `health`, `slo-burn-success-rate`) are those of its catalog, modules/job_monitoring/signals.json, which the
  Lambda zip carries as lambda_src/common/signals.json (tools/build_lambdas.py);
- dead_letter_queue: `<dlq name>-depth-<severity>` on `AWS/SQS` with a `QueueName` dimension.
The job or queue comes from the metric dimensions first (`JobName`, `QueueName`), then from the name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SEVERITIES = ("critical", "warning", "info")
_NAME = re.compile(r"^(?P<head>.+)-(?P<signal>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?P<severity>critical|warning|info)$")
CATALOG_NAME = "signals.json"
# In the zip the catalog sits next to this file; in the source tree it is the module's own file.
CATALOG_PATHS = (
    Path(__file__).with_name(CATALOG_NAME),
    Path(__file__).resolve().parents[2] / "modules" / "job_monitoring" / CATALOG_NAME,
)
# modules/dead_letter_queue's signals (its alarms are `<dlq name>-<signal>-<severity>`); it has no catalog
QUEUE_SIGNALS = ("depth", "age")
# The seed's alarm names (CamelCase words inside the name), for alarms created before the modules.
SEED_SIGNALS = {"JobFailure": "job-failure", "DataFreshness": "data-freshness", "DLQDepth": "depth"}
URL = re.compile(r"https?://\S+")


@cache
def catalog() -> dict[str, Any]:
    """job_monitoring's signal catalog (signals.json): signal key -> name, kind, metric, ... (see its $comment)."""
    for path in CATALOG_PATHS:
        if path.is_file():
            return json.loads(path.read_text())
    raise FileNotFoundError(f"the signal catalog is missing: none of {[str(p) for p in CATALOG_PATHS]}")


@cache
def known_signals() -> tuple[str, ...]:
    """Every signal name an alarm name can end with, longest first so `job-failure` wins over `failure`."""
    names = {entry["name"] for entry in catalog()["signals"].values()} | set(QUEUE_SIGNALS)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def signal_entry(signal: str | None) -> dict[str, Any] | None:
    """The catalog entry of a signal name (`data-freshness`), or None (a queue signal, an unknown one)."""
    return next((e for e in catalog()["signals"].values() if e["name"] == signal), None)


class MalformedAlarm(ValueError):
    """The message is not a CloudWatch alarm notification."""


@dataclass
class Alarm:
    name: str
    state: str
    reason: str = ""
    description: str = ""
    state_change_time: str = ""
    region: str = ""
    account: str = ""
    arn: str = ""
    namespace: str = ""
    metric_name: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def signal(self) -> str | None:
        """A catalog signal (`job-failure`, `data-freshness`, `health`, ...), `depth`, another suffix, or None."""
        for signal in known_signals():
            if re.search(rf"-{signal}-(critical|warning|info)$", self.name):
                return signal
        if self.namespace == "AWS/SQS" and "QueueName" in self.dimensions:
            return "depth"
        for camel, signal in SEED_SIGNALS.items():
            if camel in self.name:
                return signal
        match = _NAME.match(self.name)
        return match.group("signal") if match else None

    @property
    def stopped_reporting(self) -> bool:
        """INSUFFICIENT_DATA of a signal whose catalog entry gives that state a meaning (data-freshness: the job
        stopped reporting); the module notifies it, so an automation should treat it as firing."""
        entry = signal_entry(self.signal)
        return self.state == "INSUFFICIENT_DATA" and bool(entry and entry.get("insufficient_data"))

    @property
    def firing(self) -> bool:
        """ALARM, or an INSUFFICIENT_DATA that means the job stopped reporting."""
        return self.state == "ALARM" or self.stopped_reporting

    @property
    def children(self) -> list[str]:
        """The alarms that moved a composite alarm (their names), from `TriggeringChildren` (SNS) or the alarm
        action's `reasonData`; empty for a metric alarm."""
        found = [c.get("Arn", "") for c in self.raw.get("TriggeringChildren") or [] if isinstance(c, dict)]
        reason = ((self.raw.get("alarmData") or {}).get("state") or {}).get("reasonData")
        if isinstance(reason, str):
            try:
                found += [c.get("arn", "") for c in json.loads(reason).get("triggeringAlarms") or []]
            except (ValueError, AttributeError):
                pass
        return [arn.split(":alarm:", 1)[-1] for arn in found if arn]

    @property
    def severity(self) -> str | None:
        match = re.search(r"-(critical|warning|info)$", self.name)
        return match.group(1) if match else None

    @property
    def runbook_url(self) -> str | None:
        """The runbook link the modules put at the end of every alarm description."""
        links = URL.findall(self.description or "")
        return links[-1].rstrip(".,)") if links else None

    def job_name(self, prefix: str | None) -> str | None:
        """The Glue job the alarm is about: the `JobName` dimension, else `<prefix>-<job>-<signal>-<sev>`."""
        if self.dimensions.get("JobName"):
            return self.dimensions["JobName"]
        signal = self.signal
        if not prefix or not signal or not self.name.startswith(prefix + "-"):
            return None
        suffix = re.search(rf"-{re.escape(signal)}-(critical|warning|info)$", self.name)
        if not suffix:
            return None
        job = self.name[len(prefix) + 1 : suffix.start()]
        return job or None

    def queue_name(self) -> str | None:
        """The SQS queue of a depth alarm: the `QueueName` dimension, else `<queue>-depth-<severity>`."""
        if self.dimensions.get("QueueName"):
            return self.dimensions["QueueName"]
        match = re.match(r"^(?P<queue>.+)-depth-(critical|warning|info)$", self.name)
        return match.group("queue") if match else None


def _dimensions(trigger: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """Namespace, metric and dimensions of a simple alarm, or of the metrics of a metric-math alarm."""
    dims: dict[str, str] = {}
    namespace = trigger.get("Namespace") or ""
    metric = trigger.get("MetricName") or ""
    for d in trigger.get("Dimensions") or []:
        if isinstance(d, dict) and "name" in d:
            dims[d["name"]] = str(d.get("value", ""))
    for m in trigger.get("Metrics") or []:
        stat_metric = ((m or {}).get("MetricStat") or {}).get("Metric") or {}
        namespace = namespace or stat_metric.get("Namespace", "")
        metric = metric or stat_metric.get("MetricName", "")
        for d in stat_metric.get("Dimensions") or []:
            if isinstance(d, dict) and "name" in d:
                dims.setdefault(d["name"], str(d.get("value", "")))
    return namespace, metric, dims


def from_sns_message(message: str) -> Alarm:
    """An alarm from the JSON string SNS delivers; MalformedAlarm when it is not one."""
    try:
        body = json.loads(message)
    except (TypeError, ValueError) as exc:
        raise MalformedAlarm(f"SNS message is not JSON: {exc}") from exc
    if not isinstance(body, dict) or not body.get("AlarmName") or not body.get("NewStateValue"):
        raise MalformedAlarm("SNS message has no AlarmName/NewStateValue: not a CloudWatch alarm")
    trigger = body.get("Trigger") if isinstance(body.get("Trigger"), dict) else {}
    namespace, metric, dims = _dimensions(trigger)
    return Alarm(
        name=str(body["AlarmName"]),
        state=str(body["NewStateValue"]),
        reason=str(body.get("NewStateReason") or ""),
        description=str(body.get("AlarmDescription") or ""),
        state_change_time=str(body.get("StateChangeTime") or ""),
        region=str(body.get("Region") or ""),
        account=str(body.get("AWSAccountId") or ""),
        arn=str(body.get("AlarmArn") or ""),
        namespace=namespace,
        metric_name=metric,
        dimensions=dims,
        raw=body,
    )


def from_alarm_action(event: dict[str, Any]) -> Alarm:
    """An alarm from a direct CloudWatch alarm Lambda action (`source: aws.cloudwatch`)."""
    data = event.get("alarmData") or {}
    if not data.get("alarmName") or not (data.get("state") or {}).get("value"):
        raise MalformedAlarm("alarm action event without alarmData.alarmName/state.value")
    config = data.get("configuration") or {}
    trigger: dict[str, Any] = {"Metrics": []}
    for m in config.get("metrics") or []:
        metric = ((m or {}).get("metricStat") or {}).get("metric") or {}
        trigger["Metrics"].append(
            {
                "MetricStat": {
                    "Metric": {
                        "Namespace": metric.get("namespace", ""),
                        "MetricName": metric.get("name", ""),
                        "Dimensions": [{"name": k, "value": v} for k, v in (metric.get("dimensions") or {}).items()],
                    }
                }
            }
        )
    namespace, metric_name, dims = _dimensions(trigger)
    return Alarm(
        name=str(data["alarmName"]),
        state=str(data["state"]["value"]),
        reason=str(data["state"].get("reason") or ""),
        description=str(config.get("description") or ""),
        state_change_time=str(data["state"].get("timestamp") or event.get("time") or ""),
        region=str(event.get("region") or ""),
        account=str(event.get("accountId") or event.get("account") or ""),
        arn=str(event.get("alarmArn") or ""),
        namespace=namespace,
        metric_name=metric_name,
        dimensions=dims,
        raw=event,
    )
