"""The Prometheus endpoint on loopback: the text format on /metrics, and with a token configured,
nothing for a scraper that does not present it."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter

from entrypoints.metrics_endpoint import MetricsEndpoint


@pytest.fixture
def registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    Counter("o2c_rpc_requests", "calls", registry=registry).inc(3)
    return registry


def scrape(endpoint: MetricsEndpoint, token: str = "") -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{endpoint.port}/metrics")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers["WWW-Authenticate"], ""


def test_a_scraper_reads_the_prometheus_text_format(registry):
    endpoint = MetricsEndpoint("127.0.0.1:0", registry).start()
    try:
        status, content_type, text = scrape(endpoint)
    finally:
        endpoint.stop()

    assert (status, content_type.split(";")[0]) == (200, "text/plain")
    assert "o2c_rpc_requests_total 3.0" in text.splitlines()


def test_with_a_token_only_the_scraper_presenting_it_reads_the_figures(registry):
    endpoint = MetricsEndpoint("127.0.0.1:0", registry, token="s3cret-scrape").start()
    try:
        anonymous, wrong, right = (
            scrape(endpoint, token) for token in ("", "guessed", "s3cret-scrape")
        )
    finally:
        endpoint.stop()

    assert anonymous[:2] == (401, 'Bearer realm="o2c-metrics"')
    assert wrong[0] == 401
    assert right[0] == 200 and "o2c_rpc_requests_total 3.0" in right[2]
