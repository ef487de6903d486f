"""`make demo`: the dev environment on the embedded AWS emulator, and an alert travelling through it.

1. start (or reuse) LocalStack + moto;
2. create an SQS inbox and apply environments/dev with it subscribed to the critical topic;
3. print what was created;
4. push failed records into the dead-letter queue until its critical depth alarm fires, and show the
   notification arriving in the inbox.

The emulator stays up afterwards so you can look around (`source .emulator/env.sh; aws sns list-topics`);
`make emulator-down` stops it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness import emulator as emulator_mod
from harness.paths import EMULATOR_DIR
from harness.terraform import Root, copy_tree

ACCOUNT = emulator_mod.DEFAULT_ACCOUNT
INBOX = "demo-critical-inbox"


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say(f"\n== {text} " + "=" * max(0, 70 - len(text)))


@dataclass
class Demo:
    emu: emulator_mod.Emulator
    root: Root | None = None
    outputs: dict = field(default_factory=dict)
    inbox_url: str = ""

    def client(self, service: str):
        return self.emu.client(service, account=ACCOUNT)


def step_emulator(demo: Demo) -> None:
    heading("1. AWS emulator")
    say(f"LocalStack {demo.emu.localstack_url}; moto {demo.emu.moto_url} for {', '.join(sorted(demo.emu.routes))}")


def step_apply(demo: Demo) -> None:
    heading("2. terraform apply environments/dev")
    sqs = demo.client("sqs")
    demo.inbox_url = sqs.create_queue(QueueName=INBOX)["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=demo.inbox_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    work = EMULATOR_DIR / "work"
    copy_tree(work)
    demo.root = Root(work / "environments" / "dev")
    demo.root.target_emulator(demo.emu, account=ACCOUNT,
                              state_path=EMULATOR_DIR / "run" / "state" / "dev.tfstate")
    tf_vars = {
        "alarm_period_seconds": 10,
        "alert_subscriptions": {"demo_inbox": {"severity": "critical", "protocol": "sqs", "endpoint": inbox_arn}},
    }
    started = time.monotonic()
    demo.root.apply(tf_vars=tf_vars)
    demo.outputs = demo.root.outputs()
    say(f"applied in {time.monotonic() - started:.0f} s")


def step_inventory(demo: Demo) -> None:
    heading("3. What monitors the pipeline now")
    out = demo.outputs
    say("SNS topics (KMS-encrypted):")
    for severity, arn in out["topic_arns"].items():
        subs = demo.client("sns").list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        say(f"  {severity:<9} {arn}  ({len(subs)} subscription(s))")
    say("Log groups:")
    for group in demo.client("logs").describe_log_groups(logGroupNamePrefix="/aws-glue")["logGroups"]:
        say(f"  {group['logGroupName']:<34} retention {group.get('retentionInDays', '-')} days")
    dlq = out["dlq"]
    say(f"Dead-letter queue: {dlq['dlq_name']} (source queue {dlq['source_queue_name']})")
    say("Alarms:")
    for alarm in demo.client("cloudwatch").describe_alarms()["MetricAlarms"]:
        say(f"  {alarm['AlarmName']:<48} {alarm['StateValue']}")


def step_dlq_alert(demo: Demo) -> None:
    heading("4. An alert travels: failed records -> DLQ -> alarm -> critical topic -> inbox")
    dlq = demo.outputs["dlq"]
    sqs = demo.client("sqs")
    entries = [{"Id": str(i), "MessageBody": json.dumps({"record_id": i, "reason": "demo: invalid email"})}
               for i in range(10)]
    sqs.send_message_batch(QueueUrl=dlq["dlq_url"], Entries=entries)
    say(f"sent {len(entries)} failed records to {dlq['dlq_name']}; waiting for the depth alarm ...")
    started = time.monotonic()
    while time.monotonic() - started < 120:
        received = sqs.receive_message(QueueUrl=demo.inbox_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for msg in received.get("Messages", []):
            sqs.delete_message(QueueUrl=demo.inbox_url, ReceiptHandle=msg["ReceiptHandle"])
            alarm = json.loads(json.loads(msg["Body"])["Message"])
            if alarm.get("NewStateValue") == "ALARM":
                say(f"after {time.monotonic() - started:.0f} s the inbox got:")
                say(f"  AlarmName:   {alarm['AlarmName']}")
                say(f"  NewState:    {alarm['NewStateValue']}  ({alarm.get('NewStateReason', '')[:90]})")
                say(f"  Description: {alarm.get('AlarmDescription', '')[:120]}")
                return
    raise RuntimeError("no ALARM notification reached the inbox within 120 s")


STEPS: list[Callable[[Demo], None]] = [step_emulator, step_apply, step_inventory, step_dlq_alert]


def main() -> int:
    emu = emulator_mod.ensure_running(progress=say)
    demo = Demo(emu)
    for step in STEPS:
        step(demo)
    heading("done")
    say("The emulator is still up: `source .emulator/env.sh` and use the aws cli or boto3;")
    say("`make emulator-down` stops it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
