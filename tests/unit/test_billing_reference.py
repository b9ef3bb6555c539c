"""The firm's billing reference file: legal entities' countries and the tax table, read exactly,
with any row o2c cannot use refused by its place in the file and the field at fault."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.reference.billing_reference import (
    BillingReferenceError,
    load_billing_reference,
    parse_billing_reference,
)
from adapters.vendors.sandbox.erp import parse_legal_entities
from domain.invoicing.tax import Customer, LegalEntity, TaxTreatment
from entrypoints import settings

SERVICE_TYPES = ("professional_services", "expenses", "usage")
LONDON = """
[legal_entities.GB01]
country = "GB"
"""


def a_rule(**changes: str) -> str:
    fields = {
        "legal_entity_country": '"GB"',
        "customer_country": '"GB"',
        "service_type": '"professional_services"',
        "treatment": '"standard"',
        "percent": '"20"',
        **changes,
    }
    return "[[tax_rules]]\n" + "\n".join(f"{name} = {value}" for name, value in fields.items())


def a_file(*rules: str) -> str:
    return "\n\n".join([LONDON, *rules])


def test_a_legal_entity_is_found_by_its_code_with_its_country():
    reference = parse_billing_reference(a_file(a_rule()))

    assert reference.legal_entity("GB01") == LegalEntity("GB01", "GB")
    assert reference.legal_entity("XX99") is None


def test_a_tax_rule_reads_its_percent_exactly_as_written():
    reference = parse_billing_reference(a_file(a_rule(percent='"17.5"')))

    rate = reference.tax_table().rate("GB", Customer("C-1", "GB"), "professional_services")

    assert (rate.treatment, rate.percent) == (TaxTreatment.STANDARD, Decimal("17.5"))


def test_a_reverse_charge_rule_lets_a_business_abroad_account_for_the_tax_itself():
    rule = a_rule(customer_country='"DE"', reverse_charge="true")

    table = parse_billing_reference(a_file(rule)).tax_table()

    with_vat_number = Customer("C-1", "DE", vat_number="DE123456789")
    assert table.rate("GB", with_vat_number, "professional_services").treatment is (
        TaxTreatment.REVERSE_CHARGE
    )
    consumer = table.rate("GB", Customer("C-2", "DE", is_business=False), "professional_services")
    assert (consumer.treatment, consumer.percent) == (TaxTreatment.STANDARD, Decimal(20))


@pytest.mark.parametrize("percent", ["20.0", "20", "2e1"])
def test_a_percent_written_as_a_number_is_refused_naming_the_row(percent: str):
    second_row = a_rule(service_type='"usage"', percent=percent)

    with pytest.raises(BillingReferenceError, match=r"tax_rules\[1\]\.percent.*string"):
        parse_billing_reference(a_file(a_rule(), second_row))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percent": '"twenty"'}, "percent"),
        ({"percent": '"1_000"'}, "percent"),
        ({"treatment": '"vat"'}, "treatment"),
        ({"customer_country": '"gb"'}, "customer_country"),
        ({"legal_entity_country": '"GBR"'}, "legal_entity_country"),
        ({"service_type": '""'}, "service_type"),
        ({"reverse_charge": '"yes"'}, "reverse_charge"),
        ({"note": "1"}, "note"),
        ({"rate": '"20"'}, "rate"),
    ],
)
def test_a_bad_field_in_a_tax_rule_is_refused_by_its_row_and_name(change: dict[str, str], field):
    with pytest.raises(BillingReferenceError, match=rf"tax_rules\[0\].*{field}"):
        parse_billing_reference(a_file(a_rule(**change)))


def test_a_missing_field_in_a_tax_rule_is_refused_by_its_row_and_name():
    rule = a_rule().replace('treatment = "standard"\n', "")

    with pytest.raises(BillingReferenceError, match=r"tax_rules\[0\]\.treatment"):
        parse_billing_reference(a_file(rule))


def test_a_rule_the_tax_table_cannot_hold_is_refused_by_its_row():
    zero_standard = a_rule(service_type='"usage"', percent='"0"')

    with pytest.raises(BillingReferenceError, match=r"tax_rules\[1\]\.percent"):
        parse_billing_reference(a_file(a_rule(), zero_standard))


def test_two_rules_for_the_same_countries_and_service_are_refused_by_the_second():
    with pytest.raises(BillingReferenceError, match=r"tax_rules\[1\].*GB/GB/professional"):
        parse_billing_reference(a_file(a_rule(), a_rule(percent='"5"')))


def test_a_legal_entity_without_a_country_code_is_refused_by_its_code():
    with pytest.raises(BillingReferenceError, match=r"legal_entities\.US01\.country"):
        parse_billing_reference('[legal_entities.US01]\ncountry = "USA"')


def test_a_misspelt_section_is_refused_rather_than_read_as_no_rules():
    with pytest.raises(BillingReferenceError, match="tax_rule"):
        parse_billing_reference(LONDON + '\n[[tax_rule]]\nnote = ""')


def test_a_file_that_is_not_toml_is_refused_naming_the_file(tmp_path: Path):
    broken = tmp_path / "reference.toml"
    broken.write_text("[legal_entities.US01\n", encoding="utf-8")

    with pytest.raises(BillingReferenceError, match=r"reference\.toml"):
        load_billing_reference(str(broken))


def test_a_missing_file_is_refused_naming_it(tmp_path: Path):
    with pytest.raises(BillingReferenceError, match=r"absent\.toml"):
        load_billing_reference(str(tmp_path / "absent.toml"))


def test_a_configured_file_replaces_the_packaged_one(tmp_path: Path):
    configured = tmp_path / "reference.toml"
    configured.write_text(a_file(a_rule()), encoding="utf-8")

    reference = load_billing_reference(str(configured))

    assert reference.legal_entity("US01") is None
    assert reference.legal_entity("GB01") == LegalEntity("GB01", "GB")


def sandbox_legal_entities() -> list[str]:
    return sorted(parse_legal_entities(settings.DEFAULTS["O2C_SANDBOX_LEGAL_ENTITIES"]))


@pytest.mark.parametrize("code", sandbox_legal_entities())
def test_the_packaged_file_taxes_each_sandbox_legal_entitys_home_customers_for_each_service(code):
    entity = load_billing_reference().legal_entity(code)
    assert entity is not None

    table = load_billing_reference().tax_table()

    home = Customer("C-1", entity.country)
    assert all(table.rate(entity.country, home, service) for service in SERVICE_TYPES)


def test_the_sandbox_has_legal_entities_in_japan_and_kuwait_to_invoice_in_yen_and_dinars():
    countries = {load_billing_reference().legal_entity(code).country for code in ["JP01", "KW01"]}

    assert countries == {"JP", "KW"}


@pytest.mark.parametrize(
    ("country", "customer", "percent"),
    [("GB", "GB", "20"), ("DE", "DE", "19"), ("JP", "JP", "10"), ("KW", "KW", "0")],
)
def test_the_packaged_file_charges_each_countrys_home_rate(country, customer, percent):
    rate = load_billing_reference().tax_table().rate(country, Customer("C-1", customer), "usage")

    assert rate.percent == Decimal(percent)


def test_the_packaged_file_reverse_charges_a_uk_firms_eu_business_customer():
    customer = Customer("C-1", "DE", vat_number="DE123456789")

    rate = load_billing_reference().tax_table().rate("GB", customer, "professional_services")

    assert rate.treatment is TaxTreatment.REVERSE_CHARGE


TWO_ENTITIES = LONDON + '\n[legal_entities.US01]\ncountry = "US"\n'


def test_the_intercompany_share_is_read_exactly_with_an_agreement_per_pair():
    reference = parse_billing_reference(
        TWO_ENTITIES
        + '\n[intercompany]\nrevenue_share_percent = "85.5"\n'
        + '\n[[intercompany.agreements]]\ndelivering = "GB01"\ncontracting = "US01"\n'
        + 'revenue_share_percent = "80"\n'
    )

    pricing = reference.transfer_pricing()
    assert pricing.share("GB01", "US01") == Decimal("0.80")
    assert pricing.share("US01", "GB01") == Decimal("0.855")


def test_without_an_intercompany_table_the_delivering_entity_charges_all_of_it():
    assert parse_billing_reference(LONDON).transfer_pricing().share("GB01", "US01") == 1


def test_the_packaged_file_agrees_a_share_between_the_firms_entities():
    pricing = load_billing_reference().transfer_pricing()
    assert pricing.share("DE01", "US01") == Decimal("0.85")
    assert pricing.share("GB01", "US01") == Decimal("0.80")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('revenue_share_percent = "0"', "intercompany.revenue_share_percent: is above 0"),
        ('revenue_share_percent = "101"', "intercompany.revenue_share_percent: is above 0"),
        ("revenue_share_percent = 85", "write the rate as a string"),
        ('share = "85"', "intercompany: unknown field 'share'"),
        (
            '[[intercompany.agreements]]\ndelivering = "FR01"\ncontracting = "US01"\n'
            'revenue_share_percent = "80"',
            "intercompany.agreements[0].delivering: 'FR01' is not in legal_entities",
        ),
        (
            '[[intercompany.agreements]]\ndelivering = "US01"\ncontracting = "US01"\n'
            'revenue_share_percent = "80"',
            "intercompany.agreements[0]: US01 to US01",
        ),
    ],
)
def test_an_intercompany_setting_o2c_cannot_use_is_refused_by_its_place(table, message):
    with pytest.raises(BillingReferenceError, match=re.escape(message)):
        parse_billing_reference(TWO_ENTITIES + "\n[intercompany]\n" + table + "\n")
