"""Parser of CloudWatch metric math ("Using metric math", "Metric math syntax and functions").

Grammar (operator precedence is not documented; the usual one is assumed, lowest first):
``OR ||`` < ``AND &&`` < ``== != < <= > >=`` < ``+ -`` < ``* /`` < unary ``-`` < ``^`` (right associative).
Functions are upper case (``FILL(m1, 0)``), ids start with a lower-case letter (``m1``, ``error_rate``), arrays are
``[m1, m2]``, strings are double-quoted (``METRICS("errors")``) and bare upper-case words are keywords
(``REPEAT``, ``LINEAR``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alarm_eval.errors import InputError
from alarm_eval.parsing import TokenCursor


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    id: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Word:
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Array:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Str | Word | Call | Array | Unary | Binary

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<str>\"[^\"]*\"|'[^']*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/^<>(),\[\]]))"
)
_LEVELS: list[set[str]] = [{"OR", "||"}, {"AND", "&&"}, {"==", "!=", "<", "<=", ">", ">="}, {"+", "-"}, {"*", "/"}]
_CANONICAL = {"||": "OR", "&&": "AND"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise InputError(f"metric math {text!r}: unexpected {text[pos:].strip()[:10]!r} at {pos}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value in ("AND", "OR"):
            kind = "op"
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser(TokenCursor[tuple[str, str]]):
    def __init__(self, text: str):
        super().__init__("metric math", text, _tokenize(text))

    def parse(self) -> Node:
        node = self.binary(0)
        self.done()
        return node

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (token := self.peek()) and token[0] == "op" and token[1] in _LEVELS[level]:
            self.pos += 1
            left = Binary(_CANONICAL.get(token[1], token[1]), left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token and token[1] in ("-", "+"):
            self.pos += 1
            operand = self.unary()
            return Unary("-", operand) if token[1] == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if (token := self.peek()) and token[1] == "^":
            self.pos += 1
            return Binary("^", base, self.unary())
        return base

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Num(float(value))
        if kind == "str":
            return Str(value[1:-1])
        if value == "(":
            node = self.binary(0)
            self.take(")")
            return node
        if value == "[":
            return Array(self.items("]"))
        if kind == "name":
            if (token := self.peek()) and token[1] == "(":
                self.pos += 1
                return Call(value.upper(), self.items(")"))
            return Word(value) if value.isupper() else Ref(value)
        raise self.fail(f"unexpected {value!r}")

    def items(self, close: str) -> tuple[Node, ...]:
        items: list[Node] = []
        if (token := self.peek()) and token[1] == close:
            self.pos += 1
            return ()
        while True:
            items.append(self.binary(0))
            kind, value = self.take()
            if value == close:
                return tuple(items)
            if value != ",":
                raise self.fail(f"expected ',' or {close!r}, got {value!r}")


def parse(text: str) -> Node:
    if not text or not text.strip():
        raise InputError("metric math: empty expression")
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """The ids an expression reads (METRICS() reads every metric: the caller handles that)."""
    if isinstance(node, Ref):
        return {node.id}
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        children = node.args
    elif isinstance(node, Array):
        children = node.items
    elif isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    out: set[str] = set()
    for child in children:
        out |= references(child)
    return out


def calls(node: Node) -> set[str]:
    """The function names an expression uses."""
    out: set[str] = set()
    if isinstance(node, Call):
        out.add(node.name)
        for a in node.args:
            out |= calls(a)
    elif isinstance(node, Array):
        for a in node.items:
            out |= calls(a)
    elif isinstance(node, Unary):
        out |= calls(node.operand)
    elif isinstance(node, Binary):
        out |= calls(node.left) | calls(node.right)
    return out
