"""Least privilege, proven: each role's permissions against the AWS calls its code makes.

    python -m tools.permissions            # docs/permissions.md from the last recording (build/least-privilege)
    python -m tools.permissions --record   # record first: runs tests/test_least_privilege.py (emulator, Spark)
    python -m tools.permissions --check    # exit 1 when docs/permissions.md is not what the recording gives

The recording (tests/test_least_privilege.py writes it) holds, per role, its policy as planned and applied
and every AWS call its code made in an emulator run (harness.calls: botocore's before-call hook). Each call
becomes an IAM request (tools.iam.reference: action, resource ARNs from the call's parameters, condition
keys) and is evaluated against the role's policy (tools.iam.policy). A call the policy does not allow is a
bug in the policy or in the code; a permission no call uses needs a one-line reason in NOT_CALLED
(tools/iam/not_called.txt), or it goes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.iam import Request, evaluate
from tools.iam import reference as ref
from tools.iam.policy import statements

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "build" / "least-privilege" / "record.json"
DOC = ROOT / "docs" / "permissions.md"
NOT_CALLED = ROOT / "tools" / "iam" / "not_called.txt"
UNUSED = "unused:"  # a reason that starts so marks a permission no code path needs: a finding, to be dropped


@dataclass
class Verdict:
    """One recorded call, as IAM sees it."""

    operation: str  # s3.PutObject
    origin: str  # glue_jobs/audit.py::put
    action: str
    resources: list[str]
    context: dict[str, Any]
    allowed: bool
    reason: str
    statements: tuple[str, ...] = ()  # Sids of the statements that allow it


@dataclass
class Permission:
    """One action of one Allow statement of a role's policy."""

    sid: str
    action: str
    resources: list[str]
    called_by: list[str] = field(default_factory=list)  # "s3.PutObject <- glue_jobs/audit.py::put"
    reason: str = ""  # why no call needs it (NOT_CALLED)


def verdicts(policy: dict, calls: list[dict], region: str, account: str) -> list[Verdict]:
    out = []
    for call in calls:
        action = ref.action_of(call["service"], call["operation"])
        resources = ref.resources_of(action, call["params"], region, account)
        context = ref.condition_context(action, call["params"], region)
        operation = f"{call['service']}.{call['operation']}"
        if not resources:
            out.append(Verdict(operation, call.get("origin", ""), action, [], context, False,
                               "the call's resource could not be derived from its parameters"))
            continue
        decisions = [evaluate(Request(action, arn, context), {"policy": policy}) for arn in resources]
        denied = [d for d in decisions if not d.allowed]
        sids = sorted({label.split("/", 1)[1] for d in decisions for label in d.allowing})
        out.append(Verdict(operation, call.get("origin", ""), action, resources, context, not denied,
                           denied[0].reason if denied else decisions[0].reason, tuple(sids)))
    return out


def not_called_reasons(path: Path = NOT_CALLED) -> dict[tuple[str, str, str], str]:
    """(role, Sid, action) -> reason, from lines `<role> <Sid> <action>: <reason>` (# comments)."""
    out = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        head, _, reason = line.partition(": ")
        role, sid, action = head.split()
        out[(role, sid, action)] = reason.strip()
    return out


def permissions(role: str, policy: dict, found: list[Verdict], reasons: dict[tuple[str, str, str], str]
                ) -> list[Permission]:
    out = []
    for i, stmt in enumerate(statements(policy)):
        if stmt.get("Effect") != "Allow":
            continue
        sid = stmt.get("Sid") or f"#{i + 1}"
        resources = stmt.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        patterns = stmt.get("Action", [])
        for action in sorted({a for p in (patterns if isinstance(patterns, list) else [patterns])
                              for a in ref.expand(p)}):
            calls = sorted({f"{v.operation} <- {v.origin or '?'}" for v in found
                            if v.allowed and sid in v.statements and v.action.lower() == action.lower()})
            out.append(Permission(sid, action, sorted(resources), calls, reasons.get((role, sid, action), "")))
    return out


def _generic(text: str) -> str:
    """What differs from one apply to the next (account ids, key ids) out of the table, so it stays put."""
    text = re.sub(r"key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "key/<key id>", text)
    return re.sub(r"(?<![0-9])[0-9]{12}(?![0-9])", "<account>", text)


def render(record: dict, reasons: dict[tuple[str, str, str], str]) -> str:
    lines = [
        "# Permissions: each role's, and the call that needs it",
        "",
        "Generated by `python -m tools.permissions` from the recording of tests/test_least_privilege.py: every",
        "AWS call the example Glue job and the Lambdas made in their emulator runs (botocore's before-call hook,",
        "harness/calls.py), evaluated against the role's policy as planned and applied (tools/iam). A permission",
        "no call needs says why (tools/iam/not_called.txt). Do not edit by hand.",
        "",
    ]
    for role, data in sorted(record["roles"].items()):
        found = verdicts(data["policy"], data["calls"], data["region"], data["account"])
        perms = permissions(role, data["policy"], found, reasons)
        lines += [f"## {role}", "", _generic(data.get("about", "")), "",
                  "| permission | resources | needed by (call <- code path), or why it is there |", "|---|---|---|"]
        for p in perms:
            if p.called_by:
                need = "<br>".join(p.called_by)
            elif p.reason.startswith(UNUSED):
                need = f"**unused**: {p.reason.removeprefix(UNUSED).strip()}"
            else:
                need = f"not called: {p.reason}" if p.reason else "**not called, no reason**"
            res = "<br>".join(f"`{_generic(r)}`" for r in p.resources)
            lines.append(f"| `{p.sid}`: `{p.action}` | {res} | {need} |")
        denied = [v for v in found if not v.allowed]
        lines += ["", f"Calls the policy denies: {len(denied)}."]
        for v in denied:
            lines.append(_generic(f"- DENIED `{v.operation}` ({v.action} on {', '.join(v.resources) or '?'}) from "
                                  f"{v.origin}: {v.reason}"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.permissions", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--record", action="store_true", help="run tests/test_least_privilege.py first (records)")
    p.add_argument("--check", action="store_true", help="only say whether docs/permissions.md is current")
    args = p.parse_args(argv)
    if args.record:
        rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_least_privilege.py"], cwd=ROOT).returncode
        if rc not in (0, 1):
            return rc
    if not RECORD.exists():
        print(f"no recording at {RECORD}: python -m tools.permissions --record", file=sys.stderr)
        return 2
    text = render(json.loads(RECORD.read_text()), not_called_reasons())
    if args.check:
        current = DOC.exists() and DOC.read_text() == text
        print(f"{DOC.relative_to(ROOT)} is {'current' if current else 'stale: python -m tools.permissions'}")
        return 0 if current else 1
    DOC.write_text(text)
    print(DOC.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
