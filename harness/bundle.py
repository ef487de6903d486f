"""Generated roots that let the suite run few terraform commands.

- The examples bundle: every `modules/*/examples/*` called as a child module of one root, so all examples
  are planned, applied, re-planned and destroyed with one command each (a provider start costs ~7-10 s of
  CPU here; 14 separate roots took ~11 minutes, one root with the same resources ~2).
- The negative bundle: every bad-input case of `tests/negative/*.yaml` as its own module call, in its own
  file, planned together; Terraform reports every validation error with the file it came from.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness import gaps, hcl, settings
from harness.root import Root, content_hash, terraform_binary, terraform_version

PROVIDER_REQUIREMENT = """terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 6.0"
    }
  }
}
"""


def providers_hcl(aliases: list[str], region: str = "us-east-1") -> str:
    """The default aws provider and one per alias, all in `region`."""
    blocks = [f'provider "aws" {{\n  region = "{region}"\n}}\n']
    blocks += [f'provider "aws" {{\n  alias  = "{a}"\n  region = "{region}"\n}}\n' for a in sorted(set(aliases))]
    return "\n".join(blocks)


@dataclass(frozen=True)
class Example:
    module: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.module}__{self.name}"

    @property
    def rel(self) -> str:
        return f"modules/{self.module}/examples/{self.name}"

    @property
    def applied(self) -> bool:
        """False for a plan-only example (its inventory says `apply: false`): it proves what its plan shows."""
        inventory = settings.ROOT / "tests" / "inventories" / self.module / f"{self.name}.yaml"
        return not inventory.exists() or (yaml.safe_load(inventory.read_text()) or {}).get("apply", True)


def discover_examples(root: Path = settings.ROOT) -> list[Example]:
    only = settings.only_modules()
    return [Example(p.parts[-3], p.name) for p in sorted((root / "modules").glob("*/examples/*"))
            if (p / "main.tf").is_file() and (only is None or p.parts[-3] in only)]


def build_examples_bundle(tree: Path, examples: list[Example], region: str = "us-east-1") -> Path:
    """In a copied tree: a root calling every example once, with one provider per alias the examples use.

    An example's emulator-gap switches become variables of the bundle (planned on, applied off), and its
    providers.tf is left out of the copy: the bundle passes its own providers."""
    bundle = tree / "bundles" / "examples"
    bundle.mkdir(parents=True, exist_ok=True)
    blocks = [PROVIDER_REQUIREMENT]
    aliases: list[str] = []
    gaps_seen: set[str] = set()
    calls = []
    for ex in examples:
        folder = tree / ex.rel
        example_aliases = [a for a in hcl.read(folder).provider_aliases if a]  # its providers.tf, read first
        (folder / "providers.tf").unlink(missing_ok=True)
        calls.append((ex, gaps.gaps_of(folder), example_aliases))
    for _ex, ex_gaps, _ in calls:
        for gap in ex_gaps:
            if gap not in gaps_seen:
                gaps_seen.add(gap)
                blocks.append(f'variable "{gap}" {{\n  type    = bool\n  default = true\n}}\n')
    for ex, ex_gaps, ex_aliases in calls:
        args = "".join(f"  {gap} = var.{gap}\n" for gap in ex_gaps)
        if ex_aliases:
            aliases += ex_aliases
            pairs = "".join(f"    aws.{a} = aws.{a}\n" for a in ex_aliases)
            args += f"  providers = {{\n    aws = aws\n{pairs}  }}\n"
        blocks.append(f'module "{ex.key}" {{\n  source = "../../{ex.rel}"\n{args}}}\n')
        blocks.append(f'output "{ex.key}" {{\n  value = module.{ex.key}\n}}\n')
    blocks.insert(1, providers_hcl(aliases, region))
    (bundle / "main.tf").write_text("\n".join(blocks))
    return bundle


# -- negative cases -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NegativeCase:
    module: str
    id: str
    vars: dict
    error: str | None  # None: the control case, which must plan without errors

    @property
    def name(self) -> str:
        return f"{self.module}__{self.id}".replace("-", "_")

    @property
    def file(self) -> str:
        return f"case_{self.module}__{self.id}.tf.json"


def load_negative_cases(root: Path = settings.ROOT) -> list[NegativeCase]:
    cases = []
    only = settings.only_modules()
    for spec_file in sorted((root / "tests" / "negative").glob("*.yaml")):
        spec = yaml.safe_load(spec_file.read_text()) or {}
        module = spec.get("module", spec_file.stem)
        if only is not None and module not in only:
            continue
        base = spec.get("base") or {}
        cases.append(NegativeCase(module, "control", base, None))
        for case in spec.get("cases", []):
            if not re.fullmatch(r"[a-z0-9-]+", case["id"]):
                raise ValueError(f"{spec_file}: case id {case['id']!r} must be lowercase letters, digits, dashes")
            over = case.get("vars") or {}
            # `replace: [input, ...]`: those inputs take the case's value whole instead of merging into the base's
            whole = {k: over[k] for k in case.get("replace", [])}
            cases.append(NegativeCase(module, case["id"], merge(base, over) | whole, case["error"]))
    return cases


def merge(base: dict, over: dict) -> dict:
    """A case's vars over the base, map by map; an empty map replaces (`alarm_topic_arns: {}` means none)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(base[k], v) if isinstance(v, dict) and v and isinstance(base.get(k), dict) else v
    return out


