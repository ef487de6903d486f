"""What neither emulator can create: the root variables that switch those resources off on the emulator.

A root that declares one of these variables gets it set to the value below when it runs on the emulator
(the generated emulator tfvars); plans, which create nothing, switch every gap back on so that the plan
tests still cover those resources. Module READMEs list their gaps under "Emulator gaps".
"""

from __future__ import annotations

from pathlib import Path

from harness import hcl

EMULATOR_GAPS: dict[str, tuple[bool, str]] = {
    "aws_only_features": (
        False,
        "the composition's and the environments' switch for every gap below at once",
    ),
    "create_query_definitions": (
        False,
        "CloudWatch Logs PutQueryDefinition: LocalStack community answers 501, moto 500",
    ),
    "create_budgets": (
        False,
        "AWS Budgets (modules/cost_alerts): LocalStack community 501; moto creates the budget but answers 500 "
        "on DescribeSubscribersForNotification, which the provider reads after every create",
    ),
    "create_anomaly_detection": (
        False,
        "Cost Explorer anomaly monitor/subscription (modules/cost_alerts): LocalStack community 501, moto 500 "
        "on CreateAnomalyMonitor",
    ),
    "create_xray_sampling_rules": (
        False,
        "X-Ray sampling rules (modules/tracing): LocalStack community 501, moto 404 on CreateSamplingRule",
    ),
    "create_xray_groups": (
        False,
        "X-Ray groups (modules/tracing): LocalStack community 501, moto 404 on CreateGroup",
    ),
    "create_xray_encryption_config": (
        False,
        "X-Ray encryption config (modules/tracing): LocalStack community 501, moto 404 on PutEncryptionConfig",
    ),
    "create_athena_named_queries": (
        False,
        "Athena named queries (modules/audit_trail): LocalStack community 501; moto creates them but answers "
        "500 on DeleteNamedQuery, so destroy fails",
    ),
}


def gaps_of(root: Path) -> list[str]:
    """The emulator-gap variables a root (or an example) declares."""
    return sorted(set(hcl.read(root).variables) & EMULATOR_GAPS.keys())


def emulator_values(root: Path) -> dict[str, bool]:
    """The gap variables of a root, switched off: what the emulator runs with."""
    return {gap: EMULATOR_GAPS[gap][0] for gap in gaps_of(root)}


def plan_values(root: Path) -> dict[str, bool]:
    """The gap variables of a root, switched on: plans create nothing, so they cover the gaps too."""
    return {gap: True for gap in gaps_of(root)}

