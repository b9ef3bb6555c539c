"""Each reconciliation control on real storage and the sandbox vendors: a variance planted on
one side is found, exactly it, parked once with its owner, and each run is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from attrs import evolve
from integration.persistence.builders import a_staged_time_entry, a_time_entry, an_engagement
from support.invoicing import a_draft, bill_each, charge, invoices_of, payment
from unit.fakes import FakeClock

from adapters.persistence.control_runs import SqlControlRuns
from adapters.persistence.engine import session_factory
from adapters.vendors.sandbox.ledger import SandboxLedger
from adapters.vendors.sandbox.records import SandboxRecords
from application.controls.ports import ControlPorts
from application.controls.report import Control, ControlVariance, Measure, VarianceKind
from application.controls.run import Controls
from application.crm_ports import AccountPaymentStatus
from application.erp_ports import DocumentKind, LedgerDocument
from application.ledger_controls import park_variances
from application.psa_work_ports import ApprovedWork
from domain.erp_posting import ErpPosting, PostingRole
from domain.erp_routing import Erp, ErpRoute, ErpTarget, RouteBook
from domain.exception_case import ExceptionStatus, OwnerRole, ReasonCode, Resolution
from domain.invoicing.invoice import Invoice
from domain.money import Money
from domain.reconciliation import reconcile

TODAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
IN_THE_WINDOW = dt.date(2026, 11, 20)
PRIMARY, SHADOW = ErpTarget(Erp.DYNAMICS365, "DEMF"), ErpTarget(Erp.LEGACY, "DE-OU-310")
MOOT = "the control no longer finds it"


@pytest.fixture
def ledger(engine) -> SandboxLedger:
    return SandboxLedger(SandboxRecords(engine, "erp"))


@pytest.fixture
def pilot(engine) -> dict[Erp, SandboxLedger]:
    """DE01's dual-write pilot: a Dynamics 365 primary and a legacy shadow, each its own ledger."""
    return {
        erp: SandboxLedger(SandboxRecords(engine, erp.value), erp.value)
        for erp in (Erp.DYNAMICS365, Erp.LEGACY)
    }


@pytest.fixture
def controls(engine, billing, psa, crm, ledger, pilot) -> Controls:
    ledgers = {"sandbox": ledger} | {erp.value: held for erp, held in pilot.items()}
    ports = evolve(billing, clock=FakeClock(TODAY), ledgers=ledgers)
    runs = SqlControlRuns(session_factory(engine))
    return Controls(ControlPorts(ports, runs, psa_work=psa, crm_status=crm))


def parked_for(controls: Controls, key: str):
    with controls.ports.billing.uow_factory() as uow:
        return [
            case
            for case in uow.exceptions.open_cases(key)
            if case.reason_code is ReasonCode.RECONCILIATION_VARIANCE
        ]


def two_finalised_invoices(controls: Controls) -> list[Invoice]:
    sequence = invoices_of(a_draft().legal_entity)
    invoices = []
    for index, amount in enumerate(("1000.00", "250.00")):
        invoice = bill_each(a_draft(invoice_id=f"INV-{index}"), [charge(amount, f"T-{index}")])
        invoice.finalise(sequence, IN_THE_WINDOW, TODAY)
        invoices.append(invoice)
    with controls.ports.billing.uow_factory() as uow:
        for invoice in invoices:
            uow.invoices.add(invoice)
        uow.commit()
    return invoices


def posted(controls: Controls, ledger: SandboxLedger, invoice: Invoice, total: Money) -> None:
    """The ERP holds the invoice at `total`, and o2c recorded its primary posting there."""
    held(ledger, invoice, total)
    recorded(controls, invoice)


def held(ledger: SandboxLedger, invoice: Invoice, total: Money) -> None:
    number = str(invoice.number)
    ledger.post(
        LedgerDocument(
            posting_key=number,
            kind=DocumentKind.INVOICE,
            number=number,
            erp_legal_entity="GBSI",
            customer_external_id="C-100",
            issued_on=IN_THE_WINDOW,
            due_on=None,
            currency=total.currency,
            lines=(),
            total=total,
        )
    )


def recorded(controls: Controls, invoice: Invoice) -> None:
    number = str(invoice.number)
    with controls.ports.billing.uow_factory() as uow:
        uow.erp_postings.add(
            ErpPosting(
                number, invoice.id, "invoice", "sandbox", PostingRole.PRIMARY, "GBSI", number, TODAY
            )
        )
        uow.commit()


