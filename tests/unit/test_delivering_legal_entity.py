"""A work package may be delivered by another legal entity than the contracting one: the
opportunity or a change order names it, and blank means the contracting entity delivers it."""

from __future__ import annotations

import pytest
from attrs import evolve
from support.billing_api import ReferenceData, change_order, opportunity
from support.builders import closed_won, integration

from application.amend_engagement import amend_service_engagement
from application.billing_ports import BillingPorts
from application.commands import NewWorkPackage, TermsLine, WorkPackageLine
from application.create_engagement import create_service_engagement, saga_runner
from application.ports import LegalEntity
from domain.engagement import EngagementStatus
from domain.errors import InvalidField, LegalEntityNotAllowed
from domain.exception_case import ReasonCode
from domain.ownership import OwnershipMatrix
from unit.conftest import US_ENTITY
from unit.fakes import FakeErp, FakeUnitOfWork, SequentialIds
from unit.test_billing_use_cases import ChangeOrders

US_ONLY = frozenset({"US01"})

GB_ENTITY = LegalEntity("GB01", "GBSI", "GB-VAT-123456789")


@pytest.fixture
def erp():
    """US01 contracts; GB01, which delivers, is known to the ERP too."""
    return FakeErp({"US01": US_ENTITY, "GB01": GB_ENTITY})


@pytest.fixture
def ports(store, clock, psa, provisioning) -> BillingPorts:
    change_orders = ChangeOrders()
    return BillingPorts(
        sagas=saga_runner(evolve(provisioning, change_orders=change_orders)),
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        change_orders=change_orders,
    )


def delivered_by(store, engagement_id: str) -> dict[str, str]:
    packages = store.engagements[engagement_id].work_packages
    return {wp.code: wp.delivering_legal_entity_code for wp in packages}


def test_the_opportunity_names_the_legal_entity_delivering_each_work_package(provisioning, store):
    packages = (
        WorkPackageLine("NA", "North America rollout", "NA"),
        WorkPackageLine("EU", "Europe rollout", "EMEA", delivering_legal_entity_code="GB01"),
        WorkPackageLine("US", "US rollout", "NA", delivering_legal_entity_code="US01"),
    )

    engagement_id = create_service_engagement(closed_won(work_packages=packages), provisioning)

    assert delivered_by(store, engagement_id) == {"NA": "", "EU": "GB01", "US": ""}


def test_a_caller_limited_to_the_contracting_entity_may_name_another_as_deliverer(
    provisioning, store
):
    us_sales = integration("crm", US_ONLY)
    packages = (
        WorkPackageLine("EU", "Europe rollout", "EMEA", delivering_legal_entity_code="GB01"),
    )

    engagement_id = create_service_engagement(
        closed_won(work_packages=packages, caller=us_sales), provisioning
    )

    assert delivered_by(store, engagement_id) == {"EU": "GB01"}


def test_naming_the_callers_entity_as_deliverer_does_not_let_it_contract_for_another(
    provisioning, store
):
    uk_sales = integration("crm", frozenset({"GB01"}))
    packages = (
        WorkPackageLine("EU", "Europe rollout", "EMEA", delivering_legal_entity_code="GB01"),
    )

    with pytest.raises(LegalEntityNotAllowed):
        create_service_engagement(closed_won(work_packages=packages, caller=uk_sales), provisioning)
    assert store.engagements == {}


def test_a_change_order_adds_a_work_package_delivered_by_another_legal_entity(
    provisioning, ports, store
):
    engagement_id = create_service_engagement(opportunity(), provisioning)
    added = NewWorkPackage(
        WorkPackageLine("APAC", "Asia rollout", "APAC", delivering_legal_entity_code="JP01"),
        TermsLine(work_package_code="APAC", method="time_and_materials"),
    )

    amended = amend_service_engagement(
        change_order(engagement_id, 1, new_work_packages=(added,)), ports
    )

    assert amended.engagement.work_package("APAC").delivering_legal_entity_code == "JP01"
    assert delivered_by(store, engagement_id) == {"NA": "", "APAC": "JP01"}


def test_a_change_order_naming_a_legal_entity_the_firm_does_not_bill_for_is_refused(
    provisioning, ports, store
):
    engagement_id = create_service_engagement(opportunity(), provisioning)
    added = NewWorkPackage(
        WorkPackageLine("APAC", "Asia rollout", "APAC", delivering_legal_entity_code="SG99"),
        TermsLine(work_package_code="APAC", method="time_and_materials"),
    )

    with pytest.raises(InvalidField) as refused:
        amend_service_engagement(change_order(engagement_id, 1, new_work_packages=(added,)), ports)

    assert refused.value.field == "new_work_packages[0].work_package.delivering_legal_entity_code"
    assert delivered_by(store, engagement_id) == {"NA": ""}


def test_a_delivering_entity_the_erp_does_not_know_holds_the_engagement_for_its_mapping(
    provisioning, store
):
    packages = (
        WorkPackageLine("NA", "North America rollout", "NA"),
        WorkPackageLine("EU", "Europe rollout", "EMEA", delivering_legal_entity_code="gb01"),
    )

    engagement_id = create_service_engagement(closed_won(work_packages=packages), provisioning)

    engagement = store.engagements[engagement_id]
    assert engagement.status is EngagementStatus.PENDING_DATA
    case = store.exceptions[engagement.exception_id]
    assert case.reason_code is ReasonCode.LEGAL_ENTITY_NOT_MAPPED
    assert case.detail == (
        "work package EU is delivered by 'gb01': legal entity 'gb01' has no ERP mapping"
    )
