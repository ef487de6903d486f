"""EventBridge: events matched against rules, the ``AWS/Events`` ``TriggeredRules`` metric, and what targets get.

- An event is matched against every enabled rule of its bus with an ``event_pattern`` (``patterns.matches``).
- Each matched rule counts 1 in ``AWS/Events`` ``TriggeredRules`` with dimension ``RuleName`` at the event's time:
  the metric the job-failure alarms watch.
- A target receives the whole event, or its ``input`` (constant JSON), or the part at ``input_path``, or the
  ``input_transformer``'s template ("Amazon EventBridge input transformation"): ``<name>`` placeholders take the
  values at ``input_paths``; inside a JSON string a substituted string is escaped, outside it is inserted as JSON
  (quoted) when the template is JSON and as plain text otherwise. Predefined: ``aws.events.rule-arn``,
  ``aws.events.rule-name``, ``aws.events.event.ingestion-time``, ``aws.events.event``, ``aws.events.event.json``.
  Assumption: a path the event does not have gives ``null`` (an empty string inside a JSON string).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from alarm_eval.errors import InputError
from alarm_eval.jsonpath import MISSING as _MISSING
from alarm_eval.jsonpath import select
from alarm_eval.model import EventRule, EventTarget, InputTransformer
from alarm_eval.patterns import matches
from alarm_eval.timeutil import event_time, iso_z


def normalize(event: dict[str, Any], at: float, account: str, region: str, sequence: int) -> dict[str, Any]:
    """The envelope EventBridge adds to what PutEvents sends (version, id, account, time, region, resources)."""
    if not isinstance(event, dict):
        raise InputError(f"an EventBridge event must be an object, got {event!r}")
    out = {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"event/{sequence}/{at}")),
        "detail-type": event.get("detail-type", event.get("DetailType", "")),
        "source": event.get("source", event.get("Source", "")),
        "account": account,
        "time": event_time(at),
        "region": region,
        "resources": [],
        "detail": {},
    }
    out.update({k: v for k, v in event.items() if k not in ("DetailType", "Source", "Detail")})
    if "Detail" in event:
        out["detail"] = json.loads(event["Detail"]) if isinstance(event["Detail"], str) else event["Detail"]
    return out


def matching_rules(event: dict[str, Any], rules: list[EventRule], bus: str = "default") -> list[EventRule]:
    return [
        r for r in rules if r.enabled and r.pattern is not None and r.event_bus == bus and matches(r.pattern, event)
    ]


def json_path(document: Any, path: str) -> Any:
    """``$.detail.jobName``, ``$.resources[0]``; ``MISSING`` when absent."""
    return select(document, path)


def render(transformer: InputTransformer, event: dict[str, Any], rule: EventRule, at: float) -> str:
    values: dict[str, Any] = {name: json_path(event, path) for name, path in transformer.input_paths.items()}
    without_detail = {k: v for k, v in event.items() if k != "detail"}
    values.update(
        {
            "aws.events.rule-arn": rule.arn,
            "aws.events.rule-name": rule.name,
            "aws.events.event.ingestion-time": iso_z(at),
            "aws.events.event": without_detail,
            "aws.events.event.json": event,
        }
    )
    template = transformer.input_template
    is_json = template.strip()[:1] in ("{", "[", '"')
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and in_string:
            out.append(template[i : i + 2])
            i += 2
            continue
        if ch == '"':
            in_string = not in_string
        if ch == "<":
            end = template.find(">", i)
            name = template[i + 1 : end] if end > 0 else ""
            if name in values:
                out.append(_substitute(values[name], in_string, is_json))
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _substitute(value: Any, in_string: bool, is_json: bool) -> str:
    if value is _MISSING:
        value = None
    if in_string:
        if value is None:
            return ""
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]
    if isinstance(value, str) and not is_json:
        return value
    return json.dumps(value)


def target_input(target: EventTarget, event: dict[str, Any], rule: EventRule, at: float) -> str:
    if target.transformer:
        return render(target.transformer, event, rule, at)
    if target.input is not None:
        return target.input
    if target.input_path:
        value = json_path(event, target.input_path)
        return json.dumps(None if value is _MISSING else value)
    return json.dumps(event)
