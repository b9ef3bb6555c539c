"""A Kantata (formerly Mavenlink) account on loopback, speaking API v1 as vendors.md describes
it: bearer tokens, JSON, `/api/v1/workspaces`, `/stories`, `/time_entries`, `/expenses` and
`/external_references`, read in pages (`page`, `per_page` at most 200) inside Kantata's envelope
(`count`, `results` of `{key, id}`, top-level collections keyed by id, `meta`), errors as
`{"errors": [{type, message, field}]}`, and 429 without Retry-After past its rate limit.

Field names and the external-reference upsert follow the public Mavenlink client's
specification [3p]; which filters each list takes beyond paging is not confirmed, so the ones
here are those o2c's adapter sends.

Test hooks, the way people work in Kantata: `log_time` and `spend` (a consultant's time entry or
expense), `approve_time` and `approve_expenses` (a project manager approving a submission),
`reference_of` (what an integration wrote back), plus `refuse_next` and `fail_next`."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from simulators.kantata_records import SUBMISSIONS, KantataRecords, Refusal, a_date, whole
from simulators.loopback import Loopback

API = "/api/v1/"
MAX_PER_PAGE = 200
BETWEEN = re.compile(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})")
ITEM = re.compile(r"(workspaces|stories)/(\d+)")
INCLUDES = {
    "user": ("user_id", "users"),
    "role": ("role_id", "roles"),
    "workspace": ("workspace_id", "workspaces"),
    "story": ("story_id", "stories"),
}
Answer = tuple[int, Any]
Query = dict[str, list[str]]


@dataclass
class RateLimit:
    """At most `requests` in any `per_seconds`; None lets everything through."""

    requests: int | None = None
    per_seconds: float = 1.0
    seen: deque[float] = field(default_factory=deque)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admits(self) -> bool:
        with self.lock:
            if self.requests is None:
                return True
            moment = time.monotonic()
            while self.seen and moment - self.seen[0] >= self.per_seconds:
                self.seen.popleft()
            if len(self.seen) >= self.requests:
                self.refused += 1
                return False
            self.seen.append(moment)
            return True


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


class KantataSimulator:
    def __init__(
        self,
        token: str,
        *,
        rate_limit: int | None = None,
        rate_window_seconds: float = 1.0,
    ) -> None:
        self.token = token
        self.records = KantataRecords()
        self.limit = RateLimit(rate_limit, rate_window_seconds)
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []
        self.loopback = Loopback()

    def start(self) -> KantataSimulator:
        self.loopback.start(handler_for(self))
        return self

    def stop(self) -> None:
        self.loopback.stop()

    @property
    def url(self) -> str:
        """The API's base, as https://api.mavenlink.com/api/v1/ is Kantata's."""
        return f"{self.loopback.origin}{API}"

    def refuse_next(self, count: int) -> None:
        """The next `count` requests are over the rate limit."""
        self.faults.refusals = count

    def fail_next(self, count: int) -> None:
        self.faults.outages = count

    def workspace(self, title: str = "Delivery") -> str:
        with self.records.held():
            found = [w for w in self.records.all("workspaces") if w["title"] == title]
            if found:
                return str(found[0]["id"])
            return str(
                self.records.create_workspace({"title": title, "creator_role": "maven"})["id"]
            )

    def log_time(
        self,
        workspace_id: str,
        *,
        performed: str,
        minutes: int,
        user: str,
        role: str,
        entry_id: str = "",
        notes: str = "",
    ) -> str:
        with self.records.held():
            fields = {
                "workspace_id": workspace_id,
                "date_performed": performed,
                "time_in_minutes": minutes,
                "notes": notes,
                "user_id": self.records.named("users", "full_name", user),
                "role_id": self.records.named("roles", "name", role) if role else None,
            }
            return self.records.log_time(fields, entry_id)

    def spend(
        self,
        workspace_id: str,
        *,
        on: str,
        category: str,
        amount_in_cents: int,
        currency: str,
        user: str,
        expense_id: str = "",
        currency_base_unit: int = 100,
    ) -> str:
        with self.records.held():
            fields = {
                "workspace_id": workspace_id,
                "date": on,
                "category": category,
                "amount_in_cents": amount_in_cents,
                "currency": currency,
                "currency_base_unit": currency_base_unit,
                "user_id": self.records.named("users", "full_name", user),
            }
            return self.records.spend(fields, expense_id)

    def describe_user(self, full_name: str, **profile: str) -> str:
        """A user's profile as the account keeps it: email_address, headline."""
        with self.records.held():
            user_id = self.records.named("users", "full_name", full_name)
            self.records.update("users", user_id, profile)
            return user_id

    def approve_time(self, entry_ids: Iterable[str], on: dt.date) -> str:
        with self.records.held():
            return self.records.approve("time_entries", entry_ids, on)

    def approve_expenses(self, expense_ids: Iterable[str], on: dt.date) -> str:
        with self.records.held():
            return self.records.approve("expenses", expense_ids, on)

    def reference_of(
        self, subject_type: str, subject_id: str, service_model: str
    ) -> dict[str, Any] | None:
        with self.records.held():
            found = [
                r
                for r in self.records.references(subject_type, subject_id)
                if r.get("service_model") == service_model
            ]
        return found[0] if found else None

    def live(self, collection: str) -> list[dict[str, Any]]:
        with self.records.held():
            return [r for r in self.records.all(collection) if not r.get("archived")]

    def answer(self, method: str, target: str, headers: Any, body: bytes) -> Answer:
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        self.requests.append((method, path))
        try:
            self.check_token(headers.get("Authorization"))
            if self.faults.take("refusals") or not self.limit.admits():
                raise Refusal(429, "system", "Rate limit exceeded, please slow down")
            if self.faults.take("outages"):
                raise Refusal(503, "system", "Kantata is temporarily unavailable")
            if not path.startswith(API):
                raise Refusal(404, "system", f"{path} is not part of the API")
            resource = path.removeprefix(API).removesuffix(".json")
            with self.records.held():
                return self.routed(method, resource, query, body)
        except Refusal as refusal:
            return refusal.status, refusal.body()

    def check_token(self, authorization: str | None) -> None:
        if authorization != f"Bearer {self.token}":
            raise Refusal(401, "oauth", "Authentication required: a valid bearer token")

    def routed(self, method: str, resource: str, query: Query, body: bytes) -> Answer:
        item = ITEM.fullmatch(resource)
        if method == "GET" and resource in ("workspaces", "stories"):
            return self.listed(resource, query, self.visible(resource, query))
        if method == "GET" and resource in SUBMISSIONS:
            return self.listed(resource, query, self.work(resource, query))
        if method == "GET" and resource == "external_references":
            return self.listed(resource, query, self.referenced(query))
        if method == "POST" and resource == "workspaces":
            made = self.records.create_workspace(wrapped(body, "workspace"))
            return self.one("workspaces", made)
        if method == "POST" and resource == "stories":
            return self.one("stories", self.records.create_story(wrapped(body, "story")))
        if method == "POST" and resource == "external_references/create_or_update":
            made = self.records.upsert_reference(wrapped(body, "external_reference"))
            return self.one("external_references", made)
        if method == "GET" and item:
            return self.one(item[1], self.records.get(item[1], item[2]))
        if method == "PUT" and item:
            return self.one(item[1], self.updated(item[1], item[2], body))
        raise Refusal(404, "system", f"{method} {API}{resource} is not simulated")

    def updated(self, collection: str, record_id: str, body: bytes) -> dict[str, Any]:
        fields = wrapped(body, "workspace" if collection == "workspaces" else "story")
        allowed = {"archived", "title", "description", "state"}
        unknown = set(fields) - allowed
        if unknown:
            name = sorted(unknown)[0]
            raise Refusal(422, "validation", f"{name} cannot be updated here", name)
        if "archived" in fields and not isinstance(fields["archived"], bool):
            raise Refusal(422, "validation", "archived must be true or false", "archived")
        return self.records.update(collection, record_id, fields)

    def visible(self, collection: str, query: Query) -> list[dict[str, Any]]:
        records = self.records.all(collection)
        only = one(query, "only")
        if only:
            wanted = set(only.split(","))
            records = [r for r in records if r["id"] in wanted]
        if one(query, "include_archived") != "true":
            records = [r for r in records if not r.get("archived")]
        return filtered(records, query, "workspace_id")

    def work(self, collection: str, query: Query) -> list[dict[str, Any]]:
        records = filtered(self.records.all(collection), query, "workspace_id")
        between = one(query, "date_performed_between")
        if between and collection == "time_entries":
            start, end = dates_between(between)
            records = [r for r in records if start <= r["date_performed"] <= end]
        return records

    def referenced(self, query: Query) -> list[dict[str, Any]]:
        names = ("subject_type", "subject_id", "service_name", "service_model", "service_model_ref")
        records = self.records.all("external_references")
        for name in names:
            records = filtered(records, query, name)
        return records

    def listed(self, collection: str, query: Query, records: list[dict[str, Any]]) -> Answer:
        number, size = paging(query)
        shown = records[(number - 1) * size : number * size]
        body = envelope(collection, shown, len(records))
        body["meta"] = {
            "count": len(records),
            "page_count": max(math.ceil(len(records) / size), 1),
            "page_number": number,
        }
        for name in includes(query, collection):
            self.include(body, collection, shown, name)
        return 200, body

    def include(
        self, body: dict[str, Any], collection: str, shown: list[dict[str, Any]], name: str
    ) -> None:
        key, target = (
            ("active_submission_id", SUBMISSIONS[collection])
            if name == "active_submission"
            else INCLUDES[name]
        )
        ids = {str(r[key]) for r in shown if r.get(key) is not None}
        linked = body.setdefault(target, {})
        for record_id in sorted(ids):
            linked[record_id] = dict(self.records.get(target, record_id))

    def one(self, collection: str, record: dict[str, Any]) -> Answer:
        return 200, envelope(collection, [record], 1)


