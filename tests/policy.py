"""The alarm policy of CONTRIBUTING.md, checked over a plan or a state of any root (module example, environment).

    from tests.policy import check_alarm_policy
    problems = check_alarm_policy(json.loads(Path("plan.json").read_text()))   # terraform show -json tfplan
    problems = check_alarm_policy(state_json)                                  # terraform show -json (state)

    python tests/policy.py plan.json [--allow-unknown-actions]                 # exit 1 when a rule is broken

Every CloudWatch alarm (metric and composite) the document creates or keeps must:
  - have a severity: the suffix of its name (-critical, -warning, -info), else a Severity tag, else
    "Severity: <x>" in its description;
  - have a description that ends with its runbook link (https://...);
  - have actions enabled, and alarm_actions and ok_actions that include the SNS topic of its severity and no
    topic of another severity;
  - metric alarms: an explicit treat_missing_data and datapoints_to_alarm.
A topic's severity comes from `topic_severities` (ARN -> severity) when given, else from the SNS topics in the
document (name suffix or Severity tag), else from the suffix of the ARN's topic name.

In a plan, actions are unknown when the topics are created in the same plan (their ARNs are computed):
such alarms are reported, unless allow_unknown_actions=True (then check the state after apply, or have the
topic module output ARNs built from the account, region and name, which a plan knows).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("critical", "warning", "info")
ALARM_TYPES = ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")
RUNBOOK_AT_END = re.compile(r"https://\S+$")


@dataclass
class Resource:
    address: str
    type: str
    values: dict
    unknown: dict  # attribute -> True when (part of) it is unknown at plan time


def _walk(module: dict) -> Iterator[dict]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


def resources(doc: dict) -> list[Resource]:
    """Managed resources of a plan (created, updated or kept), a `terraform show -json` state, or a raw tfstate."""
    out = []
    if "resource_changes" in doc:
        for rc in doc["resource_changes"]:
            actions = rc["change"]["actions"]
            if rc.get("mode") != "managed" or actions == ["delete"]:
                continue
            out.append(Resource(rc["address"], rc["type"], rc["change"].get("after") or {},
                                rc["change"].get("after_unknown") or {}))
    elif "values" in doc:
        for res in _walk((doc.get("values") or {}).get("root_module", {})):
            if res.get("mode", "managed") == "managed":
                out.append(Resource(res["address"], res["type"], res.get("values") or {}, {}))
    elif "resources" in doc:  # raw terraform.tfstate
        for res in doc["resources"]:
            if res.get("mode") != "managed":
                continue
            base = f"{res['module']}." if res.get("module") else ""
            for inst in res.get("instances", []):
                key = inst.get("index_key")
                index = "" if key is None else f"[{json.dumps(key)}]"
                out.append(Resource(f"{base}{res['type']}.{res['name']}{index}", res["type"],
                                    inst.get("attributes") or {}, {}))
    return out


def _severity_of_name(name: str) -> str | None:
    for sev in SEVERITIES:
        if name.endswith(f"-{sev}") or name.endswith(f"_{sev}"):
            return sev
    return None


def topic_severities_in(doc: dict) -> dict[str, str]:
    """ARN -> severity of the SNS topics a document knows (name suffix, or a Severity tag)."""
    found = {}
    for res in resources(doc):
        if res.type != "aws_sns_topic" or not res.values.get("arn"):
            continue
        tags = res.values.get("tags") or {}
        sev = (tags.get("Severity") or "").lower() or _severity_of_name(res.values.get("name") or "")
        if sev in SEVERITIES:
            found[res.values["arn"]] = sev
    return found


# What the description of an alarm without actions by design says (modules/job_monitoring: the health roll-up
# and the SLO burn-rate windows, whose one notifying alarm is named in that description).
SILENT = "No actions:"
# ... and of a composite whose ALARM may be suppressed (modules/job_monitoring): it sends no OK, which would close
# nothing on a topic that got no ALARM.
NO_OK = "No OK actions:"


def alarm_severity(values: dict) -> str | None:
    name = values.get("alarm_name") or ""
    sev = _severity_of_name(name)
    if sev:
        return sev
    tag = ((values.get("tags") or {}).get("Severity") or "").lower()
    if tag in SEVERITIES:
        return tag
    match = re.search(r"Severity:\s*(critical|warning|info)\b", values.get("alarm_description") or "", re.I)
    return match.group(1).lower() if match else None


def check_alarm_policy(doc: dict, topic_severities: dict[str, str] | None = None,
                       allow_unknown_actions: bool = False, address_prefix: str = "") -> list[str]:
    """Readable violations of the alarm policy (empty = every alarm complies)."""
    topics = {**topic_severities_in(doc), **(topic_severities or {})}

    def topic_severity(arn: str) -> str | None:
        if arn in topics:
            return topics[arn]
        return _severity_of_name(arn.rsplit(":", 1)[-1]) if ":sns:" in arn else None

    problems = []
    alarms = [r for r in resources(doc) if r.type in ALARM_TYPES and r.address.startswith(address_prefix)]
    for res in alarms:
        v, where = res.values, res.address
        sev = alarm_severity(v)
        if sev is None:
            problems.append(f"{where}: no severity (name suffix -critical/-warning/-info, Severity tag, or "
                            "'Severity: <x>' in the description)")
        description = (v.get("alarm_description") or "").strip()
        if not description:
            problems.append(f"{where}: no description")
        elif not RUNBOOK_AT_END.search(description):
            problems.append(f"{where}: the description does not end with a runbook link (https://...)")
        if v.get("actions_enabled") is False:
            problems.append(f"{where}: actions are disabled")
        unknown = [k for k in ("alarm_actions", "ok_actions") if res.unknown.get(k)]
        if unknown and not allow_unknown_actions:
            problems.append(f"{where}: {' and '.join(unknown)} unknown at plan time (topics created in the same "
                            "plan): check the state, or pass allow_unknown_actions=True")
        # silent by design (a health roll-up, an SLO window): another alarm notifies the incident once
        silent = SILENT in description
        for kind in ("alarm_actions", "ok_actions"):
            if kind in unknown:
                continue
            actions = v.get(kind) or []
            sns = [a for a in actions if ":sns:" in a]
            if kind == "ok_actions" and NO_OK in description:  # its ALARM may have been suppressed
                if actions:
                    problems.append(f"{where}: says '{NO_OK}' but has ok_actions {actions}")
                continue
            if silent and actions:
                problems.append(f"{where}: says '{SILENT}' but has {kind} {actions}")
            elif sev and not silent and not any(topic_severity(a) == sev for a in sns):
                problems.append(f"{where}: {kind} has no topic of its severity {sev} (has {actions})")
            wrong = [a for a in sns if topic_severity(a) not in (None, sev)]
            if wrong:
                problems.append(f"{where}: {kind} also notifies topics of another severity: {wrong}")
        if res.type == "aws_cloudwatch_metric_alarm":
            if not v.get("treat_missing_data") and not res.unknown.get("treat_missing_data"):
                problems.append(f"{where}: no explicit treat_missing_data")
            if v.get("datapoints_to_alarm") is None and not res.unknown.get("datapoints_to_alarm"):
                problems.append(f"{where}: no datapoints_to_alarm")
    return problems


def count_alarms(doc: dict, address_prefix: str = "") -> int:
    return sum(1 for r in resources(doc) if r.type in ALARM_TYPES and r.address.startswith(address_prefix))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    allow = "--allow-unknown-actions" in args
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    doc = json.loads(Path(paths[0]).read_text())
    problems = check_alarm_policy(doc, allow_unknown_actions=allow)
    for p in problems:
        print(p)
    print(f"{count_alarms(doc)} alarms checked, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
