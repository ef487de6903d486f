"""Static tier: terraform fmt and validate, checkov, README tables, tflint when installed, ruff.

validate and checkov run in the background of the session (harness.static) and are cached by the content
of what they read, so an unchanged module costs nothing on the next run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from harness import hcl, static
from harness.docs import render
from harness.root import terraform_binary, tf_env
from harness.settings import ROOT

pytestmark = pytest.mark.static
FOLDERS = static.modules() + static.environments()
TF_FILES = sorted(p for part in ("modules", "environments") for p in (ROOT / part).rglob("*.tf")
                  if ".terraform" not in p.parts)


def _run(cmd, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=tf_env(), capture_output=True, text=True, timeout=600)


def test_terraform_fmt():
    proc = _run([str(terraform_binary()), "fmt", "-check", "-recursive", "-diff", "modules", "environments"], ROOT)
    assert proc.returncode == 0, f"terraform fmt would change:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("folder", FOLDERS, ids=static.folder_id)
def test_terraform_validate(folder, static_verdicts):
    problems = static_verdicts[static.folder_id(folder)]
    assert not problems, "\n".join(problems)


def test_checkov(static_verdicts):
    problems = static_verdicts["checkov"]
    assert not problems, "checkov findings (fix, or skip inline with a reason):\n" + "\n".join(problems)


def test_every_terraform_file_parses_with_the_harness_reader():
    """The harness reads variables, providers and sources with python-hcl2: a file it cannot parse would
    silently drop out of the README tables and the convention checks."""
    unreadable = {}
    for path in TF_FILES:
        try:
            hcl.read(path.parent)
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            unreadable[str(path.relative_to(ROOT))] = str(exc).splitlines()[0]
    assert not unreadable, unreadable


@pytest.mark.parametrize("module", static.modules(), ids=lambda p: p.name)
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


def test_pre_commit_hooks_run_what_the_project_has():
    """.pre-commit-config.yaml's local hooks call the project's own tools: a renamed module breaks them silently."""
    import importlib.util

    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    local = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]]
    assert {h["id"] for h in local} >= {"terraform-fmt", "terraform-validate-and-checkov", "ruff"}
    for hook in local:
        words = hook["entry"].split()
        if words[0] == "terraform":
            continue
        assert words[0] == ".venv/bin/python" and words[1] == "-m", hook["id"]
        assert importlib.util.find_spec(words[2]) is not None, f"{hook['id']}: no module {words[2]}"
