"""Metric alarms through the engine: creation state, schedule, sliding periods, statistics, comparison operators,
the evaluation range with real timestamps, low-sample percentiles and anomaly bands ("Evaluating an alarm")."""

from __future__ import annotations

import pytest
from alarm_eval_support import changes, math_alarm, metric_alarm, metric_query, series, simulate, states, topology

from alarm_eval.errors import InputError
from alarm_eval.model import Query

pytestmark = pytest.mark.python

IN, OK, AL = "INSUFFICIENT_DATA", "OK", "ALARM"


def test_an_alarm_starts_in_insufficient_data_and_is_evaluated_every_minute_on_the_last_complete_period():
    result = simulate(topology(metric_alarm("cpu")), series=[series("cpu", "5 20 5")])
    # datapoints at +0s, +1m, +2m; the period [t-60, t) is complete at t
    assert changes(result, "cpu") == [("+1m", IN, OK), ("+2m", OK, AL), ("+3m", AL, OK), ("+6m", OK, IN)]


def test_the_last_datapoint_is_used_until_it_leaves_the_evaluation_range():
    # "CloudWatch alarms might repeatedly re-evaluate the last set of data points ... after the metric has
    # stopped flowing": N = 1, range 3; the breaching datapoint at +2m decides until +5m, then nothing is left
    result = simulate(topology(metric_alarm("cpu")), series=[series("cpu", "5 5 20")])
    assert changes(result, "cpu") == [("+1m", IN, OK), ("+3m", OK, AL), ("+6m", AL, IN)]


def test_ten_second_alarms_are_evaluated_every_ten_seconds():
    alarm = metric_alarm("hires", period=10)
    result = simulate(topology(alarm), duration="2m", series=[series("hires", "20 20 5", step="10s")])
    assert changes(result, "hires") == [("+10s", IN, AL), ("+30s", AL, OK), ("+1m", OK, IN)]


def test_periods_slide_with_the_evaluation_time():
    # a 5-minute period evaluated every minute: the window [t-5m, t) moves by a minute each time
    alarm = metric_alarm("slow", period=300, stat="Sum", threshold=2, treat_missing_data="notBreaching")
    result = simulate(topology(alarm), duration="20m", series=[series("slow", "1 _ 1 _ 1", start="1m")])
    # points at +1m, +3m, +5m; the newest 5-minute window holds all three (sum 3 > 2) for t in (5m, 6m]. Later the
    # same three fall together into the second (+11m) and the third (+16m) period of the range, which is then the
    # most recent real datapoint: "alarms might repeatedly re-evaluate the last set of data points"
    assert changes(result, "slow") == [
        ("+0s", IN, OK),
        ("+6m", OK, AL),
        ("+7m", AL, OK),
        ("+11m", OK, AL),
        ("+12m", AL, OK),
        ("+16m", OK, AL),
        ("+17m", AL, OK),
    ]


def test_creation_time_and_data_from_before_it():
    # "CloudWatch retrieves the most recent data points from before the alarm was created"
    result = simulate(topology(metric_alarm("cpu")), apply_at="10m", series=[series("cpu", "20", start="9m")])
    assert changes(result, "cpu") == [("+10m", IN, AL), ("+13m", AL, IN)]


@pytest.mark.parametrize(
    ("operator", "threshold", "expected"),
    [
        ("GreaterThanThreshold", 10, [OK, AL, OK]),
        ("GreaterThanOrEqualToThreshold", 10, [AL, OK]),
        ("LessThanThreshold", 10, [OK, AL]),
        ("LessThanOrEqualToThreshold", 10, [AL, OK, AL]),
    ],
)
def test_comparison_operators(operator, threshold, expected):
    alarm = metric_alarm("m", comparison=operator, threshold=threshold)
    result = simulate(topology(alarm), duration="4m", series=[series("m", "10 11 9")])
    assert states(result, "m") == expected


@pytest.mark.parametrize(
    ("stat", "expected"),
    [
        ("Sum", 60.0),
        ("Average", 12.0),
        ("Minimum", 2.0),
        ("Maximum", 30.0),
        ("SampleCount", 5.0),
        ("p50", 10.0),
        ("PR(:10)", 80.0),
        ("TM(10%:90%)", 14.5),
        ("TC(5:20)", 3.0),
    ],
)
def test_statistics_aggregate_the_raw_values_of_a_period(stat, expected):
    # five values in the first minute; a threshold just below the expected statistic alarms, just above does not
    points = [{"at": f"{s}s", "value": v} for s, v in zip((1, 10, 20, 30, 40), (2, 10, 30, 8, 10), strict=True)]
    below = metric_alarm("below", metric="m", stat=stat, threshold=expected - 0.001)
    above = metric_alarm("above", metric="m", stat=stat, threshold=expected + 0.001)
    result = simulate(topology(below, above), duration="2m", series=[{**series("m", []), "points": points}])
    assert states(result, "below") == [AL] and states(result, "above") == [OK]


