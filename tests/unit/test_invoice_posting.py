"""Finalised invoices and credit notes posted to the ERP their legal entity's route names, by
the saga worker, once each; a dual-write pilot reconciled; a failure parked for finance."""

from __future__ import annotations

import datetime as dt

import pytest
from attrs import evolve
from support.billing_api import ReferenceData, credit, cycle, opportunity, payment, time
from support.builders import integration

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts
from application.commands import CutOverLegalEntity, ErpTargetLine, SetErpRoute
from application.create_engagement import create_service_engagement, saga_runner
from application.cutover import CutoverNotReconciled, cut_over
from application.erp_ports import LedgerPayment, OpenItem, Posted
from application.erp_routes import set_erp_route
from application.errors import VendorRejected
from application.invoices import issue_credit_note, record_payment
from application.ledger_controls import reconcile_dual_write
from application.posting_saga import Postings
from domain.engagement import ErpCustomerAccount, WorkPackage
from domain.exception_case import OwnerRole, ReasonCode
from domain.money import Money
from domain.ownership import OwnershipMatrix
from domain.reconciliation import VarianceKind
from unit.fakes import FakeUnitOfWork, SequentialIds
from unit.test_billing_use_cases import ChangeOrders

ADMIN = integration("admin")


class Ledger:
    """An ERP's ledger in memory: posts once per key, and can be told to refuse."""

    def __init__(self, erp: str) -> None:
        self.erp = erp
        self.documents: dict[str, object] = {}
        self.refusing = False
        self.losing = False  # answers, and keeps nothing

    def upsert_customer(self, customer) -> str:
        return f"{self.erp}-C-{customer.external_id}"

    def post(self, document):
        if self.refusing:
            raise VendorRejected(self.erp, "period closed")
        if self.losing:
            return Posted(document.posting_key, "lost")
        self.documents.setdefault(document.posting_key, document)
        return Posted(document.posting_key, f"{self.erp}-{document.number}")

    def find(self, posting_key):
        return None

    def open_items(self, erp_legal_entity):
        return [
            OpenItem(d.number, -d.total if d.kind.value == "credit_note" else d.total)
            for d in self.documents.values()
            if d.erp_legal_entity == erp_legal_entity
        ]

    def payables(self, erp_legal_entity):
        return []

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        return []


@pytest.fixture
def ledgers():
    return {erp: Ledger(erp) for erp in ("sandbox", "netsuite", "dynamics365", "legacy")}


@pytest.fixture
def ports(store, clock, psa, provisioning, ledgers):
    sagas = saga_runner(evolve(provisioning, change_orders=ChangeOrders(), ledgers=ledgers))
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        sagas=sagas,
        postings=Postings(sagas),
        ledgers=ledgers,
    )


def route(code: str, day: str, primary: tuple[str, str], shadow=None) -> SetErpRoute:
    return SetErpRoute(
        request_id=f"route-{code}-{day}",
        legal_entity_code=code,
        effective_from=day,
        primary=ErpTargetLine(*primary),
        shadow=ErpTargetLine(*shadow) if shadow else None,
        caller=ADMIN,
    )


def invoiced(provisioning, ports, hours: str = "4", day: str = "2026-12-02"):
    engagement_id = create_service_engagement(opportunity(), provisioning)
    approve_work(time(engagement_id, "TE-1", day, hours), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id), ports).invoices
    ports.sagas.resume_abandoned()
    return invoice


def postings(store):
    return sorted((p.document_number, p.erp, p.role.value) for p in store.erp_postings.values())


def test_an_invoice_posts_to_the_erp_its_route_names_on_its_day(
    provisioning, ports, store, ledgers
):
    set_erp_route(route("US01", "2026-01-01", ("netsuite", "1")), ports)
    invoice = invoiced(provisioning, ports)

    assert postings(store) == [(str(invoice.number), "netsuite", "primary")]
    assert list(ledgers["netsuite"].documents) == [str(invoice.number)]
    assert ledgers["sandbox"].documents == {}


def test_a_dual_write_posts_to_the_primary_and_mirrors_to_the_shadow(provisioning, ports, store):
    pilot = route("US01", "2026-01-01", ("dynamics365", "USMF"), ("legacy", "US-OU-1"))
    set_erp_route(pilot, ports)
    invoice = invoiced(provisioning, ports)

    number = str(invoice.number)
    assert postings(store) == [(number, "dynamics365", "primary"), (number, "legacy", "shadow")]
    report = reconcile_dual_write("US01", dt.date(2026, 12, 31), ports)
    assert report.balanced and report.matched == 1


def test_a_variance_between_primary_and_shadow_is_parked_for_finance(
    provisioning, ports, store, ledgers
):
    pilot = route("US01", "2026-01-01", ("dynamics365", "USMF"), ("legacy", "US-OU-1"))
    set_erp_route(pilot, ports)
    invoice = invoiced(provisioning, ports)
    ledgers["legacy"].documents.clear()  # the shadow lost it

    report = reconcile_dual_write("US01", dt.date(2026, 12, 31), ports)
    [variance] = report.variances
    assert variance.kind is VarianceKind.MISSING_ON_RIGHT
    [case] = [c for c in store.exceptions.values() if c.reason_code is ReasonCode.LEDGER_VARIANCE]
    assert (case.business_key, case.owner_role) == (str(invoice.number), OwnerRole.FINANCE)


