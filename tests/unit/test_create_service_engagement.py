import pytest
from support.builders import closed_won

from application.commands import RateLine, WorkPackageLine
from application.create_engagement import create_service_engagement
from domain.engagement import EngagementStatus
from domain.errors import EngagementExists, InvalidField, RequestIdReused, UnknownCurrency
from domain.events import EngagementActivated, EngagementProvisioningFailed, ExceptionParked
from domain.exception_case import OwnerRole, ReasonCode, Workflow
from domain.requests import RequestKey
from domain.saga import SagaStatus, StepOutcome, Verdict
from unit.fakes import rejected, unavailable

STARTED = StepOutcome.STARTED
REQ_1 = RequestKey("crm", "CreateServiceEngagement", "req-1")
NO_CONTRACT_VALUE = {"contract_value_amount": "", "contract_value_currency": ""}
TWO_PACKAGES_ONE_CODE = {
    "work_packages": (WorkPackageLine("NA", "One", "NA"), WorkPackageLine("NA", "Two", "NA"))
}


def test_a_closed_won_opportunity_becomes_an_active_engagement(provisioning, store, psa, erp):
    engagement_id = create_service_engagement(closed_won(), provisioning)

    engagement = store.engagements[engagement_id]
    assert engagement.status is EngagementStatus.ACTIVE
    assert engagement.erp_legal_entity == "USMF"
    assert engagement.tax_registration == "US-EIN-12-3456789"
    assert engagement.erp_customer_number == "C-001-ACME"
    assert [wp.psa_project_id for wp in engagement.work_packages] == [
        f"P-{engagement_id}:NA",
        f"P-{engagement_id}:EU",
    ]
    assert len(psa.projects) == 2 and len(erp.created) == 1
    assert [type(e) for e in store.published] == [EngagementActivated]


def test_an_existing_erp_customer_is_reused_not_created(provisioning, store, erp):
    erp.customers[("USMF", "001-ACME")] = "CUST-0042"
    engagement_id = create_service_engagement(closed_won(), provisioning)
    assert store.engagements[engagement_id].erp_customer_number == "CUST-0042"
    assert erp.created == {}


def test_an_unmapped_legal_entity_parks_the_case_with_finance_and_creates_nothing(
    provisioning, store, psa, erp
):
    engagement_id = create_service_engagement(closed_won(legal_entity_code="BR01"), provisioning)

    engagement = store.engagements[engagement_id]
    assert engagement.status is EngagementStatus.PENDING_DATA
    case = store.exceptions[engagement.exception_id]
    assert (case.workflow, case.business_key) == (Workflow.CLOSED_WON_TO_ENGAGEMENT, "006-ACME-1")
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.LEGAL_ENTITY_NOT_MAPPED,
        OwnerRole.FINANCE,
    )
    assert case.payload["legal_entity_code"] == "BR01"
    assert psa.projects == {} and erp.created == {}
    assert [type(e) for e in store.published] == [ExceptionParked]


def test_a_legal_entity_without_tax_registration_parks_the_case(provisioning, store, erp):
    from application.ports import LegalEntity

    erp.entities["GB01"] = LegalEntity("GB01", "GBSI", None)
    engagement_id = create_service_engagement(closed_won(legal_entity_code="GB01"), provisioning)
    case = store.exceptions[store.engagements[engagement_id].exception_id]
    assert case.reason_code is ReasonCode.TAX_REGISTRATION_MISSING


def test_a_transient_psa_failure_is_retried_with_backoff(provisioning, store, psa, clock):
    psa.fail("EU", unavailable(), unavailable())
    engagement_id = create_service_engagement(closed_won(), provisioning)

    assert store.engagements[engagement_id].status is EngagementStatus.ACTIVE
    assert clock.slept == [0.5, 1.0]
    [step] = [
        s
        for s in store.saga_steps
        if s.step == "psa.create_project[EU]" and s.outcome is StepOutcome.SUCCEEDED
    ]
    assert step.attempts == 3


def test_a_lasting_psa_failure_undoes_what_was_created_and_parks_the_case(
    provisioning, store, psa, erp
):
    psa.fail("EU", rejected())
    engagement_id = create_service_engagement(closed_won(), provisioning)

    engagement = store.engagements[engagement_id]
    assert engagement.status is EngagementStatus.PROVISIONING_FAILED
    assert psa.projects == {} and psa.removed == [f"P-{engagement_id}:NA"]
    assert erp.created == {} and erp.removed == ["C-001-ACME"]
    assert engagement.erp_customer_number is None
    assert all(wp.psa_project_id is None for wp in engagement.work_packages)
    case = store.exceptions[engagement.exception_id]
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.PSA_PROVISIONING_FAILED,
        OwnerRole.INTEGRATION_SUPPORT,
    )
    outcomes = [(s.step, s.outcome) for s in store.saga_steps if s.outcome is not STARTED]
    assert outcomes == [
        ("erp.legal_entity", StepOutcome.SUCCEEDED),
        ("erp.find_customer", StepOutcome.SUCCEEDED),
        ("erp.create_customer", StepOutcome.SUCCEEDED),
        ("psa.create_project[NA]", StepOutcome.SUCCEEDED),
        ("psa.create_project[EU]", StepOutcome.FAILED),
        ("psa.create_project[NA]", StepOutcome.COMPENSATED),
        ("erp.create_customer", StepOutcome.COMPENSATED),
        ("crm.record_engagement", StepOutcome.SUCCEEDED),
    ]
    assert {type(e) for e in store.published} == {EngagementProvisioningFailed, ExceptionParked}


