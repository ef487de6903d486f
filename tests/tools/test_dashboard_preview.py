"""tools/dashboard_preview.py: reading dashboard bodies from every input form, overlap checks, and the PNG with
what each widget shows: offline, the layout with empty charts; on the emulator, exactly the datapoints,
alarm states and log events put there (read back from the drawn lines and the sidecar JSON)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tools import dashboard_preview as dp

python = pytest.mark.python
ACCOUNT = "100000000061"

BODY = {
    "widgets": [
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "## Hello"}},
        {"type": "metric", "x": 0, "y": 2, "width": 12, "height": 6, "properties": {
            "title": "Glue Task Success/Failure", "stat": "Sum", "period": 300, "metrics": [
                ["Glue", "glue.driver.aggregate.numCompletedTasks", "JobName", "a", "JobRunId", "ALL", "Type", "count"],
                [".", "glue.driver.aggregate.numFailedTasks", ".", ".", ".", ".", ".", "."],
                [{"expression": "100 * m1 / m2", "label": "rate", "id": "e1"}],
            ], "annotations": {"horizontal": [{"label": "objective", "value": 99}]}}},
        {"type": "log", "x": 12, "y": 2, "width": 12, "height": 6,
         "properties": {"title": "logs", "query": "SOURCE 'g' | fields @timestamp\n| stats count() by bin(5m)"}},
        {"type": "alarm", "x": 0, "y": 8, "width": 24, "height": 3,
         "properties": {"title": "alarms", "alarms": ["arn:aws:cloudwatch:us-east-1:1:alarm:x-health-warning"]}},
    ]
}  # fmt: skip


@python
def test_reads_a_plan_a_state_outputs_and_a_single_body():
    body = json.dumps(BODY)
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": 'module.m.aws_cloudwatch_dashboard.this["d1"]',
                "type": "aws_cloudwatch_dashboard",
                "mode": "managed",
                "change": {"actions": ["create"], "after": {"dashboard_name": "d1", "dashboard_body": body}},
            },
            {
                "address": "aws_sns_topic.t",
                "type": "aws_sns_topic",
                "mode": "managed",
                "change": {"actions": ["create"], "after": {"name": "t"}},
            },
        ],
    }
    state = {
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "x",
                                "type": "aws_cloudwatch_dashboard",
                                "values": {"dashboard_name": "d2", "dashboard_body": body},
                            }
                        ]
                    }
                ]
            }
        }
    }
    raw_state = {
        "version": 4,
        "resources": [
            {
                "type": "aws_cloudwatch_dashboard",
                "name": "this",
                "instances": [{"attributes": {"dashboard_name": "d3", "dashboard_body": body}}],
            }
        ],
    }
    outputs_all = {"example": {"value": {"dashboard_bodies": {"d4": body}, "other": 1}}}
    outputs_one = {"d5": body}
    assert list(dp.load_bodies(plan)) == ["d1"]
    assert list(dp.load_bodies(state)) == ["d2"]
    assert list(dp.load_bodies(raw_state)) == ["d3"]
    assert list(dp.load_bodies(outputs_all)) == ["d4"]
    assert list(dp.load_bodies(outputs_one)) == ["d5"]
    assert dp.load_bodies(BODY)["dashboard"]["widgets"][0]["type"] == "text"


@python
def test_overlaps_and_widgets_outside_the_grid_are_found():
    widgets = [
        {"x": 0, "y": 0, "width": 12, "height": 6},
        {"x": 12, "y": 0, "width": 12, "height": 6},
        {"x": 6, "y": 3, "width": 8, "height": 6},
        {"x": 20, "y": 10, "width": 8, "height": 2},
    ]
    assert dp.overlaps(widgets) == [(0, 2), (1, 2)]
    assert dp.outside_grid(widgets) == [3]
    assert dp.overlaps(BODY["widgets"]) == []


@python
def test_metric_queries_resolve_dots_and_keep_ids_stats_periods_expressions():
    m1, m2, e1 = dp.metric_queries(BODY["widgets"][1]["properties"])
    assert (m1.id, m2.id, e1.id) == ("m1", "m2", "e1")  # the console's ids, which the expression refers to
    dims = [{"Name": "JobName", "Value": "a"}, {"Name": "JobRunId", "Value": "ALL"}, {"Name": "Type", "Value": "count"}]
    assert m2.metric == {"Namespace": "Glue", "MetricName": "glue.driver.aggregate.numFailedTasks", "Dimensions": dims}
    assert m2.request() == {
        "Id": "m2",
        "ReturnData": True,
        "MetricStat": {"Metric": m2.metric, "Period": 300, "Stat": "Sum"},
    }
    assert e1.request() == {"Id": "e1", "ReturnData": True, "Expression": "100 * m1 / m2"} and e1.label == "rate"
    hidden, right, p95 = dp.metric_queries(
        {
            "period": 60,
            "metrics": [
                ["N", "A", {"visible": False, "id": "a"}],
                ["N", "B", {"yAxis": "right", "stat": "p95", "period": 3600}],
                ["N", "C", {"label": "c"}],
            ],
        }
    )
    assert not hidden.visible and hidden.request()["ReturnData"] is False and hidden.stat == "Average"
    assert (right.axis, right.stat, right.period, right.label) == ("right", "p95", 3600, "B")
    assert p95.period == 60 and p95.label == "c" and p95.id == "m3"
    (whole,) = dp.metric_queries({"setPeriodToTimeRange": True, "metrics": [["N", "A"]]}, range_seconds=3 * 3600 + 1)
    assert whole.period == 3 * 3600 + 60  # one period over the range, a multiple of 60 s


@python
def test_log_queries_markdown_and_time_ranges():
    assert dp.split_log_query(BODY["widgets"][2]["properties"]["query"]) == (
        ["g"],
        "fields @timestamp\n| stats count() by bin(5m)",
    )
    assert dp.split_log_query("SOURCE 'a' | SOURCE \"b\" | fields x")[0] == ["a", "b"]
    assert dp.markdown_lines("## Title [x](#dashboards:name=x)\n- **one**") == [("h2", "Title x"), ("text", "• one")]
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    assert dp.parse_time("-PT24H", now) == now - timedelta(hours=24)
    assert dp.parse_time("-P1DT30M", now) == now - timedelta(days=1, minutes=30)
    assert dp.parse_time("2026-12-01T06:00:00Z", now) == datetime(2026, 12, 1, 6, tzinfo=UTC)
    cli, widget, body = {"start": None}, {"start": "-PT1H"}, {"start": "-PT24H", "end": "-PT12H"}
    assert dp.time_range([cli, widget, body], now) == (now - timedelta(hours=1), now)  # the widget's own range
    assert dp.time_range([cli, {}, body], now) == (now - timedelta(hours=24), now - timedelta(hours=12))
    assert dp.time_range([{"start": "-PT6H"}, widget, body], now) == (now - timedelta(hours=6), now)
    assert dp.time_range([{}, {}, {}], now) == (now - timedelta(hours=3), now)  # the console's default


@python
def test_auto_placement_of_widgets_without_coordinates():
    placed = dp.auto_place(
        [
            {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2},
            {"type": "metric", "width": 12},
            {"type": "metric", "width": 12},
            {"type": "metric"},
        ]
    )
    assert [(w["x"], w["y"]) for w in placed] == [(0, 0), (0, 2), (12, 2), (0, 8)]


def _sidecar(folder, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


@python
def test_offline_renders_every_widget_empty_and_strict_fails_on_overlap(tmp_path, capsys):
    src = tmp_path / "bodies.json"
    bad = {
        "widgets": BODY["widgets"]
        + [{"type": "text", "x": 4, "y": 4, "width": 4, "height": 4, "properties": {"markdown": "on top"}}]
    }
    src.write_text(json.dumps({"good": json.dumps(BODY), "bad": json.dumps(bad)}))
    assert dp.main([str(src), "--out", str(tmp_path / "png"), "--offline"]) == 0
    assert dp.main([str(src), "--out", str(tmp_path / "png"), "--offline", "--strict"]) == 1
    out = capsys.readouterr().out
    assert "bad.png" in out and "OVERLAPS [(1, 4)]" in out and "data: offline (--offline)" in out
    with Image.open(tmp_path / "png" / "good.png") as img:
        assert img.width == 2 * dp.MARGIN + 24 * dp.COL_PX and img.height > 11 * dp.ROW_PX
        size = img.size
        colours = len(img.convert("RGB").getcolors(1 << 20) or [])
    assert colours > 50  # drawn text and lines, not an empty canvas

    good, bad_drawn = _sidecar(tmp_path / "png", "good"), _sidecar(tmp_path / "png", "bad")
    assert [w["type"] for w in good["widgets"]] == ["text", "metric", "log", "alarm"]  # every widget drawn
    for w in good["widgets"] + bad_drawn["widgets"]:
        x0, y0, x1, y1 = w["pixels"]
        assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]
    assert [w["outlined"] for w in bad_drawn["widgets"]] == [False, True, False, False, True]
    text, metric, log, alarm = good["widgets"]
    assert text["text"] == ["Hello"]
    assert [(s["id"], s["label"], s["points"]) for s in metric["series"]] == [
        ("m1", "glue.driver.aggregate.numCompletedTasks", 0),
        ("m2", "glue.driver.aggregate.numFailedTasks", 0),
        ("e1", "rate", 0),
    ]
    assert metric["note"] == "no data" and metric["annotations"] == [
        {"label": "objective", "value": 99, "axis": "left"}
    ]
    assert log["query"].endswith("stats count() by bin(5m)") and log["note"] == "no data (--offline)"
    assert alarm["alarms"] == [{"name": "x-health-warning", "state": "no data"}]


@python
def test_without_credentials_the_preview_is_drawn_offline(tmp_path, monkeypatch, capsys):
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    src = tmp_path / "body.json"
    src.write_text(json.dumps(BODY))
    assert dp.main([str(src), "--out", str(tmp_path)]) == 0
    assert "data: offline (no AWS credentials)" in capsys.readouterr().out
    assert _sidecar(tmp_path, "dashboard")["widgets"][1]["note"] == "no data"


@python
def test_no_dashboard_in_the_input_is_an_error(tmp_path):
    src = tmp_path / "empty.json"
    src.write_text(json.dumps({"resource_changes": []}))
    assert dp.main([str(src), "--out", str(tmp_path)]) == 2


# ---- on the emulator --------------------------------------------------------------------------------------------


def _known_metrics(cw, namespace: str, start: datetime) -> dict:
    """Datapoints at known 5-minute bins, with a decoy of the same metric under another job."""
    job = JOB
    decoy = [{"Name": "JobName", "Value": "decoy"}, {"Name": "Environment", "Value": "test"}]
    durations = {start + timedelta(minutes=10 * i): v for i, v in enumerate([11.0, 22.0, 33.0, 44.0, 55.0, 66.0])}
    failed = {start + timedelta(minutes=10): 1.0, start + timedelta(minutes=40): 2.0}
    succeeded = {start + timedelta(minutes=10): 3.0, start + timedelta(minutes=40): 2.0}
    data = [
        {
            "MetricName": "JobDurationSeconds",
            "Dimensions": job,
            "Timestamp": t + timedelta(seconds=90),
            "Value": v,
            "Unit": "Seconds",
        }
        for t, v in durations.items()
    ]
    data += [
        {
            "MetricName": "JobDurationSeconds",
            "Dimensions": decoy,
            "Timestamp": t + timedelta(seconds=90),
            "Value": 999.0,
            "Unit": "Seconds",
        }
        for t in durations
    ]
    data += [
        {"MetricName": name, "Dimensions": job, "Timestamp": t + timedelta(seconds=90), "Value": v, "Unit": "Count"}
        for name, points in (("JobsFailed", failed), ("JobsSucceeded", succeeded))
        for t, v in points.items()
    ]
    cw.put_metric_data(Namespace=namespace, MetricData=data)
    return {"durations": durations, "failed": failed, "succeeded": succeeded}


JOB = [{"Name": "JobName", "Value": "orders"}, {"Name": "Environment", "Value": "test"}]


def _alarm(cw, name: str, namespace: str, metric: str, statistic: str, threshold: float, state: str) -> None:
    """An alarm whose own evaluation of the known datapoints gives `state` (the emulator evaluates alarms while
    the test runs), set to that state at once."""
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=JOB,
        Statistic=statistic,
        Period=3600,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")


def _body(namespace: str, group: str, alarms: list[str]) -> dict:
    job = ["JobName", "orders", "Environment", "test"]
    rate = "100 * FILL(succeeded, 0) / (FILL(succeeded, 0) + FILL(failed, 0))"
    return {
        "start": "-PT24H",
        "widgets": [
            {
                "type": "metric",
                "x": 0,
                "y": 0,
                "width": 12,
                "height": 6,
                "properties": {
                    "title": "orders: duration (s)",
                    "region": "us-east-1",
                    "view": "timeSeries",
                    "period": 300,
                    "stat": "Average",
                    "metrics": [[namespace, "JobDurationSeconds", *job, {"label": "average"}]],
                    "annotations": {"horizontal": [{"label": "slow", "value": 50}]},
                },
            },
            {
                "type": "metric",
                "x": 12,
                "y": 0,
                "width": 12,
                "height": 6,
                "properties": {
                    "title": "orders: success rate (%) and failed runs",
                    "region": "us-east-1",
                    "period": 300,
                    "stat": "Sum",
                    "metrics": [
                        [{"expression": rate, "label": "success rate (%)", "id": "rate"}],
                        [namespace, "JobsSucceeded", *job, {"id": "succeeded", "visible": False}],
                        [namespace, "JobsFailed", *job, {"id": "failed", "label": "failed runs", "yAxis": "right"}],
                    ],
                    "yAxis": {"left": {"min": 0, "max": 100}},
                },
            },
            {
                "type": "metric",
                "x": 0,
                "y": 6,
                "width": 8,
                "height": 4,
                "properties": {
                    "title": "latest duration",
                    "region": "us-east-1",
                    "view": "singleValue",
                    "period": 300,
                    "stat": "Maximum",
                    "metrics": [[namespace, "JobDurationSeconds", *job]],
                },
            },
            {
                "type": "metric",
                "x": 8,
                "y": 6,
                "width": 8,
                "height": 4,
                "properties": {
                    "title": "failed runs per job",
                    "region": "us-east-1",
                    "view": "bar",
                    "period": 300,
                    "stat": "Sum",
                    "setPeriodToTimeRange": True,
                    "metrics": [[namespace, "JobsFailed", *job, {"label": "orders"}]],
                },
            },
            {
                "type": "alarm",
                "x": 16,
                "y": 6,
                "width": 8,
                "height": 4,
                "properties": {
                    "title": "health",
                    "alarms": [f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{a}" for a in alarms],
                },
            },
            {
                "type": "log",
                "x": 0,
                "y": 10,
                "width": 24,
                "height": 6,
                "properties": {
                    "title": "job events",
                    "region": "us-east-1",
                    "view": "table",
                    "query": f"SOURCE '{group}' | fields @timestamp, @message\n| sort @timestamp desc\n| limit 20",
                },
            },
        ],
    }


@pytest.mark.e2e
def test_the_preview_draws_exactly_the_emulators_datapoints_alarm_states_and_log_events(
    emulator, tmp_path, monkeypatch
):
    cw, logs = emulator.client("cloudwatch", account=ACCOUNT), emulator.client("logs", account=ACCOUNT)
    suffix = uuid.uuid4().hex[:8]
    namespace, group = f"Preview/{suffix}", f"/preview/{suffix}"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now.replace(minute=now.minute - now.minute % 5) - timedelta(hours=1)
    known = _known_metrics(cw, namespace, start)
    alarms = {f"preview-{suffix}-red": "ALARM", f"preview-{suffix}-green": "OK"}
    _alarm(cw, f"preview-{suffix}-red", namespace, "JobsFailed", "Sum", 0, "ALARM")  # 3 failed runs in the hour
    _alarm(cw, f"preview-{suffix}-green", namespace, "JobDurationSeconds", "Maximum", 1000, "OK")  # 66 s at most
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="jr_1")
    messages = [json.dumps({"event": "job_completed_successfully", "n": n, "suffix": suffix}) for n in range(3)]
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="jr_1",
        logEvents=[{"timestamp": stamp - 1000 * (3 - n), "message": m} for n, m in enumerate(messages)],
    )
    src = tmp_path / "body.json"
    src.write_text(json.dumps({"preview": json.dumps(_body(namespace, group, [*alarms, f"preview-{suffix}-gone"]))}))
    for key, value in emulator.shell_env(account=ACCOUNT).items():  # boto3 finds the emulator as it would AWS
        monkeypatch.setenv(key, value)

    end = start + timedelta(minutes=70)  # past the log events' time: now
    assert dp.main([str(src), "--out", str(tmp_path), "--start", start.isoformat(), "--end", end.isoformat()]) == 0
    drawn = _sidecar(tmp_path, "preview")
    assert drawn["source"].startswith("CloudWatch us-east-1 at http://") and "unreachable" not in drawn["source"]
    duration, rate, single, bar, health, events = drawn["widgets"]

    (average,) = duration["series"]  # the decoy job's 999s are not in it
    assert average["label"] == "average" and average["unit"] == "Seconds" and average["points"] == 6
    assert average["values"] == list(known["durations"].values())
    assert [datetime.fromisoformat(t) for t in average["timestamps"]] == list(known["durations"])
    assert duration["annotations"] == [{"label": "slow", "value": 50, "axis": "left"}]

    by_id = {s["id"]: s for s in rate["series"]}
    assert set(by_id) == {"rate", "failed"}  # the hidden input is not drawn
    assert by_id["failed"]["axis"] == "right" and by_id["failed"]["values"] == list(known["failed"].values())
    ok, bad = known["succeeded"], known["failed"]
    if by_id["rate"]["points"]:  # the service evaluated the metric math: it must be the right numbers
        expected = [100 * ok.get(t, 0) / (ok.get(t, 0) + bad.get(t, 0)) for t in sorted(ok | bad)]
        assert by_id["rate"]["values"] == pytest.approx(expected)
    else:  # the emulator did not: the chart says so, and nothing stands in for it
        assert by_id["rate"]["note"].startswith("no data") and by_id["rate"]["values"] == []

    assert single["series"][0]["shown"] == 66.0  # the latest value
    assert bar["series"][0]["shown"] == sum(known["failed"].values())  # one period over the whole range
    assert health["alarms"] == [{"name": n, "state": s} for n, s in alarms.items()] + [
        {"name": f"preview-{suffix}-gone", "state": "not found"}
    ]

    if events.get("table", {}).get("rows"):  # the emulator answered the Logs Insights query
        column = events["table"]["columns"].index("@message")
        assert sorted(r[column] for r in events["table"]["rows"]) == sorted(messages)
    else:
        assert events["note"].startswith("no results on the emulator") and "SOURCE" in events["query"]
    with Image.open(tmp_path / "preview.png") as img:
        assert img.width == 2 * dp.MARGIN + 24 * dp.COL_PX
