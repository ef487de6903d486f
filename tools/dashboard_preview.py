"""Render CloudWatch dashboard bodies to PNG as the console draws them, with the datapoints from CloudWatch.

The input is any of:
  - a plan:        terraform show -json tfplan > plan.json            (aws_cloudwatch_dashboard resources)
  - a state:       terraform show -json > state.json, or a raw terraform.tfstate
  - outputs:       terraform output -json dashboard_bodies > bodies.json   (name -> body)
                   terraform output -json > outputs.json                  (any output holding dashboard_bodies)
  - one body:      a dashboard body JSON ({"widgets": [...]})
  - "-":           any of the above on stdin

    python -m tools.dashboard_preview plan.json --out build/dashboards
    terraform output -json dashboard_bodies | python -m tools.dashboard_preview - --hours 6
    python -m tools.dashboard_preview plan.json --offline           # the layout alone, no AWS call

Each dashboard becomes <out>/<name>.png, drawn with matplotlib on CloudWatch's 24-column grid, every widget
at its place with its title, and:
  - metric widgets as the console draws them: time series (left and right axes, the unit, the legend,
    horizontal annotations as threshold lines), or single values, bars or a pie per the widget's view, with
    the datapoints GetMetricData returns for the widget's metrics and metric-math expressions, stat, period
    and time range. A query the service does not answer (the emulator evaluates no metric math and no
    percentile) is drawn as "no data": nothing is made up;
  - log widgets as a table (a chart for `stats ... by bin()` in a time-series view) of the Logs Insights
    results, when StartQuery/GetQueryResults answer (on AWS a query is billed by the data it scans); else
    the query text and why there are no results;
  - alarm widgets as the alarms' current states (DescribeAlarms), coloured as in the console;
  - text widgets as their text.
Beside each PNG, <name>.json lists per widget what was drawn: its place, each series with the points read
back from the plotted lines, table rows, alarm states, and why anything is missing.

The data: CloudWatch through boto3, so the standard variables choose the account and the endpoint
(AWS_PROFILE or AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH for an emulator); each
widget's own region, else --region. The time range is --hours, or --start/--end (ISO 8601 times or
durations before now such as -PT6H), else the widget's or the dashboard's start/end, else the last 3 hours.
Each widget keeps its own period (periodOverride "auto" is not applied). With --offline, or without
credentials, the same layout is drawn with empty axes labelled "no data".

Overlapping widgets are outlined in red and reported; --strict makes them (and widgets outside the grid)
an error.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

GRID_COLUMNS = 24
COL_PX = 64  # one grid column
ROW_PX = 44  # one grid row
MARGIN = 16
HEADER_PX = 52
DPI = 100
DEFAULT_START = "-PT3H"  # the console's default range
LOG_QUERY_SECONDS = 15  # how long a Logs Insights query may run
# CloudWatch's default series colours (d3's category10), its alarm state colours, and the page's inks
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
STATE_COLOURS = {"ALARM": "#d13212", "OK": "#1d8102", "INSUFFICIENT_DATA": "#879596"}
INK = {
    "title": "#16191f",
    "text": "#414750",
    "muted": "#687078",
    "grid": "#e9ebed",
    "frame": "#d5dbdb",
    "page": "#f2f3f3",
    "overlap": "#e60000",
    "annotation": "#d13212",
    "link": "#0073bb",
}


# ---- reading bodies -------------------------------------------------------------------------------------


def _dashboards_in_resources(resources: list[dict], key: str = "values") -> dict[str, str]:
    found = {}
    for res in resources:
        if res.get("type") == "aws_cloudwatch_dashboard":
            vals = res.get(key) or {}
            if vals.get("dashboard_body"):
                found[vals.get("dashboard_name") or res.get("address", "dashboard")] = vals["dashboard_body"]
    return found


def _walk_modules(module: dict) -> list[dict]:
    out = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        out += _walk_modules(child)
    return out


def _find_key(obj, key: str):
    """Every value stored under `key` anywhere in a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            else:
                yield from _find_key(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _find_key(v, key)


def load_bodies(doc) -> dict[str, dict]:
    """Dashboard name -> parsed body, from a plan, a state, outputs or a single body."""
    raw: dict[str, str | dict] = {}
    if isinstance(doc, dict) and "widgets" in doc:
        raw["dashboard"] = doc
    elif isinstance(doc, dict) and "resource_changes" in doc:  # plan
        for rc in doc["resource_changes"]:
            after = (rc.get("change") or {}).get("after") or {}
            if rc.get("type") == "aws_cloudwatch_dashboard" and after.get("dashboard_body"):
                raw[after.get("dashboard_name") or rc["address"]] = after["dashboard_body"]
    elif isinstance(doc, dict) and "values" in doc and isinstance(doc["values"], dict):  # terraform show -json
        raw.update(_dashboards_in_resources(_walk_modules(doc["values"].get("root_module", {}))))
    elif isinstance(doc, dict) and "resources" in doc and "version" in doc:  # raw tfstate
        for res in doc["resources"]:
            if res.get("type") == "aws_cloudwatch_dashboard":
                for inst in res.get("instances", []):
                    attrs = inst.get("attributes") or {}
                    raw[attrs.get("dashboard_name", res["name"])] = attrs.get("dashboard_body", "{}")
    if not raw and isinstance(doc, dict):  # outputs: a name -> body map, possibly under dashboard_bodies/value
        candidates = list(_find_key(doc, "dashboard_bodies")) or [doc]
        for cand in candidates:
            cand = cand.get("value", cand) if isinstance(cand, dict) else cand
            if isinstance(cand, dict):
                for name, body in cand.items():
                    if isinstance(body, str) and body.lstrip().startswith("{") and '"widgets"' in body:
                        raw[name] = body
                    elif isinstance(body, dict) and "widgets" in body:
                        raw[name] = body
    bodies = {}
    for name, body in raw.items():
        bodies[name] = json.loads(body) if isinstance(body, str) else body
    return dict(sorted(bodies.items()))


# ---- checks -------------------------------------------------------------------------------------------------


@dataclass
class Report:
    name: str
    widgets: int
    metrics: int
    body_bytes: int
    rows: int
    overlaps: list[tuple[int, int]] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)
    png: str = ""
    sidecar: str = ""
    drawn: list[dict] = field(default_factory=list)  # per widget: what was drawn (the sidecar's "widgets")

    def series_with_data(self) -> tuple[int, int]:
        series = [s for w in self.drawn for s in w.get("series", [])]
        return sum(1 for s in series if s["points"]), len(series)


