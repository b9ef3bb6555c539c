"""Dynamics 365's OData service as calls: an Entra ID bearer kept until it expires, never more
calls at once than the configured limit, and every failure in the application's words."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from typing import Any

import httpx

from adapters.vendors.call_log import vendor_hooks
from adapters.vendors.dynamics365.batch import Outcome, Write, changeset_request, encoded, outcomes
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from application.errors import VendorRejected, VendorUnavailable

SYSTEM = "dynamics365"
ODATA_HEADERS = {"Accept": "application/json", "OData-Version": "4.0", "OData-MaxVersion": "4.0"}
EXPIRY_MARGIN_SECONDS = 60


class EntraTokens:
    """Client-credentials tokens from Microsoft Entra ID, fetched once and reused."""

    def __init__(self, http: httpx.Client, settings: Dynamics365Settings) -> None:
        self.http = http
        self.settings = settings
        self.lock = threading.Lock()
        self.token = ""
        self.expires_at = 0.0

    def bearer(self) -> str:
        with self.lock:
            if not self.token or time.monotonic() >= self.expires_at:
                self.token, self.expires_at = self.fetch()
            return self.token

    def forget(self, token: str) -> None:
        with self.lock:
            if self.token == token:
                self.token = ""

    def fetch(self) -> tuple[str, float]:
        form = {
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "grant_type": "client_credentials",
            "scope": self.settings.scope,
        }
        response = checked(exchange(self.http, "POST", self.settings.token_url, data=form))
        body = parsed(response)
        lifetime = float(body["expires_in"]) - EXPIRY_MARGIN_SECONDS
        return str(body["access_token"]), time.monotonic() + max(lifetime, 0.0)


class ODataClient:
    def __init__(
        self, settings: Dynamics365Settings, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_seconds),
            transport=transport,
            event_hooks=vendor_hooks("dynamics365"),
        )
        self.tokens = EntraTokens(self.http, settings)
        self.slots = threading.BoundedSemaphore(settings.concurrency_limit)

    def close(self) -> None:
        self.http.close()

    def entity(self, target: str) -> dict[str, Any] | None:
        """One entity by its full key, read across companies; None when there is none."""
        response = self.call("GET", target, params={"cross-company": "true"})
        return None if response.status_code == 404 else parsed(checked(response))

    def rows(self, entity_set: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every row the query matches, across companies, following the server's pages."""
        url: str | None = entity_set
        query: dict[str, str] | None = {**params, "cross-company": "true"}
        found: list[dict[str, Any]] = []
        while url:
            page = parsed(checked(self.call("GET", url, params=query)))
            found.extend(page["value"])
            url, query = page.get("@odata.nextLink"), None
        return found

    def send(self, method: str, target: str, body: dict[str, Any]) -> dict[str, Any] | None:
        content = encoded(body).encode()
        headers = {"Content-Type": "application/json"}
        response = checked(self.call(method, target, content=content, headers=headers))
        return parsed(response) if response.content else None

    def changeset(self, writes: list[Write]) -> list[Outcome]:
        """Every write in one atomic changeset: all applied, or none and the error raised."""
        content_type, content = changeset_request(writes)
        headers = {"Content-Type": content_type}
        response = checked(self.call("POST", "$batch", content=content, headers=headers))
        answers = outcomes(response.headers.get("Content-Type", ""), response.content)
        for answer in answers:
            raise_for(answer.status, answer.body, retry_after=None)
        return answers

    def call(self, method: str, target: str, **options: Any) -> httpx.Response:
        url = target if target.startswith("http") else f"{self.settings.service_root}/{target}"
        with self.slots:
            token = self.tokens.bearer()
            response = self.authorised(method, url, token, options)
            if response.status_code == 401:
                self.tokens.forget(token)
                response = self.authorised(method, url, self.tokens.bearer(), options)
        return response

    def authorised(
        self, method: str, url: str, token: str, options: dict[str, Any]
    ) -> httpx.Response:
        headers = {
            **ODATA_HEADERS,
            **options.get("headers", {}),
            "Authorization": f"Bearer {token}",
        }
        return exchange(self.http, method, url, **{**options, "headers": headers})


def exchange(http: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    try:
        return http.request(method, url, **options)
    except httpx.TimeoutException as error:
        raise VendorUnavailable(SYSTEM, f"timed out: {method} {url}: {error}") from error
    except httpx.HTTPError as error:
        raise VendorUnavailable(SYSTEM, f"no answer: {method} {url}: {error}") from error


def checked(response: httpx.Response) -> httpx.Response:
    raise_for(response.status_code, body_of(response), retry_after_of(response))
    return response


def raise_for(status: int, body: Any, retry_after: float | None) -> None:
    if status < 400:
        return
    message = f"{status} {message_of(body)}"
    if status == 429 or status >= 500:
        raise VendorUnavailable(SYSTEM, message, retry_after=retry_after)
    raise VendorRejected(SYSTEM, message)


def message_of(body: Any) -> str:
    """D365's `error.message` with its inner message, or Entra ID's error and description."""
    if not isinstance(body, dict):
        return str(body or "no error body")
    error = body.get("error")
    if isinstance(error, dict):
        inner = (error.get("innererror") or {}).get("message", "")
        outer = error.get("message", "")
        return f"{outer} {inner}".strip() if inner and inner != outer else outer
    description = str(body.get("error_description", "")).splitlines()
    return f"{error}: {description[0] if description else ''}"


def retry_after_of(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def body_of(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content, parse_float=Decimal) if response.content else None
    except ValueError:
        return response.text[:500]


def parsed(response: httpx.Response) -> Any:
    body = body_of(response)
    if not isinstance(body, dict):
        raise VendorUnavailable(SYSTEM, f"an answer that is not JSON: {str(body)[:200]}")
    return body
