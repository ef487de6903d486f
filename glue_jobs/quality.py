"""Declared data-quality rules, evaluated in the same Spark pass as the load.

A job declares typed rules; each is a *check* over the records, in one of four dimensions. A check passes
when the share of records that satisfy it is at least its ``threshold`` (default 1.0: every record). The
scores follow the seed's formula:

- dimension score = checks passed ÷ checks in that dimension (completeness, uniqueness, validity,
  consistency; a dimension without rules is left out);
- ``quality_score`` (``DataQualityScore``) = mean of the dimension scores, 0-1;
- ``rules_passed_ratio`` = checks passed ÷ all checks: AWS Glue Data Quality's meaning of a score, kept next
  to it;
- ``validation_pass_rate`` (``ValidationPassRate``) = 100 × records that fail no quarantining rule ÷ records
  checked.

A record that fails a rule with ``quarantine=True`` (the default) is routed to the dead-letter queue with
the names of the rules it failed (at most ``--dlq_max_inline_records`` one message each, the rest through
the audit store: rejected.py), and left out of the output; ``quarantine=False`` rules only score.

Rules are checked when they are declared (bad thresholds, patterns, empty sets ...) and against the
DataFrame's schema before any Spark action runs (unknown columns, expressions that do not analyse), and
raise :class:`RuleError` with the rule's name and what is wrong.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructType

from glue_jobs.rejected import (
    RejectedRecord,
    first_records,
    inline_sample,
    number_rejected,
    overflow_frame,
    record_line,
)
from glue_jobs.stages import ObservedStage, observe


class RuleError(ValueError):
    """A data-quality rule that cannot be evaluated; the message names the rule and the problem."""


class Dimension(StrEnum):
    COMPLETENESS = "completeness"
    UNIQUENESS = "uniqueness"
    VALIDITY = "validity"
    CONSISTENCY = "consistency"


_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


@dataclass(frozen=True, kw_only=True)
class Rule(ABC):
    """Common fields of every rule (keyword-only, after the rule's own positional fields)."""

    name: str = ""
    """snake_case, unique in the job; derived from the rule when left empty."""
    threshold: float = 1.0
    """Share of records (0 < t <= 1) that must satisfy the rule for the check to pass."""
    quarantine: bool = True
    """Failing records go to the DLQ and out of the output; False only scores."""
    DIMENSION: ClassVar[Dimension]

    @property
    def dimension(self) -> Dimension:
        return self.DIMENSION

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.default_name())
        if not _NAME.fullmatch(self.name):
            self._fail(f"name must be snake_case ([a-z][a-z0-9_]*, at most 63 characters), got {self.name!r}")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int | float):
            self._fail(f"threshold must be a number in (0, 1], got {self.threshold!r}")
        if not 0 < self.threshold <= 1:
            self._fail(f"threshold must be in (0, 1] (a share of records), got {self.threshold!r}")
        if not isinstance(self.quarantine, bool):
            self._fail(f"quarantine must be true or false, got {self.quarantine!r}")
        self.check()

    def _fail(self, problem: str) -> None:
        label = self.name or type(self).__name__
        raise RuleError(f"rule {label!r} ({type(self).__name__}): {problem}")

    @staticmethod
    def _column_name(value: Any, what: str = "column") -> str | None:
        if not isinstance(value, str) or not value.strip():
            return f"{what} must be a non-empty column name, got {value!r}"
        return None

    @abstractmethod
    def default_name(self) -> str: ...

    def check(self) -> None:  # noqa: B027 - optional hook
        """Rule-specific checks at declaration."""

    @abstractmethod
    def columns(self) -> tuple[str, ...]: ...

    @abstractmethod
    def failure(self, schema: StructType) -> Column:
        """True for a record that breaks the rule (never null)."""

    @abstractmethod
    def describe(self) -> str: ...


@dataclass(frozen=True, kw_only=False)
class NotNull(Rule):
    """Completeness: the column has a value (for strings, blank counts as missing unless allow_blank)."""

    column: str
    allow_blank: bool = False
    DIMENSION: ClassVar[Dimension] = Dimension.COMPLETENESS

    def default_name(self) -> str:
        return f"{_snake(self.column)}_not_null"

    def check(self) -> None:
        if problem := self._column_name(self.column):
            self._fail(problem)

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failure(self, schema: StructType) -> Column:
        col = F.col(self.column)
        if not self.allow_blank and isinstance(schema[self.column].dataType, StringType):
            return col.isNull() | (F.trim(col) == "")
        return col.isNull()

    def describe(self) -> str:
        return f"{self.column} is missing"


