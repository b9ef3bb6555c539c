"""The key a command is remembered by: who asked, for what, under which request id."""

from __future__ import annotations

from attrs import frozen


@frozen
class RequestKey:
    caller: str
    operation: str
    request_id: str
