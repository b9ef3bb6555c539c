"""One Salesforce org over REST: a session from the JWT bearer flow on every call (signed in
again once on 401), never more calls at once than the configured limit, the org's reported API
usage tracked to pace and back off, and every failure in o2c's words. Nothing from httpx
escapes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx
from attrs import field, frozen

from adapters.vendors.call_log import vendor_hooks
from adapters.vendors.salesforce.auth import TOKEN_PATH, CachedSession, Session
from adapters.vendors.salesforce.errors import (
    REQUEST_LIMIT_EXCEEDED,
    SYSTEM,
    SalesforceRejected,
    described,
    errors_of,
)
from adapters.vendors.salesforce.limits import ApiUsage
from adapters.vendors.salesforce.settings import SalesforceSettings
from application.errors import VendorRejected, VendorUnavailable

MOST_SUBREQUESTS = 25


@frozen
class Reply:
    status: int
    body: Any


@frozen
class Subrequest:
    method: str
    url: str  # under the data path, e.g. "sobjects/Account/001..."
    reference_id: str
    body: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(factory=dict)  # If-Unmodified-Since, say


class SalesforceClient:
    def __init__(
        self,
        settings: SalesforceSettings,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.http = http or httpx.Client(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            event_hooks=vendor_hooks("salesforce"),
        )
        self.slots = threading.BoundedSemaphore(settings.concurrency_limit)
        self.usage = ApiUsage(settings, sleep)
        self.session = CachedSession(self.fetch_token, settings)

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        """`path` under the data path (`sobjects/...`), or absolute as Salesforce gave it."""
        target = path if path.startswith("/") else f"{self.settings.data_path}/{path}"
        request: dict[str, Any] = {"headers": dict(headers or {}), "params": params}
        if body is not None:
            request["content"] = encoded(body)
            request["headers"]["Content-Type"] = "application/json"
        self.usage.wait_turn()
        session = self.session.current()
        response = self.send(method, target, session, request)
        if response.status_code == 401:
            self.session.refused(session)
            response = self.send(method, target, self.session.current(), request)
        return self.checked(response, f"{method} {target}")

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every record the query finds, following nextRecordsUrl page by page."""
        size = self.settings.query_batch_size
        headers = {"Sforce-Query-Options": f"batchSize={size}"} if size else {}
        page = self.call("GET", "query", params={"q": soql}, headers=headers).body
        found = list(page["records"])
        while not page.get("done", True):
            page = self.call("GET", str(page["nextRecordsUrl"]), headers=headers).body
            found += page["records"]
        return found

    def composite(self, subrequests: list[Subrequest], *, all_or_none: bool) -> list[Reply]:
        """Up to 25 subrequests as one call; any failure is raised, naming its subrequest."""
        if not 0 < len(subrequests) <= MOST_SUBREQUESTS:
            raise ValueError(f"a composite request holds 1 to {MOST_SUBREQUESTS} subrequests")
        body = {
            "allOrNone": all_or_none,
            "compositeRequest": [composite_entry(s, self.settings.data_path) for s in subrequests],
        }
        answers = self.call("POST", "composite", body=body).body["compositeResponse"]
        replies = [Reply(int(a["httpStatusCode"]), a.get("body")) for a in answers]
        failed = [
            (s, r)
            for s, r in zip(subrequests, replies, strict=True)
            if r.status >= 300
            and "PROCESSING_HALTED" not in {e["errorCode"] for e in errors_of(r.body)}
        ]
        for subrequest, reply in failed[:1]:
            what = f"{subrequest.method} {subrequest.url} ({subrequest.reference_id})"
            raise SalesforceRejected(reply.status, errors_of(reply.body), what)
        return replies

    def send(
        self, method: str, target: str, session: Session, request: dict[str, Any]
    ) -> httpx.Response:
        headers = {**request["headers"], "Authorization": f"Bearer {session.access_token}"}
        with self.slots:
            try:
                response = self.http.request(
                    method, session.instance_url + target, **{**request, "headers": headers}
                )
            except httpx.HTTPError as error:
                raise VendorUnavailable(SYSTEM, f"{method} {target}: {error!r}") from error
        self.usage.observe(response.headers.get("Sforce-Limit-Info"))
        return response

    def checked(self, response: httpx.Response, what: str) -> Reply:
        body = parsed(response)
        status = response.status_code
        errors = errors_of(body)
        if status == 403 and REQUEST_LIMIT_EXCEEDED in {e["errorCode"] for e in errors}:
            backoff = self.usage.refused(described(errors))
            raise VendorUnavailable(SYSTEM, f"{what}: {described(errors)}", backoff)
        if status >= 500:
            raise VendorUnavailable(SYSTEM, f"{what}: {status} {described(errors)}")
        if status >= 300:
            raise SalesforceRejected(status, errors, f"{response.reason_phrase} ({what})")
        return Reply(status, body)

    def fetch_token(self, form: dict[str, str]) -> dict[str, Any]:
        url = self.settings.login_url.rstrip("/") + TOKEN_PATH
        try:
            response = self.http.post(url, data=form)
        except httpx.HTTPError as error:
            raise VendorUnavailable(SYSTEM, f"POST {TOKEN_PATH}: {error!r}") from error
        body = parsed(response)
        if response.status_code >= 500:
            raise VendorUnavailable(SYSTEM, f"POST {TOKEN_PATH}: {response.status_code}")
        if response.status_code != 200:
            raise VendorRejected(SYSTEM, f"no access token: {described(errors_of(body))}")
        if (
            not isinstance(body, dict)
            or not body.get("access_token")
            or not body.get("instance_url")
        ):
            raise VendorUnavailable(SYSTEM, "the token endpoint answered without a session")
        return body


def composite_entry(subrequest: Subrequest, data_path: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": subrequest.method,
        "url": f"{data_path}/{subrequest.url}",
        "referenceId": subrequest.reference_id,
    }
    if subrequest.body is not None:
        entry["body"] = subrequest.body
    if subrequest.headers:
        entry["httpHeaders"] = dict(subrequest.headers)
    return entry


def encoded(body: Any) -> bytes:
    """Amounts as JSON numbers, as Salesforce takes them: exact up to 15 significant digits."""
    return json.dumps(body, default=number).encode()


def number(value: Any) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def parsed(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return [{"errorCode": "UNREADABLE", "message": response.text[:200]}]
