"""The customer API for the CRM: a customer's credit standing from the ERP that owns its legal
entity. The method reads the request, calls its use case and answers."""

from __future__ import annotations

import grpc

from adapters.proto_values import money_message
from application.credit_check import CreditChecks
from domain.errors import DomainError
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.posting_messages import erp_number
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import customers_pb2, customers_pb2_grpc


class CustomerServicer(customers_pb2_grpc.CustomerServiceServicer):
    def __init__(self, credit: CreditChecks) -> None:
        self.credit = credit

    def CheckCustomerCredit(
        self, request: customers_pb2.CheckCustomerCreditRequest, context: grpc.ServicerContext
    ) -> customers_pb2.CheckCustomerCreditResponse:
        try:
            answer = self.credit.check(
                request.legal_entity_code, request.account_id, proven_caller()
            )
        except DomainError as error:
            abort_with(context, error)
        credit = answer.credit
        reply = customers_pb2.CheckCustomerCreditResponse(
            open_receivables=money_message(credit.open_receivables),
            on_hold=credit.on_hold,
            erp=erp_number(answer.target.erp.value),
            erp_legal_entity=answer.target.erp_legal_entity,
            freshness=(
                customers_pb2.CREDIT_FRESHNESS_CACHED
                if answer.cached
                else customers_pb2.CREDIT_FRESHNESS_LIVE
            ),
            age_seconds=int(answer.age(self.credit.clock.now()).total_seconds()),
        )
        reply.as_of.FromDatetime(answer.as_of)
        if credit.credit_limit is not None:
            reply.credit_limit.CopyFrom(money_message(credit.credit_limit))
            available = credit.credit_limit - credit.open_receivables
            reply.available.CopyFrom(money_message(available))
        return reply
