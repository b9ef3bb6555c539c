"""The use cases take who is calling from the proven principal, never from the payload."""

import pytest
from support.builders import approved_time, closed_won, integration

from application.approve_billable_event import approve_time_entry
from application.create_engagement import create_service_engagement
from application.queries import engagement_of_opportunity, get_engagement
from domain.errors import (
    EngagementExists,
    LegalEntityNotAllowed,
    NotFound,
    OwnershipViolation,
    SourceSystemMismatch,
)

UK_ONLY = frozenset({"GB01"})
US_ONLY = frozenset({"US01"})


@pytest.fixture
def engagement_id(provisioning, store):
    return create_service_engagement(closed_won(), provisioning)  # a US01 engagement


def test_a_crm_caller_claiming_to_be_the_psa_may_not_approve_time(billing, store, engagement_id):
    posing = approved_time(engagement_id=engagement_id, caller=integration("crm"))

    with pytest.raises(SourceSystemMismatch) as refused:
        approve_time_entry(posing, billing)

    assert refused.value.field == "source_system"
    assert store.billable_events == {}
    [refusal] = store.refusals
    assert (refusal.writer, refusal.reason_code) == ("crm", "SOURCE_SYSTEM_MISMATCH")


def test_a_source_system_other_than_the_callers_is_refused_as_an_ownership_violation(
    billing, store, engagement_id
):
    disagreeing = approved_time(engagement_id=engagement_id, source_system="erp")

    with pytest.raises(OwnershipViolation):
        approve_time_entry(disagreeing, billing)
    assert store.billable_events == {}


def test_a_people_tool_speaks_for_no_system_of_record(billing, store, engagement_id):
    admin_time = approved_time(engagement_id=engagement_id, caller=integration("admin"))

    with pytest.raises(SourceSystemMismatch):
        approve_time_entry(admin_time, billing)


def test_a_crm_caller_limited_to_one_entity_may_not_create_for_another(provisioning, store):
    uk_sales = integration("crm", UK_ONLY)

    with pytest.raises(LegalEntityNotAllowed) as refused:
        create_service_engagement(closed_won(caller=uk_sales), provisioning)

    assert refused.value.field == "opportunity.legal_entity_code"
    assert store.engagements == {} and store.requests == {}


def test_a_crm_caller_may_create_for_an_entity_it_sees(provisioning, store):
    us_sales = integration("crm", US_ONLY)

    engagement_id = create_service_engagement(closed_won(caller=us_sales), provisioning)

    assert get_engagement(engagement_id, provisioning.uow_factory, us_sales)


def test_another_entitys_engagement_is_not_found_by_id(provisioning, engagement_id):
    with pytest.raises(NotFound) as hidden:
        get_engagement(engagement_id, provisioning.uow_factory, integration("psa", UK_ONLY))
    with pytest.raises(NotFound) as missing:
        get_engagement("eng-404", provisioning.uow_factory, integration("psa", UK_ONLY))
    assert hidden.value.reason == missing.value.reason


def test_another_entitys_engagement_is_not_found_by_opportunity(provisioning, engagement_id):
    with pytest.raises(NotFound):
        engagement_of_opportunity(
            "006-ACME-1", provisioning.uow_factory, integration("psa", UK_ONLY)
        )


def test_time_on_another_entitys_engagement_is_not_found(billing, store, engagement_id):
    uk_psa = integration("psa", UK_ONLY)

    with pytest.raises(NotFound) as refused:
        approve_time_entry(approved_time(engagement_id=engagement_id, caller=uk_psa), billing)

    assert refused.value.field == "time_entry.engagement_id"
    assert store.billable_events == {}
    assert [key.operation for key in store.requests] == ["CreateServiceEngagement"]


def test_one_caller_cannot_replay_another_callers_answer(provisioning, store, engagement_id):
    same_request_from_another_crm = closed_won(caller=integration("crm", subject="crm-emea"))

    with pytest.raises(EngagementExists):
        create_service_engagement(same_request_from_another_crm, provisioning)

    assert create_service_engagement(closed_won(), provisioning) == engagement_id


def test_the_same_request_id_from_another_caller_is_its_own_request(provisioning, store):
    first = create_service_engagement(closed_won(), provisioning)
    other = create_service_engagement(
        closed_won(opportunity_id="006-ACME-2", caller=integration("crm", subject="crm-emea")),
        provisioning,
    )

    assert other != first and len(store.engagements) == 2


def test_an_engagement_of_an_entity_the_caller_cannot_see_is_not_named(provisioning, store):
    create_service_engagement(closed_won(legal_entity_code="US01"), provisioning)
    uk_sales = integration("crm", UK_ONLY, subject="crm-uk")
    same_opportunity_as_uk = closed_won(legal_entity_code="GB01", caller=uk_sales)

    with pytest.raises(EngagementExists) as refused:
        create_service_engagement(same_opportunity_as_uk, provisioning)

    assert "engagement_id" not in refused.value.keys
    assert "eng-" not in refused.value.message
