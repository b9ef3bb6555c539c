"""A Salesforce org on loopback, speaking REST as vendors.md describes it: the JWT bearer token
exchange, sObject rows and upsert by external id, SOQL queries paged by nextRecordsUrl, and
composite, each under /services/data/vXX.X/ with a bearer token. Every answer there carries
`Sforce-Limit-Info: api-usage=n/limit`; a call over the org's request allocation, or one
arriving while the org's limit of long-running requests is in flight, is refused with 403
REQUEST_LIMIT_EXCEEDED. Errors are Salesforce's array of {message, errorCode, fields}.

Test hooks: `seed` (records as sales or an admin made them, ids given or not), `define_stage`,
`record`/`records`/`find` to look, `use_requests` (an allocation already spent),
`expire_sessions`, and `most_concurrent`. `schemas` takes more sObjects and fields; `clock`
sets the time the org stamps on what it writes (LastModifiedDate)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from simulators.salesforce_auth import TOKEN_PATH, ConnectedApp, Sessions, TokenRefused
from simulators.salesforce_composite import run_composite
from simulators.salesforce_records import Record, Records, Refusal
from simulators.salesforce_rest import Answer, Rest
from simulators.salesforce_schema import STANDARD_STAGES, Schemas, default_schemas

DATA_PATH = re.compile(r"/services/data/v(\d+\.\d)/(.*)")
OLDEST_VERSION, NEWEST_VERSION = 20.0, 66.0


@dataclass
class Allocation:
    """API requests counted against the org's allocation (vendors.md: 100,000 a day and more
    per licence); a composite request counts once."""

    limit: int
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    @property
    def header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.used}/{self.limit}"}


@dataclass
class LongRequests:
    """Requests in flight; those running at least `seconds` count against the org's limit."""

    limit: int
    seconds: float
    started: dict[int, float] = field(default_factory=dict)
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 1 << 62)))

    @contextmanager
    def admitted(self) -> Iterator[bool]:
        with self.lock:
            now = time.monotonic()
            running = sum(1 for s in self.started.values() if now - s >= self.seconds)
            key = next(self.ids)
            self.started[key] = now
            self.most = max(self.most, len(self.started))
        try:
            yield running < self.limit
        finally:
            with self.lock:
                del self.started[key]


class SalesforceSimulator:
    def __init__(
        self,
        app: ConnectedApp,
        *,
        schemas: Schemas | None = None,
        request_limit: int = 100_000,
        concurrent_limit: int = 25,
        long_request_seconds: float = 20.0,
        batch_size: int = 2000,
        session_seconds: float = 7200.0,
        latency: float = 0.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.schemas = schemas or default_schemas()
        self.store = Records(self.schemas, clock)
        self.rest = Rest(self.store, batch_size)
        self.sessions = Sessions(app, session_seconds)
        self.allocation = Allocation(request_limit)
        self.long_requests = LongRequests(concurrent_limit, long_request_seconds)
        self.latency = latency
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        for name, closed, won, probability in STANDARD_STAGES:
            self.define_stage(name, is_closed=closed, is_won=won, probability=probability)

    def start(self) -> SalesforceSimulator:
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

    def seed(self, sobject: str, fields: Mapping[str, Any], record_id: str = "") -> str:
        """A record as the org's users or admin made it: read-only fields may be given."""
        with self.lock:
            if record_id and record_id in self.store.rows.get(self.store.sobject(sobject).name, {}):
                self.store.update(sobject, record_id, fields, admin=True)
                return record_id
            return self.store.create(sobject, fields, admin=True, record_id=record_id)

    def define_stage(
        self, api_name: str, *, is_closed: bool, is_won: bool, probability: int = 0
    ) -> str:
        found = self.find("OpportunityStage", "ApiName", api_name)
        fields = {
            "ApiName": api_name,
            "MasterLabel": api_name,
            "IsActive": True,
            "IsClosed": is_closed,
            "IsWon": is_won,
            "SortOrder": len(list(self.store.all("OpportunityStage"))) + 1,
            "DefaultProbability": probability,
        }
        return self.seed("OpportunityStage", fields, found["Id"] if found else "")

    def record(self, sobject: str, record_id: str) -> Record | None:
        with self.lock:
            found = self.store.rows.get(self.store.sobject(sobject).name, {}).get(record_id)
            return None if found is None else dict(found)

    def records(self, sobject: str) -> list[Record]:
        with self.lock:
            return [dict(r) for r in self.store.all(sobject)]

    def find(self, sobject: str, field_name: str, value: Any) -> Record | None:
        return next((r for r in self.records(sobject) if r.get(field_name) == value), None)

    def use_requests(self, used: int) -> None:
        self.allocation.used = used

    @property
    def api_usage(self) -> tuple[int, int]:
        return self.allocation.used, self.allocation.limit

    def expire_sessions(self) -> None:
        self.sessions.expire_all()

    @property
    def most_concurrent(self) -> int:
        return self.long_requests.most

    def answer(self, method: str, target: str, headers: Any, body: bytes) -> Answer:
        parts = urlsplit(target)
        self.requests.append((method, parts.path))
        if (method, parts.path) == ("POST", TOKEN_PATH):
            try:
                return 200, {}, self.sessions.issue(body, self.url)
            except TokenRefused as refusal:
                return 400, {}, refusal.body
        found = DATA_PATH.fullmatch(parts.path)
        if found is None:
            return refused(Refusal(404, "NOT_FOUND", "The requested resource does not exist"))
        with self.long_requests.admitted() as admitted:
            time.sleep(self.latency)
            status, answer_headers, answer = self.data(
                method, found, parts.query, headers, body, admitted
            )
        return status, {**answer_headers, **self.allocation.header}, answer

    def data(
        self,
        method: str,
        path: re.Match[str],
        query: str,
        headers: Any,
        body: bytes,
        admitted: bool,
    ) -> Answer:
        try:
            self.sessions.check_bearer(headers.get("Authorization"))
            if not OLDEST_VERSION <= float(path[1]) <= NEWEST_VERSION:
                raise Refusal(404, "NOT_FOUND", "The requested resource does not exist")
            if not admitted:
                raise over_limit("ConcurrentPerOrgLongTxn Limit exceeded.")
            if not self.allocation.take():
                raise over_limit("TotalRequests Limit exceeded.")
            parsed = json_body(body)
            with self.lock:
                if (method, path[2]) == ("POST", "composite"):
                    return 200, {}, run_composite(self.store, self.rest.route, parsed)
                return self.rest.route(method, path[1], path[2], query, parsed, headers)
        except Refusal as refusal:
            return refused(refusal)


def over_limit(message: str) -> Refusal:
    return Refusal(403, "REQUEST_LIMIT_EXCEEDED", message)


def refused(refusal: Refusal) -> Answer:
    return refusal.status, {}, refusal.body


def json_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError:
        raise Refusal(400, "JSON_PARSER_ERROR", "The request body is not valid JSON.") from None


def encoded(payload: Any) -> bytes:
    """Numbers as Salesforce sends them, JSON numbers (doubles)."""
    return json.dumps(
        payload, default=lambda v: float(v) if isinstance(v, Decimal) else str(v)
    ).encode()


def handler_for(org: SalesforceSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def exchange(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, headers, payload = org.answer(self.command, self.path, self.headers, body)
            content = b"" if payload is None else encoded(payload)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if content:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = exchange

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
