"""Terraform for the tests, the Makefile and the demo.

- a CLI config that installs the AWS provider from the filesystem mirror these machines ship with
  (`TF_PROVIDER_MIRROR` overrides, empty disables) and from the registry otherwise;
- every command runs under a timeout (some provider waiters block for minutes on an emulator mismatch);
- roots run in a temporary copy of the tree (parallel-safe), re-pointed at the emulator by generated
  override files, so the committed modules and environments stay unchanged;
- plans are cached by the content of everything they read, so an unchanged tree re-plans for free.

    python -m harness.terraform cli-config
    python -m harness.terraform {plan,apply,destroy,output} --env dev [--target emulator|aws]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.paths import CACHE, EMULATOR_DIR, ROOT

MIRROR_CANDIDATES = ("/opt/tf-plugins", "/usr/share/terraform/providers", "/usr/local/share/terraform/providers")
TREE_PARTS = ("modules", "environments", "lambda_src", "build")  # what a root may reference by relative path
COPY_IGNORE = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.*", "__pycache__", "*_override.tf",
                                     "backend.hcl", ".DS_Store")
COMMAND_TIMEOUT = int(os.environ.get("GLUEMON_TF_TIMEOUT", "900"))


def provider_mirror() -> Path | None:
    env = os.environ.get("TF_PROVIDER_MIRROR")
    if env is not None:
        return Path(env) if env else None
    for cand in MIRROR_CANDIDATES:
        if (Path(cand) / "registry.terraform.io").is_dir():
            return Path(cand)
    try:  # the toolchain note's way of finding it elsewhere
        out = subprocess.run(["find", "/", "-maxdepth", "4", "-type", "d", "-name", "registry.terraform.io"],
                             capture_output=True, text=True, timeout=20).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        out = []
    hits = [Path(p).parent for p in out if "/.terraform/" not in p and (Path(p) / "hashicorp" / "aws").is_dir()]
    return hits[0] if hits else None


def cli_config() -> Path:
    """Write the Terraform CLI config for this machine and return its path."""
    path = CACHE / "terraform.rc"
    mirror = provider_mirror()
    if mirror:
        text = (
            "# Written by harness.terraform: providers from this machine's filesystem mirror.\n"
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        )
    else:
        (CACHE / "plugin-cache").mkdir(parents=True, exist_ok=True)
        text = (
            "# Written by harness.terraform: providers from the registry, cached between roots.\n"
            f'plugin_cache_dir = "{CACHE / "plugin-cache"}"\n'
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


@functools.cache
def terraform_binary() -> Path:
    """A wrapper that runs terraform under `timeout`, for tftest (which has no timeout of its own)."""
    real = shutil.which("terraform")
    if not real:
        raise RuntimeError("terraform is not on PATH: install Terraform >= 1.9, then run `make setup`.")
    wrapper = CACHE / "bin" / "terraform"
    text = f'#!/bin/sh\nexec timeout -k 10 "${{GLUEMON_TF_TIMEOUT:-{COMMAND_TIMEOUT}}}" "{real}" "$@"\n'
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    if not wrapper.exists() or wrapper.read_text() != text:
        tmp = wrapper.with_suffix(f".{os.getpid()}")
        tmp.write_text(text)
        tmp.chmod(0o755)
        tmp.replace(wrapper)
    return wrapper


@functools.cache
def terraform_version() -> str:
    out = subprocess.run([str(terraform_binary()), "version", "-json"], capture_output=True, text=True,
                         check=True, env=tf_env()).stdout
    return json.loads(out)["terraform_version"]


def tf_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_LOG"}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config()), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    return env | (extra or {})


def copy_tree(dest: Path) -> Path:
    """Copy the parts of the checkout a root can reference into `dest` (same relative layout)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in TREE_PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, dest / part, ignore=COPY_IGNORE, dirs_exist_ok=True)
    return dest


def _tf_files(path: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(path.glob("*.tf")))


def provider_aliases(path: Path) -> list[str | None]:
    """The `provider "aws"` configurations a root declares (None = the default one)."""
    text = _tf_files(path)
    aliases: list[str | None] = []
    for block in re.finditer(r'provider\s+"aws"\s*\{', text):
        depth, i = 1, block.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        alias = re.search(r'^\s*alias\s*=\s*"([^"]+)"', text[block.end():i], re.M)
        aliases.append(alias.group(1) if alias else None)
    return aliases