@dataclass(frozen=True, kw_only=False)
class Unique(Rule):
    """Uniqueness: one record per key. The first by ``keep_first_by`` (descending) is kept; the others fail.

    ``keys`` is a column name or a tuple of them. Records whose key has a null are not judged here (that is
    NotNull's job). Costs a shuffle (a window over the key).
    """

    keys: tuple[str, ...] | str
    keep_first_by: tuple[str, ...] | str = ()
    DIMENSION: ClassVar[Dimension] = Dimension.UNIQUENESS

    def __post_init__(self) -> None:
        for attr in ("keys", "keep_first_by"):
            value = getattr(self, attr)
            if isinstance(value, str):
                object.__setattr__(self, attr, (value,))
            elif isinstance(value, list):
                object.__setattr__(self, attr, tuple(value))
        super().__post_init__()

    def default_name(self) -> str:
        ok = isinstance(self.keys, tuple) and all(isinstance(c, str) and c for c in self.keys)
        return "_".join(_snake(c) for c in self.keys) + "_unique" if ok and self.keys else "unique"

    def check(self) -> None:
        if not isinstance(self.keys, tuple) or not self.keys:
            self._fail(f"keys must be a column name or a non-empty tuple of them, got {self.keys!r}")
        if not isinstance(self.keep_first_by, tuple):
            self._fail(f"keep_first_by must be a column name or a tuple of them, got {self.keep_first_by!r}")
        for c in (*self.keys, *self.keep_first_by):
            if problem := self._column_name(c):
                self._fail(problem)

    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.keep_first_by)

    def failure(self, schema: StructType) -> Column:
        order = [F.col(c).desc_nulls_last() for c in self.keep_first_by] or [F.lit(1)]
        window = Window.partitionBy(*self.keys).orderBy(*order)
        key_present = F.lit(True)
        for c in self.keys:
            key_present = key_present & F.col(c).isNotNull()
        return key_present & (F.row_number().over(window) > 1)

    def describe(self) -> str:
        return f"duplicate {', '.join(self.keys)}"


@dataclass(frozen=True, kw_only=False)
class Matches(Rule):
    """Validity: a present value matches a regular expression (Java syntax, searched, so anchor it)."""

    column: str
    pattern: str
    DIMENSION: ClassVar[Dimension] = Dimension.VALIDITY

    def default_name(self) -> str:
        return f"{_snake(self.column)}_format"

    def check(self) -> None:
        if problem := self._column_name(self.column):
            self._fail(problem)
        if not isinstance(self.pattern, str) or not self.pattern:
            self._fail(f"pattern must be a non-empty regular expression, got {self.pattern!r}")
        try:
            re.compile(self.pattern)
        except re.error as exc:
            self._fail(f"pattern {self.pattern!r} does not compile: {exc}")

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failure(self, schema: StructType) -> Column:
        col = F.col(self.column).cast("string")
        return col.isNotNull() & ~col.rlike(self.pattern)

    def describe(self) -> str:
        return f"{self.column} does not match {self.pattern}"


@dataclass(frozen=True, kw_only=False)
class InSet(Rule):
    """Validity: a present value is one of ``values``."""

    column: str
    values: frozenset[str | int | float | bool]
    DIMENSION: ClassVar[Dimension] = Dimension.VALIDITY

    def default_name(self) -> str:
        return f"{_snake(self.column)}_allowed"

    def check(self) -> None:
        if problem := self._column_name(self.column):
            self._fail(problem)
        if isinstance(self.values, str) or not isinstance(self.values, Iterable):
            self._fail(f"values must be a set of allowed values, got {self.values!r}")
        if not self.values:
            self._fail("values must not be empty")
        object.__setattr__(self, "values", frozenset(self.values))

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failure(self, schema: StructType) -> Column:
        col = F.col(self.column)
        return col.isNotNull() & ~col.isin(sorted(self.values, key=str))

    def describe(self) -> str:
        return f"{self.column} is not one of {', '.join(sorted(map(str, self.values)))}"


