"""Idempotency keys: a retry gets the first answer, another payload under the key is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import attrs

from application.ports import RequestRecord
from domain.errors import InvalidField, RequestIdReused, RequestInProgress

MAX_REQUEST_ID_LENGTH = 128
NOT_PAYLOAD = frozenset({"request_id", "caller"})


def check_request_id(request_id: str) -> None:
    if not request_id.strip():
        raise InvalidField("request_id is required", field="request_id")
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise InvalidField(
            f"request_id is longer than {MAX_REQUEST_ID_LENGTH} characters", field="request_id"
        )


def fingerprint(command: object) -> str:
    payload = attrs.asdict(command, filter=lambda a, _v: a.name not in NOT_PAYLOAD)  # type: ignore[arg-type]
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def replay(record: RequestRecord, fingerprint_: str) -> Mapping[str, object]:
    """The first answer; while there is none yet, RequestInProgress at once (retry shortly)."""
    request_id = record.key.request_id
    if record.fingerprint != fingerprint_:
        raise RequestIdReused(
            f"request_id {request_id!r} was used before with another payload",
            field="request_id",
            keys={"request_id": request_id, "operation": record.key.operation},
        )
    if record.result is None:
        raise RequestInProgress(
            f"request {request_id!r} is still being processed; retry shortly",
            field="request_id",
            keys={"request_id": request_id},
        )
    return record.result
