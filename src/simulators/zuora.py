"""A Zuora tenant on loopback, speaking the v1 REST API: OAuth 2.0 client credentials
(`POST /oauth/token`, form-encoded) for a bearer token that expires; `/v1/accounts`,
`/v1/subscriptions` (subscribeToRatePlans with chargeOverrides), usage files (`POST /v1/usage`,
read back through `checkImportStatus` and `/v1/object/import/{id}`), and invoices
(`/v1/transactions/invoices/accounts/{account-key}`, `pageSize` at most 40, `nextPage`).

Errors come in Zuora's envelope, with HTTP 200 for a business error unless
`errors_as_http_200` is off (then 400, or 404 for what is not found). Every answer carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds); past the configured
limit the answer is 429. A POST carrying `Idempotency-Key` is done once: the same key again
replays the first answer, and with another body is refused (422).

Test hooks: `issue_invoice` (a bill run's invoice), `usage_held`, `account_of`,
`subscription_of`, `expire_tokens`, `refuse_next` (429s), `fail_next` (503s)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from simulators import zuora_objects as objects
from simulators import zuora_usage as usage
from simulators.loopback import Loopback
from simulators.zuora_records import (
    AUTHENTICATION,
    GENERAL,
    INVOICES,
    LIMIT,
    MALFORMED,
    NOT_FOUND,
    Refusal,
    Tenant,
    refused,
)

TOKEN_PATH = "/oauth/token"
MOST_PER_PAGE = 40
Answer = tuple[int, Any, dict[str, str]]


@dataclass
class RateLimit:
    """At most `requests` per window of `per_seconds`; None lets everything through."""

    requests: int | None = None
    per_seconds: float = 60.0
    window_start: float = 0.0
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[bool, dict[str, str]]:
        with self.lock:
            moment = time.monotonic()
            if moment - self.window_start >= self.per_seconds:
                self.window_start, self.used = moment, 0
            limit = self.requests if self.requests is not None else 50000
            admitted = self.used < limit
            self.used += 1 if admitted else 0
            reset = math.ceil(self.per_seconds - (moment - self.window_start))
            return admitted, {
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": str(max(limit - self.used, 0)),
                "RateLimit-Reset": str(max(reset, 0)),
            }


@dataclass
class Faults:
    refusals: int = 0
    outages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> bool:
        with self.lock:
            left = getattr(self, name)
            setattr(self, name, max(left - 1, 0))
            return bool(left > 0)


class ZuoraSimulator:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        tenant: Tenant | None = None,
        rate_limit: int | None = None,
        rate_window_seconds: float = 60.0,
        token_seconds: int = 3600,
        errors_as_http_200: bool = True,
    ) -> None:
        self.client = (client_id, client_secret)
        self.tenant = tenant or Tenant()
        self.limit = RateLimit(rate_limit, rate_window_seconds)
        self.faults = Faults()
        self.token_seconds = token_seconds
        self.errors_as_http_200 = errors_as_http_200
        self.tokens: dict[str, float] = {}
        self.replies: dict[str, tuple[str, Answer]] = {}
        self.requests: list[tuple[str, str]] = []
        self.loopback = Loopback()

    def start(self) -> ZuoraSimulator:
        self.loopback.start(handler_for(self))
        return self

    def stop(self) -> None:
        self.loopback.stop()

    @property
    def url(self) -> str:
        """The REST base, as https://rest.zuora.com is a production tenant's."""
        return f"{self.loopback.origin}"

    def refuse_next(self, count: int) -> None:
        self.faults.refusals = count

    def fail_next(self, count: int) -> None:
        self.faults.outages = count

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def issue_invoice(
        self, account_number: str, invoice_date: dt.date, amount: Decimal, **details: Any
    ) -> str:
        """A bill run's invoice for the account; returns its number."""
        with self.tenant.held():
            made = objects.issue_invoice(
                self.tenant, account_number, invoice_date, amount, **details
            )
            return str(made["invoiceNumber"])

    def usage_held(self, account_number: str) -> list[dict[str, Any]]:
        with self.tenant.held():
            return [
                dict(u) for u in self.tenant.usage.values() if u["accountNumber"] == account_number
            ]

    def account_of(self, account_number: str) -> dict[str, Any] | None:
        with self.tenant.held():
            return next(
                (
                    dict(a)
                    for a in self.tenant.accounts.values()
                    if a["accountNumber"] == account_number
                ),
                None,
            )

    def subscription_of(self, number: str) -> dict[str, Any] | None:
        with self.tenant.held():
            return next(
                (
                    dict(s)
                    for s in self.tenant.subscriptions.values()
                    if s["subscriptionNumber"] == number
                ),
                None,
            )

    def answer(self, method: str, target: str, headers: Any, body: bytes) -> Answer:
        parts = urlsplit(target)
        self.requests.append((method, parts.path))
        admitted, limits = self.limit.take()
        try:
            if method == "POST" and parts.path == TOKEN_PATH:
                status, payload = self.token(body)
                return status, payload, limits
            if self.faults.take("refusals") or not admitted:
                raise Refusal(429, GENERAL, LIMIT, "Too many requests: the rate limit is reached.")
            self.check_token(headers.get("Authorization"))
            if self.faults.take("outages"):
                raise Refusal(503, GENERAL, 61, "Zuora is temporarily unavailable.")
            return (*self.once(method, parts.path, parts.query, headers, body), limits)
        except Refusal as refusal:
            return self.status_of(refusal), refusal.body(), limits

    def status_of(self, refusal: Refusal) -> int:
        if refusal.status != 200 or self.errors_as_http_200:
            return refusal.status
        return 404 if refusal.code % 100 == NOT_FOUND else 400

    def token(self, body: bytes) -> tuple[int, Any]:
        form = {k: v[-1] for k, v in parse_qs(body.decode("ascii", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != self.client:
            return 401, {"error": "invalid_client", "error_description": "Bad credentials"}
        token = secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + self.token_seconds
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_seconds - 1,
            "scope": "entity.1a2b3c user.7d8e9f platform.write service.usage.write",
            "jti": secrets.token_hex(8),
        }

    def check_token(self, authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ")
        if self.tokens.get(token, 0.0) <= time.monotonic():
            raise Refusal(401, GENERAL, AUTHENTICATION, "Authentication error.")

    def once(
        self, method: str, path: str, query: str, headers: Any, body: bytes
    ) -> tuple[int, Any]:
        key = headers.get("Idempotency-Key")
        if method != "POST" or not key:
            return self.routed(method, path, query, headers, body)
        if len(key) > 255:
            raise refused(GENERAL, 20, "Idempotency-Key is longer than 255 characters.")
        fingerprint = hashlib.sha256(f"{path}\n".encode() + body).hexdigest()
        with self.tenant.held():
            if key in self.replies:
                seen, (status, payload, _) = self.replies[key]
                if seen != fingerprint:
                    raise Refusal(
                        422, GENERAL, 20, "The Idempotency-Key was used for another request."
                    )
                return status, payload
            status, payload = self.routed(method, path, query, headers, body)
            self.replies[key] = (fingerprint, (status, payload, {}))
            return status, payload

    def routed(
        self, method: str, path: str, query: str, headers: Any, body: bytes
    ) -> tuple[int, Any]:
        tenant = self.tenant
        segments = [unquote(s) for s in path.strip("/").split("/")]
        with tenant.held():
            match method, segments:
                case "POST", ["v1", "accounts"]:
                    made = objects.create_account(tenant, json_body(body))
                    return 200, {
                        "success": True,
                        "accountId": made["id"],
                        "accountNumber": made["accountNumber"],
                    }
                case "GET", ["v1", "accounts", key]:
                    return 200, objects.account_view(tenant, tenant.account(key))
                case "PUT", ["v1", "accounts", key]:
                    objects.update_account(tenant, key, json_body(body))
                    return 200, {"success": True}
                case "POST", ["v1", "subscriptions"]:
                    made = objects.create_subscription(tenant, json_body(body))
                    return 200, {
                        "success": True,
                        "subscriptionId": made["id"],
                        "subscriptionNumber": made["subscriptionNumber"],
                    }
                case "GET", ["v1", "subscriptions", key]:
                    return 200, objects.subscription_view(tenant.subscription(key))
                case "POST", ["v1", "usage"]:
                    name, content = usage.uploaded_file(headers.get("Content-Type", ""), body)
                    job = usage.start_import(tenant, name, content)
                    return 200, {
                        "success": True,
                        "size": len(content),
                        "checkImportStatus": f"/v1/usage/{job['Id']}/status",
                    }
                case "GET", ["v1", "usage", import_id, "status"]:
                    return 200, usage.import_status(tenant, import_id)
                case "GET", ["v1", "object", "import", import_id]:
                    return 200, usage.import_object(tenant, import_id)
                case "GET", ["v1", "transactions", "invoices", "accounts", key]:
                    return 200, self.invoice_page(key, path, parse_qs(query))
        raise Refusal(404, GENERAL, NOT_FOUND, f"{method} {path} is not a known operation.")

    def invoice_page(self, key: str, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
        size, page = whole(query, "pageSize", 20), whole(query, "page", 1)
        if not 1 <= size <= MOST_PER_PAGE or page < 1:
            raise refused(INVOICES, 20, f"pageSize must be 1 to {MOST_PER_PAGE}, page 1 or more.")
        found = objects.invoices_of(self.tenant, key)
        shown = found[(page - 1) * size : page * size]
        body: dict[str, Any] = {"invoices": [dict(i) for i in shown], "success": True}
        if page * size < len(found):
            body["nextPage"] = f"{path}?page={page + 1}&pageSize={size}"
        return body


def whole(query: dict[str, list[str]], name: str, default: int) -> int:
    value = (query.get(name) or [str(default)])[-1]
    if not value.isdigit():
        raise refused(INVOICES, 20, f"{name} must be a whole number.")
    return int(value)


def json_body(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"null", parse_float=Decimal)
    except ValueError:
        raise refused(GENERAL, MALFORMED, "The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise refused(GENERAL, MALFORMED, "The request body must be a JSON object.")
    return parsed


def encoded(payload: Any) -> bytes:
    return json.dumps(payload, default=number).encode()


def number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def handler_for(tenant: ZuoraSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def exchange(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload, headers = tenant.answer(
                self.command, self.path, self.headers, self.rfile.read(length)
            )
            content = encoded(payload)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = exchange

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
