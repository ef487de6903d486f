"""The suite's session: one process, one emulator, and the slow work in the background.

How a run goes (`make test`):
1. `pytest_configure` starts the emulator of this run (LocalStack + moto; it dies with pytest).
2. Collection: each test's background needs are read from the fixtures it asks for (`examples_plan`,
   `negative_diagnostics`, `static_verdicts`, `applied_examples`, `environment` with its parameter,
   the e2e scenarios, `readme_sequence`). The tests are put in the order their needs will be
   ready: first the ones that need nothing (Python, ruff, README tables), then plans, then applied roots.
3. `pytest_collection_finish` starts every needed background task at once (harness.lifecycle): the cached
   plans, validate and checkov, and the applies of the examples bundle, prod and the README sequence (dev
   and staging through the Makefile on an emulator of their own). Each root is applied in its own emulator
   account, so they run side by side. The slow end-to-end paths (waiting for
   the emulator to evaluate alarms and deliver notifications) run in the background too, as soon as their
   root is applied (tests/e2e/scenarios.py); their tests assert on what they recorded.
4. A root is destroyed as soon as its last test has run; `test_destroy.py` checks, at the end, that each
   destroy left nothing behind. Whatever a run leaves undone is finished in `pytest_sessionfinish`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import emulator as emulator_mod
from harness import gaps, static
from harness.bundle import build_examples_bundle, discover_examples, load_negative_cases, plan_diagnostics
from harness.lifecycle import RootLifecycle, Task
from harness.root import Root, copy_tree
from harness.sequence import ReadmeSequence

EXAMPLES_ACCOUNT = "100000000001"
NEGATIVE_ACCOUNT = "100000000002"
PROD_ACCOUNT = "100000000013"
UPGRADE_ACCOUNT = "100000000021"
SHARED_PLAN_ACCOUNT = "100000000031"  # the environments planned as if they shared one account

# Background work, by the fixture that waits for it, in the order the tests that need it run.
BACKGROUND = (
    "static_verdicts", "examples_plan", "readme_plan", "environment_plans", "negative_diagnostics",
    "applied_examples", "environment:prod", "localstack_differential", "job_alerts_record", "dlq_alert",
    "environment:staging", "environment:dev", "readme_sequence", "upgrade", "destroyed",
)
# The slow end-to-end paths (tests/e2e/scenarios.py): fixture -> the root they run on (None: the emulator alone)
# and the function that runs them, in the background, as soon as that root is applied.
SCENARIOS = {
    "dlq_alert": ("environment:prod", "dlq_alert"),
    "job_alerts_record": ("applied_examples", "job_alerts"),
    "localstack_differential": (None, "localstack_differential"),
}


@dataclass
class Suite:
    """What the session runs in the background, shared by the hooks and the fixtures."""

    run_dir: Path
    emulator: emulator_mod.Emulator
    tree: Path | None = None
    needs: dict[str, list[str]] = field(default_factory=dict)  # test nodeid -> background names
    tasks: dict[str, Task] = field(default_factory=dict)
    roots: dict[str, RootLifecycle] = field(default_factory=dict)
    sequence: ReadmeSequence | None = None


SUITE = pytest.StashKey[Suite]()


def needs_of(item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    found = [n for n in BACKGROUND if n in names]
    if "environment" in names and hasattr(item, "callspec"):
        found.append(f"environment:{item.callspec.params['environment']}")
    return found


# -- session ---------------------------------------------------------------------------------------------------

def pytest_configure(config):
    if config.option.collectonly:
        return
    run_dir = Path(tempfile.mkdtemp(prefix="gluemon-run-"))
    emu = emulator_mod.start(run_dir / "emulator", started_by=f"make test (pid {os.getpid()})",
                             progress=lambda m: print(m, flush=True))
    emu.save(run_dir / "emulator.json")
    config.stash[SUITE] = Suite(run_dir, emu)


def pytest_collection_modifyitems(config, items):
    order = {name: rank for rank, name in enumerate(BACKGROUND, start=1)}
    for item in items:
        if {"applied_examples", "environment"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.apply)
    # tests whose background work is ready first run first (a stable sort keeps the file order within a rank)
    items.sort(key=lambda item: max((order[n] for n in needs_of(item)), default=0))


def pytest_collection_finish(session):
    suite = session.config.stash.get(SUITE, None)
    if suite is None:
        return
    for item in session.items:
        suite.needs[item.nodeid] = needs_of(item)
    wanted = {n for needs in suite.needs.values() for n in needs}
    if not wanted:
        return
    build_artifacts()
    suite.tree = copy_tree(suite.run_dir / "tree")
    start_background(suite, wanted, session.items)


def build_artifacts() -> None:
    """What the roots deploy: the Lambda zips and the job framework's package (deterministic, atomic)."""
    from tools.build_glue_package import build as build_glue_package
    from tools.build_lambdas import build as build_lambdas

    build_lambdas()
    build_glue_package()


