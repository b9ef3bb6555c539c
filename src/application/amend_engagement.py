"""AmendServiceEngagement: a change order, numbered, that raises a cap or a budget, adds or
re-prices milestones, changes rates from a date or adds a work package. It never rewrites what
was invoiced. It reaches the billing schedule at once (the terms the next rating and billing
cycle read) and the PSA through a saga: projects and change orders, each keyed so that a retry
is harmless."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from attrs import frozen

from application.billing_access import active_engagement, agreement_for
from application.billing_ports import BillingPorts
from application.billing_terms import milestones_of, optional_money, terms_from
from application.change_order_saga import KIND
from application.closed_won import work_package
from application.commands import (
    AmendServiceEngagement,
    RateChangeLine,
    TermsChangeLine,
    TermsLine,
)
from application.parsing import fields_under, parse_date, required
from application.pipeline import Answer, Pipeline
from application.ports import UnitOfWork
from domain.billable_event import BillableEvent, BillableEventKind
from domain.billing.agreement import Amendment, BillingAgreement
from domain.billing.amendments import Invoiced, RateChange, TermsChange, amend_terms
from domain.billing.rating import Rated
from domain.billing.terms import BillingTerms
from domain.billing.work import MilestoneCompleted
from domain.engagement import Engagement, WorkPackage
from domain.errors import InvalidField
from domain.requests import RequestKey
from domain.saga import Saga
from domain.unit_price import UnitPrice

OPERATION = "AmendServiceEngagement"


@frozen
class Amended:
    engagement: Engagement
    agreement: BillingAgreement


def amend_service_engagement(cmd: AmendServiceEngagement, ports: BillingPorts) -> Amended:
    answer = Pipeline(ports.uow_factory, ports.clock, ports.sagas).run(
        key_of(cmd), cmd, lambda uow: amend(uow, cmd, ports)
    )
    with ports.uow_factory() as uow:
        engagement = uow.engagements.get(str(answer["engagement_id"]))
        agreement = uow.billing_agreements.get(str(answer["engagement_id"]))
    assert engagement is not None and agreement is not None
    return Amended(engagement, agreement)


def amend(uow: UnitOfWork, cmd: AmendServiceEngagement, ports: BillingPorts) -> Answer | Saga:
    engagement_id = required(cmd.engagement_id, "engagement_id")
    engagement = active_engagement(uow, engagement_id, cmd.caller, "engagement_id")
    agreement = agreement_for(uow, engagement)
    amendment = amendment_of(cmd, engagement)
    events = uow.billable_events.of_engagement(engagement.id)
    on_invoices = {r.source_id for r in uow.billed_work.of_sources([e.id for e in events])}
    done = invoiced([e for e in events if e.id in on_invoices])
    check_each_change(agreement, amendment, done)
    agreement.amend(amendment, invoiced=done, occurred_at=ports.clock.now())
    for index, package in enumerate(cmd.new_work_packages):
        where = f"new_work_packages[{index}]"
        with fields_under(where + "."):
            added = work_package(package.work_package, where + ".work_package")
            check_delivering_entity(added, where + ".work_package", ports)
            add_package(engagement, added)
    release_under_raised_caps(uow, agreement, amendment, ports)
    answer = {"engagement_id": engagement.id, "version": amendment.version}
    if ports.sagas is None:
        return answer
    return ports.sagas.start(
        uow, kind=KIND, business_key=engagement.id, context=answer, request=key_of(cmd)
    )


def key_of(cmd: AmendServiceEngagement) -> RequestKey:
    return RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)


def amendment_of(cmd: AmendServiceEngagement, engagement: Engagement) -> Amendment:
    if cmd.version < 1:
        raise InvalidField("version is the amendment's number, from 1", field="version")
    return Amendment(
        version=cmd.version,
        effective_on=effective_on(cmd.effective_on, engagement),
        reason=cmd.reason.strip(),
        changes=[
            change_of(line, f"changes[{i}].", engagement) for i, line in enumerate(cmd.changes)
        ],
        new_terms=[
            new_terms_of(package.terms, f"new_work_packages[{i}].terms.", engagement)
            for i, package in enumerate(cmd.new_work_packages)
        ],
    )


def check_each_change(
    agreement: BillingAgreement, amendment: Amendment, done: dict[str, Invoiced]
) -> None:
    """Each change checked on its own first, so that a refusal names the change it is in."""
    for index, change in enumerate(amendment.changes):
        code = change.work_package_code
        with fields_under(f"changes[{index}]."):
            terms = agreement.terms_of(code, "work_package_code")
            amend_terms(terms, change, agreement.state_of(code), done.get(code, Invoiced()))


def effective_on(text: str, engagement: Engagement) -> dt.date:
    day = parse_date(text, "effective_on")
    if not engagement.start_date <= day <= engagement.end_date:
        raise InvalidField(
            f"a change order takes effect within the engagement, {engagement.start_date} to "
            f"{engagement.end_date}, not on {day}",
            field="effective_on",
            keys={"effective_on": day.isoformat()},
        )
    return day


def change_of(line: TermsChangeLine, prefix: str, engagement: Engagement) -> TermsChange:
    currency = engagement.currency
    with fields_under(prefix):
        return TermsChange(
            work_package_code=required(line.work_package_code, prefix + "work_package_code"),
            cap=optional_money(line.cap, line.cap_currency or currency, prefix + "cap"),
            fee=optional_money(line.fee, line.fee_currency or currency, prefix + "fee"),
            milestones=milestones_of(line.milestones, prefix + "milestones"),
            rate_changes=tuple(
                rate_change(rate, f"{prefix}rate_changes[{i}]")
                for i, rate in enumerate(line.rate_changes)
            ),
        )


def rate_change(line: RateChangeLine, where: str) -> RateChange:
    return RateChange(
        role=required(line.role, where + ".role"),
        price=UnitPrice.parse(line.price, line.currency.strip(), where + ".price"),
        effective_from=parse_date(line.effective_from, where + ".effective_from"),
    )


def new_terms_of(line: TermsLine, prefix: str, engagement: Engagement) -> BillingTerms:
    return terms_from(
        line,
        prefix,
        currency=engagement.currency,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        flat_card=engagement.rate_card,
    )


def invoiced(done: Sequence[BillableEvent]) -> dict[str, Invoiced]:
    """Per work package: the last day of time on an invoice (any part of it, credited or
    not), and the milestones on one."""
    by_package: dict[str, Invoiced] = {}
    for code in {e.work_package_code for e in done}:
        mine = [e for e in done if e.work_package_code == code]
        days = [e.work_date for e in mine if e.kind == BillableEventKind.TIME.value]
        milestones = {e.work.milestone_code for e in mine if isinstance(e.work, MilestoneCompleted)}
        by_package[code] = Invoiced(max(days, default=None), milestones)
    return by_package


def check_delivering_entity(package: WorkPackage, where: str, ports: BillingPorts) -> None:
    """Another legal entity delivering the new package must be one the firm bills for: it will
    charge the contracting entity for the work."""
    code = package.delivering_legal_entity_code
    if code and ports.reference is not None and ports.reference.legal_entity(code) is None:
        raise InvalidField(
            f"o2c bills for no legal entity {code!r}",
            field=f"{where}.delivering_legal_entity_code",
            keys={"legal_entity_code": code},
        )


def add_package(engagement: Engagement, package: WorkPackage) -> None:
    engagement.add_work_package(package)


def release_under_raised_caps(
    uow: UnitOfWork, agreement: BillingAgreement, amendment: Amendment, ports: BillingPorts
) -> None:
    """Work held over a cap that the amendment raised is billed now, first held first."""
    for change in amendment.changes:
        if change.cap is None:
            continue
        released = agreement.release_held(change.work_package_code)
        for charge in released.charges:
            event = uow.billable_events.get(charge.source_id)
            assert event is not None, f"held work {charge.source_id} has no billable event"
            event.decide(Rated((charge,), released.state), ports.clock.now())
