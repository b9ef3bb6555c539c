"""Domain values as the API's shared wire types: money, systems, dates, parked-case enums."""

from __future__ import annotations

import datetime as dt

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.type import date_pb2

from domain.money import Money
from domain.ownership import System
from o2c.v1 import common_pb2, exceptions_pb2

SYSTEMS = {
    common_pb2.SOURCE_SYSTEM_CRM: System.CRM,
    common_pb2.SOURCE_SYSTEM_PSA: System.PSA,
    common_pb2.SOURCE_SYSTEM_ERP: System.ERP,
    common_pb2.SOURCE_SYSTEM_BILLING: System.BILLING,
}
SYSTEM_ENUMS = {system: number for number, system in SYSTEMS.items()}


def money_message(value: Money) -> common_pb2.Money:
    return common_pb2.Money(currency_code=value.currency, amount=value.amount_text())


def date_message(value: dt.date) -> date_pb2.Date:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


def calendar_date(message: date_pb2.Date) -> dt.date:
    """The full date a `google.type.Date` names; ValueError for a partial or impossible one."""
    return dt.date(message.year, message.month, message.day)


def enum_number(enum_type: EnumTypeWrapper, prefix: str, value: object) -> int:
    """The wire number of a domain value (an enum or its string) in a proto enum, by name.

    "sales-ops" -> OWNER_ROLE_SALES_OPS; a value the API does not know yet is UNSPECIFIED.
    """
    text = str(getattr(value, "value", value))
    name = f"{prefix}_{text.upper().replace('-', '_')}"
    known = enum_type.DESCRIPTOR.values_by_name.get(name)
    return known.number if known is not None else 0


def owner_role_number(value: object) -> int:
    return enum_number(exceptions_pb2.OwnerRole, "OWNER_ROLE", value)


def workflow_number(value: object) -> int:
    return enum_number(exceptions_pb2.Workflow, "WORKFLOW", value)


def reason_code_number(value: object) -> int:
    return enum_number(exceptions_pb2.ReasonCode, "REASON_CODE", value)
