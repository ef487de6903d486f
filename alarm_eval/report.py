"""Reports of scenario runs: a readable table, or JSON. Results that depended on an anomaly band (an
approximation, see anomaly.py) are marked ``~`` in the table and ``"approximate": true`` in JSON."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from alarm_eval.kinds import Coverage, classify
from alarm_eval.results import Result
from alarm_eval.timeutil import format_offset, iso_z


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _topic_name(result: Result, arn: str) -> str:
    topic = result.topology.topics.get(arn)
    return topic.name if topic else arn


def to_json(result: Result) -> dict[str, Any]:
    kinds = classify(result.topology)
    start = result.start
    return {
        "scenario": result.scenario,
        "file": result.path,
        "passed": result.passed,
        "approximate": result.approximate,
        "start": iso_z(start),
        "apply_at": iso_z(result.apply_at),
        "end": iso_z(result.end),
        "alarms": {
            name: {"kind": kinds.get(name), "evaluations": result.evaluations.get(name, 0)} for name in result.alarms
        },
        "transitions": [
            {
                "time": iso_z(t.time),
                "offset": format_offset(t.time - start),
                "alarm": t.alarm,
                "kind": kinds.get(t.alarm),
                "from": t.old,
                "to": t.new,
                "reason": t.reason,
                "approximate": t.approximate,
                "actions_suppressed_by": t.actions_suppressed_by,
            }
            for t in result.transitions
        ],
        "notifications": [
            {
                "time": iso_z(n.time),
                "offset": format_offset(n.time - start),
                "topic": _topic_name(result, n.topic_arn),
                "topic_arn": n.topic_arn,
                "source": n.source,
                "origin": n.origin,
                "state": n.state,
                "old_state": n.old_state,
                "subject": n.subject,
                "message": n.message,
                "message_id": n.message_id,
                "approximate": n.approximate,
            }
            for n in result.notifications
        ],
        "deliveries": [
            {
                "time": iso_z(d.notification.time),
                "offset": format_offset(d.notification.time - start),
                "topic": _topic_name(result, d.notification.topic_arn),
                "protocol": d.subscription.protocol,
                "endpoint": d.subscription.endpoint,
                "origin": d.notification.origin,
                "state": d.notification.state,
                "message_id": d.notification.message_id,
                "approximate": d.notification.approximate,
                "body": d.body,
            }
            for d in result.deliveries
        ],
        "summary": {
            "by_topic": dict(Counter(_topic_name(result, n.topic_arn) for n in result.notifications)),
            "by_endpoint": dict(
                Counter(f"{d.subscription.protocol}:{d.subscription.endpoint}" for d in result.deliveries)
            ),
        },
        "other_actions": [{"time": iso_z(t), "alarm": a, "action": action} for t, a, action in result.other_actions],
        "expectations": [{"description": c.description, "passed": c.passed, "detail": c.detail} for c in result.checks],
        "warnings": result.warnings,
        "resolved": result.topology.resolved,
    }


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()


def _table(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [indent + _row(header, widths)] + [indent + _row(r, widths) for r in rows]


def to_table(result: Result) -> str:
    kinds = classify(result.topology)
    start = result.start
    status = "PASS" if result.passed else "FAIL"
    lines = [
        f"== {result.scenario}: {status}"
        + (" (~ marks approximate results: anomaly bands)" if result.approximate else ""),
        f"   {result.path or ''}  start {_clock(start)}  alarms created {format_offset(result.apply_at - start)}  "
        f"end {format_offset(result.end - start)}  {len(result.alarms)} alarms, "
        f"{sum(result.evaluations.values())} evaluations",
        "",
        "transitions:",
    ]
    rows = [
        [
            _clock(t.time),
            format_offset(t.time - start),
            ("~ " if t.approximate else "") + t.alarm,
            kinds.get(t.alarm, ""),
            f"{t.old} -> {t.new}",
            f"actions suppressed ({t.actions_suppressed_by})" if t.actions_suppressed_by else "",
        ]
        for t in result.transitions
    ]
    lines += _table(["time", "offset", "alarm", "kind", "change", ""], rows) if rows else ["  (none)"]
    lines += ["", "notifications by topic:"]
    by_topic: dict[str, list[Any]] = {}
    for n in result.notifications:
        by_topic.setdefault(_topic_name(result, n.topic_arn), []).append(n)
    if not by_topic:
        lines.append("  (none)")
    for topic, items in sorted(by_topic.items()):
        lines.append(f"  {topic}: {len(items)}")
        for n in items:
            what = f"{n.state}" if n.state else "event"
            lines.append(
                f"    {format_offset(n.time - start):>10}  {what:<17} {('~ ' if n.approximate else '')}{n.origin}"
            )
    lines += ["", "deliveries by endpoint:"]
    by_endpoint = Counter((d.subscription.protocol, d.subscription.endpoint) for d in result.deliveries)
    lines += [
        f"  {count:>4}  {protocol}  {endpoint}" for (protocol, endpoint), count in sorted(by_endpoint.items())
    ] or ["  (none)"]
    if result.other_actions:
        lines += ["", f"other actions (not simulated): {len(result.other_actions)}"]
    if result.checks:
        lines += ["", "expectations:"]
        for c in result.checks:
            lines.append(
                f"  {'PASS' if c.passed else 'FAIL'}  {c.description}" + (f"\n        {c.detail}" if c.detail else "")
            )
    if result.warnings:
        lines += ["", "warnings:"] + [f"  - {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def kinds_table(kinds: dict[str, str]) -> str:
    rows = [[name, kind] for name, kind in kinds.items()]
    counts = Counter(kinds.values())
    lines = _table(["alarm", "kind"], rows, indent="")
    lines += ["", "kinds:"] + [f"  {count:>4}  {kind}" for kind, count in sorted(counts.items())]
    return "\n".join(lines) + "\n"


def coverage_json(cov: Coverage) -> dict[str, Any]:
    return {
        "complete": cov.complete,
        "missing": cov.missing,
        "kinds": [
            {"kind": k.kind, "covered": k.covered, "alarms": k.alarms, "fires": k.fires, "quiet": k.quiet}
            for k in cov.kinds
        ],
    }


def coverage_table(cov: Coverage) -> str:
    rows = [
        [
            k.kind,
            str(len(k.alarms)),
            "yes" if k.fires else "NO",
            "yes" if k.quiet else "NO",
            "covered" if k.covered else "MISSING",
        ]
        for k in cov.kinds
    ]
    lines = _table(["kind", "alarms", "fires", "quiet", ""], rows, indent="")
    return "\n".join(lines) + "\n"


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"
