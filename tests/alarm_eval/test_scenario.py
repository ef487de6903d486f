"""The scenario format: series notation, times, events, overrides, added subscriptions and expectations."""

from __future__ import annotations

import json

import pytest
from alarm_eval_support import FIXTURES, changes, metric_alarm, series, simulate, states, topology

from alarm_eval import load_topology
from alarm_eval.engine import run
from alarm_eval.errors import InputError
from alarm_eval.scenario import from_dict
from alarm_eval.timeutil import parse_duration, parse_instant
from alarm_eval.values import expand

pytestmark = pytest.mark.python

PROD = FIXTURES / "prod_plan.json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 0 1 _ 1x3", [0, 0, 1, None, 1, 1, 1, 1]),  # promtool: 1x3 is 1 and three more
        ("5+5x2 10-2x2", [5, 10, 15, 10, 8, 6]),
        ("_x3 2", [None, None, None, 2]),
        ("-1.5 2e3", [-1.5, 2000]),
    ],
)
def test_series_notation(text, expected):
    assert expand(text) == expected


def test_series_as_a_list_and_bad_tokens():
    assert expand([1, None, "_", 2.5]) == [1, None, None, 2.5]
    with pytest.raises(InputError, match="not a number"):
        expand("1 two")


def test_durations_and_instants():
    assert parse_duration("1h30m") == 5400 and parse_duration("90s") == 90 and parse_duration(45) == 45
    assert parse_duration("1d2h") == 93600 and parse_duration("-2h") == -7200
    assert parse_instant("5m", 1000) == 1300
    assert parse_instant("2026-01-01T00:05:00Z", 0) == 1767225900
    for bad in ("5 minutes", "1h30", "", "m"):
        with pytest.raises(InputError):
            parse_duration(bad)


def test_series_points_and_their_own_start_and_step():
    alarm = metric_alarm("m", stat="Sum", threshold=2.5)
    result = simulate(
        topology(alarm),
        duration="10m",
        series=[
            {**series("m", "1 1", start="2m", step="30s")},
            {**series("m", []), "points": [{"at": "5m10s", "values": [2, 1]}, ["7m", 1]]},
        ],
    )
    # 2m: 1, 2m30s: 1 -> the period [2m, 3m) sums 2; [5m, 6m) sums 3 (it decides until a newer one); [7m, 8m) 1
    assert changes(result, "m") == [("+3m", "INSUFFICIENT_DATA", "OK"), ("+6m", "OK", "ALARM"), ("+8m", "ALARM", "OK")]


def test_log_files_keep_the_offsets_between_their_lines(tmp_path):
    lines = tmp_path / "job.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps({"timestamp": t, "event": e})
            for t, e in [("2026-12-04T18:33:16.930Z", "job_started"), ("2026-12-04T18:35:46.930Z", "job_failed")]
        )
    )
    scenario = from_dict(
        {
            "start": "2026-01-01T00:00:00Z",
            "duration": "1h",
            "events": [{"at": "10m", "log_file": {"group": "/g", "path": "job.jsonl"}}],
        },
        tmp_path / "s.yaml",
    )
    assert [(round(e.at - scenario.start), json.loads(e.message)["event"]) for e in scenario.log_events] == [
        (600, "job_started"),
        (750, "job_failed"),
    ]


def test_overrides_answer_what_if_the_threshold_were_different():
    doc = {
        "start": "2026-01-01T00:00:00Z",
        "duration": "30m",
        "alarms": ["*-api-latency-warning"],
        "series": [
            {
                "namespace": "Glue/ETL/prod",
                "metric": "ApiLatencyMs",
                "dimensions": {"JobName": "glue-etl-prod-customer_import", "Environment": "prod"},
                "step": "10s",
                "values": "2500x100",
            }
        ],
    }
    topo = load_topology(PROD)
    as_planned = run(topo, from_dict(doc))
    assert "ALARM" in states(as_planned, "glue-etl-prod-customer_import-api-latency-warning")
    stricter = run(topo, from_dict({**doc, "overrides": [{"alarm": "*-api-latency-warning", "threshold": 5000}]}))
    assert "ALARM" not in states(stricter, "glue-etl-prod-customer_import-api-latency-warning")
    with pytest.raises(InputError, match="matches no metric alarm"):
        run(topo, from_dict({**doc, "overrides": [{"alarm": "nope", "threshold": 1}]}))


def test_selecting_a_composite_brings_its_children_and_overrides_reach_the_band():
    topo = load_topology(PROD)
    result = run(
        topo,
        from_dict({"start": "2026-01-01T00:00:00Z", "duration": "5m", "alarms": ["*-slo-burn-freshness-critical"]}),
    )
    assert result.alarms == sorted(  # its children and its actions suppressor
        [
            f"glue-etl-prod-customer_import-slo-burn-freshness-{w}"
            for w in ("1h-info", "30m-info", "5m-info", "6h-info", "critical")
        ]
        + ["glue-etl-prod-customer_import-data-freshness-critical"]
    )
    wider = run(
        topo,
        from_dict(
            {
                "start": "2026-01-01T00:00:00Z",
                "duration": "5m",
                "alarms": ["*-volume-anomaly-info"],
                "overrides": [{"alarm": "*-volume-anomaly-info", "band_stddevs": 5}],
            }
        ),
    )
    band = next(
        q for q in wider.topology.alarms["glue-etl-prod-customer_import-volume-anomaly-info"].queries if q.id == "band"
    )
    assert band.expression == "ANOMALY_DETECTION_BAND(m1, 5)"


