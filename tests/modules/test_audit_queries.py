"""The audit trail's Athena queries, proven on audit events.

The named queries of modules/audit_trail are the files modules/audit_trail/queries/*.sql, in Athena's
(Trino) SQL. These tests run **that text, unchanged**, in DuckDB over audit events in the contract's layout
(docs/metrics.md: JSON lines under <audit_uri>/<table>/year=YYYY/month=MM/day=DD/), and compare every row
with the same answer computed independently in plain Python from the JSON files.

The events are written by the job framework's own audit writer (glue_jobs.audit.AuditTrail, the code the
Glue jobs run), a month of runs of three jobs at chosen moments; one test adds a real run of the example job
(glue_jobs/examples/customer_import.py, local PySpark) and checks the queries see it.

The translation layer (DuckDB standing in for Athena) is harness/athena_local.py.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.athena_local import HIVE_TO_DUCKDB, QUERIES, SCHEMAS, duckdb_for, run_query
from harness.settings import ROOT

JOBS = ("customer_import", "orders_daily", "inventory_sync")


# -- the events, written by the job framework's audit writer ----------------------------------------------

BOUNDARIES = (timedelta(hours=24), timedelta(days=7), timedelta(days=30))


def _safe_offset(offset: timedelta) -> bool:
    """Far (30 min) from every query window's edge, so the seconds between now here and now in SQL don't count."""
    return all(abs(offset - b) > timedelta(minutes=30) for b in BOUNDARIES)


def write_history(audit_root: Path, now: datetime) -> int:
    """About 40 days of runs of three jobs through glue_jobs.audit.AuditTrail; returns the run count."""
    from glue_jobs.audit import AuditTrail, LocalStore
    from glue_jobs.contract import AuditEventType, AuditStatus

    store = LocalStore(audit_root)
    runs = 0
    starts: list[tuple[str, datetime]] = []
    for j, job in enumerate(JOBS):
        for k in range(0, 40 * 24, 7 + 2 * j):  # every 7, 9, 11 hours: runs drift through the clock
            offset = timedelta(hours=k, minutes=13 + 11 * j)
            if _safe_offset(offset) and _safe_offset(offset - timedelta(minutes=25)):
                starts.append((job, now - offset))
    # two loads of one job in the same clock hour, inside the last 24 hours: avg/min/max differ there
    hour = (now - timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    starts += [("orders_daily", hour + timedelta(minutes=5)), ("orders_daily", hour + timedelta(minutes=35))]

    for i, (job, started) in enumerate(starts):
        run_id = f"jr_{i:05d}{job[:3]}"
        audit = AuditTrail(store, job, run_id)
        failed = (i * 7919) % 10 < 2  # about one run in five fails
        records = 1000 + (i * 7919) % 5000
        audit.job_event(AuditEventType.JOB_STARTED, AuditStatus.RUNNING, moment=started)
        if failed:
            audit.job_event(AuditEventType.JOB_COMPLETED, AuditStatus.FAILED, moment=started + timedelta(minutes=20))
        else:
            loaded = started + timedelta(minutes=15)
            scores = [round(0.80 + ((i * p) % 20) / 100, 4) for p in (3, 5, 7, 11)]
            quality = round(sum(scores) / 4, 4)
            audit.job_event(AuditEventType.LOAD_COMPLETED, AuditStatus.SUCCESS, records_processed=records,
                            output_paths=[f"s3://silver/{job}/"], moment=loaded)
            audit.data_quality_event(quality_score=quality, completeness_score=scores[0],
                                     uniqueness_score=scores[1], validity_score=scores[2],
                                     consistency_score=scores[3], validation_pass_rate=100 * quality,
                                     records_checked=records + 50, records_failed=50, moment=loaded)
            audit.job_event(AuditEventType.JOB_COMPLETED, AuditStatus.SUCCESS, records_processed=records,
                            output_paths=[f"s3://silver/{job}/"], data_quality_score=quality,
                            moment=started + timedelta(minutes=20))
        runs += 1
    return runs


# -- the same answers, in plain Python, from the files ----------------------------------------------------

def read_events(audit_root: Path, table: str) -> list[dict]:
    events = []
    for path in sorted((audit_root / table).glob("year=*/month=*/day=*/*.json")):
        for line in path.read_text().splitlines():
            if line.strip():
                event = json.loads(line)
                event["_ts"] = datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)
                events.append(event)
    return events


def _day(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def expected_job_success_rate(root: Path, now: datetime) -> list[dict]:
    groups: dict[tuple, list[str]] = defaultdict(list)
    for e in read_events(root, "job_events"):
        if e["event_type"] == "job_completed" and e["_ts"] >= now - timedelta(days=7):
            groups[(_day(e["_ts"]), e["job_name"])].append(e["status"])
    rows = [{"date": day, "job_name": job, "total_runs": len(s), "successful_runs": s.count("SUCCESS"),
             "success_rate": round(s.count("SUCCESS") * 100 / len(s), 2)} for (day, job), s in groups.items()]
    return sorted(rows, key=lambda r: (-r["date"].timestamp(), r["job_name"]))


def expected_data_volume_trends(root: Path, now: datetime) -> list[dict]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for e in read_events(root, "job_events"):
        if e["event_type"] == "load_completed" and e["_ts"] >= now - timedelta(hours=24):
            groups[(e["_ts"].replace(minute=0, second=0, microsecond=0), e["job_name"])].append(e["records_processed"])
    rows = [{"hour": hour, "job_name": job, "avg_records": sum(v) / len(v), "min_records": min(v),
             "max_records": max(v)} for (hour, job), v in groups.items()]
    return sorted(rows, key=lambda r: (-r["hour"].timestamp(), r["job_name"]))


def expected_weekly_quality_trend(root: Path, now: datetime) -> list[dict]:
    groups: dict[tuple, list[float]] = defaultdict(list)
    for e in read_events(root, "data_quality_events"):
        if e["_ts"] >= now - timedelta(days=30):
            monday = _day(e["_ts"]) - timedelta(days=e["_ts"].weekday())
            groups[(monday, e["job_name"])].append(e["quality_score"])
    rows = [{"week": week, "job_name": job, "avg_quality_score": statistics.fmean(v),
             "min_quality_score": min(v), "quality_score_stddev": statistics.stdev(v) if len(v) > 1 else None}
            for (week, job), v in groups.items()]
    return sorted(rows, key=lambda r: (-r["week"].timestamp(), r["job_name"]))


EXPECTED = {
    "job_success_rate": expected_job_success_rate,
    "data_volume_trends": expected_data_volume_trends,
    "weekly_quality_trend": expected_weekly_quality_trend,
}


def assert_same_rows(got: list[dict], want: list[dict]) -> None:
    assert [list(r) for r in got[:1]] == [list(r) for r in want[:1]], "columns differ"
    assert len(got) == len(want), f"{len(got)} rows from SQL, {len(want)} computed in Python"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        for col, wv in w.items():
            gv = g[col]
            if isinstance(wv, datetime):
                assert gv == wv, f"row {i} {col}: SQL {gv}, Python {wv}"
            elif isinstance(wv, float):
                assert gv is not None and math.isclose(gv, wv, rel_tol=1e-9, abs_tol=1e-9), \
                    f"row {i} {col}: SQL {gv}, Python {wv}"
            else:
                assert gv == wv, f"row {i} {col}: SQL {gv!r}, Python {wv!r}"


def check_queries(audit_root: Path, now: datetime) -> dict[str, list[dict]]:
    """Run every query file in DuckDB and compare with Python; returns the SQL answers."""
    con = duckdb_for(audit_root)
    answers = {}
    for name, expected in EXPECTED.items():
        got = run_query(con, name)
        assert_same_rows(got, expected(audit_root, now))
        answers[name] = got
    return answers


# -- the tests --------------------------------------------------------------------------------------------

pytestmark = pytest.mark.python


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, datetime, int]:
    root = tmp_path_factory.mktemp("audit") / "audit"
    now = datetime.now(UTC)
    runs = write_history(root, now)
    return root, now, runs


def test_every_named_query_has_a_python_answer():
    assert set(QUERIES) == set(EXPECTED), "a query file without its independent check, or the reverse"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_answers_match_python(name, history):
    root, now, _ = history
    con = duckdb_for(root)
    got = run_query(con, name)
    want = EXPECTED[name](root, now)
    assert want, f"the generated history leaves {name} without rows: the test would prove nothing"
    assert_same_rows(got, want)


def test_the_windows_leave_older_events_out(history):
    """The history spans 40 days; each query sees only its window (and the partition filter agrees)."""
    root, now, runs = history
    con = duckdb_for(root)
    total = con.execute("SELECT count(*) FROM job_events WHERE event_type = 'job_completed'").fetchone()[0]
    assert total == runs
    in_week = sum(r["total_runs"] for r in run_query(con, "job_success_rate"))
    assert 0 < in_week < total
    oldest_week = min(r["week"] for r in run_query(con, "weekly_quality_trend"))
    assert oldest_week >= _day(now - timedelta(days=30)) - timedelta(days=6)
    hours = [r["hour"] for r in run_query(con, "data_volume_trends")]
    assert all(h >= (now - timedelta(hours=25)) for h in hours)
    two_loads = [r for r in run_query(con, "data_volume_trends") if r["min_records"] != r["max_records"]]
    assert two_loads, "the hour with two loads of orders_daily should show min != max"


def test_the_partitions_are_the_events_utc_dates(history):
    """The queries prune on year/month/day: that is right only if each event sits in its UTC date's partition."""
    root, _, _ = history
    for table in SCHEMAS:
        for path in (root / table).glob("year=*/month=*/day=*/*.json"):
            y, m, d = (p.split("=", 1)[1] for p in path.parts[-4:-1])
            for line in path.read_text().splitlines():
                assert json.loads(line)["timestamp"].startswith(f"{y}-{m}-{d}T"), path


