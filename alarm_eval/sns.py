"""SNS: filter policies and delivery to subscriptions ("Amazon SNS message filtering").

A subscription without a filter policy gets every message of its topic. With one, ``filter_policy_scope`` says what
it reads: ``MessageAttributes`` (the default; CloudWatch alarm notifications and EventBridge targets publish none,
so only a policy of ``{"exists": false}`` conditions matches them) or ``MessageBody`` (the message must be a JSON
object; nested keys walk into it). What each endpoint receives depends on its protocol: the JSON notification
envelope (sqs, https, email-json, lambda under ``Records[0].Sns``), the message alone (raw message delivery, and
the body of an email).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from alarm_eval.errors import InputError
from alarm_eval.model import Subscription
from alarm_eval.patterns import matches
from alarm_eval.timeutil import iso_z


@dataclass
class Notification:
    """One message published to a topic."""

    time: float
    topic_arn: str
    source: str  # "alarm" or "eventbridge"
    origin: str  # the alarm or rule that published it
    message: str
    subject: str | None = None
    state: str | None = None  # NewStateValue, for alarm notifications
    old_state: str | None = None
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    approximate: bool = False
    message_id: str = ""


@dataclass
class Delivery:
    notification: Notification
    subscription: Subscription
    body: str


def _attribute_value(attr: dict[str, str]) -> Any:
    kind = attr.get("DataType") or attr.get("Type") or "String"
    raw = attr.get("StringValue", attr.get("Value"))
    if kind.startswith("Number"):
        return float(raw) if raw is not None else None
    if kind == "String.Array":
        try:
            return json.loads(raw or "[]")
        except json.JSONDecodeError:
            return raw
    return raw


def policy_matches(subscription: Subscription, notification: Notification) -> bool:
    policy = subscription.filter_policy
    if not policy:
        return True
    if subscription.filter_policy_scope == "MessageBody":
        try:
            body = json.loads(notification.message)
        except json.JSONDecodeError:
            return False
        return isinstance(body, dict) and matches(policy, body)
    if subscription.filter_policy_scope != "MessageAttributes":
        raise InputError(f"{subscription.address}: filter_policy_scope must be MessageAttributes or MessageBody")
    document = {name: _attribute_value(attr) for name, attr in notification.attributes.items()}
    return matches(policy, document)


def envelope(notification: Notification) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": notification.message_id,
        "TopicArn": notification.topic_arn,
    }
    if notification.subject:
        out["Subject"] = notification.subject
    out.update(
        Message=notification.message,
        Timestamp=iso_z(notification.time),
        SignatureVersion="1",
        Signature="EXAMPLE",
        SigningCertURL="https://sns.amazonaws.com/SimpleNotificationService-EXAMPLE.pem",
        UnsubscribeURL=f"https://sns.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={notification.topic_arn}:EXAMPLE",
    )
    if notification.attributes:
        out["MessageAttributes"] = {
            name: {"Type": a.get("DataType", "String"), "Value": a.get("StringValue", "")}
            for name, a in notification.attributes.items()
        }
    return out


def body_for(subscription: Subscription, notification: Notification) -> str:
    if subscription.raw_message_delivery and subscription.protocol in ("sqs", "https", "http", "firehose"):
        return notification.message
    if subscription.protocol in ("email", "sms"):
        return notification.message
    if subscription.protocol == "lambda":
        record = {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": f"{notification.topic_arn}:EXAMPLE",
            "Sns": envelope(notification),
        }
        return json.dumps({"Records": [record]})
    return json.dumps(envelope(notification))


def publish(notification: Notification, subscriptions: list[Subscription], sequence: int) -> list[Delivery]:
    """Stamps the notification with a MessageId and delivers it to every subscription whose policy matches."""
    notification.message_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{notification.topic_arn}/{sequence}"))
    return [
        Delivery(notification, s, body_for(s, notification))
        for s in subscriptions
        if s.topic_arn == notification.topic_arn and policy_matches(s, notification)
    ]
