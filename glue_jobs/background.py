"""The run's I/O threads: AWS calls leave the driver thread, so the driver waits for Spark, not for AWS."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class BackgroundIO:
    """A small thread pool whose tasks run with the submitter's log context (contextvars are per thread).

    ``drain`` waits for every tracked task and logs a failure as ``signal_error``: a signal that could not be
    sent never fails the run.
    """

    def __init__(self, log: Any, max_workers: int = 6) -> None:
        self._log = log
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="glue-jobs-io")
        self._pending: list[tuple[str, Future[Any]]] = []

    def submit(self, what: str, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` in the background; ``drain`` waits for it."""
        future = self.start(fn)
        self._pending.append((what, future))
        return future

    def start(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` in the background; the caller reads (and handles) the future itself."""
        return self._pool.submit(contextvars.copy_context().run, fn)

    def drain(self) -> None:
        while self._pending:
            what, future = self._pending.pop(0)
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001
                self._log.error(
                    "signal_error", signal=what, error_type=type(exc).__name__, error_message=str(exc)[:500]
                )

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