def test_tables_have_the_contracts_fields():
    """The Glue tables' columns (schemas/*.json) are the audit fields of docs/metrics.md and glue_jobs.contract."""
    from glue_jobs.contract import DATA_QUALITY_EVENT_FIELDS, JOB_EVENT_FIELDS

    doc = (ROOT / "docs" / "metrics.md").read_text().split("## Audit events", 1)[1].split("\n## ", 1)[0]
    doc = re.sub(r"\([^)]*\)", "", doc)  # the allowed values in parentheses are not fields
    job_part, dq_part = doc.split("`job_events` fields:", 1)[1].split("`data_quality_events` fields:", 1)
    documented = {"job_events": re.findall(r"`([a-z_]+)`", job_part),
                  "data_quality_events": re.findall(r"`([a-z_]+)`", dq_part)}
    for table, fields in {"job_events": JOB_EVENT_FIELDS, "data_quality_events": DATA_QUALITY_EVENT_FIELDS}.items():
        columns = [c["name"] for c in SCHEMAS[table]["columns"]]
        assert columns == list(fields), f"{table}: Glue columns {columns}, contract {fields}"
        assert columns == documented[table], f"{table}: Glue columns {columns}, docs/metrics.md {documented[table]}"
        assert all(c["type"] in HIVE_TO_DUCKDB for c in SCHEMAS[table]["columns"])


