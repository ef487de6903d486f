"""Session fixtures of the alarm_eval tests: the plan the replay runs on (prod with an hourly job added)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from alarm_eval.plan import from_document
from alarm_eval.replay import EXTRA_JOBS_HCL
from alarm_eval.topology import build

REPLAY_ACCOUNT = "100000000031"  # the account of the environment plans (tests/conftest.py SHARED_PLAN_ACCOUNT)


@pytest.fixture(scope="session")
def replay_topology(emulator):
    """environments/prod planned from the current code as on AWS, with `orders_hourly` (every hour) added to its
    jobs by an override file in a temporary copy of the tree (cached by content like every plan)."""
    from harness import gaps
    from harness.root import Root, copy_tree

    tree = copy_tree(Path(tempfile.mkdtemp(prefix="alarm-replay-")))
    root_dir = tree / "environments" / "prod"
    (root_dir / "alarm_replay_override.tf").write_text(EXTRA_JOBS_HCL)
    root = Root(root_dir)
    root.target_emulator(emulator, account=REPLAY_ACCOUNT, as_on_aws=True)
    plan = root.plan(tf_vars=gaps.plan_values(root.path) or None, cache=True)
    return build(from_document(plan.doc))
