"""docs/requirements.md: every requirement of the design notes, traced to what meets it and what proves it.

The page holds one markdown table per part of the notes, with the columns
`| id | requirement | status | met by | proven by | notes |`. These tests read it and fail when

- a table or row is malformed: an id that is not `R-<AREA>-<NN>`, repeated or out of order, an unknown status;
- a requirement that is not `not yet met` names no test;
- a named test does not exist: `tests/<file>.py::<function>` (or `::<Class>::<method>`) is looked up in the
  file's syntax tree; `[...]` (a parametrized case) is allowed and the function is checked;
- a path in "met by" does not exist (paths after `planned:` are where missing work will land, not checked);
- the status and the notes disagree: a `met` row that says what is `Missing:` or `not yet met`, or plans a
  path; a row short of `met` that does not say what is missing;
- a page repeats the notes' wording: any run of 12 words shared with the notes. The notes are not in the
  repository, so tests/fixtures/seed_shingles.txt holds the hashes of their 12-word runs (no text), and
  README.md and docs/**/*.md are compared with those.

`test_every_requirement_is_met` fails while anything is short of `met`. `test_each_check_catches_its_fault`
feeds each check a broken table, so none of them passes vacuously.

Regenerate the fixture from the notes (kept outside the repository):
    python tests/test_requirements.py --write-shingles ../shared/seed/monitoring-guide.md
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"
SHINGLES = ROOT / "tests" / "fixtures" / "seed_shingles.txt"
# The notes live beside the checkout on a developer's machine, never in CI.
SEED = Path(os.environ.get("GLUEMON_SEED_NOTES", ROOT.parent / "shared" / "seed" / "monitoring-guide.md"))

AREAS = (
    "STACK", "METRIC", "DASH", "ALARM", "LOG", "TRACE", "AUDIT", "PERF", "QUALITY", "HEALTH", "REPORT", "TROUBLE",
    "COST", "AUTO",
)  # fmt: skip
MET, PARTIAL, NOT_YET = "met", "partially met", "not yet met"
STATUSES = (MET, PARTIAL, NOT_YET)
COLUMNS = ("id", "requirement", "status", "met by", "proven by", "notes")
ID = re.compile(r"R-([A-Z]+)-(\d{2})")
TEST_ID = re.compile(r"(tests/(?:[\w-]+/)*test_\w+\.py)::((?:[A-Za-z_]\w*::)?[A-Za-z_]\w*)(\[[^\]]*\])?")
SHINGLE_WORDS = 12


# -- reading the page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    section: str
    cells: dict[str, str]

    @property
    def id(self) -> str:
        return self.cells["id"].strip("` ")

    @property
    def status(self) -> str:
        return self.cells["status"].strip("`* ").lower()

    @property
    def notes(self) -> str:
        return self.cells["notes"]

    @property
    def paths(self) -> list[str]:
        """The paths of "met by" that must exist: those before `planned:`."""
        return _ticked(re.split(r"planned:", self.cells["met by"], maxsplit=1, flags=re.I)[0])

    @property
    def planned(self) -> list[str]:
        parts = re.split(r"planned:", self.cells["met by"], maxsplit=1, flags=re.I)
        return _ticked(parts[1]) if len(parts) > 1 else []

    @property
    def tests(self) -> list[str]:
        return _ticked(self.cells["proven by"])

    def __str__(self) -> str:
        return f"{self.id or '(no id)'} (line {self.line})"


def _ticked(cell: str) -> list[str]:
    return [t.strip() for t in re.findall(r"`([^`]+)`", cell)]


def _cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [p.strip().replace("\\|", "|") for p in parts]


def parse(text: str) -> tuple[list[Row], list[str]]:
    """The rows of every table of the page, and what is malformed about the tables themselves."""
    rows: list[Row] = []
    problems: list[str] = []
    section = ""
    header: list[str] | None = None
    lines = text.splitlines()
    for n, line in enumerate(lines, start=1):
        if line.startswith("## "):
            section = line[3:].strip()
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:  # the first line of a table
            header = [c.lower() for c in cells]
            if tuple(header) != COLUMNS:
                problems.append(f"line {n}: a table's columns must be {' | '.join(COLUMNS)}; got {' | '.join(cells)}")
            continue
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"line {n}: {len(cells)} cells, the table has {len(header)} columns")
            continue
        if tuple(header) == COLUMNS:
            rows.append(Row(n, section, dict(zip(COLUMNS, cells, strict=True))))
    if not rows:
        problems.append("no requirement rows found")
    return rows, problems


# -- the checks: each returns what is wrong, one line per problem -----------------------------------------------


def check_structure(rows: list[Row]) -> list[str]:
    problems = []
    seen: dict[str, Row] = {}
    by_area: dict[str, list[int]] = {}
    for row in rows:
        m = ID.fullmatch(row.id)
        if not m:
            problems.append(f"{row}: id {row.id!r} is not R-<AREA>-<NN>")
            continue
        area, number = m.group(1), int(m.group(2))
        if area not in AREAS:
            problems.append(f"{row}: unknown area {area!r} (known: {', '.join(AREAS)})")
        if row.id in seen:
            problems.append(f"{row}: id repeated (first at line {seen[row.id].line})")
        seen[row.id] = row
        by_area.setdefault(area, []).append(number)
        if row.status not in STATUSES:
            problems.append(f"{row}: status {row.cells['status']!r} is not one of {', '.join(STATUSES)}")
        if not row.cells["requirement"]:
            problems.append(f"{row}: no requirement text")
    for area, numbers in by_area.items():
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"R-{area}: ids must run 01, 02, ... in order; got {numbers}")
    for area in AREAS:
        if area not in by_area:
            problems.append(f"R-{area}: no requirement of this part of the notes")
    sections: dict[str, set[str]] = {}
    for row in rows:
        if m := ID.fullmatch(row.id):
            sections.setdefault(row.section, set()).add(m.group(1))
    for section, areas in sections.items():
        if len(areas) > 1:
            problems.append(f"section {section!r} mixes areas {sorted(areas)}")
    return problems


def check_tests_named(rows: list[Row]) -> list[str]:
    """Every requirement short of `not yet met` names at least one test."""
    return [f"{row}: names no test in 'proven by'" for row in rows if row.status != NOT_YET and not row.tests]


@cache
def _defined_tests(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def check_tests_exist(rows: list[Row], root: Path = ROOT) -> list[str]:
    problems = []
    for row in rows:
        for test in row.tests:
            m = TEST_ID.fullmatch(test)
            if not m:
                problems.append(f"{row}: {test!r} is not a test id tests/<path>/test_<name>.py::<test>[<case>]")
                continue
            path, name = root / m.group(1), m.group(2)
            if not path.is_file():
                problems.append(f"{row}: {m.group(1)} does not exist")
            elif not name.rsplit("::", 1)[-1].startswith("test"):
                problems.append(f"{row}: {name} is not a test function (pytest collects test*)")
            elif name not in _defined_tests(path.resolve()):
                problems.append(f"{row}: {m.group(1)} defines no {name}")
    return problems


def check_paths_exist(rows: list[Row], root: Path = ROOT) -> list[str]:
    problems = []
    for row in rows:
        if row.status != NOT_YET and not row.paths:
            problems.append(f"{row}: 'met by' names no existing file or module")
        for path in row.paths:
            if path.startswith("/") or ".." in Path(path).parts:
                problems.append(f"{row}: {path!r} must be a path inside the repository")
            elif not (root / path).exists():
                problems.append(f"{row}: {path} does not exist (a path still to come goes after 'planned:')")
    return problems


def check_status_notes(rows: list[Row]) -> list[str]:
    problems = []
    for row in rows:
        says_missing = "missing:" in row.notes.lower()
        if row.status == MET:
            if says_missing or "not yet met" in row.notes.lower():
                problems.append(f"{row}: marked met, but its notes say something is missing")
            if row.planned:
                problems.append(f"{row}: marked met, but plans {row.planned}")
        elif row.status in (PARTIAL, NOT_YET) and not says_missing:
            problems.append(f"{row}: {row.status}, but the notes do not say what is 'Missing:'")
    return problems


def check_all_met(rows: list[Row]) -> list[str]:
    return [f"{row} is {row.status}: {row.cells['requirement']}" for row in rows if row.status != MET]


# -- the notes' wording ------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingle_hash(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def shingle_hashes(text: str) -> set[str]:
    ws = words(text)
    return {shingle_hash(ws[i : i + SHINGLE_WORDS]) for i in range(len(ws) - SHINGLE_WORDS + 1)}


def load_shingles(path: Path = SHINGLES) -> set[str]:
    return {ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")}


def check_not_copied(pages: dict[str, str], seed_hashes: set[str]) -> list[str]:
    """Each page's first run of 12 or more words that the notes have too."""
    problems = []
    for name, text in pages.items():
        ws = words(text)
        hits = [i for i in range(len(ws) - SHINGLE_WORDS + 1) if shingle_hash(ws[i : i + SHINGLE_WORDS]) in seed_hashes]
        if hits:
            start = hits[0]
            end = start + SHINGLE_WORDS
            while end - SHINGLE_WORDS + 1 in hits:
                end += 1
            problems.append(
                f"{name}: {len(hits)} runs of {SHINGLE_WORDS} words repeat the notes, first "
                f"{' '.join(ws[start:end])!r}: say it in our own words"
            )
    return problems


