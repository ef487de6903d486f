"""`terraform validate` of every module and environment, and checkov, cached by the content they read.

Each `terraform validate` costs ~7 s of CPU (the provider's start-up), so an unchanged folder is not
validated again: its verdict is kept under the cache, keyed by the hash of every file it reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import hcl, settings
from harness.root import content_hash, copy_tree, terraform_binary, terraform_version, tf_env


def modules() -> list[Path]:
    return sorted(p for p in (settings.ROOT / "modules").iterdir() if (p / "main.tf").is_file())


def environments() -> list[Path]:
    return sorted(p for p in (settings.ROOT / "environments").iterdir() if (p / "main.tf").is_file())


def folder_id(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


def local_sources(folder: Path, seen: set[Path] | None = None) -> set[Path]:
    """The folder and every local module it sources, recursively (what `validate` reads)."""
    seen = seen if seen is not None else set()
    seen.add(folder.resolve())
    for source in hcl.read(folder).module_sources:
        target = (folder / source).resolve()
        if source.startswith(".") and target.is_dir() and target not in seen:
            local_sources(target, seen)
    return seen


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # nice: these are CPU work with no deadline; the applies of the test run have provider waits to keep
    return subprocess.run(["nice", "-n", "10", *cmd], cwd=cwd, env=tf_env(), capture_output=True, text=True,
                          timeout=600)


def _cached(kind: str, paths: list[Path], check) -> list[str]:
    marker = settings.CACHE / "verdicts" / f"{kind}-{content_hash(sorted(paths), [kind, terraform_version()])}"
    if marker.exists():
        return []
    problems = check()
    if not problems:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def validate(folder: Path, tree: Path) -> list[str]:
    def check() -> list[str]:
        copy = tree / folder.relative_to(settings.ROOT)
        aliases = hcl.read(copy).configuration_aliases
        if aliases:  # a module that takes aliased providers validates only with them configured
            (copy / "zz_validate_providers.tf").write_text("".join(
                f'provider "aws" {{\n  alias = "{a}"\n}}\n' for a in aliases))
        try:
            tf = str(terraform_binary())
            init = _run([tf, "init", "-backend=false", "-input=false"], copy)
            if init.returncode:
                return [f"terraform init failed: {init.stdout}{init.stderr}"]
            result = json.loads(_run([tf, "validate", "-json"], copy).stdout)
        finally:
            (copy / "zz_validate_providers.tf").unlink(missing_ok=True)
        problems = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}" for d in result["diagnostics"]]
        return [p for p in problems if p.startswith("error")] or ([] if result["valid"] else problems)

    return _cached("validate", sorted(local_sources(folder)), check)


def checkov() -> list[str]:
    def check() -> list[str]:
        binary = shutil.which("checkov", path=str(settings.ROOT / ".venv-checkov" / "bin")) or "checkov"
        proc = _run([binary, "--config-file", ".checkov.yaml", "-d", "modules", "-d", "environments"], settings.ROOT)
        return [] if proc.returncode == 0 else [proc.stdout[-8000:] + proc.stderr[-2000:]]

    return _cached("checkov", [settings.ROOT / "modules", settings.ROOT / "environments",
                               settings.ROOT / ".checkov.yaml"], check)


def verdicts(workdir: Path) -> dict[str, list[str]]:
    """folder id (or "checkov") -> problems; two at a time, beside the rest of the test run, in a copy of the
    tree of their own (validate writes into the folders it checks)."""
    tree = copy_tree(workdir)
    folders = modules() + environments()
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip([folder_id(f) for f in folders], pool.map(lambda f: validate(f, tree), folders),
                         strict=True))
        found["checkov"] = checkov()
    return found
