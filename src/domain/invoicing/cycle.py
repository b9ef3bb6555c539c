"""The billing cycle without I/O: staged charges and fees due by `as_of` in, one draft invoice
per engagement, legal entity and currency out, with the records of the work it bills.

A charge is billed when its kind is billed and it was never invoiced, or was credited and
re-approved since. Everything is checked and every draft built before any record changes, so
a refusal changes nothing. Lines follow the work's dates, then source ids: the same input
always gives the same invoices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from attrs import frozen

from domain.errors import InvalidField, UnknownValue
from domain.invoicing.billed_work import BilledWork, BilledWorkStatus, record_invoiced
from domain.invoicing.invoice import Invoice
from domain.invoicing.lines import ChargeKey, key_of
from domain.invoicing.numbering import DocumentSequence, Series
from domain.invoicing.staging import BillingSetup, CycleScope, InvoiceKey, StagedCharge


@frozen
class CycleResult:
    invoices: tuple[Invoice, ...]
    billed: tuple[BilledWork, ...]


def run_billing_cycle(
    setup: BillingSetup,
    *,
    cycle_id: str,
    as_of: dt.date,
    scope: CycleScope,
    staged: Sequence[StagedCharge],
    billed: Mapping[ChargeKey, BilledWork],
    invoice_id: Callable[[InvoiceKey], str] | None = None,
) -> CycleResult:
    """`staged` holds rated charges and scheduled fees alike; `billed` the records so far. A
    re-approved record is billed again in place and returned with the new ones. `invoice_id`
    names each draft; by default "<cycle>/<engagement>/<legal entity>/<currency>"."""
    if not cycle_id:
        raise InvalidField("cycle_id is required", field="cycle_id")
    setup.check_scope(scope)
    setup.check_staged(staged)
    due = sorted(
        (s for s in staged if s.on <= as_of and scope.covers(s) and eligible(s, billed)),
        key=lambda s: s.order,
    )
    groups = sorted(grouped(due).items())
    name = invoice_id or (lambda key: "/".join((cycle_id, *key)))
    drafts = [(draft(setup, name(key), key, items), items) for key, items in groups]
    records = [
        record
        for invoice, items in drafts
        for record in record_invoiced([s.charge for s in items], invoice.id, billed)
    ]
    return CycleResult(tuple(invoice for invoice, _ in drafts), tuple(records))


def eligible(staged: StagedCharge, billed: Mapping[ChargeKey, BilledWork]) -> bool:
    earlier = billed.get(key_of(staged.charge))
    reapproved = earlier is None or earlier.status is BilledWorkStatus.REAPPROVED
    return staged.charge.is_billed and reapproved


def grouped(staged: Iterable[StagedCharge]) -> dict[InvoiceKey, list[StagedCharge]]:
    groups: dict[InvoiceKey, list[StagedCharge]] = {}
    for item in staged:
        groups.setdefault(item.invoice_key, []).append(item)
    return groups


def draft(
    setup: BillingSetup, invoice_id: str, key: InvoiceKey, items: Sequence[StagedCharge]
) -> Invoice:
    engagement_id, entity_code, currency = key
    account = setup.accounts[engagement_id]
    invoice = Invoice.draft(
        invoice_id=invoice_id,
        engagement_id=engagement_id,
        legal_entity=setup.legal_entities[entity_code],
        customer=account.customer,
        currency=currency,
        payment_terms=account.payment_terms,
    )
    for item in items:
        invoice.bill(
            [item.charge],
            description=item.line_text(),
            service_type=item.service_type,
            taxes=setup.taxes,
        )
    return invoice


def finalise_all(
    invoices: Sequence[Invoice],
    sequences: Mapping[str, DocumentSequence],
    issued_on: dt.date,
    now: dt.datetime,
) -> None:
    """Numbers the drafts gaplessly per legal entity, in the cycle's order. Every draft is
    checked first, so a refusal numbers none of them."""
    for index, invoice in enumerate(invoices):
        check_finalisable(invoice, index, sequences, issued_on)
    for invoice in invoices:
        invoice.finalise(sequences[invoice.legal_entity.code], issued_on, now)


def check_finalisable(
    invoice: Invoice, index: int, sequences: Mapping[str, DocumentSequence], issued_on: dt.date
) -> None:
    code = invoice.legal_entity.code
    sequence = sequences.get(code)
    if sequence is None:
        raise UnknownValue(
            f"no invoice sequence for legal entity {code}",
            field=f"sequences[{code}]",
            keys={"legal_entity_code": code, "invoice_id": invoice.id},
        )
    invoice.check_draft("status")
    invoice.check_series(sequence, Series.INVOICE)
    sequence.check_takes(code, issued_on)
    if not invoice.lines:
        raise InvalidField("an invoice bills at least one line", field=f"invoices[{index}].lines")
