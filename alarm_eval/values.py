"""promtool-style series notation (as in ``promtool test rules``): ``"0 0 1 _ 1x3 5+5x2"``.

- a number is one value; ``_`` is one missing value;
- ``axn`` is n+1 values of a (``1x3`` = ``1 1 1 1``), ``a+bxn`` / ``a-bxn`` count up or down from a in n steps
  (``5+5x2`` = ``5 10 15``);
- ``_xn`` is n missing values.
"""

from __future__ import annotations

import re

from alarm_eval.errors import InputError

_EXPAND = re.compile(r"^(?P<a>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?:(?P<sign>[+-])(?P<b>\d+(?:\.\d+)?))?x(?P<n>\d+)$")


def expand(text: str | list[object]) -> list[float | None]:
    if isinstance(text, list):
        return [None if v in (None, "_") else _number(v) for v in text]
    out: list[float | None] = []
    for token in str(text).split():
        if token == "_":
            out.append(None)
        elif token.startswith("_x"):
            out.extend([None] * _count(token[2:], token))
        elif match := _EXPAND.match(token):
            a = float(match.group("a"))
            b = float(match.group("b") or 0) * (-1 if match.group("sign") == "-" else 1)
            out.extend(a + b * i for i in range(_count(match.group("n"), token) + 1))
        else:
            out.append(_number(token))
    return out


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InputError(f"series values: {value!r} is not a number, _ or an expansion like 1x3 or 0+5x2") from exc


def _count(text: str, token: str) -> int:
    if not text.isdigit():
        raise InputError(f"series values: bad repetition in {token!r}")
    return int(text)
