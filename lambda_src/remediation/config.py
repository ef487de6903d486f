"""Settings of the remediation Lambda, from its environment (the module sets them; see README.md).

Every default lives once, in defaults.json beside this file, keyed by the environment variable it is the
default of. Terraform reads the same file (`jsondecode(file(...))`) for what it needs to know too (the
prefixes its IAM statements name, the backoff the function's timeout must exceed), so the two cannot drift.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, str] = json.loads(Path(__file__).with_name("defaults.json").read_text())


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _mapping(name: str, value: str | None) -> dict[str, str]:
    parsed = json.loads(value or "{}")
    if not isinstance(parsed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()):
        raise ValueError(f'{name} must be a JSON object of queue names, {{"<dlq>": "<source>"}}; got {value!r}')
    return parsed


def _fields(e: Mapping[str, str]) -> dict[str, Any]:
    """Config's fields from environment variables (missing ones: empty)."""
    return {
        "environment": e.get("ENVIRONMENT", ""),
        "critical_topic_arn": e.get("CRITICAL_TOPIC_ARN", ""),
        "notify_topic_arn": e.get("NOTIFY_TOPIC_ARN", ""),
        "dlq_escalation_topic_arn": e.get("DLQ_ESCALATION_TOPIC_ARN") or e.get("CRITICAL_TOPIC_ARN", ""),
        "state_bucket": e.get("STATE_BUCKET", ""),
        "state_prefix": e.get("STATE_PREFIX", ""),
        "alarm_name_prefix": e.get("ALARM_NAME_PREFIX", ""),
        "max_retry_attempts": int(e.get("MAX_RETRY_ATTEMPTS") or 0),
        "backoff_base_seconds": float(e.get("RETRY_BACKOFF_SECONDS") or 0),
        "backoff_max_seconds": float(e.get("RETRY_BACKOFF_MAX_SECONDS") or 0),
        "retryable_states": tuple(s.upper() for s in _list(e.get("RETRYABLE_STATES"))),
        "opt_out_jobs": frozenset(_list(e.get("OPT_OUT_JOBS"))),
        "opt_out_tag": e.get("OPT_OUT_TAG", ""),
        "failure_lookback_minutes": int(e.get("FAILURE_LOOKBACK_MINUTES") or 0),
        "runbook_url": e.get("RUNBOOK_URL", ""),
        "dlq_queues": tuple(_list(e.get("DLQ_QUEUES"))),
        "dlq_redrive_targets": _mapping("DLQ_REDRIVE_TARGETS", e.get("DLQ_REDRIVE_TARGETS")),
        "dlq_max_messages": int(e.get("DLQ_MAX_MESSAGES") or 0),
        "dlq_max_redrives": int(e.get("DLQ_MAX_REDRIVES") or 0),
        "archive_bucket": e.get("ARCHIVE_BUCKET") or e.get("STATE_BUCKET", ""),
        "archive_prefix": e.get("DLQ_ARCHIVE_PREFIX", "").strip("/"),
        "archive_kms_key_id": e.get("ARCHIVE_KMS_KEY_ID", ""),
        "dlq_archive_age_seconds": int(e.get("DLQ_ARCHIVE_AGE_SECONDS") or 0),
        "dlq_visibility_seconds": int(e.get("DLQ_VISIBILITY_SECONDS") or 0),
        # the audit trail (Glue Data Quality results land in its data_quality_events): the audit bucket, which
        # is also STATE_BUCKET in the environments, and the audit_trail module's events_prefix
        "audit_bucket": e.get("AUDIT_BUCKET") or e.get("STATE_BUCKET", ""),
        "audit_prefix": e.get("AUDIT_PREFIX", "").strip("/"),
    }


_D = _fields(DEFAULTS)


@dataclass(frozen=True)
class Config:
    environment: str = _D["environment"]
    critical_topic_arn: str = ""
    notify_topic_arn: str = ""
    dlq_escalation_topic_arn: str = ""
    state_bucket: str = ""
    state_prefix: str = _D["state_prefix"]
    alarm_name_prefix: str = ""
    max_retry_attempts: int = _D["max_retry_attempts"]
    backoff_base_seconds: float = _D["backoff_base_seconds"]
    backoff_max_seconds: float = _D["backoff_max_seconds"]
    retryable_states: tuple[str, ...] = _D["retryable_states"]
    opt_out_jobs: frozenset[str] = frozenset()
    opt_out_tag: str = _D["opt_out_tag"]
    failure_lookback_minutes: int = _D["failure_lookback_minutes"]
    runbook_url: str = ""
    dlq_queues: tuple[str, ...] = ()
    dlq_redrive_targets: dict[str, str] = field(default_factory=dict)
    dlq_max_messages: int = _D["dlq_max_messages"]
    dlq_max_redrives: int = _D["dlq_max_redrives"]
    archive_bucket: str = ""
    archive_prefix: str = _D["archive_prefix"]
    archive_kms_key_id: str = ""
    dlq_archive_age_seconds: int = _D["dlq_archive_age_seconds"]
    dlq_visibility_seconds: int = _D["dlq_visibility_seconds"]
    audit_bucket: str = ""
    audit_prefix: str = _D["audit_prefix"]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """The settings: an environment variable when it is set (even empty), else its default."""
        return cls(**_fields({**DEFAULTS, **(os.environ if env is None else env)}))

    def backoff_seconds(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based): base x 2^(attempt-1), capped."""
        return min(self.backoff_base_seconds * 2 ** max(attempt - 1, 0), self.backoff_max_seconds)

    @property
    def managed_queues(self) -> tuple[str, ...]:
        """The dead-letter queues this function works off: DLQ_QUEUES and those with a declared consumer."""
        return tuple(dict.fromkeys([*self.dlq_queues, *self.dlq_redrive_targets]))