def start_background(suite: Suite, wanted: set[str], items) -> None:
    emu, tree = suite.emulator, suite.tree
    examples = discover_examples()
    users = {name: sum(name in suite.needs[i.nodeid] for i in items) for name in wanted}
    for scenario in wanted & SCENARIOS.keys():  # a scenario keeps its root applied until it has run
        root = SCENARIOS[scenario][0]
        if root:
            wanted.add(root)
            users[root] = users.get(root, 0) + 1

    if "static_verdicts" in wanted:
        validate_tree = suite.run_dir / "validate-tree"
        suite.tasks["static_verdicts"] = Task("validate and checkov", lambda: static.verdicts(validate_tree)).start()
    if "examples_plan" in wanted:
        def plan_examples():
            root = Root(build_examples_bundle(copy_tree(suite.run_dir / "plan-tree"), examples))
            root.target_emulator(emu, account=EXAMPLES_ACCOUNT)
            return root.plan(tf_vars=gaps.plan_values(root.path) or None, cache=True)
        suite.tasks["examples_plan"] = Task("plan of the examples", plan_examples).start()
    if "readme_plan" in wanted:
        def plan_readmes():
            from harness.readme_examples import write_readme_examples

            readme_tree = copy_tree(suite.run_dir / "readme-tree")
            root = Root(build_examples_bundle(readme_tree, write_readme_examples(readme_tree)))
            root.target_emulator(emu, account=EXAMPLES_ACCOUNT)
            try:
                return root.plan(tf_vars=gaps.plan_values(root.path) or None, cache=True), ""
            except Exception as exc:  # noqa: BLE001 - each README's test shows the errors of its own example
                return None, str(exc.args[-1] if exc.args else exc)
        suite.tasks["readme_plan"] = Task("plan of the README examples", plan_readmes).start()
    if "environment_plans" in wanted:
        def plan_environments():
            plans, plan_tree = {}, copy_tree(suite.run_dir / "plan-environments")
            for env in static.environments():
                root = Root(plan_tree / "environments" / env.name)
                root.target_emulator(emu, account=SHARED_PLAN_ACCOUNT, as_on_aws=True)
                plans[env.name] = root.plan(tf_vars=gaps.plan_values(root.path) or None, cache=True)
            return plans
        suite.tasks["environment_plans"] = Task("plans of the environments", plan_environments).start()
    if "negative_diagnostics" in wanted:
        def negative():
            return plan_diagnostics(copy_tree(suite.run_dir / "negative-tree"), load_negative_cases(),
                                    lambda root: root.target_emulator(emu, account=NEGATIVE_ACCOUNT))
        suite.tasks["negative_diagnostics"] = Task("negative plans", negative).start()

    def lifecycle(name, make_root, account, prefixes, tf_vars=None):
        suite.roots[name] = RootLifecycle(name, make_root, emu, account, prefixes, tf_vars)
        suite.roots[name].users = users[name]
        suite.roots[name].start()

    if "applied_examples" in wanted:
        def examples_root():
            root = Root(build_examples_bundle(tree, [e for e in examples if e.applied]))
            root.target_emulator(emu, account=EXAMPLES_ACCOUNT)
            return root
        lifecycle("applied_examples", examples_root, EXAMPLES_ACCOUNT, ("ex-",))
    if "environment:prod" in wanted:
        def prod_root():
            root = Root(tree / "environments" / "prod")
            root.target_emulator(emu, account=PROD_ACCOUNT, state_path=tree / "prod.tfstate")
            return root
        # 10 s alarm periods: LocalStack evaluates once per period, and the DLQ scenario waits for an alarm
        lifecycle("environment:prod", prod_root, PROD_ACCOUNT, ("glue-etl-prod", "audit_trail_prod"),
                  {"alarm_period_seconds": 10})
    for scenario in sorted(wanted & SCENARIOS.keys()):
        root_name, function = SCENARIOS[scenario]
        suite.tasks[scenario] = Task(scenario, lambda r=root_name, f=function: run_scenario(suite, r, f)).start()

    if "upgrade" in wanted:
        from harness.upgrade import upgrade

        suite.tasks["upgrade"] = Task("the upgrade from the previous release",
                                      lambda: upgrade(emu, suite.run_dir, UPGRADE_ACCOUNT)).start()

    sequence_envs = {env: users.get(f"environment:{env}", 0) for env in ("staging", "dev")}
    if any(sequence_envs.values()) or "readme_sequence" in wanted:
        suite.sequence = ReadmeSequence(suite.run_dir / "readme-sequence", sequence_envs)
        suite.tasks["readme_sequence"] = Task("the README sequence", suite.sequence.run).start()