def documentation(root: Path = ROOT) -> dict[str, str]:
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    return {str(p.relative_to(root)): p.read_text() for p in pages if p.is_file()}


# -- the page as it is -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    found, problems = parse(REQUIREMENTS.read_text())
    assert not problems, "\n".join(problems)
    return found


def test_the_tables_are_well_formed(rows):
    problems = check_structure(rows)
    assert not problems, "\n".join(problems)


def test_every_requirement_names_a_test(rows):
    """`not yet met` rows are skipped here; test_every_requirement_is_met holds them."""
    problems = check_tests_named(rows)
    assert not problems, "\n".join(problems)


def test_every_named_test_exists(rows):
    problems = check_tests_exist(rows)
    assert not problems, "\n".join(problems)


def test_every_named_path_exists(rows):
    problems = check_paths_exist(rows)
    assert not problems, "\n".join(problems)


def test_status_agrees_with_the_notes(rows):
    problems = check_status_notes(rows)
    assert not problems, "\n".join(problems)


def test_no_page_repeats_the_notes():
    seed = load_shingles()
    assert len(seed) > 1000, f"{SHINGLES} holds {len(seed)} hashes: regenerate it from the notes"
    problems = check_not_copied(documentation(), seed)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not SEED.is_file(), reason=f"the notes are not on this machine ({SEED})")
