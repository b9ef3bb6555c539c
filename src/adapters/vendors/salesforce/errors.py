"""Salesforce's answers in o2c's words. Its errors are an array of {message, errorCode, fields};
5xx and a timeout are worth retrying, as is 403 REQUEST_LIMIT_EXCEEDED once the limit allows
(the client decides when); any other refusal carries Salesforce's codes and fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import InvalidOperation
from typing import Any

from application.errors import VendorRejected

SYSTEM = "salesforce"
REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
INVALID_SESSION_ID = "INVALID_SESSION_ID"


class SalesforceRejected(VendorRejected):
    def __init__(self, status: int, errors: list[dict[str, Any]], fallback: str) -> None:
        super().__init__(SYSTEM, f"{status} {described(errors) or fallback}")
        self.status = status
        self.codes = {str(e.get("errorCode", "")) for e in errors}
        self.fields = {str(f) for e in errors for f in e.get("fields") or ()}


def errors_of(body: Any) -> list[dict[str, Any]]:
    """Salesforce's error array; the token endpoint's OAuth error as one entry of it."""
    if isinstance(body, dict) and "error" in body:
        return [{"errorCode": body["error"], "message": body.get("error_description", "")}]
    if isinstance(body, list):
        return [e for e in body if isinstance(e, dict) and "errorCode" in e]
    return []


def described(errors: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{e.get('errorCode')}{fields_of(e)}: {str(e.get('message', '')).strip()}" for e in errors
    )


def fields_of(error: dict[str, Any]) -> str:
    fields = error.get("fields") or []
    return f" [{', '.join(map(str, fields))}]" if fields else ""


@contextmanager
def reading(what: str) -> Iterator[None]:
    """An answer o2c cannot read is refused, naming what was being read."""
    try:
        yield
    except (KeyError, ValueError, TypeError, IndexError, InvalidOperation) as error:
        raise VendorRejected(SYSTEM, f"{what}: cannot read {error!r}") from error
