"""The log_groups module's metric filters over the lines the job framework really writes.

Three sources of lines, all through the patterns of modules/log_groups/main.tf (read from the module itself, and
compared with the prod plan's):
- lines written now by ``glue_jobs.logs`` exactly as the framework configures it, one per contract event;
- fixtures/customer_import_runs.jsonl: the stdout of two real runs of ``glue_jobs.examples.customer_import``
  (``--environment local``, at commit df445af): one that succeeds with 200 generated rows, one that fails on a
  missing input path. Regenerate with ``python -m glue_jobs.examples.customer_import --environment local
  --input_path <dir> --output_path <dir> --generate_sample 200 --audit_uri <dir>``;
- a live run of the example job on the suite's SparkSession.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from alarm_eval_support import FIXTURES

from alarm_eval import load_topology
from alarm_eval.engine import run
from alarm_eval.logfilter import datapoints
from alarm_eval.model import MetricFilter, metric_key
from alarm_eval.scenario import from_dict

pytestmark = pytest.mark.python

ROOT = Path(__file__).resolve().parents[2]
RUNS = FIXTURES / "customer_import_runs.jsonl"


def module_filters(namespace: str = "Glue/ETL/prod") -> list[MetricFilter]:
    """The metric filters modules/log_groups/main.tf declares for the contract's events."""
    text = (ROOT / "modules" / "log_groups" / "main.tf").read_text()
    block = re.search(r"job_metric_events\s*=\s*\{(.*?)\}", text, re.DOTALL)
    template = re.search(r'pattern\s*=\s*"(\{ \$\.event = \\"\$\{e\}\\" \})"', text)
    assert block and template, "log_groups/main.tf no longer declares job_metric_events and its pattern template"
    events = dict(re.findall(r'(\w+)\s*=\s*"(\w+)"', block.group(1)))
    pattern = template.group(1).replace('\\"', '"')
    return [
        MetricFilter(
            name=metric,
            log_group="/aws-glue/jobs/output",
            pattern=pattern.replace("${e}", event),
            metric_name=metric,
            namespace=namespace,
            value="1",
            dimensions={"JobName": "$.job_name", "Environment": "$.environment"},
        )
        for metric, event in events.items()
    ]


