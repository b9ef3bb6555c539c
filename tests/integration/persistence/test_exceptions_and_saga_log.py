from __future__ import annotations

import datetime as dt

from domain.exception_case import ExceptionStatus, OwnerRole

from .builders import NOW, a_parked_exception, a_saga_step, new_id


def test_a_parked_exception_round_trips_with_its_owner_payload_and_timestamps(uow_factory):
    case = a_parked_exception("006GLOBEX")
    with uow_factory() as uow:
        uow.exceptions.add(case)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.exceptions.get(case.id)

    assert loaded is not None
    assert (loaded.workflow, loaded.business_key, loaded.reason_code) == (
        case.workflow,
        "006GLOBEX",
        "LEGAL_ENTITY_NOT_MAPPED",
    )
    assert (loaded.owner_role, loaded.status) == (OwnerRole.FINANCE, ExceptionStatus.OPEN)
    assert loaded.payload == case.payload
    assert (loaded.created_at, loaded.updated_at, loaded.resolved_at) == (NOW, NOW, None)
    assert (loaded.attempts, loaded.version, loaded.events) == (1, 1, [])


def test_open_cases_are_those_of_the_business_key_not_yet_resolved(uow_factory):
    open_case, resolved_case, other_case = (
        a_parked_exception("006GLOBEX"),
        a_parked_exception("006GLOBEX"),
        a_parked_exception("006INITECH"),
    )
    resolved_case.status = ExceptionStatus.RESOLVED
    with uow_factory() as uow:
        for case in (open_case, resolved_case, other_case):
            uow.exceptions.add(case)
        uow.commit()

    with uow_factory() as uow:
        found = uow.exceptions.open_cases("006GLOBEX")

    assert [case.id for case in found] == [open_case.id]


def test_saga_steps_come_back_in_the_order_they_were_recorded_even_at_the_same_instant(
    uow_factory,
):
    saga_id = new_id()
    names = ["erp.create_customer", "psa.create_project[EMEA-1]", "psa.create_project[APAC-1]"]
    for name in names:
        with uow_factory() as uow:
            uow.saga_log.add(a_saga_step(saga_id, name))
            uow.commit()
    with uow_factory() as uow:
        uow.saga_log.add(a_saga_step(new_id(), "erp.create_customer"))
        uow.commit()

    with uow_factory() as uow:
        steps = uow.saga_log.steps(saga_id)

    assert [step.step for step in steps] == names
    assert {step.recorded_at for step in steps} == {NOW}


def test_a_time_in_another_zone_comes_back_as_the_same_instant_in_utc(uow_factory):
    tokyo = dt.timezone(dt.timedelta(hours=9))
    saga_id = new_id()
    with uow_factory() as uow:
        uow.saga_log.add(a_saga_step(saga_id, "erp.create_customer", NOW.astimezone(tokyo)))
        uow.commit()

    with uow_factory() as uow:
        (step,) = uow.saga_log.steps(saga_id)

    assert step.recorded_at == NOW
    assert step.recorded_at.utcoffset() == dt.timedelta(0)
