"""Scenario files: YAML, one scenario per file (schema in alarm_eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from alarm_eval.anomaly import BandSettings
from alarm_eval.decision import STATES, TREATMENTS
from alarm_eval.errors import InputError
from alarm_eval.model import MetricKey, metric_key
from alarm_eval.timeutil import parse_duration, parse_instant, parse_iso
from alarm_eval.values import expand


@dataclass(frozen=True)
class Step:
    to: str | None = None
    from_: str | None = None
    at: float | None = None
    between: tuple[float, float] | None = None

    def describe(self, start: float) -> str:
        from alarm_eval.timeutil import format_offset

        text = f"{self.from_ or '*'} -> {self.to or '*'}"
        if self.at is not None:
            text += f" at {format_offset(self.at - start)}"
        if self.between:
            text += f" between {format_offset(self.between[0] - start)} and {format_offset(self.between[1] - start)}"
        return text


@dataclass(frozen=True)
class TransitionExpectation:
    alarm: str
    steps: tuple[Step, ...]
    mode: str = "exactly"  # exactly | at_least


@dataclass(frozen=True)
class NotificationExpectation:
    count: int
    mode: str = "exactly"  # exactly | at_least | at_most
    topic: str | None = None
    endpoint: str | None = None
    alarms: tuple[str, ...] = ()
    state: str | None = None
    source: str | None = None
    only_from: tuple[str, ...] = ()  # every notification counted must come from one of these alarms or rules


@dataclass
class Expectations:
    transitions: list[TransitionExpectation] = field(default_factory=list)
    notifications: list[NotificationExpectation] = field(default_factory=list)
    never_alarm: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LogEvent:
    at: float
    group: str
    message: str


@dataclass(frozen=True)
class BusEvent:
    at: float
    event: dict[str, Any]
    bus: str = "default"


@dataclass(frozen=True)
class Options:
    evaluation_offset: float = 0.0
    range_extra: int | None = None  # None: max(2, N // 3)
    band: BandSettings = BandSettings()


@dataclass
class Scenario:
    name: str
    path: Path | None
    start: float
    apply_at: float
    end: float
    alarms: list[str]
    options: Options
    overrides: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    series: list[tuple[MetricKey, list[tuple[float, float]]]]
    bus_events: list[BusEvent]
    log_events: list[LogEvent]
    expect: Expectations


_TOP = {
    "name",
    "description",
    "start",
    "step",
    "apply_at",
    "duration",
    "end",
    "alarms",
    "options",
    "overrides",
    "subscriptions",
    "series",
    "events",
    "expect",
}


def load(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise InputError(f"scenario {path}: no such file") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"scenario {path}: not YAML: {exc}") from exc
    return from_dict(doc, path)


def from_dict(doc: Any, path: Path | None = None) -> Scenario:
    where = str(path or "<scenario>")
    if not isinstance(doc, dict):
        raise InputError(f"scenario {where}: expected a mapping at the top")
    _no_unknown(doc, _TOP, where)
    if "start" not in doc:
        raise InputError(f"scenario {where}: start is required (e.g. start: 2026-01-01T00:00:00Z)")
    start = parse_instant(doc["start"], 0.0, f"{where}: start")
    step = parse_duration(doc.get("step", "1m"), f"{where}: step")
    apply_at = parse_instant(doc.get("apply_at", 0), start, f"{where}: apply_at")
    if "end" in doc:
        end = parse_instant(doc["end"], start, f"{where}: end")
    elif "duration" in doc:
        end = start + parse_duration(doc["duration"], f"{where}: duration")
    else:
        raise InputError(f"scenario {where}: give duration (e.g. 2h) or end")
    if end <= apply_at:
        raise InputError(f"scenario {where}: it ends before the alarms are created (apply_at)")
    alarms = doc.get("alarms", ["*"])
    alarms = [alarms] if isinstance(alarms, str) else [str(a) for a in alarms]
    base = path.parent if path else Path(".")
    bus_events, log_events = _events(doc.get("events") or [], start, base, where)
    return Scenario(
        name=str(doc.get("name") or (path.stem if path else "scenario")),
        path=path,
        start=start,
        apply_at=apply_at,
        end=end,
        alarms=alarms,
        options=_options(doc.get("options") or {}, where),
        overrides=_overrides(doc.get("overrides") or [], where),
        subscriptions=list(doc.get("subscriptions") or []),
        series=[_series(s, start, step, where) for s in doc.get("series") or []],
        bus_events=bus_events,
        log_events=log_events,
        expect=_expectations(doc.get("expect") or {}, start, where),
    )


def _no_unknown(doc: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(doc) - allowed
    if unknown:
        raise InputError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(sorted(unknown))} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _options(doc: dict[str, Any], where: str) -> Options:
    _no_unknown(doc, {"evaluation_offset", "evaluation_range_extra", "anomaly"}, f"{where}: options")
    anomaly = doc.get("anomaly") or {}
    _no_unknown(anomaly, {"training", "min_points", "min_stddev"}, f"{where}: options.anomaly")
    band = BandSettings(
        training_seconds=int(parse_duration(anomaly.get("training", "14d"), f"{where}: anomaly.training")),
        min_points=int(anomaly.get("min_points", 12)),
        min_stddev=float(anomaly.get("min_stddev", 0.0)),
    )
    extra = doc.get("evaluation_range_extra")
    return Options(
        evaluation_offset=parse_duration(doc.get("evaluation_offset", 0), f"{where}: evaluation_offset"),
        range_extra=None if extra in (None, "auto") else int(extra),
        band=band,
    )


_OVERRIDABLE = {
    "threshold",
    "evaluation_periods",
    "datapoints_to_alarm",
    "treat_missing_data",
    "band_stddevs",
    "actions_enabled",
    "period",
}


def _overrides(items: list[Any], where: str) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if not isinstance(item, dict) or "alarm" not in item:
            raise InputError(f"{where}: each override needs alarm (a name or glob) and the fields to change")
        _no_unknown(item, _OVERRIDABLE | {"alarm"}, f"{where}: override of {item['alarm']}")
        if "treat_missing_data" in item and item["treat_missing_data"] not in TREATMENTS:
            raise InputError(f"{where}: treat_missing_data must be one of {', '.join(TREATMENTS)}")
        out.append(dict(item))
    return out


def _series(doc: Any, start: float, step: float, where: str) -> tuple[MetricKey, list[tuple[float, float]]]:
    if not isinstance(doc, dict) or "metric" not in doc or "namespace" not in doc:
        raise InputError(f"{where}: each series needs namespace and metric (and values or points)")
    _no_unknown(
        doc,
        {"namespace", "metric", "dimensions", "values", "points", "start", "step", "unit"},
        f"{where}: series {doc.get('metric')}",
    )
    key = metric_key(
        str(doc["namespace"]), str(doc["metric"]), {str(k): str(v) for k, v in (doc.get("dimensions") or {}).items()}
    )
    first = parse_instant(doc.get("start", 0), start, f"{where}: series start")
    every = parse_duration(doc.get("step", step), f"{where}: series step")
    points: list[tuple[float, float]] = []
    if "values" in doc:
        for i, value in enumerate(expand(doc["values"])):
            if value is not None:
                points.append((first + i * every, value))
    for p in doc.get("points") or []:
        at, values = _point(p, where)
        points.extend((parse_instant(at, start, f"{where}: point"), float(v)) for v in values)
    if "values" not in doc and "points" not in doc:
        raise InputError(f"{where}: series {doc['metric']} has neither values nor points")
    return key, points


def _point(p: Any, where: str) -> tuple[Any, list[Any]]:
    if isinstance(p, dict) and "at" in p:
        values = p.get("values", [p["value"]] if "value" in p else None)
        if values is None:
            raise InputError(f"{where}: a point needs value or values")
        return p["at"], list(values)
    if isinstance(p, list | tuple) and len(p) == 2:
        return p[0], [p[1]]
    raise InputError(f"{where}: a point is {{at: 5m, value: 3}} or [5m, 3]; got {p!r}")


def glue_state_change(spec: dict[str, Any]) -> dict[str, Any]:
    """The "Glue Job State Change" event Glue sends, from ``{job, state, run_id, message}``."""
    state = str(spec.get("state", "FAILED"))
    return {
        "source": "aws.glue",
        "detail-type": "Glue Job State Change",
        "detail": {
            "jobName": spec["job"],
            "severity": "INFO" if state == "SUCCEEDED" else "ERROR",
            "state": state,
            "jobRunId": spec.get("run_id", "jr_0000000000000000000000000000000000000000000000000000000000000001"),
            "message": spec.get("message", "Job run succeeded" if state == "SUCCEEDED" else "Job run failed"),
        },
    }


def _events(items: list[Any], start: float, base: Path, where: str) -> tuple[list[BusEvent], list[LogEvent]]:
    bus: list[BusEvent] = []
    logs: list[LogEvent] = []
    for item in items:
        if not isinstance(item, dict) or "at" not in item:
            raise InputError(f"{where}: each event needs at and one of eventbridge, glue_job_state, log, log_file")
        _no_unknown(item, {"at", "eventbridge", "glue_job_state", "log", "log_file", "bus"}, f"{where}: event")
        at = parse_instant(item["at"], start, f"{where}: event at")
        if "eventbridge" in item:
            bus.append(BusEvent(at, dict(item["eventbridge"]), item.get("bus", "default")))
        elif "glue_job_state" in item:
            if not isinstance(item["glue_job_state"], dict) or "job" not in item["glue_job_state"]:
                raise InputError(f"{where}: glue_job_state needs job (and state, run_id, message)")
            bus.append(BusEvent(at, glue_state_change(item["glue_job_state"]), item.get("bus", "default")))
        elif "log" in item:
            spec = item["log"]
            messages = spec.get("messages") or [spec.get("message")]
            for m in messages:
                logs.append(LogEvent(at, str(spec["group"]), m if isinstance(m, str) else json.dumps(m)))
        elif "log_file" in item:
            logs.extend(_log_file(item["log_file"], at, base, where))
        else:
            raise InputError(f"{where}: event at {item['at']} has nothing to send")
    return bus, logs


def _log_file(spec: dict[str, Any], at: float, base: Path, where: str) -> list[LogEvent]:
    """JSON lines; each keeps its offset from the first line's ``time_field`` (default ``timestamp``), the first
    line landing at ``at`` (``keep_times: true`` keeps the lines' own times instead)."""
    path = base / str(spec["path"])
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError as exc:
        raise InputError(f"{where}: log_file {path}: no such file") from exc
    field_name = spec.get("time_field", "timestamp")
    times: list[float | None] = []
    for line in lines:
        try:
            value = json.loads(line).get(field_name)
        except (json.JSONDecodeError, AttributeError):
            value = None
        times.append(parse_iso(value) if isinstance(value, str) else None)
    known = [t for t in times if t is not None]
    shift = 0.0 if spec.get("keep_times") else (at - known[0] if known else 0.0)
    return [
        LogEvent(at if t is None else t + shift, str(spec["group"]), line) for t, line in zip(times, lines, strict=True)
    ]


def _expectations(doc: dict[str, Any], start: float, where: str) -> Expectations:
    _no_unknown(doc, {"transitions", "notifications", "never_alarm"}, f"{where}: expect")
    out = Expectations(never_alarm=[str(a) for a in doc.get("never_alarm") or []])
    for item in doc.get("transitions") or []:
        if not isinstance(item, dict) or "alarm" not in item:
            raise InputError(f"{where}: each expected transition list needs alarm and sequence")
        _no_unknown(item, {"alarm", "mode", "sequence"}, f"{where}: expect.transitions")
        mode = item.get("mode", "exactly")
        if mode not in ("exactly", "at_least"):
            raise InputError(f"{where}: transitions mode must be exactly or at_least")
        steps = tuple(_step(s, start, where) for s in item.get("sequence") or [])
        out.transitions.append(TransitionExpectation(str(item["alarm"]), steps, mode))
    for item in doc.get("notifications") or []:
        if not isinstance(item, dict) or "count" not in item or not ({"topic", "endpoint"} & set(item)):
            raise InputError(f"{where}: each expected notification needs topic or endpoint, and count")
        allowed = {"topic", "endpoint", "count", "mode", "alarms", "state", "source", "only_from"}
        _no_unknown(item, allowed, f"{where}: expect.notifications")
        mode = item.get("mode", "exactly")
        if mode not in ("exactly", "at_least", "at_most"):
            raise InputError(f"{where}: notifications mode must be exactly, at_least or at_most")
        alarms = item.get("alarms") or ()
        out.notifications.append(
            NotificationExpectation(
                count=int(item["count"]),
                mode=mode,
                topic=item.get("topic"),
                endpoint=item.get("endpoint"),
                alarms=_globs(alarms),
                state=_state(item.get("state"), where),
                source=item.get("source"),
                only_from=_globs(item.get("only_from")),
            )
        )
    return out


def _globs(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


def _state(value: Any, where: str) -> str | None:
    if value is not None and value not in STATES:
        raise InputError(f"{where}: {value!r} is not a state ({', '.join(STATES)})")
    return value


def _step(s: Any, start: float, where: str) -> Step:
    if isinstance(s, str):
        parts = [p.strip() for p in s.replace("→", "->").split("->")]
        if len(parts) != 2:
            raise InputError(f"{where}: a transition is written 'OK -> ALARM'; got {s!r}")
        return Step(to=_state(parts[1] or None, where), from_=_state(parts[0] or None, where))
    if not isinstance(s, dict):
        raise InputError(f"{where}: a transition is 'OK -> ALARM' or {{from, to, at, between}}; got {s!r}")
    _no_unknown(s, {"from", "to", "at", "between"}, f"{where}: transition")
    between = s.get("between")
    return Step(
        to=_state(s.get("to"), where),
        from_=_state(s.get("from"), where),
        at=parse_instant(s["at"], start, f"{where}: transition at") if "at" in s else None,
        between=(parse_instant(between[0], start), parse_instant(between[1], start)) if between else None,
    )
