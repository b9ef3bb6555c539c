from __future__ import annotations

import uuid
from collections.abc import Iterator

import grpc
import pytest

from entrypoints import settings
from entrypoints.runtime import Runtime


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("o2c")
    values = settings.read(
        {
            "O2C_DATABASE_URL": f"sqlite:///{folder / 'o2c.db'}",
            "O2C_NATS_URL": nats_url,
            "O2C_GRPC_ADDRESS": "127.0.0.1:0",
            "O2C_VENDOR_RETRY_FIRST_DELAY": "0.01",
            "O2C_SHUTDOWN_GRACE_SECONDS": "2",
        }
    )
    runtime = Runtime(values).start()
    yield runtime
    runtime.stop()


@pytest.fixture
def channel(service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield channel


@pytest.fixture
def run_key() -> str:
    return uuid.uuid4().hex[:8].upper()
