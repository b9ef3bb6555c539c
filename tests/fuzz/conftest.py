from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from support.databases import sqlite_url
from support.service import running_service

from entrypoints.runtime import Runtime

# The fuzz must reach the handlers, not the caller's rate limit.
GENEROUS_LIMITS = {
    "O2C_RATE_LIMIT_PER_SECOND": "1000000",
    "O2C_RATE_LIMIT_BURST": "1000000",
    "O2C_GRPC_MAX_WORKERS": "16",
}


@pytest.fixture(scope="module")
def fuzzed_service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    """The whole service on SQLite, as the fuzz's target."""
    database = sqlite_url(tmp_path_factory.mktemp("fuzz"))
    with running_service(database, nats_url, **GENEROUS_LIMITS) as runtime:
        yield runtime


@pytest.fixture
def fuzz_channel(fuzzed_service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{fuzzed_service.port}") as channel:
        yield channel
