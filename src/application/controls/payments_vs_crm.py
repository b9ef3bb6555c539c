"""Each paid invoice's standing in o2c (the payments the ERPs applied) against the payment
status the CRM shows on the account, by invoice number: paid amount and status. Finance owns a
variance: the money is the ERP's and o2c only shows it in the CRM, so finance settles whether
o2c missed a payment or the CRM shows a stale one; sales operations only reads the CRM's copy.
Invoices without payments are not compared: nothing is written to the CRM before the first."""

from __future__ import annotations

from collections.abc import Iterator

from application.controls.billing_vs_erp import issued
from application.controls.parking import Owner, parked
from application.controls.ports import ControlPorts
from application.controls.report import Control, ControlReport, Measure, compare
from application.crm_ports import CrmPaymentStatus
from application.errors import VendorError
from application.ports import UnitOfWork
from domain.exception_case import OwnerRole, Workflow
from domain.invoicing.invoice import Invoice

OWNER = Owner(Workflow.INVOICE_TO_ERP, OwnerRole.FINANCE)
NAMES = ("o2c payments applied", "CRM payment status")


def payments_vs_crm(legal_entity_code: str, ports: ControlPorts) -> ControlReport:
    billing = ports.billing
    with billing.uow_factory() as uow:
        paid = list(paid_invoices(uow, legal_entity_code))
    ours = {number: Measure.of(invoice.paid, invoice.status.value) for number, _, invoice in paid}
    theirs: dict[str, Measure] = {}
    note = ""
    try:
        theirs = shown(ports.crm_status, paid)
    except VendorError as error:
        ours, note = {}, f"the CRM could not be read: {error}"
    matched, variances = compare(ours, theirs)
    found = ControlReport(
        Control.PAYMENTS_VS_CRM,
        legal_entity_code,
        *NAMES,
        matched,
        tuple(variances),
        billing.clock.now(),
        note=note,
    )
    return parked(found, OWNER, billing)


def paid_invoices(uow: UnitOfWork, legal_entity_code: str) -> Iterator[tuple[str, str, Invoice]]:
    """(invoice number, CRM account, invoice) of each invoice with a payment applied."""
    accounts: dict[str, str] = {}
    for invoice in issued(uow, legal_entity_code):
        if not invoice.payments:
            continue
        if invoice.engagement_id not in accounts:
            engagement = uow.engagements.get(invoice.engagement_id)
            accounts[invoice.engagement_id] = engagement.account_id if engagement else ""
        yield str(invoice.number), accounts[invoice.engagement_id], invoice


def shown(crm: CrmPaymentStatus | None, paid: list[tuple[str, str, Invoice]]) -> dict[str, Measure]:
    if crm is None:
        raise VendorError("crm", "no CRM that shows payment status is configured")
    found: dict[str, Measure] = {}
    for number, account_id, _ in paid:
        status = crm.payment_status(account_id, number)
        if status is not None:
            found[number] = Measure.of(status.paid, status.status)
    return found
