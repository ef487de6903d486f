"""A Terraform root (an example, an environment, a generated bundle) and its plan cache.

- a CLI config that installs the AWS provider from the filesystem mirror these machines ship with
  (`TF_PROVIDER_MIRROR` overrides, empty disables) and from the registry otherwise;
- every command runs under a timeout (some provider waiters block for minutes on an emulator mismatch);
- roots run in a temporary copy of the tree (parallel-safe), re-pointed at the emulator by a generated
  override file, so the committed modules and environments stay unchanged;
- plans from nothing are cached by the content of everything they read, so an unchanged tree re-plans free.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness import gaps, hcl, settings

MIRROR_CANDIDATES = ("/opt/tf-plugins", "/usr/share/terraform/providers", "/usr/local/share/terraform/providers")
TREE_PARTS = ("modules", "environments", "lambda_src", "build", "glue_jobs")  # what a root may reference
COPY_IGNORE = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.*", "__pycache__", "*_override.tf",
                                     "backend.hcl", ".DS_Store")
# Generated per run (ports) or derived from what is hashed; their stable parts go into `extra`.
HASH_SKIP = {"emulator_override.tf", ".terraform.lock.hcl", "terraform.tfstate.backup"}


# -- the terraform binary and its configuration --------------------------------------------------------------

def provider_mirror() -> Path | None:
    if settings.PROVIDER_MIRROR is not None:
        return Path(settings.PROVIDER_MIRROR) if settings.PROVIDER_MIRROR else None
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
    path = settings.CACHE / "terraform.rc"
    mirror = provider_mirror()
    if mirror:
        text = (
            "# Written by the harness: providers from this machine's filesystem mirror.\n"
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        )
    else:
        (settings.CACHE / "plugin-cache").mkdir(parents=True, exist_ok=True)
        text = (
            "# Written by the harness: providers from the registry, cached between roots.\n"
            f'plugin_cache_dir = "{settings.CACHE / "plugin-cache"}"\n'
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
    wrapper = settings.CACHE / "bin" / "terraform"
    text = f'#!/bin/sh\nexec timeout -k 10 "${{GLUEMON_TF_TIMEOUT:-{settings.TF_TIMEOUT}}}" "{real}" "$@"\n'
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


# -- trees and hashes ---------------------------------------------------------------------------------------------

def copy_tree(dest: Path) -> Path:
    """Copy the parts of the checkout a root can reference into `dest` (same relative layout)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in TREE_PARTS:
        if (settings.ROOT / part).is_dir():
            shutil.copytree(settings.ROOT / part, dest / part, ignore=COPY_IGNORE, dirs_exist_ok=True)
    return dest


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


def provider_override(emu, access_key: str, aliases: list[str | None] | None = None) -> str:
    """HCL that re-points every `provider "aws"` block of a root at the emulator."""
    lines = ["# Generated by the harness: this root talks to the AWS emulator. Not committed.\n"]
    endpoints = emu.endpoints()
    width = max(len(k) for k in endpoints)
    for alias in aliases or [None]:
        lines.append('provider "aws" {')
        if alias:
            lines.append(f'  alias                       = "{alias}"')
        lines += [
            f'  access_key                  = "{access_key}"',
            '  secret_key                  = "test"',
            "  skip_credentials_validation = true",
            "  skip_metadata_api_check     = true",
            "  skip_requesting_account_id  = false # true leaves the account out of the ARNs",
            "  s3_use_path_style           = true",
            "  max_retries                 = 3 # a dropped connection is retried; an unsupported API fails fast",
            "  endpoints {",
        ]
        lines += [f'    {key.ljust(width)} = "{url}"' for key, url in endpoints.items()]
        lines += ["  }", "}", ""]
    return "\n".join(lines)


def _cli_vars(tf_vars: dict | None) -> dict | None:
    """tftest writes `-var k=str(v)` (JSON for maps and lists): Terraform wants true/false, not True/False."""
    if not tf_vars:
        return None
    return {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in tf_vars.items()}


