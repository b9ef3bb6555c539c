"""The billing API: approved work staged, held work decided, invoices built, read, credited
and paid. Each method reads the request into a command, calls its use case and answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import grpc

from application.approve_work import ItemOutcome, approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts
from application.bulk_approval import approve_in_bulk
from application.held_work import decide_held_work
from application.invoice_views import InvoiceView, view_invoice
from application.invoices import (
    issue_credit_note,
    list_invoices,
    preview_invoice,
    record_payment,
)
from application.platform_invoices import list_platform_invoices, read_platform_invoices
from application.ports import InvoiceFilter
from domain.errors import DomainError
from entrypoints.grpc.billing_messages import (
    approval_response,
    batch_commands,
    credit_note_command,
    cycle_command,
    cycle_response,
    decide_command,
    item_result,
    payment_command,
    platform_invoice_message,
    platform_read_response,
    staged_line,
    work_command,
)
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.import_messages import tally
from entrypoints.grpc.invoice_messages import (
    credit_note_message,
    document_message,
    invoice_status,
    payment_response,
    status_response,
    summary_message,
    viewed_invoice_message,
)
from entrypoints.grpc.page_tokens import after_key, keyed_page_token, page_size
from entrypoints.grpc.presence import chosen_key
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import billing_pb2, billing_pb2_grpc

InvoiceKeyRequest = billing_pb2.GetInvoiceRequest | billing_pb2.GetInvoiceStatusRequest
PLATFORM_KEY = 100  # the longest "platform/number" a page token names


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, ports: BillingPorts) -> None:
        self.ports = ports

    def ApproveBillableEvent(
        self, request: billing_pb2.ApproveBillableEventRequest, context: grpc.ServicerContext
    ) -> billing_pb2.ApproveBillableEventResponse:
        try:
            approval = approve_work(work_command(request, proven_caller()), self.ports)
        except DomainError as error:
            abort_with(context, error)
        return approval_response(approval)

    def ApproveBillableEvents(
        self, request: billing_pb2.ApproveBillableEventsRequest, context: grpc.ServicerContext
    ) -> billing_pb2.ApproveBillableEventsResponse:
        outcomes = self.approved_in_bulk(request.items, context)
        return billing_pb2.ApproveBillableEventsResponse(
            results=[
                item_result(index, item, outcome)
                for index, (item, outcome) in enumerate(zip(request.items, outcomes, strict=True))
            ]
        )

    def ImportBillableEvents(
        self,
        requests: Iterator[billing_pb2.ImportBillableEventsRequest],
        context: grpc.ServicerContext,
    ) -> billing_pb2.ImportBillableEventsResponse:
        answer = billing_pb2.ImportBillableEventsResponse()
        for batch in requests:
            tally(answer, batch, self.approved_in_bulk(batch.items, context))
        return answer

    def DecideHeldWork(
        self, request: billing_pb2.DecideHeldWorkRequest, context: grpc.ServicerContext
    ) -> billing_pb2.DecideHeldWorkResponse:
        try:
            event = decide_held_work(decide_command(request, proven_caller()), self.ports)
        except DomainError as error:
            abort_with(context, error)
        return billing_pb2.DecideHeldWorkResponse(staged_line=staged_line(event))

    def RunBillingCycle(
        self, request: billing_pb2.RunBillingCycleRequest, context: grpc.ServicerContext
    ) -> billing_pb2.RunBillingCycleResponse:
        try:
            outcome = run_cycle(cycle_command(request, proven_caller()), self.ports)
        except DomainError as error:
            abort_with(context, error)
        return cycle_response(outcome, summary_message)

    def GetInvoice(
        self, request: billing_pb2.GetInvoiceRequest, context: grpc.ServicerContext
    ) -> billing_pb2.GetInvoiceResponse:
        try:
            view = self.invoice_by_key(request)
        except DomainError as error:
            abort_with(context, error)
        return billing_pb2.GetInvoiceResponse(invoice=viewed_invoice_message(view))

    def ListInvoices(
        self, request: billing_pb2.ListInvoicesRequest, context: grpc.ServicerContext
    ) -> billing_pb2.ListInvoicesResponse:
        try:
            where = InvoiceFilter(
                engagement_id=request.engagement_id,
                legal_entity_code=request.legal_entity_code,
                status=invoice_status(request.status),
            )
            after, limit = after_key(request.page_token, where), page_size(request)
            found = list_invoices(where, after, limit + 1, self.ports, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = page[-1].id if len(found) > limit else None
        return billing_pb2.ListInvoicesResponse(
            invoices=[summary_message(invoice) for invoice in page],
            next_page_token=keyed_page_token(last, where),
        )

    def PreviewInvoice(
        self, request: billing_pb2.PreviewInvoiceRequest, context: grpc.ServicerContext
    ) -> billing_pb2.PreviewInvoiceResponse:
        try:
            caller = proven_caller()
            document = preview_invoice(request.invoice_id, self.ports, caller)
            view = view_invoice(request.invoice_id, "", self.ports, caller)
        except DomainError as error:
            abort_with(context, error)
        return billing_pb2.PreviewInvoiceResponse(invoice=document_message(document, view))

    def IssueCreditNote(
        self, request: billing_pb2.IssueCreditNoteRequest, context: grpc.ServicerContext
    ) -> billing_pb2.IssueCreditNoteResponse:
        try:
            command = credit_note_command(request, proven_caller())
            invoice, note = issue_credit_note(command, self.ports)
            view = view_invoice(invoice.id, "", self.ports, command.caller)
        except DomainError as error:
            abort_with(context, error)
        return billing_pb2.IssueCreditNoteResponse(
            credit_note=credit_note_message(note), invoice=viewed_invoice_message(view)
        )

    def RecordPayment(
        self, request: billing_pb2.RecordPaymentRequest, context: grpc.ServicerContext
    ) -> billing_pb2.RecordPaymentResponse:
        try:
            invoice, application = record_payment(
                payment_command(request, proven_caller()), self.ports
            )
        except DomainError as error:
            abort_with(context, error)
        return payment_response(invoice, application)

    def GetInvoiceStatus(
        self, request: billing_pb2.GetInvoiceStatusRequest, context: grpc.ServicerContext
    ) -> billing_pb2.GetInvoiceStatusResponse:
        try:
            view = self.invoice_by_key(request)
        except DomainError as error:
            abort_with(context, error)
        return status_response(view)

    def ReadPlatformInvoices(
        self, request: billing_pb2.ReadPlatformInvoicesRequest, context: grpc.ServicerContext
    ) -> billing_pb2.ReadPlatformInvoicesResponse:
        try:
            code = request.legal_entity_code.strip()
            read = read_platform_invoices(self.ports, code, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        return platform_read_response(read)

    def ListPlatformInvoices(
        self, request: billing_pb2.ListPlatformInvoicesRequest, context: grpc.ServicerContext
    ) -> billing_pb2.ListPlatformInvoicesResponse:
        try:
            where = (request.legal_entity_code.strip(), request.engagement_id.strip())
            after, limit = after_key(request.page_token, where, PLATFORM_KEY), page_size(request)
            found = list_platform_invoices(
                self.ports,
                proven_caller(),
                legal_entity_code=where[0],
                engagement_id=where[1],
                after=after,
                limit=limit + 1,
            )
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = f"{page[-1].platform}/{page[-1].number}" if len(found) > limit else None
        return billing_pb2.ListPlatformInvoicesResponse(
            invoices=[platform_invoice_message(invoice) for invoice in page],
            next_page_token=keyed_page_token(last, where),
        )

    def approved_in_bulk(
        self, items: Sequence[billing_pb2.BillableEventItem], context: grpc.ServicerContext
    ) -> list[ItemOutcome]:
        """Each item's outcome, in order: the unreadable ones refused, the rest approved in bulk."""
        try:
            commands = batch_commands(items, proven_caller())
            readable = [command for command in commands if not isinstance(command, DomainError)]
            approved = iter(approve_in_bulk(readable, self.ports))
        except DomainError as error:
            abort_with(context, error)
        return [
            ItemOutcome(None, command) if isinstance(command, DomainError) else next(approved)
            for command in commands
        ]

    def invoice_by_key(self, request: InvoiceKeyRequest) -> InvoiceView:
        chosen, value = chosen_key(request, "key", "invoice_id or invoice_number")
        invoice_id = value.strip() if chosen == "invoice_id" else ""
        number = value.strip() if chosen == "invoice_number" else ""
        return view_invoice(invoice_id, number, self.ports, proven_caller())
