"""Negative tier: every bad input of tests/negative/*.yaml is rejected at plan with its message.

All cases of all modules are planned in one root: each case is a module call in its own file, and Terraform
reports each validation error with the file it came from (harness.bundle.plan_diagnostics). Each module also
gets a `control` case (its valid `base` inputs), which must plan without an error, so a case cannot pass
because the base itself is broken.
"""

from __future__ import annotations

import pytest

from harness.bundle import load_negative_cases

pytestmark = pytest.mark.negative
CASES = load_negative_cases()


@pytest.fixture(scope="session")
def errors_by_file(negative_diagnostics) -> dict[str, list[str]]:
    by_file: dict[str, list[str]] = {}
    for diag in negative_diagnostics:
        if diag.get("severity") != "error":
            continue
        filename = (diag.get("range") or {}).get("filename", "?")
        by_file.setdefault(filename.rsplit("/", 1)[-1], []).append(f"{diag['summary']}: {diag.get('detail', '')}")
    return by_file


@pytest.mark.parametrize("case", CASES, ids=[f"{c.module}-{c.id}" for c in CASES])
def test_bad_input_is_rejected_with_its_message(case, errors_by_file):
    errors = errors_by_file.get(case.file, [])
    if case.error is None:
        assert not errors, f"the valid base inputs of {case.module} do not plan:\n" + "\n".join(errors)
        return
    assert errors, f"{case.module}: {case.vars} was accepted; expected an error containing {case.error!r}"
    assert any(case.error in e for e in errors), f"expected {case.error!r} in:\n" + "\n".join(errors)


def test_no_error_comes_from_outside_the_cases(errors_by_file):
    stray = {f: e for f, e in errors_by_file.items() if not f.startswith("case_")}
    assert not stray, f"errors not attributable to a case: {stray}"
