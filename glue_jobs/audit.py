"""The audit trail: JSON lines in S3, partitioned for Athena and a Glue catalog table.

Layout (docs/metrics.md; the audit-trail module's Glue tables and Athena queries read exactly this)::

    s3://<bucket>/<prefix>/job_events/year=YYYY/month=MM/day=DD/<job_name>__<job_run_id>__<event_type>.json
    s3://<bucket>/<prefix>/data_quality_events/year=YYYY/month=MM/day=DD/<job_name>__<job_run_id>.json
    s3://<bucket>/<prefix>/_schemas/<job_name>.json        last known output schema (schema changes)
    s3://<bucket>/<prefix>/_schemas/<job_name>.input.json  last known input schema (what extract() returned)
    s3://<bucket>/<prefix>/_dlq_unsent/<job_name>/<job_run_id>.jsonl   records SQS refused (rare)
    s3://<bucket>/<prefix>/rejected/job_name=<job>/job_run_id=<run>/part-*.json   rejected records beyond
        the ones sent to the DLQ one by one (JSON lines, written by the executors; see rejected.py)
    s3://<bucket>/<prefix>/_rejected_unstored/<job_name>/<job_run_id>.json   when writing those failed

One object per event, written when it happens (a run that dies still leaves ``job_started``); every
object is JSON lines (one line here) with all the table's fields, null when unknown; ``timestamp`` is ISO
8601 UTC with ``Z`` and the partition is the event's UTC date. Paths that start with ``_`` are skipped by
Athena and Glue crawlers, so the schema store does not pollute the tables. With a local directory instead
of ``s3://`` the same layout is written on disk (local runs).
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from glue_jobs.contract import (
    AUDIT_DATA_QUALITY_TABLE,
    AUDIT_JOB_EVENTS_TABLE,
    DATA_QUALITY_EVENT_FIELDS,
    JOB_EVENT_FIELDS,
    SCHEMA_CHANGE_FIELDS,
    AuditEventType,
    AuditStatus,
    SchemaSide,
)
from glue_jobs.logs import iso_utc


class ObjectStore(ABC):
    """Where the audit trail and the schema store live: an S3 prefix or a local directory."""

    uri: str

    @abstractmethod
    def put(self, key: str, body: bytes, content_type: str = "application/json") -> str:
        """Write ``key`` under the root; returns the object's full URI."""

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The object under ``key``, or None when there is none."""

    def put_file(self, key: str, path: Path, content_type: str = "application/json") -> str:
        """Write the file at ``path`` under ``key``."""
        return self.put(key, path.read_bytes(), content_type)


class S3Store(ObjectStore):
    def __init__(self, client: Any, uri: str) -> None:
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {uri!r}")
        bucket, _, prefix = uri[5:].partition("/")
        self.uri = uri.rstrip("/")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> str:
        full = self._key(key)
        self._client.put_object(Bucket=self.bucket, Key=full, Body=body, ContentType=content_type)
        return f"s3://{self.bucket}/{full}"

    def put_file(self, key: str, path: Path, content_type: str = "application/json") -> str:
        """Streamed from disk (multipart when large), never read into memory whole."""
        full = self._key(key)
        self._client.upload_file(str(path), self.bucket, full, ExtraArgs={"ContentType": content_type})
        return f"s3://{self.bucket}/{full}"

    def get(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:  # noqa: BLE001
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return response["Body"].read()


class LocalStore(ObjectStore):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> str:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        return str(path)

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.exists() else None


def partition_path(table: str, moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{table}/year={moment:%Y}/month={moment:%m}/day={moment:%d}"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", part)


class AuditTrail:
    """Writes the run's ``job_events`` and ``data_quality_events``."""

    def __init__(self, store: ObjectStore, job_name: str, job_run_id: str) -> None:
        self.store = store
        self.job_name = job_name
        self.job_run_id = job_run_id
        self.written: list[str] = []

    def job_event(
        self,
        event_type: AuditEventType,
        status: AuditStatus,
        *,
        records_processed: int | None = None,
        output_paths: list[str] | None = None,
        data_quality_score: float | None = None,
        moment: datetime | None = None,
        extra: dict[str, Any] | None = None,
        name_suffix: str | None = None,
    ) -> dict[str, Any]:
        """One ``job_events`` line: the table's fields, then ``extra`` (fields the table does not declare)."""
        moment = moment or datetime.now(UTC)
        event = {
            "job_name": self.job_name,
            "job_run_id": self.job_run_id,
            "event_type": event_type.value,
            "timestamp": iso_utc(moment),
            "status": status.value,
            "records_processed": records_processed,
            "output_paths": list(output_paths or []),
            "data_quality_score": data_quality_score,
        }
        assert tuple(event) == JOB_EVENT_FIELDS
        name = f"{_safe(self.job_name)}__{_safe(self.job_run_id)}__{event_type.value}"
        if extra:
            event.update(extra)
        if name_suffix:
            name += f"_{_safe(name_suffix)}"
        self._write(f"{partition_path(AUDIT_JOB_EVENTS_TABLE, moment)}/{name}.json", event)
        return event

    def schema_changed_event(
        self, side: SchemaSide, diff: dict[str, list[str]], previous_job_run_id: str | None
    ) -> dict[str, Any]:
        """A ``job_events`` line (event_type ``schema_changed``, status RUNNING: the run goes on) with what
        changed on which side after the table's fields; one object per side,
        ``<job>__<run>__schema_changed_<side>.json``."""
        extra = {
            "schema_side": side.value,
            "columns_added": list(diff["added"]),
            "columns_removed": list(diff["removed"]),
            "columns_type_changed": list(diff["type_changed"]),
            "previous_job_run_id": previous_job_run_id,
        }
        assert tuple(extra) == SCHEMA_CHANGE_FIELDS
        return self.job_event(AuditEventType.SCHEMA_CHANGED, AuditStatus.RUNNING, extra=extra, name_suffix=side.value)

    def data_quality_event(
        self,
        *,
        quality_score: float | None,
        completeness_score: float | None,
        uniqueness_score: float | None,
        validity_score: float | None,
        consistency_score: float | None,
        validation_pass_rate: float | None,
        records_checked: int,
        records_failed: int,
        moment: datetime | None = None,
    ) -> dict[str, Any]:
        moment = moment or datetime.now(UTC)
        event = {
            "job_name": self.job_name,
            "job_run_id": self.job_run_id,
            "timestamp": iso_utc(moment),
            "quality_score": quality_score,
            "completeness_score": completeness_score,
            "uniqueness_score": uniqueness_score,
            "validity_score": validity_score,
            "consistency_score": consistency_score,
            "validation_pass_rate": validation_pass_rate,
            "records_checked": records_checked,
            "records_failed": records_failed,
        }
        assert tuple(event) == DATA_QUALITY_EVENT_FIELDS
        name = f"{_safe(self.job_name)}__{_safe(self.job_run_id)}.json"
        self._write(f"{partition_path(AUDIT_DATA_QUALITY_TABLE, moment)}/{name}", event)
        return event

    def _write(self, key: str, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":"), default=str) + "\n"
        self.written.append(self.store.put(key, line.encode()))