def test_a_credit_note_follows_its_invoice_to_the_erp_it_went_to_even_after_a_cutover(
    provisioning, ports, store, ledgers
):
    set_erp_route(route("US01", "2026-01-01", ("legacy", "US-OU-1")), ports)
    invoice = invoiced(provisioning, ports)
    set_erp_route(route("US01", "2027-01-01", ("netsuite", "1")), ports)  # the cutover

    _, note = issue_credit_note(credit(invoice.id, issued_on="2027-01-05"), ports)
    ports.sagas.resume_abandoned()

    assert (str(note.number), "legacy", "primary") in postings(store)
    assert ledgers["netsuite"].documents == {}


def test_a_posting_the_erp_refuses_is_parked_for_finance(provisioning, ports, store, ledgers):
    ledgers["sandbox"].refusing = True
    invoice = invoiced(provisioning, ports)

    [case] = [
        c for c in store.exceptions.values() if c.reason_code is ReasonCode.ERP_POSTING_FAILED
    ]
    assert (case.business_key, case.owner_role) == (str(invoice.number), OwnerRole.FINANCE)
    assert postings(store) == []


def cutover(code: str, day: str, target: tuple[str, str]) -> CutOverLegalEntity:
    return CutOverLegalEntity(
        request_id=f"cutover-{code}-{day}",
        legal_entity_code=code,
        effective_from=day,
        target=ErpTargetLine(*target),
        caller=ADMIN,
    )


def test_a_cutover_carries_open_balances_over_reconciles_them_then_switches(
    provisioning, ports, store, ledgers
):
    set_erp_route(route("US01", "2026-01-01", ("legacy", "US-OU-1")), ports)
    invoice = invoiced(provisioning, ports)  # 600.00
    record_payment(payment(invoice.id, "PAY-1", "100.00", "USD"), ports)

    done = cut_over(cutover("US01", "2027-01-01", ("netsuite", "1")), ports)
    again = cut_over(cutover("US01", "2027-01-01", ("netsuite", "1")), ports)

    assert (done.carried_over, done.reconciliation.balanced, again.carried_over) == (1, True, 1)
    [opening] = ledgers["netsuite"].documents.values()
    assert (opening.kind.value, opening.total) == ("opening_receivable", Money.of("500.00", "USD"))
    with FakeUnitOfWork(store) as uow:
        book = uow.erp_routes.get("US01")
    assert book.route_on(dt.date(2027, 1, 1)).primary.erp.value == "netsuite"
    assert book.route_on(dt.date(2026, 12, 31)).primary.erp.value == "legacy"


def test_a_cutover_the_new_erp_does_not_reconcile_leaves_the_route_as_it_was(
    provisioning, ports, store, ledgers
):
    set_erp_route(route("US01", "2026-01-01", ("legacy", "US-OU-1")), ports)
    invoiced(provisioning, ports)
    ledgers["netsuite"].losing = True

    with pytest.raises(CutoverNotReconciled):
        cut_over(cutover("US01", "2027-01-01", ("netsuite", "1")), ports)
    with FakeUnitOfWork(store) as uow:
        assert len(uow.erp_routes.get("US01").routes) == 1
    variances = [
        c for c in store.exceptions.values() if c.reason_code is ReasonCode.LEDGER_VARIANCE
    ]
    assert len(variances) == 1


def customer_accounts(store, engagement_id: str) -> set[tuple[str, str, str]]:
    engagement = store.engagements[engagement_id]
    return {
        (a.erp, a.erp_legal_entity, a.customer_number) for a in engagement.erp_customer_accounts
    }


def test_the_customer_upserted_in_each_erp_posted_to_becomes_the_engagements_account_there(
    provisioning, ports, store
):
    pilot = route("US01", "2026-01-01", ("netsuite", "US-SUB-1"), ("legacy", "US-OU-1"))
    set_erp_route(pilot, ports)
    invoice = invoiced(provisioning, ports)

    engagement = store.engagements[invoice.engagement_id]
    account, master_data = engagement.account_id, engagement.erp_legal_entity
    assert customer_accounts(store, engagement.id) == {
        ("sandbox", master_data, engagement.erp_customer_number),
        ("netsuite", "US-SUB-1", f"netsuite-C-{account}"),
        ("legacy", "US-OU-1", f"legacy-C-{account}"),
    }


def test_a_later_posting_to_an_erp_that_renumbered_the_customer_records_the_new_number(
    provisioning, ports, store, ledgers
):
    set_erp_route(route("US01", "2026-01-01", ("netsuite", "US-SUB-1")), ports)
    invoice = invoiced(provisioning, ports)
    ledgers["netsuite"].upsert_customer = lambda customer: "NS-RENUMBERED"

    issue_credit_note(credit(invoice.id, issued_on="2027-01-05"), ports)
    ports.sagas.resume_abandoned()

    netsuite = {a for a in customer_accounts(store, invoice.engagement_id) if a[0] == "netsuite"}
    assert netsuite == {("netsuite", "US-SUB-1", "NS-RENUMBERED")}


def test_recording_an_account_does_not_conflict_with_a_change_order_under_way(
    provisioning, ports, store
):
    set_erp_route(route("US01", "2026-01-01", ("netsuite", "US-SUB-1")), ports)
    invoice = invoiced(provisioning, ports)
    with FakeUnitOfWork(store) as amending:
        engagement = amending.engagements.get(invoice.engagement_id)
        engagement.add_work_package(WorkPackage("APAC", "Asia rollout", "APAC"))
        with FakeUnitOfWork(store) as posting:
            recording = posting.engagements.get(invoice.engagement_id)
            recording.record_erp_customer(ErpCustomerAccount("legacy", "US-OU-1", "L-1"))
            posting.commit()
        amending.commit()

    stored = store.engagements[invoice.engagement_id]
    assert [wp.code for wp in stored.work_packages] == ["NA", "APAC"]
    assert ("legacy", "US-OU-1", "L-1") in customer_accounts(store, stored.id)
