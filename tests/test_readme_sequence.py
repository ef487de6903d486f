"""The README's emulator sequence, as a new user runs it (harness/sequence.py):

    make emulator-up; make apply ENV=dev; make apply ENV=staging; make destroy ENV=staging;
    make plan ENV=dev; make destroy ENV=dev; make emulator-down

on an emulator of its own, with dev and staging in one account as on a shared non-production account.
The environment tests of dev and staging run on the two environments this sequence applied.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.apply


def test_one_emulator_answers_every_command(readme_sequence):
    seen = {s.command: s.emulator for s in readme_sequence.steps if s.command != "make emulator-down"}
    first = seen["make emulator-up"]
    assert first is not None, "make emulator-up saved no emulator"
    changed = {command: emu for command, emu in seen.items() if emu != first}
    assert not changed, f"another emulator answered after `make emulator-up` ({first}): {changed}"
    for step in readme_sequence.steps:
        assert "starting LocalStack" not in step.output or step.command == "make emulator-up", step.command


def test_dev_state_survives_staging_apply_and_destroy(readme_sequence):
    dev = {s.command: s.dev_resources for s in readme_sequence.steps}
    applied = dev["make apply ENV=dev"]
    assert applied and applied > 50, f"dev's state holds {applied} resources after its apply"
    assert dev["make apply ENV=staging"] == applied and dev["make destroy ENV=staging"] == applied
    plan = readme_sequence.step("make plan ENV=dev")
    assert plan.returncode == 0 and "No changes." in plan.output, plan.output[-3000:]


def test_destroy_of_dev_destroys_dev(readme_sequence):
    step = readme_sequence.step("make destroy ENV=dev")
    assert step.returncode == 0 and step.dev_resources == 0, step.output[-3000:]


def test_emulator_down_leaves_no_emulator_process(readme_sequence):
    down = readme_sequence.step("make emulator-down")
    assert down.returncode == 0, down.output
    started = readme_sequence.step("make emulator-up").emulator[2]
    alive = [pid for pid in started if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    assert not alive, f"make emulator-down left the processes {alive} of make emulator-up"
    # the machine as a whole (another test run or session on the same machine would disturb this count)
    assert readme_sequence.processes_after == readme_sequence.processes_before, (
        f"emulator processes on the machine: {readme_sequence.processes_before} before the sequence, "
        f"{readme_sequence.processes_after} after make emulator-down\n{down.output}")


def test_each_destroy_leaves_nothing_of_its_environment(readme_sequence):
    step = readme_sequence.step("make destroy ENV=staging")
    assert step.left == [], f"make destroy ENV=staging left {step.left}\n{step.output[-3000:]}"
    everything = readme_sequence.step("make destroy ENV=dev").left
    assert everything == [], f"after both destroys the account still holds {everything}"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