# -- schema store --------------------------------------------------------------------------------------------


def schema_fields(schema_json: dict[str, Any]) -> dict[str, str]:
    """``{column: type}`` from a Spark ``StructType.jsonValue()`` (nullability is ignored: Spark infers it
    differently from run to run, which is not a change of the data's shape)."""
    out: dict[str, str] = {}
    for f in schema_json.get("fields", []):
        t = f["type"]
        out[f["name"]] = t if isinstance(t, str) else json.dumps(t, sort_keys=True)
    return out


def schema_diff(previous: dict[str, str], current: dict[str, str]) -> dict[str, Any]:
    return {
        "added": sorted(set(current) - set(previous)),
        "removed": sorted(set(previous) - set(current)),
        "type_changed": sorted(c for c in set(previous) & set(current) if previous[c] != current[c]),
    }


class SchemaStore:
    """The last known schema of each job, input and output, next to the audit trail (one code path for both
    sides: only the key differs)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @staticmethod
    def key(job_name: str, side: SchemaSide = SchemaSide.OUTPUT) -> str:
        suffix = "" if side is SchemaSide.OUTPUT else f".{side.value}"
        return f"_schemas/{_safe(job_name)}{suffix}.json"

    def load(self, job_name: str, side: SchemaSide = SchemaSide.OUTPUT) -> dict[str, Any] | None:
        raw = self.store.get(self.key(job_name, side))
        return json.loads(raw) if raw else None

    def save(
        self, job_name: str, job_run_id: str, schema_json: dict[str, Any], side: SchemaSide = SchemaSide.OUTPUT
    ) -> str:
        doc = {"job_name": job_name, "job_run_id": job_run_id, "recorded_at": iso_utc(), "schema": schema_json}
        return self.store.put(self.key(job_name, side), json.dumps(doc, indent=1).encode())