def metric_count(widget: dict) -> int:
    return len((widget.get("properties") or {}).get("metrics") or [])


def overlaps(widgets: list[dict]) -> list[tuple[int, int]]:
    """Index pairs of widgets whose rectangles intersect (widgets without x/y are auto-placed: skipped)."""
    boxes = [
        (i, w["x"], w["y"], w.get("width", 6), w.get("height", 6))
        for i, w in enumerate(widgets)
        if "x" in w and "y" in w
    ]
    pairs = []
    for a in range(len(boxes)):
        i, x1, y1, w1, h1 = boxes[a]
        for b in range(a + 1, len(boxes)):
            j, x2, y2, w2, h2 = boxes[b]
            if x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1:
                pairs.append((i, j))
    return pairs


def outside_grid(widgets: list[dict]) -> list[int]:
    return [i for i, w in enumerate(widgets) if w.get("x", 0) < 0 or w.get("x", 0) + w.get("width", 6) > GRID_COLUMNS]


def auto_place(widgets: list[dict]) -> list[dict]:
    """CloudWatch places widgets without x/y left to right, top to bottom; do the same for the preview."""
    placed, x, y, row_h = [], 0, 0, 0
    bottom = max([w["y"] + w.get("height", 6) for w in widgets if "y" in w] or [0])
    y = bottom
    for w in widgets:
        if "x" in w and "y" in w:
            placed.append(w)
            continue
        width, height = w.get("width", 6), w.get("height", 6)
        if x + width > GRID_COLUMNS:
            x, y, row_h = 0, y + row_h, 0
        placed.append({**w, "x": x, "y": y, "width": width, "height": height})
        x, row_h = x + width, max(row_h, height)
    return placed


# ---- time range ----------------------------------------------------------------------------------------------

