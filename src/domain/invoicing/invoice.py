"""The invoice: a draft that is built and previewed, then finalised with a gapless number and
never changed again; credit notes and payments settle it.

Totals are always the sums of the lines: tax is rounded per line and never again on a total,
and an invoice discount is allocated across the lines so that its parts sum to it exactly.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from attrs import Attribute, define, field

from domain.allocation import allocate
from domain.billing.charges import Charge
from domain.errors import CurrencyMismatch, InvalidField, InvalidTransition, InvoiceImmutable
from domain.events import Event
from domain.invoicing.credit_notes import Credited, CreditLine, CreditNote, credit_line
from domain.invoicing.document import InvoiceDocument, document_of
from domain.invoicing.lines import (
    ChargeKey,
    InvoiceLine,
    LineSums,
    check_charges,
    key_of,
    sum_of,
)
from domain.invoicing.numbering import DocumentNumber, DocumentSequence, Series
from domain.invoicing.outcomes import credit_note_issued, finalised, payment_applied
from domain.invoicing.payment_terms import PaymentTerms
from domain.invoicing.payments import Payment, PaymentApplication
from domain.invoicing.tax import Customer, LegalEntity, TaxTable
from domain.money import Money, check_currency

LINE_SUMS = "_line_sums"  # not fields: kept beside the lines they were worked out from
BILLED_KEYS = "_billed_keys"


class InvoiceStatus(enum.Enum):
    DRAFT = "draft"
    FINALISED = "finalised"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CREDITED = "credited"


def unchanged_once_final(invoice: Invoice, attribute: Attribute[Any], value: Any) -> Any:
    if invoice.status is not InvoiceStatus.DRAFT:
        invoice.refuse_change(attribute.name)
    return value


def never_back_to_draft(invoice: Invoice, attribute: Attribute[Any], value: Any) -> Any:
    if value is InvoiceStatus.DRAFT and invoice.status is not InvoiceStatus.DRAFT:
        invoice.refuse_change(attribute.name)
    return value


@define(slots=False, eq=False)
class Invoice:
    id: str
    engagement_id: str
    legal_entity: LegalEntity = field(on_setattr=unchanged_once_final)
    customer: Customer = field(on_setattr=unchanged_once_final)
    currency: str = field(on_setattr=unchanged_once_final)
    payment_terms: PaymentTerms = field(on_setattr=unchanged_once_final)
    lines: tuple[InvoiceLine, ...] = field(default=(), on_setattr=unchanged_once_final)
    discount: Money | None = field(default=None, on_setattr=unchanged_once_final)
    number: DocumentNumber | None = field(default=None, on_setattr=unchanged_once_final)
    issued_on: dt.date | None = field(default=None, on_setattr=unchanged_once_final)
    status: InvoiceStatus = field(default=InvoiceStatus.DRAFT, on_setattr=never_back_to_draft)
    credit_notes: tuple[CreditNote, ...] = ()
    payments: tuple[PaymentApplication, ...] = ()
    events: list[Event] = field(factory=list)

    @classmethod
    def draft(
        cls,
        *,
        invoice_id: str,
        engagement_id: str,
        legal_entity: LegalEntity,
        customer: Customer,
        currency: str,
        payment_terms: PaymentTerms,
    ) -> Invoice:
        """An empty draft for one engagement, legal entity and currency."""
        for name, value in (("invoice_id", invoice_id), ("engagement_id", engagement_id)):
            if not value:
                raise InvalidField(f"{name} is required", field=name)
        check_currency(currency)
        return cls(invoice_id, engagement_id, legal_entity, customer, currency, payment_terms)

    def bill(
        self, charges: Sequence[Charge], *, description: str, service_type: str, taxes: TaxTable
    ) -> InvoiceLine:
        """A line billing `charges`, taxed by the table's rule for this invoice's parties."""
        self.check_draft("lines")
        billed = self.billed_keys()
        new = check_charges(charges, self.currency, billed)
        rate = taxes.rate(self.legal_entity.country, self.customer, service_type)
        line = InvoiceLine.of(len(self.lines) + 1, description, service_type, tuple(charges), rate)
        self.lines = spread(self.discount, (*self.lines, line))
        billed.update(new)  # the lines changed: the set moves on with them
        self.__dict__[BILLED_KEYS] = (self.lines, billed)
        return self.lines[-1]

    def billed_keys(self) -> set[ChargeKey]:
        """The charges on these lines, gathered once for each set of lines (as `line_sums`):
        the invoice's own set, read and never changed but by `bill`."""
        kept = self.__dict__.get(BILLED_KEYS)
        if isinstance(kept, tuple) and kept[0] is self.lines:
            keys: set[ChargeKey] = kept[1]
            return keys
        keys = {key_of(c) for line in self.lines for c in line.charges}
        self.__dict__[BILLED_KEYS] = (self.lines, keys)
        return keys

    def give_discount(self, discount: Money) -> None:
        """An amount off the invoice, allocated across the lines in proportion to each."""
        self.check_draft("discount")
        if discount.currency != self.currency:
            raise CurrencyMismatch(
                f"the discount is in {discount.currency}, the invoice in {self.currency}",
                field="discount.currency_code",
                keys={"left": discount.currency, "right": self.currency},
            )
        if not discount.is_positive() or discount.amount >= self.amount.amount:
            raise InvalidField(
                f"a discount is more than zero and less than the lines' {self.amount}",
                field="discount.amount",
            )
        self.lines = spread(discount, self.lines)
        self.discount = discount

    def preview(self, on: dt.date) -> InvoiceDocument:
        """The draft as it would read if issued on `on`: no number is taken. A finalised
        invoice previews as it was issued."""
        return document_of(self, on) if self.number is None else self.document()

    def document(self) -> InvoiceDocument:
        if self.issued_on is None:
            self.refuse_status("read the issued document of")
        return document_of(self, self.issued_on or dt.date.min)

    def finalise(self, sequence: DocumentSequence, issued_on: dt.date, now: dt.datetime) -> None:
        self.check_draft("status")
        if not self.lines:
            raise InvalidField("an invoice bills at least one line", field="lines")
        self.check_series(sequence, Series.INVOICE)
        self.number = sequence.take(self.legal_entity.code, issued_on)
        self.issued_on = issued_on
        self.status = InvoiceStatus.FINALISED
        self.events.append(finalised(self, now))

    def issue_credit_note(
        self,
        *,
        credit_note_id: str,
        sequence: DocumentSequence,
        issued_on: dt.date,
        now: dt.datetime,
        reason: str,
        lines: Mapping[int, Money | None] | None = None,
    ) -> CreditNote:
        """In full (`lines` None: everything not yet credited), or by line: line number to the
        net to credit, None for the rest of the line."""
        invoice_number = self.check_issued("credit")
        self.check_series(sequence, Series.CREDIT_NOTE)
        if self.issued_on is not None and issued_on < self.issued_on:
            raise InvalidField(
                f"a credit note is issued on or after its invoice's day, {self.issued_on}",
                field="issued_on",
                keys={"invoice_id": self.id, "issued_on": issued_on.isoformat()},
            )
        credit_lines = self.credit_lines(lines)
        total = sum_of((line.total for line in credit_lines), self.currency)
        applied = min(total, self.balance, key=lambda money: money.amount)
        note = CreditNote(
            credit_note_id,
            sequence.take(self.legal_entity.code, issued_on),
            self.id,
            invoice_number,
            issued_on,
            reason,
            credit_lines,
            applied,
            total - applied,
        )
        self.credit_notes = (*self.credit_notes, note)
        self.status = self.settled_status()
        self.events.append(credit_note_issued(self, note, now))
        return note

    def apply_payment(self, payment: Payment, now: dt.datetime) -> PaymentApplication:
        """Up to the balance; any more is kept as the customer's unapplied credit."""
        self.check_issued("apply a payment to")
        payment.check_for(self.currency)
        earlier = self.payment(payment.payment_id)
        if earlier is not None:
            return self.check_same_payment(earlier, payment)
        application = PaymentApplication.of(payment, self.balance)
        self.check_credit_fits(application)
        self.payments = (*self.payments, application)
        self.status = self.settled_status()
        self.events.append(payment_applied(self, application, now))
        return application

    def check_credit_fits(self, application: PaymentApplication) -> None:
        """The customer's credit must stay an amount o2c can hold, or the invoice could no
        longer be read."""
        try:
            self.unapplied + application.unapplied
        except InvalidField:
            raise InvalidField(
                f"payment {application.payment.payment_id} would leave more unapplied credit "
                "than an amount may hold",
                field="payment.amount.amount",
                keys={"payment_id": application.payment.payment_id},
            ) from None

    @property
    def amount(self) -> Money:
        return self.line_sums().amount

    @property
    def net(self) -> Money:
        return self.line_sums().net

    @property
    def tax(self) -> Money:
        return self.line_sums().tax

    @property
    def total(self) -> Money:
        return self.line_sums().total

    def line_sums(self) -> LineSums:
        """The lines' sums, added up once for each set of lines: lines are frozen and replaced
        whole on every change, so the sums of these very lines never change."""
        sums = self.__dict__.get(LINE_SUMS)
        if not isinstance(sums, LineSums) or not sums.are_of(self.lines, self.currency):
            sums = LineSums.of(self.lines, self.currency)
            self.__dict__[LINE_SUMS] = sums  # neither stored nor a change
        return sums

    @property
    def credited(self) -> Money:
        return sum_of((note.total for note in self.credit_notes), self.currency)

    @property
    def paid(self) -> Money:
        return sum_of((p.applied for p in self.payments), self.currency)

    @property
    def unapplied(self) -> Money:
        """Paid beyond the balance, or credited after payment: the customer's credit."""
        kept = [p.unapplied for p in self.payments]
        kept += [note.left_as_credit for note in self.credit_notes]
        return sum_of(kept, self.currency)

    @property
    def balance(self) -> Money:
        settled = self.paid + sum_of(
            (note.applied_to_invoice for note in self.credit_notes), self.currency
        )
        return self.total - settled

    @property
    def due_on(self) -> dt.date | None:
        return None if self.issued_on is None else self.payment_terms.due_on(self.issued_on)

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for line in self.lines for i in line.source_ids))

    def credit_lines(self, requested: Mapping[int, Money | None] | None) -> tuple[CreditLine, ...]:
        earlier = [line for note in self.credit_notes for line in note.lines]
        if requested is None:
            left = {ln.number: None for ln in self.lines if Credited.of(ln, earlier).net != ln.net}
            if not left:
                raise self.nothing_to_credit()
            requested = left
        if not requested:
            raise InvalidField("a credit note credits at least one line", field="credit_lines")
        return tuple(
            credit_line(self.line(number), Credited.of(self.line(number), earlier), net)
            for number, net in sorted(requested.items())
        )

    def line(self, number: int) -> InvoiceLine:
        if not 1 <= number <= len(self.lines):
            raise InvalidField(
                f"invoice {self.number} has no line {number}",
                field=f"credit_lines[{number}]",
                keys={"line": str(number)},
            )
        return self.lines[number - 1]

    def payment(self, payment_id: str) -> PaymentApplication | None:
        return next((p for p in self.payments if p.payment.payment_id == payment_id), None)

    def settled_status(self) -> InvoiceStatus:
        if self.credited == self.total:
            return InvoiceStatus.CREDITED
        if not self.balance.is_positive():
            return InvoiceStatus.PAID
        if self.paid.is_positive():
            return InvoiceStatus.PARTIALLY_PAID
        return InvoiceStatus.FINALISED

    def check_draft(self, field_name: str) -> None:
        if self.status is not InvoiceStatus.DRAFT:
            self.refuse_change(field_name)

    def refuse_change(self, field_name: str) -> NoReturn:
        raise InvoiceImmutable(
            f"invoice {self.number} is {self.status.value}: "
            "it is never changed, only credited or paid",
            field=field_name,
            keys={"invoice_id": self.id, "status": self.status.value},
        )

    def check_issued(self, action: str) -> DocumentNumber:
        if self.number is None:
            self.refuse_status(action)
        return self.number

    def refuse_status(self, action: str) -> NoReturn:
        raise InvalidTransition(
            f"cannot {action} an invoice that is {self.status.value}: finalise it first",
            field="invoice_id",
            keys={"invoice_id": self.id, "status": self.status.value},
        )

    def check_series(self, sequence: DocumentSequence, series: Series) -> None:
        if sequence.series is not series:
            raise InvalidField(
                f"a {series.value} is numbered by a {series.value} sequence",
                field="sequence.series",
                keys={"series": sequence.series.value},
            )

    def check_same_payment(
        self, earlier: PaymentApplication, payment: Payment
    ) -> PaymentApplication:
        if earlier.payment != payment:
            raise InvalidField(
                f"payment {payment.payment_id} was applied before with other figures",
                field="payment.payment_id",
                keys={"payment_id": payment.payment_id},
            )
        return earlier

    def nothing_to_credit(self) -> InvalidField:
        return InvalidField(
            f"invoice {self.number} is credited in full already",
            field="invoice_id",
            keys={"invoice_id": self.id},
        )


def spread(discount: Money | None, lines: tuple[InvoiceLine, ...]) -> tuple[InvoiceLine, ...]:
    if discount is None:
        return lines
    parts = allocate(discount, [line.amount.amount for line in lines])
    return tuple(line.discounted(part) for line, part in zip(lines, parts, strict=True))
