"""Approved work read from the PSA, for a PSA that does not send it as events: every item
approved in the look-back window, page by page, staged through the same path as an event. An
item's kind and PSA id are its event id, so reading it again changes nothing; one that cannot be
staged is parked once for the PMO; a PSA that cannot be read is read again next round."""

from __future__ import annotations

import datetime as dt
import json

from attrs import asdict, frozen

from application.ports import Clock
from application.psa_work_ports import ApprovedWork, PsaWork
from application.vendor_events import (
    ApprovedWorkEvents,
    Outcome,
    Parking,
    VendorMessage,
    receive,
)
from domain.exception_case import OwnerRole, Workflow

PAGE = 200
SUBJECT = "psa.approved_work"


@frozen
class PsaWorkReader:
    psa: PsaWork
    events: ApprovedWorkEvents
    parking: Parking
    clock: Clock
    look_back_days: int = 60

    def read(self) -> int:
        """Items staged this round."""
        since = self.clock.now().date() - dt.timedelta(days=self.look_back_days)
        cursor, staged = "", 0
        while True:
            page = self.psa.approved_work(since, cursor, PAGE)
            for item in page.items:
                outcome = self.stage(item)
                if outcome is Outcome.RETRY:
                    return staged  # a fault: the rest waits for the next round
                staged += outcome is Outcome.DONE
            if not page.next_cursor:
                return staged
            cursor = page.next_cursor

    def stage(self, item: ApprovedWork) -> Outcome:
        event_id = f"{item.kind}-{item.source_id}"
        payload = json.dumps({**asdict(item), "extensions": dict(item.extensions)}).encode()
        message = VendorMessage(SUBJECT, event_id, payload, delivery=1, max_deliveries=2)
        return receive(
            message,
            lambda _: self.events.stage(item, event_id),
            self.parking,
            Workflow.APPROVED_WORK_TO_STAGING,
            OwnerRole.PMO,
        )
