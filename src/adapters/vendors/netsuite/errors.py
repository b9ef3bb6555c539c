"""NetSuite's answers in o2c's words: 429 and 5xx are worth retrying (after Retry-After when
given), any other refusal carries NetSuite's own detail, error code and field path."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

import httpx

from application.errors import VendorRejected, VendorUnavailable

SYSTEM = "netsuite"


class NetSuiteRejected(VendorRejected):
    def __init__(self, status: int, details: list[dict[str, Any]], fallback: str) -> None:
        super().__init__(SYSTEM, f"{status} {described(details) or fallback}")
        self.status = status
        self.codes = {str(d.get("o:errorCode", "")) for d in details}
        self.paths = {str(d.get("o:errorPath", "")) for d in details}


def described(details: list[dict[str, Any]]) -> str:
    return "; ".join(
        " ".join(
            part
            for part in (
                str(d.get("o:errorCode", "")),
                f"at {d['o:errorPath']}:" if d.get("o:errorPath") else "",
                str(d.get("detail", "")),
            )
            if part
        )
        for d in details
    )


def error_details(body: Any) -> list[dict[str, Any]]:
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def check(response: httpx.Response, body: Any, what: str) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        text = described(error_details(body)) or response.reason_phrase
        raise VendorUnavailable(
            SYSTEM, f"{what}: {status} {text}", retry_after(response.headers.get("Retry-After"))
        )
    if status >= 400:
        title = oauth_or_title(body)
        fallback = f"{title or response.reason_phrase} ({what})"
        raise NetSuiteRejected(status, error_details(body), fallback)


def retry_after(value: str | None) -> float | None:
    """Seconds, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def oauth_or_title(body: Any) -> str:
    """The token endpoint answers OAuth's error body; the record API its own."""
    if not isinstance(body, dict):
        return ""
    return str(body.get("error_description") or body.get("title") or "")
