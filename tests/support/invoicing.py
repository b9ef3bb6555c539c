"""Invoices, tax tables, sequences and payments in the business's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from domain.billing.charges import Charge, ChargeKind
from domain.invoicing.invoice import Invoice
from domain.invoicing.numbering import DocumentSequence, Series
from domain.invoicing.payment_terms import NET_30, PaymentTerms
from domain.invoicing.payments import Payment
from domain.invoicing.tax import Customer, LegalEntity, TaxRule, TaxTable, TaxTreatment
from domain.money import Money

NOW = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)
NEW_YEARS_EVE = dt.date(2026, 12, 31)
UK_LTD = LegalEntity("GB01", "GB")
TOKYO_KK = LegalEntity("JP01", "JP")
MANAMA_WLL = LegalEntity("BH01", "BH")
BERLIN_GMBH = LegalEntity("DE01", "DE")
LONDON_BANK = Customer("C-100", "GB", vat_number="GB123456789")
OSAKA_CO = Customer("C-200", "JP")
BAHRAIN_CO = Customer("C-300", "BH", vat_number="200000000000003")
PARIS_SA = Customer("C-400", "FR", vat_number="FR12345678901")
PARIS_RESIDENT = Customer("C-401", "FR", is_business=False)


def a_rule(
    entity: str,
    customer: str,
    percent: str,
    *,
    service: str = "consulting",
    treatment: TaxTreatment = TaxTreatment.STANDARD,
    reverse_charge: bool = False,
) -> TaxRule:
    return TaxRule(entity, customer, service, treatment, Decimal(percent), reverse_charge)


def the_tax_table() -> TaxTable:
    return TaxTable.of(
        [
            a_rule("GB", "GB", "20"),
            a_rule("GB", "GB", "20", service="expenses"),
            a_rule("JP", "JP", "10"),
            a_rule("JP", "JP", "10", service="expenses"),
            a_rule("BH", "BH", "10"),
            a_rule("BH", "BH", "10", service="usage"),
            a_rule("DE", "FR", "19", reverse_charge=True),
            a_rule("GB", "GB", "0", service="training", treatment=TaxTreatment.EXEMPT),
        ]
    )


def charge(
    amount: str | Money, source_id: str, kind: ChargeKind = ChargeKind.TIME, currency: str = "GBP"
) -> Charge:
    money = amount if isinstance(amount, Money) else Money(currency, Decimal(amount))
    return Charge(kind, source_id, money)


def a_draft(
    entity: LegalEntity = UK_LTD,
    customer: Customer = LONDON_BANK,
    currency: str = "GBP",
    *,
    invoice_id: str = "INV-ID-1",
    terms: PaymentTerms = NET_30,
) -> Invoice:
    return Invoice.draft(
        invoice_id=invoice_id,
        engagement_id="ENG-1",
        legal_entity=entity,
        customer=customer,
        currency=currency,
        payment_terms=terms,
    )


def bill_each(
    invoice: Invoice, charges: Sequence[Charge], service_type: str = "consulting"
) -> Invoice:
    for item in charges:
        invoice.bill(
            [item],
            description=f"{item.kind.value} {item.source_id}",
            service_type=service_type,
            taxes=the_tax_table(),
        )
    return invoice


def invoices_of(entity: LegalEntity) -> DocumentSequence:
    return DocumentSequence.start(entity.code)


def credit_notes_of(entity: LegalEntity) -> DocumentSequence:
    return DocumentSequence.start(entity.code, Series.CREDIT_NOTE)


def finalised(invoice: Invoice, on: dt.date = NEW_YEARS_EVE) -> Invoice:
    invoice.finalise(invoices_of(invoice.legal_entity), on, NOW)
    return invoice


def payment(amount: str, currency: str = "GBP", payment_id: str = "PAY-1") -> Payment:
    return Payment(payment_id, Money(currency, Decimal(amount)), NEW_YEARS_EVE)


def money(amount: str | int, currency: str = "GBP") -> Money:
    return Money(currency, Decimal(amount))
