"""The command line: reports, exit status (0 pass, 1 an expectation fails, 2 bad input), kinds and coverage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alarm_eval_support import FIXTURES

from alarm_eval.cli import main

pytestmark = pytest.mark.python

SCENARIOS = Path(__file__).parent / "scenarios"
PROD = str(FIXTURES / "prod_plan.json")
EXAMPLE = str(FIXTURES / "job_monitoring_example_plan.json")
BOTH = ["--scenario", str(SCENARIOS / "prod_job_failure.yaml"), "--scenario", str(SCENARIOS / "prod_quiet_day.yaml")]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_scenarios_exit_0_with_a_table_of_transitions_and_notifications(capsys):
    code, out, _ = cli(capsys, "--plan", PROD, *BOTH)
    assert code == 0
    assert "== job failure pages once: PASS" in out and "== quiet day: PASS" in out
    assert "+21m    glue-etl-prod-customer_import-job-failure-critical  events/triggered-rules  OK -> ALARM" in out
    assert "glue-etl-prod-critical: 4" in out


def test_a_failing_expectation_exits_1_and_says_what_happened(capsys, tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text((SCENARIOS / "prod_job_failure.yaml").read_text().replace("at: 21m", "at: 25m"))
    code, out, _ = cli(capsys, "--plan", PROD, "--scenario", str(scenario))
    assert code == 1
    assert "FAIL  glue-etl-prod-customer_import-job-failure-critical: transitions exactly" in out
    assert "got [INSUFFICIENT_DATA -> OK at +0s; OK -> ALARM at +21m; ALARM -> OK at +36m]" in out


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("start: 2026-01-01T00:00:00Z\nduration: 1h\nalarms: [nothing-like-this]\n", "matches no alarm of the plan"),
        ("start: 2026-01-01T00:00:00Z\nduration: 1h\ncolour: blue\n", "unknown key colour"),
        ("duration: 1h\n", "start is required"),
        ("start: 2026-01-01T00:00:00Z\nduration: ten minutes\n", "expected a duration"),
        (
            "start: 2026-01-01T00:00:00Z\nduration: 1h\nseries: [{namespace: a, metric: b, values: '1 x 2'}]\n",
            "is not a number",
        ),
        ("start: 2026-01-01T00:00:00Z\nduration: 1h\nexpect: {never_alarm: [no-such-alarm]}\n", "matches no alarm"),
        ("start: [unclosed\n", "not YAML"),
    ],
)
def test_bad_scenarios_exit_2_with_a_clear_message(capsys, tmp_path, scenario, message):
    path = tmp_path / "bad.yaml"
    path.write_text(scenario)
    code, out, err = cli(capsys, "--plan", PROD, "--scenario", str(path))
    assert code == 2 and out == ""
    assert err.startswith("alarm_eval: error: ") and message in err, err


def test_bad_plans_exit_2(capsys, tmp_path):
    not_json = tmp_path / "plan.json"
    not_json.write_text("plan: no")
    assert cli(capsys, "--plan", str(not_json), "--scenario", "x.yaml")[0] == 2
    assert cli(capsys, "--plan", str(tmp_path / "missing.json"), "kinds")[0] == 2
    not_a_plan = tmp_path / "other.json"
    not_a_plan.write_text('{"hello": 1}')
    code, _, err = cli(capsys, "--plan", str(not_a_plan), "kinds")
    assert code == 2 and "neither resource_changes" in err


def test_json_reports_mark_approximate_results(capsys):
    code, out, _ = cli(
        capsys,
        "--plan",
        EXAMPLE,
        "--scenario",
        str(SCENARIOS / "job_monitoring_volume_anomaly.yaml"),
        "--format",
        "json",
    )
    assert code == 0
    (report,) = json.loads(out)
    assert report["passed"] and report["approximate"]
    assert [t["to"] for t in report["transitions"]] == ["OK", "ALARM", "OK"]
    assert all(t["approximate"] for t in report["transitions"])
    assert all(n["approximate"] for n in report["notifications"])
    assert report["alarms"]["ex-job-monitoring-complete-orders_hourly-volume-anomaly-info"]["kind"] == "band/anomaly"
    message = json.loads(report["notifications"][1]["message"])
    assert message["NewStateValue"] == "ALARM" and message["Trigger"]["ThresholdMetricId"] == "band"


def test_table_reports_mark_approximate_results(capsys):
    _, out, _ = cli(capsys, "--plan", EXAMPLE, "--scenario", str(SCENARIOS / "job_monitoring_volume_anomaly.yaml"))
    assert "(~ marks approximate results: anomaly bands)" in out
    assert "~ ex-job-monitoring-complete-orders_hourly-volume-anomaly-info  band/anomaly  OK -> ALARM" in out


def test_kinds(capsys):
    code, out, _ = cli(capsys, "kinds", "--plan", PROD, "--format", "json")
    kinds = json.loads(out)
    assert code == 0 and len(kinds) == 31
    assert kinds["glue-etl-prod-customer_import-api-latency-warning"] == "metric/percentile"
    table = cli(capsys, "kinds", "--plan", PROD)[1]
    assert "     8  math/burn-rate" in table


def test_coverage_exits_1_until_every_kind_fires_and_stays_quiet(capsys):
    code, out, _ = cli(capsys, "coverage", "--plan", PROD, *BOTH, "--format", "json")
    report = json.loads(out)
    by_kind = {k["kind"]: k for k in report["kinds"]}
    assert code == 1 and not report["complete"]
    assert by_kind["events/triggered-rules"]["covered"]
    assert by_kind["events/triggered-rules"]["fires"] == [
        "job failure pages once: glue-etl-prod-customer_import-job-failure-critical"
    ]
    assert not by_kind["band/anomaly"]["fires"] and by_kind["band/anomaly"]["quiet"] == []
    assert "band/anomaly" in report["missing"]


def test_the_module_entry_point(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "alarm_eval", "kinds", "--plan", PROD],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.returncode == 0 and "events/triggered-rules" in done.stdout
