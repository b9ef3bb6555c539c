"""What every CRM promises: the engagement shown on its opportunity, safe to write again."""

from __future__ import annotations

from contracts.builders import a_link


def test_recording_an_engagement_twice_writes_one_record(crm):
    assert crm.record_engagement(a_link()) == crm.record_engagement(a_link())


def test_a_later_status_updates_the_opportunitys_record_instead_of_adding_one(crm):
    pending = crm.record_engagement(a_link(status="pending_data"))
    assert crm.record_engagement(a_link(status="active")) == pending


def test_each_opportunity_has_a_record_of_its_own(crm):
    assert crm.record_engagement(a_link("006-ACME-1")) != crm.record_engagement(
        a_link("006-GLOBEX-1")
    )
