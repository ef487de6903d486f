"""Settings of the remediation Lambda, from its environment (the module sets them; see README.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@dataclass(frozen=True)
class Config:
    environment: str = "dev"
    critical_topic_arn: str = ""
    notify_topic_arn: str = ""
    state_bucket: str = ""
    state_prefix: str = "remediation/claims"
    alarm_name_prefix: str = ""
    max_retry_attempts: int = 2
    backoff_base_seconds: float = 60.0
    backoff_max_seconds: float = 240.0
    retryable_states: tuple[str, ...] = ("FAILED", "TIMEOUT", "ERROR")
    opt_out_jobs: frozenset[str] = frozenset()
    opt_out_tag: str = "remediation:auto-retry"
    failure_lookback_minutes: int = 60
    runbook_url: str = ""
    dlq_max_messages: int = 1000
    dlq_max_redrives: int = 3
    dlq_source_queues: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        e = os.environ if env is None else env
        return cls(
            environment=e.get("ENVIRONMENT", "dev"),
            critical_topic_arn=e.get("CRITICAL_TOPIC_ARN", ""),
            notify_topic_arn=e.get("NOTIFY_TOPIC_ARN", ""),
            state_bucket=e.get("STATE_BUCKET", ""),
            state_prefix=e.get("STATE_PREFIX", "remediation/claims"),
            alarm_name_prefix=e.get("ALARM_NAME_PREFIX", ""),
            max_retry_attempts=int(e.get("MAX_RETRY_ATTEMPTS", "2")),
            backoff_base_seconds=float(e.get("RETRY_BACKOFF_SECONDS", "60")),
            backoff_max_seconds=float(e.get("RETRY_BACKOFF_MAX_SECONDS", "240")),
            retryable_states=tuple(s.upper() for s in _list(e.get("RETRYABLE_STATES", "FAILED,TIMEOUT,ERROR"))),
            opt_out_jobs=frozenset(_list(e.get("OPT_OUT_JOBS"))),
            opt_out_tag=e.get("OPT_OUT_TAG", "remediation:auto-retry"),
            failure_lookback_minutes=int(e.get("FAILURE_LOOKBACK_MINUTES", "60")),
            runbook_url=e.get("RUNBOOK_URL", ""),
            dlq_max_messages=int(e.get("DLQ_MAX_MESSAGES", "1000")),
            dlq_max_redrives=int(e.get("DLQ_MAX_REDRIVES", "3")),
            dlq_source_queues=json.loads(e.get("DLQ_SOURCE_QUEUES") or "{}"),
        )

    def backoff_seconds(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based): base x 2^(attempt-1), capped."""
        return min(self.backoff_base_seconds * 2 ** max(attempt - 1, 0), self.backoff_max_seconds)