def test_the_shingle_fixture_is_the_notes():
    assert load_shingles() == shingle_hashes(SEED.read_text()), (
        f"{SHINGLES} is not the notes' shingles: python tests/test_requirements.py --write-shingles {SEED}"
    )


def test_the_readme_points_to_the_requirements():
    readme = (ROOT / "README.md").read_text()
    assert "(docs/requirements.md)" in readme
    assert "monitoring-guide-notes.md" not in readme and not (ROOT / "docs" / "monitoring-guide-notes.md").exists()


def test_every_requirement_is_met(rows):
    problems = check_all_met(rows)
    assert not problems, f"{len(problems)} of {len(rows)} requirements are open:\n" + "\n".join(problems)


# -- each check can fail -----------------------------------------------------------------------------------------

HEADER = "| id | requirement | status | met by | proven by | notes |\n|---|---|---|---|---|---|\n"
FAKE_SEED = " ".join(f"w{i}" for i in range(40))  # not the notes: a text whose runs are known


def _row(rid: str, **cells: str) -> str:
    c = {
        "requirement": "Something the notes ask for.",
        "status": "met",
        "met by": "`modules/real`",
        "proven by": "`tests/test_fake.py::test_real`",
        "notes": "",
    } | cells
    return f"| {rid} | {c['requirement']} | {c['status']} | {c['met by']} | {c['proven by']} | {c['notes']} |\n"


