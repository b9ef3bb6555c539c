"""What every engagement repository promises, through its unit of work."""

from __future__ import annotations

import pytest
from integration.persistence.builders import an_engagement

from contracts.units_of_work import change, read, save
from domain.engagement import Engagement, EngagementStatus
from domain.errors import ConcurrentUpdate


def as_saved(engagement: Engagement) -> tuple[object, ...]:
    packages = [(wp.code, wp.name, wp.region, wp.psa_project_id) for wp in engagement.work_packages]
    return (
        engagement.id,
        engagement.opportunity_id,
        engagement.account_id,
        engagement.currency,
        engagement.rate_card,
        engagement.contract_value,
        (engagement.start_date, engagement.end_date),
        packages,
        engagement.status,
        engagement.erp_legal_entity,
    )


def test_a_committed_engagement_comes_back_by_its_id(uow_factory):
    engagement = an_engagement()
    save(uow_factory, "engagements", engagement)
    loaded = read(uow_factory, lambda uow: uow.engagements.get(engagement.id))
    assert as_saved(loaded) == as_saved(engagement)


def test_get_of_an_unknown_id_is_none(uow_factory):
    assert read(uow_factory, lambda uow: uow.engagements.get("no-such-engagement")) is None


def test_an_engagement_is_found_by_its_opportunity(uow_factory):
    engagement, other = an_engagement(), an_engagement()
    save(uow_factory, "engagements", engagement, other)
    found = read(
        uow_factory, lambda uow: uow.engagements.get_by_opportunity(engagement.opportunity_id)
    )
    assert found.id == engagement.id


def test_an_opportunity_without_an_engagement_finds_none(uow_factory):
    assert read(uow_factory, lambda uow: uow.engagements.get_by_opportunity("006-NOBODY")) is None


def test_a_unit_of_work_finds_by_opportunity_what_it_added_before_committing(uow_factory):
    engagement = an_engagement()
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        assert uow.engagements.get_by_opportunity(engagement.opportunity_id) is engagement


def test_what_is_not_committed_is_not_kept(uow_factory):
    engagement = an_engagement()
    with uow_factory() as uow:
        uow.engagements.add(engagement)
    assert read(uow_factory, lambda uow: uow.engagements.get(engagement.id)) is None


def test_a_change_to_a_loaded_engagement_is_kept_once_committed(uow_factory):
    engagement = an_engagement()
    save(uow_factory, "engagements", engagement)
    change(
        uow_factory,
        lambda uow: uow.engagements.get(engagement.id),
        lambda e: e.enrich("GBSI", "GB-1"),
    )
    loaded = read(uow_factory, lambda uow: uow.engagements.get(engagement.id))
    assert (loaded.status, loaded.erp_legal_entity) == (EngagementStatus.PROVISIONING, "GBSI")


def test_a_change_left_uncommitted_is_not_kept(uow_factory):
    engagement = an_engagement()
    save(uow_factory, "engagements", engagement)
    change(
        uow_factory,
        lambda uow: uow.engagements.get(engagement.id),
        lambda e: e.enrich("GBSI", "GB-1"),
        commit=False,
    )
    loaded = read(uow_factory, lambda uow: uow.engagements.get(engagement.id))
    assert loaded.status is EngagementStatus.PENDING_DATA


def test_a_second_engagement_for_one_opportunity_is_refused_as_a_concurrent_update(uow_factory):
    first = an_engagement()
    save(uow_factory, "engagements", first)
    second = an_engagement()
    second.opportunity_id = first.opportunity_id
    with pytest.raises(ConcurrentUpdate):
        save(uow_factory, "engagements", second)
    assert read(uow_factory, lambda uow: uow.engagements.get(second.id)) is None


def test_of_two_units_of_work_changing_one_engagement_the_later_commit_is_refused(
    interleaving_uow_factory,
):
    engagement = an_engagement()
    save(interleaving_uow_factory, "engagements", engagement)
    first, second = interleaving_uow_factory(), interleaving_uow_factory()
    with first, second:
        first.engagements.get(engagement.id).enrich("GBSI", "GB-1")
        second.engagements.get(engagement.id).enrich("USMF", "US-1")
        first.commit()
        with pytest.raises(ConcurrentUpdate):
            second.commit()
    loaded = read(interleaving_uow_factory, lambda uow: uow.engagements.get(engagement.id))
    assert loaded.erp_legal_entity == "GBSI"


def test_a_unit_of_work_that_only_read_an_engagement_does_not_refuse_another_ones_change(
    interleaving_uow_factory,
):
    engagement = an_engagement()
    save(interleaving_uow_factory, "engagements", engagement)
    reader, writer = interleaving_uow_factory(), interleaving_uow_factory()
    with reader, writer:
        reader.engagements.get(engagement.id)
        writer.engagements.get(engagement.id).enrich("GBSI", "GB-1")
        reader.commit()
        writer.commit()
    loaded = read(interleaving_uow_factory, lambda uow: uow.engagements.get(engagement.id))
    assert loaded.erp_legal_entity == "GBSI"


def test_a_commit_refused_for_one_aggregate_keeps_none_of_the_others(uow_factory):
    first = an_engagement()
    save(uow_factory, "engagements", first)
    newcomer, duplicate = an_engagement(), an_engagement()
    duplicate.opportunity_id = first.opportunity_id
    with pytest.raises(ConcurrentUpdate):
        save(uow_factory, "engagements", newcomer, duplicate)
    assert read(uow_factory, lambda uow: uow.engagements.get(newcomer.id)) is None


def test_an_engagement_is_found_by_the_psa_project_of_any_of_its_work_packages(uow_factory):
    engagement, other = an_engagement(), an_engagement()
    engagement.work_packages[-1].psa_project_id = "PRJ-LAST"
    other.work_packages[0].psa_project_id = "PRJ-OTHER"
    save(uow_factory, "engagements", engagement, other)

    found = read(uow_factory, lambda uow: uow.engagements.get_by_psa_project("PRJ-LAST"))
    assert found is not None and found.id == engagement.id
    assert read(uow_factory, lambda uow: uow.engagements.get_by_psa_project("PRJ-NONE")) is None