def test_an_invoice_the_erp_holds_at_another_total_is_the_one_variance_for_finance(
    controls, ledger
):
    right, wrong = two_finalised_invoices(controls)
    posted(controls, ledger, right, right.total)
    posted(controls, ledger, wrong, right.total)  # the ERP took the other invoice's total

    [report] = controls.run(Control.BILLING_VS_ERP)
    controls.run(Control.BILLING_VS_ERP)

    number = str(wrong.number)
    assert report.matched == 1
    assert report.variances == (
        ControlVariance(
            number, VarianceKind.AMOUNT_DIFFERS, Measure.of(wrong.total), Measure.of(right.total)
        ),
    )
    [case] = parked_for(controls, number)
    assert (case.owner_role, case.payload["control"]) == (OwnerRole.FINANCE, "billing_vs_erp")
    assert report.parked == 1
    runs = controls.runs(Control.BILLING_VS_ERP, "", 0, 10)
    assert [run.report.variances for run in runs] == [report.variances] * 2


def test_a_payment_the_crm_does_not_show_is_the_one_variance(controls, crm):
    shown, missed = two_finalised_invoices(controls)
    with controls.ports.billing.uow_factory() as uow:
        for invoice in (shown, missed):
            invoice = uow.invoices.get(invoice.id)
            invoice.apply_payment(payment("100.00", payment_id=f"PAY-{invoice.id}"), TODAY)
        uow.commit()
        shown = uow.invoices.get(shown.id)
    crm.record_payment_status(
        AccountPaymentStatus(
            "", str(shown.number), shown.status.value, shown.total, shown.paid, shown.balance, TODAY
        )
    )

    [report] = controls.run(Control.PAYMENTS_VS_CRM)

    paid = Measure(Decimal("100.00"), "GBP", "partially_paid")
    assert report.matched == 1
    assert report.variances == (
        ControlVariance(str(missed.number), VarianceKind.MISSING_ON_RIGHT, paid, None),
    )
    [case] = parked_for(controls, str(missed.number))
    assert case.owner_role is OwnerRole.FINANCE


def test_work_approved_in_the_psa_and_never_staged_is_the_one_variance_for_the_pmo(controls, psa):
    engagement = an_engagement()
    entry = a_time_entry(engagement, source_id="TC-STAGED", hours="7.5")
    with controls.ports.billing.uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    with controls.ports.billing.uow_factory() as uow:
        uow.billable_events.add(a_staged_time_entry(engagement, entry))
        uow.commit()
    project = engagement.work_packages[0].psa_project_id or "P-1"
    for source_id, hours in (("TC-STAGED", "7.5"), ("TC-NEVER-STAGED", "4")):
        work = ApprovedWork(source_id, "time", project, "2026-11-19", hours=hours)
        psa.approve(work, IN_THE_WINDOW)

    [report] = controls.run(Control.PSA_VS_BILLING)

    assert report.matched == 1
    assert report.variances == (
        ControlVariance(
            "TC-NEVER-STAGED", VarianceKind.MISSING_ON_RIGHT, Measure(Decimal(4), "h"), None
        ),
    )
    [case] = parked_for(controls, "TC-NEVER-STAGED")
    assert case.owner_role is OwnerRole.PMO


def in_pilot(controls: Controls) -> None:
    book = RouteBook.start("DE01", {"DE01"})
    route = ErpRoute("DE01", dt.date(2026, 11, 1), PRIMARY, shadow=SHADOW)
    book.set(route, today=TODAY.date(), set_by="controller@firm.example", now=TODAY)
    with controls.ports.billing.uow_factory() as uow:
        uow.erp_routes.add(book)
        uow.commit()


def holds(ledger: SandboxLedger, target: ErpTarget, number: str, amount: str) -> None:
    total = Money.of(amount, "EUR")
    ledger.post(
        LedgerDocument(
            posting_key=number,
            kind=DocumentKind.INVOICE,
            number=number,
            erp_legal_entity=target.erp_legal_entity,
            customer_external_id="C-300",
            issued_on=IN_THE_WINDOW,
            due_on=None,
            currency="EUR",
            lines=(),
            total=total,
        )
    )


