"""An invoice's payment status written to the CRM account, the status CRM users see whatever
ERP holds the invoice. A durable saga writes it when a payment is applied: the invoice's standing
as it is when the step runs, keyed by account and invoice number, so a retry, a resumed saga or
two payments close together leave the latest standing and nothing twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from application.crm_ports import AccountPaymentStatus, CrmPaymentStatus
from application.errors import VendorError
from application.ports import UnitOfWork
from application.saga_definition import Setback, Step, concluded
from application.saga_runner import SagaRunner
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.invoicing.invoice import Invoice
from domain.saga import Saga, Verdict

KIND = "payment_status_to_crm"


@frozen
class PaymentStatusToCrm:
    crm: CrmPaymentStatus
    kind: str = KIND
    workflow: Workflow = Workflow.INVOICE_TO_ERP

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        invoice = uow.invoices.get(str(saga.context["invoice_id"]))
        if invoice is None:
            raise NotFound(f"invoice {saga.context['invoice_id']} not found", field="invoice_id")
        engagement = uow.engagements.get(invoice.engagement_id)
        if engagement is None:
            raise NotFound(f"engagement {invoice.engagement_id} not found", field="engagement_id")
        status = standing(engagement.account_id, invoice, dt.datetime.now(dt.UTC))
        return [
            Step[str](
                name=f"crm.payment_status[{status.invoice_number}]",
                external_id=f"{status.account_id}/{status.invoice_number}",
                action=lambda: self.crm.record_payment_status(status),
                failure=failed,
            )
        ]

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        return concluded(saga, "invoice_id", setback)


def failed(error: VendorError) -> Setback:
    return Setback(
        Verdict.FAILED, ReasonCode.CRM_WRITE_BACK_FAILED, OwnerRole.INTEGRATION_SUPPORT, str(error)
    )


def standing(account_id: str, invoice: Invoice, as_of: dt.datetime) -> AccountPaymentStatus:
    return AccountPaymentStatus(
        account_id=account_id,
        invoice_number=str(invoice.number),
        status=invoice.status.value,
        total=invoice.total,
        paid=invoice.paid,
        balance=invoice.balance,
        as_of=as_of,
    )


@frozen
class CrmStatus:
    """Starts the write in the transaction that applies the payment, handed at once to the
    saga worker: the payer is not kept waiting on the CRM."""

    sagas: SagaRunner  # one that knows PaymentStatusToCrm

    def payment_applied(
        self, uow: UnitOfWork, invoice: Invoice, payment_id: str, now: dt.datetime
    ) -> None:
        saga = self.sagas.start(
            uow,
            kind=KIND,
            business_key=f"{invoice.number}/{payment_id}"[:128],
            context={"invoice_id": invoice.id},
            request=None,
        )
        saga.release(saga.owner, now)