@dataclass(frozen=True, kw_only=False)
class Between(Rule):
    """Validity: a present value is within [minimum, maximum] (either bound may be omitted)."""

    column: str
    minimum: float | None = None
    maximum: float | None = None
    DIMENSION: ClassVar[Dimension] = Dimension.VALIDITY

    def default_name(self) -> str:
        return f"{_snake(self.column)}_range"

    def check(self) -> None:
        if problem := self._column_name(self.column):
            self._fail(problem)
        if self.minimum is None and self.maximum is None:
            self._fail("give minimum, maximum or both")
        for bound in (self.minimum, self.maximum):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
                self._fail(f"bounds must be numbers, got {bound!r}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            self._fail(f"minimum {self.minimum} is greater than maximum {self.maximum}")

    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failure(self, schema: StructType) -> Column:
        col = F.col(self.column)
        out = F.lit(False)
        if self.minimum is not None:
            out = out | (col < F.lit(self.minimum))
        if self.maximum is not None:
            out = out | (col > F.lit(self.maximum))
        return col.isNotNull() & out

    def describe(self) -> str:
        return f"{self.column} outside [{self.minimum}, {self.maximum}]"


@dataclass(frozen=True, kw_only=False)
class Satisfies(Rule):
    """Consistency (or ``in_dimension``): a Spark SQL boolean expression over the record holds.

    Needs a ``name``. A null result (some input missing) counts as satisfied: missing values are
    completeness's business.
    """

    expression: str
    in_dimension: Dimension = Dimension.CONSISTENCY

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "in_dimension", Dimension(self.in_dimension))
        except ValueError:
            raise RuleError(
                f"rule {self.name or 'Satisfies'!r} (Satisfies): in_dimension must be one of "
                f"{', '.join(d.value for d in Dimension)}, got {self.in_dimension!r}"
            ) from None
        super().__post_init__()

    @property
    def dimension(self) -> Dimension:
        return self.in_dimension

    def default_name(self) -> str:
        raise RuleError(f"rule Satisfies({self.expression!r}): give it a name=... (snake_case)")

    def check(self) -> None:
        if not isinstance(self.expression, str) or not self.expression.strip():
            self._fail(f"expression must be a non-empty Spark SQL boolean expression, got {self.expression!r}")

    def columns(self) -> tuple[str, ...]:
        return ()

    def failure(self, schema: StructType) -> Column:
        return ~F.coalesce(F.expr(self.expression).cast("boolean"), F.lit(True))

    def describe(self) -> str:
        return f"not ({self.expression})"


def _snake(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(column).lower()).strip("_") or "column"


# -- evaluation ---------------------------------------------------------------------------------------------

_FLAG = "__dq_fail_"
_REJECTED = "__dq_rejected"


@dataclass(frozen=True)
class RuleResult:
    name: str
    dimension: Dimension
    failed: int
    checked: int
    threshold: float
    quarantine: bool

    @property
    def pass_ratio(self) -> float:
        return 1.0 if self.checked == 0 else (self.checked - self.failed) / self.checked

    @property
    def passed(self) -> bool:
        return self.pass_ratio >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "dimension": self.dimension.value,
            "failed": self.failed,
            "checked": self.checked,
            "pass_ratio": round(self.pass_ratio, 6),
            "threshold": self.threshold,
            "passed": self.passed,
            "quarantine": self.quarantine,
        }


@dataclass(frozen=True)
class QualityReport:
    records_checked: int
    records_failed: int
    """Records that failed at least one quarantining rule (routed to the DLQ)."""
    rules: tuple[RuleResult, ...]

    def dimension_score(self, dimension: Dimension) -> float | None:
        checks = [r for r in self.rules if r.dimension is dimension]
        return sum(r.passed for r in checks) / len(checks) if checks else None

    @property
    def dimension_scores(self) -> dict[Dimension, float | None]:
        return {d: self.dimension_score(d) for d in Dimension}

    @property
    def score(self) -> float | None:
        present = [s for s in self.dimension_scores.values() if s is not None]
        return sum(present) / len(present) if present else None

    @property
    def rules_passed_ratio(self) -> float | None:
        return sum(r.passed for r in self.rules) / len(self.rules) if self.rules else None

    @property
    def validation_pass_rate(self) -> float | None:
        if self.records_checked == 0:
            return None
        return 100.0 * (self.records_checked - self.records_failed) / self.records_checked


@dataclass
class Evaluation:
    """The output DataFrame (valid records only) and the handle to read the checks after the action.

    ``flagged`` is the transform's output with the rule flags, before the observation: what the write of
    the rejected records beyond ``max_inline`` recomputes (``overflow``)."""

    valid: DataFrame
    stage: ObservedStage
    rules: tuple[Rule, ...]
    record_columns: tuple[str, ...]
    flagged: DataFrame
    max_inline: int

    def report(self, observed: dict[str, Any]) -> QualityReport:
        """Every count is one of the observation's sums: records checked, rejected, failed per rule."""
        checked = int(observed.get("rows") or 0)
        results = tuple(
            RuleResult(r.name, r.dimension, int(observed.get(f"{_FLAG}{i}") or 0), checked, r.threshold, r.quarantine)
            for i, r in enumerate(self.rules)
        )
        return QualityReport(checked, int(observed.get("rejected") or 0), results)

    def inline_records(self, observed: dict[str, Any]) -> list[RejectedRecord]:
        """At most ``max_inline`` rejected records, the ones the DLQ gets one message each."""
        return first_records(observed.get("rejected_sample"), self.max_inline)

    def overflow(self, inline: Sequence[RejectedRecord]) -> DataFrame:
        """The other rejected records (``failed_rules``, ``record``), for the DataFrame writer."""
        return overflow_frame(
            self.flagged, F.col(_REJECTED), _failed_rules(self.rules), self.record_columns, [r.line for r in inline]
        )


