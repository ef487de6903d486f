"""The README's emulator sequence, run as a user would, through the Makefile:

    make emulator-up
    make apply ENV=dev
    make apply ENV=staging
    make destroy ENV=staging
    make plan ENV=dev
    make destroy ENV=dev
    make emulator-down

on one emulator of its own (GLUEMON_EMULATOR_DIR points at a folder of the test run), with dev and
staging in one account, as on a shared non-production AWS account. It records what a user would look at
after each command: which emulator answered (its endpoints and pids), how many resources dev's state holds,
what `make plan ENV=dev` printed, and the emulator processes on the machine before and after.

The environment tests of dev and staging check these same two applied environments: the sequence pauses
after staging's apply until staging's tests have run (`hold("staging")`), and after `make plan ENV=dev`
until dev's have.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from harness import emulator as emulator_mod
from harness.leftovers import leftovers
from harness.lifecycle import Applied
from harness.root import Change, Root
from harness.settings import ROOT

HOLD_TIMEOUT = 1800  # a paused sequence gives up after this long (a test order that never releases it)


@dataclass
class Step:
    command: str
    returncode: int
    output: str
    emulator: tuple | None  # (LocalStack url, moto url, pids) of the saved emulator after the command
    dev_resources: int | None
    left: list[str] | None = None  # after a destroy: what of that environment is still in the emulator


@dataclass
class Record:
    processes_before: int | None = None
    processes_after: int | None = None
    steps: list[Step] = field(default_factory=list)

    def step(self, command: str) -> Step:
        return next(s for s in self.steps if s.command == command)


class ReadmeSequence:
    def __init__(self, folder: Path, holds: dict[str, int]):
        self.folder = folder
        self.record = Record()
        self.ready: dict[str, threading.Event] = {env: threading.Event() for env in holds}
        self.applied: dict[str, Applied | BaseException] = {}
        self._users = dict(holds)  # env -> tests still to run on it
        self._released = {env: threading.Event() for env in holds}
        for env, users in holds.items():
            if users == 0:
                self._released[env].set()
        self._lock = threading.Lock()
        self.down_done = False

    # -- what the tests call ------------------------------------------------------------------------------
    def environment(self, env: str) -> Applied:
        if not self.ready[env].wait(HOLD_TIMEOUT):
            raise TimeoutError(f"the README sequence did not reach {env} within {HOLD_TIMEOUT} s")
        got = self.applied[env]
        if isinstance(got, BaseException):
            raise got
        return got

    def release(self, env: str) -> None:
        with self._lock:
            self._users[env] -= 1
            if self._users[env] <= 0:
                self._released[env].set()

    # -- the sequence ---------------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLUEMON_RUN_DIR"))}
        return clean | {"GLUEMON_EMULATOR_DIR": str(self.folder)}

    def make(self, target: str, **variables: str) -> Step:
        args = [f"{k}={v}" for k, v in variables.items()]
        command = " ".join(["make", target, *args])
        proc = subprocess.run(["make", "--no-print-directory", target, *args], cwd=ROOT, env=self.env(),
                              capture_output=True, text=True, timeout=1200)
        step = Step(command, proc.returncode, proc.stdout + proc.stderr, self._emulator(), self._resources("dev"))
        self.record.steps.append(step)
        if proc.returncode and target != "plan":
            raise RuntimeError(f"`{command}` failed with status {proc.returncode}:\n{step.output[-6000:]}")
        return step

    def _saved(self) -> emulator_mod.Emulator | None:
        return emulator_mod.Emulator.load(self.folder / "run" / "emulator.json")

    def _emulator(self) -> tuple | None:
        emu = self._saved()
        return (emu.localstack_url, emu.moto_url, tuple(p.pid for p in emu.processes)) if emu else None

    def _resources(self, env: str) -> int | None:
        state = self.folder / "run" / "state" / f"{env}.tfstate"
        if not state.exists():
            return None
        doc = json.loads(state.read_text() or "{}")
        return sum(len(r.get("instances", [])) for r in doc.get("resources", []) if r.get("mode") == "managed")

    def _leftovers(self, prefixes: tuple[str, ...] | None) -> list[str]:
        emu = self._saved()
        if prefixes is None:
            return leftovers(emu, emulator_mod.DEFAULT_ACCOUNT, ("glue-etl-dev", "glue-etl-staging", "audit_trail_"))
        return leftovers(emu, emulator_mod.DEFAULT_ACCOUNT, prefixes, only_prefixed=True)

    def _applied(self, env: str, changes: list[Change]) -> Applied:
        emu = self._saved()
        work = self.folder / "run" / "work" / env / "environments" / env
        root = Root(work)
        root.state_file = self.folder / "run" / "state" / f"{env}.tfstate"
        return Applied(root, emu, emulator_mod.DEFAULT_ACCOUNT, root.outputs(), changes)

    def _ready(self, env: str, changes_from: Step) -> None:
        try:
            self.applied[env] = self._applied(env, planned_changes(changes_from.output))
        except BaseException as exc:  # noqa: BLE001 - handed to the tests of that environment
            self.applied[env] = exc
        self.ready[env].set()
        if not self._released[env].wait(HOLD_TIMEOUT):
            raise TimeoutError(f"the tests of {env} did not finish within {HOLD_TIMEOUT} s")

    def run(self) -> Record:
        self.record.processes_before = emulator_mod.count_processes()
        try:
            self.make("emulator-up")
            self.make("apply", ENV="dev")
            self.make("apply", ENV="staging")
            if "staging" in self.ready:
                self._ready("staging", self.make("plan", ENV="staging"))
            destroy_staging = self.make("destroy", ENV="staging")
            destroy_staging.left = self._leftovers(("glue-etl-staging", "audit_trail_staging"))
            plan_dev = self.make("plan", ENV="dev")
            if "dev" in self.ready:
                self._ready("dev", plan_dev)
            destroy_dev = self.make("destroy", ENV="dev")
            destroy_dev.left = self._leftovers(None)  # the whole account: both are gone
        finally:
            for env, event in self.ready.items():  # never leave a test waiting
                if not event.is_set():
                    self.applied[env] = RuntimeError(f"the README sequence stopped before {env} was ready")
                    event.set()
            self.make("emulator-down")
            self.down_done = True
            self.record.processes_after = emulator_mod.count_processes()
        return self.record


def planned_changes(plan_output: str) -> list[Change]:
    """The resource changes `terraform plan` printed (`# <address> will be created`, `must be replaced`, ...)."""
    found = re.findall(r"^\s*# (\S+) (?:will be|must be) (\w+)", plan_output, re.M)
    return [Change(address, [action]) for address, action in found if action not in ("read",)]
