"""An engagement keeps its customer's account in each ERP, one per (ERP, ERP legal entity), and
knows which legal entity delivers each work package."""

import datetime as dt

import pytest

from domain.engagement import (
    MASTER_DATA_ERP,
    Engagement,
    EngagementStatus,
    ErpCustomerAccount,
    WorkPackage,
)
from domain.errors import InvalidTransition
from unit.test_engagement_factory import opened

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def accounts(engagement: Engagement) -> list[tuple[str, str, str]]:
    return [
        (a.erp, a.erp_legal_entity, a.customer_number) for a in engagement.erp_customer_accounts
    ]


def provisioned(customer_number: str = "C-1") -> Engagement:
    engagement = opened()
    engagement.enrich(erp_legal_entity="USMF", tax_registration="US-EIN-12-3456789")
    engagement.assign_erp_customer(customer_number)
    return engagement


def active() -> Engagement:
    engagement = provisioned()
    engagement.activate(NOW)
    return engagement


def test_the_customer_provisioning_assigns_is_the_account_in_the_master_data_erp():
    engagement = provisioned("C-1")

    assert accounts(engagement) == [(MASTER_DATA_ERP, "USMF", "C-1")]
    assert engagement.erp_customer_number == "C-1"


def test_the_activation_still_names_the_customer_provisioning_assigned():
    engagement = provisioned("C-1")
    engagement.activate(NOW)

    [activated] = engagement.events
    assert activated.erp_customer_number == "C-1"


def test_releasing_the_provisioned_customer_removes_its_account():
    engagement = provisioned("C-1")
    engagement.release_erp_customer()

    assert (accounts(engagement), engagement.erp_customer_number) == ([], None)


def test_each_erp_an_invoice_posts_to_adds_its_account_in_key_order():
    engagement = active()
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4711"))
    engagement.record_erp_customer(ErpCustomerAccount("legacy", "US-OU-1", "L-0042"))

    assert accounts(engagement) == [
        ("legacy", "US-OU-1", "L-0042"),
        ("netsuite", "US-SUB-1", "4711"),
        (MASTER_DATA_ERP, "USMF", "C-1"),
    ]


def test_recording_the_same_account_again_changes_nothing():
    engagement = active()
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4711"))
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4711"))

    assert accounts(engagement).count(("netsuite", "US-SUB-1", "4711")) == 1
    assert len(engagement.erp_customer_accounts) == 2


def test_a_new_number_in_the_same_erp_and_legal_entity_replaces_the_old_one():
    engagement = active()
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4711"))
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4712"))
    engagement.record_erp_customer(ErpCustomerAccount("netsuite", "GB-SUB-2", "9001"))

    assert engagement.erp_customer_account("netsuite", "US-SUB-1").customer_number == "4712"
    assert engagement.erp_customer_account("netsuite", "GB-SUB-2").customer_number == "9001"
    assert len(engagement.erp_customer_accounts) == 3


def test_an_account_is_recorded_on_a_closed_engagement_too():
    engagement = active()
    engagement.status = EngagementStatus.CLOSED  # closing has no use case yet

    engagement.record_erp_customer(ErpCustomerAccount("legacy", "US-OU-1", "L-0042"))

    assert ("legacy", "US-OU-1", "L-0042") in accounts(engagement)


@pytest.mark.parametrize("stage", ["pending data", "provisioning"])
def test_no_erp_account_is_recorded_before_the_engagement_is_active(stage):
    engagement = opened() if stage == "pending data" else provisioned()

    with pytest.raises(InvalidTransition):
        engagement.record_erp_customer(ErpCustomerAccount("netsuite", "US-SUB-1", "4711"))


def test_a_work_package_names_the_legal_entity_that_delivers_it():
    engagement = opened(
        work_packages=[
            WorkPackage("NA", "North America rollout", "NA"),
            WorkPackage("EU", "Europe rollout", "EMEA", delivering_legal_entity_code="GB01"),
        ]
    )

    assert engagement.work_package("NA").delivering_legal_entity_code == ""
    assert engagement.work_package("EU").delivering_legal_entity_code == "GB01"


def test_the_contracting_legal_entity_named_as_deliverer_is_kept_as_blank():
    named = WorkPackage("NA", "North America rollout", "NA", delivering_legal_entity_code="US01")
    engagement = opened(work_packages=[named])

    assert engagement.work_package("NA").delivering_legal_entity_code == ""


def test_a_work_package_a_change_order_adds_keeps_its_delivering_legal_entity():
    engagement = active()
    engagement.add_work_package(
        WorkPackage("APAC", "Asia rollout", "APAC", delivering_legal_entity_code="SG01")
    )
    engagement.add_work_package(
        WorkPackage("LATAM", "Latin America", "LATAM", delivering_legal_entity_code="US01")
    )

    assert engagement.work_package("APAC").delivering_legal_entity_code == "SG01"
    assert engagement.work_package("LATAM").delivering_legal_entity_code == ""
