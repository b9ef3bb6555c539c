"""The relay's own event loop in a daemon thread, for a synchronous server (nats-py is asyncio);
the vendor-event consumers run in one too."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Protocol

import structlog


class Relay(Protocol):
    async def run(
        self, stop: asyncio.Event, idle_interval: float, wake: asyncio.Event | None
    ) -> None: ...


class RelayThread:
    def __init__(
        self, relay: Relay, idle_interval: float = 1.0, name: str = "outbox relay"
    ) -> None:
        self.relay = relay
        self.idle_interval = idle_interval
        self.name = name
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._log = structlog.get_logger("o2c.relay")

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self.name} thread was already started")
        thread_name = "o2c-" + self.name.replace(" ", "-")
        self._thread = threading.Thread(target=self._main, name=thread_name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def wake(self) -> None:
        """Publishes now rather than after the idle interval, e.g. right after a commit."""
        self._call_in_loop(self._wake)

    def stop(self, timeout: float = 10.0) -> bool:
        """Lets the batch in flight finish, cancelling it only once `timeout` ran out.

        Returns whether the relay stopped."""
        if self._thread is None:
            return True
        self._call_in_loop(self._stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._log.warning(f"{self.name} did not stop in time; cancelling", timeout=timeout)
            self._cancel()
            self._thread.join(1.0)
        return not self._thread.is_alive()

    def _call_in_loop(self, event: asyncio.Event | None) -> None:
        loop = self._loop
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the relay already stopped
                loop.call_soon_threadsafe(event.set)

    def _cancel(self) -> None:
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except asyncio.CancelledError:
            self._log.warning(f"{self.name} cancelled")
        except Exception:
            self._log.exception(f"{self.name} crashed")
        finally:
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop, self._wake = asyncio.Event(), asyncio.Event()
        self._task = asyncio.current_task()
        self._ready.set()
        await self.relay.run(self._stop, self.idle_interval, self._wake)
