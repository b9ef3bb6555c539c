from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.engagement import Engagement, EngagementStatus, WorkPackage
from domain.errors import ConcurrentUpdate

from .builders import NOW, an_engagement


def save(uow_factory, engagement: Engagement) -> None:
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()


def load(uow_factory, engagement_id: str) -> Engagement:
    with uow_factory() as uow:
        found = uow.engagements.get(engagement_id)
    assert found is not None
    return found


def as_saved(engagement: Engagement) -> tuple[object, ...]:
    packages = [(wp.code, wp.name, wp.region, wp.psa_project_id) for wp in engagement.work_packages]
    return (
        engagement.id,
        engagement.opportunity_id,
        engagement.account_id,
        engagement.account_name,
        engagement.legal_entity_code,
        engagement.currency,
        engagement.billing_method,
        engagement.rate_card,
        engagement.start_date,
        engagement.end_date,
        engagement.contract_value,
        packages,
        engagement.status,
        engagement.erp_legal_entity,
        engagement.tax_registration,
        engagement.erp_customer_number,
        engagement.exception_id,
    )


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD"])
def test_an_engagement_with_two_work_packages_a_rate_card_and_a_contract_value_round_trips_exactly(
    uow_factory, currency
):
    engagement = an_engagement(currency)
    engagement.enrich("GLOBEX UK LTD", "GB123456789")

    save(uow_factory, engagement)
    loaded = load(uow_factory, engagement.id)

    assert as_saved(loaded) == as_saved(engagement)
    assert loaded.status is EngagementStatus.PROVISIONING


@pytest.mark.parametrize(("currency", "exponent"), [("USD", -2), ("JPY", 0), ("KWD", -3)])
def test_amounts_come_back_in_their_currency_minor_units(uow_factory, currency, exponent):
    engagement = an_engagement(currency)
    save(uow_factory, engagement)

    loaded = load(uow_factory, engagement.id)

    amounts = [loaded.contract_value.amount]
    amounts += [line.hourly_rate.amount for line in loaded.rate_card.rates]
    assert {amount.as_tuple().exponent for amount in amounts} == {exponent}
    assert str(loaded.contract_value) == str(engagement.contract_value)


def test_work_packages_keep_the_order_they_were_given_in(uow_factory):
    engagement = an_engagement(packages=("EMEA-2", "APAC-1", "AMER-3", "EMEA-1"))
    save(uow_factory, engagement)

    loaded = load(uow_factory, engagement.id)

    assert [wp.code for wp in loaded.work_packages] == ["EMEA-2", "APAC-1", "AMER-3", "EMEA-1"]


def test_a_work_package_dropped_from_the_engagement_is_deleted(uow_factory):
    engagement = an_engagement(packages=("EMEA-1", "APAC-1"))
    save(uow_factory, engagement)

    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id)
        loaded.work_packages = [wp for wp in loaded.work_packages if wp.code != "EMEA-1"]
        loaded.work_packages.append(WorkPackage("AMER-1", "Rollout AMER", "AMER"))
        uow.commit()

    assert [wp.code for wp in load(uow_factory, engagement.id).work_packages] == [
        "APAC-1",
        "AMER-1",
    ]


def test_provisioning_results_recorded_on_a_loaded_engagement_are_saved(uow_factory):
    engagement = an_engagement()
    engagement.enrich("GLOBEX UK LTD", "GB123456789")
    save(uow_factory, engagement)

    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id)
        loaded.assign_erp_customer("C-10042")
        loaded.attach_project("APAC-1", "a2x000000001")
        loaded.activate(NOW)
        uow.commit()

    saved = load(uow_factory, engagement.id)
    assert saved.erp_customer_number == "C-10042"
    assert saved.work_package("APAC-1").psa_project_id == "a2x000000001"
    assert saved.status is EngagementStatus.ACTIVE


def test_a_loaded_engagement_starts_with_no_events(uow_factory):
    engagement = an_engagement()
    save(uow_factory, engagement)

    assert load(uow_factory, engagement.id).events == []


def test_the_version_goes_up_with_every_committed_change(uow_factory):
    engagement = an_engagement(status=EngagementStatus.PROVISIONING)
    save(uow_factory, engagement)
    for customer in ("C-1", "C-2"):
        with uow_factory() as uow:
            uow.engagements.get(engagement.id).assign_erp_customer(customer)
            uow.commit()

    assert load(uow_factory, engagement.id).version == 3


def test_a_change_to_a_work_package_alone_bumps_its_engagements_version(uow_factory):
    engagement = an_engagement(status=EngagementStatus.PROVISIONING)
    save(uow_factory, engagement)

    with uow_factory() as uow:
        uow.engagements.get(engagement.id).attach_project("EMEA-1", "a2x000000007")
        uow.commit()
    with uow_factory() as uow:
        uow.engagements.get(engagement.id).work_packages.pop()
        uow.commit()

    assert load(uow_factory, engagement.id).version == 3


def test_an_engagement_is_found_by_its_opportunity(uow_factory):
    engagement = an_engagement()
    save(uow_factory, engagement)

    with uow_factory() as uow:
        found = uow.engagements.get_by_opportunity(engagement.opportunity_id)
        missing = uow.engagements.get_by_opportunity("006NOSUCHOPPORTUNITY")

    assert found is not None and found.id == engagement.id
    assert missing is None


def test_an_unknown_engagement_is_none(uow_factory):
    with uow_factory() as uow:
        assert uow.engagements.get("no-such-engagement") is None


def test_a_second_engagement_for_the_same_opportunity_raises_concurrent_update(uow_factory):
    first = an_engagement()
    second = an_engagement()
    second.opportunity_id = first.opportunity_id
    save(uow_factory, first)

    with pytest.raises(ConcurrentUpdate):
        save(uow_factory, second)

    with uow_factory() as uow:
        assert uow.engagements.get(second.id) is None


def test_a_contract_value_can_be_queried_as_money(sessions, uow_factory):
    engagement = an_engagement("KWD")
    save(uow_factory, engagement)

    with sessions() as session:
        query = select(Engagement).where(Engagement.contract_value == engagement.contract_value)
        found = session.scalars(query).all()

    assert [e.id for e in found] == [engagement.id]
