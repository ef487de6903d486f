"""The upgrade a user makes: an environment applied with the previous release, then planned and applied with
this checkout's code on the same state (docs/upgrades/). The record says what the plan would do to each
resource (nothing may be destroyed: `moved` blocks carry the renamed addresses, `removed` blocks forget what
the new version no longer manages), whether the new code applies on top, and whether its next plan is empty.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from harness import settings
from harness.leftovers import leftovers
from harness.root import Plan, Root, copy_tree

PREVIOUS_RELEASE = "v0.1.0"
# The release's commit, for a clone without its tags (git clone of a branch fetches the tags that point
# into it, a shallow or single-branch clone may not).
RELEASE_COMMITS = {"v0.1.0": "e33afdd23af3ede7f8a9b8d9cb38ec09a17c5687"}


@dataclass
class UpgradeRecord:
    release: str
    actions: dict[str, list[str]] = field(default_factory=dict)  # address -> the upgrade plan's actions
    moved: dict[str, str] = field(default_factory=dict)  # new address -> the release's address
    changes_after: list[str] = field(default_factory=list)  # what a plan after the upgrade's apply proposes
    # log groups whose key the upgrade changes in place (AWS: AssociateKmsKey; the emulator lacks it)
    rekeyed_log_groups: list[str] = field(default_factory=list)
    rekeyed_functions: list[str] = field(default_factory=list)  # Lambda functions whose key changes in place
    left_after_destroy: list[str] = field(default_factory=list)

    def with_action(self, action: str) -> list[str]:
        return sorted(a for a, acts in self.actions.items() if action in acts)


def _changed_attributes(rc: dict) -> set[str]:
    """What the plan changes by itself (attributes it only recomputes, `after_unknown`, follow from those)."""
    change = rc["change"]
    before, after, unknown = change.get("before") or {}, change.get("after") or {}, change.get("after_unknown") or {}
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k) and not unknown.get(k)}


def _rekeyed(rc: dict, attribute: str) -> bool:
    return rc["change"]["actions"] == ["update"] and attribute in _changed_attributes(rc)


def release_tree(ref: str, dest: Path) -> Path:
    """The release's files (git archive of the tag, or of its commit) plus this checkout's builds."""
    commit = ref
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=settings.ROOT,
                      capture_output=True).returncode:
        commit = RELEASE_COMMITS[ref]
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "modules", "environments"],
                             cwd=settings.ROOT, capture_output=True, check=True).stdout
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    # the Lambda zips the release's environments deploy (same file names; their content does not matter here)
    shutil.copytree(settings.ROOT / "build", dest / "build", dirs_exist_ok=True)
    return dest


def upgrade(emu, run_dir: Path, account: str, env: str = "dev", ref: str = PREVIOUS_RELEASE,
            tf_vars: dict | None = None) -> UpgradeRecord:
    record = UpgradeRecord(ref)
    state = run_dir / "upgrade.tfstate"
    old = Root(release_tree(ref, run_dir / "upgrade-release") / "environments" / env)
    old.target_emulator(emu, account=account, state_path=state, tf_vars=tf_vars)
    old.apply(tf_vars=tf_vars)

    new = Root(copy_tree(run_dir / "upgrade-new") / "environments" / env)
    new.target_emulator(emu, account=account, state_path=state, tf_vars=tf_vars)
    try:
        plan: Plan = new.plan(tf_vars=tf_vars)
        for address, rc in plan.resource_changes.items():
            record.actions[address] = rc["change"]["actions"]
            if rc.get("previous_address"):
                record.moved[address] = rc["previous_address"]
            if rc["type"] == "aws_cloudwatch_log_group" and _rekeyed(rc, "kms_key_id"):
                record.rekeyed_log_groups.append(rc["change"]["before"]["name"])
            if rc["type"] == "aws_lambda_function" and _rekeyed(rc, "kms_key_arn"):
                record.rekeyed_functions.append(address)
        # Emulator gap, here only: on AWS the plan's in-place update of these groups calls AssociateKmsKey and
        # keeps their events; LocalStack and moto do not implement that call (HTTP 501). The plan above is the
        # real behaviour (an update, checked by tests/test_upgrade.py); to apply the rest, the emulator's copies
        # are removed so that the apply creates them again with the environment's key.
        logs = emu.client("logs", account=account)
        for name in record.rekeyed_log_groups:
            logs.delete_log_group(logGroupName=name)
        new.apply(tf_vars=tf_vars)
        after = new.plan(tf_vars=tf_vars)
        for address, rc in after.resource_changes.items():
            if rc["change"]["actions"] in (["no-op"], ["read"]):
                continue
            # Emulator gap: moto's UpdateFunctionConfiguration ignores KMSKeyArn, so a function whose key the
            # upgrade changed still shows the old one. Only that attribute is excused, and only for them.
            if address in record.rekeyed_functions and _changed_attributes(rc) == {"kms_key_arn"}:
                continue
            record.changes_after.append(f"{address} {rc['change']['actions']}")
    finally:
        new.destroy(tf_vars=tf_vars, refresh=False)
    # what the upgrade forgot on purpose (the release's own keys and Glue's shared log groups) stays behind
    # (moto serves every account from one namespace: only the upgraded environment's names count)
    record.left_after_destroy = leftovers(emu, account, (f"glue-etl-{env}-", f"audit_trail_{env}"))
    return record
