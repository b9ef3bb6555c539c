"""One Kantata account over HTTP: a bearer token on every call, JSON bodies, Kantata's pages
walked to the end, and failures as o2c's vendor errors. Nothing from httpx escapes.

Kantata answers 429 past its rate limit without saying how long to wait, so each 429 carries
o2c's own wait (longer for each 429 in a row) as its retry-after: the caller's retry waits that
long, and never past its own deadline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx

from adapters.vendors.call_log import vendor_hooks
from adapters.vendors.kantata.settings import KantataSettings
from application.errors import VendorRejected, VendorUnavailable

SYSTEM = "kantata"


class KantataRejected(VendorRejected):
    def __init__(self, status: int, errors: list[dict[str, Any]], what: str) -> None:
        super().__init__(SYSTEM, f"{what}: {status} {described(errors)}")
        self.status = status
        self.fields = {str(e["field"]) for e in errors if e.get("field")}
        self.types = {str(e.get("type", "")) for e in errors}


class Backoff:
    """Shared by every call on the account: a 429 anywhere means the account is over its limit."""

    def __init__(self, schedule: tuple[float, ...]) -> None:
        self.schedule = schedule or (1.0,)
        self.in_a_row = 0
        self.lock = threading.Lock()

    def refused(self) -> float:
        with self.lock:
            wait = self.schedule[min(self.in_a_row, len(self.schedule) - 1)]
            self.in_a_row += 1
            return wait

    def admitted(self) -> None:
        with self.lock:
            self.in_a_row = 0


class KantataClient:
    def __init__(self, settings: KantataSettings, http: httpx.Client | None = None) -> None:
        self.http = http or httpx.Client(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            event_hooks=vendor_hooks("kantata"),
        )
        self.headers = {"Authorization": f"Bearer {settings.token}", "Accept": "application/json"}
        self.per_page = settings.per_page
        self.backoff = Backoff(settings.rate_limit_backoff)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", path, json=body)

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("PUT", path, json=body)

    def pages(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every page of a list, first to last, each a whole envelope."""
        number = 1
        while True:
            page = self.get(path, {**params, "page": str(number), "per_page": str(self.per_page)})
            yield page
            meta = page.get("meta") or {}
            if number >= int(meta.get("page_count") or 1):
                return
            number += 1

    def call(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        what = f"{method} {path}"
        try:
            response = self.http.request(method, path, headers=self.headers, **request)
        except httpx.HTTPError as error:
            raise VendorUnavailable(SYSTEM, f"{what}: {error!r}") from error
        body = parsed(response)
        status = response.status_code
        if status == 429:
            raise VendorUnavailable(
                SYSTEM, f"{what}: 429 {described(errors_of(body))}", self.backoff.refused()
            )
        self.backoff.admitted()
        if status >= 500:
            raise VendorUnavailable(SYSTEM, f"{what}: {status} {described(errors_of(body))}")
        if status >= 400:
            raise KantataRejected(status, errors_of(body), what)
        if not isinstance(body, dict):
            raise VendorUnavailable(SYSTEM, f"{what}: {status} without Kantata's envelope")
        return body


def parsed(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return {"errors": [{"type": "system", "message": response.text[:200]}]}


def errors_of(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def described(errors: list[dict[str, Any]]) -> str:
    return (
        "; ".join(
            " ".join(
                part
                for part in (
                    str(e.get("type", "")),
                    f"at {e['field']}:" if e.get("field") else "",
                    str(e.get("message", "")),
                )
                if part
            )
            for e in errors
        )
        or "no detail"
    )
