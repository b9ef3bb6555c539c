"""Intercompany in use: US01 contracts, GB01 delivers one work package. Finalising the invoice
makes GB01's charge to US01, posted by the saga worker as GB01's receivable and US01's payable,
each in its own entity's ERP; the two sides reconcile, and a variance is parked for finance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from attrs import evolve
from support.billing_api import ReferenceData, credit, cycle, opportunity, time
from support.builders import integration

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts
from application.commands import ErpTargetLine, SetErpRoute, WorkPackageLine
from application.create_engagement import create_service_engagement, saga_runner
from application.erp_ports import DocumentKind, OpenItem, Posted
from application.erp_routes import set_erp_route
from application.errors import VendorRejected
from application.intercompany import Intercompany
from application.intercompany_controls import (
    list_intercompany_charges,
    reconcile_intercompany,
)
from application.invoices import issue_credit_note
from application.ports import LegalEntity
from application.posting_saga import Postings
from domain.errors import LegalEntityNotAllowed
from domain.exception_case import OwnerRole, ReasonCode
from domain.money import Money
from domain.ownership import OwnershipMatrix
from domain.reconciliation import VarianceKind
from unit.conftest import US_ENTITY
from unit.fakes import FakeErp, FakeUnitOfWork, SequentialIds
from unit.test_billing_use_cases import ChangeOrders

ADMIN = integration("admin")
PAYABLE = DocumentKind.INTERCOMPANY_PAYABLE

GB_ENTITY = LegalEntity("GB01", "GBSI", "GB-VAT-123456789")


@pytest.fixture
def erp():
    """US01 contracts; GB01, which delivers, is known to the ERP too."""
    return FakeErp({"US01": US_ENTITY, "GB01": GB_ENTITY})


class Ledger:
    """An ERP's books in memory: customers, suppliers and documents, each posted once per key."""

    def __init__(self, erp: str) -> None:
        self.erp = erp
        self.documents: dict[str, object] = {}
        self.vendors: dict[str, str] = {}
        self.refusing = False

    def upsert_customer(self, customer) -> str:
        return f"{self.erp}-C-{customer.external_id}"

    def upsert_vendor(self, vendor) -> str:
        self.vendors[f"{vendor.erp_legal_entity}/{vendor.external_id}"] = vendor.name
        return f"{self.erp}-V-{vendor.external_id}"

    def post(self, document):
        if self.refusing:
            raise VendorRejected(self.erp, "period closed")
        self.documents.setdefault(document.posting_key, document)
        return Posted(document.posting_key, f"{self.erp}-{document.posting_key}")

    def find(self, posting_key):
        return None

    def open_items(self, erp_legal_entity):
        return self.items(erp_legal_entity, lambda kind: not kind.is_payable)

    def payables(self, erp_legal_entity):
        return self.items(erp_legal_entity, lambda kind: kind.is_payable)

    def items(self, erp_legal_entity, wanted):
        return sorted(
            (
                OpenItem(d.number, -d.total if d.kind.is_credit else d.total, d.kind)
                for d in self.documents.values()
                if d.erp_legal_entity == erp_legal_entity and wanted(d.kind)
            ),
            key=lambda item: item.number,
        )

    def payments(self, erp_legal_entity, since):
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
        intercompany=Intercompany(sagas),
    )


def route(code: str, primary: tuple[str, str], shadow=None) -> SetErpRoute:
    return SetErpRoute(
        request_id=f"route-{code}",
        legal_entity_code=code,
        effective_from="2026-01-01",
        primary=ErpTargetLine(*primary),
        shadow=ErpTargetLine(*shadow) if shadow else None,
        caller=ADMIN,
    )


PACKAGES = (
    WorkPackageLine("NA", "North America rollout", "NA"),
    WorkPackageLine("UK", "UK rollout", "EMEA", delivering_legal_entity_code="GB01"),
)


def invoiced(provisioning, ports):
    """8 h in NA by US01's own people, 4 h in the UK by GB01's, at the rate card."""
    engagement_id = create_service_engagement(opportunity(work_packages=PACKAGES), provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)
    approve_work(time(engagement_id, "TE-2", "2026-12-03", "4", work_package_code="UK"), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id), ports).invoices
    ports.sagas.resume_abandoned()
    return invoice


@pytest.fixture
def routed(ports):
    set_erp_route(route("US01", ("netsuite", "US-SUB-1")), ports)
    set_erp_route(route("GB01", ("legacy", "GB-OU-1")), ports)


