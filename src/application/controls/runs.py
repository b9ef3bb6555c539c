"""Each control run kept with its report, so variance can be charted over time."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen

from application.controls.report import Control, ControlReport


@frozen
class ControlRun:
    seq: int  # its place among runs, given by the store: later runs have higher ones
    report: ControlReport


class ControlRuns(Protocol):
    def add(self, report: ControlReport) -> int:
        """Keep the run; returns its `seq`."""
        ...

    def page(
        self, control: Control | None, legal_entity_code: str, before: int, limit: int
    ) -> list[ControlRun]:
        """Runs of the control (every control when None) for the legal entity ("" for runs over
        every legal entity, or any when `legal_entity_code` is "*"), newest first, older than
        the run whose `seq` is `before` (0 for the newest)."""
        ...
