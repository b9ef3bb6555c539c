"""What the fields a request carries must hold beyond their presence, which `proto/` declares
(`(buf.validate.field).required`) and protovalidate checks before any handler runs."""

from __future__ import annotations

from google.protobuf.message import Message
from google.type import date_pb2

from adapters.proto_values import calendar_date
from domain.errors import InvalidField


def iso_date(parent: Message, name: str, path: str) -> str:
    """The `google.type.Date` at `parent.name` as "YYYY-MM-DD"; partial or impossible is refused."""
    date: date_pb2.Date = getattr(parent, name)
    try:
        return calendar_date(date).isoformat()
    except ValueError:
        raise InvalidField(f"{path} must be a full calendar date", field=path) from None


def chosen_key(request: Message, oneof: str, names: str) -> tuple[str, str]:
    """The one key of `oneof` the caller set, and its value; `names` says the choices."""
    chosen = request.WhichOneof(oneof)
    if chosen is None:
        raise InvalidField(f"{names} is required", field=oneof)
    value = str(getattr(request, chosen))
    if not value.strip():
        raise InvalidField(f"{chosen} is required", field=chosen)
    return chosen, value