# -- plans ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """A `terraform show -json` plan document, with the parts the tests read."""

    doc: dict

    @classmethod
    def of(cls, tftest_plan) -> Plan:
        """The one place that reads tftest's private copy of the plan JSON."""
        return cls(tftest_plan._raw)  # noqa: SLF001 (tftest keeps the document only there)

    @property
    def resource_changes(self) -> dict[str, dict]:
        return {rc["address"]: rc for rc in self.doc.get("resource_changes", [])}

    @property
    def configuration(self) -> dict:
        return self.doc.get("configuration", {})

    @property
    def output_values(self) -> dict:
        return {k: v.get("value") for k, v in (self.doc.get("planned_values", {}).get("outputs") or {}).items()}

    def module_outputs(self, module_key: str) -> set[str]:
        """The output names of a module call of the root, from the configuration (values may be unknown)."""
        calls = self.configuration.get("root_module", {}).get("module_calls", {})
        return set(calls.get(module_key, {}).get("module", {}).get("outputs", {}))


@dataclass
class Change:
    address: str
    actions: list[str]


class Root:
    """One Terraform root folder, run through tftest."""

    def __init__(self, path: Path, env: dict[str, str] | None = None):
        import tftest  # installed in the project virtualenv

        self.path = Path(path)
        self.env = tf_env(env)
        self.tf = tftest.TerraformTest(str(self.path), binary=str(terraform_binary()), env=self.env)
        self._initialised = False
        self.cache_extra: object = None  # what, besides the files, the plan depends on (set by target_emulator)
        self.state_file = self.path / "terraform.tfstate"

    def target_emulator(self, emu, account: str, state_path: Path | None = None, tf_vars: dict | None = None,
                        as_on_aws: bool = False) -> None:
        """Write the provider/backend override and the emulator tfvars: the gaps switched off (harness.gaps),
        plus `tf_vars`. `as_on_aws` writes no tfvars: the root plans as on AWS."""
        config = hcl.read(self.path)
        override = provider_override(emu, access_key=account, aliases=config.provider_aliases or [None])
        if config.has_backend:
            self.state_file = Path(state_path or self.path / "terraform.tfstate")
            override += f'terraform {{\n  backend "local" {{\n    path = "{self.state_file}"\n  }}\n}}\n'
        (self.path / "emulator_override.tf").write_text(override)
        values = {} if as_on_aws else gaps.emulator_values(self.path)
        values |= {k: v for k, v in (tf_vars or {}).items() if k in config.variables}
        if values:
            (self.path / "emulator.auto.tfvars.json").write_text(json.dumps(values, indent=2))
        # the plan depends on the account and on the routing, not on the emulator's ports
        self.cache_extra = {"account": account, "routes": sorted(emu.routes)}

    def init(self) -> None:
        if not self._initialised:
            self.tf.setup(cleanup_on_exit=False)
            self._initialised = True

    def has_state(self) -> bool:
        try:
            return bool(json.loads(self.state_file.read_text() or "{}").get("resources"))
        except (OSError, ValueError):
            return False

    def plan(self, tf_vars: dict | None = None, cache: bool = False) -> Plan:
        """The plan; with cache=True (and no state: the key covers files, not state) reused while nothing it
        reads changed."""
        key = None
        if cache and not self.has_state():
            # the root's own folder too: environments/dev and environments/prod share the tree and the variables
            where = str(self.path.relative_to(self.tree_root()))
            key = content_hash([self.tree_root()], [terraform_version(), tf_vars, self.cache_extra, where])
            hit = settings.CACHE / "plans" / f"{key}.json"
            if hit.exists():
                return Plan(json.loads(hit.read_text()))
        self.init()
        plan = Plan.of(self.tf.plan(output=True, tf_vars=_cli_vars(tf_vars)))
        if key:
            hit = settings.CACHE / "plans" / f"{key}.json"
            hit.parent.mkdir(parents=True, exist_ok=True)
            tmp = hit.with_suffix(f".{os.getpid()}")
            tmp.write_text(json.dumps(plan.doc))
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

    def destroy(self, tf_vars: dict | None = None, parallelism: int = 10, refresh: bool = True) -> str:
        self.init()
        return self.tf.destroy(tf_vars=_cli_vars(tf_vars), parallelism=str(parallelism), refresh=refresh)

    def outputs(self) -> dict:
        return dict(self.tf.output().items())

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Any other terraform command in this root (`show -json`, `init -input=false`, ...)."""
        proc = subprocess.run([str(terraform_binary()), *args], cwd=self.path, env=self.env, capture_output=True,
                              text=True)
        if check and proc.returncode:
            raise RuntimeError(f"terraform {' '.join(args)} failed in {self.path}:\n{proc.stdout}{proc.stderr}")
        return proc

    def tree_root(self) -> Path:
        for parent in [self.path, *self.path.parents]:
            if (parent / "modules").is_dir():
                return parent
        raise RuntimeError(f"{self.path} is not inside a copied tree")
