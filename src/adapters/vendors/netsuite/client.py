"""One NetSuite account over HTTP: at most the account's concurrency limit in flight, a
bearer token on every call (fetched again once on 401), and failures as o2c's vendor errors.
Nothing from httpx escapes."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import httpx
from attrs import frozen

from adapters.vendors.call_log import vendor_hooks
from adapters.vendors.netsuite.auth import TOKEN_PATH, CachedToken
from adapters.vendors.netsuite.errors import SYSTEM, check
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.errors import VendorRejected, VendorUnavailable


@frozen
class Reply:
    status: int
    headers: httpx.Headers
    body: Any


class NetSuiteClient:
    def __init__(self, settings: NetSuiteSettings, http: httpx.Client | None = None) -> None:
        self.http = http or httpx.Client(
            base_url=settings.url,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            event_hooks=vendor_hooks("netsuite"),
        )
        self.throttle = threading.BoundedSemaphore(settings.concurrency_limit)
        self.token = CachedToken(self.fetch_token, settings)

    def close(self) -> None:
        self.http.close()

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **request: Any
    ) -> Reply:
        token = self.token.current()
        try:
            return self.send(method, path, {**(headers or {}), **bearer(token)}, **request)
        except VendorRejected as refused:
            if getattr(refused, "status", None) != 401:
                raise
        self.token.refused(token)
        renewed = bearer(self.token.current())
        return self.send(method, path, {**(headers or {}), **renewed}, **request)

    def send(self, method: str, path: str, headers: dict[str, str], **request: Any) -> Reply:
        what = f"{method} {path}"
        with self.throttle:
            try:
                response = self.http.request(method, path, headers=headers, **request)
            except httpx.HTTPError as error:
                raise VendorUnavailable(SYSTEM, f"{what}: {error!r}") from error
        body = parsed(response)
        check(response, body, what)
        return Reply(response.status_code, response.headers, body)

    def fetch_token(self, form: dict[str, str]) -> dict[str, Any]:
        reply = self.send_token_form(form)
        if not isinstance(reply.body, dict) or not reply.body.get("access_token"):
            raise VendorUnavailable(SYSTEM, "the token endpoint answered without a token")
        return reply.body

    def send_token_form(self, form: dict[str, str]) -> Reply:
        try:
            return self.send("POST", TOKEN_PATH, {}, data=form)
        except VendorRejected as refused:
            raise VendorRejected(SYSTEM, f"no access token: {refused.message}") from refused


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def parsed(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return {"title": response.text[:200]}
