"""The generic saga runner: starts sagas, drives them, and resumes those whose owner died.

It knows no workflow: each kind of saga is a SagaDefinition (engagement provisioning first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from application.correlation import correlated
from application.ports import UnitOfWork
from application.retry import OutOfTime
from application.saga_definition import SagaDefinition
from application.saga_drive import SagaDrive
from application.saga_ports import SagaPorts
from domain.errors import ConcurrentUpdate
from domain.requests import RequestKey
from domain.saga import Saga

ABANDONED_PER_SWEEP = 20


class SagaRunner:
    """Shared between threads: it holds no state of any one saga (a SagaDrive does)."""

    def __init__(self, ports: SagaPorts, definitions: Iterable[SagaDefinition]) -> None:
        self.ports = ports
        self.definitions: Mapping[str, SagaDefinition] = {d.kind: d for d in definitions}

    def start(
        self,
        uow: UnitOfWork,
        *,
        kind: str,
        business_key: str,
        context: dict[str, Any],
        request: RequestKey | None,
    ) -> Saga:
        """A new saga, owned by the caller, written in the caller's transaction."""
        saga = Saga.start(
            saga_id=self.ports.ids.new_id(),
            kind=kind,
            business_key=business_key,
            context=correlated(context),
            request=request,
            owner=self.ports.new_owner(),
            now=self.ports.clock.now(),
            lease=self.ports.lease,
        )
        uow.sagas.add(saga)
        return saga

    def drive(self, saga_id: str, owner: str, deadline: dt.datetime | None = None) -> None:
        """As far as the saga goes; quietly stops if another owner took it over meanwhile, and
        hands the saga to the resuming worker if `deadline` comes first."""
        drive = SagaDrive(self.ports, self.definitions, saga_id, owner, deadline)
        try:
            drive.run()
        except ConcurrentUpdate:
            return
        except OutOfTime:
            drive.release()
            return
        except Exception:
            drive.release()
            raise

    def resume_abandoned(self, limit: int = ABANDONED_PER_SWEEP) -> int:
        """Drive every saga whose owner's lease ran out and that this caller wins."""
        with self.ports.uow_factory() as uow:
            abandoned = uow.sagas.abandoned(self.ports.clock.now(), limit)
        resumed = 0
        for saga_id in abandoned:
            owner = self.ports.new_owner()
            if self.take_over(saga_id, owner):
                self.drive(saga_id, owner)
                resumed += 1
        return resumed

    def take_over(self, saga_id: str, owner: str) -> bool:
        now = self.ports.clock.now()
        try:
            with self.ports.uow_factory() as uow:
                won = uow.sagas.take_over(saga_id, owner, now, now + self.ports.lease)
                uow.commit()
        except ConcurrentUpdate:  # another worker's take-over committed first
            return False
        return won
