"""The whole o2c service, started in-process on a free port for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nats.js.errors import NotFoundError

from entrypoints import settings
from entrypoints.runtime import Runtime
from support.auth import trusted_key_settings
from support.databases import postgres_schema_url, sqlite_url
from support.nats import with_jetstream


@contextlib.contextmanager
def running_service(database_url: str, nats_url: str, **overrides: str) -> Iterator[Runtime]:
    """The service on a stream and subjects of its own, so it never reads another run's events.

    It trusts the tokens of `support.auth` and simulates no ERP; `overrides` are further
    settings, e.g. O2C_SAGA_LEASE_SECONDS="1" or O2C_ERP_SIMULATORS="true"."""
    tag = uuid.uuid4().hex[:10]
    runtime = Runtime(
        settings.read(
            {
                "O2C_DATABASE_URL": database_url,
                "O2C_NATS_URL": nats_url,
                "O2C_STREAM": f"O2C_E2E_{tag.upper()}",
                "O2C_SUBJECT_PREFIX": f"o2ce2e{tag}.v1",
                "O2C_VENDOR_EVENT_STREAM": f"O2C_E2E_VENDOR_{tag.upper()}",
                "O2C_VENDOR_EVENT_PREFIX": f"vendore2e{tag}",
                "O2C_GRPC_ADDRESS": "127.0.0.1:0",
                "O2C_VENDOR_RETRY_FIRST_DELAY": "0.01",
                "O2C_SHUTDOWN_GRACE_SECONDS": "2",
                "O2C_ERP_SIMULATORS": "false",
                "O2C_DASHBOARD_ADDRESS": "",  # a test that wants it asks for 127.0.0.1:0
                "O2C_METRICS_ADDRESS": "127.0.0.1:0",
                **trusted_key_settings(),
                **overrides,
            }
        )
    ).start()
    try:
        yield runtime
    finally:
        runtime.stop()
        delete_stream(runtime.values["O2C_NATS_URL"], runtime.values["O2C_STREAM"])
        delete_stream(runtime.values["O2C_NATS_URL"], runtime.values["O2C_VENDOR_EVENT_STREAM"])


def delete_stream(nats_url: str, stream: str) -> None:
    async def delete(js: Any) -> None:
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)

    with contextlib.suppress(Exception):  # a broker the test stopped has nothing left to delete
        asyncio.run(with_jetstream(nats_url, delete))


def service_on(
    backend: str, scratch: os.PathLike[str], nats_url: str, **overrides: str
) -> Iterator[Runtime]:
    """The service on a fresh SQLite file in `scratch`, or in a fresh PostgreSQL schema."""
    if backend == "sqlite":
        with running_service(sqlite_url(scratch), nats_url, **overrides) as runtime:
            yield runtime
        return
    for url in postgres_schema_url():
        with running_service(url, nats_url, **overrides) as runtime:
            yield runtime


def with_simulated_erps(
    backend: str, scratch: Path, nats_url: str, **overrides: str
) -> Iterator[Runtime]:
    """The service with NetSuite, Dynamics 365 and the legacy ERP simulated in-process, and a
    saga worker quick enough for a test to see postings settle."""
    yield from service_on(
        backend,
        scratch,
        nats_url,
        O2C_ERP_SIMULATORS="true",
        O2C_ERP_SIMULATORS_DIR=str(scratch / "erp"),
        O2C_AUTH_DEV_KEYS_DIR=str(scratch / "keys"),
        O2C_SAGA_SWEEP_SECONDS="0.2",
        **overrides,
    )
