"""Values as an operator types them on the command line, made into the API's (ISO days, ages,
the short names of enum values: `netsuite` for ERP_NETSUITE), and the API's shown back."""

from __future__ import annotations

import datetime as dt

import typer
from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor
from google.type import date_pb2


def proto_date(text: str, option: str) -> date_pb2.Date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a day such as 2026-12-31", param_hint=option
        ) from None
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def shown_date(day: date_pb2.Date) -> str:
    return f"{day.year:04}-{day.month:02}-{day.day:02}" if day.year else ""


def enum_value(enum: EnumDescriptor, prefix: str, name: str, option: str) -> int:
    """`name` (any case, `-` or `_`) as the value `<prefix><NAME>` of `enum`."""
    wanted = f"{prefix}{name.upper().replace('-', '_')}"
    if wanted not in enum.values_by_name or wanted.endswith("_UNSPECIFIED"):
        raise typer.BadParameter(
            f"{name!r} is not one of {', '.join(short_names(enum, prefix))}", param_hint=option
        )
    return int(enum.values_by_name[wanted].number)


def short_name(enum: EnumDescriptor, prefix: str, number: int) -> str:
    value = enum.values_by_number.get(number)
    return value.name.removeprefix(prefix).lower().replace("_", "-") if value else str(number)


def short_names(enum: EnumDescriptor, prefix: str) -> list[str]:
    return [
        short_name(enum, prefix, value.number)
        for value in enum.values
        if not value.name.endswith("_UNSPECIFIED")
    ]


def shown_time(stamp: timestamp_pb2.Timestamp) -> str:
    if not stamp.seconds and not stamp.nanos:
        return ""
    return stamp.ToDatetime(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def shown_duration(duration: duration_pb2.Duration) -> str:
    """Seconds to the tenth below a minute, else days, hours and minutes: 1d 2h 5m."""
    seconds = duration.ToTimedelta().total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    return " ".join(f"{amount}{unit}" for amount, unit in parts if amount) or "0m"


def age(text: str, option: str) -> dt.timedelta:
    """An age as an operator types it: 90m, 4h, 2d."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    amount, unit = text[:-1], text[-1:]
    if unit not in units or not amount.isdigit():
        raise typer.BadParameter(f"{text!r} is not an age such as 90m, 4h or 2d", param_hint=option)
    return dt.timedelta(**{units[unit]: int(amount)})
