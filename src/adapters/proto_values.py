"""Domain values as the shared messages of proto/o2c/v1/common.proto, for events and APIs."""

from __future__ import annotations

from domain.money import Money
from domain.ownership import System
from o2c.v1 import common_pb2

SYSTEMS = {
    common_pb2.SOURCE_SYSTEM_CRM: System.CRM,
    common_pb2.SOURCE_SYSTEM_PSA: System.PSA,
    common_pb2.SOURCE_SYSTEM_ERP: System.ERP,
    common_pb2.SOURCE_SYSTEM_BILLING: System.BILLING,
}
SYSTEM_ENUMS = {system: number for number, system in SYSTEMS.items()}


def money_message(value: Money) -> common_pb2.Money:
    return common_pb2.Money(currency_code=value.currency, amount=value.amount_text())
