"""The saga worker thread: sweeps on its interval, outlives a failing sweep, stops on request."""

import threading
import time

from entrypoints.saga_worker import SagaWorker


def test_the_worker_sweeps_until_stopped_and_outlives_a_failing_sweep():
    swept = threading.Event()
    sweeps: list[int] = []

    def resume() -> int:
        sweeps.append(1)
        if len(sweeps) == 1:
            raise RuntimeError("the database went away")
        if len(sweeps) >= 3:
            swept.set()
        return 1

    worker = SagaWorker(resume, every_seconds=0.01).start()
    assert swept.wait(5)
    assert worker.stop(timeout=5)
    stopped_at = len(sweeps)
    time.sleep(0.05)
    assert len(sweeps) == stopped_at


def test_a_worker_never_started_stops_at_once():
    assert SagaWorker(lambda: 0, every_seconds=60).stop()
