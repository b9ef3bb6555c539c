"""o2c as it runs: `o2c serve` on a scratch PostgreSQL database and a scratch stream, with
idempotency, the outbox, the relay and token authentication on; callers sign real tokens with
the server's development key."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import grpc

from bench.processes import o2c_command, server_process
from bench.scratch import NATS_URL, run_tag, scratch_database
from entrypoints import settings
from entrypoints.grpc.dev_tokens import bearer_metadata, development_principal, development_token

Metadata = tuple[tuple[str, str], ...]


class Service:
    def __init__(self, values: dict[str, str], port: int) -> None:
        self.values = values
        self.port = port
        self.address = f"127.0.0.1:{port}"

    def metadata(self, system: str) -> Metadata:
        token = development_token(self.values, development_principal(system))
        return bearer_metadata(token)

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)


def service_settings(
    database_url: str, scratch: Path, tag: str, **overrides: str
) -> dict[str, str]:
    return {
        "O2C_DATABASE_URL": database_url,
        "O2C_NATS_URL": NATS_URL,
        "O2C_STREAM": f"O2C_BENCH_{tag.upper()}",
        "O2C_SUBJECT_PREFIX": f"o2cbench{tag}.v1",
        "O2C_VENDOR_EVENT_STREAM": f"O2C_BENCH_VENDOR_{tag.upper()}",
        "O2C_VENDOR_EVENT_PREFIX": f"vendorbench{tag}",
        "O2C_GRPC_ADDRESS": "127.0.0.1:0",
        "O2C_DASHBOARD_ADDRESS": "",
        "O2C_METRICS_ADDRESS": "127.0.0.1:0",
        "O2C_AUTH_DEV_KEYS": "true",
        "O2C_AUTH_DEV_KEYS_DIR": str(scratch / "keys"),
        "O2C_ERP_SIMULATORS_DIR": str(scratch / "erp"),
        "O2C_SHUTDOWN_GRACE_SECONDS": "2",
        # The per-caller rate limit guards a shared service from one noisy caller; the bench is
        # that caller on purpose. Everything else stays as it ships.
        "O2C_RATE_LIMIT_PER_SECOND": "1000000",
        "O2C_RATE_LIMIT_BURST": "1000000",
        "O2C_LOG_LEVEL": "WARNING",
        **overrides,
    }


@contextlib.contextmanager
def running_o2c(scratch: Path, **overrides: str) -> Iterator[tuple[Service, int]]:
    """o2c serving on a database of its own: the service and the server's process id."""
    tag = run_tag()
    scratch.mkdir(parents=True, exist_ok=True)
    with scratch_database(tag) as database_url:
        values = settings.read(service_settings(database_url, scratch, tag, **overrides))
        env = {name: value for name, value in values.items()}
        try:
            with server_process(o2c_command("serve"), env, scratch / "o2c.log") as (process, port):
                yield Service(values, port), process.pid
        finally:
            _delete_streams(values)


def _delete_streams(values: dict[str, str]) -> None:
    import asyncio

    import nats

    async def delete() -> None:
        client = await nats.connect(values["O2C_NATS_URL"])
        js = client.jetstream()
        for stream in (values["O2C_STREAM"], values["O2C_VENDOR_EVENT_STREAM"]):
            with contextlib.suppress(Exception):
                await js.delete_stream(stream)
        await client.close()

    with contextlib.suppress(Exception):
        asyncio.run(delete())
