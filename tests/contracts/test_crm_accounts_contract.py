"""What every CRM promises the reference-data sync: its accounts as it holds them now, read by
id however many are asked, an id it does not know left out."""

from __future__ import annotations

from application.reference_ports import CrmAccount
from contracts.vendor_worlds import a_deal


def an_account(account_id: str = "001-INITECH", **changes: str) -> CrmAccount:
    fields = {
        "account_id": account_id,
        "name": "Initech GmbH",
        "tax_registration": "DE811907980",
        "country": "DE",
        "legal_entity_code": "DE01",
        **changes,
    }
    return CrmAccount(**fields)


def test_an_account_reads_back_as_the_crm_holds_it(crm_world):
    crm_world.keep_account(an_account())

    assert crm_world.crm.accounts(["001-INITECH"]) == {"001-INITECH": an_account()}


def test_ids_the_crm_does_not_know_are_left_out(crm_world):
    crm_world.keep_account(an_account())

    found = crm_world.crm.accounts(["001-NEVER", "001-INITECH", "001-NEVER-2"])

    assert list(found) == ["001-INITECH"]
    assert crm_world.crm.accounts([]) == {}


def test_an_account_without_tax_registration_or_legal_entity_reads_them_empty(crm_world):
    bare = an_account(tax_registration="", legal_entity_code="", country="")
    crm_world.keep_account(bare)

    assert crm_world.crm.accounts(["001-INITECH"])["001-INITECH"] == bare


def test_the_account_of_a_closed_deal_is_read_with_its_deals_details(crm_world):
    crm_world.close_deal(a_deal(customer_vat_number="US-12-3456789"))

    assert crm_world.crm.accounts(["001-ACME"]) == {
        "001-ACME": CrmAccount("001-ACME", "Acme Corp", "US-12-3456789", "US", "US01")
    }


def test_an_account_renamed_in_the_crm_reads_renamed(crm_world):
    crm_world.keep_account(an_account())
    crm_world.keep_account(an_account(name="Initech AG", tax_registration="DE999999999"))

    account = crm_world.crm.accounts(["001-INITECH"])["001-INITECH"]

    assert (account.name, account.tax_registration) == ("Initech AG", "DE999999999")


def test_many_accounts_are_read_whole_however_many_are_asked(crm_world):
    ids = [f"001-MANY-{n:04d}" for n in range(450)]
    for account_id in ids[::2]:
        crm_world.keep_account(an_account(account_id, name=f"Customer {account_id}"))

    found = crm_world.crm.accounts([*ids, *ids[:10]])

    assert sorted(found) == ids[::2]
    assert found["001-MANY-0448"].name == "Customer 001-MANY-0448"
