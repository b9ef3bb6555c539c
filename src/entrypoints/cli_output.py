"""What an `o2c` command prints: a rich table for people, or with --json plain JSON on stdout and
nothing else, for scripts; a refused call as its status and the field at fault."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import grpc
from attrs import define
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from rich.console import Console
from rich.table import Table


def as_dict(message: Message) -> dict[str, Any]:
    """A message as its proto JSON, with the proto's field names and every field shown."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    shown = Table(title=title, title_justify="left")
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*(str(cell) for cell in row))
    return shown


@define
class Refused:
    code: str
    message: str
    field: str = ""
    reason: str = ""

    @classmethod
    def of(cls, error: grpc.RpcError) -> Refused:
        code = error.code() if isinstance(error, grpc.Call) else None
        message = error.details() if isinstance(error, grpc.Call) else str(error)
        refused = cls(code.name if code else "UNKNOWN", message or "")
        status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
        for packed in status.details if status else ():
            if packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                packed.Unpack(bad)
                if bad.field_violations:
                    refused.field = bad.field_violations[0].field
            elif packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                packed.Unpack(info)
                refused.reason = info.reason
        return refused

    def as_json(self) -> dict[str, str]:
        named = {"field": self.field, "reason": self.reason}
        return {"code": self.code, "message": self.message} | {k: v for k, v in named.items() if v}

    def as_line(self) -> str:
        field = f" (field {self.field})" if self.field else ""
        reason = f" [{self.reason}]" if self.reason else ""
        return f"o2c: {self.code}{reason}: {self.message}{field}"


@define
class Output:
    as_json: bool

    @property
    def console(self) -> Console:
        return Console(highlight=False)

    @property
    def errors(self) -> Console:
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def show(self, data: Mapping[str, Any], *shown: Table | str) -> None:
        """`data` as JSON with --json; otherwise the tables and lines made for people."""
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True), file=sys.stdout)
            return
        for part in shown:
            self.console.print(part)

    def refusal(self, error: grpc.RpcError) -> None:
        refused = Refused.of(error)
        if self.as_json:
            print(json.dumps({"error": refused.as_json()}, indent=2), file=sys.stdout)
        else:
            self.errors.print(refused.as_line(), markup=False)
