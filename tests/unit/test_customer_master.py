"""Where the CRM's account and an ERP's customer disagree, field by field."""

from __future__ import annotations

from domain.customer_master import CustomerView, Disagreement, disagreements


def view(name: str = "Acme Corp", tax: str = "GB123456789", *codes: str) -> CustomerView:
    return CustomerView(name, tax, frozenset(codes or {"GB01"}))


def test_the_same_customer_spelt_alike_has_no_disagreement():
    assert disagreements(view(), view()) == ()


def test_case_spaces_dots_and_dashes_are_not_disagreements():
    assert disagreements(view("Acme  Corp"), view("ACME corp ", "gb 123.456-789")) == ()


def test_each_field_that_differs_is_named_with_both_values():
    found = disagreements(view("Acme Corp", "GB123456789"), view("Acme Ltd", "GB999", "US01"))

    assert found == (
        Disagreement("name", "Acme Corp", "Acme Ltd"),
        Disagreement("tax_registration", "GB123456789", "GB999"),
        Disagreement("legal_entity", "GB01", "US01"),
    )


def test_a_tax_number_only_one_side_holds_is_a_disagreement():
    assert [d.field for d in disagreements(view(tax=""), view())] == ["tax_registration"]


def test_the_erp_serving_any_of_the_crms_legal_entities_agrees():
    crm = CustomerView("Acme Corp", "", frozenset({"GB01", "US01"}))

    assert disagreements(crm, CustomerView("Acme Corp", "", frozenset({"US01"}))) == ()


def test_a_crm_naming_no_legal_entity_cannot_disagree_on_one():
    crm = CustomerView("Acme Corp", "", frozenset())

    assert disagreements(crm, CustomerView("Acme Corp", "", frozenset())) == ()
