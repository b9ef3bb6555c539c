"""Payment terms: the days a customer has to pay, counted from the day of issue."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from domain.errors import InvalidField

MAX_DAYS = 366


@frozen
class PaymentTerms:
    days: int

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.days <= MAX_DAYS:
            raise InvalidField(
                f"payment terms are 0 to {MAX_DAYS} days", field="payment_terms.days"
            )

    def due_on(self, issued_on: dt.date) -> dt.date:
        try:
            return issued_on + dt.timedelta(days=self.days)
        except OverflowError:
            raise InvalidField(
                f"an invoice issued on {issued_on} would fall due after the calendar's last day",
                field="issued_on",
                keys={"issued_on": issued_on.isoformat()},
            ) from None

    def __str__(self) -> str:
        return "due on receipt" if self.days == 0 else f"net {self.days} days"


NET_30 = PaymentTerms(30)