def envelope(collection: str, records: list[dict[str, Any]], count: int) -> dict[str, Any]:
    return {
        "count": count,
        "results": [{"key": collection, "id": r["id"]} for r in records],
        collection: {r["id"]: dict(r) for r in records},
    }


def includes(query: Query, collection: str) -> list[str]:
    asked = [name for name in (one(query, "include") or "").split(",") if name]
    known = {*INCLUDES, "active_submission"} if collection in SUBMISSIONS else set()
    for name in asked:
        if name not in known:
            raise Refusal(400, "validation", f"{name} cannot be included here", "include")
    return asked


def paging(query: Query) -> tuple[int, int]:
    number = whole(one(query, "page") or "1", "page")
    size = whole(one(query, "per_page") or "20", "per_page")
    if number < 1:
        raise Refusal(400, "validation", "page must be 1 or more", "page")
    if not 1 <= size <= MAX_PER_PAGE:
        raise Refusal(400, "validation", f"per_page must be 1 to {MAX_PER_PAGE}", "per_page")
    return number, size


def dates_between(value: str) -> tuple[str, str]:
    found = BETWEEN.fullmatch(value)
    if found is None:
        raise Refusal(400, "validation", "use YYYY-MM-DD:YYYY-MM-DD", "date_performed_between")
    return a_date(found[1], "date_performed_between"), a_date(found[2], "date_performed_between")


def filtered(records: list[dict[str, Any]], query: Query, name: str) -> list[dict[str, Any]]:
    value = one(query, name)
    return records if value is None else [r for r in records if str(r.get(name)) == value]


def one(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def wrapped(body: bytes, key: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        raise Refusal(400, "validation", "the body is not valid JSON") from None
    inner = parsed.get(key) if isinstance(parsed, dict) else None
    if not isinstance(inner, dict):
        raise Refusal(400, "validation", f"the body must be {{{key!r}: {{...}}}}", key)
    return inner


def handler_for(account: KantataSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def exchange(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = account.answer(
                self.command, self.path, self.headers, self.rfile.read(length)
            )
            content = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = exchange

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
