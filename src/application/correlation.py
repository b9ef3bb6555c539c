"""The correlation id of the work in hand, and the business key it is about: set where work
enters (a gRPC call, a vendor event, a resumed saga) and read wherever it leaves (the outbox,
vendor requests, the vendor call log, the logs)."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from attrs import evolve, frozen

MAX_LENGTH = 64
CONTEXT_KEY = "correlation_id"


@frozen
class Trace:
    correlation_id: str
    business_key: str = ""


_current: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("o2c_trace", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def accepted(offered: str) -> str:
    """The caller's id when it is a short printable token, else a new one."""
    if 0 < len(offered) <= MAX_LENGTH and offered.isprintable() and offered.isascii():
        return offered
    return new_correlation_id()


def current_trace() -> Trace | None:
    return _current.get()


def correlation_id() -> str:
    trace = _current.get()
    return "" if trace is None else trace.correlation_id


def business_key() -> str:
    trace = _current.get()
    return "" if trace is None else trace.business_key


@contextlib.contextmanager
def traced(trace: Trace) -> Iterator[Trace]:
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


@contextlib.contextmanager
def about(key: str) -> Iterator[Trace]:
    """The current trace narrowed to `key` (a new trace when there is none)."""
    trace = _current.get() or Trace(new_correlation_id())
    with traced(evolve(trace, business_key=key or trace.business_key)) as narrowed:
        yield narrowed


class Traced(Protocol):
    @property
    def business_key(self) -> str: ...
    @property
    def context(self) -> dict[str, Any]: ...


def correlated(context: dict[str, Any]) -> dict[str, Any]:
    """A saga's context with the correlation id of the work that starts it, so a resumed saga
    carries it on."""
    if not correlation_id():
        return context
    return {**context, CONTEXT_KEY: correlation_id()}


def trace_of(saga: Traced) -> Trace:
    """The saga's own trace: the id it was started under (or the current one), its key."""
    kept = str(saga.context.get(CONTEXT_KEY, "")) or correlation_id() or new_correlation_id()
    return Trace(kept, saga.business_key)
