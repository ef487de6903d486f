"""`make bench`: wall time of each test tier, of the whole suite, and of the dev environment's
apply / re-plan / destroy on the embedded emulator. Prints a table and writes benchmarks/results/suite.md.

    python benchmarks/run.py            # warm caches (what a developer sees on the second run)
    python benchmarks/run.py --cold     # clear the plan and verdict caches first
    python benchmarks/run.py --only env # just the dev environment
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import emulator as emulator_mod  # noqa: E402
from harness.paths import CACHE  # noqa: E402
from harness.terraform import Root, copy_tree  # noqa: E402

TIERS = ["static", "plan", "negative", "apply", "e2e", "python"]


def timed(cmd: list[str]) -> tuple[float, int, str]:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    return time.monotonic() - start, proc.returncode, tail


def bench_tiers(rows: list[tuple[str, str, str]]) -> None:
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    for tier in TIERS:
        secs, rc, tail = timed([*pytest, "-m", tier])
        rows.append((f"tier {tier}", f"{secs:.1f} s", tail if rc in (0, 5) else f"FAILED: {tail}"))
    secs, rc, tail = timed(pytest)
    rows.append(("make test (all tiers)", f"{secs:.1f} s", tail if rc == 0 else f"FAILED: {tail}"))


def bench_dev_environment(rows: list[tuple[str, str, str]]) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="gluemon-bench-"))
    emu = emulator_mod.start(run_dir / "emulator", progress=lambda _m: None)
    try:
        tree = copy_tree(run_dir / "tree")
        root = Root(tree / "environments" / "dev")
        root.target_emulator(emu, account="200000000001", state_path=run_dir / "dev.tfstate")
        tf_vars = {"alarm_period_seconds": 10}
        for name, action in [("init", root.init), ("apply", lambda: root.apply(tf_vars=tf_vars)),
                             ("re-plan", lambda: root.changes(tf_vars=tf_vars)),
                             ("destroy", lambda: root.destroy(tf_vars=tf_vars))]:
            start = time.monotonic()
            result = action()
            note = f"{len(result)} changes" if name == "re-plan" else ""
            rows.append((f"dev environment: {name}", f"{time.monotonic() - start:.1f} s", note))
    finally:
        emulator_mod.stop(emu, progress=lambda _m: None)
        shutil.rmtree(run_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="clear the plan and verdict caches first")
    parser.add_argument("--only", choices=["tiers", "env"], help="run one part only")
    args = parser.parse_args()
    if args.cold:
        for sub in ("plans", "verdicts", "negative"):
            shutil.rmtree(CACHE / sub, ignore_errors=True)
    rows: list[tuple[str, str, str]] = []
    if args.only in (None, "env"):
        bench_dev_environment(rows)
    if args.only in (None, "tiers"):
        bench_tiers(rows)
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'what':<{width}} | wall time | note |", f"|{'-' * (width + 2)}|-----------|------|"]
    lines += [f"| {name:<{width}} | {secs:>9} | {note} |" for name, secs, note in rows]
    header = (f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs"
              f"{' (cold caches)' if args.cold else ' (warm caches)'}.\n\n")
    print(header + "\n".join(lines))
    out = ROOT / "benchmarks" / "results" / "suite.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