def ledger_cases(controls: Controls, key: str):
    with controls.ports.billing.uow_factory() as uow:
        return [
            case
            for case in uow.exceptions.open_cases(key)
            if case.reason_code is ReasonCode.LEDGER_VARIANCE
        ]


def case_of(controls: Controls, exception_id: str):
    with controls.ports.billing.uow_factory() as uow:
        return uow.exceptions.get(exception_id)


def test_a_shadow_holding_another_total_is_the_one_dual_write_variance_for_finance(controls, pilot):
    in_pilot(controls)
    for number, primary, shadow in (
        ("DE01-1", "1000.00", "1000.00"),
        ("DE01-2", "250.00", "205.00"),
    ):
        holds(pilot[Erp.DYNAMICS365], PRIMARY, number, primary)
        holds(pilot[Erp.LEGACY], SHADOW, number, shadow)

    [report] = controls.run(Control.DUAL_WRITE, "DE01")
    [again] = controls.run(Control.DUAL_WRITE, "DE01")

    assert (report.left, report.right) == (
        "dynamics365 primary (DEMF)",
        "legacy shadow (DE-OU-310)",
    )
    assert report.matched == 1
    assert report.variances == (
        ControlVariance(
            "DE01-2",
            VarianceKind.AMOUNT_DIFFERS,
            Measure(Decimal("250.00"), "EUR"),
            Measure(Decimal("205.00"), "EUR"),
        ),
    )
    [case] = ledger_cases(controls, "DE01-2")
    assert (case.owner_role, case.payload["control"]) == (OwnerRole.FINANCE, "dual_write")
    assert (report.parked, again.parked) == (1, 0)
    runs = controls.runs(Control.DUAL_WRITE, "DE01", 0, 10)
    assert [run.report.variances for run in runs] == [report.variances] * 2


def test_a_dual_write_variance_the_shadow_catches_up_on_resolves_itself_as_moot(controls, pilot):
    in_pilot(controls)
    holds(pilot[Erp.DYNAMICS365], PRIMARY, "DE01-7", "80.00")
    [missing] = controls.run(Control.DUAL_WRITE, "DE01")
    [case] = ledger_cases(controls, "DE01-7")
    at_cutover = reconcile([("DE01-0", Money.of("10.00", "EUR"))], [], ("o2c", "legacy"))
    park_variances("DE01", at_cutover, controls.ports.billing)  # another control's, DE01's too

    holds(pilot[Erp.LEGACY], SHADOW, "DE01-7", "80.00")  # the late shadow write lands
    [caught_up] = controls.run(Control.DUAL_WRITE)

    assert [v.kind for v in missing.variances] == [VarianceKind.MISSING_ON_RIGHT]
    assert len(ledger_cases(controls, "DE01-0")) == 1
    assert (caught_up.matched, caught_up.variances) == (1, ())
    resolved = case_of(controls, case.id)
    assert (resolved.status, resolved.resolution) == (ExceptionStatus.RESOLVED, Resolution.MOOT)
    assert resolved.resolution_note == MOOT


def test_a_variance_a_complete_run_of_its_control_no_longer_finds_resolves_itself_as_moot(
    controls, ledger
):
    late, on_time = two_finalised_invoices(controls)
    posted(controls, ledger, on_time, on_time.total)
    recorded(controls, late)  # o2c recorded its posting, the ERP does not hold it yet
    number = str(late.number)
    controls.run(Control.BILLING_VS_ERP)
    [case] = parked_for(controls, number)
    unread = evolve(controls.ports, billing=evolve(controls.ports.billing, ledgers={}))

    controls.run(Control.BILLING_VS_ERP, "US01")  # another legal entity's run
    [blind] = Controls(unread).run(Control.BILLING_VS_ERP)  # the ERP could not be read
    still = case_of(controls, case.id).status
    held(ledger, late, late.total)  # the ERP holds it now
    [balanced] = controls.run(Control.BILLING_VS_ERP)

    assert still is ExceptionStatus.OPEN and blind.note
    assert balanced.variances == () and balanced.matched == 2
    resolved = case_of(controls, case.id)
    assert (resolved.status, resolved.resolution) == (ExceptionStatus.RESOLVED, Resolution.MOOT)
    assert resolved.resolution_note == MOOT