def run_scenario(suite: Suite, root_name: str | None, function: str):
    from e2e import scenarios

    if root_name is None:
        return getattr(scenarios, function)(suite.emulator)
    root = suite.roots[root_name]
    try:
        return getattr(scenarios, function)(root.wait())
    finally:
        root.release()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    yield
    suite = item.config.stash.get(SUITE, None)
    if suite is None:
        return
    for name in suite.needs.get(item.nodeid, []):
        if name in suite.roots:
            suite.roots[name].release()
        elif name.startswith("environment:") and suite.sequence:
            suite.sequence.release(name.split(":", 1)[1])


def pytest_sessionfinish(session):
    """Finish what the run left undone (destroys after a failure or a narrow selection), so nothing leaks."""
    suite = session.config.stash.get(SUITE, None)
    if suite is None:
        return
    if suite.sequence:
        for env in ("staging", "dev"):
            suite.sequence._released[env].set()
    for name, lifecycle in suite.roots.items():
        try:
            left = lifecycle.finish()
            if left:
                print(f"\n{name}: destroy left {left}", flush=True)
        except Exception as exc:  # noqa: BLE001 - reported, the run's other results stand
            print(f"\n{name}: {exc}", flush=True)
    for name, task in suite.tasks.items():
        try:
            task.result(timeout=1800)
        except Exception as exc:  # noqa: BLE001
            if name == "readme_sequence":
                print(f"\nthe README sequence: {exc}", flush=True)


def pytest_unconfigure(config):
    suite = config.stash.get(SUITE, None)
    if suite is None:
        return
    emulator_mod.stop(suite.emulator, progress=lambda _m: None)
    if suite.sequence and not suite.sequence.down_done:  # the sequence's own emulator, whatever happened
        saved = emulator_mod.Emulator.load(suite.sequence.folder / "run" / "emulator.json")
        if saved:
            emulator_mod.stop_processes(saved.processes)
    shutil.rmtree(suite.run_dir, ignore_errors=True)


# -- fixtures ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def suite(request) -> Suite:
    return request.config.stash[SUITE]


@pytest.fixture(scope="session")
def emulator(suite):
    assert suite.emulator.healthy(), f"the emulator of this run does not answer: see its logs in {suite.run_dir}"
    return suite.emulator


@pytest.fixture(scope="session")
def tree(suite) -> Path:
    if suite.tree is None:
        build_artifacts()
        suite.tree = copy_tree(suite.run_dir / "tree")
    return suite.tree


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession (Spark 3.5, like Glue 5.0) for every test that needs one."""
    from glue_jobs.runtime import local_spark_session

    return local_spark_session("glue-etl-monitoring-tests", cores=2, shuffle_partitions=2)


@pytest.fixture(scope="session")
def examples():
    return discover_examples()


@pytest.fixture(scope="session")
def examples_plan(suite):
    """The plan of every example from nothing (emulator gaps switched on: plans create nothing)."""
    return suite.tasks["examples_plan"].result()


@pytest.fixture(scope="session")
def readme_plan(suite):
    """The plan of every module README's usage example (harness/readme_examples.py)."""
    return suite.tasks["readme_plan"].result()


@pytest.fixture(scope="session")
def environment_plans(suite):
    """Each environment's plan from nothing, as on AWS (every emulator gap on), all in one account."""
    return suite.tasks["environment_plans"].result()


@pytest.fixture(scope="session")
def negative_diagnostics(suite):
    return suite.tasks["negative_diagnostics"].result()


@pytest.fixture(scope="session")
def static_verdicts(suite):
    """Folder (or "checkov") -> the problems `terraform validate` or checkov found (cached by content)."""
    return suite.tasks["static_verdicts"].result()


@pytest.fixture(scope="session")
def applied_examples(suite):
    return suite.roots["applied_examples"].wait()


@pytest.fixture
def environment(request, suite):
    """An applied environment: parametrize `environment` with its name (indirect). prod is applied alone in
    its own account; dev and staging come from the README sequence (one account, through the Makefile)."""
    name = request.param
    if name in ("dev", "staging"):
        return suite.sequence.environment(name)
    return suite.roots[f"environment:{name}"].wait()


@pytest.fixture(scope="session")
def upgrade(suite):
    """dev applied with the previous release, then planned, applied and destroyed with this code (harness.upgrade)."""
    return suite.tasks["upgrade"].result()


@pytest.fixture(scope="session")
def dlq_alert(suite):
    return suite.tasks["dlq_alert"].result()


@pytest.fixture(scope="session")
def job_alerts_record(suite):
    return suite.tasks["job_alerts_record"].result()


@pytest.fixture(scope="session")
def localstack_differential(suite):
    return suite.tasks["localstack_differential"].result()


@pytest.fixture(scope="session")
def readme_sequence(suite):
    return suite.tasks["readme_sequence"].result()


@pytest.fixture(scope="session")
def destroyed(suite):
    """name -> what its destroy left behind, for every root this run applied (waits for the destroys)."""
    return {name: lifecycle.finish() for name, lifecycle in suite.roots.items()}
