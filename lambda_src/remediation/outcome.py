"""What one action did, for the log, the metrics and the handler's answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Outcome:
    action: str  # retry | freshness | dlq | data_quality | ignored | invalid
    result: str  # retried, duplicate, cap_reached, opted_out, escalated, redriven, recorded, ...
    job_name: str | None = None
    run_id: str | None = None
    original_run_id: str | None = None
    new_run_id: str | None = None
    attempt: int | None = None
    alarm_name: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}


class BadEvent(ValueError):
    """An event (or one record of it) the Lambda cannot act on: logged and counted, never retried."""
