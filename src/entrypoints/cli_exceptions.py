"""`o2c exceptions`: the exception queue from the command line: list and filter the parked
cases, show one with its attempts, retry it from its stored payload, take it, resolve it with a
note or discard it with a reason."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated

import typer
from google.protobuf import timestamp_pb2

from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import (
    age,
    enum_value,
    short_name,
    short_names,
    shown_duration,
    shown_time,
)
from o2c.v1 import exceptions_pb2, exceptions_pb2_grpc

ROLE, ROLE_PREFIX = exceptions_pb2.OwnerRole.DESCRIPTOR, "OWNER_ROLE_"
WORKFLOW, WORKFLOW_PREFIX = exceptions_pb2.Workflow.DESCRIPTOR, "WORKFLOW_"
STATUS, STATUS_PREFIX = exceptions_pb2.ExceptionStatus.DESCRIPTOR, "EXCEPTION_STATUS_"
REASON, REASON_PREFIX = exceptions_pb2.ReasonCode.DESCRIPTOR, "REASON_CODE_"
RESOLUTION, RESOLUTION_PREFIX = (
    exceptions_pb2.ExceptionResolution.DESCRIPTOR,
    "EXCEPTION_RESOLUTION_",
)
PAGE_SIZE = 500
LIST_COLUMNS = ("id", "workflow", "business key", "reason", "owner", "status", "attempts", "age")
Stub = exceptions_pb2_grpc.ExceptionServiceStub
IdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="the exception's id", show_default=False)
]
RequestIdOption = Annotated[
    str, typer.Option(help="idempotency key; the same key again returns the first answer")
]

exceptions = typer.Typer(help="The exception queue: list, show, retry, resolve, discard.")


@exceptions.command("list")
def list_exceptions(
    owner: Annotated[str, typer.Option(help=", ".join(short_names(ROLE, ROLE_PREFIX)))] = "",
    workflow: Annotated[
        str, typer.Option(help=", ".join(short_names(WORKFLOW, WORKFLOW_PREFIX)))
    ] = "",
    status: Annotated[str, typer.Option(help=", ".join(short_names(STATUS, STATUS_PREFIX)))] = "",
    key: Annotated[str, typer.Option(help="only cases of this business key")] = "",
    older_than: Annotated[str, typer.Option(help="parked longer ago than, e.g. 4h or 2d")] = "",
    newer_than: Annotated[str, typer.Option(help="parked more recently than, e.g. 90m")] = "",
    limit: Annotated[int, typer.Option(help="at most this many cases", min=1)] = 200,
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """List parked cases, oldest first, filtered by owner, workflow, status, key and age."""
    request = exceptions_pb2.ListExceptionsRequest(business_key=key)
    if owner:
        request.owner_role = enum_value(ROLE, ROLE_PREFIX, owner, "--owner")
    if workflow:
        request.workflow = enum_value(WORKFLOW, WORKFLOW_PREFIX, workflow, "--workflow")
    if status:
        request.status = enum_value(STATUS, STATUS_PREFIX, status, "--status")
    if older_than:
        request.created_before.CopyFrom(ago(age(older_than, "--older-than")))
    if newer_than:
        request.created_after.CopyFrom(ago(age(newer_than, "--newer-than")))
    output = Output(json)
    with server_channel(address, token, output) as channel:
        found = listed(Stub(channel), request, limit)
    output.show(
        {"exceptions": [as_dict(case) for case in found]},
        table(f"{len(found)} exceptions", LIST_COLUMNS, map(case_row, found)),
    )


@exceptions.command("show")
def show_exception(
    exception_id: IdArgument,
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Show one case, with every attempt made at it."""
    request = exceptions_pb2.GetExceptionRequest(exception_id=exception_id)
    act(address, token, json, lambda stub: stub.GetException(request).exception)


