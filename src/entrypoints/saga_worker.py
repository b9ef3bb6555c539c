"""The saga worker: a thread in the server that resumes sagas whose owner's lease ran out, so
a workflow left by a dead process finishes without waiting for a client to retry. The same
kind of thread reads the payments the ERPs received (`payment_reader`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import structlog

from application.billing_ports import BillingPorts
from application.erp_payments import read_erp_payments
from application.reference_sync import ReferenceSync


class SagaWorker:
    """Runs `resume` every `every_seconds` (never when that is 0), and logs what it did."""

    def __init__(
        self,
        resume: Callable[[], int],
        every_seconds: float,
        name: str = "saga-worker",
        doing: str = "resuming abandoned sagas",
        done: str = "resumed abandoned sagas",
    ) -> None:
        self.resume = resume
        self.every_seconds = every_seconds
        self.name, self.doing, self.done = name, doing, done
        self.rounds: Callable[[str], AbstractContextManager[bool]] = every_round_is_ours
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._log = structlog.get_logger(f"o2c.{name}")

    def start(self) -> SagaWorker:
        if self.every_seconds <= 0:
            return self
        self._thread = threading.Thread(target=self._main, name=f"o2c-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Lets the saga in hand finish its move; returns whether the worker stopped."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def one_replica_at_a_time(
        self, rounds: Callable[[str], AbstractContextManager[bool]]
    ) -> SagaWorker:
        """Runs a round only when `rounds(name)` says this replica holds the job."""
        self.rounds = rounds
        return self

    def sweep(self) -> None:
        try:
            with self.rounds(self.name) as ours:
                resumed = self.resume() if ours else 0
        except Exception:  # one bad round must not stop the worker; the next one tries again
            self._log.exception(f"{self.doing} failed")
            return
        if resumed:
            self._log.info(self.done, count=resumed)

    def _main(self) -> None:
        while not self._stop.wait(self.every_seconds):
            self.sweep()


@contextlib.contextmanager
def every_round_is_ours(job: str) -> Iterator[bool]:
    yield True


def reference_syncer(sync: ReferenceSync, every_seconds: float) -> SagaWorker:
    """Copies each ERP's master data and checks the customer master against the CRM."""
    return SagaWorker(
        lambda: len(sync.run().parked),
        every_seconds,
        name="reference-sync",
        doing="syncing ERP reference data",
        done="parked customer master disagreements",
    )


def payment_reader(billing: BillingPorts, every_seconds: float) -> SagaWorker:
    """Reads the cash each ERP applied and applies it to the invoices that ERP holds."""
    return SagaWorker(
        lambda: read_erp_payments(billing).applied,
        every_seconds,
        name="payment-reader",
        doing="reading ERP payments",
        done="applied ERP payments",
    )
