"""The legacy database's session accounting: its limit on sessions, and refusals on cue."""

from __future__ import annotations

import threading
from typing import Any

from attrs import define, field
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError


def database_refusal(message: str) -> OperationalError:
    return OperationalError("connect", None, ConnectionRefusedError(message))


@define
class SessionWatch:
    """The sessions feeder systems hold on this database, as its session accounting sees them:
    at most `limit` at once (ORA-00018 past it), and refusals on cue for fault tests."""

    limit: int = 4
    most: int = 0
    over_limit: int = 0
    refused: int = 0
    down: bool = False
    _active: set[int] = field(factory=set)
    _refuse_next: int = 0
    _refuse_after: int = 0
    _lock: threading.Lock = field(factory=threading.Lock)

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)

    def refuse_sessions(self, count: int, *, after: int = 0) -> None:
        """Refuse `count` sessions, once `after` more have been granted."""
        with self._lock:
            self._refuse_next, self._refuse_after = count, after

    def _checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        with self._lock:
            refusal = self._refusal()
            if refusal is None:
                self._active.add(id(record))
                self.most = max(self.most, len(self._active))
        if refusal is not None:
            raise refusal

    def _refusal(self) -> OperationalError | None:
        if self.down:
            self.refused += 1
            return database_refusal("ORA-12541: TNS:no listener")
        if self._refuse_next > 0 and self._refuse_after == 0:
            self._refuse_next -= 1
            self.refused += 1
            return database_refusal("ORA-12520: TNS:listener could not find available handler")
        self._refuse_after = max(0, self._refuse_after - 1)
        if len(self._active) >= self.limit:
            self.over_limit += 1
            return database_refusal("ORA-00018: maximum number of sessions exceeded")
        return None

    def _checkin(self, _dbapi: Any, record: Any) -> None:
        with self._lock:
            self._active.discard(id(record))
