"""The upgrade from the previous release (docs/upgrades/UPGRADE-0.2.md): environments/dev applied with v0.1.0
on the emulator, then planned and applied with this code on the same state (harness/upgrade.py).

What a team upgrading must see: nothing destroyed; renamed addresses moved; what this version no longer
manages (v0.1's per-module keys, Glue's account-wide log groups) forgotten, never deleted, so that nothing
they encrypted or hold is lost; and after the upgrade's apply, an empty plan."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.apply

# What v0.1 managed and 0.2 forgets on purpose (removed blocks with destroy = false), by resource type.
FORGOTTEN_TYPES = {"aws_kms_key", "aws_kms_alias", "aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter"}


def test_the_upgrade_plan_destroys_nothing(upgrade):
    destroyed = upgrade.with_action("delete")
    assert not destroyed, f"the upgrade from {upgrade.release} would destroy: {destroyed}"


def test_what_the_new_version_no_longer_manages_is_forgotten_not_deleted(upgrade):
    forgotten = upgrade.with_action("forget")
    assert forgotten, "v0.1's keys and Glue's shared log groups should be forgotten"
    kinds = {re.sub(r"\[.*$", "", address).rsplit(".", 1)[0].rsplit(".", 1)[-1] for address in forgotten}
    assert kinds <= FORGOTTEN_TYPES, f"forgotten beyond the retired keys and shared log groups: {forgotten}"
    groups = [a for a in forgotten if ".aws_cloudwatch_log_group." in a]
    assert groups and all(".module.log_groups." in a for a in groups), "only Glue's shared groups: " + str(groups)
    # the audit trail's key is not among them: it became the environment's key
    assert not [a for a in forgotten if "module.audit_trail" in a and a.endswith("aws_kms_key.this[0]")]


def test_renamed_addresses_are_moved(upgrade):
    moved = upgrade.moved
    assert moved.get("module.monitoring.module.kms_key[0].aws_kms_key.this[0]") == (
        "module.monitoring.module.audit_trail.aws_kms_key.this[0]"), "the audit key becomes the environment's"
    jobs = {new: old for new, old in moved.items() if old.startswith("module.jobs.")}
    assert jobs and all(new.startswith("module.monitoring.module.job_monitoring.") for new in jobs), (
        "job_monitoring moved into the composition")


def test_after_the_upgrade_the_next_plan_is_empty(upgrade):
    assert not upgrade.changes_after, upgrade.changes_after


def test_only_the_forgotten_resources_outlive_the_upgraded_environment(upgrade):
    left = [item for item in upgrade.left_after_destroy
            if not re.search(r"^kms |/aws-glue/jobs/(output|error|logs-v2)$", item)]
    assert not left, f"the upgraded environment's destroy left: {left}"


def test_the_lambda_log_groups_change_key_in_place(upgrade):
    """v0.1 encrypted each Lambda's log group with the Lambda's own key; 0.2 uses the environment's. On AWS that is
    an in-place AssociateKmsKey that keeps the logs (the emulator lacks the call: harness/upgrade.py)."""
    lambdas = {f"/aws/lambda/glue-etl-dev-{f}" for f in ("remediation", "weekly-report", "health-check")}
    assert lambdas <= set(upgrade.rekeyed_log_groups), upgrade.rekeyed_log_groups
