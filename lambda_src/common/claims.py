"""At-most-once actions across duplicate deliveries: an S3 object created with `If-None-Match: *`.

SNS and EventBridge deliver at least once, and the same Glue failure reaches the remediation Lambda on
two paths (the EventBridge rule and the failure alarm through SNS), often within the same second. A
read-then-write check (list the runs, then start one) lets two concurrent invocations both see "no retry
yet". S3's conditional create is atomic: exactly one PutObject with `If-None-Match: *` on a key
succeeds, the others get 412 PreconditionFailed. The key is derived from the failure itself, so every
delivery of that failure computes the same key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from lambda_src.common.aws import error_code

# 412 on AWS; 409 ConditionalRequestConflict when two conditional writes race on the same key.
TAKEN = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})


class Claims:
    def __init__(self, s3: Any, bucket: str, prefix: str):
        if not bucket:
            raise ValueError("a state bucket is needed for idempotent remediation (STATE_BUCKET)")
        self.s3, self.bucket, self.prefix = s3, bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""

    def key(self, *parts: str) -> str:
        return self.prefix + "/".join(p.replace("/", "_") for p in parts) + ".json"

    def claim(self, key: str, record: dict[str, Any]) -> bool:
        """True when this caller created `key` (it owns the action); False when someone else did."""
        body = json.dumps({**record, "claimed_at": datetime.now(UTC).isoformat()}, default=str)
        try:
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=body.encode(), IfNoneMatch="*", ContentType="application/json"
            )
        except ClientError as exc:
            if error_code(exc) in TAKEN:
                return False
            raise
        return True

    def update(self, key: str, record: dict[str, Any]) -> None:
        """Record the outcome on a claim this caller owns."""
        body = json.dumps({**record, "updated_at": datetime.now(UTC).isoformat()}, default=str)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode(), ContentType="application/json")

    def release(self, key: str) -> None:
        """Give a claim back (the action failed before it happened), so a redelivery can try again."""
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def read(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if error_code(exc) in {"NoSuchKey", "404"}:
                return None
            raise
