"""Idempotency keys: a retry gets the first answer, another payload under the key is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping

import attrs

from application.ports import Clock, RequestRecord, UnitOfWork, UnitOfWorkFactory
from domain.errors import InvalidField, RequestIdReused, RequestInProgress

MAX_REQUEST_ID_LENGTH = 128


def check_request_id(request_id: str) -> None:
    if not request_id.strip():
        raise InvalidField("request_id is required", field="request_id")
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise InvalidField(
            f"request_id is longer than {MAX_REQUEST_ID_LENGTH} characters", field="request_id"
        )


def fingerprint(command: object) -> str:
    payload = attrs.asdict(command, filter=lambda a, _v: a.name != "request_id")  # type: ignore[arg-type]
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def replay(record: RequestRecord, fingerprint_: str) -> Mapping[str, object]:
    if record.fingerprint != fingerprint_:
        raise RequestIdReused(
            f"request_id {record.request_id!r} was used before with another payload",
            field="request_id",
            keys={"request_id": record.request_id, "operation": record.operation},
        )
    if record.result is None:
        raise RequestInProgress(
            f"request {record.request_id!r} is still being processed; retry shortly",
            field="request_id",
            keys={"request_id": record.request_id},
        )
    return record.result


def wait_for_first_answer(
    uow_factory: UnitOfWorkFactory,
    operation: str,
    request_id: str,
    print_: str,
    clock: Clock,
    patience: float = 30.0,
    poll: float = 0.1,
) -> Mapping[str, object]:
    waited = 0.0
    while True:
        with uow_factory() as uow:
            record = uow.requests.get(operation, request_id)
        if record is None:
            raise RequestInProgress(
                f"request {request_id!r} was abandoned; retry it", field="request_id"
            )
        if record.is_complete or record.fingerprint != print_ or waited >= patience:
            return replay(record, print_)
        clock.sleep(poll)
        waited += poll


def abandon(uow_factory: UnitOfWorkFactory, operation: str, request_id: str) -> None:
    with uow_factory() as uow:
        uow.requests.abandon(operation, request_id)
        uow.commit()


def take_over_if_abandoned(
    uow: UnitOfWork, record: RequestRecord, print_: str, clock: Clock, lease: float
) -> bool:
    if record.is_complete or record.fingerprint != print_:
        return False
    stale = clock.now() - dt.timedelta(seconds=lease)
    return uow.requests.take_over(record.operation, record.request_id, stale, clock.now())