def declared_variables(path: Path) -> set[str]:
    return set(re.findall(r'^variable\s+"([^"]+)"', _tf_files(path), re.M))


# Generated per run (ports) or derived from what is hashed; their stable parts go into `extra`.
HASH_SKIP = {"emulator_override.tf", ".terraform.lock.hcl", "terraform.tfstate.backup"}


def content_hash(paths: list[Path], extra: object = None) -> str:
    """sha256 of every file below `paths` (but .terraform and state) plus `extra`."""
    h = hashlib.sha256()
    for base in paths:
        for p in sorted(base.rglob("*")):
            rel = p.relative_to(base)
            if p.is_dir() or ".terraform" in rel.parts or p.name in HASH_SKIP or p.name.endswith(".tfstate"):
                continue
            h.update(str(rel).encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _cli_vars(tf_vars: dict | None) -> dict | None:
    """tftest writes `-var k=str(v)`: Terraform wants true/false, not Python's True/False."""
    if not tf_vars:
        return None
    return {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in tf_vars.items()}


@dataclass
class Change:
    address: str
    actions: list[str]


class Root:
    """One Terraform root folder (an example, an environment, a generated bundle), run through tftest."""

    def __init__(self, path: Path, env: dict[str, str] | None = None):
        import tftest  # installed in the project virtualenv

        self.path = Path(path)
        self.env = tf_env(env)
        self.tf = tftest.TerraformTest(str(self.path), binary=str(terraform_binary()), env=self.env)
        self._initialised = False
        self.cache_extra: object = None  # what, besides the files, the plan depends on (set by target_emulator)
        self.state_file = self.path / "terraform.tfstate"

    # -- pointing at the emulator ---------------------------------------------------------------------
    def target_emulator(self, emu, account: str, state_path: Path | None = None) -> None:
        """Write the provider/backend overrides and the emulator-gap tfvars into this (copied) root."""
        override = emu.provider_override(access_key=account, aliases=provider_aliases(self.path) or [None])
        if re.search(r'^\s*backend\s+"', _tf_files(self.path), re.M):
            self.state_file = Path(state_path or self.path / "terraform.tfstate")
            override += f'terraform {{\n  backend "local" {{\n    path = "{self.state_file}"\n  }}\n}}\n'
        (self.path / "emulator_override.tf").write_text(override)
        from harness.emulator import EMULATOR_GAPS

        gaps = {k: v for k, (v, _why) in EMULATOR_GAPS.items() if k in declared_variables(self.path)}
        if gaps:
            (self.path / "emulator.auto.tfvars.json").write_text(json.dumps(gaps, indent=2))
        # the plan depends on the account and on the routing, not on the emulator's ports
        self.cache_extra = {"account": account, "routes": sorted(emu.routes)}

    # -- commands ---------------------------------------------------------------------------------------
    def init(self) -> None:
        if not self._initialised:
            self.tf.setup(cleanup_on_exit=False)
            self._initialised = True

    def plan(self, tf_vars: dict | None = None, cache: bool = False):
        """The plan as tftest's TerraformPlanOutput; with cache=True, reused while nothing it reads changed."""
        import tftest

        key = None
        if cache and self.state_file.exists() and json.loads(self.state_file.read_text() or "{}").get("resources"):
            cache = False  # the key covers the files, not the state: only a plan from nothing is cached
        if cache:
            key = content_hash([self._tree_root()], [terraform_version(), tf_vars, self.cache_extra])
            hit = CACHE / "plans" / f"{key}.json"
            if hit.exists():
                return tftest.TerraformPlanOutput(json.loads(hit.read_text()))
        self.init()
        plan = self.tf.plan(output=True, tf_vars=_cli_vars(tf_vars))
        if key:
            hit = CACHE / "plans" / f"{key}.json"
            hit.parent.mkdir(parents=True, exist_ok=True)
            tmp = hit.with_suffix(f".{os.getpid()}")
            tmp.write_text(json.dumps(plan._raw))
            tmp.replace(hit)
        return plan

    def apply(self, tf_vars: dict | None = None, parallelism: int = 10) -> str:
        self.init()
        return self.tf.apply(tf_vars=_cli_vars(tf_vars), parallelism=str(parallelism))

    def changes(self, tf_vars: dict | None = None) -> list[Change]:
        """Resource changes a fresh plan proposes (empty after an idempotent apply)."""
        plan = self.plan(tf_vars)
        return [Change(rc["address"], rc["change"]["actions"]) for rc in plan.resource_changes.values()
                if rc["change"]["actions"] not in (["no-op"], ["read"])]

    def destroy(self, tf_vars: dict | None = None, parallelism: int = 10) -> str:
        self.init()
        return self.tf.destroy(tf_vars=_cli_vars(tf_vars), parallelism=str(parallelism))

    def outputs(self) -> dict:
        return {k: v for k, v in self.tf.output().items()}

    def _tree_root(self) -> Path:
        for parent in [self.path, *self.path.parents]:
            if (parent / "modules").is_dir():
                return parent
        raise RuntimeError(f"{self.path} is not inside a copied tree")


# -- the Makefile's plan/apply/destroy ------------------------------------------------------------------

def _env_root_on_emulator(env_name: str, progress=print) -> tuple[Root, Path]:
    from harness import emulator

    emu = emulator.ensure_running(progress=progress)
    work = EMULATOR_DIR / "work"
    shutil.rmtree(work, ignore_errors=True)
    copy_tree(work)
    root = Root(work / "environments" / env_name, env={"AWS_REGION": "us-east-1"})
    state = Path(emu.run_dir or EMULATOR_DIR) / "state" / f"{env_name}.tfstate"
    state.parent.mkdir(parents=True, exist_ok=True)
    root.target_emulator(emu, account=emulator.DEFAULT_ACCOUNT, state_path=state)
    return root, state


def _run_on_aws(command: str, env_name: str, extra: list[str]) -> int:
    folder = ROOT / "environments" / env_name
    backend = folder / "backend.hcl"
    if not backend.exists():
        print(f"{backend} is missing: copy backend.hcl.example there and fill in your state bucket.", file=sys.stderr)
        return 2
    env = tf_env()
    tf = shutil.which("terraform")
    init = subprocess.run([tf, "init", "-input=false", f"-backend-config={backend.name}"], cwd=folder, env=env)
    if init.returncode:
        return init.returncode
    args = {"plan": ["plan"], "apply": ["apply"], "destroy": ["destroy"], "output": ["output"]}[command]
    # interactive on purpose: real AWS gets terraform's own confirmation prompt
    return subprocess.run([tf, *args, *extra], cwd=folder, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.terraform", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["cli-config", "plan", "plan-json", "apply", "destroy", "output"])
    parser.add_argument("--env", default="dev", choices=sorted(p.name for p in (ROOT / "environments").iterdir()
                                                               if p.is_dir()))
    parser.add_argument("--target", default="emulator", choices=["emulator", "aws"])
    parser.add_argument("--out", help="plan-json: where to write the plan JSON")
    parser.add_argument("extra", nargs="*", help="extra terraform arguments (after --)")
    args = parser.parse_args(argv)
    if args.command == "cli-config":
        print(cli_config())
        return 0
    if args.command == "plan-json":  # what the environment would create on AWS (every feature on), as JSON
        from harness import emulator
        from harness.bundle import gap_variables_on

        emu = emulator.ensure_running()
        tree = copy_tree(EMULATOR_DIR / "plans" / args.env)
        root = Root(tree / "environments" / args.env)
        root.target_emulator(emu, account=emulator.DEFAULT_ACCOUNT, state_path=tree / "plan-only.tfstate")
        plan = root.plan(tf_vars=gap_variables_on(root.path), cache=True)
        out = Path(args.out or ROOT / "build" / "plans" / f"{args.env}.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(plan._raw))
        print(out)
        return 0
    if args.target == "aws":
        return _run_on_aws(args.command, args.env, args.extra)
    root, state = _env_root_on_emulator(args.env)
    cmd = {"plan": ["plan"], "apply": ["apply", "-auto-approve"], "destroy": ["destroy", "-auto-approve"],
           "output": ["output"]}[args.command]
    init = subprocess.run([str(terraform_binary()), "init", "-input=false"], cwd=root.path, env=root.env,
                          stdout=subprocess.DEVNULL)
    if init.returncode:
        return init.returncode
    rc = subprocess.run([str(terraform_binary()), *cmd, *args.extra], cwd=root.path, env=root.env).returncode
    print(f"(emulator state: {state})")
    return rc


if __name__ == "__main__":
    sys.exit(main())

