"""The environments can share an account (dev and staging do: the non-production account) and prod's
account may already run Glue. Planned as if all three were in one account, they claim no common
account-scoped name, over every named resource of their plans; and what exists once per account (the
X-Ray encryption setting, the Cost Anomaly Detection monitor, the AWS/Billing alarms) is created by one
environment of the shared account only.

The emulator cannot show this: it applies each environment in an account of its own, and a second
CreateLogGroup of an existing name fails only on AWS."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

pytestmark = pytest.mark.plan

# Resource type -> the attribute that names it within an account and region (S3 buckets: globally).
NAMED = {
    "aws_athena_workgroup": "name",
    "aws_budgets_budget": "name",
    "aws_ce_anomaly_subscription": "name",
    "aws_cloudwatch_composite_alarm": "alarm_name",
    "aws_cloudwatch_dashboard": "dashboard_name",
    "aws_cloudwatch_event_rule": "name",
    "aws_cloudwatch_log_group": "name",
    "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_cloudwatch_query_definition": "name",
    "aws_glue_catalog_database": "name",
    "aws_glue_job": "name",
    "aws_iam_policy": "name",
    "aws_iam_role": "name",
    "aws_kms_alias": "name",
    "aws_lambda_function": "function_name",
    "aws_s3_bucket": "bucket",
    "aws_sns_topic": "name",
    "aws_sqs_queue": "name",
    "aws_xray_group": "group_name",
    "aws_xray_sampling_rule": "rule_name",
}
# One per account (and region), whatever its name.
SINGLETONS = {"aws_xray_encryption_config", "aws_ce_anomaly_monitor"}
# Named within their parent (a role, a log group, a bucket, a database, a rule, a function) or not named.
SCOPED = {
    "aws_athena_named_query", "aws_cloudwatch_event_target", "aws_cloudwatch_log_metric_filter",
    "aws_glue_catalog_table", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_kms_key",
    "aws_lambda_function_event_invoke_config", "aws_lambda_permission", "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_s3_object",
    "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_sqs_queue_policy",
    "aws_sqs_queue_redrive_allow_policy", "aws_sqs_queue_redrive_policy",
}
SHARED_ACCOUNT = ("dev", "staging")  # the non-production account


def created(plan) -> list[tuple[str, dict]]:
    return [(rc["type"], rc["change"]["after"] or {}) for rc in plan.resource_changes.values()
            if rc["mode"] == "managed" and "create" in rc["change"]["actions"]]


def test_every_planned_resource_type_is_classified(environment_plans):
    """A new resource type must be placed in NAMED, SINGLETONS or SCOPED: it cannot slip past the check."""
    seen = {rtype for plan in environment_plans.values() for rtype, _ in created(plan)}
    unknown = seen - NAMED.keys() - SINGLETONS - SCOPED
    assert not unknown, f"classify these resource types in tests/test_environment_names.py: {sorted(unknown)}"


def test_environments_claim_no_common_name(environment_plans):
    owners = defaultdict(set)
    for env, plan in environment_plans.items():
        for rtype, after in created(plan):
            if rtype in NAMED and after.get(NAMED[rtype]):
                owners[(rtype, after[NAMED[rtype]])].add(env)
    shared = {f"{rtype} {name}": sorted(envs) for (rtype, name), envs in owners.items() if len(envs) > 1}
    assert not shared, f"names claimed by more than one environment: {shared}"
    glue_defaults = [name for (rtype, name) in owners if rtype == "aws_cloudwatch_log_group"
                     and re.fullmatch(r"/aws-glue/jobs/(output|error|logs-v2)", name)]
    assert not glue_defaults, f"Glue's account-wide log groups are no environment's: {glue_defaults}"


def test_the_shared_account_gets_its_singletons_from_one_environment(environment_plans):
    per_env = {env: [rtype for rtype, after in created(environment_plans[env])
                     if rtype in SINGLETONS or (rtype == "aws_cloudwatch_metric_alarm"
                                                 and after.get("namespace") == "AWS/Billing")]
               for env in SHARED_ACCOUNT}
    owners = [env for env, found in per_env.items() if found]
    assert owners == ["dev"], f"the non-production account's singletons, by environment: {per_env}"
    assert {"aws_xray_encryption_config", "aws_ce_anomaly_monitor"} <= set(per_env["dev"])


def test_in_the_shared_account_staging_budgets_count_its_own_spend(environment_plans):
    """dev's budgets guard the account; staging's count only what is tagged Environment=staging (a cost
    allocation tag to activate in the billing console: modules/cost_alerts README)."""
    budgets = {env: [after for rtype, after in created(environment_plans[env]) if rtype == "aws_budgets_budget"]
               for env in SHARED_ACCOUNT}
    assert budgets["dev"] and budgets["staging"]
    tag_filters = {env: [{f["name"]: f["values"] for f in b["cost_filter"]}.get("TagKeyValue") for b in found]
                   for env, found in budgets.items()}
    assert tag_filters["dev"] == [None] * len(budgets["dev"])
    assert tag_filters["staging"] == [["user:Environment$staging"]] * len(budgets["staging"])


def test_every_environment_budgets_its_api_gateway_spend(environment_plans):
    """The notes' cost alerts include API Gateway request charges: each environment budgets them (the jobs'
    external APIs), actual and forecast."""
    for env, plan in environment_plans.items():
        budgets = {after["name"]: after for rtype, after in created(plan) if rtype == "aws_budgets_budget"}
        api = budgets.get(f"glue-etl-{env}-api-gateway")
        assert api, f"{env} plans no API Gateway budget: {sorted(budgets)}"
        services = {f["name"]: f["values"] for f in api["cost_filter"]}.get("Service")
        assert services == ["Amazon API Gateway"], services
        assert {n["notification_type"] for n in api["notification"]} == {"ACTUAL", "FORECASTED"}
