"""Fixtures for the whole suite.

- `emulator`: one LocalStack (+ moto) for the whole run, shared by the xdist workers through a file lock;
  a running `make emulator-up` is reused instead.
- `tree`: a temporary copy of the checkout per worker, so roots never write into the working tree.
- `examples_root` / `examples_plan` / `applied_examples`: the examples bundle, planned once (cached by
  content) and applied once; destroy and the nothing-left check run when the session ends, also after
  failures.
- `environment(name)`: an environment applied once per session, destroyed the same way.

Tests that share an applied root or the SparkSession name one xdist_group at module level, so one worker runs them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests_env import ENV_TEST_VARS

from harness import emulator as emulator_mod
from harness.bundle import build_examples_bundle, discover_examples, gap_variables_on
from harness.leftovers import leftovers
from harness.terraform import Root, copy_tree

EXAMPLES_ACCOUNT = "100000000001"
ENV_ACCOUNTS = {"dev": "100000000011", "staging": "100000000012", "prod": "100000000013"}


def pytest_configure(config):
    """The controller (or a run without xdist) starts the emulator: it dies with the controller, and the
    workers attach to it through the state file in GLUEMON_RUN_DIR (an environment variable they inherit)."""
    if hasattr(config, "workerinput") or config.option.collectonly:
        return
    run_dir = Path(tempfile.mkdtemp(prefix="gluemon-run-"))
    config._gluemon_run_dir = str(run_dir)
    os.environ["GLUEMON_RUN_DIR"] = str(run_dir)
    if emulator_mod.running() is None:  # else `make emulator-up` left one for us
        emu = emulator_mod.start(run_dir / "emulator", progress=lambda m: print(m, flush=True))
        emu.save(run_dir / "emulator.json")


def pytest_unconfigure(config):
    run_dir = getattr(config, "_gluemon_run_dir", None)
    if not run_dir:
        return
    emu = emulator_mod.Emulator.load(Path(run_dir) / "emulator.json")
    if emu:
        emulator_mod.stop(emu, progress=lambda _m: None)
    shutil.rmtree(run_dir, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "applied_examples" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.apply)
    # Tests that share an applied root or a SparkSession name their xdist_group at module level
    # (pytestmark): "examples", "environments", "job-alerts", "glue_jobs".


@pytest.fixture(scope="session")
def emulator():
    emu = emulator_mod.running() or emulator_mod.Emulator.load(Path(os.environ["GLUEMON_RUN_DIR"]) / "emulator.json")
    assert emu and emu.healthy(), "the emulator started for this run does not answer: see its log in GLUEMON_RUN_DIR"
    return emu


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession (Spark 3.5, like Glue 5.0) for every test that needs one; its tests share a
    worker, so a run starts one JVM."""
    from glue_jobs.runtime import local_spark_session

    return local_spark_session("glue-etl-monitoring-tests", cores=2, shuffle_partitions=2)


@pytest.fixture(scope="session")
def tree(tmp_path_factory) -> Path:
    from tools.build_lambdas import build  # the Lambda zips the modules deploy (deterministic, atomic)

    build()
    return copy_tree(tmp_path_factory.mktemp("tree"))


# -- the examples bundle --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def examples():
    return discover_examples()


@pytest.fixture(scope="session")
def examples_root(tree, emulator, examples) -> Root:
    root = Root(build_examples_bundle(tree, examples))
    root.target_emulator(emulator, account=EXAMPLES_ACCOUNT)
    return root


@pytest.fixture(scope="session")
def examples_plan(tree, emulator, examples, tmp_path_factory):
    """The plan from nothing, in a copy of its own (the applied bundle's state would turn creates into no-ops),
    with the emulator gaps switched on: plans create nothing, so they cover those resources too."""
    root = Root(build_examples_bundle(copy_tree(tmp_path_factory.mktemp("plan-tree")), examples))
    root.target_emulator(emulator, account=EXAMPLES_ACCOUNT)
    return root.plan(tf_vars=gap_variables_on(root.path) or None, cache=True)


@dataclass
class Applied:
    """An applied root: its outputs, account and emulator, for boto3 checks."""

    root: Root
    emulator: emulator_mod.Emulator
    account: str
    outputs: dict = field(default_factory=dict)

    def client(self, service: str):
        return self.emulator.client(service, account=self.account)

    def example(self, module: str, name: str = "complete") -> dict:
        return self.outputs[f"{module}__{name}"]


def _apply_then_destroy(root: Root, emu, account: str, moto_prefixes: tuple[str, ...], tf_vars=None):
    applied = Applied(root, emu, account)
    try:
        root.apply(tf_vars=tf_vars)
        applied.outputs = root.outputs()
        yield applied
    finally:
        try:
            root.destroy(tf_vars=tf_vars)
        except Exception:
            print(f"\ndestroy failed: the root is kept at {root.path} for a look", flush=True)
            raise
        left = leftovers(emu, account, moto_prefixes)
        assert not left, f"destroy left {len(left)} resources behind: {left}"


@pytest.fixture(scope="session")
def applied_examples(examples_root, emulator):
    yield from _apply_then_destroy(examples_root, emulator, EXAMPLES_ACCOUNT, ("ex-",))


# -- environments -----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def environment(tree, emulator, request):
    """`environment("dev")` applies environments/dev once per session; destroyed at the session's end."""
    applied: dict[str, Applied | Exception] = {}

    def get(name: str) -> Applied:
        if name not in applied:
            root = Root(tree / "environments" / name)
            account = ENV_ACCOUNTS[name]
            root.target_emulator(emulator, account=account, state_path=tree / f"{name}.tfstate")
            gen = _apply_then_destroy(root, emulator, account, (f"glue-etl-{name}", f"audit_trail_{name}"),
                                       tf_vars=ENV_TEST_VARS)
            request.addfinalizer(lambda: next(gen, None))
            try:
                applied[name] = next(gen)
            except Exception as exc:  # the other tests of this environment fail with it, without re-applying
                applied[name] = exc
        if isinstance(applied[name], Exception):
            raise applied[name]
        return applied[name]

    return get
