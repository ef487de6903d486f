"""Generated roots that let the suite run few terraform commands.

- The examples bundle: every `modules/*/examples/*` called as a child module of one root, so all examples
  are planned, applied, re-planned and destroyed with one command each (a provider start costs ~7-10 s of
  CPU here; 14 separate roots took ~11 minutes, one root with the same resources ~2).
- The negative bundle: every bad-input case of `tests/negative/*.yaml` as its own module call, in its own
  file, planned once; Terraform reports every validation error with the file it came from.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.emulator import EMULATOR_GAPS
from harness.paths import ROOT
from harness.terraform import (
    _tf_files,
    content_hash,
    declared_variables,
    provider_aliases,
    terraform_binary,
    terraform_version,
)

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


def only_modules() -> set[str] | None:
    """GLUEMON_ONLY=notifications,log_groups narrows the bundles to those modules (for iterating on one)."""
    only = os.environ.get("GLUEMON_ONLY")
    return {m.strip() for m in only.split(",") if m.strip()} if only else None


def discover_examples(root: Path = ROOT) -> list[Example]:
    only = only_modules()
    return [Example(p.parts[-3], p.name) for p in sorted((root / "modules").glob("*/examples/*"))
            if (p / "main.tf").is_file() and (only is None or p.parts[-3] in only)]


def gap_variables_on(root_path: Path) -> dict[str, bool]:
    """-var values that switch every emulator gap of a root back on (for plans, which create nothing)."""
    return {gap: True for gap in declared_variables(root_path) & EMULATOR_GAPS.keys()}  # Root writes `true`


def build_examples_bundle(tree: Path, examples: list[Example], region: str = "us-east-1") -> Path:
    """In a copied tree: a root calling every example once, with one provider per alias the examples use."""
    bundle = tree / "bundles" / "examples"
    bundle.mkdir(parents=True, exist_ok=True)
    blocks = [PROVIDER_REQUIREMENT, f'provider "aws" {{\n  region = "{region}"\n}}\n']
    aliases_seen: set[str] = set()
    gaps_seen: set[str] = set()
    for ex in examples:
        folder = tree / ex.rel
        aliases = [a for a in provider_aliases(folder) if a]
        # emulator-gap switches of the example become bundle variables: planned on, applied off
        gaps = sorted(declared_variables(folder) & EMULATOR_GAPS.keys())
        for gap in sorted(set(gaps) - gaps_seen):
            gaps_seen.add(gap)
            blocks.append(f'variable "{gap}" {{\n  type    = bool\n  default = true\n}}\n')
        (folder / "providers.tf").unlink(missing_ok=True)  # the bundle passes its providers instead
        for alias in aliases:
            if alias not in aliases_seen:
                aliases_seen.add(alias)
                blocks.append(f'provider "aws" {{\n  alias  = "{alias}"\n  region = "{region}"\n}}\n')
        args = "".join(f"  {gap} = var.{gap}\n" for gap in gaps)
        if aliases:
            pairs = "".join(f"    aws.{a} = aws.{a}\n" for a in aliases)
            args += f"  providers = {{\n    aws = aws\n{pairs}  }}\n"
        blocks.append(f'module "{ex.key}" {{\n  source = "../../{ex.rel}"\n{args}}}\n')
        blocks.append(f'output "{ex.key}" {{\n  value = module.{ex.key}\n}}\n')
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
    def file(self) -> str:
        return f"case_{self.module}__{self.id}.tf.json"


def load_negative_cases(root: Path = ROOT) -> list[NegativeCase]:
    cases = []
    only = only_modules()
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
            cases.append(NegativeCase(module, case["id"], _merge(base, case.get("vars") or {}), case["error"]))
    return cases


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def build_negative_bundle(tree: Path, cases: list[NegativeCase], region: str = "us-east-1") -> Path:
    bundle = tree / "bundles" / "negative"
    bundle.mkdir(parents=True, exist_ok=True)
    aliases = {a for case in cases for a in module_aliases(tree / "modules" / case.module)}
    providers = [f'provider "aws" {{\n  region = "{region}"\n}}\n'] + [
        f'provider "aws" {{\n  alias  = "{a}"\n  region = "{region}"\n}}\n' for a in sorted(aliases)]
    (bundle / "main.tf").write_text(PROVIDER_REQUIREMENT + "\n" + "\n".join(providers))
    for case in cases:
        call = {"source": f"../../modules/{case.module}", **case.vars}
        mod_aliases = module_aliases(tree / "modules" / case.module)
        if mod_aliases:
            call["providers"] = {"aws": "aws", **{f"aws.{a}": f"aws.{a}" for a in mod_aliases}}
        name = f"{case.module}__{case.id}".replace("-", "_")
        (bundle / case.file).write_text(json.dumps({"module": {name: call}}, indent=2))
    return bundle


def module_aliases(module_dir: Path) -> list[str]:
    return re.findall(r"aws\.([A-Za-z0-9_-]+)", " ".join(re.findall(r"configuration_aliases\s*=\s*\[([^\]]*)\]",
                                                                      _tf_files(module_dir))))


def plan_diagnostics(root, cache_dir: Path, max_passes: int = 4) -> list[dict]:
    """`terraform plan -json` over the negative bundle; its diagnostics (cached by content).

    Terraform checks validations that refer to other variables only once every simple validation of the
    configuration has passed, so a plan reports the simple failures first. The cases that failed are set
    aside and the rest planned again, until a pass finds no new failing case.
    """
    key = content_hash([root._tree_root()], ["negative", terraform_version(), root.cache_extra])
    hit = cache_dir / f"negative-{key}.json"
    if hit.exists():
        return json.loads(hit.read_text())
    root.init()
    diags: list[dict] = []
    set_aside: list[Path] = []
    try:
        for _ in range(max_passes):
            found = _plan_json_diagnostics(root)
            diags += found
            failed = {Path((d.get("range") or {}).get("filename", "")).name for d in found if d["severity"] == "error"}
            cases = [root.path / f for f in sorted(failed) if f.startswith("case_") and (root.path / f).exists()]
            if not cases:
                break
            for case in cases:
                case.rename(case.with_name(case.name + ".failed"))
                set_aside.append(case)
    finally:
        for case in set_aside:
            case.with_name(case.name + ".failed").rename(case)
    hit.parent.mkdir(parents=True, exist_ok=True)
    hit.write_text(json.dumps(diags))
    return diags


def _plan_json_diagnostics(root) -> list[dict]:
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


# -- inventories ----------------------------------------------------------------------------------------

def load_inventory(example: Example, root: Path = ROOT) -> dict | None:
    path = root / "tests" / "inventories" / example.module / f"{example.name}.yaml"
    return yaml.safe_load(path.read_text()) if path.exists() else None


def planned_creates(plan, prefix: str) -> dict[str, dict]:
    """address (relative to `prefix`) -> planned attribute values, for every resource the plan creates."""
    out = {}
    for address, rc in plan.resource_changes.items():
        if address.startswith(prefix + ".") and "create" in rc["change"]["actions"] and rc["mode"] == "managed":
            out[address[len(prefix) + 1:]] = rc["change"].get("after") or {}
    return out


def compare_inventory(inventory: dict, creates: dict[str, dict], outputs: set[str]) -> list[str]:
    """Differences between an inventory and a plan, as readable lines (empty = match)."""
    problems = []
    counts: dict[str, int] = {}
    for address in creates:
        rtype = address.split(".")[-2] if "." in address else address
        rtype = re.sub(r"\[.*\]$", "", rtype)
        counts[rtype] = counts.get(rtype, 0) + 1
    for rtype, want in (inventory.get("counts") or {}).items():
        if counts.get(rtype, 0) != want:
            problems.append(f"count of {rtype}: planned {counts.get(rtype, 0)}, inventory says {want}")
    for address, want in (inventory.get("values") or {}).items():
        if address not in creates:
            near = sorted(a for a in creates if a.split("[")[0] == address.split("[")[0])[:5]
            problems.append(f"{address}: not planned (same resource: {near})")
            continue
        problems += [f"{address}: {p}" for p in _subset(want, creates[address], "")]
    for name in inventory.get("outputs") or []:
        if name not in outputs:
            problems.append(f"output {name}: missing (have {sorted(outputs)})")
    return problems


def _subset(want, got, path: str) -> list[str]:
    if isinstance(got, str) and isinstance(want, (dict, list)) and got[:1] in "{[":
        try:
            got = json.loads(got)  # policies and dashboard bodies are JSON strings
        except ValueError:
            pass
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path or '.'}: expected an object, planned {got!r}"]
        return [p for k, v in want.items() for p in _subset(v, got.get(k), f"{path}.{k}")]
    if want != got:
        return [f"{path or '.'}: expected {want!r}, planned {got!r}"]
    return []


def resource_types_in_module(module: str, root: Path = ROOT) -> set[str]:
    return set(re.findall(r'^resource\s+"([^"]+)"', _tf_files(root / "modules" / module), re.M))


def summarize(example_key: str) -> str:
    """A starting inventory for one example (counts and outputs) from a fresh plan of it alone.

    python -m harness.bundle etl_monitoring__minimal
    """
    import tempfile

    from harness import emulator as emulator_mod
    from harness.terraform import Root, copy_tree

    module, name = example_key.split("__", 1)
    run = Path(tempfile.mkdtemp(prefix="gluemon-summary-"))
    emu = emulator_mod.running() or emulator_mod.start(run / "emulator", progress=lambda _m: None)
    try:
        tree = copy_tree(run / "tree")
        example = Example(module, name)
        root = Root(build_examples_bundle(tree, [example]))
        root.target_emulator(emu, account="100000000001")
        try:
            plan = root.plan(tf_vars=gap_variables_on(root.path) or None, cache=True)
        except Exception as exc:  # tftest's message carries the whole plan: the error is at its end
            raise SystemExit(str(exc.args[-1])[-3000:]) from None
        creates = planned_creates(plan, f"module.{example.key}")
        counts: dict[str, int] = {}
        for address in creates:
            rtype = re.sub(r"\[.*\]$", "", address.split(".")[-2])
            counts[rtype] = counts.get(rtype, 0) + 1
        outputs = sorted(plan.configuration["root_module"]["module_calls"][example.key]["module"].get("outputs", {}))
        return yaml.safe_dump({"counts": dict(sorted(counts.items())), "outputs": outputs}, sort_keys=False)
    finally:
        if emu.pids and emu.run_dir.startswith(str(run)):
            emulator_mod.stop(emu, progress=lambda _m: None)


if __name__ == "__main__":
    import sys

    print(summarize(sys.argv[1]))
