"""The one reader of Terraform configuration in the harness: python-hcl2, a parser of the real grammar.

    cfg = read(Path("modules/notifications"))          # every *.tf file of the folder, merged
    cfg.variables["name_prefix"].type                   # 'string' (expressions come back as HCL text)
    cfg.provider_aliases                                # [None, "us_east_1"]

Values come back the way python-hcl2 gives them: strings keep their quotes in `raw`, expressions are HCL
text; `Variable` and `Output` unquote what a reader needs (description, default as HCL, type).
"""

from __future__ import annotations

import functools
import json
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2


def _unquote(value: Any) -> Any:
    """A string literal's text: quotes removed, escapes decoded, heredocs (`<<-EOT`) reduced to their body."""
    if isinstance(value, str) and value.startswith('"<<') and value.endswith('"'):
        value = value[1:-1]  # python-hcl2 wraps a heredoc in quotes
    if isinstance(value, str) and value.startswith("<<"):
        first, _, rest = value.partition("\n")
        body = rest.rstrip().rpartition("\n")[0] if "\n" in rest.rstrip() else ""
        return textwrap.dedent(body) if first.startswith("<<-") else body
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return json.loads(value) if "\\" in value else value[1:-1]
    return value


def _expression(value: Any) -> str | None:
    """A value as HCL text, the way it is written in the file (for README tables)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value  # quoted strings keep their quotes
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_expression(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        items = {k: v for k, v in value.items() if not k.startswith("__")}
        if not items:
            return "{}"
        return "{ " + ", ".join(f"{_unquote(k)} = {_expression(v) or 'null'}" for k, v in items.items()) + " }"
    return str(value)


def _blocks(doc: dict, kind: str) -> list[tuple[str, dict]]:
    """(label, body) of every `kind "label" {}` block; python-hcl2 keeps labels quoted."""
    out = []
    for entry in doc.get(kind, []):
        for label, body in entry.items():
            out.append((_unquote(label), body))
    return out


@dataclass(frozen=True)
class Variable:
    name: str
    raw: dict

    @property
    def description(self) -> str | None:
        return _unquote(self.raw.get("description"))

    @property
    def type(self) -> str | None:
        return _expression(self.raw.get("type"))

    @property
    def has_default(self) -> bool:
        return "default" in self.raw

    @property
    def default(self) -> str | None:
        """The default as HCL text (`null` when the default is null); None when the variable is required."""
        if not self.has_default:
            return None
        value = self.raw["default"]
        return "null" if value is None else _expression(value)

    @property
    def nullable(self) -> bool:
        return self.raw.get("nullable", True) is not False

    @property
    def validations(self) -> list[dict]:
        return [{"condition": _expression(v.get("condition")), "error_message": _unquote(v.get("error_message"))}
                for v in self.raw.get("validation", [])]


@dataclass(frozen=True)
class Output:
    name: str
    raw: dict

    @property
    def description(self) -> str | None:
        return _unquote(self.raw.get("description"))

    @property
    def value(self) -> str | None:
        return _expression(self.raw.get("value"))


@dataclass(frozen=True)
class Config:
    """The merged configuration of one folder (a module or a root)."""

    path: Path
    docs: dict[str, dict] = field(default_factory=dict)  # file name -> parsed document

    def blocks(self, kind: str) -> list[tuple[str, dict]]:
        return [b for doc in self.docs.values() for b in _blocks(doc, kind)]

    @property
    def variables(self) -> dict[str, Variable]:
        return {name: Variable(name, body) for name, body in self.blocks("variable")}

    @property
    def outputs(self) -> dict[str, Output]:
        return {name: Output(name, body) for name, body in self.blocks("output")}

    @property
    def resource_types(self) -> set[str]:
        return {rtype for doc in self.docs.values() for entry in doc.get("resource", []) for rtype in entry}

    @property
    def module_sources(self) -> list[str]:
        return [_unquote(body.get("source")) for _name, body in self.blocks("module")]

    @property
    def provider_aliases(self) -> list[str | None]:
        """The `provider "aws"` configurations the folder declares (None = the default one)."""
        return [_unquote(body.get("alias")) for name, body in self.blocks("provider") if name == "aws"]

    def _terraform_blocks(self) -> list[dict]:
        return [t for doc in self.docs.values() for t in doc.get("terraform", [])]

    @property
    def configuration_aliases(self) -> list[str]:
        """`configuration_aliases` of the aws provider requirement (a module that takes aliased providers)."""
        aliases = []
        for block in self._terraform_blocks():
            for req in block.get("required_providers", []):
                aws = req.get("aws") or {}
                for ref in aws.get("configuration_aliases", []) if isinstance(aws, dict) else []:
                    aliases.append(_expression(ref).removeprefix("aws."))
        return aliases

    @property
    def has_backend(self) -> bool:
        return any(block.get("backend") for block in self._terraform_blocks())


_PARSER_LOCK = threading.Lock()  # python-hcl2 shares one Lark parser: two threads parsing at once corrupt it


@functools.cache
def _parse(path: Path, mtime_ns: int, size: int) -> dict:
    with _PARSER_LOCK, path.open() as f:
        return hcl2.load(f)


def read(folder: Path) -> Config:
    """Parse every *.tf file of `folder` (cached by path, modification time and size)."""
    folder = Path(folder)
    docs = {}
    for tf in sorted(folder.glob("*.tf")):
        stat = tf.stat()
        docs[tf.name] = _parse(tf.resolve(), stat.st_mtime_ns, stat.st_size)
    return Config(folder, docs)
