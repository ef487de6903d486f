"""A cursor over tokens, shared by the three small parsers (metric math, composite rules, log filter patterns)."""

from __future__ import annotations

from typing import Generic, TypeVar

from alarm_eval.errors import InputError

T = TypeVar("T", str, tuple[str, str])


class TokenCursor(Generic[T]):
    """Tokens are strings, or ``(kind, text)`` pairs; ``take(expected)`` compares the text."""

    def __init__(self, what: str, text: str, tokens: list[T]):
        self.what = what
        self.text = text
        self.tokens = tokens
        self.pos = 0

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.what} {self.text!r}: {message}")

    @staticmethod
    def text_of(token: T | None) -> str | None:
        if token is None:
            return None
        return token if isinstance(token, str) else token[1]

    def peek(self) -> T | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> T:
        token = self.peek()
        if token is None or (expected is not None and self.text_of(token) != expected):
            raise self.fail(f"expected {expected or 'more'}, got {self.text_of(token) or 'the end'}")
        self.pos += 1
        return token

    def done(self) -> None:
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.text_of(self.peek())!r}")
