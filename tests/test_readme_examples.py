"""The README usage examples are planned (harness/readme_examples.py) and pin a released version.

A team copies the first ```hcl block under a module README's "## Usage": it must plan against the module as
it is, and its `?ref=` must name the version of this checkout, which CHANGELOG.md lists."""

from __future__ import annotations

import re

import pytest

from harness import readme_examples, settings, static
from harness.settings import ROOT

MODULES = static.modules()
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
DOCS = sorted([ROOT / "README.md", *ROOT.glob("modules/*/README.md"), *ROOT.glob("docs/**/*.md")])


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_module_readme_has_a_usage_example(module):
    assert readme_examples.usage_block(module / "README.md"), (
        f"{module.name}/README.md needs a '## Usage' heading followed by an ```hcl block")


@pytest.mark.plan
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_the_usage_example_plans_against_the_module(readme_plan, module):
    if settings.only_modules() is not None and module.name not in settings.only_modules():
        pytest.skip(f"GLUEMON_ONLY leaves {module.name} out")
    plan, errors = readme_plan
    own = [block for block in errors.split("\nError: ") if f"modules/{module.name}/examples/readme/" in block]
    assert not own, f"{module.name}/README.md's usage example does not plan:\nError: " + "\nError: ".join(own)
    assert plan is not None, "the README examples were not planned (other READMEs fail):\n" + errors[-3000:]
    prefix = f"module.{module.name}__readme."
    planned = [a for a, rc in plan.resource_changes.items()
               if a.startswith(prefix) and "create" in rc["change"]["actions"]]
    assert planned, f"{module.name}/README.md's usage example plans nothing"


def test_version_is_in_the_changelog():
    assert f"## [{VERSION}]" in (ROOT / "CHANGELOG.md").read_text(), f"CHANGELOG.md has no section for {VERSION}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_pin_this_version(doc):
    refs = set(re.findall(r"\?ref=v([0-9][0-9.]*)", doc.read_text()))
    allowed = {VERSION}
    if doc.parent.name == "upgrades":  # an upgrade note shows the ref it upgrades from: a released one
        allowed |= set(re.findall(r"^## \[([0-9][0-9.]*)\]", (ROOT / "CHANGELOG.md").read_text(), re.M))
    assert refs <= allowed, f"{doc.relative_to(ROOT)} pins {sorted(refs)}; this checkout is {VERSION}"
