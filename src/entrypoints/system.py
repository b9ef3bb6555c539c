"""The real clock and id generator."""

from __future__ import annotations

import datetime as dt
import time
import uuid


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class UuidIds:
    def new_id(self) -> str:
        return str(uuid.uuid4())
