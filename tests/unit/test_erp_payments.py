"""Cash applied in an ERP, read back into o2c: from the ERP that holds the invoice, once per
ERP payment id; what cannot be matched is parked for finance, and an ERP that cannot be read
is read next time."""

# ruff: noqa: F811 (the fixtures imported from the intercompany tests are arguments here)
from __future__ import annotations

import datetime as dt

import pytest
from support.billing_api import cycle, opportunity, time

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.create_engagement import create_service_engagement
from application.erp_payments import read_erp_payments
from application.erp_ports import LedgerPayment
from application.erp_routes import set_erp_route
from application.errors import VendorUnavailable
from domain.erp_posting import ErpPosting, PostingRole
from domain.exception_case import OwnerRole, ReasonCode
from domain.invoicing.invoice import InvoiceStatus
from domain.money import Money
from unit.test_intercompany_postings import erp, ledgers, ports, route  # noqa: F401 (its fixtures)


class Paying:
    """Gives a ledger an ERP's cash application: payments it received, per legal entity."""

    def __init__(self, ledger) -> None:
        self.received: dict[str, list[LedgerPayment]] = {}
        self.down = False
        ledger.payments = self.payments

    def receive(self, entity: str, payment_id: str, number: str, amount: str, day: int = 5):
        self.received.setdefault(entity, []).append(
            LedgerPayment(payment_id, number, Money.of(amount, "USD"), dt.date(2027, 1, day))
        )

    def payments(self, erp_legal_entity, since):
        if self.down:
            raise VendorUnavailable("netsuite", "503 Service Unavailable")
        return [p for p in self.received.get(erp_legal_entity, []) if p.received_on >= since]


@pytest.fixture
def netsuite(ledgers):
    return Paying(ledgers["netsuite"])


def invoiced(provisioning, ports):
    set_erp_route(route("US01", ("netsuite", "US-SUB-1")), ports)
    engagement_id = create(provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id), ports).invoices
    ports.sagas.resume_abandoned()
    return invoice


def create(provisioning):
    return create_service_engagement(opportunity(), provisioning)


def current(ports, invoice):
    with ports.uow_factory() as uow:
        return uow.invoices.get(invoice.id)


def test_a_payment_the_holding_erp_received_is_applied_once_however_often_it_is_read(
    provisioning,
    ports,
    netsuite,
):
    invoice = invoiced(provisioning, ports)
    netsuite.receive("US-SUB-1", "PAY-1", str(invoice.number), "100.00")

    first = read_erp_payments(ports)
    again = read_erp_payments(ports)

    assert (first.applied, first.known, again.applied, again.known) == (1, 0, 0, 1)
    paid = current(ports, invoice)
    assert [p.payment.payment_id for p in paid.payments] == ["netsuite:PAY-1"]
    assert paid.status is InvoiceStatus.PARTIALLY_PAID


def test_a_payment_in_full_settles_the_invoice_and_is_not_read_again(
    provisioning,
    ports,
    netsuite,
):
    invoice = invoiced(provisioning, ports)
    netsuite.receive("US-SUB-1", "PAY-1", str(invoice.number), invoice.total.amount_text())

    assert read_erp_payments(ports).applied == 1
    assert current(ports, invoice).status is InvoiceStatus.PAID
    assert read_erp_payments(ports).applied == 0


def test_cash_for_a_document_the_erp_does_not_hold_for_o2c_is_parked_once_for_finance(
    provisioning,
    ports,
    netsuite,
    store,
):
    invoice = invoiced(provisioning, ports)
    netsuite.receive("US-SUB-1", "PAY-9", "US01-2026-999999", "50.00")

    read = read_erp_payments(ports)
    read_erp_payments(ports)

    assert read.unmatched == ("netsuite:PAY-9",) and read.applied == 0
    [case] = [c for c in store.exceptions.values() if c.business_key == "netsuite:PAY-9"]
    assert (case.reason_code, case.owner_role) == (ReasonCode.PAYMENT_UNMATCHED, OwnerRole.FINANCE)
    assert current(ports, invoice).payments == ()


def test_a_payment_o2c_cannot_apply_is_parked_and_changes_nothing(
    provisioning,
    ports,
    netsuite,
    store,
):
    invoice = invoiced(provisioning, ports)
    netsuite.received["US-SUB-1"] = [
        LedgerPayment("PAY-2", str(invoice.number), Money.of("10", "EUR"), dt.date(2027, 1, 5))
    ]

    assert read_erp_payments(ports).unmatched == ("netsuite:PAY-2",)
    assert current(ports, invoice).payments == ()
    [case] = [c for c in store.exceptions.values() if c.business_key == "netsuite:PAY-2"]
    assert "EUR" in case.detail


def test_an_erp_that_cannot_be_read_is_read_next_time(provisioning, ports, netsuite):
    invoice = invoiced(provisioning, ports)
    netsuite.receive("US-SUB-1", "PAY-1", str(invoice.number), "100.00")
    netsuite.down = True

    read = read_erp_payments(ports)
    assert (read.applied, read.unreachable) == (0, ("netsuite/US-SUB-1",))

    netsuite.down = False
    assert read_erp_payments(ports).applied == 1


def test_after_a_cutover_cash_is_read_from_the_erp_that_took_the_invoice_over(
    provisioning,
    ports,
    netsuite,
    ledgers,
    store,
):
    invoice = invoiced(provisioning, ports)
    dynamics = Paying(ledgers["dynamics365"])
    with ports.uow_factory() as uow:
        uow.erp_postings.add(
            ErpPosting(
                document_number=str(invoice.number),
                invoice_id=invoice.id,
                kind="opening_receivable",
                erp="dynamics365",
                role=PostingRole.PRIMARY,
                erp_legal_entity="USMF",
                erp_document_id="FTI-1",
                posted_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            )
        )
        uow.commit()
    dynamics.receive("USMF", "PAY-7", str(invoice.number), "100.00")

    assert read_erp_payments(ports).applied == 1
    assert [p.payment.payment_id for p in current(ports, invoice).payments] == ["dynamics365:PAY-7"]


def test_a_shadow_erps_cash_is_not_read(provisioning, ports, ledgers):
    set_erp_route(route("US01", ("netsuite", "US-SUB-1"), ("legacy", "US-OU-1")), ports)
    legacy = Paying(ledgers["legacy"])
    engagement_id = create(provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id), ports).invoices
    ports.sagas.resume_abandoned()
    legacy.receive("US-OU-1", "PAY-3", str(invoice.number), "100.00")

    assert read_erp_payments(ports).applied == 0
    assert current(ports, invoice).payments == ()
