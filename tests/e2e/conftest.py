"""Helpers for the end-to-end tests: SQS inboxes subscribed to a severity topic, removed afterwards (the
environment's destroy check counts everything left in its account)."""

from __future__ import annotations

import pytest


@pytest.fixture
def inbox():
    made: list[tuple[object, str, str]] = []

    def subscribe(env, severity: str) -> str:
        sqs, sns = env.client("sqs"), env.client("sns")
        url = sqs.create_queue(QueueName=f"e2e-{severity}-inbox-{len(made)}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=env.outputs["topic_arns"][severity], Protocol="sqs", Endpoint=arn,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        made.append((env, url, sub))
        return url

    yield subscribe
    for env, url, sub in made:
        env.client("sns").unsubscribe(SubscriptionArn=sub)
        env.client("sqs").delete_queue(QueueUrl=url)

