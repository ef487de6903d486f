"""Plan tier: every example of every module, planned once in the examples bundle, against its inventory."""

from __future__ import annotations

import pytest

from harness.bundle import discover_examples
from harness.inventory import compare_inventory, load_inventory, planned_creates
from harness.settings import ROOT, only_modules

pytestmark = pytest.mark.plan
EXAMPLES = discover_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.key for e in EXAMPLES])
def test_example_matches_its_inventory(example, examples_plan):
    inventory = load_inventory(example)
    assert inventory, f"tests/inventories/{example.module}/{example.name}.yaml is missing"
    creates = planned_creates(examples_plan, f"module.{example.key}")
    if inventory.get("creates_nothing"):
        assert not creates, f"{example.rel} should plan nothing, plans {sorted(creates)}"
    else:
        assert creates, f"{example.rel} plans no resources"
    problems = compare_inventory(inventory, creates, examples_plan.module_outputs(example.key))
    assert not problems, "\n".join(problems)


def test_every_module_has_an_example():
    modules = {p.name for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file()}
    missing = (modules & (only_modules() or modules)) - {e.module for e in EXAMPLES}
    assert not missing, f"modules without an example under examples/: {sorted(missing)}"
