"""tools/dashboard_preview.py: reading dashboard bodies from every input form, overlap checks, PNG rendering."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from tools import dashboard_preview as dp

pytestmark = pytest.mark.python

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
}


def test_reads_a_plan_a_state_outputs_and_a_single_body():
    body = json.dumps(BODY)
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "module.m.aws_cloudwatch_dashboard.this[\"d1\"]", "type": "aws_cloudwatch_dashboard",
         "mode": "managed",
         "change": {"actions": ["create"], "after": {"dashboard_name": "d1", "dashboard_body": body}}},
        {"address": "aws_sns_topic.t", "type": "aws_sns_topic", "mode": "managed",
         "change": {"actions": ["create"], "after": {"name": "t"}}}]}
    state = {"values": {"root_module": {"child_modules": [{"resources": [
        {"address": "x", "type": "aws_cloudwatch_dashboard",
         "values": {"dashboard_name": "d2", "dashboard_body": body}}]}]}}}
    raw_state = {"version": 4, "resources": [{"type": "aws_cloudwatch_dashboard", "name": "this", "instances": [
        {"attributes": {"dashboard_name": "d3", "dashboard_body": body}}]}]}
    outputs_all = {"example": {"value": {"dashboard_bodies": {"d4": body}, "other": 1}}}
    outputs_one = {"d5": body}
    assert list(dp.load_bodies(plan)) == ["d1"]
    assert list(dp.load_bodies(state)) == ["d2"]
    assert list(dp.load_bodies(raw_state)) == ["d3"]
    assert list(dp.load_bodies(outputs_all)) == ["d4"]
    assert list(dp.load_bodies(outputs_one)) == ["d5"]
    assert dp.load_bodies(BODY)["dashboard"]["widgets"][0]["type"] == "text"


def test_overlaps_and_widgets_outside_the_grid_are_found():
    widgets = [{"x": 0, "y": 0, "width": 12, "height": 6}, {"x": 12, "y": 0, "width": 12, "height": 6},
               {"x": 6, "y": 3, "width": 8, "height": 6}, {"x": 20, "y": 10, "width": 8, "height": 2}]
    assert dp.overlaps(widgets) == [(0, 2), (1, 2)]
    assert dp.outside_grid(widgets) == [3]
    assert dp.overlaps(BODY["widgets"]) == []


def test_widget_lines_resolve_dots_and_show_expressions_annotations_queries_alarms():
    lines = [t for w in BODY["widgets"] for _c, t in dp.widget_lines(w)]
    text = "\n".join(lines)
    assert "Glue glue.driver.aggregate.numFailedTasks Sum" in text  # "." resolved from the previous metric
    assert "JobName=a, JobRunId=ALL, Type=count" in text
    assert "= rate: 100 * m1 / m2" in text and "--- objective = 99" in text
    assert "| stats count() by bin(5m)" in text and "● x-health-warning" in text


def test_auto_placement_of_widgets_without_coordinates():
    placed = dp.auto_place([{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2},
                            {"type": "metric", "width": 12}, {"type": "metric", "width": 12}, {"type": "metric"}])
    assert [(w["x"], w["y"]) for w in placed] == [(0, 0), (0, 2), (12, 2), (0, 8)]


def test_renders_a_png_per_dashboard_and_strict_fails_on_overlap(tmp_path, capsys):
    src = tmp_path / "bodies.json"
    bad = {"widgets": BODY["widgets"] + [{"type": "text", "x": 4, "y": 4, "width": 4, "height": 4,
                                          "properties": {"markdown": "on top"}}]}
    src.write_text(json.dumps({"good": json.dumps(BODY), "bad": json.dumps(bad)}))
    assert dp.main([str(src), "--out", str(tmp_path / "png")]) == 0
    assert dp.main([str(src), "--out", str(tmp_path / "png"), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "bad.png" in out and "OVERLAPS" in out
    with Image.open(tmp_path / "png" / "good.png") as img:
        assert img.width == 2 * dp.MARGIN + 24 * dp.COL_PX and img.height > 11 * dp.ROW_PX


def test_no_dashboard_in_the_input_is_an_error(tmp_path):
    src = tmp_path / "empty.json"
    src.write_text(json.dumps({"resource_changes": []}))
    assert dp.main([str(src), "--out", str(tmp_path)]) == 2
