"""Thin servicers: proto → command → handler → proto; only domain errors are caught."""

from __future__ import annotations

import datetime as dt

import grpc

from application.amend_engagement import amend_service_engagement
from application.billing_ports import BillingPorts
from application.create_engagement import ProvisioningPorts, create_service_engagement
from application.ports import Clock
from application.queries import (
    EngagementView,
    engagement_of_opportunity,
    get_agreement,
    get_engagement,
)
from domain.errors import DomainError, TokenMissing
from domain.principal import Principal
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.messages import amend_command, create_command, engagement_message
from entrypoints.grpc.presence import chosen_key
from entrypoints.grpc.principal_context import current_principal
from o2c.v1 import engagement_pb2, engagement_pb2_grpc

ANSWER_MARGIN_SECONDS = 0.25  # time left to read the engagement and send the answer
NO_DEADLINE_SECONDS = 86_400.0  # gRPC reports a call without a deadline as one far away
LOOKUPS = {"engagement_id": get_engagement, "opportunity_id": engagement_of_opportunity}


class EngagementServicer(engagement_pb2_grpc.EngagementServiceServicer):
    def __init__(self, ports: ProvisioningPorts, billing: BillingPorts) -> None:
        self.ports = ports
        self.billing = billing

    def CreateServiceEngagement(
        self, request: engagement_pb2.CreateServiceEngagementRequest, context: grpc.ServicerContext
    ) -> engagement_pb2.CreateServiceEngagementResponse:
        try:
            caller = proven_caller()
            deadline = answer_deadline(context, self.ports.clock)
            command = create_command(request, caller)
            engagement_id = create_service_engagement(command, self.ports, deadline)
            view = get_engagement(engagement_id, self.ports.uow_factory, caller)
            agreement = get_agreement(view.engagement.id, self.billing, caller)
        except DomainError as error:
            abort_with(context, error)
        return engagement_pb2.CreateServiceEngagementResponse(
            engagement=engagement_message(view, agreement)
        )

    def GetServiceEngagement(
        self, request: engagement_pb2.GetServiceEngagementRequest, context: grpc.ServicerContext
    ) -> engagement_pb2.GetServiceEngagementResponse:
        try:
            caller = proven_caller()
            chosen, value = chosen_key(request, "key", "engagement_id or opportunity_id")
            view = LOOKUPS[chosen](value.strip(), self.ports.uow_factory, caller)
            agreement = get_agreement(view.engagement.id, self.billing, caller)
        except DomainError as error:
            abort_with(context, error)
        return engagement_pb2.GetServiceEngagementResponse(
            engagement=engagement_message(view, agreement)
        )

    def AmendServiceEngagement(
        self, request: engagement_pb2.AmendServiceEngagementRequest, context: grpc.ServicerContext
    ) -> engagement_pb2.AmendServiceEngagementResponse:
        try:
            amended = amend_service_engagement(
                amend_command(request, proven_caller()), self.billing
            )
        except DomainError as error:
            abort_with(context, error)
        view = EngagementView(amended.engagement, exception=None)
        return engagement_pb2.AmendServiceEngagementResponse(
            engagement=engagement_message(view, amended.agreement)
        )


def proven_caller() -> Principal:
    """The principal the authentication interceptor proved; a call without one is refused."""
    principal = current_principal()
    if principal is None:
        raise TokenMissing("the call was not authenticated")
    return principal


def answer_deadline(context: grpc.ServicerContext, clock: Clock) -> dt.datetime | None:
    """When the work must stop to answer the caller in time; None when the caller set none."""
    remaining = context.time_remaining()
    if remaining is None or remaining > NO_DEADLINE_SECONDS:
        return None
    return clock.now() + dt.timedelta(seconds=max(0.0, remaining - ANSWER_MARGIN_SECONDS))
