"""Helpers for the Lambda handler tests: fixture events, a fake Lambda context, EMF and log parsing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "events"
ACCOUNT = "000000000000"  # moto serves Glue from this account whatever the key


def load_event(name: str, **subs: str) -> dict[str, Any]:
    """A fixture event from tests/lambdas/events with its __PLACEHOLDERS__ filled in."""
    text = (EVENTS / name).read_text()
    for key, value in subs.items():
        text = text.replace(f"__{key.upper()}__", value)
    return json.loads(text)


@dataclass
class FakeContext:
    function_name: str = "test-remediation"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_ms: int = 300_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def emf_metrics(stdout: str) -> Counter:
    """Sum of every Powertools EMF metric printed on stdout, by metric name."""
    totals: Counter = Counter()
    for line in stdout.splitlines():
        try:
            blob = json.loads(line)
        except ValueError:
            continue
        if not isinstance(blob, dict) or "_aws" not in blob:
            continue
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals


def logged(caplog, message: str | None = None) -> list[dict[str, Any]]:
    """The Powertools log records (with their `extra` keys) captured by pytest's caplog."""
    return [
        dict(r.__dict__) for r in caplog.records if r.name != "root" and (message is None or r.getMessage() == message)
    ]
