"""What a billing cycle is given: rated charges staged for invoicing, the engagements' billing
accounts and the legal entities, and the scope it runs over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from attrs import frozen

from domain.billing.charges import Charge
from domain.errors import CurrencyMismatch, InvalidField, UnknownValue
from domain.invoicing.lines import ChargeKey, key_of
from domain.invoicing.payment_terms import PaymentTerms
from domain.invoicing.tax import Customer, LegalEntity, TaxTable

InvoiceKey = tuple[str, str, str]


@frozen
class StagedCharge:
    """A rated charge waiting for an invoice: work by its date, a scheduled fee by its due day.
    `reference` is what the customer knows the work by (the source system's id), so that lines
    follow it and not o2c's own ids; `description` is the line's text."""

    charge: Charge
    engagement_id: str
    legal_entity_code: str
    service_type: str
    on: dt.date
    reference: str = ""
    description: str = ""

    @property
    def currency(self) -> str:
        return self.charge.amount.currency

    @property
    def invoice_key(self) -> InvoiceKey:
        return (self.engagement_id, self.legal_entity_code, self.currency)

    @property
    def order(self) -> tuple[dt.date, str, str, str]:
        return (self.on, self.reference, self.charge.source_id, self.charge.kind.value)

    def line_text(self) -> str:
        return self.description or f"{self.charge.kind.value} {self.charge.source_id} on {self.on}"


@frozen
class BillingAccount:
    """Whom an engagement bills, in which currencies, and how long they have to pay."""

    engagement_id: str
    customer: Customer
    currencies: frozenset[str]
    payment_terms: PaymentTerms

    def check_bills_in(self, currency: str, field_name: str) -> None:
        if currency not in self.currencies:
            raise CurrencyMismatch(
                f"engagement {self.engagement_id} bills in {', '.join(sorted(self.currencies))}, "
                f"not {currency}",
                field=field_name,
                keys={"engagement_id": self.engagement_id, "currency": currency},
            )


@frozen
class BillingSetup:
    legal_entities: Mapping[str, LegalEntity]
    accounts: Mapping[str, BillingAccount]
    taxes: TaxTable

    def check_scope(self, scope: CycleScope) -> None:
        for name, asked, known in (
            ("legal_entity_codes", scope.legal_entity_codes, self.legal_entities),
            ("engagement_ids", scope.engagement_ids, self.accounts),
        ):
            for value in sorted(asked - set(known)):
                raise UnknownValue(
                    f"the scope names {value!r}, which o2c does not know",
                    field=f"scope.{name}",
                    keys={name: value},
                )

    def check_staged(self, staged: Sequence[StagedCharge]) -> None:
        seen: set[ChargeKey] = set()
        for index, item in enumerate(staged):
            where = f"charges[{index}]"
            self.check_parties(item, where)
            if key_of(item.charge) in seen:
                raise InvalidField(
                    f"{item.charge.source_id} ({item.charge.kind.value}) is staged twice",
                    field=f"{where}.source_id",
                    keys={"source_id": item.charge.source_id},
                )
            seen.add(key_of(item.charge))

    def check_parties(self, item: StagedCharge, where: str) -> None:
        if item.legal_entity_code not in self.legal_entities:
            raise UnknownValue(
                f"no legal entity {item.legal_entity_code!r}",
                field=f"{where}.legal_entity_code",
                keys={"legal_entity_code": item.legal_entity_code},
            )
        account = self.accounts.get(item.engagement_id)
        if account is None:
            raise UnknownValue(
                f"no billing account for engagement {item.engagement_id!r}",
                field=f"{where}.engagement_id",
                keys={"engagement_id": item.engagement_id},
            )
        account.check_bills_in(item.currency, f"{where}.amount.currency_code")


@frozen
class CycleScope:
    """The legal entities and engagements a cycle bills; empty means all of them."""

    legal_entity_codes: frozenset[str] = frozenset()
    engagement_ids: frozenset[str] = frozenset()

    def covers(self, staged: StagedCharge) -> bool:
        entities, engagements = self.legal_entity_codes, self.engagement_ids
        return (not entities or staged.legal_entity_code in entities) and (
            not engagements or staged.engagement_id in engagements
        )
