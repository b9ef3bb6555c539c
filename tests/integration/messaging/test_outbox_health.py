from __future__ import annotations

import datetime as dt

import pytest
from attrs import define

from adapters.messaging.outbox_health import OutboxHealthCheck
from adapters.messaging.relay_state import RelayState

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
BROKER_DOWN = RelayState().failed("BROKER_UNAVAILABLE", "cannot reach NATS", False, NOW)
PUBLISHING = RelayState()
OVERLAP = RelayState().failed("STREAM_SUBJECTS_OVERLAP", "stream O2C cannot take…", True, NOW)


@define
class Backlog:
    oldest_seconds: float | None = None

    def oldest_pending_since(self) -> dt.datetime | None:
        if self.oldest_seconds is None:
            return None
        return NOW - dt.timedelta(seconds=self.oldest_seconds)


@define
class Relay:
    state: RelayState = PUBLISHING


def checked(oldest_seconds: float | None, state: RelayState = PUBLISHING):
    check = OutboxHealthCheck(
        Backlog(oldest_seconds), Relay(state), stale_after=60, now=lambda: NOW
    )
    return check.check()


def test_an_empty_outbox_is_ready_even_while_the_broker_is_down() -> None:
    assert checked(None, BROKER_DOWN).ready


def test_events_younger_than_the_limit_are_ready() -> None:
    health = checked(59)

    assert (health.ready, health.oldest_pending_age) == (True, 59)


def test_an_event_older_than_the_limit_is_not_ready_naming_its_age_and_the_relays_error() -> None:
    health = checked(61, BROKER_DOWN)

    assert (health.ready, health.reason, health.oldest_pending_age) == (False, "OUTBOX_STALE", 61)
    assert "waited 61s (limit 60s)" in health.detail
    assert "BROKER_UNAVAILABLE: cannot reach NATS" in health.detail


def test_a_relay_that_cannot_publish_with_its_configuration_is_not_ready_at_once() -> None:
    health = checked(None, OVERLAP)

    assert (health.ready, health.reason) == (False, "STREAM_SUBJECTS_OVERLAP")
    assert health.detail == "stream O2C cannot take…"


def test_an_outbox_that_cannot_be_read_is_not_ready() -> None:
    class Unreadable:
        def oldest_pending_since(self) -> dt.datetime | None:
            raise ConnectionError("database is down")

    health = OutboxHealthCheck(Unreadable(), Relay(), now=lambda: NOW).check()

    assert (health.ready, health.reason) == (False, "OUTBOX_UNREADABLE")


@pytest.mark.parametrize(
    ("state", "expected"),
    [(PUBLISHING, "ready"), (OVERLAP, "NOT READY (STREAM_SUBJECTS_OVERLAP")],
)
def test_the_description_says_ready_or_why_not(state: RelayState, expected: str) -> None:
    assert checked(5, state).describe().startswith(expected)
