"""What the runtime starts for operations to watch it: the Prometheus endpoint with the business
and per-RPC metrics, and tracing when an OTLP endpoint is configured."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
import structlog
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from adapters.metrics.figures import Figures
from adapters.metrics.queries import read_figures
from application.ports import Clock
from entrypoints.grpc.observed import Measured, RpcMetrics
from entrypoints.metrics import BusinessMetrics, CachedFigures
from entrypoints.metrics_endpoint import MetricsEndpoint
from entrypoints.tracing import Tracing, tracing_for

log = structlog.get_logger("o2c.metrics")


class Observability:
    def __init__(self, config: Mapping[str, Any], engine: Engine, clock: Clock) -> None:
        self.config = config
        self.registry = CollectorRegistry()
        self.figures: Callable[[], Figures] = CachedFigures(
            functools.partial(figures_now, engine, clock), config["metrics_cache_seconds"]
        )
        self.registry.register(BusinessMetrics(self.figures))
        self.rpc_metrics = RpcMetrics(self.registry)
        self.tracing: Tracing | None = tracing_for(config["otlp_endpoint"])
        self.endpoint: MetricsEndpoint | None = None

    def interceptors(self) -> list[grpc.ServerInterceptor]:
        """Outermost of all, so that refused calls are counted and traced too."""
        traced = [self.tracing.interceptor] if self.tracing else []
        return [Measured(self.rpc_metrics), *traced]

    def start(self) -> Observability:
        address = self.config["metrics_address"]
        if not address:
            return self
        token = read_token(self.config["metrics_token_file"])
        try:
            self.endpoint = MetricsEndpoint(address, self.registry, token).start()
        except OSError as error:  # metrics are no reason to refuse to serve the APIs
            log.warning("metrics endpoint not started", address=address, error=str(error))
            return self
        log.info("metrics serving", port=self.endpoint.port, bearer_token=bool(token))
        return self

    def stop(self) -> None:
        if self.endpoint is not None:
            self.endpoint.stop()
        if self.tracing is not None:
            self.tracing.stop()


def figures_now(engine: Engine, clock: Clock) -> Figures:
    return read_figures(engine, clock.now())


def read_token(path: str) -> str:
    return Path(path).read_text().strip() if path else ""
