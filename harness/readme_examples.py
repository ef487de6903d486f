"""The README usage examples, planned (Cloud Foundation Fabric's tested README examples).

The first ```hcl block after a README's "## Usage" heading is what a team copies. In a copied tree it
becomes an example of its module (`modules/<m>/examples/readme`): its `git::...//modules/<x>?ref=...`
sources point at the tree's modules, its provider blocks go to providers.tf (the bundle passes its own
providers, with their aliases), and what it refers to but does not define (`module.notifications`, a
role, a local) comes from tests/readme_fixtures.tf, block by block. The examples bundle then plans them all
in one command: a README that drifts from its module no longer plans.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness import settings
from harness.bundle import Example

USAGE = re.compile(r"^## Usage\s*$.*?^```hcl\n(.*?)^```", re.S | re.M)
GIT_SOURCE = re.compile(r'"git::[^"]*//modules/([a-z_]+)\?ref=v[0-9.]+"')
LOCAL_SOURCE = re.compile(r'"(?:\.\./)+modules/([a-z_]+)"')
BLOCK_START = re.compile(r'^(module|resource|data|locals|provider|variable|output)\b(?: "([^"]+)")?(?: "([^"]+)")?',
                         re.M)
FIXTURES = settings.ROOT / "tests" / "readme_fixtures.tf"


def usage_block(readme: Path) -> str | None:
    match = USAGE.search(readme.read_text()) if readme.exists() else None
    return match.group(1) if match else None


def top_level_blocks(text: str) -> list[tuple[str, str]]:
    """(`kind.name`, the block's text) for every top-level block (they start in column 0, end at `}`)."""
    starts = list(BLOCK_START.finditer(text))
    blocks = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        kind, first, second = m.groups()
        name = {"module": f"module.{first}", "resource": f"{first}.{second}", "data": f"data.{first}.{second}",
                "locals": "locals", "provider": f"provider.{first}"}.get(kind, f"{kind}.{first}")
        blocks.append((name, text[m.start():end].rstrip() + "\n"))
    return blocks


def defined_names(text: str) -> set[str]:
    names = {name for name, _ in top_level_blocks(text)}
    for name, block in top_level_blocks(text):
        if name == "locals":
            names |= {f"local.{k}" for k in re.findall(r"^\s+([a-z_][a-z0-9_]*)\s*=", block, re.M)}
    return names


def referenced_names(text: str) -> set[str]:
    refs = {f"module.{m}" for m in re.findall(r"\bmodule\.([a-z_][a-z0-9_]*)", text)}
    refs |= {f"local.{m}" for m in re.findall(r"\blocal\.([a-z_][a-z0-9_]*)", text)}
    refs |= {f"{t}.{n}" for t, n in re.findall(r"\b(aws_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)\b", text)}
    return refs


def fixture_blocks(needed: set[str]) -> list[str]:
    """The fixtures that define `needed` names, and what those fixtures need in turn."""
    fixtures = FIXTURES.read_text()
    chosen, todo = [], set(needed)
    while todo:
        name = todo.pop()
        for fixture_name, block in top_level_blocks(fixtures):
            provides = defined_names(block) if fixture_name == "locals" else {fixture_name}
            if name in provides and block not in chosen:
                chosen.append(block)
                todo |= referenced_names(block) - defined_names("".join(chosen))
    return chosen


def write_readme_example(tree: Path, module: str) -> Example | None:
    """`modules/<module>/examples/readme` in `tree`, from the module's README usage block (None: no block)."""
    block = usage_block(tree / "modules" / module / "README.md")
    if block is None:
        return None
    folder = tree / "modules" / module / "examples" / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    code = GIT_SOURCE.sub(lambda m: f'"../../../{m.group(1)}"', block)
    code = LOCAL_SOURCE.sub(lambda m: f'"../../../{m.group(1)}"', code)
    providers = [b for name, b in top_level_blocks(code) if name.startswith("provider.")]
    body = "".join(b for name, b in top_level_blocks(code) if not name.startswith("provider."))
    needed = referenced_names(body) - defined_names(body)
    aliases = sorted(set(re.findall(r"\baws\.([a-z_][a-z0-9_]*)\b", body)))
    versions = (
        'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n'
        + (f"      configuration_aliases = [{', '.join(f'aws.{a}' for a in aliases)}]\n" if aliases else "")
        + "    }\n  }\n}\n"
    )
    (folder / "main.tf").write_text(f"# Generated from modules/{module}/README.md (## Usage).\n" + body)
    (folder / "fixtures.tf").write_text("".join(fixture_blocks(needed)))
    (folder / "versions.tf").write_text(versions)
    # the bundle reads the aliases from providers.tf, then passes its own providers
    declared = "".join(providers) or 'provider "aws" {\n  region = "us-east-1"\n}\n'
    missing = [a for a in aliases if f'alias  = "{a}"' not in declared and f'alias = "{a}"' not in declared]
    declared += "".join(f'provider "aws" {{\n  alias  = "{a}"\n  region = "us-east-1"\n}}\n' for a in missing)
    (folder / "providers.tf").write_text(declared)
    return Example(module, "readme")


def write_readme_examples(tree: Path) -> list[Example]:
    only = settings.only_modules()
    found = [write_readme_example(tree, m.name) for m in sorted((tree / "modules").iterdir())
             if m.is_dir() and (only is None or m.name in only)]
    return [e for e in found if e]