def build_negative_bundle(tree: Path, cases: list[NegativeCase], region: str = "us-east-1",
                          name: str = "negative") -> Path:
    """One root, one file per case (the module call), so that each error names the case it comes from."""
    bundle = tree / "bundles" / name
    bundle.mkdir(parents=True, exist_ok=True)
    module_aliases = {m: hcl.read(tree / "modules" / m).configuration_aliases for m in {c.module for c in cases}}
    aliases = [a for found in module_aliases.values() for a in found]
    (bundle / "main.tf").write_text(PROVIDER_REQUIREMENT + "\n" + providers_hcl(aliases, region))
    for case in cases:
        call = {"source": f"../../modules/{case.module}", **case.vars}
        if module_aliases[case.module]:
            call["providers"] = {"aws": "aws", **{f"aws.{a}": f"aws.{a}" for a in module_aliases[case.module]}}
        (bundle / case.file).write_text(json.dumps({"module": {case.name: call}}, indent=2))
    return bundle


def plan_diagnostics(tree: Path, cases: list[NegativeCase], target, max_passes: int = 4) -> list[dict]:
    """`terraform plan -json` of the negative cases; its diagnostics (cached by content).

    Terraform checks validations that refer to other variables only once every simple validation of the
    configuration has passed, so a plan reports the simple failures first. Each next pass plans a root of
    its own with the cases that have not failed yet, until a pass finds nothing new. `target(root)` points
    a root at the emulator.
    """
    key = content_hash([tree / "modules"], ["negative", terraform_version(), [c.__dict__ for c in cases]])
    hit = settings.CACHE / "negative" / f"{key}.json"
    if hit.exists():
        return json.loads(hit.read_text())
    diags: list[dict] = []
    remaining = list(cases)
    for attempt in range(max_passes):
        root = Root(build_negative_bundle(tree, remaining, name=f"negative-{attempt + 1}"))
        target(root)
        root.init()
        found = _plan_json_diagnostics(root)
        diags += found
        failed = {Path((d.get("range") or {}).get("filename", "")).name for d in found if d["severity"] == "error"}
        if not failed & {c.file for c in remaining}:
            break
        remaining = [c for c in remaining if c.file not in failed]
    # only what the cases said is cached: an error of the root itself (an emulator that did not answer, a
    # provider that failed) would otherwise be replayed on every later run
    if all(Path((d.get("range") or {}).get("filename", "")).name.startswith("case_")
           for d in diags if d["severity"] == "error"):
        hit.parent.mkdir(parents=True, exist_ok=True)
        hit.write_text(json.dumps(diags))
    return diags


def _plan_json_diagnostics(root: Root) -> list[dict]:
    proc = subprocess.run([str(terraform_binary()), "plan", "-json", "-input=false", "-refresh=false"],
                          cwd=root.path, env=root.env, capture_output=True, text=True)
    diags = []
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("type") == "diagnostic":
            diags.append(msg["diagnostic"])
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not diags):
        raise RuntimeError(f"terraform plan failed without diagnostics (exit {proc.returncode}):\n{proc.stderr}")
    return diags
