"""`make demo` keeps telling its story against a running service."""

from __future__ import annotations

from support.auth import call_metadata

from entrypoints.demo import print_events, scenario


def test_the_demo_tells_the_whole_story_with_the_events_it_read_back(service, channel, capsys):
    keys = scenario(channel, "T1", call_metadata)
    print_events(service.values, keys)
    story = capsys.readouterr().out
    assert "-> ENGAGEMENT_STATUS_ACTIVE" in story
    assert "parked for OWNER_ROLE_FINANCE: REASON_CODE_LEGAL_ENTITY_NOT_MAPPED" in story
    assert story.count("-> staged") == 2 and "already staged, nothing new" in story
    assert "PERMISSION_DENIED: a crm caller may not call this RPC" in story
    for event in ("engagement.activated", "exception.parked", "billing.billable_event_staged"):
        assert f".{event}\n" in story
