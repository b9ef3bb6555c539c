"""OData `$batch` as the simulator reads and answers it: multipart/mixed changesets of
application/http parts, each changeset one all-or-nothing unit, at most 5,000 operations."""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Iterator
from typing import Any

from simulators.dynamics365_odata import ODataError

MAX_BATCH_OPERATIONS = 5000


class Operation:
    def __init__(self, method: str, target: str, body: bytes, content_id: str) -> None:
        self.method = method
        self.raw_target = target
        self.body = body
        self.content_id = content_id

    def target(self, url: str) -> str:
        if self.raw_target.startswith(url):
            return self.raw_target[len(url) :]
        if self.raw_target.startswith("/"):
            return self.raw_target
        return f"/data/{self.raw_target}"


def parse_batch(body: bytes, content_type: str) -> list[list[Operation]]:
    """Each changeset of a `$batch` body, its operations in order."""
    if not content_type.startswith("multipart/mixed") or "boundary=" not in content_type:
        raise ODataError(400, "The batch request must have a multipart/mixed content type.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    changesets = [list(operations_of(part)) for part in message.iter_parts()]
    count = sum(len(operations) for operations in changesets)
    if count > MAX_BATCH_OPERATIONS:
        raise ODataError(
            400, f"The batch holds {count} operations; at most {MAX_BATCH_OPERATIONS} are allowed."
        )
    return changesets


def operations_of(changeset: Any) -> Iterator[Operation]:
    if changeset.get_content_type() != "multipart/mixed":
        raise ODataError(400, "Only changesets are supported in a batch by this simulator.")
    for part in changeset.iter_parts():
        if part.get_content_type() != "application/http":
            raise ODataError(400, "A changeset part must have the content type application/http.")
        if str(part.get("Content-Transfer-Encoding", "")).lower() != "binary":
            raise ODataError(400, "A changeset part must have Content-Transfer-Encoding: binary.")
        yield operation_of(part.get_payload(decode=True), str(part.get("Content-ID", "")))


def operation_of(payload: bytes, content_id: str) -> Operation:
    head, _, body = payload.replace(b"\r\n", b"\n").partition(b"\n\n")
    request_line = head.decode().split("\n", 1)[0].split(" ")
    if len(request_line) != 3 or request_line[0] not in ("POST", "PATCH"):
        raise ODataError(400, f"Unsupported request in a changeset: {' '.join(request_line)}")
    return Operation(request_line[0], request_line[1], body.strip(), content_id)


def http_part(status: int, body: Any) -> str:
    reason = {201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found"}
    text = "" if body is None else json.dumps(body, default=float)
    return (
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"HTTP/1.1 {status} {reason.get(status, 'Error')}\r\n"
        "Content-Type: application/json; odata.metadata=minimal\r\n\r\n"
        f"{text}\r\n"
    )