def counts(lines: list[str], environment: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in module_filters():
        points = datapoints(f, [(float(i), line) for i, line in enumerate(lines)])
        key = metric_key("Glue/ETL/prod", f.metric_name, {"JobName": "customer_import", "Environment": environment})
        assert all(k == key for k, _, _ in points), f"{f.metric_name}: unexpected dimensions {points}"
        out[f.metric_name] = int(sum(v for _, _, v in points))
    return out


def contract_counts(lines: list[str]) -> dict[str, int]:
    events = [json.loads(line).get("event") for line in lines]
    return {
        "JobsStarted": events.count("job_started"),
        "JobsSucceeded": events.count("job_completed_successfully"),
        "JobsFailed": events.count("job_failed"),
    }


def test_the_module_declares_one_filter_per_contract_count_and_the_plan_has_the_same_patterns():
    from glue_jobs.contract import LogEvent

    ours = {f.metric_name: f.pattern for f in module_filters()}
    assert ours == {
        "JobsStarted": f'{{ $.event = "{LogEvent.JOB_STARTED}" }}',
        "JobsSucceeded": f'{{ $.event = "{LogEvent.JOB_COMPLETED_SUCCESSFULLY}" }}',
        "JobsFailed": f'{{ $.event = "{LogEvent.JOB_FAILED}" }}',
    }
    planned = {f.metric_name: f.pattern for f in load_topology(FIXTURES / "prod_plan.json").filters}
    assert planned == ours


def test_lines_written_by_the_framework_logger():
    from glue_jobs.contract import LogEvent
    from glue_jobs.logs import bind_run_context, clear_run_context, configure_logging, get_logger

    stream = io.StringIO()
    configure_logging(stream)
    bind_run_context(
        job_name="customer_import",
        job_run_id="jr_1",
        environment="prod",
        trace_id="1-00000000-000000000000000000000000",
        correlation_id="jr_1",
    )
    try:
        log = get_logger()
        log.info(LogEvent.JOB_STARTED.value, job_arguments=["input_path"])
        log.info(LogEvent.EXTRACT_PHASE_COMPLETED.value, row_count=10, processing_time_seconds=1.5)
        log.info(
            LogEvent.JOB_COMPLETED_SUCCESSFULLY.value,
            row_count=10,
            processing_time_seconds=3.0,
            data_quality_score=0.99,
        )
        log.info(LogEvent.JOB_STARTED.value, job_arguments=["input_path"])
        try:
            raise RuntimeError('the "source" is gone')
        except RuntimeError as exc:
            log.error(LogEvent.JOB_FAILED.value, error_type="RuntimeError", error_message=str(exc), exc_info=exc)
        log.warning("schema_changed", note="job_failed appears in a value, not in event")
    finally:
        clear_run_context()
    lines = stream.getvalue().splitlines()
    assert counts(lines, "prod") == {"JobsStarted": 2, "JobsSucceeded": 1, "JobsFailed": 1}


def test_lines_of_two_real_runs_of_the_example_job():
    lines = RUNS.read_text().splitlines()
    assert contract_counts(lines) == {"JobsStarted": 2, "JobsSucceeded": 1, "JobsFailed": 1}
    assert counts(lines, "local") == contract_counts(lines)


def test_real_runs_through_the_prod_plan_page_once_through_the_success_rate_burn_alarms(tmp_path):
    # the same lines as if the job ran in prod: one run out of two failed is 50x the 1 % error budget
    prod_lines = tmp_path / "runs.jsonl"
    prod_lines.write_text(  # prod deploys the job as <name_prefix>-<key> and logs to its own group
        RUNS.read_text()
        .replace('"environment": "local"', '"environment": "prod"')
        .replace('"job_name": "customer_import"', '"job_name": "glue-etl-prod-customer_import"')
    )
    scenario = from_dict(
        {
            "name": "real runs",
            "start": "2026-01-01T00:00:00Z",
            "duration": "4h",
            "alarms": ["*-slo-burn-success-rate-critical"],
            "events": [
                {"at": "30m", "log_file": {"group": "/aws-glue/jobs/glue-etl-prod/output", "path": str(prod_lines)}}
            ],
            "expect": {
                "transitions": [
                    {
                        "alarm": "*-slo-burn-success-rate-critical",
                        "mode": "at_least",
                        "sequence": ["OK -> ALARM", "ALARM -> OK"],
                    }
                ],
                "notifications": [
                    {
                        "topic": "*-critical",
                        "count": 1,
                        "state": "ALARM",
                        "alarms": ["*-slo-burn-success-rate-critical"],
                    }
                ],
            },
        },
        tmp_path / "s.yaml",
    )
    result = run(load_topology(FIXTURES / "prod_plan.json"), scenario)
    assert [c.detail for c in result.checks if not c.passed] == []


def test_a_live_run_of_the_example_job(spark, tmp_path):
    """Whatever the run does (it may fail while the framework changes), the filters count exactly its contract
    lines, with the job's dimensions."""
    from glue_jobs.examples.customer_import import CustomerImportJob

    stream = io.StringIO()
    argv = [
        "--environment",
        "local",
        "--input_path",
        str(tmp_path / "raw"),
        "--output_path",
        str(tmp_path / "out"),
        "--generate_sample",
        "50",
        "--audit_uri",
        str(tmp_path / "audit"),
    ]
    job = CustomerImportJob.from_args(argv, spark=spark, log_stream=stream)
    try:
        job.run()
    except Exception:  # noqa: BLE001 - a failed run writes job_failed, which is what the filters must count
        pass
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("{")]
    expected = contract_counts(lines)
    assert expected["JobsStarted"] == 1 and expected["JobsSucceeded"] + expected["JobsFailed"] == 1
    assert counts(lines, "local") == expected