def test_scenario_subscriptions_receive_what_their_policy_lets_through():
    scenario = from_dict(
        {
            "start": "2026-01-01T00:00:00Z",
            "duration": "1h",
            "alarms": ["*-job-failure-critical"],
            "subscriptions": [
                {
                    "topic": "*-critical",
                    "protocol": "sqs",
                    "endpoint": "arn:aws:sqs:us-east-1:100000000013:pager",
                    "filter_policy": {"NewStateValue": ["ALARM"]},
                    "filter_policy_scope": "MessageBody",
                },
                {"topic": "*-critical", "protocol": "email", "endpoint": "team@example.com"},
            ],
            "events": [{"at": "10m", "glue_job_state": {"job": "glue-etl-prod-customer_import", "state": "FAILED"}}],
            "expect": {
                "notifications": [
                    {
                        "endpoint": "arn:aws:sqs:*:pager",
                        "count": 1,
                    },  # the alarm's ALARM only (the rule's text is no JSON)
                    {"endpoint": "team@example.com", "count": 4},  # OK at creation, the rule's sentence, ALARM, OK
                ]
            },
        }
    )
    result = run(load_topology(PROD), scenario)
    assert [c.detail for c in result.checks if not c.passed] == []


def test_expectation_modes():
    alarm = metric_alarm("m")
    base = dict(duration="5m", series=[series("m", "5 20 5")])
    sequence = ["INSUFFICIENT_DATA -> OK", "OK -> ALARM", "ALARM -> OK"]

    def check(**expect) -> list[bool]:
        return [c.passed for c in simulate(topology(alarm), expect=expect, **base).checks]

    assert check(transitions=[{"alarm": "m", "sequence": sequence}]) == [True]
    assert check(transitions=[{"alarm": "m", "sequence": sequence[1:]}]) == [False]  # exactly: all of them
    assert check(transitions=[{"alarm": "m", "mode": "at_least", "sequence": sequence[1:]}]) == [True]
    assert check(transitions=[{"alarm": "m", "mode": "at_least", "sequence": sequence[::-1]}]) == [False]  # order
    assert check(transitions=[{"alarm": "m", "mode": "at_least", "sequence": [{"to": "ALARM", "at": "2m"}]}]) == [True]
    assert check(transitions=[{"alarm": "m", "mode": "at_least", "sequence": [{"to": "ALARM", "at": "3m"}]}]) == [False]
    assert check(
        transitions=[{"alarm": "m", "mode": "at_least", "sequence": [{"to": "OK", "between": ["2m", "4m"]}]}]
    ) == [True]
    assert check(
        notifications=[
            {"topic": "alerts", "count": 3},
            {"topic": "alerts", "count": 2, "mode": "at_least"},
            {"topic": "alerts", "count": 2, "mode": "at_most"},
            {"topic": "alerts", "count": 1, "state": "ALARM", "alarms": ["m"]},
        ]
    ) == [True, True, False, True]
    assert check(never_alarm=["m"]) == [False]
    assert check(
        notifications=[
            {"topic": "alerts", "count": 1, "state": "ALARM", "only_from": ["m"]},
            {"topic": "alerts", "count": 1, "state": "ALARM", "only_from": ["other-*"]},
        ]
    ) == [True, False]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"duration": "1h"}, "start is required"),
        ({"start": "2026-01-01T00:00:00Z"}, "give duration"),
        ({"start": "2026-01-01T00:00:00Z", "duration": "1h", "apply_at": "2h"}, "ends before the alarms are created"),
        (
            {"start": "2026-01-01T00:00:00Z", "duration": "1h", "series": [{"metric": "x"}]},
            "needs namespace and metric",
        ),
        ({"start": "2026-01-01T00:00:00Z", "duration": "1h", "events": [{"at": "1m"}]}, "has nothing to send"),
        (
            {
                "start": "2026-01-01T00:00:00Z",
                "duration": "1h",
                "expect": {"transitions": [{"alarm": "a", "sequence": ["OK => ALARM"]}]},
            },
            "is written 'OK -> ALARM'",
        ),
        (
            {
                "start": "2026-01-01T00:00:00Z",
                "duration": "1h",
                "expect": {"transitions": [{"alarm": "a", "sequence": ["OK -> ALARMING"]}]},
            },
            "is not a state",
        ),
        (
            {"start": "2026-01-01T00:00:00Z", "duration": "1h", "overrides": [{"alarm": "a", "treshold": 1}]},
            "unknown key treshold",
        ),
        (
            {"start": "2026-01-01T00:00:00Z", "duration": "1h", "expect": {"notifications": [{"topic": "a"}]}},
            "needs topic or endpoint, and count",
        ),
    ],
)
def test_schema_errors(doc, message):
    with pytest.raises(InputError, match=message):
        from_dict(doc)
