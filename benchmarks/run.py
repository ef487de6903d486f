"""`make bench`: wall time of each test tier, of the whole suite cold and warm, and of the dev environment's
apply / re-plan / destroy on an emulator of its own. Prints a table and writes benchmarks/results/suite.md.

    python benchmarks/run.py                 # everything (about 20 minutes on 2 cores)
    python benchmarks/run.py --only suite    # the whole suite, cold then warm
    python benchmarks/run.py --only tiers    # each tier alone (warm caches)
    python benchmarks/run.py --only env      # the dev environment alone

"Cold" is a fresh clone with the virtualenvs cached: the plan, negative-plan and verdict caches are emptied
first. "Warm" is the second run on an unchanged tree. Nothing else should run on the machine meanwhile.
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
from harness.root import Root, copy_tree  # noqa: E402
from harness.settings import CACHE  # noqa: E402

TIERS = ["static", "plan", "negative", "apply", "e2e", "python"]
CACHES = ("plans", "verdicts", "negative")


def timed(cmd: list[str]) -> tuple[float, int, str]:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    tail = (proc.stdout.strip().splitlines() or [""])[-1].strip("= ")
    return time.monotonic() - start, proc.returncode, tail


def pytest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def bench_suite(rows: list[tuple[str, str, str]]) -> None:
    for sub in CACHES:
        shutil.rmtree(CACHE / sub, ignore_errors=True)
    for label in ("cold", "warm"):
        secs, rc, tail = timed(["make", "--no-print-directory", "test"])
        rows.append((f"make test, {label}", f"{secs:.0f} s", tail if rc == 0 else f"FAILED: {tail}"))


def bench_tiers(rows: list[tuple[str, str, str]]) -> None:
    for tier in TIERS:
        secs, rc, tail = timed(pytest_cmd("-m", tier))
        rows.append((f"tier {tier}", f"{secs:.0f} s", tail if rc in (0, 5) else f"FAILED: {tail}"))


def bench_dev_environment(rows: list[tuple[str, str, str]]) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="gluemon-bench-"))
    start = time.monotonic()
    emu = emulator_mod.start(run_dir / "emulator", progress=lambda _m: None)
    rows.append(("emulator start (LocalStack + moto)", f"{time.monotonic() - start:.1f} s", ""))
    try:
        tree = copy_tree(run_dir / "tree")
        root = Root(tree / "environments" / "dev")
        root.target_emulator(emu, account="200000000001", state_path=run_dir / "dev.tfstate")
        for name, action in [("init", root.init), ("apply", root.apply), ("re-plan", root.changes),
                             ("destroy", root.destroy)]:
            start = time.monotonic()
            result = action()
            note = f"{len(result)} changes" if name == "re-plan" else ""
            rows.append((f"dev environment: {name}", f"{time.monotonic() - start:.1f} s", note))
    finally:
        emulator_mod.stop(emu, progress=lambda _m: None)
        shutil.rmtree(run_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["suite", "tiers", "env"], help="run one part only")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    if args.only in (None, "env"):
        bench_dev_environment(rows)
    if args.only in (None, "suite"):
        bench_suite(rows)
    if args.only in (None, "tiers"):
        bench_tiers(rows)
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'what':<{width}} | wall time | note |", f"|{'-' * (width + 2)}|-----------|------|"]
    lines += [f"| {name:<{width}} | {secs:>9} | {note} |" for name, secs, note in rows]
    header = f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs.\n\n"
    print(header + "\n".join(lines))
    out = ROOT / "benchmarks" / "results" / ("suite.md" if args.only is None else f"suite-{args.only}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
