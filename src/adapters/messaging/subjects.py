"""NATS subject patterns compared token by token: `*` is one token, `>` one or more at the end."""

from __future__ import annotations


def overlap(first: str, second: str) -> bool:
    """Whether some subject matches both patterns (JetStream refuses that across streams)."""
    left, right = first.split("."), second.split(".")
    for mine, theirs in zip(left, right, strict=False):
        if ">" in (mine, theirs):
            return True
        if "*" not in (mine, theirs) and mine != theirs:
            return False
    return len(left) == len(right)


def covers(pattern: str, subject: str) -> bool:
    """Whether every subject `subject` matches also matches `pattern`."""
    outer, inner = pattern.split("."), subject.split(".")
    for position, token in enumerate(outer):
        if token == ">":
            return len(inner) > position
        if position >= len(inner) or not _token_covers(token, inner[position]):
            return False
    return len(outer) == len(inner)


def _token_covers(token: str, other: str) -> bool:
    return token == other or (token == "*" and other != ">")