def test_a_retry_with_the_same_request_id_returns_the_first_answer(provisioning, store, psa):
    first = create_service_engagement(closed_won(), provisioning)
    again = create_service_engagement(closed_won(), provisioning)
    assert again == first
    assert len(store.engagements) == 1 and len(psa.projects) == 2


def test_the_same_request_id_with_another_payload_is_refused(provisioning, store):
    create_service_engagement(closed_won(), provisioning)
    with pytest.raises(RequestIdReused) as error:
        create_service_engagement(closed_won(account_name="Other Corp"), provisioning)
    assert error.value.field == "request_id"


def test_a_second_request_for_the_same_opportunity_is_refused(provisioning, store):
    create_service_engagement(closed_won(), provisioning)
    with pytest.raises(EngagementExists) as error:
        create_service_engagement(closed_won(request_id="req-2"), provisioning)
    assert len(store.engagements) == 1
    assert error.value.keys["engagement_id"] == next(iter(store.engagements))
    assert RequestKey("crm", "CreateServiceEngagement", "req-2") not in store.requests


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opportunity_id": ""}, "opportunity.opportunity_id"),
        ({"account_name": "  "}, "opportunity.account_name"),
        ({"currency": "XYZ"}, "opportunity.currency_code"),
        ({"start_date": "01/12/2026"}, "opportunity.start_date"),
        ({"end_date": "2026-01-01"}, "opportunity.end_date"),
        ({"contract_value_amount": "-5"}, "opportunity.contract_value.amount"),
        ({"rate_card": ()}, "opportunity.rate_card"),
        ({"work_packages": ()}, "opportunity.work_packages"),
        ({"billing_method": ""}, "opportunity.billing_method"),
        ({"request_id": ""}, "request_id"),
        ({"currency": ""}, "opportunity.currency_code"),
        (
            {"contract_value_amount": "", "contract_value_currency": ""},
            "opportunity.contract_value",
        ),
        ({"contract_value_amount": ""}, "opportunity.contract_value.amount"),
        ({"rate_card": (RateLine("consultant", "", ""),)}, "opportunity.rate_card[0].hourly_rate"),
        (
            {
                "work_packages": (
                    WorkPackageLine("NA", "One", "NA"),
                    WorkPackageLine("NA", "Two", "NA"),
                )
            },
            "opportunity.work_packages[1].code",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(provisioning, store, overrides, field):
    with pytest.raises(InvalidField) as error:
        create_service_engagement(closed_won(**overrides), provisioning)
    assert error.value.field == field
    assert store.engagements == {} and store.requests == {} and store.published == []
    assert store.sagas == {}


def test_a_missing_field_is_reported_as_required_under_its_own_name(provisioning):
    with pytest.raises(InvalidField) as error:
        create_service_engagement(
            closed_won(contract_value_amount="", contract_value_currency=""), provisioning
        )
    assert error.value.message == "opportunity.contract_value is required"
    assert not isinstance(error.value, UnknownCurrency)


def test_an_unknown_currency_has_its_own_reason(provisioning):
    with pytest.raises(UnknownCurrency) as error:
        create_service_engagement(closed_won(currency="ABC"), provisioning)
    assert error.value.reason == "UNKNOWN_CURRENCY"


def test_a_rate_in_another_currency_names_the_rate_card_line(provisioning):
    with pytest.raises(InvalidField) as error:
        create_service_engagement(
            closed_won(rate_card=(RateLine("consultant", "150.00", "EUR"),)), provisioning
        )
    assert error.value.field == "opportunity.rate_card[0].hourly_rate.currency_code"


def test_the_crm_is_told_the_engagement_and_its_status(provisioning, crm):
    active = create_service_engagement(closed_won(), provisioning)
    parked = create_service_engagement(
        closed_won(request_id="req-2", opportunity_id="006-OTHER", legal_entity_code="BR01"),
        provisioning,
    )
    assert crm.links["006-ACME-1"].engagement_id == active
    assert crm.links["006-ACME-1"].status == "active"
    assert (crm.links["006-OTHER"].engagement_id, crm.links["006-OTHER"].status) == (
        parked,
        "pending_data",
    )
    assert crm.links["006-OTHER"].exception_id


def test_a_failed_crm_write_back_is_parked_but_the_engagement_stands(provisioning, store, crm):
    crm.failures = [rejected("crm")]
    engagement_id = create_service_engagement(closed_won(), provisioning)

    assert store.engagements[engagement_id].status is EngagementStatus.ACTIVE
    [case] = store.exceptions.values()
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.CRM_WRITE_BACK_FAILED,
        OwnerRole.INTEGRATION_SUPPORT,
    )
    assert store.saga_steps[-1].outcome is StepOutcome.FAILED
    assert store.requests[REQ_1].result == {"engagement_id": engagement_id}


def test_the_crm_write_back_happens_before_the_request_is_answered(provisioning, store, crm):
    answered_when_told = []
    tell = crm.record_engagement

    def record_engagement(link):
        answered_when_told.append(store.requests[REQ_1].is_complete)
        return tell(link)

    crm.record_engagement = record_engagement
    create_service_engagement(closed_won(), provisioning)

    assert answered_when_told == [False]
    assert store.requests[REQ_1].is_complete


def test_the_request_is_answered_in_the_transaction_that_activates_the_engagement(
    provisioning, store
):
    engagement_id = create_service_engagement(closed_won(), provisioning)

    [saga] = store.sagas.values()
    assert (saga.status, saga.verdict) == (SagaStatus.COMPLETED, Verdict.DONE)
    assert store.engagements[engagement_id].status is EngagementStatus.ACTIVE
    assert store.requests[REQ_1].result == {"engagement_id": engagement_id}
