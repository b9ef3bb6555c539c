"""OData `$batch` in its multipart/mixed form: one atomic changeset of writes out, each
operation's status and body back."""

from __future__ import annotations

import email.parser
import email.policy
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from attrs import frozen


@frozen
class Write:
    method: str  # POST or PATCH
    target: str  # relative to the service root, e.g. FreeTextInvoiceHeaders
    body: dict[str, Any]


@frozen
class Outcome:
    status: int
    body: Any


def changeset_request(writes: list[Write]) -> tuple[str, bytes]:
    """The Content-Type and body of a `$batch` holding one changeset with every write."""
    batch, changeset = f"batch_{uuid.uuid4()}", f"changeset_{uuid.uuid4()}"
    parts = "".join(
        f"--{changeset}\r\n"
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        f"Content-ID: {number}\r\n\r\n"
        f"{write.method} {write.target} HTTP/1.1\r\n"
        "Content-Type: application/json; type=entry\r\nAccept: application/json\r\n\r\n"
        f"{encoded(write.body)}\r\n"
        for number, write in enumerate(writes, start=1)
    )
    body = (
        f"--{batch}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n"
        f"{parts}--{changeset}--\r\n--{batch}--\r\n"
    )
    return f"multipart/mixed; boundary={batch}", body.encode()


def outcomes(content_type: str, body: bytes) -> list[Outcome]:
    """Every response in a `$batch` answer; a failed changeset answers with one error."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return [outcome_of(part) for part in http_parts(message)]


def http_parts(message: Any) -> Iterator[Any]:
    for part in message.iter_parts():
        if part.get_content_type() == "multipart/mixed":
            yield from http_parts(part)
        else:
            yield part


def outcome_of(part: Any) -> Outcome:
    payload: bytes = part.get_payload(decode=True)
    head, _, text = payload.replace(b"\r\n", b"\n").partition(b"\n\n")
    status = int(head.split(b"\n", 1)[0].split(b" ")[1])
    return Outcome(status, json.loads(text, parse_float=Decimal) if text.strip() else None)


def encoded(body: dict[str, Any]) -> str:
    return json.dumps(body, default=edm_decimal)


def edm_decimal(value: Any) -> float:
    """Edm.Decimal as a JSON number: exact for amounts of up to 15 significant digits."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
