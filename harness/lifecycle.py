"""Work that runs in the background of a test session, so that waits overlap.

Most of the suite's wall time is the AWS provider waiting on purpose (about 25 s per SQS queue, 55 s per S3
lifecycle configuration) and Terraform starting its provider (7-10 s of CPU per command). Independent
roots therefore apply, re-plan and destroy at the same time, each in its own emulator account, while the
tests that need none of them run in the foreground:

- `Task`: a function on a thread of its own; `result()` waits for it and re-raises its error;
- `RootLifecycle`: a root's apply -> outputs -> re-plan as soon as the session starts, its destroy as soon
  as its last test has run, and the nothing-left check after the destroy.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.leftovers import leftovers
from harness.root import Change, Root


class Task:
    """A function run on a thread of its own, once."""

    def __init__(self, name: str, fn: Callable[[], Any]):
        self.name, self._fn = name, fn
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.started_at: float | None = None
        self.seconds: float | None = None

    def start(self) -> Task:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"task-{self.name}", daemon=True)
            self.started_at = time.monotonic()
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the result
            self._error = exc
        finally:
            self.seconds = time.monotonic() - (self.started_at or time.monotonic())
            self._done.set()

    @property
    def started(self) -> bool:
        return self._thread is not None

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> Any:
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.name} did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        return self._value

    def error(self) -> BaseException | None:
        return self._error if self.done() else None


@dataclass
class Applied:
    """An applied root: its outputs, account and emulator for boto3 checks, and its re-plan."""

    root: Root
    emulator: Any
    account: str
    outputs: dict = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)  # what a plan right after the apply proposed

    def client(self, service: str):
        return self.emulator.client(service, account=self.account)

    def example(self, module: str, name: str = "complete") -> dict:
        return self.outputs[f"{module}__{name}"]


class RootLifecycle:
    """One root's life in a test session: apply (with its outputs and re-plan) in the background, destroy
    after its last test, then the nothing-left check."""

    def __init__(self, name: str, make_root: Callable[[], Root], emulator, account: str,
                 moto_prefixes: tuple[str, ...], tf_vars: dict | None = None):
        self.name, self.emulator, self.account = name, emulator, account
        self._make_root, self._moto_prefixes, self._tf_vars = make_root, moto_prefixes, tf_vars
        self.root: Root | None = None
        self.users = 0
        self._lock = threading.Lock()
        self.applied = Task(f"{name}: apply", self._apply)
        self.destroyed = Task(f"{name}: destroy", self._destroy)

    def _apply(self) -> Applied:
        self.root = self._make_root()
        self.root.apply(tf_vars=self._tf_vars)
        applied = Applied(self.root, self.emulator, self.account, self.root.outputs())
        applied.changes = self.root.changes(tf_vars=self._tf_vars)
        return applied

    def _destroy(self) -> list[str]:
        """Destroy (also after a failed apply: whatever was created goes); returns what is left behind."""
        try:
            self.applied.result()
        except BaseException:  # noqa: BLE001 - the apply's error is reported by the tests that use the root
            if self.root is None:
                return []
        try:
            # no refresh: the emulator holds exactly what the state says (nothing else writes there), and the
            # refresh walk would read every resource once more; the leftovers check below proves the result
            self.root.destroy(tf_vars=self._tf_vars, refresh=False)
        except Exception as exc:
            raise RuntimeError(f"destroy of {self.name} failed; the root is kept at {self.root.path}:\n"
                               f"{''.join(traceback.format_exception_only(exc))[-4000:]}") from None
        return leftovers(self.emulator, self.account, self._moto_prefixes)

    def start(self) -> None:
        self.applied.start()

    def wait(self) -> Applied:
        return self.applied.result()

    def use(self) -> None:
        with self._lock:
            self.users += 1

    def release(self) -> None:
        """One test of this root has run; after the last one the destroy starts."""
        with self._lock:
            self.users -= 1
            last = self.users == 0
        if last and self.applied.started:
            self.destroyed.start()

    def finish(self) -> list[str]:
        """Wait for the destroy (starting it if no test released the root) and return what was left."""
        if not self.applied.started:
            return []
        return self.destroyed.result()
