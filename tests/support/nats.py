"""A real NATS server with JetStream for tests: the shared one if it answers, else our own."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nats

from adapters.messaging.embedded_nats import EmbeddedNats, EmbeddedNatsError
from support.infra import missing_service

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"


def nats_url_under_test() -> str:
    return os.environ.get("O2C_TEST_NATS_URL", DEFAULT_NATS_URL)


def jetstream_problem(url: str) -> str | None:
    """Why `url` is no NATS server with JetStream, or None when it is one."""

    async def account(js: Any) -> None:
        await js.account_info()

    try:
        asyncio.run(with_jetstream(url, account))
    except Exception as error:
        return repr(error)
    return None


async def with_jetstream(url: str, action: Callable[[Any], Any]) -> Any:
    client = await nats.connect(
        url, allow_reconnect=False, max_reconnect_attempts=1, connect_timeout=2
    )
    try:
        return await action(client.jetstream(timeout=5))
    finally:
        await client.close()


def embedded_or_missing(store_dir: Path, problem: str) -> EmbeddedNats:
    try:
        return EmbeddedNats(store_dir).start()
    except (EmbeddedNatsError, OSError) as error:
        missing_service("NATS with JetStream", f"{problem}; embedded server: {error}")
        raise
