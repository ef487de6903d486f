"""Structured JSON logs: one object per line on stdout, the run's context bound once with contextvars.

The fast path the structlog docs recommend: a filtering bound logger (disabled levels cost one method
call), contextvars merged in, a timestamp, JSON out, loggers cached on first use. The level is upper-case
and the contract's fields come first, in the order docs/metrics.md lists them.

Log only on the driver: a logger is never captured in a Spark closure (it would be pickled to the
executors, and their stdout is not the job log).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars
from structlog.typing import EventDict, WrappedLogger

from glue_jobs.contract import LOG_LINE_FIELDS


def iso_utc(moment: datetime | None = None) -> str:
    """``2026-11-26T12:00:00.123Z``: ISO 8601, UTC, milliseconds, ``Z`` (logs and audit events alike)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _timestamp(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    event_dict["timestamp"] = iso_utc()
    return event_dict


def _level(_logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    event_dict["level"] = "WARNING" if method_name == "warn" else method_name.upper()
    return event_dict


_FIRST = LOG_LINE_FIELDS


def _contract_order(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    ordered: dict[str, Any] = {k: event_dict.pop(k) for k in _FIRST if k in event_dict}
    ordered.update(event_dict)
    return ordered


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def configure_logging(stream: IO[str] | None = None, level: str = "INFO") -> None:
    """Configure structlog for a run. ``stream`` defaults to the current ``sys.stdout``."""
    structlog.configure(
        processors=[
            merge_contextvars,
            _level,
            _timestamp,
            _contract_order,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=json.dumps, default=_json_default),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.WriteLoggerFactory(file=stream or sys.stdout),
        cache_logger_on_first_use=True,
    )


def get_logger() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger()


def bind_run_context(**context: Any) -> None:
    """Bind the run's context (job_name, job_run_id, environment, trace_id, correlation_id) once."""
    clear_contextvars()
    bind_contextvars(**context)


def clear_run_context() -> None:
    clear_contextvars()
