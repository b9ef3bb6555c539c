"""A new engagement can only be made valid; each change of it says what happened, if it may."""

import datetime as dt

import pytest

from domain.engagement import BillingMethod, Engagement, EngagementStatus, WorkPackage
from domain.errors import InvalidField, InvalidTransition, NotFound
from domain.money import Money
from domain.rate_card import RateCard, RoleRate

CONSULTANT = RoleRate("consultant", Money.of("150.00", "USD"))


def opened(**changes) -> Engagement:
    terms = dict(
        engagement_id="eng-1",
        opportunity_id="006-ACME-1",
        account_id="001-ACME",
        account_name="Acme Corp",
        legal_entity_code="US01",
        billing_method=BillingMethod.TIME_AND_MATERIALS,
        rate_card=RateCard("USD", (CONSULTANT,)),
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2027, 5, 31),
        contract_value=Money.of("250000.00", "USD"),
        work_packages=[WorkPackage("NA", "North America rollout", "NA")],
    )
    terms.update(changes)
    return Engagement.open(**terms)


def test_a_new_engagement_awaits_its_erp_data_in_the_rate_cards_currency():
    engagement = opened()
    assert engagement.status is EngagementStatus.PENDING_DATA
    assert engagement.currency == "USD"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": dt.date(2026, 1, 1)}, "end_date"),
        ({"rate_card": RateCard("USD", ())}, "rate_card"),
        ({"contract_value": Money.of("1", "EUR")}, "contract_value.currency_code"),
        ({"contract_value": Money.of("-1", "USD")}, "contract_value.amount"),
        ({"work_packages": []}, "work_packages"),
        (
            {"work_packages": [WorkPackage("NA", "a", "NA"), WorkPackage("NA", "b", "NA")]},
            "work_packages[1].code",
        ),
    ],
)
def test_an_invalid_engagement_cannot_be_made(changes, field):
    with pytest.raises(InvalidField) as error:
        opened(**changes)
    assert error.value.field == field


def test_projects_and_customers_are_attached_only_while_provisioning():
    engagement = opened()
    with pytest.raises(InvalidTransition):
        engagement.attach_project(work_package_code="NA", psa_project_id="P-1")
    engagement.enrich(erp_legal_entity="USMF", tax_registration="US-EIN-12-3456789")

    engagement.assign_erp_customer(customer_number="C-1")
    engagement.attach_project(work_package_code="NA", psa_project_id="P-1")
    engagement.activate(dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    with pytest.raises(InvalidTransition):
        engagement.release_erp_customer()
    assert engagement.work_package("NA").psa_project_id == "P-1"


def test_an_unknown_work_package_is_not_found():
    engagement = opened()
    engagement.enrich(erp_legal_entity="USMF", tax_registration="US-EIN-12-3456789")
    with pytest.raises(NotFound):
        engagement.detach_project(work_package_code="APAC")
