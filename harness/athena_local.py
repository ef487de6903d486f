"""The audit trail's Athena queries on a laptop: DuckDB over the audit events' JSON lines.

The named queries (modules/audit_trail/queries/*.sql) are Athena's (Trino) SQL and run here unchanged. What
DuckDB is given besides them, the whole translation layer:
- `from_iso8601_timestamp(s)` (Trino) is a macro, CAST(s AS TIMESTAMPTZ), which reads the events'
  `2026-11-26T12:00:00.123Z` as Trino does;
- `format_datetime(ts, pattern)` (Trino, Joda pattern) is a macro over strftime() for yyyy MM dd HH mm ss;
- the session time zone is UTC, as Athena's;
- the tables are views over read_json() with the Glue tables' columns (modules/audit_trail/schemas/*.json,
  the files Terraform reads too) and the hive partition columns year/month/day as strings.
tests/modules/test_audit_queries.py proves the answers against Python; `make demo` prints them.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.settings import ROOT

MODULE = ROOT / "modules" / "audit_trail"
QUERIES = {p.stem: p for p in sorted((MODULE / "queries").glob("*.sql"))}
SCHEMAS = {p.stem: json.loads(p.read_text()) for p in sorted((MODULE / "schemas").glob("*.json"))}
TRINO_FUNCTIONS = (
    "SET TimeZone = 'UTC'",
    "CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
    "CREATE OR REPLACE MACRO format_datetime(ts, pattern) AS strftime(ts, replace(replace(replace(replace(replace("
    "replace(pattern, 'yyyy', '%Y'), 'MM', '%m'), 'dd', '%d'), 'HH', '%H'), 'mm', '%M'), 'ss', '%S'))",
)
HIVE_TO_DUCKDB = {"string": "VARCHAR", "bigint": "BIGINT", "double": "DOUBLE", "array<string>": "VARCHAR[]"}


def duckdb_for(audit_root: Path):
    """A DuckDB connection with the Trino functions and the two audit tables over `audit_root`."""
    import duckdb

    con = duckdb.connect()
    for statement in TRINO_FUNCTIONS:
        con.execute(statement)
    for table, schema in SCHEMAS.items():
        columns = ", ".join(f"'{c['name']}': '{HIVE_TO_DUCKDB[c['type']]}'" for c in schema["columns"])
        files = (audit_root / table / "year=*" / "month=*" / "day=*" / "*.json").as_posix()
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_json('{files}', format = 'newline_delimited', "
            f"columns = {{{columns}}}, hive_partitioning = true, "
            "hive_types = {'year': 'VARCHAR', 'month': 'VARCHAR', 'day': 'VARCHAR'})"
        )
    return con


def run_query(con, name: str) -> list[dict]:
    cursor = con.execute(QUERIES[name].read_text())
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
