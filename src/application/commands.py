"""Commands: what callers ask o2c to do, as they said it, before validation."""

from __future__ import annotations

from attrs import frozen

from domain.principal import Principal


@frozen
class RateLine:
    role: str
    amount: str
    currency: str


@frozen
class WorkPackageLine:
    code: str
    name: str
    region: str


@frozen
class CreateServiceEngagement:
    request_id: str
    opportunity_id: str
    account_id: str
    account_name: str
    legal_entity_code: str
    currency: str
    billing_method: str
    start_date: str
    end_date: str
    contract_value_amount: str
    contract_value_currency: str
    rate_card: tuple[RateLine, ...]
    work_packages: tuple[WorkPackageLine, ...]
    caller: Principal  # who asks, as authentication proved it: never read from the payload


@frozen
class ApproveTimeEntry:
    request_id: str
    source_system: str
    source_id: str
    engagement_id: str
    resource: str
    role: str
    work_date: str
    hours: str
    caller: Principal  # who asks, as authentication proved it: never read from the payload
