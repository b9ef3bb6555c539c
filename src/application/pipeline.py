"""The one way a mutating command runs: claimed under its idempotency key, worked, answered.

The claim and the command's first state write share one transaction. The work either answers
at once (the answer is stored with the claim) or starts a saga, which stores the answer in the
transaction that concludes it; meanwhile a retry of the key gets RequestInProgress at once.
A lost race (ConcurrentUpdate) is retried from the claim a bounded number of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from attrs import frozen

from application.idempotency import check_request_id, fingerprint, replay
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.saga_runner import SagaRunner
from domain.errors import ConcurrentUpdate
from domain.requests import RequestKey
from domain.saga import Saga

Answer = Mapping[str, object]
Work = Callable[[UnitOfWork], Answer | Saga]
ATTEMPTS = 3


@frozen
class Pipeline:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    sagas: SagaRunner | None = None
    attempts: int = ATTEMPTS

    def run(
        self, key: RequestKey, command: object, work: Work, deadline: dt.datetime | None = None
    ) -> Answer:
        """`deadline`: when the caller stops waiting; a saga not finished by then goes on in the
        resuming worker, and the caller gets RequestInProgress (retry later, same key)."""
        check_request_id(key.request_id)
        print_ = fingerprint(command)
        for _ in range(self.attempts - 1):
            try:
                return self.run_once(key, print_, work, deadline)
            except ConcurrentUpdate:  # another request wrote the same data first: look again
                continue
        return self.run_once(key, print_, work, deadline)

    def run_once(
        self, key: RequestKey, print_: str, work: Work, deadline: dt.datetime | None
    ) -> Answer:
        with self.uow_factory() as uow:
            first = uow.requests.claim(key, print_, self.clock.now())
            if first is not None:
                return replay(first, print_)
            outcome = work(uow)
            if not isinstance(outcome, Saga):
                uow.requests.complete(key, outcome)
            uow.commit()
        if not isinstance(outcome, Saga):
            return outcome
        return self.answer_of_saga(key, print_, outcome, deadline)

    def answer_of_saga(
        self, key: RequestKey, print_: str, saga: Saga, deadline: dt.datetime | None
    ) -> Answer:
        assert self.sagas is not None, "a command that starts a saga needs a saga runner"
        self.sagas.drive(saga.id, saga.owner, deadline)
        with self.uow_factory() as uow:
            record = uow.requests.get(key)
        assert record is not None
        return replay(record, print_)
