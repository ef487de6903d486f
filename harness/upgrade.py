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
    left_after_destroy: list[str] = field(default_factory=list)

    def with_action(self, action: str) -> list[str]:
        return sorted(a for a, acts in self.actions.items() if action in acts)


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
        new.apply(tf_vars=tf_vars)
        record.changes_after = [f"{c.address} {c.actions}" for c in new.changes(tf_vars=tf_vars)]
    finally:
        new.destroy(tf_vars=tf_vars, refresh=False)
    # what the upgrade forgot on purpose (the release's own keys and Glue's shared log groups) stays behind
    record.left_after_destroy = leftovers(emu, account, ("glue-etl-",))
    return record
