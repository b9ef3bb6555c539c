"""What the saga machinery needs: a unit of work, a clock, ids, a retry policy and a lease."""

from __future__ import annotations

import datetime as dt

from attrs import Factory, frozen

from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.retry import RetryPolicy


@frozen
class SagaPorts:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    retry: RetryPolicy = Factory(RetryPolicy)
    lease_seconds: float = 60.0
    node: str = "o2c"

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.lease_seconds)

    def new_owner(self) -> str:
        return f"{self.node}/{self.ids.new_id()}"
