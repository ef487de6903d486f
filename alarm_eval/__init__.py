"""alarm_eval: evaluate the CloudWatch alarms of a Terraform plan over scenario data, the way CloudWatch does.

    from alarm_eval import load_topology, load_scenario, run
    result = run(load_topology("plan.json"), load_scenario("scenario.yaml"))

See alarm_eval/README.md for the scenario format and the semantics (and their documented sources).
"""

from __future__ import annotations

from pathlib import Path

from alarm_eval.engine import run
from alarm_eval.errors import InputError
from alarm_eval.kinds import classify, coverage
from alarm_eval.model import Topology
from alarm_eval.plan import load as load_plan
from alarm_eval.results import Result
from alarm_eval.scenario import Scenario
from alarm_eval.scenario import load as load_scenario
from alarm_eval.topology import build


def load_topology(path: str | Path) -> Topology:
    return build(load_plan(path))


__all__ = [
    "InputError",
    "Result",
    "Scenario",
    "Topology",
    "classify",
    "coverage",
    "load_scenario",
    "load_topology",
    "run",
]
