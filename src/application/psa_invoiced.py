"""The invoice written back on the PSA's items once o2c bills them: each timecard, expense and
milestone approved in the PSA and billed on a finalised invoice gets the invoice number and date
there, by a durable saga started with the finalisation. Each write is keyed by the item, so a
retry or a resumed saga writes nothing twice; a lasting failure is parked for the PMO."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from application.errors import VendorError
from application.ports import UnitOfWork
from application.psa_work_ports import Invoiced, PsaWork
from application.saga_definition import Setback, Step, concluded
from application.saga_runner import SagaRunner
from domain.billable_event import BillableEvent
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.invoicing.invoice import Invoice
from domain.ownership import System
from domain.saga import Saga, Verdict

KIND = "invoice_to_psa"


def failed(error: VendorError) -> Setback:
    return Setback(Verdict.FAILED, ReasonCode.PSA_CHANGE_ORDER_FAILED, OwnerRole.PMO, str(error))


@frozen
class InvoiceToPsa:
    psa: PsaWork
    kind: str = KIND
    workflow: Workflow = Workflow.APPROVED_WORK_TO_STAGING

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        number, day = str(saga.context["invoice_number"]), str(saga.context["issued_on"])
        items = saga.context["items"]
        assert isinstance(items, list)
        return [
            self.write_back(Invoiced(source_id, kind, number, dt.date.fromisoformat(day)))
            for source_id, kind in items
        ]

    def write_back(self, invoiced: Invoiced) -> Step[None]:
        return Step[None](
            name=f"psa.invoiced[{invoiced.kind}:{invoiced.source_id}]",
            external_id=f"{invoiced.source_id}/{invoiced.invoice_number}",
            action=lambda: self.psa.mark_invoiced(invoiced),
            failure=failed,
        )

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        return concluded(saga, "invoice_id", setback)


@frozen
class PsaInvoiced:
    """Starts the write-back in the transaction that finalises the invoices."""

    sagas: SagaRunner  # one that knows InvoiceToPsa

    def invoices(
        self,
        uow: UnitOfWork,
        invoices: Sequence[Invoice],
        events: Sequence[BillableEvent],
        now: dt.datetime,
    ) -> None:
        from_psa = {e.id: e for e in events if e.source_system is System.PSA}
        for invoice in invoices:
            billed = dict.fromkeys(
                charge.source_id for line in invoice.lines for charge in line.charges
            )
            items = [
                [from_psa[event_id].source_id, from_psa[event_id].kind]
                for event_id in billed
                if event_id in from_psa
            ]
            if not items:
                continue
            assert invoice.issued_on is not None
            context = {
                "invoice_id": invoice.id,
                "invoice_number": str(invoice.number),
                "issued_on": invoice.issued_on.isoformat(),
                "items": items,
            }
            saga = self.sagas.start(
                uow, kind=KIND, business_key=str(invoice.number), context=context, request=None
            )
            saga.release(saga.owner, now)
