"""CloudWatch Logs filter patterns and metric transformations ("Filter and pattern syntax"), with the docs'
examples as positive and negative cases."""

from __future__ import annotations

import json

import pytest

from alarm_eval.errors import InputError
from alarm_eval.logfilter import FilterPattern, datapoints
from alarm_eval.model import MetricFilter, metric_key

pytestmark = pytest.mark.python

# the JSON event of the docs' examples
EVENT = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
        "latency": 700,
        "errorCode": "400",
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ('{ $.eventType = "CreateTrail" }', False),
        ("{ $.eventType = UpdateTrail }", True),
        ("{ $.eventType = Update* }", True),
        ("{ $.eventType = *Trail }", True),
        ("{ $.eventType = *Bucket* }", False),
        ("{ $.sourceIPAddress != 123.123.* }", True),
        ("{ $.sourceIPAddress != 111.111.* }", False),
        ('{ $.arrayKey[0] = "value" }', True),
        ('{ $.arrayKey[1] = "value" }', False),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.objectList[1].id = 1 }", False),
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.ThisFlag IS NULL }", False),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        ("{ $.SomeObject NOT EXISTS }", False),
        ("{ $.eventType EXISTS }", True),
        ("{ $.ThisFlag IS TRUE }", True),
        ("{ $.ThisFlag IS FALSE }", False),
        ("{ $.latency >= 500 }", True),
        ("{ $.latency > 700 }", False),
        ("{ $.latency < 10e3 }", True),
        ("{ $.latency != 700 }", False),
        ("{ $.errorCode = 400 }", True),  # a number pattern against a numeric string
        ("{ $.users = 1 }", False),  # "The SELECTOR must point to a value node": an array never matches
        ("{ $.users != 1 }", False),
        ("{ $.missing != 1 }", False),  # nor does a missing one, even with !=
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) '
            "&& $.actions[2] = nomatch }",
            False,
        ),
        ("{ $.eventType = %Update[A-Z]rail% }", True),
    ],
)
def test_json_patterns(pattern, expected):
    assert (FilterPattern(pattern).match(EVENT) is not None) is expected


def test_json_patterns_never_match_text_events():
    assert FilterPattern('{ $.eventType = "UpdateTrail" }').match("eventType=UpdateTrail") is None


LINES = [
    "ERROR WARN message",
    "ERROR message",
    "WARN message",
    "[ERROR] Caught IllegalArgumentException",
    "Exiting with ERRORCODE: -1",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", [0, 1, 3, 4]),
        ("?ERROR ?WARN", [0, 1, 2, 3, 4]),
        ("ERROR WARN", [0]),
        ("ERROR -WARN", [1, 3, 4]),
        ('"ERROR" -"Exiting"', [0, 1, 3]),
        ("ERROR Exception", [3]),
        ('"Caught IllegalArgument"', [3]),
        ("", [0, 1, 2, 3, 4]),
    ],
)
def test_term_patterns(pattern, expected):
    assert [i for i, line in enumerate(LINES) if FilterPattern(pattern).match(line)] == expected


APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code, bytes, extra]", False),
        ("[..., status_code, bytes]", True),
        ("[ip, user, ...]", True),
        ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", True),
        ("[ip, user, username, timestamp, request, status_code, bytes > 2000]", False),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code = 5*, bytes]", False),
        ("[ip, user, username, timestamp, request = *gif*, status_code = 4* && status_code != 403, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code = 200 || status_code = 404, bytes]", True),
    ],
)
def test_space_delimited_patterns(pattern, expected):
    assert (FilterPattern(pattern).match(APACHE) is not None) is expected


@pytest.mark.parametrize("bad", ["{ $.a = }", "{ a = 1 }", "{ $.a > abc }", "{ $.a IS MAYBE }", "{ $.a = 1", "[a, b"])
def test_bad_patterns_are_input_errors(bad):
    with pytest.raises(InputError, match="filter pattern"):
        FilterPattern(bad)


def f(**fields: object) -> MetricFilter:
    base = dict(
        name="f",
        log_group="/g",
        pattern='{ $.event = "job_failed" }',
        metric_name="JobsFailed",
        namespace="Glue/ETL/prod",
        value="1",
        dimensions={"JobName": "$.job_name"},
    )
    base.update(fields)
    return MetricFilter(**base)  # type: ignore[arg-type]


def line(**fields: object) -> str:
    return json.dumps({"event": "job_failed", "job_name": "orders", **fields})


def test_a_match_counts_its_value_with_the_dimensions_its_selectors_give():
    points = datapoints(f(), [(60, line()), (61, line(job_name="customers")), (62, line(event="job_started"))])
    assert points == [
        (metric_key("Glue/ETL/prod", "JobsFailed", {"JobName": "orders"}), 60, 1.0),
        (metric_key("Glue/ETL/prod", "JobsFailed", {"JobName": "customers"}), 61, 1.0),
    ]


def test_values_from_the_event_and_events_without_them():
    latency = f(value="$.latency_ms", dimensions={}, pattern="{ $.latency_ms = * }")
    points = datapoints(
        latency, [(0, line(latency_ms=250)), (1, line(latency_ms="12.5")), (2, line(latency_ms="n/a")), (3, line())]
    )
    assert [(t, v) for _, t, v in points] == [(0, 250.0), (1, 12.5)]
    spaced = f(
        pattern="[ip, user, username, timestamp, request, status_code = 4*, bytes]",
        value="$bytes",
        dimensions={"Status": "$status_code"},
    )
    assert datapoints(spaced, [(5, APACHE)]) == [
        (metric_key("Glue/ETL/prod", "JobsFailed", {"Status": "404"}), 5, 1534.0)
    ]
    assert datapoints(f(), [(9, line(job_name=None))]) == []  # a dimension selector without a value: no datapoint


def test_default_value_is_reported_for_the_events_of_a_minute_without_matches():
    # "If there are no matches in the log records published in the second minute, the Default Value of 0 is used
    # for both log records"
    counter = f(default_value=0.0, dimensions={})
    other = line(event="job_started")
    points = datapoints(counter, [(0, line()), (30, line()), (60, other), (90, other), (200, other), (210, line())])
    assert [(t, v) for _, t, v in points] == [(0, 1.0), (30, 1.0), (60, 0.0), (90, 0.0), (210, 1.0)]
