"""A stream of the test's own on a real NATS server, so tests never see each other's messages."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from attrs import frozen
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError
from support.nats import with_jetstream

from adapters.messaging.event_codec import encode
from adapters.messaging.relay import OutboxRelay
from adapters.messaging.subscriber import ReceivedEvent, read_events, read_messages
from adapters.outbox import OutboxMessage, OutboxStore, Stamp
from domain.events import Event


@frozen
class StreamUnderTest:
    url: str
    name: str
    root: str

    @classmethod
    def unique(cls, url: str) -> StreamUnderTest:
        tag = uuid.uuid4().hex[:12]
        return cls(url, f"O2C_TEST_{tag.upper()}", f"o2ctest{tag}")

    @property
    def prefix(self) -> str:
        return f"{self.root}.v1"

    @property
    def subjects(self) -> tuple[str, ...]:
        return (f"{self.root}.>",)

    def encode(self, event: Event, sequence: int = 1) -> OutboxMessage:
        return encode(event, Stamp(sequence), prefix=self.prefix)

    def relay(
        self,
        store: OutboxStore,
        url: str | None = None,
        subjects: tuple[str, ...] = (),
        **options: Any,
    ) -> OutboxRelay:
        return OutboxRelay(store, url or self.url, self.name, subjects or self.subjects, **options)

    def create(self, *subjects: str) -> None:
        """Creates the stream itself, as another application or an operator would have."""

        async def create(js: Any) -> None:
            await js.add_stream(StreamConfig(name=self.name, subjects=list(subjects)))

        asyncio.run(with_jetstream(self.url, create))

    def read(self) -> list[ReceivedEvent]:
        return asyncio.run(read_events(self.url, self.name, f"{self.root}.>", prefix=self.prefix))

    def headers(self) -> list[dict[str, str]]:
        messages = asyncio.run(read_messages(self.url, self.name, f"{self.root}.>"))
        added_by_the_client = {"Nats-Expected-Stream"}
        return [
            {
                name: value
                for name, value in (m.headers or {}).items()
                if name not in added_by_the_client
            }
            for m in messages
        ]

    def message_count(self) -> int:
        async def count(js: Any) -> int:
            return (await js.stream_info(self.name)).state.messages

        return asyncio.run(with_jetstream(self.url, count))

    def exists(self) -> bool:
        async def exists(js: Any) -> bool:
            try:
                await js.stream_info(self.name)
            except NotFoundError:
                return False
            return True

        return asyncio.run(with_jetstream(self.url, exists))

    def delete(self) -> None:
        async def delete(js: Any) -> None:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(self.name)

        asyncio.run(with_jetstream(self.url, delete))


def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
