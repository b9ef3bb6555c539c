"""Every HTTP call to a vendor system, stamped and logged: each request carries the work's
correlation id as `X-Correlation-Id`, and each answer is recorded (system, method and path
template, status, latency, attempt, correlation id, business key) for lineage.

Recording never slows the call much nor fails it: a call is put on a bounded in-memory queue
(dropped, and counted, when the queue is full) that a daemon thread writes in batches, each in
a transaction of its own. A call that gets no answer at all (a refused connection, a timeout) is
not recorded here; the saga step that made it records its outcome.

The vendor clients are built deep inside their adapters and called from gRPC threads, saga
workers, consumers and pollers alike, so the log a process writes to is registered once, by
the runtime (`install`), rather than passed to each client: the one process-wide hook, like the
logging configuration."""

from __future__ import annotations

import collections
import datetime as dt
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import structlog
from attrs import frozen

from application.correlation import business_key, correlation_id

HEADER = "X-Correlation-Id"
STARTED = "o2c.started"
QUEUE_SIZE = 10_000
BATCH = 500
REMEMBERED_REQUESTS = 4096
ID_SEGMENT = re.compile(r"\d")
WORD_SEGMENT = re.compile(r"^(v\d+(\.\d+)*|[A-Za-z_]+\d{0,2})$")  # v60.0, oauth2, data
KEY_IN_PARENS = re.compile(r"\([^)]*\)")

log = structlog.get_logger("o2c.vendor_calls")


@frozen
class VendorCall:
    called_at: dt.datetime
    system: str
    operation: str
    status: str
    latency_ms: int
    attempt: int
    correlation_id: str
    business_key: str


Writer = Callable[[Sequence[VendorCall]], None]


class VendorCallLog:
    def __init__(self, write: Writer, queue_size: int = QUEUE_SIZE) -> None:
        self.write = write
        self.dropped = 0
        self._queue: queue.Queue[VendorCall | None] = queue.Queue(maxsize=queue_size)
        self._seen: collections.OrderedDict[tuple[str, ...], int] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> VendorCallLog:
        self._thread = threading.Thread(target=self._drain, name="o2c-vendor-calls", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def flush(self) -> None:
        """Returns once every call recorded so far is written (or given up)."""
        self._queue.join()

    def record(self, call: VendorCall) -> None:
        try:
            self._queue.put_nowait(call)
        except queue.Full:
            self.dropped += 1

    def attempt(self, *request: str) -> int:
        """How many times this correlation id has made this very request, this one included."""
        with self._lock:
            count = self._seen.pop(request, 0) + 1
            self._seen[request] = count
            if len(self._seen) > REMEMBERED_REQUESTS:
                self._seen.popitem(last=False)
            return count

    def _drain(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            calls = [call for call in batch if call is not None]
            self._write(calls)
            for _ in batch:
                self._queue.task_done()
            if first is None or None in batch:
                return

    def _write(self, calls: list[VendorCall]) -> None:
        if not calls:
            return
        try:
            self.write(calls)
        except Exception:
            log.exception("vendor calls lost", count=len(calls))


_installed: list[VendorCallLog] = []


def install(call_log: VendorCallLog) -> None:
    _installed.append(call_log)


def uninstall(call_log: VendorCallLog) -> None:
    if call_log in _installed:
        _installed.remove(call_log)


def installed() -> VendorCallLog | None:
    return _installed[-1] if _installed else None


def vendor_hooks(system: str) -> dict[str, list[Callable[..., Any]]]:
    """`event_hooks` for a vendor's `httpx.Client`."""

    def stamp(request: httpx.Request) -> None:
        request.extensions = {**request.extensions, STARTED: time.perf_counter()}
        if correlation_id():
            request.headers[HEADER] = correlation_id()

    def note(response: httpx.Response) -> None:
        call_log = installed()
        if call_log is not None:
            call_log.record(call_of(system, response, call_log))

    return {"request": [stamp], "response": [note]}


def call_of(system: str, response: httpx.Response, call_log: VendorCallLog) -> VendorCall:
    request = response.request
    started = request.extensions.get(STARTED, time.perf_counter())
    correlation = request.headers.get(HEADER, "")
    return VendorCall(
        called_at=dt.datetime.now(dt.UTC),
        system=system,
        operation=operation_of(request),
        status=str(response.status_code),
        latency_ms=round((time.perf_counter() - started) * 1000),
        attempt=call_log.attempt(correlation, system, request.method, str(request.url)),
        correlation_id=correlation,
        business_key=business_key(),
    )


def operation_of(request: httpx.Request) -> str:
    return f"{request.method} {path_template(request.url.path)}"


def path_template(path: str) -> str:
    """Ids out of the path, so calls group by what they did: "/sobjects/Account/{id}"."""
    return "/".join(template_segment(segment) for segment in path.split("/"))


def template_segment(segment: str) -> str:
    if WORD_SEGMENT.match(segment):
        return segment
    segment = KEY_IN_PARENS.sub("({key})", segment)
    if "(" not in segment and ID_SEGMENT.search(segment):
        return "{id}"
    return segment
