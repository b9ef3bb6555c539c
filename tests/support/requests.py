"""gRPC requests in the business's words: a closed-won opportunity, approved time."""

from __future__ import annotations

from google.protobuf.message import Message
from google.type import date_pb2

from o2c.v1 import billing_pb2, common_pb2, engagement_pb2

USD = "USD"


def usd(amount: str) -> common_pb2.Money:
    return common_pb2.Money(currency_code=USD, amount=amount)


def date(year: int, month: int, day: int) -> date_pb2.Date:
    return date_pb2.Date(year=year, month=month, day=day)


def closed_won(key: str, legal_entity: str = "US01", **overrides: object):
    opportunity = engagement_pb2.ClosedWonOpportunity(
        opportunity_id=f"006-{key}-{legal_entity}",
        account_id=f"001-{key}",
        account_name=f"Initech {key}",
        legal_entity_code=legal_entity,
        currency_code=USD,
        billing_method=engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS,
        start_date=date(2026, 12, 1),
        end_date=date(2027, 3, 31),
        contract_value=usd("90000.00"),
        rate_card=[engagement_pb2.RateCardLine(role="consultant", hourly_rate=usd("140.00"))],
        work_packages=[
            engagement_pb2.WorkPackage(code="NA", name="Rollout", region="NA"),
            engagement_pb2.WorkPackage(code="EU", name="Rollout", region="EMEA"),
        ],
    )
    for name, value in overrides.items():
        override(opportunity, name, value)
    return engagement_pb2.CreateServiceEngagementRequest(
        request_id=f"req-{key}-{legal_entity}", opportunity=opportunity
    )


def time_entry(key: str, engagement_id: str, source_id: str = "TC-1", **overrides: object):
    entry = billing_pb2.TimeEntry(
        source_id=f"{source_id}-{key}",
        engagement_id=engagement_id,
        resource="Ada Lovelace",
        role="consultant",
        work_date=date(2026, 12, 2),
        hours="7.5",
    )
    for name, value in overrides.items():
        override(entry, name, value)
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"time-{key}-{source_id}-{entry.hours}",
        source_system=common_pb2.SOURCE_SYSTEM_PSA,
        time_entry=entry,
    )


def override(message: Message, name: str, value: object) -> None:
    """Sets one field, whatever its kind; None leaves a message field absent."""
    if value is None:
        message.ClearField(name)
    elif isinstance(value, Message):
        getattr(message, name).CopyFrom(value)
    elif isinstance(value, list):
        del getattr(message, name)[:]
        getattr(message, name).extend(value)
    else:
        setattr(message, name, value)
