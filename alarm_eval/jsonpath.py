"""The small JSON path both EventBridge input paths and CloudWatch Logs selectors use: ``$``, ``.name``, ``[n]``."""

from __future__ import annotations

import re
from typing import Any

from alarm_eval.errors import InputError

MISSING: Any = object()  # what a path that the document does not have gives

_STEP = re.compile(r"\.([^.\[\]\s]+)|\[(\d+)\]")


def select(document: Any, path: str) -> Any:
    """``$.detail.jobName``, ``$.users[0].email``; ``MISSING`` when the document has no such value."""
    if not path.startswith("$"):
        raise InputError(f"path {path!r} must start with $")
    current, pos = document, 1
    while pos < len(path):
        step = _STEP.match(path, pos)
        if not step:
            raise InputError(f"path {path!r}: cannot read {path[pos:]!r}")
        name, index = step.groups()
        if name is not None:
            if not isinstance(current, dict) or name not in current:
                return MISSING
            current = current[name]
        else:
            if not isinstance(current, list) or int(index) >= len(current):
                return MISSING
            current = current[int(index)]
        pos = step.end()
    return current