def _page(**changed: str) -> str:
    """One section per area, one valid row each; `changed` replaces the row of an id (e.g. R_ALARM_01=...)."""
    out = []
    for area in AREAS:
        rid = f"R-{area}-01"
        out.append(f"## {area.title()}\n\n{HEADER}{changed.get(rid.replace('-', '_'), _row(rid))}\n")
    return "\n".join(out)


@pytest.fixture
def fake_repo(tmp_path) -> Path:
    (tmp_path / "modules" / "real").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_fake.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('x', [1])\ndef test_real(x):\n    pass\n\n\n"
        "class TestGroup:\n    def test_method(self):\n        pass\n\n\ndef helper():\n    pass\n"
    )
    return tmp_path


def _all_checks(text: str, root: Path) -> dict[str, list[str]]:
    found, problems = parse(text)
    return {
        "parse": problems,
        "structure": check_structure(found),
        "tests_named": check_tests_named(found),
        "tests_exist": check_tests_exist(found, root),
        "paths_exist": check_paths_exist(found, root),
        "status_notes": check_status_notes(found),
        "all_met": check_all_met(found),
        "not_copied": check_not_copied({"page": text}, shingle_hashes(FAKE_SEED)),
    }


def test_a_valid_page_passes_every_check(fake_repo):
    text = _page(
        R_PERF_01=_row("R-PERF-01", **{"proven by": "`tests/test_fake.py::test_real[1]`"}),
        R_COST_01=_row("R-COST-01", **{"proven by": "`tests/test_fake.py::TestGroup::test_method`"}),
        R_AUTO_01=_row(
            "R-AUTO-01",
            status="not yet met",
            **{"met by": "planned: `tools/not_there.py`", "proven by": "", "notes": "Missing: all of it."},
        ),
    )
    results = _all_checks(text, fake_repo)
    assert results.pop("all_met") == [
        f"R-AUTO-01 (line {_line_of(text, 'R-AUTO-01')}) is not yet met: Something the notes ask for."
    ]
    assert not any(results.values()), results


def _line_of(text: str, rid: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(f"| {rid} "))


