"""The saga worker: a thread in the server that resumes sagas whose owner's lease ran out, so
a workflow left by a dead process finishes without waiting for a client to retry."""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog


class SagaWorker:
    def __init__(self, resume: Callable[[], int], every_seconds: float) -> None:
        self.resume = resume
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._log = structlog.get_logger("o2c.sagas")

    def start(self) -> SagaWorker:
        self._thread = threading.Thread(target=self._main, name="o2c-saga-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Lets the saga in hand finish its move; returns whether the worker stopped."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def sweep(self) -> None:
        try:
            resumed = self.resume()
        except Exception:  # one bad saga must not stop the worker; its lease will run out again
            self._log.exception("resuming abandoned sagas failed")
            return
        if resumed:
            self._log.info("resumed abandoned sagas", count=resumed)

    def _main(self) -> None:
        while not self._stop.wait(self.every_seconds):
            self.sweep()
