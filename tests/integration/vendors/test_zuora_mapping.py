"""Which Zuora field and catalog charge hold each of o2c's billing words is the firm's
configuration: another tenant's custom field needs no code, and a file o2c cannot use is
refused at start by its table and key."""

from __future__ import annotations

import pytest
from contracts.test_billing_platform_contract import an_account
from support.zuora import a_zuora_world

from adapters.vendors.zuora.client import ZuoraRejected
from adapters.vendors.zuora.mapping import ZuoraMappingError, load_mapping, parse_mapping
from simulators.zuora_records import Tenant

A_FIRMS_MAPPING = """
[account]
legal_entity_code = "BillingEntity__c"
payment_term = "Net {days}"
bill_cycle_day = 15

[subscription]
key = ""

[charges.flat_fee]
product_rate_plan_id = "8a8082c4-services"
product_rate_plan_charge_id = "8a8082c4-fee"

[charges.one_time]
product_rate_plan_id = "8a8082c4-services"
product_rate_plan_charge_id = "8a8082c4-setup"

[usage.hours]
product_rate_plan_id = "8a8082c4-services"
product_rate_plan_charge_id = "8a8082c4-hours"
uom = "Hour"
"""


def a_firms_tenant() -> Tenant:
    return Tenant(account_fields=frozenset({"BillingEntity__c"}), subscription_fields=frozenset())


def test_a_firm_keeping_the_legal_entity_in_another_field_needs_no_code():
    world = a_zuora_world(tenant=a_firms_tenant(), mapping=parse_mapping(A_FIRMS_MAPPING))
    try:
        world.platform.upsert_account(an_account())

        account = world.tenant.account_of("001-ACME:US01")
        assert account is not None
        assert (account["BillingEntity__c"], account["billCycleDay"]) == ("US01", 15)
    finally:
        world.close()


def test_the_packaged_mapping_against_that_tenant_is_refused_naming_the_field():
    world = a_zuora_world(tenant=a_firms_tenant())
    try:
        with pytest.raises(ZuoraRejected, match="o2c_LegalEntity__c"):
            world.platform.upsert_account(an_account())
    finally:
        world.close()


def test_the_packaged_mapping_loads():
    assert load_mapping().usage["hours"].uom == "Hour"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('"BillingEntity__c"', '"Billing Entity"'), "account.legal_entity_code"),
        (('"Net {days}"', '"Net 30"'), "account.payment_term"),
        (("bill_cycle_day = 15", "bill_cycle_day = 32"), "account.bill_cycle_day"),
        (('uom = "Hour"', 'uom = ""'), "usage.hours.uom"),
        (("[charges.one_time]", "[charges.setup]"), "charges: 'setup'"),
        (('product_rate_plan_charge_id = "8a8082c4-fee"', ""), "product_rate_plan_charge_id"),
    ],
)
def test_a_mapping_o2c_cannot_use_is_refused_naming_the_table_and_key(change, named):
    with pytest.raises(ZuoraMappingError, match=named.replace(".", r"\.")):
        parse_mapping(A_FIRMS_MAPPING.replace(*change))


def test_a_missing_mapping_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ZuoraMappingError, match=r"nowhere\.toml"):
        load_mapping(str(tmp_path / "nowhere.toml"))
