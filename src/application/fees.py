"""Scheduled fees: each retainer or subscription fee falls due on the first of its month (or
the day the terms start), rated once, as a billable event of its own. Work is rated after the
fees due by its day, so a retainer's time draws on the balance its month's fee bought."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from application.ports import Clock, IdGenerator, UnitOfWork
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.billing.methods import Retainer, SubscriptionPlusServices
from domain.billing.state import Period
from domain.billing.terms import BillingTerms
from domain.billing.work import PeriodBegan
from domain.engagement import Engagement
from domain.ownership import System


def schedule_fees(
    uow: UnitOfWork,
    engagement: Engagement,
    agreement: BillingAgreement,
    as_of: dt.date,
    ids: IdGenerator,
    clock: Clock,
    only: str = "",
) -> None:
    """The fees due by `as_of` not yet scheduled; of one work package (`only`) or of all."""
    for code, terms in sorted(agreement.terms.items()):
        if only and code != only:
            continue
        if not isinstance(terms.method, Retainer | SubscriptionPlusServices):
            continue
        for day in days_due(terms, agreement, code, as_of):
            event_id = ids.new_id()
            work = PeriodBegan(event_id, day)
            rated = agreement.rate(code, work, "as_of")
            uow.billable_events.add(
                BillableEvent.approve(
                    event_id=event_id,
                    source_system=System.BILLING,
                    source_id=f"fee:{engagement.id}:{code}:{Period.of(day)}",
                    engagement_id=engagement.id,
                    work_package_code=code,
                    resource="",
                    work=work,
                    rated=rated,
                    currency=terms.currency,
                    unit_price=None,
                    now=clock.now(),
                )
            )


def days_due(
    terms: BillingTerms, agreement: BillingAgreement, code: str, as_of: dt.date
) -> Iterator[dt.date]:
    done = agreement.state_of(code).fee_periods
    last = max(done) if done else None
    day = terms.start_date
    while day <= min(as_of, terms.end_date):
        if last is None or Period.of(day) > last:
            yield day
        if day >= LAST_MONTH:
            return
        day = next_month(day)


LAST_MONTH = dt.date(dt.MAXYEAR, 12, 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
