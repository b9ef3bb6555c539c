"""Commands in the business's words: a closed-won opportunity, an approved time entry."""

from __future__ import annotations

from application.commands import (
    ApproveTimeEntry,
    CreateServiceEngagement,
    RateLine,
    WorkPackageLine,
)
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal


def integration(
    system: str,
    legal_entities: frozenset[str] = EVERY_LEGAL_ENTITY,
    subject: str | None = None,
    scopes: frozenset[str] = frozenset(),
) -> Principal:
    """A calling system's integration user, as authentication would prove it."""
    return Principal(subject or system, CallingSystem(system), legal_entities, scopes)


def closed_won(**overrides: object) -> CreateServiceEngagement:
    fields: dict[str, object] = dict(
        request_id="req-1",
        opportunity_id="006-ACME-1",
        account_id="001-ACME",
        account_name="Acme Corp",
        legal_entity_code="US01",
        currency="USD",
        billing_method="time_and_materials",
        start_date="2026-12-01",
        end_date="2027-05-31",
        contract_value_amount="250000.00",
        contract_value_currency="USD",
        rate_card=(RateLine("consultant", "150.00", "USD"), RateLine("architect", "220.00", "USD")),
        work_packages=(
            WorkPackageLine("NA", "North America rollout", "NA"),
            WorkPackageLine("EU", "Europe rollout", "EMEA"),
        ),
        caller=integration("crm"),
    )
    fields.update(overrides)
    return CreateServiceEngagement(**fields)  # type: ignore[arg-type]


def approved_time(**overrides: object) -> ApproveTimeEntry:
    fields: dict[str, object] = dict(
        request_id="time-req-1",
        source_system="psa",
        source_id="TC-0001",
        engagement_id="eng-1",
        resource="Ada Lovelace",
        role="consultant",
        work_date="2026-12-02",
        hours="7.5",
        caller=integration("psa"),
    )
    fields.update(overrides)
    return ApproveTimeEntry(**fields)  # type: ignore[arg-type]