@exceptions.command("retry")
def retry_exception(
    exception_id: IdArgument,
    request_id: RequestIdOption = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Run the parked unit of work again from its stored payload."""
    request = exceptions_pb2.RetryExceptionRequest(
        request_id=request_id or new_key("retry"), exception_id=exception_id
    )
    act(address, token, json, lambda stub: stub.RetryException(request).exception)


@exceptions.command("assign")
def assign_exception(
    exception_id: IdArgument,
    to: Annotated[str, typer.Option(help="who works on it now")],
    request_id: RequestIdOption = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Take a case: say who works on it now."""
    request = exceptions_pb2.AssignExceptionRequest(
        request_id=request_id or new_key("assign"), exception_id=exception_id, assignee=to
    )
    act(address, token, json, lambda stub: stub.AssignException(request).exception)


@exceptions.command("resolve")
def resolve_exception(
    exception_id: IdArgument,
    note: Annotated[str, typer.Option(help="what was done")],
    request_id: RequestIdOption = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Resolve a case by hand, with a note saying what was done."""
    request = exceptions_pb2.ResolveExceptionRequest(
        request_id=request_id or new_key("resolve"), exception_id=exception_id, note=note
    )
    act(address, token, json, lambda stub: stub.ResolveException(request).exception)


@exceptions.command("discard")
def discard_exception(
    exception_id: IdArgument,
    reason: Annotated[str, typer.Option(help="why it is given up")],
    request_id: RequestIdOption = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Give a case up, with the reason."""
    request = exceptions_pb2.DiscardExceptionRequest(
        request_id=request_id or new_key("discard"), exception_id=exception_id, reason=reason
    )
    act(address, token, json, lambda stub: stub.DiscardException(request).exception)


def act(
    address: str, token: str, as_json: bool, call: Callable[[Stub], exceptions_pb2.ExceptionCase]
) -> None:
    """One call answering with a case; the case shown as the call left it."""
    output = Output(as_json)
    with server_channel(address, token, output) as channel:
        case = call(Stub(channel))
    show_case(output, case)


def listed(
    stub: Stub, request: exceptions_pb2.ListExceptionsRequest, limit: int
) -> list[exceptions_pb2.ExceptionCase]:
    found: list[exceptions_pb2.ExceptionCase] = []
    while len(found) < limit:
        request.page_size = min(PAGE_SIZE, limit - len(found))
        page = stub.ListExceptions(request)
        found.extend(page.exceptions)
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    return found[:limit]


def show_case(output: Output, case: exceptions_pb2.ExceptionCase) -> None:
    output.show(
        {"exception": as_dict(case)},
        table(f"exception {case.exception_id}", ("", ""), case_fields(case)),
        table("attempts", ("#", "at", "succeeded", "detail"), map(attempt_row, case.attempt_log)),
    )


def case_fields(case: exceptions_pb2.ExceptionCase) -> Sequence[tuple[str, object]]:
    fields = [
        ("workflow", short_name(WORKFLOW, WORKFLOW_PREFIX, case.workflow)),
        ("business key", case.business_key),
        ("reason", short_name(REASON, REASON_PREFIX, case.reason_code)),
        ("owner", short_name(ROLE, ROLE_PREFIX, case.owner_role)),
        ("status", short_name(STATUS, STATUS_PREFIX, case.status)),
        ("assignee", case.assignee),
        ("attempts", case.attempts),
        ("detail", case.detail),
        ("parked", shown_time(case.create_time)),
        ("updated", shown_time(case.update_time)),
    ]
    if case.HasField("resolve_time"):
        fields += [
            ("resolved", shown_time(case.resolve_time)),
            ("resolution", short_name(RESOLUTION, RESOLUTION_PREFIX, case.resolution)),
            ("note", case.resolution_note),
            ("resolved by", case.resolved_by or "o2c"),
            ("time to resolution", shown_duration(case.time_to_resolution)),
        ]
    return fields


def case_row(case: exceptions_pb2.ExceptionCase) -> tuple[object, ...]:
    parked = case.create_time.ToDatetime(dt.UTC)
    return (
        case.exception_id,
        short_name(WORKFLOW, WORKFLOW_PREFIX, case.workflow),
        case.business_key,
        short_name(REASON, REASON_PREFIX, case.reason_code),
        short_name(ROLE, ROLE_PREFIX, case.owner_role),
        short_name(STATUS, STATUS_PREFIX, case.status),
        case.attempts,
        shown_age(dt.datetime.now(dt.UTC) - parked),
    )


def attempt_row(attempt: exceptions_pb2.ExceptionAttempt) -> tuple[object, ...]:
    return (
        attempt.number,
        shown_time(attempt.attempt_time),
        "yes" if attempt.succeeded else "no",
        attempt.detail,
    )


def shown_age(waited: dt.timedelta) -> str:
    hours = int(waited.total_seconds() // 3600)
    return (
        f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h {waited.seconds // 60 % 60}m"
    )


def ago(waited: dt.timedelta) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(dt.datetime.now(dt.UTC) - waited)
    return stamp


def new_key(verb: str) -> str:
    return f"cli-{verb}-{uuid.uuid4().hex}"
