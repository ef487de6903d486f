"""An environment (`environments/<name>`) applied to the saved emulator: the Makefile's plan/apply/destroy,
the demo and the emulator lifecycle test all go through here.

Its working copy and its Terraform state live in the emulator's folder (`<run dir>/work/<name>`,
`<run dir>/state/<name>.tfstate`): the state describes resources that exist only in that emulator, so it
goes where the emulator goes (moved aside with it when the emulator is replaced).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from harness import emulator as emulator_mod
from harness.root import Root, copy_tree


def working_copy(dest: Path) -> Path:
    """A fresh copy of the tree in `dest`, keeping the `.terraform` folders of earlier runs (init is quick then)."""
    kept = {}
    if dest.exists():
        for dot in dest.glob("environments/*/.terraform"):
            aside = dest.parent / f".{dest.name}-{dot.parent.name}-terraform"
            shutil.rmtree(aside, ignore_errors=True)
            dot.rename(aside)
            kept[dot] = aside
        shutil.rmtree(dest)
    copy_tree(dest)
    for dot, aside in kept.items():
        if dot.parent.exists():
            aside.rename(dot)
        else:
            shutil.rmtree(aside, ignore_errors=True)
    return dest


def on_emulator(name: str, emu: emulator_mod.Emulator, account: str = emulator_mod.DEFAULT_ACCOUNT) -> Root:
    """environments/<name> ready to run against `emu`: a working copy, the emulator override, its state file."""
    base = Path(emu.run_dir)
    tree = working_copy(base / "work" / name)
    root = Root(tree / "environments" / name)
    state = base / "state" / f"{name}.tfstate"
    state.parent.mkdir(parents=True, exist_ok=True)
    root.target_emulator(emu, account=account, state_path=state)
    return root
