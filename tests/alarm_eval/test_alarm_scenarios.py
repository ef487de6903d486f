"""tests/alarm_scenarios/: every scenario passes against the prod plan of the current code, and together they cover
every alarm kind the plan has (a scenario that fires and one that stays quiet per kind): 100 %, or the test names
the kinds that lack one."""

from __future__ import annotations

from pathlib import Path

import pytest

from alarm_eval import coverage, load_scenario, run
from alarm_eval.plan import from_document
from alarm_eval.report import to_table
from alarm_eval.topology import build

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "alarm_scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def prod_topology(environment_plans):
    return build(from_document(environment_plans["prod"].doc))


@pytest.fixture(scope="module")
def results(prod_topology):
    return {path.name: run(prod_topology, load_scenario(path)) for path in SCENARIOS}


@pytest.mark.plan
@pytest.mark.parametrize("name", [p.name for p in SCENARIOS])
def test_scenario_passes_against_the_prod_plan(results, name):
    result = results[name]
    assert result.passed, to_table(result)


@pytest.mark.plan
def test_the_scenarios_cover_every_alarm_kind_of_prod(prod_topology, results):
    cov = coverage(prod_topology, list(results.values()))
    missing = {
        k.kind: ("fires" if not k.fires else "") + (" quiet" if not k.quiet else "") for k in cov.kinds if not k.covered
    }
    assert not missing, f"kinds without a scenario (what they lack): {missing}"
    assert len(cov.kinds) >= 9


@pytest.mark.plan
def test_band_results_are_marked_approximate_in_every_report(results):
    result = results["volume_drop.yaml"]
    assert result.approximate and "~ " in to_table(result)
    assert all(n.approximate for n in result.notifications if "volume-anomaly" in n.origin)
