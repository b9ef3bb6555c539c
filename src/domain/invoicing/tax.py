"""Tax from a rule table: legal entity's country x customer's country x service type.

A missing rule is a refusal naming the three keys, never a silent zero.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal

from attrs import field, frozen

from domain.errors import InvalidField, TaxRuleMissing
from domain.money import Money, exact

HUNDRED = Decimal(100)
REVERSE_CHARGE_NOTE = (
    "Reverse charge: VAT to be accounted for by the recipient "
    "(Article 196, Council Directive 2006/112/EC)"
)


class TaxTreatment(enum.Enum):
    STANDARD = "standard"
    ZERO_RATED = "zero_rated"
    EXEMPT = "exempt"
    REVERSE_CHARGE = "reverse_charge"


@frozen
class LegalEntity:
    code: str
    country: str


@frozen
class Customer:
    """The ERP's customer as tax sees it: where it is, and whether it is a business with a VAT
    number (its tax registration)."""

    number: str
    country: str
    is_business: bool = True
    vat_number: str = ""

    def accounts_for_vat_itself(self) -> bool:
        return self.is_business and bool(self.vat_number)


@frozen
class TaxRate:
    """The treatment and rate of one line, with the note the invoice prints for it."""

    treatment: TaxTreatment
    percent: Decimal = field(converter=Decimal)
    note: str = ""

    def tax_on(self, net: Money) -> Money:
        """Rounded once, on the line, half up."""
        return Money.of(
            exact().divide(exact().multiply(net.amount, self.percent), HUNDRED), net.currency
        )


@frozen
class TaxRule:
    """One row of the table. `reverse_charge`: a cross-border business customer with a VAT
    number accounts for the tax itself; any other customer pays `percent`."""

    legal_entity_country: str
    customer_country: str
    service_type: str
    treatment: TaxTreatment
    percent: Decimal = field(converter=Decimal)
    reverse_charge: bool = False
    note: str = ""

    @property
    def keys(self) -> tuple[str, str, str]:
        return (self.legal_entity_country, self.customer_country, self.service_type)

    def rate_for(self, customer: Customer) -> TaxRate:
        if self.reverse_charge and customer.accounts_for_vat_itself():
            return TaxRate(TaxTreatment.REVERSE_CHARGE, Decimal(0), REVERSE_CHARGE_NOTE)
        return TaxRate(self.treatment, self.percent, self.note)


def check_rule(index: int, rule: TaxRule) -> None:
    where = f"tax_rules[{index}]"
    if not all(rule.keys):
        raise InvalidField("a tax rule names both countries and the service type", field=where)
    if not (rule.percent.is_finite() and 0 <= rule.percent < HUNDRED):
        raise InvalidField("a tax rate is from 0 to under 100 percent", field=f"{where}.percent")
    standard = rule.treatment is TaxTreatment.STANDARD
    if standard != (rule.percent > 0):
        raise InvalidField("only a standard rate is more than zero", field=f"{where}.percent")
    if rule.treatment is TaxTreatment.REVERSE_CHARGE:
        raise InvalidField(
            "reverse charge is decided per customer: set reverse_charge on the rule",
            field=f"{where}.treatment",
        )
    if rule.reverse_charge and rule.legal_entity_country == rule.customer_country:
        raise InvalidField(
            "reverse charge applies across borders only", field=f"{where}.reverse_charge"
        )


@frozen
class TaxTable:
    rules: Mapping[tuple[str, str, str], TaxRule]

    @classmethod
    def of(cls, rules: Iterable[TaxRule]) -> TaxTable:
        by_keys: dict[tuple[str, str, str], TaxRule] = {}
        for index, rule in enumerate(rules):
            check_rule(index, rule)
            if rule.keys in by_keys:
                raise InvalidField(
                    f"two tax rules for {'/'.join(rule.keys)}", field=f"tax_rules[{index}]"
                )
            by_keys[rule.keys] = rule
        return cls(by_keys)

    def rate(self, legal_entity_country: str, customer: Customer, service_type: str) -> TaxRate:
        keys = (legal_entity_country, customer.country, service_type)
        rule = self.rules.get(keys)
        if rule is None:
            raise TaxRuleMissing(
                f"no tax rule for a {legal_entity_country} legal entity billing "
                f"{service_type!r} to a customer in {customer.country}",
                field="tax_rules",
                keys={
                    "legal_entity_country": legal_entity_country,
                    "customer_country": customer.country,
                    "service_type": service_type,
                },
            )
        return rule.rate_for(customer)
