"""Where the sagas and the vendor events meet the exception queue: a later success makes a
key's open cases moot, and a retried saga's setback is recorded on the case it retries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from application.ports import UnitOfWork
from domain.exception_case import ExceptionCase, ExceptionStatus, Workflow

RETRY_OF = "retry_of"  # in a retried saga's context: the case its setbacks are recorded on
SAGA_KIND = "saga_kind"  # in a saga's parked payload from payload version 2 on
SAGA_PAYLOAD_VERSION = 2


def resolve_moot(
    uow: UnitOfWork, business_key: str, workflow: Workflow, why: str, now: dt.datetime
) -> list[str]:
    """Resolves the key's open cases of the workflow, saying why, in the caller's transaction;
    a case being retried is left to its retry, which resolves it itself."""
    resolved = []
    for case in uow.exceptions.open_cases(business_key):
        if case.workflow is workflow and case.status is ExceptionStatus.OPEN:
            case.resolve_moot(why, now)
            resolved.append(case.id)
    return resolved


def retried_case(
    uow: UnitOfWork, context: Mapping[str, object], detail: str, now: dt.datetime
) -> ExceptionCase | None:
    """The case a retried saga works for, its failed retry recorded; None for a first run."""
    exception_id = context.get(RETRY_OF)
    case = uow.exceptions.get(exception_id) if isinstance(exception_id, str) else None
    if case is not None and case.status is ExceptionStatus.RETRYING:
        case.retry_failed(detail, now)
    return case
