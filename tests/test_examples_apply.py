"""Apply tier for the module examples: all applied in one root, re-planned (must be empty), destroyed
(nothing may be left: tests/test_destroy.py). Per-module checks of the real resources live in
tests/modules/test_<module>.py and use the same `applied_examples`."""

from __future__ import annotations

import pytest

from harness.bundle import discover_examples

pytestmark = pytest.mark.apply


def test_every_example_applied(applied_examples):
    assert set(applied_examples.outputs) == {e.key for e in discover_examples() if e.applied}


def test_second_plan_is_empty(applied_examples):
    changes = applied_examples.changes
    assert not changes, "not idempotent: " + ", ".join(f"{c.address} {c.actions}" for c in changes)
