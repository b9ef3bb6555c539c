"""What every exception queue promises: parked cases kept with their owner, and the open ones of
a business key listed oldest first."""

from __future__ import annotations

from integration.persistence.builders import a_parked_exception

from contracts.builders import parked_minutes_after_now
from contracts.units_of_work import change, read, save
from domain.exception_case import ExceptionCase, ExceptionStatus


def as_parked(case: ExceptionCase) -> tuple[object, ...]:
    return (
        case.id,
        case.workflow,
        case.business_key,
        case.reason_code,
        case.owner_role,
        case.detail,
        case.payload,
        (case.created_at, case.updated_at, case.resolved_at),
        (case.attempts, case.status),
    )


def open_cases(uow_factory, business_key: str = "006GLOBEX") -> list[str]:
    return read(uow_factory, lambda uow: [c.id for c in uow.exceptions.open_cases(business_key)])


def test_a_parked_case_comes_back_by_its_id_with_its_owner_payload_and_times(uow_factory):
    case = a_parked_exception("006GLOBEX")
    save(uow_factory, "exceptions", case)
    loaded = read(uow_factory, lambda uow: uow.exceptions.get(case.id))
    assert as_parked(loaded) == as_parked(case)


def test_get_of_an_unknown_id_is_none(uow_factory):
    assert read(uow_factory, lambda uow: uow.exceptions.get("no-such-case")) is None


def test_open_cases_are_listed_oldest_first(uow_factory):
    newest, oldest, middle = (parked_minutes_after_now(m) for m in (20, 0, 10))
    save(uow_factory, "exceptions", newest, oldest, middle)
    assert open_cases(uow_factory) == [oldest.id, middle.id, newest.id]


def test_open_cases_are_those_of_the_business_key_only(uow_factory):
    mine, theirs = a_parked_exception("006GLOBEX"), a_parked_exception("006INITECH")
    save(uow_factory, "exceptions", mine, theirs)
    assert open_cases(uow_factory, "006GLOBEX") == [mine.id]


def test_resolved_and_discarded_cases_are_not_open(uow_factory):
    still_open, resolved, discarded = (parked_minutes_after_now(m) for m in (0, 1, 2))
    resolved.status, discarded.status = ExceptionStatus.RESOLVED, ExceptionStatus.DISCARDED
    save(uow_factory, "exceptions", still_open, resolved, discarded)
    assert open_cases(uow_factory) == [still_open.id]


def test_a_case_parked_in_a_unit_of_work_is_among_its_open_cases_before_commit(uow_factory):
    earlier, parked_now = parked_minutes_after_now(0), parked_minutes_after_now(5)
    save(uow_factory, "exceptions", earlier)
    with uow_factory() as uow:
        uow.exceptions.add(parked_now)
        assert [c.id for c in uow.exceptions.open_cases("006GLOBEX")] == [earlier.id, parked_now.id]


def test_a_listed_case_that_is_changed_and_committed_keeps_the_change(uow_factory):
    case = a_parked_exception("006GLOBEX")
    save(uow_factory, "exceptions", case)
    change(uow_factory, lambda uow: uow.exceptions.open_cases("006GLOBEX")[0], resolve)
    assert open_cases(uow_factory) == []


def test_a_listed_case_that_is_changed_but_not_committed_stays_as_it_was(uow_factory):
    case = a_parked_exception("006GLOBEX")
    save(uow_factory, "exceptions", case)
    change(
        uow_factory, lambda uow: uow.exceptions.open_cases("006GLOBEX")[0], resolve, commit=False
    )
    assert open_cases(uow_factory) == [case.id]


def resolve(case: ExceptionCase) -> None:
    case.status = ExceptionStatus.RESOLVED