def uk_work(invoice) -> Money:
    """The net billed for GB01's hours: the line that bills TE-2."""
    [line] = [ln for ln in invoice.lines if "TE-2" in ln.description]
    return line.net


def test_the_delivering_entity_charges_the_contracting_one_its_share_of_the_revenue(
    provisioning, ports, routed
):
    invoice = invoiced(provisioning, ports)

    [view] = list_intercompany_charges("", "", "", 10, ports, ADMIN)
    charge = view.charge
    assert charge.number == f"{invoice.number}/IC-GB01"
    assert (charge.delivering_legal_entity, charge.contracting_legal_entity) == ("GB01", "US01")
    assert charge.share == Decimal("0.80")  # the GB01 to US01 agreement
    assert charge.total == Money.of(uk_work(invoice).amount * Decimal("0.80"), "USD")


def test_each_side_posts_to_its_own_entitys_erp_under_the_one_number(
    provisioning, ports, routed, ledgers
):
    invoice = invoiced(provisioning, ports)
    number = f"{invoice.number}/IC-GB01"

    receivable = ledgers["legacy"].documents[number]
    payable = ledgers["netsuite"].documents[f"{number}/AP"]
    assert (receivable.kind, receivable.erp_legal_entity) == (
        DocumentKind.INTERCOMPANY_RECEIVABLE,
        "GB-OU-1",
    )
    assert (receivable.customer_external_id, payable.customer_external_id) == ("IC-US01", "IC-GB01")
    assert (payable.kind, payable.erp_legal_entity, payable.number) == (PAYABLE, "US-SUB-1", number)
    assert receivable.total == payable.total
    assert ledgers["netsuite"].vendors == {"US-SUB-1/IC-GB01": "GB01 (intercompany)"}
    [view] = list_intercompany_charges("GB01", "", "", 10, ports, ADMIN)
    assert sorted((p.document_number, p.erp, p.kind) for p in view.postings) == [
        (number, "legacy", "intercompany_receivable"),
        (f"{number}/AP", "netsuite", "intercompany_payable"),
    ]


def test_work_the_contracting_entity_delivers_makes_no_charge(provisioning, ports, routed):
    engagement_id = create_service_engagement(opportunity(work_packages=PACKAGES), provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)
    run_cycle(cycle("2026-12-31", engagement_id), ports)

    assert list_intercompany_charges("", "", "", 10, ports, ADMIN) == []


def test_a_draft_cycle_makes_no_charge(provisioning, ports, routed):
    engagement_id = create_service_engagement(opportunity(work_packages=PACKAGES), provisioning)
    approve_work(time(engagement_id, "TE-2", "2026-12-03", "4", work_package_code="UK"), ports)
    run_cycle(cycle("2026-12-31", engagement_id, finalise=False), ports)

    assert list_intercompany_charges("", "", "", 10, ports, ADMIN) == []


def test_the_two_sides_reconcile_by_number_and_amount(provisioning, ports, routed):
    invoiced(provisioning, ports)

    report = reconcile_intercompany("", ports, ADMIN)

    assert report.reconciliation.balanced and report.reconciliation.matched == 1
    assert report.charges == 1 and report.posting == ()


def test_a_payable_booked_for_another_amount_is_a_variance_parked_for_finance(
    provisioning, ports, routed, ledgers, store
):
    invoice = invoiced(provisioning, ports)
    number = f"{invoice.number}/IC-GB01"
    booked = ledgers["netsuite"].documents[f"{number}/AP"]
    ledgers["netsuite"].documents[f"{number}/AP"] = evolve(
        booked, total=booked.total + Money.of("1.00", "USD")
    )

    report = reconcile_intercompany("US01", ports, ADMIN)
    reconcile_intercompany("US01", ports, ADMIN)  # parked once

    [variance] = report.reconciliation.variances
    assert (variance.number, variance.kind) == (number, VarianceKind.AMOUNT_DIFFERS)
    [case] = [c for c in store.exceptions.values() if c.business_key == number]
    assert (case.reason_code, case.owner_role) == (ReasonCode.LEDGER_VARIANCE, OwnerRole.FINANCE)


