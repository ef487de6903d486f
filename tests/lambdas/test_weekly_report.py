"""The weekly report, in-process against the emulator, with its numbers checked against a known set of runs.

The runs are real moto runs whose state, duration, capacity, error and start time are set by `glue_shim`
(moto's runs always succeed in 123 s); the audit trail is real JSON lines in S3 (LocalStack); the summary
is read back from the info topic and the HTML/JSON report from S3. The expected numbers below are worked
out by hand from the definitions in lambda_src/weekly_report/report.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from ops_helpers import FakeContext, emf_metrics, load_event

from lambda_src.weekly_report import handler, render
from lambda_src.weekly_report.report import JobStats, Report, normalise_error

pytestmark = pytest.mark.python

END = datetime.now(UTC).replace(microsecond=0)
ERROR = "An error occurred while calling o112.pyWriteDynamicFrame. Access Denied (run {})"


def _runs(ops, job: str, n: int) -> list[str]:
    glue = ops.client("glue")
    return [glue.start_job_run(JobName=job)["JobRunId"] for _ in range(n)]


def _at(days_ago: float) -> datetime:
    return END - timedelta(days=days_ago)


def _audit(ops, table: str, when: datetime, events: list[dict]) -> None:
    key = f"audit/{table}/year={when:%Y}/month={when:%m}/day={when:%d}/part-{len(events)}-{when:%H%M%S}.json"
    body = "\n".join(json.dumps(e) for e in events) + "\n{not json\n"
    ops.client("s3").put_object(Bucket=ops.bucket, Key=key, Body=body.encode())


@pytest.fixture
def known_week(ops, glue_shim, monkeypatch):
    orders, customers, idle = ops.glue_job("orders"), ops.glue_job("customers"), ops.glue_job("idle")
    o = _runs(ops, orders, 9)
    c = _runs(ops, customers, 3)
    shim = {}
    # orders (G.1X x 2 workers = 2 DPU): 4 successes of 100..400 s, 2 failures, 1 stopped, 2 last week
    for i, secs in enumerate([100, 200, 300, 400]):
        shim[o[i]] = {
            "JobRunState": "SUCCEEDED",
            "ExecutionTime": secs,
            "StartedOn": _at(1 + i),
            "WorkerType": "G.1X",
            "NumberOfWorkers": 2,
        }
    shim[o[4]] = {
        "JobRunState": "FAILED",
        "ExecutionTime": 30,
        "StartedOn": _at(2.5),
        "ErrorMessage": ERROR.format("jr_abc12345"),
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
    }
    shim[o[5]] = {
        "JobRunState": "TIMEOUT",
        "ExecutionTime": 45,
        "StartedOn": _at(3.5),
        "ErrorMessage": ERROR.format("jr_def67890"),
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
    }
    shim[o[6]] = {
        "JobRunState": "STOPPED",
        "ExecutionTime": 50,
        "StartedOn": _at(4.5),
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
    }
    shim[o[7]] = {"JobRunState": "SUCCEEDED", "ExecutionTime": 100, "StartedOn": _at(8)}
    shim[o[8]] = {"JobRunState": "SUCCEEDED", "ExecutionTime": 150, "StartedOn": _at(9)}
    # customers: 3 auto-scaled successes, Glue reports DPUSeconds (7200 + 3600 + 3600 = 4 DPU-hours)
    for run, dpu_s in zip(c, [7200, 3600, 3600], strict=True):
        shim[run] = {"JobRunState": "SUCCEEDED", "ExecutionTime": 60, "DPUSeconds": dpu_s, "StartedOn": _at(2)}
    glue_shim(shim)
    # audit trail: records of the orders successes (job_completed wins over load_completed), DQ of customers
    _audit(
        ops,
        "job_events",
        _at(1),
        [
            {
                "job_name": orders,
                "job_run_id": o[i],
                "event_type": "job_completed",
                "timestamp": _at(1).isoformat(),
                "status": "SUCCESS",
                "records_processed": 1000 * (i + 1),
                "output_paths": [],
                "data_quality_score": 0.99,
            }
            for i in range(4)
        ]
        + [
            {
                "job_name": orders,
                "job_run_id": o[0],
                "event_type": "load_completed",
                "timestamp": _at(1).isoformat(),
                "status": "RUNNING",
                "records_processed": 999,
            }
        ],
    )
    _audit(
        ops,
        "data_quality_events",
        _at(2),
        [
            {
                "job_name": customers,
                "job_run_id": c[0],
                "timestamp": _at(2).isoformat(),
                "quality_score": 0.8,
                "validation_pass_rate": 97.5,
                "records_checked": 1000,
                "records_failed": 25,
            },
            {
                "job_name": customers,
                "job_run_id": c[1],
                "timestamp": _at(2).isoformat(),
                "quality_score": 0.9,
                "validation_pass_rate": 99.5,
                "records_checked": 1000,
                "records_failed": 5,
            },
            {"job_name": customers, "job_run_id": "old", "timestamp": _at(9).isoformat(), "quality_score": 0.1},
        ],
    )
    monkeypatch.setenv("JOB_NAMES", ",".join([orders, customers, idle]))
    monkeypatch.setenv("AUDIT_BUCKET", ops.bucket)
    monkeypatch.setenv("AUDIT_PREFIX", "audit")
    monkeypatch.setenv("REPORT_BUCKET", ops.bucket)
    monkeypatch.setenv("REPORT_TOPIC_ARN", ops.info.arn)
    monkeypatch.setenv("DPU_HOUR_PRICE", "0.44")
    return {"orders": orders, "customers": customers, "idle": idle}


def test_report_numbers_match_the_known_runs(ops, known_week, capsys):
    event = load_event("scheduled_weekly.json", event_id="w1", time=END.strftime("%Y-%m-%dT%H:%M:%SZ"))
    result = handler.lambda_handler(event, FakeContext(function_name="weekly-report"))
    orders, customers, idle = known_week["orders"], known_week["customers"], known_week["idle"]

    key = result["html_uri"].split("/", 3)[3]
    data = json.loads(ops.client("s3").get_object(Bucket=ops.bucket, Key=key.replace(".html", ".json"))["Body"].read())
    jobs = {j["job_name"]: j for j in data["jobs"]}
    o, c = jobs[orders], jobs[customers]
    assert (o["runs"], o["succeeded"], o["failed"], o["stopped"]) == (7, 4, 2, 1)
    assert o["success_rate"] == 66.7  # 4 / (4 + 2); the stopped run is left out
    assert (o["avg_duration_s"], o["p95_duration_s"], o["max_duration_s"]) == (250.0, 400.0, 400.0)
    assert o["records_processed"] == 10_000 and o["throughput_rps"] == 10.0  # 10,000 records / 1,000 s
    # 2 DPU x (100+200+300+400 + 60+60+60 billed for the 30/45/50 s runs) s = 2360 DPU-s = 0.656 DPU-h
    assert o["dpu_hours"] == 0.656 and o["cost"] == 0.29  # x $0.44
    assert o["prev_avg_duration_s"] == 125.0 and o["duration_change_pct"] == 100.0
    assert (c["runs"], c["success_rate"], c["avg_duration_s"], c["dpu_hours"], c["cost"]) == (3, 100.0, 60.0, 4.0, 1.76)
    assert jobs[idle]["runs"] == 0 and jobs[idle]["success_rate"] is None
    assert data["totals"] == {
        "jobs": 3,
        "runs": 10,
        "succeeded": 7,
        "failed": 2,
        "success_rate": 77.8,
        "records_processed": 10_000,
        "dpu_hours": 4.656,
        "cost": 2.05,
    }
    assert data["quality"] == [  # customers from data_quality_events; orders from its job_completed scores
        {
            "job_name": customers,
            "checks": 2,
            "avg_score": 0.85,
            "min_score": 0.8,
            "avg_pass_rate": 98.5,
            "records_checked": 2000,
            "records_failed": 30,
        },
        {
            "job_name": orders,
            "checks": 4,
            "avg_score": 0.99,
            "min_score": 0.99,
            "avg_pass_rate": None,
            "records_checked": 0,
            "records_failed": 0,
        },
    ]
    assert data["errors"] == [{"message": ERROR.format("<id>"), "count": 2, "jobs": [orders]}]
    assert sum(d["succeeded"] for d in data["daily"]) == 7 and sum(d["failed"] for d in data["daily"]) == 2
    recs = {(r["job"], r["severity"]) for r in data["recommendations"]}
    assert recs == {
        (orders, "critical"),
        (orders, "warning"),
        (customers, "warning"),
        (idle, "warning"),
        (customers, "info"),
    }
    assert any("2 audit line(s)" in n for n in data["notes"])  # the two '{not json' lines

    html = ops.client("s3").get_object(Bucket=ops.bucket, Key=key)["Body"].read().decode()
    assert html.count("<svg") == 4 and orders in html and "Recommendations" in html
    assert html.count("<dc:title>Matplotlib v") == 4  # every chart drawn by matplotlib
    rate = bars(html, "success-rate-per-job-bar-")
    assert rate[f"{orders}-success"] / rate[f"{customers}-success"] == pytest.approx(66.7 / 100, abs=1e-3)
    assert rate[f"{idle}-success"] == 0  # no runs, no bar
    days = bars(html, "runs-per-day-succeeded-failed-day-", "height")
    one_run = max(days.values()) / max(max(d["succeeded"], d["failed"]) for d in data["daily"])
    assert {k: round(v / one_run, 3) for k, v in days.items()} == {
        f"{d['date']}-{state}": d[state] for d in data["daily"] for state in ("succeeded", "failed")
    }

    (message,) = ops.info.messages()
    assert "Weekly ETL report" in message["Subject"]
    text = message["Message"]
    assert orders in text and "66.7%" in text and "$2.05" in text and result["html_uri"] in text
    assert emf_metrics(capsys.readouterr().out)["WeeklyReportsPublished"] == 1


def bars(html: str, prefix: str, size: str = "width") -> dict[str, float]:
    """The bars matplotlib drew whose <g> id starts with `prefix`: name -> width (or height) in SVG units."""
    found = {}
    for gid, path in re.findall(r'<g id="(' + re.escape(prefix) + r'[^"]+)">\s*<path d="([^"]+)"', html):
        xs = [float(x) for x in re.findall(r"([-\d.]+) [-\d.]+", path)]
        ys = [float(y) for y in re.findall(r"[-\d.]+ ([-\d.]+)", path)]
        found[gid[len(prefix) :]] = round(max(xs) - min(xs) if size == "width" else max(ys) - min(ys), 3)
    return found


def _known_report() -> Report:
    end = datetime(2026, 12, 7, 7, tzinfo=UTC)
    report = Report("test", end - timedelta(days=3), end, 0.44)
    report.jobs = [
        JobStats("orders", runs=7, succeeded=4, failed=2, success_rate=66.7, avg_duration_s=250.0, cost=0.3),
        JobStats("customers", runs=3, succeeded=3, success_rate=100.0, avg_duration_s=60.0, cost=1.8),
        JobStats("idle"),
    ]
    for job in report.jobs[:2]:
        job.p95_duration_s = 400.0 if job.job_name == "orders" else 60.0
    report.daily = [
        {"date": "2026-12-04", "succeeded": 3, "failed": 1},
        {"date": "2026-12-05", "succeeded": 0, "failed": 0},
        {"date": "2026-12-06", "succeeded": 4, "failed": 2},
    ]
    report.totals = {"runs": 10, "succeeded": 7, "failed": 2, "success_rate": 77.8, "records_processed": 0}
    report.totals |= {"dpu_hours": 4.6, "cost": 2.1}
    return report


def test_charts_are_matplotlib_svgs_that_draw_the_reports_numbers():
    report = _known_report()
    html = render.html(report)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 4 and all("<dc:title>Matplotlib v" in s for s in svgs)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html  # inline: no XML prologue inside the HTML
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1], "charts on one page share an id"
    assert {r for pair in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', html) for r in pair if r} <= set(ids)
    assert html == render.html(report)  # same report, same bytes (fixed ids, no date in the metadata)

    rate = bars(html, "success-rate-per-job-bar-")
    assert set(rate) == {"orders-success", "customers-success", "idle-success"}
    assert rate["orders-success"] / rate["customers-success"] == pytest.approx(0.667, abs=1e-3)
    assert rate["idle-success"] == 0 and ">66.7%<" in html and ">100%<" in html
    run_time = bars(html, "run-time-of-successful-runs-s-bar-")
    assert run_time["orders-average"] / run_time["orders-p95"] == pytest.approx(250 / 400, abs=1e-3)
    assert run_time["customers-p95"] / run_time["orders-p95"] == pytest.approx(60 / 400, abs=1e-3)
    cost = bars(html, "estimated-dpu-cost-bar-")
    assert cost["customers-cost"] / cost["orders-cost"] == pytest.approx(1.8 / 0.3, abs=1e-3)
    days = bars(html, "runs-per-day-succeeded-failed-day-", "height")
    assert days["2026-12-06-succeeded"] / days["2026-12-04-succeeded"] == pytest.approx(4 / 3, abs=1e-3)
    assert days["2026-12-06-failed"] / days["2026-12-04-failed"] == pytest.approx(2, abs=1e-3)
    assert days["2026-12-05-succeeded"] == days["2026-12-05-failed"] == 0
    assert days["2026-12-04-failed"] / days["2026-12-04-succeeded"] == pytest.approx(1 / 3, abs=1e-3)


def test_error_messages_group_across_run_ids():
    assert normalise_error(ERROR.format("jr_0123456789abcdef")) == normalise_error(ERROR.format("jr_fedcba98"))
    assert normalise_error("") == "(no error message)"
    assert normalise_error("line one\nline two") == "line one"
