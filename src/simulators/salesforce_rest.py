"""The REST resources under /services/data/vXX.X/ that this org answers: sObject rows (create,
read, update, delete), sObject rows by external id (read, upsert), query with its pages, and
composite. Each takes the path after the version and answers (status, headers, body).

An update of a row may be conditional, `If-Unmodified-Since: <HTTP date>`: the weak validator
Salesforce documents for sObject Rows, compared with the record's LastModifiedDate to the second
as HTTP dates go; a record modified since is answered 412 Precondition Failed and left as it
is, a date that cannot be read 400. (Both error codes are the simulator's own: the documentation
gives the statuses only.)"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from simulators.salesforce_records import Records, Refusal, not_found
from simulators.salesforce_soql import attributes, run

Answer = tuple[int, dict[str, str], Any]
ROW = re.compile(r"sobjects/([^/]+)/([^/]+)")
ROW_BY_EXTERNAL_ID = re.compile(r"sobjects/([^/]+)/([^/]+)/([^/]+)")
QUERY_PAGE = re.compile(r"query/(01g[0-9A-Za-z]+)-(\d+)")
LARGEST_BATCH, SMALLEST_BATCH = 2000, 200
UPSERT_REPORTS_UPDATES = 46.0  # from v46.0 an update by upsert answers 200 with a body, not 204


class Rest:
    def __init__(self, records: Records, batch_size: int = LARGEST_BATCH) -> None:
        self.records = records
        self.batch_size = batch_size
        self.cursors: dict[str, list[dict[str, Any]]] = {}
        self.locators = itertools.count(1)

    def route(
        self,
        method: str,
        version: str,
        rest: str,
        query: str,
        body: Any,
        headers: Mapping[str, str],
    ) -> Answer:
        base = f"/services/data/v{version}"
        if method == "POST" and rest.startswith("sobjects/") and rest.count("/") == 1:
            return self.create(base, rest.removeprefix("sobjects/"), body)
        if found := ROW_BY_EXTERNAL_ID.fullmatch(rest):
            name, field, value = found[1], unquote(found[2]), unquote(found[3])
            if method == "PATCH":
                return self.upsert(base, float(version), name, field, value, object_body(body))
            if method == "GET":
                return self.by_external_id(base, name, field, value)
        if found := ROW.fullmatch(rest):
            return self.row(method, base, found[1], unquote(found[2]), body, headers)
        if rest == "query" and method == "GET":
            soql = parse_qs(query).get("q", [""])[0]
            rows = run(soql, self.records, base)
            return 200, {}, self.page(base, rows, 0, batch_size(headers, self.batch_size))
        if (found := QUERY_PAGE.fullmatch(rest)) and method == "GET":
            return self.next_page(base, found[1], int(found[2]), headers)
        raise Refusal(404, "NOT_FOUND", "The requested resource does not exist")

    def create(self, base: str, name: str, body: Any) -> Answer:
        record_id = self.records.create(name, object_body(body))
        sobject = self.records.sobject(name).name
        location = {"Location": f"{base}/sobjects/{sobject}/{record_id}"}
        return 201, location, {"id": record_id, "success": True, "errors": []}

    def row(
        self,
        method: str,
        base: str,
        name: str,
        record_id: str,
        body: Any,
        headers: Mapping[str, str],
    ) -> Answer:
        if method == "GET":
            return 200, {}, self.shown(base, name, self.records.get(name, record_id))
        if method == "PATCH":
            check_unmodified(headers, self.records.get(name, record_id))
            self.records.update(name, record_id, object_body(body))
            return 204, {}, None
        if method == "DELETE":
            self.records.delete(name, record_id)
            return 204, {}, None
        raise Refusal(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed.")

    def by_external_id(self, base: str, name: str, field: str, value: str) -> Answer:
        matches = self.records.matching(name, field, value)
        if not matches:
            raise not_found()
        if len(matches) > 1:
            sobject = self.records.sobject(name).name
            return 300, {}, [f"{base}/sobjects/{sobject}/{m}" for m in matches]
        return 200, {}, self.shown(base, name, self.records.get(name, matches[0]))

    def upsert(
        self, base: str, version: float, name: str, field: str, value: str, body: dict[str, Any]
    ) -> Answer:
        record_id, created = self.records.upsert(name, field, value, body, base)
        answer: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
        if version >= UPSERT_REPORTS_UPDATES:
            answer["created"] = created
        if created:
            sobject = self.records.sobject(name).name
            return 201, {"Location": f"{base}/sobjects/{sobject}/{record_id}"}, answer
        return (200, {}, answer) if version >= UPSERT_REPORTS_UPDATES else (204, {}, None)

    def shown(self, base: str, name: str, record: dict[str, Any]) -> dict[str, Any]:
        sobject = self.records.sobject(name)
        return {"attributes": attributes(sobject, record["Id"], base), **record}

    def page(self, base: str, rows: list[dict[str, Any]], offset: int, size: int) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "totalSize": len(rows),
            "done": offset + size >= len(rows),
            "records": rows[offset : offset + size],
        }
        if not answer["done"]:
            locator = f"01g5g0000{next(self.locators):07d}"
            self.cursors[locator] = rows
            answer["nextRecordsUrl"] = f"{base}/query/{locator}-{offset + size}"
        return answer

    def next_page(self, base: str, locator: str, offset: int, headers: Mapping[str, str]) -> Answer:
        rows = self.cursors.get(locator)
        if rows is None:
            raise Refusal(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return 200, {}, self.page(base, rows, offset, batch_size(headers, self.batch_size))


def object_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refusal(400, "JSON_PARSER_ERROR", "The request body must be a JSON object.")
    return body


def batch_size(headers: Mapping[str, str], default: int) -> int:
    """`Sforce-Query-Options: batchSize=n`, 200 to 2000; a size outside is not honoured."""
    asked = re.search(r"batchSize=(\d+)", headers.get("Sforce-Query-Options") or "")
    size = int(asked[1]) if asked else default
    return size if SMALLEST_BATCH <= size <= LARGEST_BATCH else default


def header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def check_unmodified(headers: Mapping[str, str], record: dict[str, Any]) -> None:
    given = header(headers, "If-Unmodified-Since")
    if given is None:
        return
    try:
        since = parsedate_to_datetime(given)
    except (TypeError, ValueError):
        since = None
    if since is None or since.tzinfo is None:
        message = f"If-Unmodified-Since is not an HTTP date: {given!r}"
        raise Refusal(400, "INVALID_HEADER_VALUE", message)
    modified = dt.datetime.strptime(record["LastModifiedDate"], "%Y-%m-%dT%H:%M:%S.%f%z")
    if modified.replace(microsecond=0) > since:
        message = f"The record was modified at {record['LastModifiedDate']}, after {given}"
        raise Refusal(412, "PRECONDITION_FAILED", message)
