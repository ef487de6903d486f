"""Metric math ("Using metric math", "Metric math syntax and functions"): the documented examples, the functions
the modules use, and every expression in modules/ and in the plans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from alarm_eval_support import FIXTURES, NS, changes, math_alarm, metric_query, series, simulate, topology

from alarm_eval.anomaly import BandSettings
from alarm_eval.errors import InputError
from alarm_eval.matheval import MathContext
from alarm_eval.mathparse import Binary, Call, Num, Ref, parse, references
from alarm_eval.metricstore import MetricStore
from alarm_eval.model import MetricStat, Query, metric_key
from alarm_eval.series import Grid

pytestmark = pytest.mark.python

GRID = Grid(0, 60, 5)


def context(data: dict[str, list[float | None]], *expressions: str, period: int = 60) -> MathContext:
    """Metric queries named after ``data`` (one value per period of GRID, None = missing) and expressions e1, e2..."""
    store = MetricStore()
    queries = []
    for name, values in data.items():
        stat = MetricStat(NS, name, {}, "Sum", period)
        queries.append(Query(name, metric=stat))
        for i, v in enumerate(values):
            if v is not None:
                store.add(metric_key(NS, name, {}), i * period + 1, v)
    queries += [Query(f"e{i + 1}", expression=e) for i, e in enumerate(expressions)]
    return MathContext(queries, store, BandSettings(min_points=3))


def values(ctx: MathContext, query: str = "e1", grid: Grid = GRID) -> list[float | None]:
    series_ = ctx.series(query, grid)
    return [series_.get(i) for i in range(grid.size)]


def test_parser_precedence_and_shapes():
    assert parse("1 + 2 * m1") == Binary("+", Num(1), Binary("*", Num(2), Ref("m1")))
    assert parse("a > 1 AND b < 2 || c") == Binary(
        "OR", Binary("AND", Binary(">", Ref("a"), Num(1)), Binary("<", Ref("b"), Num(2))), Ref("c")
    )
    assert parse("-m1 ^ 2") == parse("-(m1 ^ 2)")
    assert isinstance(parse("FILL(m1, REPEAT)"), Call)
    assert references(parse("IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)")) == {"calls", "errors"}
    for bad in ("m1 +", "FILL(m1,", "m1 m2", "(m1", "m1 $ 2"):
        with pytest.raises(InputError):
            parse(bad)


def test_comparison_and_logical_operators_follow_the_docs_example():
    # metric1 [30, 20, 0, 0], metric2 [20, -, 20, -]: "the function treats the missing value ... as 0"
    ctx = context(
        {"metric1": [30, 20, 0, 0, None], "metric2": [20, None, 20, None, None]},
        "metric1 < metric2",
        "metric1 >= 30",
        "metric1 > 15 AND metric2 > 15",
    )
    assert values(ctx, "e1")[:4] == [0, 0, 1, 0]
    assert values(ctx, "e2")[:4] == [1, 0, 0, 0]
    assert values(ctx, "e3")[:4] == [1, 0, 0, 0]


def test_arithmetic_treats_missing_as_zero_and_drops_division_by_zero():
    ctx = context({"a": [10, None, 4, 0, None], "b": [2, 3, None, 0, None]}, "a + b", "a / b", "a * 2")
    assert values(ctx, "e1") == [12, 3, 4, 0, None]
    assert values(ctx, "e2") == [5, 0, None, None, None]  # 4/0 and 0/0 are dropped
    assert values(ctx, "e3") == [20, None, 8, 0, None]  # with a scalar: only the series' datapoints


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # the three tables of "Using IF expressions"; metric1 [1,1,0,0,-], metric2 [30,-,0,0,30], metric3 [0,0,20,-,20]
        ("IF(metric1, metric2, metric3)", [30, 0, 20, None, None]),
        ("IF(metric1, 5, metric3)", [5, 5, 20, None, None]),
        ("IF(metric1, metric2, 5)", [30, 0, 5, 5, None]),
        ("IF(metric1, metric2)", [30, 0, None, None, None]),
        ("IF(1, metric2, metric3)", [30, None, 0, 0, 30]),
    ],
)
def test_if_follows_the_docs_tables(expression, expected):
    ctx = context(
        {"metric1": [1, 1, 0, 0, None], "metric2": [30, None, 0, 0, 30], "metric3": [0, 0, 20, None, 20]}, expression
    )
    assert values(ctx) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("FILL(m, 0)", [0, 5, 0, 9, 0]),
        ("FILL(m, REPEAT)", [None, 5, 5, 9, 9]),
        ("FILL(m, LINEAR)", [None, 5, 7, 9, None]),
        ("FILL(m, other)", [1, 5, 3, 9, None]),
    ],
)
def test_fill(expression, expected):
    ctx = context({"m": [None, 5, None, 9, None], "other": [1, 2, 3, 4, None]}, expression)
    assert values(ctx) == expected


def test_aggregates_and_other_functions():
    ctx = context(
        {"m1": [1, 2, 3, None, 6], "m2": [4, None, 1, None, 2]},
        "m1 - AVG(m1)",
        "SUM([m1, m2])",
        "MAX(METRICS())",
        "AVG(METRICS())",
        "RATE(m1)",
        "DIFF(m1)",
        "ABS(m2 - m1)",
        "TIME_SERIES(7)",
        "m1 / PERIOD(m1)",
        "RUNNING_SUM(m1)",
        'SUM(METRICS("2"))',
    )
    assert values(ctx, "e1") == [-2, -1, 0, None, 3]
    assert values(ctx, "e2") == [5, 2, 4, None, 8]
    assert values(ctx, "e3") == [4, 2, 3, None, 6]
    assert values(ctx, "e4") == [2.5, 1, 2, None, 4]  # of an array, missing counts as 0
    assert values(ctx, "e5") == [None, 1 / 60, 1 / 60, None, 3 / 120]
    assert values(ctx, "e6") == [None, 1, 1, None, 3]
    assert values(ctx, "e7") == [3, 2, 2, None, 4]
    assert values(ctx, "e8") == [7] * 5
    assert values(ctx, "e9") == [1 / 60, 2 / 60, 3 / 60, None, 6 / 60]
    assert values(ctx, "e10") == [1, 3, 6, None, 12]
    assert values(ctx, "e11") == [4, None, 1, None, 2]


def test_anomaly_detection_band_is_upper_then_lower():
    grid = Grid(600, 60, 2)  # periods 10 and 11; history from period 0
    ctx = context(
        {"m1": [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 50, 11]},
        "ANOMALY_DETECTION_BAND(m1, 2)",
        "FIRST(ANOMALY_DETECTION_BAND(m1))",
        "LAST(ANOMALY_DETECTION_BAND(m1, 1))",
    )
    upper, lower = ctx.series("e1", grid)
    assert (lower[0], upper[0]) == (9.0, 13.0)  # mean 11, stddev 1 over periods 0..9
    assert values(ctx, "e2", grid)[0] == 13.0 and values(ctx, "e3", grid)[0] == 10.0
    assert ctx.used_band


def test_unsupported_functions_and_unknown_ids_are_input_errors():
    with pytest.raises(InputError, match="SEARCH is not supported"):
        values(context({"m": [1]}, "SEARCH('x', 'Sum', 60)"))
    with pytest.raises(InputError, match="unknown id"):
        values(context({"m": [1]}, "m + nope"))


# -- the expressions the modules use --------------------------------------------------------------------------


def _hcl_strings(text: str) -> list[str]:
    """The values of ``expression = "..."`` in HCL, each ``${...}`` interpolation replaced by 2."""
    out = []
    for match in re.finditer(r"\bexpression\s*=\s*\"", text):
        i, chars = match.end(), []
        while text[i] != '"':
            if text.startswith("${", i):
                depth, i = 1, i + 2
                while depth:
                    if text[i] == "{":
                        depth += 1
                    elif text[i] == "}":
                        depth -= 1
                    elif text[i] == '"':
                        i = text.index('"', i + 1)
                    i += 1
                chars.append("2")
            else:
                chars.append(text[i])
                i += 1
        out.append("".join(chars))
    return out


def _module_expressions() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "modules"
    found = [e for tf in sorted(root.rglob("*.tf")) for e in _hcl_strings(tf.read_text())]
    return sorted(set(found))


def _plan_expressions() -> list[str]:
    out = set()
    for plan in FIXTURES.glob("*_plan.json"):
        for rc in json.loads(plan.read_text())["resource_changes"]:
            for q in rc["change"]["after"].get("metric_query") or []:
                if q.get("expression"):
                    out.add(q["expression"])
    return sorted(out)


def test_the_modules_use_the_expressions_this_test_knows_about():
    # if a module gains an expression, it is evaluated below too; this guards the extraction itself
    assert len(_module_expressions()) >= 5 and len(_plan_expressions()) >= 4


@pytest.mark.parametrize("expression", _module_expressions() + _plan_expressions())
def test_every_expression_of_the_modules_parses_and_evaluates(expression):
    ids = sorted(references(parse(expression)))
    data = {i: [float(n + 1) for n in range(GRID.size - 1)] + [None] for i in ids}
    result = context(data, expression).series("e1", GRID)
    assert isinstance(result, dict | list) and result, f"{expression} gave {result}"


def test_the_module_expressions_compute_what_their_alarms_mean():
    error_rate = "IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)"
    ctx = context({"calls": [10, 0, None, 20, 4], "errors": [1, None, 3, None, 4]}, error_rate)
    assert values(ctx) == [10, 0, None, 0, 100]  # no calls, no datapoint
    burn = "(FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0))) / 0.01"
    ctx = context({"failed": [1, None, None, 2, None], "succeeded": [1, 9, None, None, None]}, burn)
    assert values(ctx) == [50, 0, None, 100, None]  # a failed run of two: 50x the 1 % budget
    freshness = "(100 - fresh) / 5"
    ctx = context({"fresh": [100, 90, None, 0, 95]}, freshness)
    assert values(ctx) == [0, 2, None, 20, 1]


def test_a_burn_rate_alarm_end_to_end():
    queries = [
        metric_query("failed", "JobsFailed"),
        metric_query("succeeded", "JobsSucceeded"),
        Query("burn", expression="(FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0))) / 0.01", return_data=True),
    ]
    alarm = math_alarm(
        "burn", queries, comparison="GreaterThanOrEqualToThreshold", threshold=14.4, treat_missing_data="notBreaching"
    )
    result = simulate(
        topology(alarm),
        duration="10m",
        series=[series("JobsSucceeded", "1 1 _ _ 1"), series("JobsFailed", "_ _ 1 _ _")],
    )
    assert changes(result, "burn") == [
        ("+0s", "INSUFFICIENT_DATA", "OK"),
        ("+3m", "OK", "ALARM"),
        ("+5m", "ALARM", "OK"),
    ]  # 0/0 at +4m is dropped: +3m still decides
