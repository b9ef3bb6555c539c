"""Whether a charge may be invoiced: once, ever, unless a credit note released it and someone
re-approved it since.

One record per charge (its source id and kind), so that the repository loads only the
charges a billing cycle is about to invoice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from attrs import define

from domain.billing.charges import Charge, ChargeKind
from domain.errors import BillableEventConflict, InvalidTransition
from domain.invoicing.credit_notes import CreditNote
from domain.invoicing.lines import ChargeKey, key_of


class BilledWorkStatus(enum.Enum):
    INVOICED = "invoiced"
    RELEASED = "released"
    REAPPROVED = "reapproved"


@define(slots=False, eq=False)
class BilledWork:
    source_id: str
    kind: ChargeKind
    invoice_id: str
    status: BilledWorkStatus = BilledWorkStatus.INVOICED
    credit_note_id: str = ""
    times_invoiced: int = 1

    @property
    def key(self) -> ChargeKey:
        return (self.source_id, self.kind)

    def invoice_again(self, invoice_id: str) -> None:
        self.check_billable()
        self.invoice_id, self.status = invoice_id, BilledWorkStatus.INVOICED
        self.credit_note_id, self.times_invoiced = "", self.times_invoiced + 1

    def check_billable(self) -> None:
        if self.status is not BilledWorkStatus.REAPPROVED:
            raise BillableEventConflict(
                f"{self.source_id} ({self.kind.value}) is on invoice {self.invoice_id} "
                f"and is {self.status.value}: it is billed again only once re-approved",
                field="source_id",
                keys={"source_id": self.source_id, "invoice_id": self.invoice_id},
            )

    def release(self, note: CreditNote) -> None:
        """Credited in full by `note`: billable again once someone re-approves it."""
        released = note.invoice_id == self.invoice_id and self.source_id in note.releases
        if self.status is not BilledWorkStatus.INVOICED or not released:
            raise InvalidTransition(
                f"credit note {note.number} does not release {self.source_id}",
                field="source_id",
                keys={"source_id": self.source_id, "credit_note_id": note.credit_note_id},
            )
        self.status, self.credit_note_id = BilledWorkStatus.RELEASED, note.credit_note_id

    def reapprove(self) -> None:
        if self.status is not BilledWorkStatus.RELEASED:
            raise InvalidTransition(
                f"{self.source_id} is {self.status.value}: only released work is re-approved",
                field="source_id",
                keys={"source_id": self.source_id, "status": self.status.value},
            )
        self.status = BilledWorkStatus.REAPPROVED


def record_invoiced(
    charges: Sequence[Charge], invoice_id: str, known: Mapping[ChargeKey, BilledWork]
) -> list[BilledWork]:
    """The records of `charges` once on `invoice_id`: new ones, or re-approved ones billed
    again. Checked before any changes, so a refusal changes nothing."""
    for charge in charges:
        earlier = known.get(key_of(charge))
        if earlier is not None:
            earlier.check_billable()
    records = []
    for charge in charges:
        earlier = known.get(key_of(charge))
        if earlier is None:
            records.append(BilledWork(charge.source_id, charge.kind, invoice_id))
        else:
            earlier.invoice_again(invoice_id)
            records.append(earlier)
    return records