def test_queries_are_written_in_trinos_dialect():
    """The seed's forms Athena rejects do not come back: '7 days' intervals, a raw string compared as a time."""
    for name, path in QUERIES.items():
        sql = "\n".join(line.split("--", 1)[0] for line in path.read_text().splitlines())
        assert not re.search(r"INTERVAL\s+'\d+\s+\w+'", sql, re.I), f"{name}: INTERVAL 'n unit' is not Trino"
        compares_string = re.search(r"(?<![\w\"(])timestamp\s*(>=|<=|>|<|=)", sql, re.I)
        assert not compares_string, f"{name}: compares the timestamp string"
        assert not re.search(r"date_trunc\('\w+',\s*\"?timestamp\"?\)", sql, re.I), f"{name}: truncates the string"
        assert not re.search(r"\baudit_trail\.", sql), f"{name}: names the database (the named query sets it)"


def test_example_job_run_appears_in_the_queries(history, tmp_path, spark):
    """A real run of the example job (local PySpark, the framework's writer) adds its events to the history;
    the queries count it, and still agree with Python."""
    import shutil

    from glue_jobs.examples import sample_data
    from glue_jobs.examples.customer_import import CustomerImportJob

    root, _, _ = history
    audit = tmp_path / "audit"
    shutil.copytree(root, audit)
    raw = sample_data.write_sample(spark, str(tmp_path / "raw"), 200, bad_every=20)
    job = CustomerImportJob.from_args(
        ["--JOB_NAME", "customer_import", "--environment", "local", "--audit_uri", str(audit),
         "--input_path", raw, "--output_path", str(tmp_path / "silver"), "--enable_tracing", "false"],
        spark=spark)
    result = job.run()
    now = datetime.now(UTC)

    answers = check_queries(audit, now)
    mine = [e for e in read_events(audit, "job_events") if e["job_run_id"] == result.job_run_id]
    assert {e["event_type"] for e in mine} == {"job_started", "load_completed", "job_completed"}
    completed = next(e for e in mine if e["event_type"] == "job_completed")
    loaded = next(e for e in mine if e["event_type"] == "load_completed")
    day = [r for r in answers["job_success_rate"]
           if r["job_name"] == "customer_import" and r["date"] == _day(completed["_ts"])]
    assert day and day[0]["successful_runs"] >= 1
    hour = [r for r in answers["data_volume_trends"] if r["job_name"] == "customer_import"
            and r["hour"] == loaded["_ts"].replace(minute=0, second=0, microsecond=0)]
    assert hour and hour[0]["max_records"] >= loaded["records_processed"] > 0