@dataclass
class RuleSet:
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        self.rules = tuple(self.rules)
        for rule in self.rules:
            if not isinstance(rule, Rule):
                raise RuleError(
                    f"{rule!r} is not a data-quality rule (NotNull, Unique, Matches, InSet, Between, Satisfies)"
                )
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise RuleError(f"rule name {rule.name!r} is used twice; give one of them name=...")
            seen.add(rule.name)

    @property
    def quarantines(self) -> bool:
        return any(r.quarantine for r in self.rules)

    def describe(self, names: Sequence[str]) -> list[str]:
        by_name = {r.name: r for r in self.rules}
        return [by_name[n].describe() for n in names if n in by_name]

    def bind(self, df: DataFrame) -> StructType:
        """Check every rule against the DataFrame's schema (no Spark job runs); returns the schema."""
        schema = df.schema
        names = schema.names
        lower = {c.lower(): c for c in names}
        for rule in self.rules:
            for column in rule.columns():
                if column not in names:
                    hint = f" (did you mean {lower[column.lower()]!r}?)" if column.lower() in lower else ""
                    raise RuleError(
                        f"rule {rule.name!r} ({type(rule).__name__}) refers to column {column!r}, "
                        f"which the data does not have{hint}; columns: {', '.join(names)}"
                    )
            if not isinstance(rule, Satisfies):
                continue  # built from checked columns; only free-form expressions need Spark's analyser
            try:
                df.select(rule.failure(schema).alias("x"))
            except Exception as exc:  # AnalysisException, ParseException
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise RuleError(
                    f"rule {rule.name!r} ({type(rule).__name__}) cannot be evaluated on the data: {first}"
                ) from exc
        return schema

    def flag(self, df: DataFrame) -> DataFrame:
        """``df`` plus one boolean column per rule (True = fails) and the rejected flag."""
        schema = self.bind(df)
        try:
            flagged = df.select(
                "*", *(self.rules[i].failure(schema).alias(f"{_FLAG}{i}") for i in range(len(self.rules)))
            )
        except Exception:  # e.g. a type Spark cannot compare: find the rule, name it
            for rule in self.rules:
                try:
                    df.select(rule.failure(schema).alias("x"))
                except Exception as exc:  # noqa: BLE001
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise RuleError(
                        f"rule {rule.name!r} ({type(rule).__name__}) cannot be evaluated on the data: {first}"
                    ) from exc
            raise
        rejected = F.lit(False)
        for i, rule in enumerate(self.rules):
            if rule.quarantine:
                rejected = rejected | F.col(f"{_FLAG}{i}")
        return flagged.withColumn(_REJECTED, rejected)

    def filter_valid(self, df: DataFrame) -> DataFrame:
        """Only the records that pass every quarantining rule, without any bookkeeping (plain jobs)."""
        flagged = self.flag(df)
        return flagged.filter(~F.col(_REJECTED)).select(*df.columns)

    def evaluate(self, df: DataFrame, label: str = "data_quality", max_inline: int = 100) -> Evaluation:
        """Flags, then one observation on them (the row count, the rejected count, a sum per rule, and at most
        ``max_inline`` rejected records per Spark task with the rules each failed), then the valid records.
        Kept small on purpose: every aggregate of an observation is evaluated per row, outside Spark's
        generated code; the rejected records' JSON is built only for the few that are kept."""
        columns = tuple(df.columns)
        flagged = self.flag(df)
        rejected = F.col(_REJECTED)
        aggregates = [
            F.count(F.lit(1)).alias("rows"),
            F.sum(rejected.cast("long")).alias("rejected"),
            *(F.sum(F.col(f"{_FLAG}{i}").cast("long")).alias(f"{_FLAG}{i}") for i in range(len(self.rules))),
            inline_sample(rejected, record_line(_failed_rules(self.rules), columns), max_inline),
        ]
        observed, stage = observe(number_rejected(flagged, rejected), label, *aggregates)
        valid = observed.filter(~rejected).select(*columns)
        return Evaluation(valid, stage, self.rules, columns, flagged, max_inline)


def _failed_rules(rules: Sequence[Rule]) -> Column:
    """The names of the rules a record fails, from its flags."""
    if not rules:
        return F.array().cast("array<string>")
    return F.array_compact(F.array(*(F.when(F.col(f"{_FLAG}{i}"), F.lit(r.name)) for i, r in enumerate(rules))))
