"""Resources out of ``terraform show -json``: a plan (``resource_changes[].change.after``) or a state
(``values.root_module`` with ``child_modules``). A plan leaves unknown what the apply computes (ARNs of resources
created in the same plan); ``Resource.unknown`` keeps Terraform's ``after_unknown`` so the loader can tell an
unknown value from an absent one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alarm_eval.errors import InputError

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Resource:
    address: str
    type: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def is_unknown(self, key: str) -> bool:
        return bool(self.unknown.get(key)) and self.values.get(key) is None


@dataclass(frozen=True)
class PlanDocument:
    source: str
    resources: list[Resource]
    account: str
    region: str

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources if r.type == resource_type]


def load(path: str | Path) -> PlanDocument:
    try:
        doc = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise InputError(f"plan {path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"plan {path}: not JSON ({exc}); give the output of `terraform show -json`") from exc
    return from_document(doc, str(path))


def from_document(doc: dict[str, Any], source: str = "<plan>") -> PlanDocument:
    if not isinstance(doc, dict):
        raise InputError(f"plan {source}: expected a JSON object from `terraform show -json`")
    if "resource_changes" in doc:
        resources = list(_from_changes(doc["resource_changes"] or []))
        data = list(_from_changes(doc["resource_changes"] or [], mode="data"))
        data += list(
            _from_module(((doc.get("prior_state") or {}).get("values") or {}).get("root_module") or {}, "data")
        )
    elif "values" in doc:
        root = (doc.get("values") or {}).get("root_module") or {}
        resources = list(_from_module(root, "managed"))
        data = list(_from_module(root, "data"))
    else:
        raise InputError(
            f"plan {source}: neither resource_changes (a plan) nor values.root_module (a state): "
            "give the output of `terraform show -json plan.out` or `terraform show -json`"
        )
    account, region = _identity(data, resources)
    return PlanDocument(source, resources, account, region)


def _from_changes(changes: list[dict[str, Any]], mode: str = "managed") -> Iterator[Resource]:
    for rc in changes:
        if rc.get("mode", "managed") != mode:
            continue
        change = rc.get("change") or {}
        if change.get("actions") == ["delete"] or change.get("after") is None:
            continue
        yield Resource(rc["address"], rc["type"], change["after"], change.get("after_unknown") or {})


def _from_module(module: dict[str, Any], mode: str) -> Iterator[Resource]:
    for r in module.get("resources") or []:
        if r.get("mode", "managed") == mode:
            yield Resource(r["address"], r["type"], r.get("values") or {})
    for child in module.get("child_modules") or []:
        yield from _from_module(child, mode)


_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):(\d{12}):")


def _identity(data: list[Resource], resources: list[Resource]) -> tuple[str, str]:
    """The account and region the plan targets: from its data sources, else from any ARN it holds."""
    account = next((r.get("account_id") for r in data if r.type == "aws_caller_identity" and r.get("account_id")), None)
    region = next(
        (
            r.get("name") or r.get("region")
            for r in data
            if r.type == "aws_region" and (r.get("name") or r.get("region"))
        ),
        None,
    )
    if not (account and region):
        for r in resources:
            match = _ARN.search(json.dumps(r.values))
            if match:
                region, account = region or match.group(1), account or match.group(2)
                break
    return account or DEFAULT_ACCOUNT, region or DEFAULT_REGION
