"""A NetSuite account on loopback, speaking SuiteTalk REST as vendors.md describes it: the
record API under /services/rest/record/v1/ (customer and vendor upsert and read by `eid:`, a
customer with its credit limit and hold; invoice,
credit memo, vendor bill and vendor credit create answering 204 with the new record's Location,
read by `eid:`), SuiteQL with `Prefer: transient`, the idempotency header, bearer tokens from a
signed JWT, its error body and its concurrency limit. The account defines one custom body field,
the checkbox its admin made to mark intercompany transactions.

SuiteQL pages by `limit` (1 to the account's page limit, 1000 in NetSuite) and `offset`, which
must be a multiple of the limit [3p]; each page says `hasMore` and `totalResults`.

Test hooks: `refuse_next` (a 429 storm), `lose_next_answers` (commit, then drop the
connection unanswered), `expire_tokens`, `receive_payment`, `set_credit`, `most_concurrent`,
and the master data the account's users keep (`master`: subsidiaries, tax codes, departments,
customers made by hand; see netsuite_master)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from simulators.netsuite_auth import TOKEN_PATH, Integration, TokenDesk, TokenRefused
from simulators.netsuite_books import NetSuiteBooks, Refusal, check_uuid, refused_field
from simulators.netsuite_master import NetSuiteMasterData
from simulators.netsuite_suiteql import run_query

RECORDS = "/services/rest/record/v1/"
SUITEQL = "/services/rest/query/v1/suiteql"
EID_RECORD = re.compile(r"(customer|vendor|invoice|creditMemo|vendorBill|vendorCredit)/eid:(.+)")
ENTITIES = ("customer", "vendor")
TRANSACTIONS = ("invoice", "creditMemo", "vendorBill", "vendorCredit")
INTERCOMPANY_FIELD = "custbody_o2c_intercompany"
# USD, GBP, CAD, EUR are 1-4 in a new account [3p]; an account maps its own.
DEFAULT_CURRENCIES = frozenset({"1", "2", "3", "4"})
SUITEQL_PAGE_LIMIT = 1000
ERROR_CONTENT = "application/vnd.oracle.resource+json; type=error"
Answer = tuple[int, dict[str, str], Any]


@dataclass
class Faults:
    refusals: int = 0
    retry_after: int = 1
    lost_answers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_refusal(self) -> bool:
        with self.lock:
            self.refusals, taken = max(self.refusals - 1, 0), self.refusals > 0
            return taken

    def take_lost_answer(self) -> bool:
        with self.lock:
            self.lost_answers, taken = max(self.lost_answers - 1, 0), self.lost_answers > 0
            return taken


@dataclass
class Concurrency:
    limit: int
    in_flight: int = 0
    most: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def admitted(self) -> Iterator[bool]:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            admitted = self.in_flight <= self.limit
            self.refused += 0 if admitted else 1
        try:
            yield admitted
        finally:
            with self.lock:
                self.in_flight -= 1


class NetSuiteSimulator:
    def __init__(
        self,
        integration: Integration,
        *,
        subsidiaries: frozenset[str] = frozenset({"1"}),
        currencies: frozenset[str] = DEFAULT_CURRENCIES,
        custom_fields: frozenset[str] = frozenset({INTERCOMPANY_FIELD}),
        concurrency_limit: int = 15,
        latency: float = 0.0,
        page_limit: int = SUITEQL_PAGE_LIMIT,
    ) -> None:
        self.books = NetSuiteBooks(
            {s: unnamed_subsidiary(s) for s in subsidiaries}, currencies, custom_fields
        )
        self.master = NetSuiteMasterData(self.books)
        self.page_limit = page_limit
        self.auth = TokenDesk(integration)
        self.concurrency = Concurrency(concurrency_limit)
        self.faults = Faults()
        self.latency = latency
        self.requests: list[tuple[str, str]] = []
        self.correlation_ids: list[str] = []  # each request's X-Correlation-Id, "" for none
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> NetSuiteSimulator:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self._server.daemon_threads = True
        serve = functools.partial(self._server.serve_forever, poll_interval=0.05)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the simulator first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def refuse_next(self, count: int, retry_after: int = 1) -> None:
        self.faults.refusals, self.faults.retry_after = count, retry_after

    def lose_next_answers(self, count: int) -> None:
        self.faults.lost_answers = count

    def expire_tokens(self) -> None:
        self.auth.expire_all()

    def receive_payment(
        self, payment_id: str, invoice_number: str, amount: str, received_on: dt.date
    ) -> None:
        self.books.receive_payment(payment_id, invoice_number, Decimal(amount), received_on)

    def set_credit(self, customer_external_id: str, credit_limit: str | None, hold: str) -> None:
        """A customer's credit limit (None: none) and Hold: AUTO, ON or OFF."""
        limit = None if credit_limit is None else Decimal(credit_limit)
        self.books.set_credit(customer_external_id, limit, hold)

    @property
    def most_concurrent(self) -> int:
        return self.concurrency.most

    def records(self, record_type: str) -> list[dict[str, Any]]:
        return [t for t in self.books.snapshot() if t["recordType"] == record_type]

    def answer(self, method: str, target: str, headers: Any, body: bytes) -> Answer | None:
        """None: the answer is lost after the work was done."""
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        self.requests.append((method, path))
        self.correlation_ids.append(headers.get("X-Correlation-Id") or "")
        with self.concurrency.admitted() as admitted:
            time.sleep(self.latency)
            if not admitted:
                return error_answer(over_limit({}))
            if self.faults.take_refusal():
                return error_answer(over_limit({"Retry-After": str(self.faults.retry_after)}))
            answered = self.routed(method, path, headers, body, query)
            return None if self.faults.take_lost_answer() else answered

    def routed(
        self, method: str, path: str, headers: Any, body: bytes, query: dict[str, list[str]]
    ) -> Answer:
        try:
            if (method, path) == ("POST", TOKEN_PATH):
                return 200, {}, self.auth.issue(body, self.url + TOKEN_PATH)
            self.auth.check_bearer(headers.get("Authorization"))
            if (method, path) == ("POST", SUITEQL):
                return self.suiteql(headers, json_body(body), page_of(query, self.page_limit))
            if path.startswith(RECORDS):
                return self.record(method, path.removeprefix(RECORDS), headers, body)
            raise Refusal(404, "NOT_SIMULATED", f"{method} {path} is not simulated.")
        except TokenRefused as refused:
            return 400, {}, refused.body
        except Refusal as refusal:
            return error_answer(refusal)

    def record(self, method: str, rest: str, headers: Any, body: bytes) -> Answer:
        eid = EID_RECORD.fullmatch(rest)
        if method == "PUT" and eid and eid[1] in ENTITIES:
            record_id = self.books.upsert_entity(eid[1], unquote(eid[2]), json_body(body))
            return self.created(f"{eid[1]}/{record_id}")
        if method == "GET" and eid and eid[1] in TRANSACTIONS:
            return 200, {}, self.books.read(eid[1], unquote(eid[2]))
        if method == "GET" and eid and eid[1] in ENTITIES:
            return 200, {}, self.books.read_entity(eid[1], unquote(eid[2]))
        if method == "POST" and rest in TRANSACTIONS:
            key = headers.get("X-NetSuite-Idempotency-Key")
            record_id = self.books.create(rest, json_body(body), key and check_uuid(key))
            return self.created(f"{rest}/{record_id}")
        raise Refusal(405, "NOT_SIMULATED", f"{method} {RECORDS}{rest} is not simulated.")

    def created(self, record: str) -> Answer:
        return 204, {"Location": f"{self.url}{RECORDS}{record}"}, None

    def suiteql(self, headers: Any, body: dict[str, Any], page: tuple[int, int]) -> Answer:
        if headers.get("Prefer") != "transient":
            raise refused_field("Prefer", "SuiteQL needs the header Prefer: transient.")
        if not isinstance(body.get("q"), str):
            raise refused_field("q", "Please enter value(s) for: q")
        rows = self.master.answer(body["q"])
        if rows is None:
            rows = run_query(self.books, body["q"])
        return 200, {}, suiteql_page(rows, *page)


