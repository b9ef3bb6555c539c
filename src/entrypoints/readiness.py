"""Readiness on gRPC health: liveness ("") stays SERVING while the outbox cannot publish, and
`o2c.v1.Readiness` turns NOT_SERVING, so a balancer or an operator sees it; why is logged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog
from grpc_health.v1 import health, health_pb2

from adapters.messaging.outbox_health import OutboxHealth

READINESS_SERVICE = "o2c.v1.Readiness"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def interval_for(stale_after: float) -> float:
    """Checks often enough to notice a stale outbox within a quarter of its limit."""
    return max(0.1, min(5.0, stale_after / 4))


class ReadinessWatcher:
    def __init__(
        self,
        check: Callable[[], OutboxHealth],
        health_servicer: health.HealthServicer,
        interval: float = 5.0,
        remind_every: float = 60.0,
    ) -> None:
        self.check = check
        self.health = health_servicer
        self.interval = interval
        self.remind_every = remind_every
        self._logged_at = 0.0
        self.last: OutboxHealth | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="o2c-readiness", daemon=True)
        self._log = structlog.get_logger("o2c.readiness")

    def start(self) -> ReadinessWatcher:
        self.refresh()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.interval + 1.0)

    def refresh(self) -> OutboxHealth:
        report = self.check()
        self.health.set(READINESS_SERVICE, SERVING if report.ready else NOT_SERVING)
        self._log_change(report)
        self.last = report
        return report

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:
                self._log.exception("readiness check failed")

    def _log_change(self, report: OutboxHealth) -> None:
        """Logs each change, and while not ready a reminder every `remind_every` seconds, so
        the growing age shows in the log without a line per check."""
        previous, now = self.last, time.monotonic()
        changed = previous is None or (previous.ready, previous.reason) != (
            report.ready,
            report.reason,
        )
        if not changed and (report.ready or now - self._logged_at < self.remind_every):
            return
        self._logged_at = now
        if report.ready:
            self._log.info("o2c ready", outbox=report.describe())
            return
        log = self._log.error if changed else self._log.warning
        log(
            "o2c not ready" if changed else "o2c still not ready",
            reason=report.reason,
            detail=report.detail,
            oldest_pending_seconds=report.oldest_pending_age,
        )