BROKEN = {
    # case: (replacement rows, the check that must report it, a word its message must hold)
    "no-test": ({"R_ALARM_01": _row("R-ALARM-01", **{"proven by": ""})}, "tests_named", "R-ALARM-01"),
    "partial-without-test": (
        {"R_ALARM_01": _row("R-ALARM-01", status="partially met", notes="Missing: x.", **{"proven by": ""})},
        "tests_named",
        "R-ALARM-01",
    ),
    "test-file-missing": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`tests/test_gone.py::test_real`"})},
        "tests_exist",
        "test_gone.py",
    ),
    "test-function-missing": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`tests/test_fake.py::test_unreal`"})},
        "tests_exist",
        "test_unreal",
    ),
    "parametrized-case-of-a-missing-function": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`tests/test_fake.py::test_unreal[1]`"})},
        "tests_exist",
        "test_unreal",
    ),
    "method-of-a-missing-class": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`tests/test_fake.py::TestOther::test_method`"})},
        "tests_exist",
        "TestOther",
    ),
    "not-a-test-function": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`tests/test_fake.py::helper`"})},
        "tests_exist",
        "helper",
    ),
    "not-a-test-id": (
        {"R_LOG_01": _row("R-LOG-01", **{"proven by": "`modules/real/main.tf`"})},
        "tests_exist",
        "not a test id",
    ),
    "path-missing": ({"R_DASH_01": _row("R-DASH-01", **{"met by": "`modules/gone`"})}, "paths_exist", "modules/gone"),
    "path-outside": ({"R_DASH_01": _row("R-DASH-01", **{"met by": "`../etc`"})}, "paths_exist", "inside"),
    "met-by-nothing": ({"R_DASH_01": _row("R-DASH-01", **{"met by": "planned: `x.py`"})}, "paths_exist", "R-DASH-01"),
    "met-but-missing": (
        {"R_COST_01": _row("R-COST-01", notes="Missing: the alarm.")},
        "status_notes",
        "R-COST-01",
    ),
    "met-but-not-yet-met": (
        {"R_COST_01": _row("R-COST-01", notes="The alarm part is not yet met.")},
        "status_notes",
        "R-COST-01",
    ),
    "met-but-planned": (
        {"R_COST_01": _row("R-COST-01", **{"met by": "`modules/real`, planned: `tools/x.py`"})},
        "status_notes",
        "R-COST-01",
    ),
    "partial-without-missing": (
        {"R_COST_01": _row("R-COST-01", status="partially met", notes="Some of it.")},
        "status_notes",
        "R-COST-01",
    ),
    "open": ({"R_COST_01": _row("R-COST-01", status="partially met", notes="Missing: y.")}, "all_met", "R-COST-01"),
    "unknown-status": ({"R_TRACE_01": _row("R-TRACE-01", status="done")}, "structure", "done"),
    "bad-id": ({"R_TRACE_01": _row("R-TRACE-1")}, "structure", "R-TRACE-1"),
    "unknown-area": ({"R_TRACE_01": _row("R-TRACING-01")}, "structure", "TRACING"),
    "repeated-id": ({"R_TRACE_01": _row("R-TRACE-01") + _row("R-TRACE-01")}, "structure", "repeated"),
    "ids-out-of-order": ({"R_TRACE_01": _row("R-TRACE-02")}, "structure", "in order"),
    "area-in-the-wrong-section": ({"R_TRACE_01": _row("R-TRACE-01") + _row("R-AUDIT-02")}, "structure", "mixes"),
    "wrong-columns": ({"R_TRACE_01": "\n| id | what |\n|---|---|\n| R-TRACE-01 | x |\n"}, "parse", "columns"),
    "missing-cell": ({"R_TRACE_01": "| R-TRACE-01 | x | met |\n"}, "parse", "cells"),
    "copied-text": (
        {"R_QUALITY_01": _row("R-QUALITY-01", requirement=" ".join(f"W{i}" for i in range(5, 17)) + ".")},
        "not_copied",
        "w5 w6",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_check_catches_its_fault(case, fake_repo):
    changed, check, word = BROKEN[case]
    results = _all_checks(_page(**changed), fake_repo)
    assert any(word in p for p in results[check]), f"{check} missed it: {results[check]}"


def test_eleven_shared_words_are_not_a_copy():
    text = "The notes and we both say " + " ".join(f"w{i}" for i in range(11)) + " and no more."
    assert not check_not_copied({"page": text}, shingle_hashes(FAKE_SEED))
    assert check_not_copied({"page": text.replace("w10", "w10 w11")}, shingle_hashes(FAKE_SEED))


# -- the fixture -------------------------------------------------------------------------------------------------


def write_shingles(seed: Path, out: Path = SHINGLES) -> int:
    hashes = sorted(shingle_hashes(seed.read_text()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Hashes of the 12-word runs of the design notes (no text): tests/test_requirements.py compares the\n"
        "# documentation with them. Words: \\w+ runs of the lowercased text; a run: 12 consecutive words joined\n"
        "# by one space; its hash: the first 16 hex digits of its SHA-256.\n"
        "# Regenerate: python tests/test_requirements.py --write-shingles <notes.md>\n" + "\n".join(hashes) + "\n"
    )
    return len(hashes)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--write-shingles":
        sys.exit("usage: python tests/test_requirements.py --write-shingles <notes.md>")
    print(f"{write_shingles(Path(sys.argv[2]))} hashes written to {SHINGLES.relative_to(ROOT)}")
