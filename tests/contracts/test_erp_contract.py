"""What every ERP promises: master data for a legal entity, and customers upserted by external id
and found by account within one legal entity."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs

from contracts.builders import LEGAL_ENTITIES, a_customer


def test_a_mapped_legal_entity_comes_back_with_its_erp_entity_and_tax_registration(erp):
    assert erp.legal_entity("US01") == LEGAL_ENTITIES["US01"]
    assert erp.legal_entity("GB01").tax_registration is None


def test_an_unmapped_legal_entity_is_none(erp):
    assert erp.legal_entity("BR01") is None


def test_a_customer_upserted_twice_under_one_external_id_is_one_customer(erp):
    assert erp.upsert_customer(a_customer()) == erp.upsert_customer(a_customer())


def test_an_upsert_with_new_details_updates_the_customer_it_already_has(erp):
    number = erp.upsert_customer(a_customer())
    renamed = attrs.evolve(a_customer(), name="Acme Corporation", currency="EUR")
    assert erp.upsert_customer(renamed) == number


def test_customers_with_different_external_ids_are_different_customers(erp):
    assert erp.upsert_customer(a_customer("001-ACME")) != erp.upsert_customer(
        a_customer("001-GLOBEX")
    )


def test_an_upserted_customer_is_found_by_its_account_within_its_legal_entity(erp):
    number = erp.upsert_customer(a_customer("001-ACME", "USMF"))
    assert erp.find_customer("001-ACME", "USMF") == number


def test_find_customer_is_scoped_by_legal_entity(erp):
    number = erp.upsert_customer(a_customer("001-ACME", "USMF"))
    assert erp.find_customer("001-ACME", "USMF") == number
    assert erp.find_customer("001-ACME", "GBSI") is None


def test_one_account_in_two_legal_entities_is_two_customers(erp):
    in_us = erp.upsert_customer(a_customer("001-ACME", "USMF"))
    in_gb = erp.upsert_customer(a_customer("001-ACME", "GBSI"))
    assert in_us != in_gb
    assert (erp.find_customer("001-ACME", "USMF"), erp.find_customer("001-ACME", "GBSI")) == (
        in_us,
        in_gb,
    )


def test_an_account_never_upserted_is_not_found(erp):
    assert erp.find_customer("001-NOBODY", "USMF") is None


def test_a_removed_customer_is_no_longer_found(erp):
    erp.remove_customer(erp.upsert_customer(a_customer()))
    assert erp.find_customer("001-ACME", "USMF") is None


def test_a_removed_customer_comes_back_under_a_new_number(erp):
    first = erp.upsert_customer(a_customer())
    erp.remove_customer(first)
    again = erp.upsert_customer(a_customer())
    assert again != first
    assert erp.find_customer("001-ACME", "USMF") == again


def test_removing_a_customer_twice_is_harmless_so_compensation_may_be_retried(erp):
    number = erp.upsert_customer(a_customer())
    erp.remove_customer(number)
    erp.remove_customer(number)
    assert erp.find_customer("001-ACME", "USMF") is None


def test_removing_one_customer_leaves_the_others(erp):
    erp.upsert_customer(a_customer("001-ACME", "USMF"))
    globex = erp.upsert_customer(a_customer("001-GLOBEX", "USMF"))
    erp.remove_customer(erp.find_customer("001-ACME", "USMF"))
    assert erp.find_customer("001-GLOBEX", "USMF") == globex


def test_a_customer_upserted_by_many_callers_at_once_is_one_customer(erp):
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = set(pool.map(lambda _: erp.upsert_customer(a_customer()), range(6)))
    assert len(numbers) == 1


def test_a_removed_customer_upserted_again_by_many_callers_at_once_is_one_customer(erp):
    erp.remove_customer(erp.upsert_customer(a_customer()))
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = set(pool.map(lambda _: erp.upsert_customer(a_customer()), range(6)))
    assert len(numbers) == 1
