"""Reaching real infrastructure from tests: skip loudly when it is missing, fail in CI."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_service(what: str, reason: str) -> None:
    message = f"{what} is not reachable ({reason}); these tests did NOT run"
    if in_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)
