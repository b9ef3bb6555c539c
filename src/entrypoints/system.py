"""The real clock, id generator and process name."""

from __future__ import annotations

import datetime as dt
import os
import socket
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


def node_name() -> str:
    """Who owns a saga, as an operator would look for it: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"
