"""The daily controls: a thread in the server running every reconciliation control over every
legal entity every O2C_CONTROLS_SECONDS (never when 0), each run kept."""

from __future__ import annotations

from application.controls.run import Controls
from entrypoints.saga_worker import SagaWorker


def controls_worker(controls: Controls, every_seconds: float) -> SagaWorker:
    return SagaWorker(
        controls.run_daily,
        every_seconds,
        name="controls",
        doing="running the reconciliation controls",
        done="reconciliation controls found variances",
    )
