"""Two engagements billed by a US and a Japanese legal entity, in the business's words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.billing.charges import Charge, ChargeKind
from domain.invoicing.numbering import DocumentSequence, Series
from domain.invoicing.payment_terms import NET_30, PaymentTerms
from domain.invoicing.staging import BillingAccount, BillingSetup, StagedCharge
from domain.invoicing.tax import Customer, LegalEntity, TaxRule, TaxTable, TaxTreatment
from domain.money import Money

NEW_YORK_INC = LegalEntity("US01", "US")
TOKYO_KK = LegalEntity("JP01", "JP")
ACME_CORP = Customer("C-500", "US")
OSAKA_CO = Customer("C-200", "JP")
NET_15 = PaymentTerms(15)
DECEMBER = dt.date(2026, 12, 1)
END_OF_DECEMBER = dt.date(2026, 12, 31)
NOW = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)


def december(day: int) -> dt.date:
    return DECEMBER.replace(day=day)


def the_tax_table() -> TaxTable:
    return TaxTable.of(
        [
            TaxRule("US", "US", "consulting", TaxTreatment.STANDARD, Decimal(5)),
            TaxRule("JP", "JP", "consulting", TaxTreatment.STANDARD, Decimal(10)),
            TaxRule("JP", "JP", "expenses", TaxTreatment.STANDARD, Decimal(10)),
        ]
    )


def the_setup() -> BillingSetup:
    """ENG-A bills Acme in dollars from New York; ENG-B bills Osaka in yen from Tokyo, and in
    dollars too if it ever has to."""
    return BillingSetup(
        legal_entities={e.code: e for e in (NEW_YORK_INC, TOKYO_KK)},
        accounts={
            "ENG-A": BillingAccount("ENG-A", ACME_CORP, frozenset({"USD"}), NET_30),
            "ENG-B": BillingAccount("ENG-B", OSAKA_CO, frozenset({"JPY", "USD"}), NET_15),
        },
        taxes=the_tax_table(),
    )


def staged(
    amount: str,
    currency: str,
    source_id: str,
    *,
    on: dt.date,
    engagement: str = "ENG-A",
    entity: LegalEntity = NEW_YORK_INC,
    kind: ChargeKind = ChargeKind.TIME,
    service_type: str = "consulting",
) -> StagedCharge:
    charge = Charge(kind, source_id, Money(currency, Decimal(amount)))
    return StagedCharge(charge, engagement, entity.code, service_type, on)


def sequences(**next_numbers: int) -> dict[str, DocumentSequence]:
    started = {e.code: DocumentSequence.start(e.code) for e in (NEW_YORK_INC, TOKYO_KK)}
    for code, number in next_numbers.items():
        started[code].next_sequence = number
    return started


def credit_notes_of(entity: LegalEntity) -> DocumentSequence:
    return DocumentSequence.start(entity.code, Series.CREDIT_NOTE)
