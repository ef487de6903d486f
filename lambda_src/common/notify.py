"""Messages to the SNS topics (subjects are limited to 100 ASCII characters)."""

from __future__ import annotations

from typing import Any

from lambda_src.common import aws


def subject(text: str) -> str:
    clean = "".join(c if 32 <= ord(c) < 127 else "?" for c in text)
    return clean if len(clean) <= 100 else clean[:97] + "..."


def publish(topic_arn: str, title: str, lines: list[str], attributes: dict[str, str] | None = None) -> str | None:
    """Publish a readable message (empty lines left out); None when no topic is configured."""
    if not topic_arn:
        return None
    message = "\n".join(line for line in lines if line)
    kwargs: dict[str, Any] = {"TopicArn": topic_arn, "Subject": subject(title), "Message": message}
    if attributes:
        kwargs["MessageAttributes"] = {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}
    return aws.client("sns").publish(**kwargs)["MessageId"]
