"""The ERP routing API: an admin sets a legal entity's route, and reads the routes and the
audit of their changes. Each method reads the request, calls its use case and answers."""

from __future__ import annotations

import datetime as dt

import grpc

from application.billing_ports import BillingPorts
from application.cutover import cut_over
from application.erp_payments import read_erp_payments
from application.erp_routes import (
    check_may_route,
    list_erp_routes,
    list_route_changes,
    set_erp_route,
)
from application.intercompany_controls import list_intercompany_charges, reconcile_intercompany
from application.ledger_controls import reconcile_dual_write
from domain.errors import DomainError
from entrypoints.grpc.erp_routing_messages import (
    book_message,
    change_message,
    charge_message,
    cutover_command,
    reconciliation_message,
    set_route_command,
)
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import after_key, after_place, keyed_page_token, page_size
from entrypoints.grpc.presence import iso_date
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import erp_routing_pb2, erp_routing_pb2_grpc


class ErpRoutingServicer(erp_routing_pb2_grpc.ErpRoutingServiceServicer):
    def __init__(self, ports: BillingPorts) -> None:
        self.ports = ports

    def SetErpRoute(
        self, request: erp_routing_pb2.SetErpRouteRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.SetErpRouteResponse:
        try:
            book = set_erp_route(set_route_command(request, proven_caller()), self.ports)
        except DomainError as error:
            abort_with(context, error)
        return erp_routing_pb2.SetErpRouteResponse(routes=book_message(book))

    def ListErpRoutes(
        self, request: erp_routing_pb2.ListErpRoutesRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.ListErpRoutesResponse:
        code, matching = request.legal_entity_code, ("erp_routes", request.legal_entity_code)
        try:
            after, limit = after_key(request.page_token, matching), page_size(request)
            found = list_erp_routes(code, after, limit + 1, self.ports, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = page[-1].legal_entity_code if len(found) > limit else None
        return erp_routing_pb2.ListErpRoutesResponse(
            legal_entities=[book_message(book) for book in page],
            next_page_token=keyed_page_token(last, matching),
        )

    def CutOverLegalEntity(
        self, request: erp_routing_pb2.CutOverLegalEntityRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.CutOverLegalEntityResponse:
        try:
            caller = proven_caller()
            done = cut_over(cutover_command(request, caller), self.ports)
            books = list_erp_routes(request.legal_entity_code, "", 1, self.ports, caller)
        except DomainError as error:
            abort_with(context, error)
        answer = erp_routing_pb2.CutOverLegalEntityResponse(
            carried_over=done.carried_over,
            reconciliation=reconciliation_message(done.reconciliation),
        )
        for book in books[:1]:
            answer.routes.CopyFrom(book_message(book))
        return answer

    def ReconcileDualWrite(
        self, request: erp_routing_pb2.ReconcileDualWriteRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.ReconcileDualWriteResponse:
        try:
            caller = proven_caller()
            check_may_route(caller, request.legal_entity_code)
            day = iso_date(request, "on", "on") if request.HasField("on") else ""
            on = dt.date.fromisoformat(day) if day else self.ports.clock.now().date()
            report = reconcile_dual_write(request.legal_entity_code, on, self.ports)
        except DomainError as error:
            abort_with(context, error)
        return erp_routing_pb2.ReconcileDualWriteResponse(
            reconciliation=reconciliation_message(report)
        )

    def ListErpRouteChanges(
        self, request: erp_routing_pb2.ListErpRouteChangesRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.ListErpRouteChangesResponse:
        code, matching = request.legal_entity_code, ("erp_route_changes", request.legal_entity_code)
        try:
            place, limit = after_place(request.page_token, matching), page_size(request)
            found = list_route_changes(code, place, limit + 1, self.ports, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = str(page[-1].seq) if len(found) > limit else None
        return erp_routing_pb2.ListErpRouteChangesResponse(
            changes=[change_message(change) for change in page],
            next_page_token=keyed_page_token(last, matching),
        )

    def ReadErpPayments(
        self, request: erp_routing_pb2.ReadErpPaymentsRequest, context: grpc.ServicerContext
    ) -> erp_routing_pb2.ReadErpPaymentsResponse:
        try:
            read = read_erp_payments(self.ports, request.legal_entity_code, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        return erp_routing_pb2.ReadErpPaymentsResponse(
            applied=read.applied,
            already_applied=read.known,
            unmatched_payment_ids=read.unmatched,
            unreachable=read.unreachable,
        )

    def ListIntercompanyCharges(
        self,
        request: erp_routing_pb2.ListIntercompanyChargesRequest,
        context: grpc.ServicerContext,
    ) -> erp_routing_pb2.ListIntercompanyChargesResponse:
        matching = ("intercompany", request.legal_entity_code, request.invoice_id)
        try:
            after, limit = after_key(request.page_token, matching), page_size(request)
            found = list_intercompany_charges(
                request.legal_entity_code,
                request.invoice_id,
                after,
                limit + 1,
                self.ports,
                proven_caller(),
            )
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = page[-1].charge.number if len(found) > limit else None
        return erp_routing_pb2.ListIntercompanyChargesResponse(
            charges=[charge_message(view) for view in page],
            next_page_token=keyed_page_token(last, matching),
        )

    def ReconcileIntercompany(
        self,
        request: erp_routing_pb2.ReconcileIntercompanyRequest,
        context: grpc.ServicerContext,
    ) -> erp_routing_pb2.ReconcileIntercompanyResponse:
        try:
            report = reconcile_intercompany(request.legal_entity_code, self.ports, proven_caller())
        except DomainError as error:
            abort_with(context, error)
        return erp_routing_pb2.ReconcileIntercompanyResponse(
            reconciliation=reconciliation_message(report.reconciliation),
            charges=report.charges,
            still_posting=report.posting,
        )
