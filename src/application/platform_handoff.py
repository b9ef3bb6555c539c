"""Work of a legal entity an external billing platform bills, handed to that platform instead of
being invoiced by o2c: a finalising cycle marks the engagement's staged time and, in the same
transaction, starts a durable saga that keeps the account, the subscription and the usage on the
platform, each under o2c's own key, so neither a repeated cycle nor a retried step counts an
hour twice.

What a platform-billed engagement supports: approved time, as hours on a per-unit usage charge
for each role of the engagement's rate card, priced at the role's rate. Anything else staged
for it (an expense, a milestone, metered usage, a fee, time split by a cap, or a role not on the
rate card) stays staged, is not invoiced by o2c either, and is parked once for finance
(BILLING_PLATFORM_UNSUPPORTED) until finance decides; a lasting platform failure is parked for
finance too (BILLING_PLATFORM_FAILED)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from attrs import evolve, frozen

from application.billing_platform_ports import (
    BillingPlatform,
    PlatformAccount,
    PlatformCharge,
    PlatformSubscription,
    UsageRecord,
)
from application.errors import VendorError
from application.platform_invoice_ports import HandedAccount
from application.ports import UnitOfWork
from application.saga_definition import Setback, Step, concluded
from application.saga_runner import SagaRunner
from domain.billable_event import BillableEvent, BillableEventKind
from domain.billing.charges import ChargeKind
from domain.engagement import Engagement
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.money import Money
from domain.saga import Saga, Verdict

KIND = "usage_to_billing_platform"
HOURS = "hours"


@frozen
class PlatformHandoff:
    """What a finalising cycle handed to a platform for one engagement, and what it held."""

    engagement_id: str
    legal_entity_code: str
    platform: str
    events: int  # staged events handed over now
    held: int  # staged events the platform cannot bill, kept staged and parked for finance
    saga_id: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "engagement_id": self.engagement_id,
            "legal_entity_code": self.legal_entity_code,
            "platform": self.platform,
            "events": self.events,
            "held": self.held,
            "saga_id": self.saga_id,
        }

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> PlatformHandoff:
        return cls(
            engagement_id=str(data["engagement_id"]),
            legal_entity_code=str(data["legal_entity_code"]),
            platform=str(data["platform"]),
            events=int(data["events"]),
            held=int(data["held"]),
            saga_id=str(data["saga_id"]),
        )


def account_key(engagement: Engagement) -> str:
    return f"{engagement.account_id}:{engagement.legal_entity_code}"


def time_charge_key(role: str) -> str:
    return f"time:{role}"


def billable_by_platform(event: BillableEvent, engagement: Engagement) -> bool:
    roles = {line.role for line in engagement.rate_card.rates}
    return (
        event.kind == BillableEventKind.TIME.value
        and event.role in roles
        and event.hours is not None
        and all(charge.kind is ChargeKind.TIME for charge in event.charges)
    )


def account_of(engagement: Engagement, entity_country: str) -> PlatformAccount:
    return PlatformAccount(
        account_key=account_key(engagement),
        name=engagement.account_name,
        currency=engagement.currency,
        legal_entity_code=engagement.legal_entity_code,
        country=engagement.customer_country or entity_country,
        payment_terms_days=engagement.payment_terms_days,
    )


def subscription_of(engagement: Engagement) -> PlatformSubscription:
    return PlatformSubscription(
        subscription_key=engagement.id,
        account_key=account_key(engagement),
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        charges=tuple(
            PlatformCharge(
                charge_key=time_charge_key(line.role),
                name=f"{line.role} time",
                model="per_unit",
                price=line.hourly_rate,
                unit=HOURS,
            )
            for line in engagement.rate_card.rates
        ),
    )


def usage_of(event: BillableEvent, engagement: Engagement) -> UsageRecord:
    charge_key = time_charge_key(event.role)
    assert event.hours is not None
    return UsageRecord(
        unique_key=f"{event.id}:{charge_key}",
        account_key=account_key(engagement),
        subscription_key=engagement.id,
        charge_key=charge_key,
        unit=HOURS,
        quantity=event.hours,
        day=event.work_date,
    )


def context_of(
    platform: str, engagement: Engagement, entity_country: str, handed: Sequence[BillableEvent]
) -> dict[str, Any]:
    account = account_of(engagement, entity_country)
    subscription = subscription_of(engagement)
    return {
        "platform": platform,
        "engagement_id": engagement.id,
        "account": {
            "key": account.account_key,
            "name": account.name,
            "currency": account.currency,
            "legal_entity_code": account.legal_entity_code,
            "country": account.country,
            "payment_terms_days": account.payment_terms_days,
        },
        "subscription": {
            "start": subscription.start_date.isoformat(),
            "end": subscription.end_date.isoformat(),
            "charges": [
                [c.charge_key, c.name, c.price.amount_text()] for c in subscription.charges
            ],
        },
        "usage": [
            [u.unique_key, u.charge_key, format(u.quantity, "f"), u.day.isoformat()]
            for u in (usage_of(event, engagement) for event in handed)
        ],
    }


def failed(error: VendorError) -> Setback:
    return Setback(
        Verdict.FAILED, ReasonCode.BILLING_PLATFORM_FAILED, OwnerRole.FINANCE, str(error)
    )


@frozen
class UsageToBillingPlatform:
    """The saga: the account, then the subscription, then the usage, each keyed by o2c."""

    platform: BillingPlatform
    kind: str = KIND
    workflow: Workflow = Workflow.APPROVED_WORK_TO_STAGING

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        account = stored_account(saga.context)
        subscription = stored_subscription(saga.context, account)
        usage = stored_usage(saga.context, account)
        return [
            Step[str](
                name="platform.account",
                external_id=account.account_key,
                action=lambda: self.platform.upsert_account(account),
                failure=failed,
            ),
            Step[str](
                name="platform.subscription",
                external_id=subscription.subscription_key,
                action=lambda: self.platform.subscribe(subscription),
                failure=failed,
            ),
            Step[Any](
                name="platform.usage",
                external_id=saga.business_key,
                action=lambda: self.platform.upload_usage(usage),
                reference=lambda upload: f"{upload.accepted} new, {upload.already_held} held",
                failure=failed,
            ),
        ]

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        return concluded(saga, "engagement_id", setback)


def stored_account(context: Mapping[str, Any]) -> PlatformAccount:
    data = context["account"]
    return PlatformAccount(
        account_key=data["key"],
        name=data["name"],
        currency=data["currency"],
        legal_entity_code=data["legal_entity_code"],
        country=data["country"],
        payment_terms_days=int(data["payment_terms_days"]),
    )


def stored_subscription(
    context: Mapping[str, Any], account: PlatformAccount
) -> PlatformSubscription:
    data = context["subscription"]
    return PlatformSubscription(
        subscription_key=str(context["engagement_id"]),
        account_key=account.account_key,
        start_date=dt.date.fromisoformat(data["start"]),
        end_date=dt.date.fromisoformat(data["end"]),
        charges=tuple(
            PlatformCharge(key, name, "per_unit", Money.of(price, account.currency), HOURS)
            for key, name, price in data["charges"]
        ),
    )


def stored_usage(context: Mapping[str, Any], account: PlatformAccount) -> list[UsageRecord]:
    return [
        UsageRecord(
            unique_key=unique_key,
            account_key=account.account_key,
            subscription_key=str(context["engagement_id"]),
            charge_key=charge_key,
            unit=HOURS,
            quantity=Decimal(quantity),
            day=dt.date.fromisoformat(day),
        )
        for unique_key, charge_key, quantity, day in context["usage"]
    ]


@frozen
class PlatformHandoffs:
    """Hands engagements' staged work to their platform in the cycle's own transaction."""

    sagas: SagaRunner  # one that knows UsageToBillingPlatform

    def hand_over(
        self,
        uow: UnitOfWork,
        engagement: Engagement,
        platform: str,
        entity_country: str,
        staged: Sequence[BillableEvent],
        cycle_id: str,
        now: dt.datetime,
    ) -> PlatformHandoff:
        handed = [e for e in staged if billable_by_platform(e, engagement)]
        held = [e for e in staged if not billable_by_platform(e, engagement)]
        if held:
            park_held(uow, engagement, platform, held, self.sagas.ports.ids.new_id(), now)
        answer = PlatformHandoff(
            engagement.id, engagement.legal_entity_code, platform, len(handed), len(held)
        )
        if not handed:
            return answer
        for event in handed:
            event.mark_invoiced()
        uow.platform_invoices.hand_over(
            HandedAccount(
                platform=platform,
                engagement_id=engagement.id,
                account_key=account_key(engagement),
                legal_entity_code=engagement.legal_entity_code,
                since=engagement.start_date,
            )
        )
        context = context_of(platform, engagement, entity_country, handed)
        return evolve(answer, saga_id=self.start(uow, f"{engagement.id}/{cycle_id}", context, now))

    def start(
        self, uow: UnitOfWork, business_key: str, context: dict[str, Any], now: dt.datetime
    ) -> str:
        """Written with the cycle, then handed at once to the saga worker."""
        saga = self.sagas.start(
            uow, kind=KIND, business_key=business_key, context=context, request=None
        )
        saga.release(saga.owner, now)
        return saga.id


def park_held(
    uow: UnitOfWork,
    engagement: Engagement,
    platform: str,
    held: Sequence[BillableEvent],
    case_id: str,
    now: dt.datetime,
) -> None:
    """Once per engagement while the case is open: the held work stays staged, in plain view."""
    key = f"{engagement.id}/{platform}"
    open_cases = uow.exceptions.open_cases(key)
    if any(c.reason_code is ReasonCode.BILLING_PLATFORM_UNSUPPORTED for c in open_cases):
        return
    kinds = sorted({event.kind for event in held})
    uow.exceptions.add(
        ExceptionCase.park(
            exception_id=case_id,
            workflow=Workflow.APPROVED_WORK_TO_STAGING,
            business_key=key,
            reason_code=ReasonCode.BILLING_PLATFORM_UNSUPPORTED,
            owner_role=OwnerRole.FINANCE,
            detail=(
                f"{len(held)} staged event(s) of engagement {engagement.id} ({', '.join(kinds)}) "
                f"cannot be billed by {platform}, which bills {engagement.legal_entity_code}: "
                "it bills time at the rate card's roles only; they stay staged, not invoiced"
            ),
            payload={
                "engagement_id": engagement.id,
                "legal_entity_code": engagement.legal_entity_code,
                "billable_event_ids": [event.id for event in held],
            },
            now=now,
        )
    )


def with_platform(runner: SagaRunner, platform: BillingPlatform) -> SagaRunner:
    """The runner that also drives the hand-over to `platform` (and every saga it knew)."""
    return SagaRunner(
        runner.ports, [*runner.definitions.values(), UsageToBillingPlatform(platform)]
    )
