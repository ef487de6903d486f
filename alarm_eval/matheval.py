"""Evaluation of metric math over a grid ("Metric math syntax and functions").

Documented semantics implemented here:
- Arithmetic between two time series: "missing values in a time series are treated as 0"; a datapoint that would
  divide by zero is dropped. Between a series and a scalar: only the series' datapoints.
- Comparison and logical operators give 1/0; between two series a value missing in one is 0.
- ``IF(cond, a, b)`` follows the docs' tables: a true condition with ``a`` missing gives 0; a false one with ``b``
  missing (or omitted) drops the datapoint; no condition datapoint, no output datapoint.
- ``FILL(x, S | TS | REPEAT | LINEAR)``: fills every period of the grid (the alarm's evaluation range).
- ``ANOMALY_DETECTION_BAND(m, k=2)``: ``[upper, lower]`` (``LAST`` of it is the lower bound, as the docs say),
  approximated by ``anomaly.band``.
Also: METRICS(), METRICS("s"), SUM/AVG/MIN/MAX/STDDEV (of a series: a scalar; of an array: a series), ABS, CEIL,
FLOOR, LOG, LOG10, RATE, DIFF, DIFF_TIME, RUNNING_SUM, TIME_SERIES, PERIOD, DATAPOINT_COUNT, METRIC_COUNT, FIRST,
LAST. Assumptions: ``FILL(x, REPEAT)`` leaves the periods before the first datapoint missing, ``LINEAR`` only fills
between two datapoints.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from alarm_eval import anomaly
from alarm_eval.errors import InputError
from alarm_eval.mathparse import Array, Binary, Call, Node, Num, Ref, Str, Unary, Word, parse
from alarm_eval.metricstore import MetricStore
from alarm_eval.model import Query
from alarm_eval.series import Grid, Series, metric_series

Value = Any  # float | Series | list[Series] | str | Word

_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "^": operator.pow,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "AND": lambda a, b: bool(a) and bool(b),
    "OR": lambda a, b: bool(a) or bool(b),
}


def _apply(op: str, a: float, b: float) -> float | None:
    if op in _COMPARE:
        return 1.0 if _COMPARE[op](a, b) else 0.0
    try:
        result = _ARITH[op](a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    if isinstance(result, complex) or math.isnan(result) or math.isinf(result):
        return None
    return float(result)


class MathContext:
    """The queries of one alarm, evaluated on demand over a grid (memoized per grid)."""

    def __init__(self, queries: list[Query], store: MetricStore, band: anomaly.BandSettings):
        self.queries = {q.id: q for q in queries}
        self.order = [q.id for q in queries]
        self.store = store
        self.band_settings = band
        self.used_band = False
        self._parsed = {q.id: parse(q.expression) for q in queries if q.expression and not q.metric}
        self._memo: dict[tuple[str, Grid], Series | list[Series]] = {}

    def clear(self) -> None:
        self._memo.clear()

    def series(self, query_id: str, grid: Grid) -> Value:
        key = (query_id, grid)
        if key not in self._memo:
            query = self.queries.get(query_id)
            if query is None:
                raise InputError(f"metric math: unknown id {query_id!r} (ids: {', '.join(self.order)})")
            if query.metric:
                self._memo[key] = metric_series(self.store, query.metric, grid)[0]
            else:
                self._memo[key] = _Evaluator(self, grid).eval(self._parsed[query_id])
        return self._memo[key]


class _Evaluator:
    def __init__(self, ctx: MathContext, grid: Grid):
        self.ctx = ctx
        self.grid = grid

    def fail(self, message: str) -> InputError:
        return InputError(f"metric math: {message}")

    def eval(self, node: Node) -> Value:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Str):
            return node.value
        if isinstance(node, Word):
            return node
        if isinstance(node, Ref):
            return self.ctx.series(node.id, self.grid)
        if isinstance(node, Array):
            items: list[Series] = []
            for item in node.items:
                value = self.eval(item)
                items.extend(value if isinstance(value, list) else [self.series(value, "an array item")])
            return items
        if isinstance(node, Unary):
            return self.binary("*", -1.0, self.eval(node.operand))
        if isinstance(node, Binary):
            return self.binary(node.op, self.eval(node.left), self.eval(node.right))
        return self.call(node)

    def series(self, value: Value, where: str) -> Series:
        if isinstance(value, dict):
            return value
        raise self.fail(f"{where} must be a time series")

    def binary(self, op: str, a: Value, b: Value) -> Value:
        if isinstance(a, list) and isinstance(b, list):
            raise self.fail(f"{op} between two arrays of time series")
        if isinstance(a, list):
            return [self.binary(op, x, b) for x in a]
        if isinstance(b, list):
            return [self.binary(op, a, y) for y in b]
        if isinstance(a, float | int) and isinstance(b, float | int):
            result = _apply(op, a, b)
            if result is None:
                raise self.fail(f"{a} {op} {b} has no value")
            return result
        if isinstance(a, dict) and isinstance(b, dict):
            return _drop_none({i: _apply(op, a.get(i, 0.0), b.get(i, 0.0)) for i in a.keys() | b.keys()})
        if isinstance(a, dict) and isinstance(b, float | int):
            return _drop_none({i: _apply(op, v, b) for i, v in a.items()})
        if isinstance(b, dict) and isinstance(a, float | int):
            return _drop_none({i: _apply(op, a, v) for i, v in b.items()})
        raise self.fail(f"operator {op} cannot take {type(a).__name__} and {type(b).__name__}")

    # -- functions ----------------------------------------------------------------------------------------------

    def call(self, node: Call) -> Value:
        name, args = node.name, node.args
        handler = getattr(self, f"fn_{name.lower()}", None)
        if handler is None:
            raise self.fail(f"function {name} is not supported by alarm_eval")
        return handler(args)

    def _arg(self, args: tuple[Node, ...], count: tuple[int, int], name: str) -> list[Value]:
        if not count[0] <= len(args) <= count[1]:
            raise self.fail(f"{name} takes {count[0]}-{count[1]} arguments, got {len(args)}")
        return [self.eval(a) for a in args]

    def fn_metrics(self, args: tuple[Node, ...]) -> list[Series]:
        (needle,) = self._arg(args, (0, 1), "METRICS") or [""]
        ids = [i for i in self.ctx.order if self.ctx.queries[i].metric and str(needle) in i]
        return [self.ctx.series(i, self.grid) for i in ids]

    def fn_if(self, args: tuple[Node, ...]) -> Value:
        values = self._arg(args, (2, 3), "IF")
        cond, then = values[0], values[1]
        other = values[2] if len(values) == 3 else None
        if isinstance(cond, float | int):
            chosen = then if cond else other
            return {} if chosen is None else (self._dense(chosen) if isinstance(chosen, float | int) else chosen)
        cond = self.series(cond, "the condition of IF")
        out: Series = {}
        for i, c in cond.items():
            branch = then if c else other
            if isinstance(branch, dict):
                if i in branch:
                    out[i] = branch[i]
                elif c:
                    out[i] = 0.0
            elif isinstance(branch, float | int):
                out[i] = float(branch)
        return out

    def _dense(self, value: float) -> Series:
        return {i: float(value) for i in range(self.grid.size)}

    def fn_fill(self, args: tuple[Node, ...]) -> Value:
        target, how = self._arg(args, (2, 2), "FILL")
        if isinstance(target, list):
            return [self._fill(s, how) for s in target]
        return self._fill(self.series(target, "the first argument of FILL"), how)

    def _fill(self, s: Series, how: Value) -> Series:
        n = self.grid.size
        if isinstance(how, float | int):
            return {i: s.get(i, float(how)) for i in range(n)}
        if isinstance(how, dict):
            return {i: s[i] if i in s else how[i] for i in range(n) if i in s or i in how}
        if isinstance(how, Word) and how.name == "REPEAT":
            out, last = {}, None
            for i in range(n):
                last = s.get(i, last)
                if last is not None:
                    out[i] = last
            return out
        if isinstance(how, Word) and how.name == "LINEAR":
            out = dict(s)
            known = sorted(s)
            for a, b in zip(known, known[1:], strict=False):
                for i in range(a + 1, b):
                    out[i] = s[a] + (s[b] - s[a]) * (i - a) / (b - a)
            return out
        raise self.fail("FILL takes a number, a time series, REPEAT or LINEAR")

    def fn_anomaly_detection_band(self, args: tuple[Node, ...]) -> list[Series]:
        if not 1 <= len(args) <= 2:
            raise self.fail("ANOMALY_DETECTION_BAND takes a metric and an optional number of standard deviations")
        stddevs = float(self.eval(args[1])) if len(args) == 2 else 2.0
        settings = self.ctx.band_settings
        history = max(1, int(settings.training_seconds // self.grid.period))
        extended = self.grid.extended(history)
        source = self.series(_Evaluator(self.ctx, extended).eval(args[0]), "the metric of ANOMALY_DETECTION_BAND")
        self.ctx.used_band = True
        upper: Series = {}
        lower: Series = {}
        ordered = sorted(source.items())
        for i in range(self.grid.size):
            # the history of period i: the `history` periods before it (extended index i .. i+history-1)
            window = [v for j, v in ordered if i <= j < i + history]
            limits = anomaly.band(window, stddevs, settings)
            if limits:
                lower[i], upper[i] = limits
        return [upper, lower]

    def _reduce(
        self,
        args: tuple[Node, ...],
        name: str,
        scalar: Callable[[list[float]], float | None],
        across: Callable[[list[float], int], float | None],
    ) -> Value:
        (value,) = self._arg(args, (1, 1), name)
        if isinstance(value, list):
            out: Series = {}
            for i in set().union(*[s.keys() for s in value]) if value else set():
                result = across([s[i] for s in value if i in s], len(value))
                if result is not None:
                    out[i] = result
            return out
        values = list(self.series(value, f"the argument of {name}").values())
        result = scalar(values) if values else None
        if result is None:
            raise self.fail(f"{name} of a time series without datapoints")
        return result

    def fn_sum(self, args: tuple[Node, ...]) -> Value:
        return self._reduce(args, "SUM", lambda v: float(sum(v)), lambda v, n: float(sum(v)))

    def fn_avg(self, args: tuple[Node, ...]) -> Value:
        # of an array: "missing values are treated as 0", so the mean is over every series
        return self._reduce(args, "AVG", lambda v: sum(v) / len(v), lambda v, n: sum(v) / n)

    def fn_min(self, args: tuple[Node, ...]) -> Value:
        return self._reduce(args, "MIN", lambda v: min(v), lambda v, n: min(v))

    def fn_max(self, args: tuple[Node, ...]) -> Value:
        return self._reduce(args, "MAX", lambda v: max(v), lambda v, n: max(v))

    def fn_stddev(self, args: tuple[Node, ...]) -> Value:
        def sd(v: list[float], n: int = 0) -> float:
            mean = sum(v) / len(v)
            return math.sqrt(sum((x - mean) ** 2 for x in v) / len(v))

        return self._reduce(args, "STDDEV", sd, sd)

    def _each(self, args: tuple[Node, ...], name: str, fn: Callable[[Series], Series]) -> Value:
        (value,) = self._arg(args, (1, 1), name)
        if isinstance(value, list):
            return [fn(s) for s in value]
        return fn(self.series(value, f"the argument of {name}"))

    def _pointwise(self, args: tuple[Node, ...], name: str, fn: Callable[[float], float]) -> Value:
        def apply(s: Series) -> Series:
            out = {}
            for i, v in s.items():
                try:
                    out[i] = fn(v)
                except (ValueError, OverflowError):
                    continue
            return out

        return self._each(args, name, apply)

    def fn_abs(self, args: tuple[Node, ...]) -> Value:
        return self._pointwise(args, "ABS", abs)

    def fn_ceil(self, args: tuple[Node, ...]) -> Value:
        return self._pointwise(args, "CEIL", lambda v: float(math.ceil(v)))

    def fn_floor(self, args: tuple[Node, ...]) -> Value:
        return self._pointwise(args, "FLOOR", lambda v: float(math.floor(v)))

    def fn_log(self, args: tuple[Node, ...]) -> Value:
        return self._pointwise(args, "LOG", math.log)

    def fn_log10(self, args: tuple[Node, ...]) -> Value:
        return self._pointwise(args, "LOG10", math.log10)

    def _successive(self, args: tuple[Node, ...], name: str, fn: Callable[[float, float, float], float]) -> Value:
        period = self.grid.period

        def apply(s: Series) -> Series:
            keys = sorted(s)
            return {b: fn(s[b], s[a], (b - a) * period) for a, b in zip(keys, keys[1:], strict=False)}

        return self._each(args, name, apply)

    def fn_rate(self, args: tuple[Node, ...]) -> Value:
        return self._successive(args, "RATE", lambda v, prev, dt: (v - prev) / dt)

    def fn_diff(self, args: tuple[Node, ...]) -> Value:
        return self._successive(args, "DIFF", lambda v, prev, dt: v - prev)

    def fn_diff_time(self, args: tuple[Node, ...]) -> Value:
        return self._successive(args, "DIFF_TIME", lambda v, prev, dt: float(dt))

    def fn_running_sum(self, args: tuple[Node, ...]) -> Value:
        def apply(s: Series) -> Series:
            total, out = 0.0, {}
            for i in sorted(s):
                total += s[i]
                out[i] = total
            return out

        return self._each(args, "RUNNING_SUM", apply)

    def fn_time_series(self, args: tuple[Node, ...]) -> Series:
        (value,) = self._arg(args, (1, 1), "TIME_SERIES")
        if not isinstance(value, float | int):
            raise self.fail("TIME_SERIES takes a scalar")
        return self._dense(value)

    def fn_period(self, args: tuple[Node, ...]) -> float:
        if len(args) != 1 or not isinstance(args[0], Ref) or not self.ctx.queries.get(args[0].id):
            raise self.fail("PERIOD takes the id of a metric")
        metric = self.ctx.queries[args[0].id].metric
        if metric is None:
            raise self.fail("PERIOD takes a metric, not an expression")
        return float(metric.period)

    def fn_datapoint_count(self, args: tuple[Node, ...]) -> Value:
        return self._reduce(args, "DATAPOINT_COUNT", lambda v: float(len(v)), lambda v, n: float(len(v)))

    def fn_metric_count(self, args: tuple[Node, ...]) -> float:
        (value,) = self._arg(args, (1, 1), "METRIC_COUNT")
        return float(len(value) if isinstance(value, list) else 1)

    def _pick(self, args: tuple[Node, ...], name: str, index: int) -> Series:
        (value,) = self._arg(args, (1, 1), name)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{name} takes a non-empty array of time series")
        return value[index]

    def fn_first(self, args: tuple[Node, ...]) -> Series:
        return self._pick(args, "FIRST", 0)

    def fn_last(self, args: tuple[Node, ...]) -> Series:
        return self._pick(args, "LAST", -1)


def _drop_none(values: dict[int, float | None]) -> Series:
    return {i: v for i, v in values.items() if v is not None}
