"""Apply tier for the environments: each applied once per session on the emulator (with 10 s alarm
periods), checked with boto3, re-planned (must be empty), and destroyed at the session's end with the
nothing-left check."""

from __future__ import annotations

import pytest

from harness.paths import ROOT

pytestmark = pytest.mark.apply
ENVS = sorted(p.name for p in (ROOT / "environments").iterdir() if (p / "main.tf").is_file())


@pytest.mark.parametrize("env_name", ENVS)
def test_environment_applies_and_second_plan_is_empty(env_name, environment):
    env = environment(env_name)
    from tests_support.env_checks import check_environment  # noqa: PLC0415

    check_environment(env_name, env)
    changes = env.root.changes(tf_vars={"alarm_period_seconds": 10})
    assert not changes, "not idempotent: " + ", ".join(f"{c.address} {c.actions}" for c in changes)
