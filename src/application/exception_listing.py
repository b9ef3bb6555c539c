"""Reading the exception queue: which cases, in which order, one page at a time."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from domain.exception_case import ExceptionStatus, OwnerRole, Workflow


@frozen
class ExceptionFilter:
    """Empty values match every case; filters set are all applied."""

    owner_role: OwnerRole | None = None
    workflow: Workflow | None = None
    business_key: str = ""
    status: ExceptionStatus | None = None
    created_after: dt.datetime | None = None  # at or after
    created_before: dt.datetime | None = None  # strictly before


@frozen
class ExceptionCursor:
    """A case's place in the listing order: oldest first, ties by id."""

    created_at: dt.datetime
    exception_id: str

    def key(self) -> str:
        return f"{self.created_at.isoformat()}|{self.exception_id}"

    @classmethod
    def of_key(cls, key: str) -> ExceptionCursor:
        """Raises ValueError for a key no cursor gave."""
        moment, separator, exception_id = key.partition("|")
        when = dt.datetime.fromisoformat(moment)
        if not separator or not exception_id or when.tzinfo is None:
            raise ValueError("not a place in the exception listing")
        return cls(when, exception_id)
