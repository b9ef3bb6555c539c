"""One Zuora tenant over REST: a bearer token from OAuth 2.0 client credentials, renewed before
it expires and once on 401; `Zuora-Version` on every call; and every failure in o2c's words.
Nothing from httpx escapes.

Zuora says `"success": false` in the body, with reasons, on HTTP 200 as well as on 4xx; a
reason code's last two digits say what kind of failure it is, so locking contention (50),
internal and temporary errors (60, 61) and the request limit (70) are worth retrying and the
rest are not. A 429 waits as long as `RateLimit-Reset` says; when `RateLimit-Remaining`
reaches 0, the next call waits for the reset instead of drawing a 429."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from adapters.vendors.call_log import vendor_hooks
from adapters.vendors.zuora.settings import ZuoraSettings
from application.errors import VendorRejected, VendorUnavailable

SYSTEM = "zuora"
TOKEN_PATH = "/oauth/token"
NOT_FOUND = 40
TRANSIENT = frozenset({50, 60, 61, 70})


class ZuoraRejected(VendorRejected):
    def __init__(self, status: int, reasons: list[dict[str, Any]], what: str) -> None:
        super().__init__(SYSTEM, f"{what}: {status} {described(reasons)}")
        self.status = status
        self.codes = [int(r["code"]) for r in reasons if str(r.get("code", "")).isdigit()]

    @property
    def not_found(self) -> bool:
        return self.status == 404 or any(code % 100 == NOT_FOUND for code in self.codes)


class Token:
    """One token shared by every call, fetched again by whichever call finds it stale."""

    def __init__(self, fetch: Callable[[], dict[str, Any]], margin: float) -> None:
        self.fetch = fetch
        self.margin = margin
        self.value = ""
        self.expires_at = 0.0
        self.lock = threading.Lock()

    def current(self) -> str:
        with self.lock:
            if not self.value or time.monotonic() >= self.expires_at:
                asked_at = time.monotonic()
                answer = self.fetch()
                self.value = str(answer["access_token"])
                lasts = float(answer.get("expires_in") or 0)
                self.expires_at = asked_at + max(lasts - self.margin, 0.0)
            return self.value

    def refused(self, value: str) -> None:
        with self.lock:
            if self.value == value:
                self.value = ""


class Pace:
    """The tenant's window as its headers tell it: once spent, calls wait for the reset."""

    def __init__(self, sleep: Callable[[float], None], longest: float = 60.0) -> None:
        self.sleep = sleep
        self.longest = longest
        self.not_before = 0.0
        self.lock = threading.Lock()

    def wait_turn(self) -> None:
        with self.lock:
            wait = self.not_before - time.monotonic()
        if wait > 0:
            self.sleep(min(wait, self.longest))

    def observe(self, headers: httpx.Headers) -> None:
        remaining, reset = headers.get("RateLimit-Remaining"), seconds(headers)
        if remaining is not None and remaining.strip() == "0" and reset is not None:
            with self.lock:
                self.not_before = time.monotonic() + reset


class ZuoraClient:
    def __init__(
        self,
        settings: ZuoraSettings,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.http = http or httpx.Client(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            event_hooks=vendor_hooks("zuora"),
        )
        self.token = Token(self.fetch_token, settings.token_margin_seconds)
        self.pace = Pace(sleep)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", path, content=encoded(body))

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("PUT", path, content=encoded(body))

    def upload(self, path: str, name: str, content: bytes) -> dict[str, Any]:
        """A file as multipart form data, in the part named `file`."""
        return self.call("POST", path, files={"file": (name, content, "text/csv")})

    def call(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        headers = {"Zuora-Version": self.settings.api_version, "Accept": "application/json"}
        if "content" in request:
            headers["Content-Type"] = "application/json"
        if self.settings.entity_id:
            headers["Zuora-Entity-Ids"] = self.settings.entity_id
        what = f"{method} {path}"
        token = self.token.current()
        response = self.send(method, path, token, headers, request)
        if response.status_code == 401:
            self.token.refused(token)
            response = self.send(method, path, self.token.current(), headers, request)
        return self.checked(response, what)

    def send(
        self, method: str, path: str, token: str, headers: dict[str, str], request: dict[str, Any]
    ) -> httpx.Response:
        self.pace.wait_turn()
        try:
            response = self.http.request(
                method, path, headers={**headers, "Authorization": f"Bearer {token}"}, **request
            )
        except httpx.HTTPError as error:
            raise VendorUnavailable(SYSTEM, f"{method} {path}: {error!r}") from error
        self.pace.observe(response.headers)
        return response

    def checked(self, response: httpx.Response, what: str) -> dict[str, Any]:
        body = parsed(response)
        status = response.status_code
        reasons = reasons_of(body)
        if status == 429:
            wait = seconds(response.headers)
            backoff = self.settings.rate_limit_backoff_seconds if wait is None else wait
            raise VendorUnavailable(SYSTEM, f"{what}: 429 {described(reasons)}", backoff)
        if status >= 500 or any(code % 100 in TRANSIENT for code in codes(reasons)):
            raise VendorUnavailable(SYSTEM, f"{what}: {status} {described(reasons)}")
        if status >= 300 or not isinstance(body, dict) or failed(body):
            raise ZuoraRejected(status, reasons, what)
        return body

    def fetch_token(self) -> dict[str, Any]:
        form = {
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "grant_type": "client_credentials",
        }
        try:
            response = self.http.post(TOKEN_PATH, data=form)
        except httpx.HTTPError as error:
            raise VendorUnavailable(SYSTEM, f"POST {TOKEN_PATH}: {error!r}") from error
        body = parsed(response)
        if response.status_code == 429 or response.status_code >= 500:
            wait = seconds(response.headers)
            raise VendorUnavailable(SYSTEM, f"POST {TOKEN_PATH}: {response.status_code}", wait)
        if response.status_code != 200 or not isinstance(body, dict):
            detail = body.get("error", "") if isinstance(body, dict) else ""
            raise VendorRejected(SYSTEM, f"no access token: {response.status_code} {detail}")
        if not body.get("access_token"):
            raise VendorUnavailable(SYSTEM, "the token endpoint answered without a token")
        return body


def failed(body: dict[str, Any]) -> bool:
    return body.get("success") is False or body.get("Success") is False


def reasons_of(body: Any) -> list[dict[str, Any]]:
    """Zuora's reasons, or the object API's `Errors` ({Code, Message}) in the same shape."""
    if not isinstance(body, dict):
        return []
    found = body.get("reasons") or [
        {"code": e.get("Code"), "message": e.get("Message")}
        for e in body.get("Errors") or []
        if isinstance(e, dict)
    ]
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def codes(reasons: list[dict[str, Any]]) -> list[int]:
    return [int(r["code"]) for r in reasons if str(r.get("code", "")).isdigit()]


def described(reasons: list[dict[str, Any]]) -> str:
    return "; ".join(f"{r.get('code', '')} {r.get('message', '')}".strip() for r in reasons) or (
        "no detail"
    )


def seconds(headers: httpx.Headers) -> float | None:
    for name in ("RateLimit-Reset", "Retry-After"):
        value = headers.get(name)
        if value is not None:
            try:
                return max(float(value), 0.0)
            except ValueError:
                continue
    return None


def encoded(body: Any) -> bytes:
    """Amounts as JSON numbers, as Zuora takes them: exact up to 15 significant digits."""
    return json.dumps(body, default=number).encode()


def number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def parsed(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return {"success": False, "reasons": [{"code": "", "message": response.text[:200]}]}