_DURATION = re.compile(r"-?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def parse_time(text: str, now: datetime) -> datetime:
    """An ISO 8601 time (2026-12-04T06:00:00Z) or a duration before now (-PT3H, -P7D), as dashboards hold them."""
    match = _DURATION.fullmatch(text.strip().upper())
    if match and any(match.groups()):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return now - timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    when = datetime.fromisoformat(text.strip())
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def time_range(layers: list[dict], now: datetime) -> tuple[datetime, datetime]:
    """The first layer (command line, widget, dashboard) with a start decides; its end defaults to now."""
    for layer in layers:
        if layer.get("start"):
            end = parse_time(layer["end"], now) if layer.get("end") else now
            return parse_time(layer["start"], now), end
    return parse_time(DEFAULT_START, now), now


# ---- what a metric widget asks for -------------------------------------------------------------------------


@dataclass
class Query:
    """One line of a metric widget: a metric with its stat and period, or a metric-math expression."""

    id: str
    label: str
    period: int
    stat: str = ""
    metric: dict | None = None  # GetMetricData's Metric: Namespace, MetricName, Dimensions
    expression: str = ""
    visible: bool = True
    axis: str = "left"
    color: str | None = None

    def request(self, returned: bool | None = None) -> dict:
        query: dict[str, Any] = {"Id": self.id, "ReturnData": self.visible if returned is None else returned}
        if self.expression:
            return query | {"Expression": self.expression}
        return query | {"MetricStat": {"Metric": self.metric, "Period": self.period, "Stat": self.stat}}


def _resolve_metric(entry: list, previous: list | None) -> tuple[list, dict]:
    """A metrics-array entry -> its parts (with "." resolved against the previous entry) and its options."""
    opts = entry[-1] if entry and isinstance(entry[-1], dict) else {}
    parts = [p for p in entry if not isinstance(p, dict)]
    if previous:
        parts = [previous[i] if p == "." and i < len(previous) else p for i, p in enumerate(parts)]
    return parts, opts


def metric_queries(props: dict, range_seconds: float | None = None) -> list[Query]:
    """The widget's metrics array as queries; ids as the console gives them (m1, m2, ... and e1, ...) unless
    set. With setPeriodToTimeRange (and `range_seconds`), one period spans the whole range."""
    queries: list[Query] = []
    previous: list | None = None
    counts = {"m": 0, "e": 0}
    default_period = int(props.get("period", 300))
    if props.get("setPeriodToTimeRange") and range_seconds:
        default_period = max(60, math.ceil(range_seconds / 60) * 60)
    for entry in props.get("metrics") or []:
        if not isinstance(entry, list):
            continue
        parts, opts = _resolve_metric(entry, previous)
        common = {
            "visible": opts.get("visible", True) is not False,
            "axis": "right" if opts.get("yAxis") == "right" else "left",
            "color": opts.get("color"),
            "period": int(opts.get("period", default_period)),
        }
        if not parts and "expression" in opts:
            counts["e"] += 1
            label = opts.get("label") or opts["expression"]
            queries.append(Query(opts.get("id") or f"e{counts['e']}", label, expression=opts["expression"], **common))
            continue
        previous = parts
        counts["m"] += 1
        dims = parts[2:]
        metric = {
            "Namespace": parts[0],
            "MetricName": parts[1] if len(parts) > 1 else "?",
            "Dimensions": [{"Name": dims[i], "Value": dims[i + 1]} for i in range(0, len(dims) - 1, 2)],
        }
        stat = opts.get("stat", props.get("stat", "Average"))
        label = opts.get("label") or metric["MetricName"]
        queries.append(Query(opts.get("id") or f"m{counts['m']}", label, stat=stat, metric=metric, **common))
    return queries


def split_log_query(query: str) -> tuple[list[str], str]:
    """A log widget's query -> its log groups (the leading SOURCE clauses) and the Logs Insights query."""
    groups = []
    source = re.compile(r"\s*SOURCE\s+(['\"])(.*?)\1\s*\|", re.I)
    while match := source.match(query):
        groups.append(match.group(2))
        query = query[match.end() :]
    return groups, query.strip()


# ---- where the data comes from -------------------------------------------------------------------------------


@dataclass
class Series:
    id: str
    label: str
    axis: str = "left"
    color: str | None = None
    timestamps: list[datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    unit: str = ""
    note: str = ""  # why there are no points


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


@dataclass
class AlarmState:
    name: str
    state: str
    updated: datetime | None = None


class Source(Protocol):
    down: str  # why the source stopped answering, once it has

    def describe(self) -> str: ...
    def series(self, region: str | None, queries: list[Query], start: datetime, end: datetime) -> list[Series]: ...
    def log_results(self, region: str | None, query: str, start: datetime, end: datetime) -> Table: ...
    def alarm_states(self, region: str | None, names: list[str]) -> dict[str, AlarmState] | None: ...


class Offline:
    """No AWS: every widget is drawn, empty."""

    def __init__(self, reason: str) -> None:
        self.reason, self.down = reason, ""

    def describe(self) -> str:
        return f"offline ({self.reason}): no data"

    def series(self, region: str | None, queries: list[Query], start: datetime, end: datetime) -> list[Series]:
        return [Series(q.id, q.label, q.axis, q.color, note="no data") for q in queries if q.visible]

    def log_results(self, region: str | None, query: str, start: datetime, end: datetime) -> Table:
        return Table(note=f"no data ({self.reason})")

    def alarm_states(self, region: str | None, names: list[str]) -> dict[str, AlarmState] | None:
        return None


def _error(err: Exception) -> str:
    text = str(err).replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


class CloudWatch:
    """CloudWatch and CloudWatch Logs through boto3: credentials, endpoints and region from the environment."""

    def __init__(self, session: Any, region: str) -> None:
        from botocore.config import Config

        self.session, self.region, self.clients, self.down = session, region, {}, ""
        self.config = Config(retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=3, read_timeout=30)

    def client(self, service: str, region: str | None) -> Any:
        key = (service, region or self.region)
        if key not in self.clients:
            self.clients[key] = self.session.client(service, region_name=key[1], config=self.config)
        return self.clients[key]

    def describe(self) -> str:
        where = f"CloudWatch {self.region} at {self.client('cloudwatch', None).meta.endpoint_url}"
        return f"{where}, {self.down}" if self.down else where

    def series(self, region: str | None, queries: list[Query], start: datetime, end: datetime) -> list[Series]:
        from botocore.exceptions import ClientError

        cw = self.client("cloudwatch", region)
        try:
            results, notes = _get_metric_data(cw, [q.request() for q in queries], start, end), {}
        except ClientError:  # one query the service cannot answer fails the call: ask for each on its own
            results, notes = _one_by_one(cw, queries, start, end)
        out = []
        for q in (q for q in queries if q.visible):
            found = results.get(q.id) or {q.label: ([], [])}
            for label, (stamps, values) in found.items():
                name = q.label if len(found) == 1 else label  # a SEARCH expression: one series per metric found
                note = notes.get(q.id, "") or ("" if values else "no data")
                unit = _unit(cw, q, start, end) if values else ""
                out.append(Series(q.id, name, q.axis, q.color, stamps, values, unit, note))
        return out

    def log_results(self, region: str | None, query: str, start: datetime, end: datetime) -> Table:
        from botocore.exceptions import ClientError

        logs = self.client("logs", region)
        where = "" if "amazonaws.com" in logs.meta.endpoint_url else " on the emulator"
        groups, insights = split_log_query(query)
        if not groups:
            return Table(note="no log group in the query (SOURCE '...' | ...)")
        try:
            got = _run_log_query(logs, groups, insights, start, end)
        except ClientError as err:
            return Table(note=f"no results{where}: {_error(err)}")
        if got["status"] != "Complete":
            return Table(note=f"no results{where}: the query is {got['status']}")
        columns: list[str] = []
        for row in got["results"]:
            columns += [c["field"] for c in row if c["field"] != "@ptr" and c["field"] not in columns]
        rows = [
            [_cell(col, {c["field"]: c["value"] for c in row}.get(col, "")) for col in columns]
            for row in got["results"]
        ]
        return Table(columns, rows, "" if rows else f"no results{where}")

    def alarm_states(self, region: str | None, names: list[str]) -> dict[str, AlarmState] | None:
        cw = self.client("cloudwatch", region)
        found = {}
        for i in range(0, len(names), 100):
            page = cw.describe_alarms(AlarmNames=names[i : i + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
            for alarm in page["MetricAlarms"] + page["CompositeAlarms"]:
                found[alarm["AlarmName"]] = AlarmState(
                    alarm["AlarmName"], alarm["StateValue"], alarm.get("StateUpdatedTimestamp")
                )
        return found


def _get_metric_data(cw: Any, requests: list[dict], start: datetime, end: datetime) -> dict[str, dict]:
    """Query id -> {label: (timestamps, values)}, oldest first, over every page."""
    out: dict[str, dict[str, tuple[list, list]]] = {}
    kwargs = {"MetricDataQueries": requests, "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"}
    while True:
        page = cw.get_metric_data(**kwargs)
        for result in page["MetricDataResults"]:
            stamps, values = out.setdefault(result["Id"], {}).setdefault(result.get("Label", ""), ([], []))
            stamps += [t.astimezone(UTC) for t in result["Timestamps"]]
            values += result["Values"]
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    for series in out.values():
        for label, (stamps, values) in series.items():
            pairs = sorted(zip(stamps, values, strict=True))
            series[label] = ([t for t, _ in pairs], [v for _, v in pairs])
    return out


def _one_by_one(cw: Any, queries: list[Query], start: datetime, end: datetime) -> tuple[dict, dict[str, str]]:
    """Each shown query on its own (an expression with the widget's metrics as its hidden inputs), so that
    one the service cannot answer costs only its own series."""
    from botocore.exceptions import ClientError

    inputs = [q.request(returned=False) for q in queries if not q.expression]
    results, notes = {}, {}
    for q in (q for q in queries if q.visible):
        requests = [r for r in inputs if r["Id"] != q.id] + [q.request()] if q.expression else [q.request()]
        try:
            results[q.id] = _get_metric_data(cw, requests, start, end).get(q.id, {})
        except ClientError as err:
            notes[q.id] = f"no data: {_error(err)}"
    return results, notes


def _unit(cw: Any, q: Query, start: datetime, end: datetime) -> str:
    """The metric's unit (GetMetricData does not say it): one GetMetricStatistics period over the range."""
    from botocore.exceptions import ClientError

    if q.expression:
        return ""
    period = max(60, math.ceil((end - start).total_seconds() / 60) * 60)
    try:
        points = cw.get_metric_statistics(
            **q.metric, StartTime=start, EndTime=end, Period=period, Statistics=["SampleCount"]
        )["Datapoints"]
    except ClientError:
        return ""
    units = {p.get("Unit") for p in points} - {None, "None"}
    return units.pop() if len(units) == 1 else ""


def _run_log_query(logs: Any, groups: list[str], query: str, start: datetime, end: datetime) -> dict:
    query_id = logs.start_query(
        logGroupNames=groups, startTime=int(start.timestamp()), endTime=int(end.timestamp()), queryString=query
    )["queryId"]
    deadline = time.monotonic() + LOG_QUERY_SECONDS
    while True:
        got = logs.get_query_results(queryId=query_id)
        if got["status"] not in ("Scheduled", "Running"):
            return got
        if time.monotonic() > deadline:
            logs.stop_query(queryId=query_id)
            return {"status": f"still running after {LOG_QUERY_SECONDS} s", "results": []}
        time.sleep(0.3)


def _cell(column: str, value: str) -> str:
    """Logs Insights cells as the console shows them: @timestamp as a UTC time (some emulators send ms)."""
    if column == "@timestamp" and value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return value


def open_source(offline: bool, region: str | None) -> Source:
    """CloudWatch with the environment's credentials, else Offline (asked for, or no credentials)."""
    if offline:
        return Offline("--offline")
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        return Offline("no AWS credentials")
    return CloudWatch(session, session.region_name or "us-east-1")


# ---- what a widget shows ----------------------------------------------------------------------------------------


@dataclass
class WidgetData:
    series: list[Series] = field(default_factory=list)
    table: Table | None = None
    alarms: list[AlarmState] | None = None
    note: str = ""


def fetch(source: Source, widget: dict, start: datetime, end: datetime) -> WidgetData:
    """Ask the source for what the widget shows; a failing call leaves the widget empty, with the reason.
    A source that does not answer at all (endpoint down, no network) is not asked again."""
    from botocore.exceptions import BotoCoreError, ClientError

    if source.down:
        return _fetch(Offline(source.down), widget, start, end)
    try:
        return _fetch(source, widget, start, end)
    except BotoCoreError as err:
        source.down = f"unreachable: {_error(err)}"
        return _fetch(Offline(source.down), widget, start, end)
    except ClientError as err:  # e.g. access denied: this widget only
        data = _fetch(Offline(_error(err)), widget, start, end)
        data.note = f"no data: {_error(err)}"
        return data


def _fetch(source: Source, widget: dict, start: datetime, end: datetime) -> WidgetData:
    props = widget.get("properties") or {}
    kind, region = widget.get("type", "metric"), props.get("region")
    if kind == "metric":
        queries = metric_queries(props, (end - start).total_seconds())
        return WidgetData(series=source.series(region, queries, start, end))
    if kind == "log":
        return WidgetData(table=source.log_results(region, props.get("query") or "", start, end))
    if kind == "alarm":
        names = [arn.split(":alarm:")[-1] for arn in props.get("alarms") or []]
        states = source.alarm_states(region, names)
        if states is None:
            return WidgetData(alarms=[AlarmState(n, "no data") for n in names])
        return WidgetData(alarms=[states.get(n) or AlarmState(n, "not found") for n in names])
    return WidgetData()


# ---- drawing ----------------------------------------------------------------------------------------------------


class Canvas:
    """A matplotlib figure addressed in pixels from the top left, like the dashboard grid."""

    def __init__(self, width: int, height: int) -> None:
        from matplotlib.figure import Figure

        self.width, self.height = width, height
        self.fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=INK["page"])

    def axes(self, x: float, y: float, w: float, h: float) -> Any:
        return self.fig.add_axes((x / self.width, 1 - (y + h) / self.height, w / self.width, h / self.height))

    def text(self, x: float, y: float, text: str, **kwargs: Any) -> Any:
        return self.fig.text(x / self.width, 1 - y / self.height, text, **kwargs)

    def box(self, x: float, y: float, w: float, h: float, **kwargs: Any) -> None:
        from matplotlib.patches import Rectangle

        box = (x / self.width, 1 - (y + h) / self.height)
        kwargs.setdefault("zorder", -1)  # under the widgets' axes
        self.fig.add_artist(Rectangle(box, w / self.width, h / self.height, transform=self.fig.transFigure, **kwargs))


def _fit(text: str, width_px: float, size_pt: float) -> str:
    """Cut text to about what fits in width_px at size_pt (DejaVu Sans averages 0.6 em a character)."""
    chars = max(4, int(width_px / (size_pt * DPI / 72 * 0.6)))
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _compact(value: float, _pos: Any = None) -> str:
    """Axis numbers as the console writes them: 1.5k, 2M."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


def _style(ax: Any) -> None:
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(INK["frame"])
    ax.tick_params(labelsize=7, colors=INK["muted"], length=2)
    ax.grid(axis="y", color=INK["grid"], linewidth=0.8)
    ax.set_axisbelow(True)


def _no_data(ax: Any) -> None:
    """The console's word for an empty chart (the reason is in the sidecar)."""
    ax.text(
        0.5,
        0.5,
        "no data",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=8,
        color=INK["muted"],
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
    )


def _drawn_line(series: Series, line: Any) -> dict:
    """A plotted series as the figure holds it: the Line2D's own data, back in UTC times and floats."""
    from matplotlib.dates import num2date

    xs, ys = line.get_xdata(orig=False), line.get_ydata(orig=False)
    return {
        "id": series.id,
        "label": series.label,
        "axis": series.axis,
        "unit": series.unit,
        "color": line.get_color(),
        "points": len(ys),
        "note": series.note,
        "timestamps": [num2date(float(x)).astimezone(UTC).isoformat() for x in xs],
        "values": [float(y) for y in ys],
    }


def _legend(ax: Any, handles: list, box_w: float, box_h: float, below_px: float) -> None:
    """The console's legend: under the chart, in columns, at most three rows."""
    from matplotlib.lines import Line2D

    cols = max(1, int(box_w // 170))
    if len(handles) > 3 * cols:
        more = len(handles) - (3 * cols - 1)
        handles = handles[: 3 * cols - 1] + [Line2D([], [], linestyle="none", label=f"+{more} more")]
    labels = [_fit(h.get_label(), box_w / cols - 24, 7) for h in handles]
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0, -below_px / box_h),
        ncols=cols,
        fontsize=7,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.0,
        borderaxespad=0,
        labelcolor=INK["text"],
    )


def _legend_px(n: int, width: float) -> float:
    cols = max(1, int(width // 170))
    return 13 * min(3, math.ceil(n / cols)) + 4 if n else 0


def _plot_series(axes: dict[str, Any], series_list: list[Series]) -> tuple[list, list[dict]]:
    """One line per series on its axis; markers where the points are few (the console dots lone points)."""
    empty = not any(s.values for s in series_list)
    handles, drawn = [], []
    for k, series in enumerate(series_list):
        missing = not series.values and not empty  # when every series is empty the chart says so, once
        line = axes[series.axis].plot(
            series.timestamps,
            series.values,
            color=series.color or PALETTE[k % len(PALETTE)],
            linewidth=1.4,
            label=f"{series.label} (no data)" if missing else series.label,
            marker="o" if len(series.values) <= 12 else None,
            markersize=3,
        )[0]
        line.set_gid(series.id)
        handles.append(line)
        drawn.append(_drawn_line(series, line))
    return handles, drawn


def _finish_y(ax: Any, side: str, props: dict, series_list: list[Series], annotated: bool) -> None:
    """Limits (the widget's min/max, else automatic; 0 to 1 when empty), compact numbers, the unit as label."""
    from matplotlib.ticker import FuncFormatter

    _style(ax)
    axis_props = (props.get("yAxis") or {}).get(side) or {}
    mine = [s for s in series_list if (s.axis == "right") == (side == "right")]
    low, high = axis_props.get("min"), axis_props.get("max")
    if low is not None or high is not None:
        ax.set_ylim(bottom=low, top=high)
    elif not any(s.values for s in mine) and not annotated:
        ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(_compact))
    units = {s.unit for s in mine if s.values}
    label = axis_props.get("label") or (units.pop() if len(units) == 1 else "")
    ax.set_ylabel(label, fontsize=7, color=INK["muted"], labelpad=2)
    if side == "right":
        ax.grid(False)


def _annotation_labels(axes: dict[str, Any], annotations: list[dict]) -> None:
    """Each threshold's label at the right end of its line (under it near the top), and its fill, once the
    axis limits are final."""
    from matplotlib.transforms import blended_transform_factory

    for ann in annotations:
        ax = axes[ann["axis"]]
        low, high = ax.get_ylim()
        near_top = ann["value"] > low + 0.85 * (high - low)
        place = blended_transform_factory(ax.transAxes, ax.transData)
        ax.text(
            0.995,
            ann["value"],
            ann["label"],
            transform=place,
            ha="right",
            fontsize=6.5,
            color=ann["color"],
            va="top" if near_top else "bottom",
            clip_on=True,
        )
        if ann["fill"] in ("above", "below"):
            ax.axhspan(ann["value"], high if ann["fill"] == "above" else low, color=ann["color"], alpha=0.06)
            ax.set_ylim(low, high)


def _annotations(props: dict) -> list[dict]:
    """The widget's horizontal annotations: label, value, axis (left or right), colour and fill."""
    return [
        {
            "label": a.get("label", ""),
            "value": a["value"],
            "axis": "right" if a.get("yAxis") == "right" else "left",
            "color": a.get("color", INK["annotation"]),
            "fill": a.get("fill"),
        }
        for a in (props.get("annotations") or {}).get("horizontal") or []
        if isinstance(a.get("value"), int | float)
    ]


def draw_time_series(canvas: Canvas, box: tuple, props: dict, data: WidgetData, start: datetime, end: datetime) -> dict:
    """The console's line chart: series on the left or right axis, threshold lines, time axis, legend below."""
    from matplotlib import dates as mdates

    x, y, w, h = box
    annotations = _annotations(props)
    sides = {s.axis for s in data.series} | {a["axis"] for a in annotations} | {"left"}
    legend_h = 0 if (props.get("legend") or {}).get("position") == "hidden" else _legend_px(len(data.series), w)
    plot_w, plot_h = w - 40 - (40 if "right" in sides else 12), max(30, h - 20 - legend_h)
    ax = canvas.axes(x + 40, y + 4, plot_w, plot_h)
    axes = {"left": ax, "right": ax.twinx() if "right" in sides else ax}
    handles, drawn = _plot_series(axes, data.series)
    for ann in annotations:
        axes[ann["axis"]].axhline(ann["value"], color=ann["color"], linewidth=1, linestyle=(0, (4, 2)))
    for side in sorted(sides):
        annotated = any(a["axis"] == side for a in annotations)
        _finish_y(axes[side], side, props, data.series, annotated)
    _annotation_labels(axes, annotations)
    locator = mdates.AutoDateLocator(tz=UTC, minticks=3, maxticks=max(3, int(plot_w // 70)))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC, show_offset=False))
    ax.set_xlim(start, end)
    empty = not any(s.values for s in data.series)
    if empty:
        _no_data(ax)
    if legend_h:
        _legend(ax, handles, plot_w, plot_h, 16)
    kept = [{k: a[k] for k in ("label", "value", "axis")} for a in annotations]
    return {"series": drawn, "annotations": kept, "note": data.note or ("no data" if empty else "")}


def _latest(series: Series) -> float | None:
    return series.values[-1] if series.values else None


def draw_single_values(canvas: Canvas, box: tuple, data: WidgetData) -> dict:
    """singleValue and gauge: the latest value of each series, large, with its label."""
    x, y, w, h = box
    n = max(1, len(data.series))
    cols = min(n, max(1, int(w // 150)))
    cell_w, cell_h = w / cols, h / math.ceil(n / cols)
    drawn = []
    for k, series in enumerate(data.series):
        cx, cy = x + (k % cols) * cell_w + 6, y + (k // cols) * cell_h
        value = _latest(series)
        shown = "no data" if value is None else f"{value:,.4g}"
        colour = series.color or PALETTE[k % len(PALETTE)]
        canvas.text(cx, cy + 14, _fit(series.label, cell_w - 10, 7.5), fontsize=7.5, color=INK["text"], va="center")
        size = min(22, max(10, cell_h / 3.2)) if value is not None else 9
        canvas.text(
            cx,
            cy + 18 + size * 1.1,
            shown,
            fontsize=size,
            color=colour if value is not None else INK["muted"],
            va="center",
            fontweight="bold" if value is not None else "normal",
        )
        if value is not None and series.unit:
            canvas.text(cx, cy + 26 + size * 2, series.unit, fontsize=7, color=INK["muted"], va="center")
        drawn.append(
            {"id": series.id, "label": series.label, "points": len(series.values), "shown": value, "note": series.note}
        )
    return {"series": drawn, "note": data.note or ("" if any(s.values for s in data.series) else "no data")}


def draw_bars(canvas: Canvas, box: tuple, data: WidgetData, pie: bool = False) -> dict:
    """bar (and pie): the latest value of each series, one bar (or slice) each."""
    from matplotlib.ticker import FuncFormatter

    x, y, w, h = box
    ax = canvas.axes(
        x + (8 if pie else min(140, w * 0.35)), y + 4, w - (16 if pie else min(140, w * 0.35) + 40), h - 12
    )
    shown = [(k, s, _latest(s)) for k, s in enumerate(data.series)]
    with_data = [(k, s, v) for k, s, v in shown if v is not None]
    colours = [s.color or PALETTE[k % len(PALETTE)] for k, s, _ in with_data]
    if pie and with_data:
        ax.pie(
            [max(v, 0) for _, _, v in with_data],
            colors=colours,
            labels=[_fit(s.label, 120, 7) for _, s, _ in with_data],
            textprops={"fontsize": 7, "color": INK["text"]},
            wedgeprops={"linewidth": 1, "edgecolor": "white"},
        )
    elif not pie:
        _style(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color=INK["grid"])
        labels = [
            _fit(s.label if v is not None else f"{s.label} (no data)", min(140, w * 0.35), 7) for _, s, v in shown
        ]
        bars = ax.barh(
            range(len(shown)),
            [v or 0 for _, _, v in shown],
            height=0.6,
            color=[s.color or PALETTE[k % len(PALETTE)] for k, s, _ in shown],
        )
        ax.bar_label(bars, labels=["" if v is None else _compact(v) for _, _, v in shown], padding=3, fontsize=7)
        ax.set_yticks(range(len(shown)), labels)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        if not with_data:
            ax.set_xlim(0, 1)
    if not with_data:
        if pie:
            ax.set_axis_off()
        _no_data(ax)
    drawn = [{"id": s.id, "label": s.label, "points": len(s.values), "shown": v, "note": s.note} for _, s, v in shown]
    return {"series": drawn, "note": data.note or ("" if with_data else "no data")}


def draw_table(canvas: Canvas, box: tuple, table: Table) -> dict:
    """Logs Insights results as the console's table: a header row, then as many rows as fit."""
    x, y, w, h = box
    row_h = 15
    fits = max(0, int((h - row_h) // row_h))
    widths = [max([len(c)] + [len(r[i]) for r in table.rows[:fits]]) for i, c in enumerate(table.columns)]
    total = sum(min(v, 40) for v in widths) or 1
    lefts, at = [], x + 4
    for v in widths:
        lefts.append(at)
        at += (w - 8) * min(v, 40) / total
    canvas.box(x, y, w, row_h, facecolor=INK["page"], edgecolor="none")
    for i, column in enumerate(table.columns):
        room = (lefts[i + 1] if i + 1 < len(lefts) else x + w) - lefts[i] - 6
        canvas.text(
            lefts[i],
            y + row_h / 2,
            _fit(column, room, 7),
            fontsize=7,
            fontweight="bold",
            va="center",
            color=INK["text"],
        )
    for r, row in enumerate(table.rows[:fits]):
        top = y + (r + 1) * row_h
        if r % 2:
            canvas.box(x, top, w, row_h, facecolor="#fafafa", edgecolor="none")
        for i, cell in enumerate(row):
            room = (lefts[i + 1] if i + 1 < len(lefts) else x + w) - lefts[i] - 6
            canvas.text(lefts[i], top + row_h / 2, _fit(cell, room, 7), fontsize=7, va="center", color=INK["text"])
    more = len(table.rows) - fits
    if more > 0:
        canvas.text(
            x + w - 4,
            y + h + 2,
            f"{len(table.rows)} rows, {more} not shown",
            fontsize=6.5,
            ha="right",
            va="bottom",
            color=INK["muted"],
        )
    return {"table": {"columns": table.columns, "rows": table.rows}, "note": table.note}


def draw_log_chart(canvas: Canvas, box: tuple, props: dict, table: Table, start: datetime, end: datetime) -> dict:
    """`stats ... by bin(...)` results in a time-series view: one line per numeric column over the bins."""
    column = next(c for c in table.columns if c.startswith("bin("))
    at = table.columns.index(column)
    stamps = [datetime.fromisoformat(r[at].replace(" ", "T")).replace(tzinfo=UTC) for r in table.rows]
    series = []
    for i, name in enumerate(table.columns):
        if i != at and all(_is_number(r[i]) for r in table.rows):
            pairs = sorted(zip(stamps, (float(r[i]) for r in table.rows), strict=True))
            series.append(Series(name, name, timestamps=[t for t, _ in pairs], values=[v for _, v in pairs]))
    drawn = draw_time_series(canvas, box, props, WidgetData(series=series), start, end)
    return drawn | {"table": {"columns": table.columns, "rows": table.rows}}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def draw_query(canvas: Canvas, box: tuple, query: str, note: str) -> dict:
    """No results: the query, as the widget holds it, and why nothing came back."""
    x, y, w, h = box
    canvas.text(x + 4, y + 8, _fit(note, w - 8, 8), fontsize=8, color=INK["muted"], va="center", style="italic")
    lines = [part for line in query.split("\n") for part in textwrap.wrap(line, max(20, int(w / 5.6))) or [""]]
    for i, line in enumerate(lines[: max(0, int((h - 24) // 12))]):
        canvas.text(x + 4, y + 26 + i * 12, line, fontsize=7, family="monospace", color=INK["text"], va="center")
    return {"query": query, "note": note}


def draw_alarms(canvas: Canvas, box: tuple, props: dict, alarms: list[AlarmState]) -> dict:
    """The alarm status widget: a tile per alarm, coloured by its state."""
    x, y, w, h = box
    if props.get("sortBy") == "stateUpdatedTimestamp":
        alarms = sorted(alarms, key=lambda a: a.updated or datetime.min.replace(tzinfo=UTC), reverse=True)
    cols = max(1, int(w // 230))
    tile_w, tile_h = w / cols, 30
    fits = max(1, int(h // tile_h)) * cols
    for k, alarm in enumerate(alarms[:fits]):
        tx, ty = x + (k % cols) * tile_w, y + (k // cols) * tile_h
        colour = STATE_COLOURS.get(alarm.state, "#c6c6c6")
        canvas.box(tx + 2, ty + 2, 5, tile_h - 6, facecolor=colour, edgecolor="none")
        canvas.box(tx + 7, ty + 2, tile_w - 12, tile_h - 6, facecolor=colour, alpha=0.08, edgecolor="none")
        state = alarm.state.replace("_", " ").lower() if alarm.state in STATE_COLOURS else alarm.state
        canvas.text(tx + 12, ty + 10, _fit(alarm.name, tile_w - 20, 7.5), fontsize=7.5, color=INK["title"], va="center")
        canvas.text(tx + 12, ty + 20, state, fontsize=7, color=colour, fontweight="bold", va="center")
    if len(alarms) > fits:
        canvas.text(x + w, y + h, f"+{len(alarms) - fits} more", fontsize=7, ha="right", color=INK["muted"])
    return {"alarms": [{"name": a.name, "state": a.state} for a in alarms]}


def markdown_lines(markdown: str) -> list[tuple[str, str]]:
    """(style, text) per line: headings, bullets, links reduced to their text, emphasis marks dropped."""
    out = []
    for line in markdown.split("\n"):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
        text = re.sub(r"(\*\*|__|`)", "", text)
        heading = re.match(r"\s*(#{1,6})\s*(.*)", text)
        if heading:
            out.append((f"h{len(heading.group(1))}", heading.group(2).strip()))
        else:
            out.append(("text", re.sub(r"^\s*[-*]\s+", "• ", text)))
    return out


def draw_text(canvas: Canvas, box: tuple, markdown: str) -> dict:
    x, y, w, h = box
    at = y + 4
    shown = []
    for style, line in markdown_lines(markdown):
        size = {"h1": 12, "h2": 10.5, "h3": 9.5}.get(style, 8)
        for part in textwrap.wrap(line, max(20, int(w / (size * DPI / 72 * 0.55)))) or [""]:
            if at + size * 1.5 > y + h:
                break
            canvas.text(
                x + 4,
                at + size * 0.7,
                part,
                fontsize=size,
                va="center",
                color=INK["title" if style != "text" else "text"],
                fontweight="bold" if style != "text" else "normal",
            )
            shown.append(part)
            at += size * 1.9
    return {"text": shown}


def draw_widget(
    canvas: Canvas, widget: dict, top: float, data: WidgetData, start: datetime, end: datetime, outlined: bool
) -> dict:
    """The widget's card, title and content; returns what was drawn."""
    props = widget.get("properties") or {}
    kind, view = widget.get("type", "metric"), props.get("view", "timeSeries")
    x0, y0 = MARGIN + widget["x"] * COL_PX + 3, top + widget["y"] * ROW_PX + 3
    w, h = widget.get("width", 6) * COL_PX - 6, widget.get("height", 6) * ROW_PX - 6
    canvas.box(
        x0,
        y0,
        w,
        h,
        facecolor="white",
        edgecolor=INK["overlap"] if outlined else INK["frame"],
        linewidth=3 if outlined else 0.8,
    )
    title_h = 0
    if props.get("title"):
        canvas.text(
            x0 + 10,
            y0 + 13,
            _fit(props["title"], w - 20, 9),
            fontsize=9,
            fontweight="bold",
            va="center",
            color=INK["title"],
        )
        title_h = 22
    box = (x0 + 8, y0 + 6 + title_h, w - 16, h - 12 - title_h)
    if kind == "metric" and view in ("singleValue", "gauge"):
        drawn = draw_single_values(canvas, box, data)
    elif kind == "metric" and view in ("bar", "pie"):
        drawn = draw_bars(canvas, box, data, pie=view == "pie")
    elif kind == "metric":
        drawn = draw_time_series(canvas, box, props, data, start, end)
    elif kind == "log" and data.table and data.table.rows:
        bins = any(c.startswith("bin(") for c in data.table.columns)
        chart = bins and view in ("timeSeries", "bar")
        drawn = (
            draw_log_chart(canvas, box, props, data.table, start, end) if chart else draw_table(canvas, box, data.table)
        )
    elif kind == "log":
        drawn = draw_query(
            canvas, box, props.get("query") or "", (data.table and data.table.note) or data.note or "no data"
        )
    elif kind == "alarm":
        drawn = draw_alarms(canvas, box, props, data.alarms or [])
    elif kind == "text":
        drawn = draw_text(canvas, box, props.get("markdown") or "")
    else:
        drawn = draw_text(canvas, box, json.dumps(props)[:400])
    place = {k: widget.get(k) for k in ("x", "y", "width", "height")}
    pixels = [round(v) for v in (x0, y0, x0 + w, y0 + h)]
    return {
        "type": kind,
        "view": view if kind in ("metric", "log") else None,
        "title": props.get("title", ""),
        **place,
        "pixels": pixels,
        "outlined": outlined,
        **drawn,
    }


def _header(canvas: Canvas, report: Report, start: datetime, end: datetime, source: str) -> None:
    canvas.text(MARGIN, 18, report.name, fontsize=14, fontweight="bold", color=INK["title"], va="center")
    line = (
        f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC · {source} · {report.widgets} widgets, "
        f"{report.metrics} metrics, {report.body_bytes:,} bytes"
    )
    canvas.text(MARGIN, 38, _fit(line, canvas.width - 2 * MARGIN, 8), fontsize=8, color=INK["muted"], va="center")


def render(
    name: str,
    body: dict,
    out: Path,
    source: Source | None = None,
    window: dict | None = None,
    now: datetime | None = None,
) -> Report:
    """Draw one dashboard to `out` (PNG) and its sidecar (`out` with .json): every widget, with its data."""
    source = source or Offline("no data source given")
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    widgets = auto_place(body.get("widgets") or [])
    rows = max([w["y"] + w.get("height", 6) for w in widgets] or [1])
    report = Report(
        name=name,
        widgets=len(widgets),
        metrics=sum(metric_count(w) for w in widgets),
        body_bytes=len(json.dumps(body, separators=(",", ":"))),
        rows=rows,
        overlaps=overlaps(widgets),
        outside=outside_grid(widgets),
    )
    canvas = Canvas(MARGIN * 2 + GRID_COLUMNS * COL_PX, HEADER_PX + MARGIN * 2 + rows * ROW_PX)
    bad = {i for pair in report.overlaps for i in pair} | set(report.outside)
    for i, widget in enumerate(widgets):
        w_start, w_end = time_range([window or {}, widget.get("properties") or {}, body], now)
        data = fetch(source, widget, w_start, w_end)
        drawn = draw_widget(canvas, widget, HEADER_PX + MARGIN, data, w_start, w_end, i in bad)
        report.drawn.append({"index": i, "start": w_start.isoformat(), "end": w_end.isoformat(), **drawn})
    start, end = time_range([window or {}, body], now)
    _header(canvas, report, start, end, source.describe())
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.fig.savefig(out, dpi=DPI, facecolor=canvas.fig.get_facecolor())
    report.png, report.sidecar = str(out), str(out.with_suffix(".json"))
    sidecar = {
        "dashboard": name,
        "png": out.name,
        "source": source.describe(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "overlaps": report.overlaps,
        "outside": report.outside,
        "widgets": report.drawn,
    }
    Path(report.sidecar).write_text(json.dumps(sidecar, indent=1, default=str) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.dashboard_preview",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", help="plan/state/outputs/body JSON file, or - for stdin")
    parser.add_argument("--out", default="build/dashboards", help="folder for the PNGs (default build/dashboards)")
    parser.add_argument("--strict", action="store_true", help="fail when widgets overlap or leave the grid")
    parser.add_argument("--region", help="region of widgets that name none (default: AWS_REGION, else us-east-1)")
    parser.add_argument("--start", help="start of the range: ISO 8601 time or a duration before now (-PT6H)")
    parser.add_argument("--end", help="end of the range (default now)")
    parser.add_argument("--hours", type=float, help="the last N hours (instead of --start/--end)")
    parser.add_argument("--offline", action="store_true", help="no AWS calls: the layout with empty charts")
    args = parser.parse_args(argv)
    if args.end and not args.start:
        parser.error("--end goes with --start")
    text = sys.stdin.read() if args.source == "-" else Path(args.source).read_text()
    bodies = load_bodies(json.loads(text))
    if not bodies:
        print("no dashboard bodies found in the input", file=sys.stderr)
        return 2
    window = (
        {"start": f"-PT{args.hours * 3600:.0f}S", "end": None} if args.hours else {"start": args.start, "end": args.end}
    )
    source = open_source(args.offline, args.region)
    failed = False
    for name, body in bodies.items():
        rep = render(name, body, Path(args.out) / f"{name}.png", source, window)
        note = ""
        if rep.overlaps or rep.outside:
            failed = True
            note = f"  OVERLAPS {rep.overlaps} OUTSIDE {rep.outside}"
        with_data, series = rep.series_with_data()
        print(
            f"{rep.png}: {rep.widgets} widgets, {rep.metrics} metrics, {rep.body_bytes:,} bytes, "
            f"{rep.rows} rows, {with_data} of {series} series with data{note}"
        )
    print(f"data: {source.describe()}")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
