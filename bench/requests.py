"""The requests the bench sends, as a PSA and a CRM would: closed-won opportunities becoming
engagements, and approved time, each with its own idempotency key."""

from __future__ import annotations

import datetime

from google.type import date_pb2

from o2c.v1 import billing_pb2, common_pb2, engagement_pb2, erp_routing_pb2

FIRST_DAY = datetime.date(2026, 12, 1)
DAYS = 28


def day(value: datetime.date) -> date_pb2.Date:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


def closed_won(
    key: str, legal_entity: str = "US01", currency: str = "USD"
) -> engagement_pb2.CreateServiceEngagementRequest:
    opportunity = engagement_pb2.ClosedWonOpportunity(
        opportunity_id=f"006-{key}",
        account_id=f"001-{key}",
        account_name=f"Initech {key}",
        legal_entity_code=legal_entity,
        currency_code=currency,
        billing_method=engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS,
        start_date=day(FIRST_DAY),
        end_date=day(datetime.date(2027, 3, 31)),
        contract_value=common_pb2.Money(currency_code=currency, amount="900000000.00"),
        rate_card=[
            engagement_pb2.RateCardLine(
                role="consultant",
                hourly_rate=common_pb2.Money(currency_code=currency, amount="140.00"),
            )
        ],
        work_packages=[engagement_pb2.WorkPackage(code="NA", name="Rollout", region="NA")],
    )
    return engagement_pb2.CreateServiceEngagementRequest(
        request_id=f"req-{key}", opportunity=opportunity
    )


def time_entry(key: str, engagement_id: str, number: int) -> billing_pb2.TimeEntry:
    return billing_pb2.TimeEntry(
        source_id=f"TC-{key}-{number}",
        engagement_id=engagement_id,
        resource=f"Consultant {number % 997}",
        role="consultant",
        work_date=day(FIRST_DAY + datetime.timedelta(days=number % DAYS)),
        hours="0.25",
    )


def approval(key: str, engagement_id: str, number: int) -> billing_pb2.ApproveBillableEventRequest:
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"time-{key}-{number}",
        source_system=common_pb2.SOURCE_SYSTEM_PSA,
        time_entry=time_entry(key, engagement_id, number),
    )


def batch(
    key: str, engagement_ids: list[str], first: int, size: int
) -> billing_pb2.ApproveBillableEventsRequest:
    items = [
        billing_pb2.BillableEventItem(
            request_id=f"time-{key}-{number}",
            source_system=common_pb2.SOURCE_SYSTEM_PSA,
            time_entry=time_entry(key, engagement_ids[number % len(engagement_ids)], number),
        )
        for number in range(first, first + size)
    ]
    return billing_pb2.ApproveBillableEventsRequest(request_id=f"batch-{key}-{first}", items=items)


def billing_cycle(key: str, engagement_ids: list[str]) -> billing_pb2.RunBillingCycleRequest:
    return billing_pb2.RunBillingCycleRequest(
        request_id=f"cycle-{key}",
        as_of=day(datetime.date(2026, 12, 31)),
        engagement_ids=engagement_ids,
        finalise=True,
    )


def route_to_netsuite(legal_entity: str, subsidiary: str) -> erp_routing_pb2.SetErpRouteRequest:
    route = erp_routing_pb2.ErpRoute(
        legal_entity_code=legal_entity,
        effective_from=day(datetime.date(2020, 1, 1)),
        primary=erp_routing_pb2.ErpTarget(
            erp=erp_routing_pb2.ERP_NETSUITE, erp_legal_entity=subsidiary
        ),
    )
    return erp_routing_pb2.SetErpRouteRequest(request_id=f"route-{legal_entity}", route=route)