def test_m_of_n_with_real_timestamps():
    alarm = metric_alarm("m", evaluation_periods=3, datapoints_to_alarm=2)
    result = simulate(topology(alarm), duration="8m", series=[series("m", "20 5 20 5 5")])
    # +1m: one real datapoint, breaching but not old enough to be premature; +3m: 20 5 20; +4m: 5 20 5
    assert changes(result, "m") == [("+1m", IN, OK), ("+3m", OK, AL), ("+4m", AL, OK)]


@pytest.mark.parametrize(
    ("treat", "expected"),
    [
        # "- - - - X" (+1m) is not ALARM yet, "- - X - -" (+3m) is: premature; it leaves the range of 5 at +6m
        ("missing", [("+1m", IN, OK), ("+3m", OK, AL), ("+6m", AL, IN)]),
        ("ignore", [("+1m", IN, OK)]),  # then "Retain current state"
        ("breaching", [("+0s", IN, AL)]),
        ("notBreaching", [("+0s", IN, OK)]),
    ],
)
def test_one_breaching_datapoint_then_silence_follows_the_missing_data_table(treat, expected):
    # the table row "- - X - -" with real times: N = M = 3, the lone breach at +0s
    alarm = metric_alarm("m", evaluation_periods=3, datapoints_to_alarm=3, treat_missing_data=treat)
    result = simulate(topology(alarm), duration="10m", series=[series("m", "20")])
    assert changes(result, "m") == expected


def test_percentile_alarms_ignore_low_samples_when_told_to():
    # p90: fewer than 10 / (1 - 0.9) = 100 samples is a low sample
    points = " ".join(["50"] * 20)
    kept = metric_alarm("kept", metric="lat", stat="p90", low_sample_percentiles="ignore")
    evaluated = metric_alarm("evaluated", metric="lat", stat="p90", low_sample_percentiles="evaluate")
    result = simulate(topology(kept, evaluated), duration="5m", series=[series("lat", points, step="1s", start="5s")])
    assert states(result, "kept") == [] and states(result, "evaluated") == [AL, IN]


def test_anomaly_band_alarms_need_training_data_and_are_approximate():
    queries = [
        Query("m1", metric=metric_query("m1", "rows").metric, return_data=True),
        Query("band", expression="ANOMALY_DETECTION_BAND(m1, 2)", return_data=True),
    ]
    alarm = math_alarm(
        "volume",
        queries,
        comparison="LessThanLowerOrGreaterThanUpperThreshold",
        threshold=None,
        threshold_metric_id="band",
        treat_missing_data="ignore",
    )
    history = " ".join(str(100 + (i % 3)) for i in range(12))  # 100 101 102 ..., mean 101, stddev ~0.82
    result = simulate(
        topology(alarm),
        duration="20m",
        series=[series("rows", f"{history} 101 150")],
        options={"anomaly": {"min_points": 12}},
    )
    assert changes(result, "volume") == [("+13m", IN, OK), ("+14m", OK, AL)]
    assert all(t.approximate for t in result.transitions)
    young = simulate(
        topology(alarm), duration="20m", series=[series("rows", "100 101 150")], options={"anomaly": {"min_points": 12}}
    )
    assert changes(young, "volume") == []  # no band yet: the datapoints count as missing, ignore keeps the state


def test_bad_alarms_are_input_errors():
    with pytest.raises(InputError, match="needs threshold_metric_id"):
        simulate(topology(metric_alarm("m", comparison="GreaterThanUpperThreshold", threshold=None)))
    with pytest.raises(InputError, match="datapoints_to_alarm"):
        simulate(topology(metric_alarm("m", evaluation_periods=2, datapoints_to_alarm=3)))
    with pytest.raises(InputError, match="unknown statistic"):
        simulate(topology(metric_alarm("m", stat="p-median")))


@pytest.mark.parametrize(
    "config",
    [
        dict(period=60, evaluation_periods=1, treat_missing_data="missing"),
        dict(period=60, evaluation_periods=3, datapoints_to_alarm=2, treat_missing_data="ignore"),
        dict(period=300, evaluation_periods=2, treat_missing_data="breaching", stat="Sum"),
        dict(period=10, evaluation_periods=2, datapoints_to_alarm=1, treat_missing_data="notBreaching"),
        dict(period=120, evaluation_periods=5, datapoints_to_alarm=3, treat_missing_data="missing", stat="p90"),
    ],
)
def test_skipping_unchanged_evaluations_gives_the_same_transitions_as_evaluating_every_tick(config):
    import random

    from alarm_eval.engine import run
    from alarm_eval.scenario import from_dict

    rng = random.Random(7)
    values = " ".join(rng.choice(["_", "_", "_", "5", "15", "20"]) for _ in range(120))
    doc = {
        "name": "skip",
        "start": "2026-01-01T00:00:00Z",
        "duration": "3h",
        "series": [series("m", values, step="73s", start="17s")],
    }
    topo = topology(metric_alarm("m", **config))
    from alarm_eval_support import changes as timeline

    fast, full = run(topo, from_dict(doc)), run(topo, from_dict(doc), every_tick=True)
    assert timeline(fast, "m") == timeline(full, "m")
    assert len(timeline(fast, "m")) > 3
    assert sum(fast.evaluations.values()) < sum(full.evaluations.values())