def test_a_side_that_cannot_post_is_parked_for_finance_and_not_yet_compared(
    provisioning, ports, routed, ledgers, store
):
    ledgers["netsuite"].refusing = True
    invoice = invoiced(provisioning, ports)
    number = f"{invoice.number}/IC-GB01"

    report = reconcile_intercompany("", ports, ADMIN)

    assert report.posting == (number,) and report.reconciliation.matched == 0
    assert report.reconciliation.variances == ()
    parked = [c for c in store.exceptions.values() if c.business_key == number]
    assert [(c.reason_code, c.owner_role) for c in parked] == [
        (ReasonCode.ERP_POSTING_FAILED, OwnerRole.FINANCE)
    ]


def test_a_dual_write_route_mirrors_its_side_to_the_shadow(provisioning, ports, ledgers):
    set_erp_route(route("US01", ("dynamics365", "USMF"), ("legacy", "US-OU-1")), ports)
    invoice = invoiced(provisioning, ports)
    number = f"{invoice.number}/IC-GB01"

    assert f"{number}/AP" in ledgers["dynamics365"].documents
    assert f"{number}/AP" in ledgers["legacy"].documents
    assert number in ledgers["sandbox"].documents  # GB01 has no route: the default ERP


def test_an_entity_limited_caller_sees_only_charges_on_its_side(provisioning, ports, routed):
    invoiced(provisioning, ports)
    japan = integration("operations", legal_entities=("JP01",))

    assert list_intercompany_charges("", "", "", 10, ports, japan) == []
    with pytest.raises(LegalEntityNotAllowed):
        reconcile_intercompany("GB01", ports, japan)


def test_charges_page_by_number(provisioning, ports, routed):
    invoiced(provisioning, ports)
    [first] = list_intercompany_charges("", "", "", 1, ports, ADMIN)

    assert list_intercompany_charges("", "", first.charge.number, 1, ports, ADMIN) == []
    assert dt.date(2026, 12, 31) == first.charge.issued_on


def uk_line(invoice) -> int:
    return next(ln.number for ln in invoice.lines if "TE-2" in ln.description)


def test_crediting_the_customer_for_the_delivered_work_reverses_its_share_on_both_sides(
    provisioning, ports, routed, ledgers
):
    invoice = invoiced(provisioning, ports)
    half = (uk_work(invoice).amount / 2).quantize(Decimal("0.01"))
    _, note = issue_credit_note(
        credit(invoice.id, (uk_line(invoice), str(half)), issued_on="2027-01-05"), ports
    )
    ports.sagas.resume_abandoned()

    views = list_intercompany_charges("GB01", "", "", 10, ports, ADMIN)
    charge, reversal = (v.charge for v in views)
    assert reversal.number == f"{note.number}/IC-GB01" and reversal.reverses == charge.number
    assert reversal.total == Money.of(charge.total.amount / 2, "USD")
    receivable_credit = ledgers["legacy"].documents[reversal.number]
    payable_credit = ledgers["netsuite"].documents[f"{reversal.number}/AP"]
    assert receivable_credit.kind is DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT
    assert payable_credit.kind is DocumentKind.INTERCOMPANY_PAYABLE_CREDIT
    assert payable_credit.original_number == charge.number
    report = reconcile_intercompany("GB01", ports, ADMIN)
    assert report.reconciliation.balanced and report.reconciliation.matched == 2


def test_crediting_the_rest_reverses_exactly_the_rest_of_the_charge(provisioning, ports, routed):
    invoice = invoiced(provisioning, ports)
    third = (uk_work(invoice).amount / 3).quantize(Decimal("0.01"))
    issue_credit_note(
        credit(invoice.id, (uk_line(invoice), str(third)), request_id="c1", issued_on="2027-01-05"),
        ports,
    )
    issue_credit_note(
        credit(invoice.id, request_id="c2", issued_on="2027-01-06"), ports
    )  # all that is left

    charge, *reversals = (v.charge for v in list_intercompany_charges("", "", "", 10, ports, ADMIN))
    reversed_total = sum((r.total for r in reversals), Money.of(0, "USD"))
    assert len(reversals) == 2 and reversed_total == charge.total


def test_crediting_only_the_contracting_entitys_own_work_reverses_nothing(
    provisioning, ports, routed
):
    invoice = invoiced(provisioning, ports)
    na_line = next(ln.number for ln in invoice.lines if "TE-1" in ln.description)
    issue_credit_note(credit(invoice.id, (na_line, "10.00"), issued_on="2027-01-05"), ports)

    assert len(list_intercompany_charges("", "", "", 10, ports, ADMIN)) == 1
