"""The harness's command line (what the Makefile runs).

    python -m harness emulator up|down|status|env     start/stop the saved emulator, say what runs, export lines
    python -m harness plan|apply|destroy|output --env dev [--target aws] [-- terraform args]
    python -m harness plan-json --env prod [--out build/plans/prod.json]   the plan as on AWS, as JSON
    python -m harness cli-config                       write the Terraform CLI config, print its path

On the emulator (the default target), plan/apply/destroy/output run against the saved emulator of
`make emulator-up`, starting one when none answers; its folder keeps each environment's state.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from harness import emulator as emulator_mod
from harness import gaps, settings
from harness.environments import on_emulator
from harness.root import Root, cli_config, copy_tree, terraform_binary, tf_env

TERRAFORM_ARGS = {"plan": ["plan"], "apply": ["apply", "-auto-approve"], "destroy": ["destroy", "-auto-approve"],
                  "output": ["output"]}


def _environments() -> list[str]:
    return sorted(p.name for p in (settings.ROOT / "environments").iterdir() if (p / "main.tf").is_file())


def emulator_command(action: str) -> int:
    if action == "up":
        emu = emulator_mod.ensure_running(started_by="make emulator-up")
        print(f"LocalStack: {emu.localstack_url}")
        for svc, url in sorted(emu.routes.items()):
            print(f"  {svc:<14} -> moto {url}")
        print(f"saved: {emulator_mod.run_dir()}\nin another shell: source {emulator_mod.run_dir() / 'env.sh'}\n"
              "stop it with: make emulator-down")
        return 0
    if action == "down":
        return emulator_mod.down()
    if action == "status":
        lines, ok = emulator_mod.status_lines()
        print("\n".join(lines))
        return 0 if ok else 1
    emu = emulator_mod.running()  # env
    if not emu:
        print("echo 'emulator not running: make emulator-up' >&2; false")
        return 1
    print("".join(f"export {k}={v}\n" for k, v in emu.shell_env().items()), end="")
    return 0


def on_aws(command: str, env_name: str, extra: list[str]) -> int:
    folder = settings.ROOT / "environments" / env_name
    backend = folder / "backend.hcl"
    if not backend.exists():
        print(f"{backend} is missing: copy backend.hcl.example there and fill in your state bucket.", file=sys.stderr)
        return 2
    tf = shutil.which("terraform")
    init = subprocess.run([tf, "init", "-input=false", f"-backend-config={backend.name}"], cwd=folder, env=tf_env())
    if init.returncode:
        return init.returncode
    # interactive on purpose: real AWS gets terraform's own confirmation prompt
    args = {"apply": ["apply"], "destroy": ["destroy"]}.get(command, TERRAFORM_ARGS[command])
    return subprocess.run([tf, *args, *extra], cwd=folder, env=tf_env()).returncode


def on_the_emulator(command: str, env_name: str, extra: list[str]) -> int:
    emu = emulator_mod.ensure_running(started_by=f"make {command} ENV={env_name}")
    root = on_emulator(env_name, emu)
    tf = str(terraform_binary())
    init = subprocess.run([tf, "init", "-input=false"], cwd=root.path, env=root.env, stdout=subprocess.DEVNULL)
    if init.returncode:
        return init.returncode
    color = [] if sys.stdout.isatty() else ["-no-color"]
    rc = subprocess.run([tf, *TERRAFORM_ARGS[command], *color, *extra], cwd=root.path, env=root.env).returncode
    print(f"(emulator {emu.localstack_url}, state {root.state_file})")
    return rc


def plan_json(env_name: str, out: Path) -> int:
    """What the environment would create on AWS (every feature on, AWS's alarm periods), as plan JSON."""
    emu = emulator_mod.ensure_running(started_by=f"make cost ({env_name})")
    tree = copy_tree(Path(emu.run_dir) / "plans" / env_name)
    root = Root(tree / "environments" / env_name)
    root.target_emulator(emu, account=emulator_mod.DEFAULT_ACCOUNT, state_path=tree / "plan-only.tfstate",
                         as_on_aws=True)
    plan = root.plan(tf_vars=gaps.plan_values(root.path), cache=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan.doc))
    print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cli-config", help="write the Terraform CLI config and print its path")
    emu = sub.add_parser("emulator", help="the saved emulator of this checkout")
    emu.add_argument("action", choices=["up", "down", "status", "env"])
    for name in ("plan", "apply", "destroy", "output", "plan-json"):
        cmd = sub.add_parser(name, help=f"terraform {name} of an environment")
        cmd.add_argument("--env", default="dev", choices=_environments())
        if name == "plan-json":
            cmd.add_argument("--out", type=Path, help="where to write the plan JSON")
        else:
            cmd.add_argument("--target", default="emulator", choices=["emulator", "aws"])
            cmd.add_argument("extra", nargs="*", help="more terraform arguments (after --)")
    args = parser.parse_args(argv)
    if args.command == "cli-config":
        print(cli_config())
        return 0
    if args.command == "emulator":
        return emulator_command(args.action)
    if args.command == "plan-json":
        return plan_json(args.env, args.out or settings.ROOT / "build" / "plans" / f"{args.env}.json")
    if args.target == "aws":
        return on_aws(args.command, args.env, args.extra)
    return on_the_emulator(args.command, args.env, args.extra)
