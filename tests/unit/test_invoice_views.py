"""An invoice read with where it is posted: the ERP that holds it and that ERP's document id,
and whether its posting is on its way, done or parked; the same whichever ERP it is."""

from __future__ import annotations

from support.billing_api import credit, cycle, opportunity, time
from support.builders import integration

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.create_engagement import create_service_engagement
from application.erp_routes import set_erp_route
from application.invoice_views import view_invoice
from application.invoices import issue_credit_note
from domain.erp_posting import PostingRole, PostingStatus
from unit.test_invoice_posting import invoiced, ledgers, ports, route  # noqa: F401

FINANCE = integration("billing")


def built(provisioning, ports, finalise: bool):  # noqa: F811
    engagement_id = create_service_engagement(opportunity(), provisioning)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)
    [invoice] = run_cycle(cycle("2026-12-31", engagement_id, finalise=finalise), ports).invoices
    return invoice


def test_a_draft_has_no_postings_and_no_posting_status(provisioning, ports):  # noqa: F811
    draft = built(provisioning, ports, finalise=False)

    view = view_invoice(draft.id, "", ports, FINANCE)
    assert (view.postings, view.posting_status, view.holding) == ((), None, None)


def test_an_invoice_the_saga_worker_has_not_posted_yet_is_posting(provisioning, ports):  # noqa: F811
    invoice = built(provisioning, ports, finalise=True)

    view = view_invoice(invoice.id, "", ports, FINANCE)
    assert (view.postings, view.posting_status, view.holding) == ((), PostingStatus.POSTING, None)


def test_a_posted_invoice_names_the_erp_that_holds_it_and_its_document_id(
    provisioning,
    ports,  # noqa: F811
):
    set_erp_route(route("US01", "2026-01-01", ("netsuite", "1")), ports)
    invoice = invoiced(provisioning, ports)

    view = view_invoice("", str(invoice.number), ports, FINANCE)
    assert view.posting_status is PostingStatus.POSTED
    assert view.holding is not None
    assert (view.holding.erp, view.holding.erp_legal_entity) == ("netsuite", "1")
    assert view.holding.erp_document_id == f"netsuite-{invoice.number}"


def test_every_erp_holding_an_invoice_answers_posted_the_same_way(provisioning, ports):  # noqa: F811
    set_erp_route(route("US01", "2026-01-01", ("legacy", "US-OU-1")), ports)
    invoice = invoiced(provisioning, ports)

    view = view_invoice(invoice.id, "", ports, FINANCE)
    assert view.posting_status is PostingStatus.POSTED
    assert view.holding is not None and view.holding.erp == "legacy"


def test_a_dual_write_is_held_by_its_primary_and_lists_its_shadow(provisioning, ports):  # noqa: F811
    pilot = route("US01", "2026-01-01", ("dynamics365", "USMF"), ("legacy", "US-OU-1"))
    set_erp_route(pilot, ports)
    invoice = invoiced(provisioning, ports)

    view = view_invoice(invoice.id, "", ports, FINANCE)
    assert sorted((p.erp, p.role) for p in view.postings) == [
        ("dynamics365", PostingRole.PRIMARY),
        ("legacy", PostingRole.SHADOW),
    ]
    assert view.holding is not None and view.holding.erp == "dynamics365"
    assert view.posting_status is PostingStatus.POSTED


def test_a_posting_the_erp_refuses_shows_as_failed(
    provisioning,
    ports,  # noqa: F811
    ledgers,  # noqa: F811
):
    ledgers["sandbox"].refusing = True
    invoice = invoiced(provisioning, ports)

    view = view_invoice(invoice.id, "", ports, FINANCE)
    assert (view.postings, view.posting_status) == ((), PostingStatus.POSTING_FAILED)


def test_a_credit_note_is_listed_beside_its_invoice_in_the_erp_that_holds_it(
    provisioning,
    ports,  # noqa: F811
):
    set_erp_route(route("US01", "2026-01-01", ("netsuite", "1")), ports)
    invoice = invoiced(provisioning, ports)
    _, note = issue_credit_note(credit(invoice.id, issued_on="2027-01-05"), ports)
    ports.sagas.resume_abandoned()

    view = view_invoice(invoice.id, "", ports, FINANCE)
    assert sorted((p.document_number, p.kind, p.erp) for p in view.postings) == sorted(
        [
            (str(invoice.number), "invoice", "netsuite"),
            (str(note.number), "credit_note", "netsuite"),
        ]
    )
    assert view.holding is not None and view.holding.document_number == str(invoice.number)
