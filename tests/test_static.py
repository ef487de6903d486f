"""Static tier: terraform fmt and validate, checkov, README tables, tflint when installed, ruff.

validate and checkov results are cached by the content of what they read, so an unchanged module costs
nothing on the next run (each `terraform validate` costs ~7 s of CPU for the provider's start-up).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from harness.bundle import module_aliases
from harness.docs import render
from harness.paths import CACHE, ROOT
from harness.terraform import content_hash, terraform_binary, terraform_version, tf_env

pytestmark = pytest.mark.static
MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file())
ENVIRONMENTS = sorted(p for p in (ROOT / "environments").iterdir() if (p / "main.tf").is_file())


def _local_sources(folder, seen=None) -> set:
    """The folder and every local module it sources, recursively (what `validate` reads)."""
    seen = seen if seen is not None else set()
    seen.add(folder.resolve())
    for tf in folder.glob("*.tf"):
        for src in re.findall(r'source\s*=\s*"(\.\.?/[^"]+)"', tf.read_text()):
            target = (folder / src).resolve()
            if target.is_dir() and target not in seen:
                _local_sources(target, seen)
    return seen


def _cached(kind: str, paths, run) -> None:
    marker = CACHE / "verdicts" / f"{kind}-{content_hash(sorted(paths), [kind, terraform_version()])}"
    if marker.exists():
        return
    run()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def _run(cmd, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env or tf_env(), capture_output=True, text=True, timeout=600)


def test_terraform_fmt():
    proc = _run([str(terraform_binary()), "fmt", "-check", "-recursive", "-diff", "modules", "environments"], ROOT)
    assert proc.returncode == 0, f"terraform fmt would change:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("folder", MODULES + ENVIRONMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_terraform_validate(folder, tree):
    def validate():
        copy = tree / folder.relative_to(ROOT)
        aliases = module_aliases(copy)
        if aliases:  # a module that takes aliased providers validates only with them configured
            (copy / "zz_validate_providers.tf").write_text("".join(
                f'provider "aws" {{\n  alias = "{a}"\n}}\n' for a in aliases))
        tf = str(terraform_binary())
        init = _run([tf, "init", "-backend=false", "-input=false"], copy)
        assert init.returncode == 0, init.stdout + init.stderr
        proc = _run([tf, "validate", "-json"], copy)
        result = json.loads(proc.stdout)
        problems = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}" for d in result["diagnostics"]]
        assert result["valid"] and not [p for p in problems if p.startswith("error")], "\n".join(problems)
        (copy / "zz_validate_providers.tf").unlink(missing_ok=True)

    _cached("validate", _local_sources(folder), validate)


def test_checkov():
    def scan():
        checkov = shutil.which("checkov", path=str(ROOT / ".venv" / "bin")) or "checkov"
        proc = _run([checkov, "--config-file", ".checkov.yaml", "-d", "modules", "-d", "environments"], ROOT)
        assert proc.returncode == 0, f"checkov findings (fix, or skip inline with a reason):\n{proc.stdout[-8000:]}"

    _cached("checkov", [ROOT / "modules", ROOT / "environments", ROOT / ".checkov.yaml"], scan)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_readme_has_purpose_example_and_current_tables(module):
    readme = (module / "README.md").read_text() if (module / "README.md").exists() else ""
    assert readme.startswith("# ") and "```hcl" in readme, f"{module.name}/README.md needs a title and a usage example"
    assert render(readme, module) == readme, f"{module.name}/README.md tables are out of date: python -m harness.docs"
    assert any((module / "examples").glob("*/main.tf")), f"{module.name} has no example under examples/"


def test_tflint():
    tflint = shutil.which("tflint")
    if not tflint:
        pytest.skip("tflint is not installed (it cannot be installed on these machines); .tflint.hcl is kept for it")
    init = _run([tflint, "--init"], ROOT)
    assert init.returncode == 0, init.stdout + init.stderr
    proc = _run([tflint, "--recursive", "--config", str(ROOT / ".tflint.hcl")], ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_python_lint():
    proc = _run([sys.executable, "-m", "ruff", "check", "."], ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
