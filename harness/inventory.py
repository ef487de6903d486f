"""Plan inventories (`tests/inventories/<module>/<example>.yaml`): what an example's plan must create.

    counts:   resource type -> how many the plan creates (only the listed types are checked)
    values:   address inside the example -> attributes that must equal (a subset; JSON strings as objects)
    outputs:  output names the example must have
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from harness import settings


def load_inventory(example, root: Path = settings.ROOT) -> dict | None:
    path = root / "tests" / "inventories" / example.module / f"{example.name}.yaml"
    return yaml.safe_load(path.read_text()) if path.exists() else None


def planned_creates(plan, prefix: str) -> dict[str, dict]:
    """address (relative to `prefix`) -> planned attribute values, for every resource the plan creates."""
    out = {}
    for address, rc in plan.resource_changes.items():
        if address.startswith(prefix + ".") and "create" in rc["change"]["actions"] and rc["mode"] == "managed":
            out[address[len(prefix) + 1:]] = rc["change"].get("after") or {}
    return out


def resource_type(address: str) -> str:
    return re.sub(r"\[.*\]$", "", address.split(".")[-2] if "." in address else address)


def compare_inventory(inventory: dict, creates: dict[str, dict], outputs: set[str]) -> list[str]:
    """Differences between an inventory and a plan, as readable lines (empty = match)."""
    problems = []
    counts: dict[str, int] = {}
    for address in creates:
        counts[resource_type(address)] = counts.get(resource_type(address), 0) + 1
    for rtype, want in (inventory.get("counts") or {}).items():
        if counts.get(rtype, 0) != want:
            problems.append(f"count of {rtype}: planned {counts.get(rtype, 0)}, inventory says {want}")
    for address, want in (inventory.get("values") or {}).items():
        if address not in creates:
            near = sorted(a for a in creates if a.split("[")[0] == address.split("[")[0])[:5]
            problems.append(f"{address}: not planned (same resource: {near})")
            continue
        problems += [f"{address}: {p}" for p in _subset(want, creates[address], "")]
    for name in inventory.get("outputs") or []:
        if name not in outputs:
            problems.append(f"output {name}: missing (have {sorted(outputs)})")
    return problems


def _subset(want, got, path: str) -> list[str]:
    if isinstance(got, str) and isinstance(want, (dict, list)) and got[:1] in "{[":
        try:
            got = json.loads(got)  # policies and dashboard bodies are JSON strings
        except ValueError:
            pass
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path or '.'}: expected an object, planned {got!r}"]
        return [p for k, v in want.items() for p in _subset(v, got.get(k), f"{path}.{k}")]
    if want != got:
        return [f"{path or '.'}: expected {want!r}, planned {got!r}"]
    return []
