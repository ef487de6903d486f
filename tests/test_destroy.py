"""Destroy leaves nothing behind: every root this run applied is destroyed as soon as its last test has run
(in the background); this waits for those destroys and lists what each left in its emulator account.
The README sequence checks dev and staging the same way (tests/test_readme_sequence.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.apply


def test_every_applied_root_is_destroyed_without_leftovers(destroyed):
    if not destroyed:
        pytest.skip("this run applied no root in the background")
    left = {name: found for name, found in destroyed.items() if found}
    assert not left, f"destroy left resources behind: {left}"
