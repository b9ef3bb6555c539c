"""The principal of the call in progress, set by the authentication interceptor around the
handler (gRPC runs each call's handler on one worker thread, start to end)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from domain.principal import Principal

_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "o2c_principal", default=None
)


def current_principal() -> Principal | None:
    return _current.get()


@contextmanager
def calling_as(principal: Principal) -> Iterator[None]:
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)
