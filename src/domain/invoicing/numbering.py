"""Gapless document numbers per legal entity, taken at finalisation.

The number is a counter that starts at 1 with the legal entity's first invoice and never
restarts: not at a new period, not at a new year. The year printed in "US01-2026-000123" is
the year of issue, a label a reader finds useful; "US01-2027-000124" follows it on 1 January.
Numbers follow the days of issue, so a document may not be dated before the last one.
The repository persists the sequence and takes a number in the same transaction as the
finalisation it numbers: a rolled-back finalisation leaves no gap.
"""

from __future__ import annotations

import datetime as dt
import enum

from attrs import define, frozen

from domain.errors import InvalidField, NumberOutOfSequence


class Series(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


SERIES_MARK = {Series.INVOICE: "", Series.CREDIT_NOTE: "CN-"}


@frozen(order=True)
class DocumentNumber:
    legal_entity_code: str
    series: Series
    sequence: int
    year: int

    def __str__(self) -> str:
        mark = SERIES_MARK[self.series]
        return f"{self.legal_entity_code}-{mark}{self.year:04d}-{self.sequence:06d}"


@define(slots=False, eq=False)
class DocumentSequence:
    legal_entity_code: str
    series: Series = Series.INVOICE
    next_sequence: int = 1
    last_issued_on: dt.date | None = None

    @classmethod
    def start(cls, legal_entity_code: str, series: Series = Series.INVOICE) -> DocumentSequence:
        if not legal_entity_code:
            raise InvalidField("a sequence belongs to a legal entity", field="legal_entity_code")
        return cls(legal_entity_code, series)

    def take(self, legal_entity_code: str, issued_on: dt.date) -> DocumentNumber:
        self.check_takes(legal_entity_code, issued_on)
        number = DocumentNumber(legal_entity_code, self.series, self.next_sequence, issued_on.year)
        self.next_sequence += 1
        self.last_issued_on = issued_on
        return number

    def check_takes(self, legal_entity_code: str, issued_on: dt.date) -> None:
        if legal_entity_code != self.legal_entity_code:
            raise NumberOutOfSequence(
                f"{legal_entity_code}'s documents are not numbered by "
                f"{self.legal_entity_code}'s sequence",
                field="legal_entity_code",
                keys={"legal_entity_code": legal_entity_code},
            )
        if self.last_issued_on is not None and issued_on < self.last_issued_on:
            raise NumberOutOfSequence(
                f"{self.legal_entity_code} issued a document on {self.last_issued_on}: "
                f"the next is not dated {issued_on}",
                field="issued_on",
                keys={"issued_on": issued_on.isoformat()},
            )
