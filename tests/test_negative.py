"""Negative tier: every bad input of tests/negative/*.yaml is rejected at plan with its message.

All cases of all modules are planned in one root (one `terraform plan`): each case is a module call in its
own file, and Terraform reports each validation error with the file it came from. Each module also gets a
`control` case (its valid `base` inputs), which must plan without an error, so a case cannot pass because
the base itself is broken.
"""

from __future__ import annotations

import pytest

from harness.bundle import build_negative_bundle, load_negative_cases, plan_diagnostics
from harness.paths import CACHE
from harness.terraform import Root

pytestmark = pytest.mark.negative
NEGATIVE_ACCOUNT = "100000000002"
CASES = load_negative_cases()


@pytest.fixture(scope="session")
def diagnostics_by_file(tree, emulator) -> dict[str, list[str]]:
    root = Root(build_negative_bundle(tree, CASES))
    root.target_emulator(emulator, account=NEGATIVE_ACCOUNT)
    by_file: dict[str, list[str]] = {}
    for diag in plan_diagnostics(root, CACHE / "negative"):
        if diag.get("severity") != "error":
            continue
        filename = (diag.get("range") or {}).get("filename", "?")
        by_file.setdefault(filename.rsplit("/", 1)[-1], []).append(f"{diag['summary']}: {diag.get('detail', '')}")
    return by_file


@pytest.mark.parametrize("case", CASES, ids=[f"{c.module}-{c.id}" for c in CASES])
def test_bad_input_is_rejected_with_its_message(case, diagnostics_by_file):
    errors = diagnostics_by_file.get(case.file, [])
    if case.error is None:
        assert not errors, f"the valid base inputs of {case.module} do not plan:\n" + "\n".join(errors)
        return
    assert errors, f"{case.module}: {case.vars} was accepted; expected an error containing {case.error!r}"
    assert any(case.error in e for e in errors), f"expected {case.error!r} in:\n" + "\n".join(errors)


def test_no_error_comes_from_outside_the_cases(diagnostics_by_file):
    stray = {f: e for f, e in diagnostics_by_file.items() if not f.startswith("case_")}
    assert not stray, f"errors not attributable to a case: {stray}"
