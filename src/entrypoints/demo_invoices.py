"""How the billing demo prints staged work and invoices: the amounts as the API gives them, in
the currency's own digits (5500 JPY, 88.580 KWD)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from google.type import date_pb2

from o2c.v1 import billing_pb2, common_pb2, invoicing_pb2

BILLED_AS_IS = {
    billing_pb2.CHARGE_KIND_TIME,
    billing_pb2.CHARGE_KIND_EXPENSE,
    billing_pb2.CHARGE_KIND_MILESTONE,
    billing_pb2.CHARGE_KIND_USAGE,
}


def show_staged(line: billing_pb2.StagedLine, verdict: str = "") -> None:
    kind = words(billing_pb2.BillableEventKind.Name(line.kind), "BILLABLE_EVENT_KIND_")
    status = words(billing_pb2.BillableEventStatus.Name(line.status), "BILLABLE_EVENT_STATUS_")
    print(
        f"  {line.source_id}: {kind}{quantity_of(line)} -> {amount(line.amount)} "
        f"{verdict or status}{charges_of(line)}"
    )


def quantity_of(line: billing_pb2.StagedLine) -> str:
    if line.hours:
        return f" {line.hours} h"
    quantities = [c.quantity for c in line.charges if c.kind == billing_pb2.CHARGE_KIND_USAGE]
    return f" {quantities[0]}" if quantities else ""


def charges_of(line: billing_pb2.StagedLine) -> str:
    """Every charge, when some tell more than the amount: held, drawn down, overage."""
    if all(charge.kind in BILLED_AS_IS for charge in line.charges):
        return ""
    parts = [f"{charge_kind(charge)} {amount(charge.amount)}" for charge in line.charges]
    return f" ({', '.join(parts)})"


def charge_kind(charge: billing_pb2.Charge) -> str:
    return words(billing_pb2.ChargeKind.Name(charge.kind), "CHARGE_KIND_")


def show_invoice(
    invoice: invoicing_pb2.Invoice, methods: Mapping[str, str], sources: Mapping[str, str]
) -> None:
    """`methods`: engagement id → how it is billed; `sources`: billable event id → source id."""
    print(
        f"\n  {invoice.number}  {methods.get(invoice.engagement_id, '')} "
        f"(engagement {invoice.engagement_id})\n"
        f"    issued {day(invoice.issued_on)}, due {day(invoice.due_on)} ({invoice.payment_terms})"
    )
    for line in invoice.lines:
        print(
            f"    {line.number}. {described(line, sources):<44} net {amount(line.net):>12}  "
            f"tax {line.tax.amount} ({line.tax_percent} %)"
        )
    for note in invoice.notes:
        print(f"    note: {note}")
    print(f"    total {amount(invoice.total)} (net {invoice.net.amount}, tax {invoice.tax.amount})")
    print(f"    {settled(invoice)}{status_of(invoice)}, balance {amount(invoice.balance)}")


def described(line: invoicing_pb2.InvoiceLine, sources: Mapping[str, str]) -> str:
    """The line's description naming the source ids the demo approved, not the event ids."""
    text = line.description.replace("_", " ")
    for event_id in line.billable_event_ids:
        text = text.replace(event_id, sources.get(event_id, f"{event_id[:8]}..."))
    return text


def settled(invoice: invoicing_pb2.Invoice) -> str:
    if is_zero(invoice.credited) and is_zero(invoice.paid):
        return ""
    return f"credited {amount(invoice.credited)}, paid {amount(invoice.paid)}: "


def status_of(invoice: invoicing_pb2.Invoice) -> str:
    return words(invoicing_pb2.InvoiceStatus.Name(invoice.status), "INVOICE_STATUS_")


def words(enum_name: str, prefix: str) -> str:
    """CHARGE_KIND_HELD_OVER_CAP → held over cap."""
    return enum_name.removeprefix(prefix).lower().replace("_", " ")


def is_zero(money: common_pb2.Money) -> bool:
    return Decimal(money.amount or "0") == 0


def amount(money: common_pb2.Money) -> str:
    return f"{money.amount} {money.currency_code}"


def day(date: date_pb2.Date) -> str:
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
