"""The business's words for test data: an engagement with a rate card, a time entry."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from adapters.outbox import OutboxMessage, Stamp
from domain.billable_event import BillableEvent, TimeEntry
from domain.billing.charges import Charge, ChargeKind
from domain.billing.rating import Rated
from domain.billing.state import TermsState
from domain.billing.work import TimeWorked
from domain.engagement import BillingMethod, Engagement, EngagementStatus, WorkPackage
from domain.events import Event
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.money import Money
from domain.ownership import System
from domain.rate_card import RateCard, RoleRate
from domain.saga import SagaStep, StepOutcome
from domain.unit_price import UnitPrice

NOW = dt.datetime(2025, 3, 14, 9, 30, 15, 123456, tzinfo=dt.UTC)
RATES = {
    "USD": ("1250.50", "185.25"),
    "JPY": ("15000000", "28000"),
    "KWD": ("45000.125", "62.375"),
}


def new_id() -> str:
    return str(uuid.uuid4())


def a_rate_card(currency: str = "USD") -> RateCard:
    _, consultant_rate = RATES[currency]
    return RateCard(
        currency,
        (
            RoleRate("consultant", Money(currency, Decimal(consultant_rate))),
            RoleRate("partner", Money.of(Decimal(consultant_rate) * 2, currency)),
        ),
    )


def at_hourly_rate(engagement: Engagement, consultant_rate: str) -> Engagement:
    """The engagement with its consultants billed at `consultant_rate` an hour, e.g. "0.10"."""
    rate = Money(engagement.currency, Decimal(consultant_rate))
    engagement.rate_card = RateCard(engagement.currency, (RoleRate("consultant", rate),))
    return engagement


def work_packages(*codes: str) -> list[WorkPackage]:
    return [WorkPackage(code, f"Rollout {code}", code.split("-")[0]) for code in codes]


def an_engagement(
    currency: str = "USD",
    *,
    packages: tuple[str, ...] = ("EMEA-1", "APAC-1"),
    status: EngagementStatus = EngagementStatus.PENDING_DATA,
) -> Engagement:
    contract_value, _ = RATES[currency]
    return Engagement(
        id=new_id(),
        opportunity_id="006" + uuid.uuid4().hex[:15],
        account_id="001" + uuid.uuid4().hex[:15],
        account_name="Globex Corporation",
        legal_entity_code="GLOBEX-UK",
        currency=currency,
        billing_method=BillingMethod.TIME_AND_MATERIALS,
        rate_card=a_rate_card(currency),
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2025, 12, 19),
        contract_value=Money(currency, Decimal(contract_value)),
        work_packages=work_packages(*packages),
        status=status,
    )


def an_active_engagement(currency: str = "USD") -> Engagement:
    return an_engagement(currency, status=EngagementStatus.ACTIVE)


def a_time_entry(engagement: Engagement, source_id: str = "", hours: str = "7.5") -> TimeEntry:
    return TimeEntry(
        source_system=System.PSA,
        source_id=source_id or "a1D" + uuid.uuid4().hex[:15],
        engagement_id=engagement.id,
        resource="Ada Lovelace",
        role="consultant",
        work_date=dt.date(2025, 3, 10),
        hours=Decimal(hours),
    )


def a_staged_time_entry(engagement: Engagement, entry: TimeEntry) -> BillableEvent:
    """The entry approved at the engagement's rate for its role, as one time charge."""
    event_id = new_id()
    rate = engagement.rate_for(entry.role)
    work = TimeWorked(event_id, entry.role, entry.work_date, entry.hours)
    charge = Charge(ChargeKind.TIME, event_id, rate.times(entry.hours), entry.hours)
    return BillableEvent.approve(
        event_id=event_id,
        source_system=entry.source_system,
        source_id=entry.source_id,
        engagement_id=engagement.id,
        work_package_code=engagement.work_packages[0].code,
        resource=entry.resource,
        work=work,
        rated=Rated((charge,), TermsState.start(engagement.currency)),
        currency=engagement.currency,
        unit_price=UnitPrice.of_money(rate),
        now=NOW,
    )


def a_parked_exception(business_key: str = "006OPPORTUNITY") -> ExceptionCase:
    return ExceptionCase.park(
        exception_id=new_id(),
        workflow=Workflow.CLOSED_WON_TO_ENGAGEMENT,
        business_key=business_key,
        reason_code=ReasonCode.LEGAL_ENTITY_NOT_MAPPED,
        owner_role=OwnerRole.FINANCE,
        detail="legal entity 'GLOBEX-UK' has no ERP mapping",
        payload={"opportunity_id": business_key, "rate_card": [{"role": "consultant"}]},
        now=NOW,
    )


def a_saga_step(saga_id: str, step: str, at: dt.datetime = NOW) -> SagaStep:
    return SagaStep(
        id=new_id(),
        saga_id=saga_id,
        step=step,
        outcome=StepOutcome.SUCCEEDED,
        external_ref="PRJ-" + step,
        attempts=1,
        detail="",
        recorded_at=at,
    )


def encode_for_tests(event: Event, _stamp: Stamp) -> OutboxMessage:
    return OutboxMessage(
        event.event_id, "o2c.v1.test." + type(event).__name__, repr(event).encode()
    )