def unnamed_subsidiary(subsidiary: str) -> dict[str, str]:
    """A subsidiary its users have not described yet: a US one keeping its books in USD."""
    return {"name": subsidiary, "country": "US", "currency": "1"}


def suiteql_page(rows: list[dict[str, str]], limit: int, offset: int) -> dict[str, Any]:
    items = [{"links": [], **row} for row in rows[offset : offset + limit]]
    return {
        "links": [],
        "count": len(items),
        "hasMore": offset + limit < len(rows),
        "items": items,
        "offset": offset,
        "totalResults": len(rows),
    }


def page_of(query: dict[str, list[str]], page_limit: int) -> tuple[int, int]:
    default = str(page_limit)
    try:
        limit, offset = int(query.get("limit", [default])[0]), int(query.get("offset", ["0"])[0])
    except ValueError:
        raise refused_field("limit", "limit and offset must be whole numbers.") from None
    if not 1 <= limit <= page_limit:
        raise refused_field("limit", f"limit must be 1 to {page_limit}.")
    if offset < 0 or offset % limit:
        raise refused_field("offset", "offset must be a multiple of limit, not negative.")
    return limit, offset


def over_limit(headers: dict[str, str]) -> Refusal:
    # REST's 429 over the concurrency limit is third-party-sourced [3p] in vendors.md, and its
    # error code and Retry-After are not confirmed: the code here is the simulator's own.
    return Refusal(429, "CONCURRENCY_LIMIT_EXCEEDED", "Over the account's limit.", "", headers)


def json_body(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"null", parse_float=Decimal)
    except ValueError:
        raise refused_field("", "The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise refused_field("", "The request body must be a JSON object.")
    return parsed


def error_answer(refusal: Refusal) -> Answer:
    detail = {"detail": refusal.detail, "o:errorCode": refusal.code}
    if refusal.path:
        detail["o:errorPath"] = refusal.path
    body = {
        "type": error_type(refusal.status),
        "title": HTTPStatus(refusal.status).phrase,
        "status": refusal.status,
        "o:errorDetails": [detail],
    }
    return refusal.status, refusal.headers, body


def error_type(status: int) -> str:
    if status == 429:
        return "https://www.rfc-editor.org/rfc/rfc6585.html#section-4"
    return f"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.{status - 399}"


def handler_for(account: NetSuiteSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def exchange(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            answered = account.answer(self.command, self.path, self.headers, body)
            if answered is None:
                self.close_connection = True
                return
            self.reply(*answered)

        def reply(self, status: int, headers: dict[str, str], payload: Any) -> None:
            content = b"" if payload is None else json.dumps(payload, default=str).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if content:
                self.send_header("Content-Type", content_type(status))
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = exchange

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def content_type(status: int) -> str:
    return (
        "application/json" if status < 400 else "application/vnd.oracle.resource+json; type=error"
    )
