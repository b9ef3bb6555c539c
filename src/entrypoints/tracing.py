"""OpenTelemetry tracing, only when an OTLP endpoint is configured: otherwise nothing of
OpenTelemetry is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from entrypoints.grpc.observed import Traced

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

TRACES_PATH = "/v1/traces"


class Tracing:
    """A tracer provider of o2c's own (the global one is left alone) and its interceptor."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.interceptor = Traced(provider.get_tracer("o2c"))

    def stop(self) -> None:
        self.provider.shutdown()  # flushes the spans still queued


def tracing_for(endpoint: str) -> Tracing | None:
    """Spans sent by OTLP over HTTP to `endpoint` (a collector's base URL), or no tracing."""
    if not endpoint.strip():
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    url = endpoint.strip().rstrip("/")
    exporter = OTLPSpanExporter(endpoint=url if url.endswith(TRACES_PATH) else url + TRACES_PATH)
    return tracing_with(exporter, BatchSpanProcessor)


def tracing_with(exporter: SpanExporter, processor: type | None = None) -> Tracing:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "o2c"}))
    provider.add_span_processor((processor or SimpleSpanProcessor)(exporter))
    return Tracing(provider)
