"""Dead-letter messages archived in S3 before they leave their queue: one verified, KMS-encrypted object each.

Key: `<DLQ_ARCHIVE_PREFIX>/<queue>/<YYYY-MM-DD the message was first sent>/<message_type>/<message id>.json`.
The object is the message as JSON (sorted keys, so the same message always gives the same bytes): its body,
its message attributes, the system attributes that do not change between receives, and for a
`rejected_records_pointer` the pointer's fields: the records themselves are in the audit store already
(`records_uri`), so the archive keeps the pointer, not a copy.

The write: PutObject with `If-None-Match: *` (a key is written once), `x-amz-checksum-sha256` (S3 refuses
bytes that changed on the way) and SSE-KMS with ARCHIVE_KMS_KEY_ID (without it, the bucket's default
encryption must be KMS); then HeadObject reads back the length, the checksum and the encryption. Only a
verified object lets the caller delete the message. A second write of the same message (the function died
between the put and the delete, an alarm delivered twice) finds the key taken: the object there is checked
against these bytes and counts as archived; if it differs (another version of this code wrote it), the
message is written beside it, the checksum in its name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from lambda_src.common.aws import error_code
from lambda_src.common.claims import TAKEN

POINTER = "rejected_records_pointer"
POINTER_FIELDS = (
    "job_name", "job_run_id", "status", "records_uri", "record_count", "inline_count", "rejected_count",
    "failed_rules", "error",
)  # fmt: skip
# System attributes that are the same at every receive (ApproximateReceiveCount is not).
STABLE_ATTRIBUTES = (
    "SentTimestamp", "SenderId", "MessageGroupId", "MessageDeduplicationId", "SequenceNumber",
    "DeadLetterQueueSourceArn", "AWSTraceHeader",
)  # fmt: skip
_TYPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ArchiveError(RuntimeError):
    """The message could not be archived (or the archive not verified): it must stay in the queue."""


@dataclass(frozen=True)
class Archived:
    key: str
    message_type: str
    pointer: dict[str, Any] | None
    already: bool  # the object was there from an earlier run


def sent_at(msg: dict[str, Any]) -> datetime | None:
    ms = (msg.get("Attributes") or {}).get("SentTimestamp")
    return datetime.fromtimestamp(int(ms) / 1000, UTC) if ms else None


def _parsed(body: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def message_type(msg: dict[str, Any]) -> str:
    """`message_type` of the framework's messages (body, else message attribute), else `unknown`."""
    kind = _parsed(msg.get("Body", "")).get("message_type")
    kind = kind or ((msg.get("MessageAttributes") or {}).get("message_type") or {}).get("StringValue")
    return kind if isinstance(kind, str) and _TYPE.match(kind) else "unknown"


def pointer(msg: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a `rejected_records_pointer` message (docs/metrics.md), None for other messages."""
    body = _parsed(msg.get("Body", ""))
    if body.get("message_type") != POINTER:
        return None
    return {k: body.get(k) for k in POINTER_FIELDS}


@dataclass(frozen=True)
class Archive:
    s3: Any
    bucket: str
    prefix: str
    kms_key_id: str
    queue: str

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/{self.queue}/"

    def document(self, msg: dict[str, Any]) -> tuple[str, bytes]:
        """The key and the bytes of a message's archive object (the same for every receive of it)."""
        sent, kind, ptr = sent_at(msg), message_type(msg), pointer(msg)
        attrs = msg.get("Attributes") or {}
        doc: dict[str, Any] = {
            "archive_format": 1,
            "queue": self.queue,
            "message_id": msg["MessageId"],
            "sent_at": sent.isoformat(timespec="milliseconds") if sent else None,
            "message_type": kind,
            "system_attributes": {k: attrs[k] for k in STABLE_ATTRIBUTES if k in attrs},
            "message_attributes": msg.get("MessageAttributes") or {},
            "md5_of_body": msg.get("MD5OfBody"),
            "body": msg.get("Body", ""),
        }
        if ptr is not None:
            doc["pointer"] = ptr
        day = f"{sent:%Y-%m-%d}" if sent else "undated"
        key = f"{self.prefix}/{self.queue}/{day}/{kind}/{msg['MessageId']}.json".lstrip("/")
        return key, json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()

    def put(self, msg: dict[str, Any], reason: str) -> Archived:
        """Write and verify the message's archive object; ArchiveError when it cannot be done."""
        key, data = self.document(msg)
        digest = hashlib.sha256(data)
        checksum = base64.b64encode(digest.digest()).decode()
        for candidate in (key, f"{key.removesuffix('.json')}-{digest.hexdigest()[:12]}.json"):
            already = self._put(candidate, data, checksum, reason)
            problems = self._verify(candidate, checksum, len(data))
            if not problems:
                return Archived(candidate, message_type(msg), pointer(msg), already)
            if not already:
                raise ArchiveError(f"{candidate}: written but not verified ({'; '.join(problems)})")
        raise ArchiveError(f"{key}: taken twice by other content")

    def _put(self, key: str, data: bytes, checksum: str, reason: str) -> bool:
        """True when the key was there already (412), False when this call wrote it."""
        sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id} if self.kms_key_id else {}
        try:
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType="application/json", ChecksumSHA256=checksum,
                IfNoneMatch="*", Metadata={"reason": reason}, **sse,
            )  # fmt: skip
        except ClientError as exc:
            if error_code(exc) in TAKEN:
                return True
            raise ArchiveError(f"{key}: put {error_code(exc)}") from exc
        return False

    def _verify(self, key: str, checksum: str, size: int) -> list[str]:
        """What is wrong with the stored object (empty: it is what was written, encrypted with KMS)."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            return [f"head {error_code(exc)}"]
        problems = []
        if head.get("ContentLength") != size:
            problems.append(f"{head.get('ContentLength')} bytes stored, {size} written")
        if head.get("ChecksumSHA256") != checksum:
            problems.append("SHA-256 differs")
        if not str(head.get("ServerSideEncryption") or "").startswith("aws:kms"):
            problems.append(f"encryption is {head.get('ServerSideEncryption')}, not aws:kms")
        elif self.kms_key_id and not _same_key(str(head.get("SSEKMSKeyId") or ""), self.kms_key_id):
            problems.append(f"encrypted with {head.get('SSEKMSKeyId')}, not {self.kms_key_id}")
        return problems


def _same_key(stored: str, wanted: str) -> bool:
    """S3 reports the key's ARN; the setting may be the ARN or the key id."""
    return stored == wanted or stored.endswith(f"/{wanted}") or wanted.endswith(f"/{stored}")
