"""The ERP routing API's requests as commands, and route books and their audit as messages."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from adapters.erp_route_values import erp_route_message
from adapters.proto_values import money_message
from application.commands import CutOverLegalEntity, ErpTargetLine, SetErpRoute
from application.intercompany_controls import ChargeView
from application.ports import RouteChange
from domain.erp_routing import Erp, RouteBook
from domain.principal import Principal
from domain.reconciliation import Reconciliation, Variance
from entrypoints.grpc.presence import iso_date
from o2c.v1 import erp_routing_pb2

ERP_NAMES = {
    erp_routing_pb2.ERP_LEGACY: Erp.LEGACY.value,
    erp_routing_pb2.ERP_NETSUITE: Erp.NETSUITE.value,
    erp_routing_pb2.ERP_DYNAMICS365: Erp.DYNAMICS365.value,
    erp_routing_pb2.ERP_SANDBOX: Erp.SANDBOX.value,
}


def set_route_command(
    request: erp_routing_pb2.SetErpRouteRequest, caller: Principal
) -> SetErpRoute:
    route = request.route
    shadow = target_line(route.shadow) if route.HasField("shadow") else None
    return SetErpRoute(
        request_id=request.request_id,
        legal_entity_code=route.legal_entity_code,
        effective_from=iso_date(route, "effective_from", "route.effective_from"),
        primary=target_line(route.primary),
        caller=caller,
        shadow=shadow,
    )


def target_line(target: erp_routing_pb2.ErpTarget) -> ErpTargetLine:
    return ErpTargetLine(ERP_NAMES.get(target.erp, ""), target.erp_legal_entity)


def book_message(book: RouteBook) -> erp_routing_pb2.LegalEntityErpRoutes:
    return erp_routing_pb2.LegalEntityErpRoutes(
        legal_entity_code=book.legal_entity_code,
        routes=[erp_route_message(route) for route in book.routes],
    )


def change_message(change: RouteChange) -> erp_routing_pb2.ErpRouteChange:
    message = erp_routing_pb2.ErpRouteChange(
        legal_entity_code=change.legal_entity_code,
        set_by=change.set_by,
        set_time=timestamp(change.set_at),
        route=erp_route_message(change.route),
    )
    if change.previous is not None:
        message.previous.CopyFrom(erp_route_message(change.previous))
    return message


def timestamp(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def cutover_command(
    request: erp_routing_pb2.CutOverLegalEntityRequest, caller: Principal
) -> CutOverLegalEntity:
    return CutOverLegalEntity(
        request_id=request.request_id,
        legal_entity_code=request.legal_entity_code,
        effective_from=iso_date(request, "effective_from", "effective_from"),
        target=target_line(request.target),
        caller=caller,
    )


def reconciliation_message(report: Reconciliation) -> erp_routing_pb2.LedgerReconciliation:
    return erp_routing_pb2.LedgerReconciliation(
        left=report.left,
        right=report.right,
        matched=report.matched,
        variances=[variance_message(v) for v in report.variances],
        left_totals=[money_message(m) for _, m in sorted(report.left_totals.items())],
        right_totals=[money_message(m) for _, m in sorted(report.right_totals.items())],
        balanced=report.balanced,
    )


def variance_message(variance: Variance) -> erp_routing_pb2.LedgerVariance:
    message = erp_routing_pb2.LedgerVariance(
        number=variance.number,
        kind=erp_routing_pb2.LedgerVarianceKind.Value(f"LEDGER_VARIANCE_KIND_{variance.kind.name}"),
    )
    if variance.left is not None:
        message.left.CopyFrom(money_message(variance.left))
    if variance.right is not None:
        message.right.CopyFrom(money_message(variance.right))
    return message


def charge_message(view: ChargeView) -> erp_routing_pb2.IntercompanyCharge:
    charge = view.charge
    message = erp_routing_pb2.IntercompanyCharge(
        number=charge.number,
        invoice_id=charge.invoice_id,
        invoice_number=charge.invoice_number,
        engagement_id=charge.engagement_id,
        delivering_legal_entity_code=charge.delivering_legal_entity,
        contracting_legal_entity_code=charge.contracting_legal_entity,
        share=str(charge.share),
        lines=[
            erp_routing_pb2.IntercompanyChargeLine(
                invoice_line=line.invoice_line,
                description=line.description,
                revenue=money_message(line.revenue),
                amount=money_message(line.amount),
            )
            for line in charge.lines
        ],
        total=money_message(charge.total),
        reverses=charge.reverses,
        credit_note_id=charge.credit_note_id,
        postings=[
            erp_routing_pb2.IntercompanyPosting(
                posting_key=p.document_number,
                erp=erp_routing_pb2.Erp.Value(f"ERP_{p.erp.upper()}"),
                erp_legal_entity=p.erp_legal_entity,
                erp_document_id=p.erp_document_id,
                kind=p.kind,
                role=p.role.value,
            )
            for p in view.postings
        ],
    )
    day = charge.issued_on
    message.issued_on.year, message.issued_on.month, message.issued_on.day = (
        day.year,
        day.month,
        day.day,
    )
    return message
