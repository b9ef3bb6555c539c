"""An invoice's payment status shown on the CRM account when a payment is applied, whether the
caller recorded it or the ERP's cash application was read: written by the saga worker, keyed by
account and invoice, the latest standing once; a CRM that stays away is parked."""

from __future__ import annotations

import pytest
from attrs import evolve
from support.billing_api import ReferenceData, cycle, opportunity, payment, time
from support.builders import integration

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts
from application.create_engagement import create_service_engagement, saga_runner
from application.crm_status import CrmStatus
from application.errors import VendorUnavailable
from application.invoices import record_payment
from domain.exception_case import OwnerRole, ReasonCode
from domain.money import Money
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeUnitOfWork, SequentialIds


class StatusBook:
    """The CRM's account view: one status per account and invoice, the latest kept."""

    def __init__(self) -> None:
        self.shown: dict[tuple[str, str], object] = {}
        self.writes = 0
        self.away = False

    def record_payment_status(self, status) -> str:
        if self.away:
            raise VendorUnavailable("crm", "503 Service Unavailable")
        self.writes += 1
        self.shown[(status.account_id, status.invoice_number)] = status
        return f"STATUS-{status.invoice_number}"


@pytest.fixture
def book():
    return StatusBook()


@pytest.fixture
def ports(store, clock, psa, provisioning, book):
    sagas = saga_runner(evolve(provisioning, crm_status=book))
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        sagas=sagas,
        crm_status=CrmStatus(sagas),
    )


@pytest.fixture
def invoice(provisioning, ports):
    engagement_id = create_service_engagement(opportunity(), provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id), ports).invoices
    return invoice


def paid(ports, invoice, payment_id, amount, **fields):
    record_payment(
        payment(invoice.id, payment_id, amount, "USD", caller=integration("erp"), **fields), ports
    )
    ports.sagas.resume_abandoned()


def test_a_payment_shows_the_invoices_standing_on_the_crm_account(ports, invoice, book):
    paid(ports, invoice, "PAY-1", "100.00")

    [status] = book.shown.values()
    assert (status.account_id, status.invoice_number) == ("001-ACME", str(invoice.number))
    assert (status.status, status.paid) == ("partially_paid", Money.of("100.00", "USD"))
    assert status.balance == invoice.total - Money.of("100.00", "USD")


def test_a_repeated_payment_writes_once_and_a_later_one_replaces_the_standing(ports, invoice, book):
    paid(ports, invoice, "PAY-1", "100.00")
    paid(ports, invoice, "PAY-1", "100.00", request_id="pay-again")
    paid(ports, invoice, "PAY-2", invoice.total.amount_text())

    assert book.writes == 2
    [status] = book.shown.values()
    assert status.status == "paid"


def test_a_crm_that_stays_away_is_parked_for_integration_support(ports, invoice, book, store):
    book.away = True

    paid(ports, invoice, "PAY-1", "100.00")

    assert book.shown == {}
    [case] = [
        c for c in store.exceptions.values() if c.reason_code is ReasonCode.CRM_WRITE_BACK_FAILED
    ]
    assert case.owner_role is OwnerRole.INTEGRATION_SUPPORT
