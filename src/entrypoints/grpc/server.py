"""The gRPC server: services, health, reflection, bounded messages, graceful stop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapters.metrics.figures import Figures
from application.billing_ports import BillingPorts
from application.controls.run import Controls
from application.create_engagement import ProvisioningPorts
from application.credit_check import CreditChecks
from application.exception_commands import ExceptionDesk
from application.exception_retry import ExceptionRetry
from application.lineage import LineageReaders
from application.reference_sync import ReferenceSync
from entrypoints.grpc.audit_servicer import AuditServicer
from entrypoints.grpc.billing_servicer import BillingServicer
from entrypoints.grpc.call_audit import CallAudit, CallAuditor
from entrypoints.grpc.control_servicer import ControlServicer
from entrypoints.grpc.correlation import CorrelationIds
from entrypoints.grpc.customer_servicer import CustomerServicer
from entrypoints.grpc.erp_routing_servicer import ErpRoutingServicer
from entrypoints.grpc.exception_servicer import ExceptionServicer
from entrypoints.grpc.interceptors import DeclaredLimits, ErrorBoundary
from entrypoints.grpc.lineage_servicer import LineageServicer
from entrypoints.grpc.operations_servicer import OperationsServicer
from entrypoints.grpc.rate_limit import RateLimit, TokenBuckets
from entrypoints.grpc.reference_data_servicer import ReferenceDataServicer
from entrypoints.grpc.servicers import EngagementServicer
from o2c.v1 import (
    audit_pb2,
    audit_pb2_grpc,
    billing_pb2,
    billing_pb2_grpc,
    controls_pb2,
    controls_pb2_grpc,
    customers_pb2,
    customers_pb2_grpc,
    engagement_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    exceptions_pb2,
    exceptions_pb2_grpc,
    lineage_pb2,
    lineage_pb2_grpc,
    operations_pb2,
    operations_pb2_grpc,
    reference_data_pb2,
    reference_data_pb2_grpc,
)

SERVICE_NAMES = (
    engagement_pb2.DESCRIPTOR.services_by_name["EngagementService"].full_name,
    billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name,
    erp_routing_pb2.DESCRIPTOR.services_by_name["ErpRoutingService"].full_name,
    exceptions_pb2.DESCRIPTOR.services_by_name["ExceptionService"].full_name,
    customers_pb2.DESCRIPTOR.services_by_name["CustomerService"].full_name,
    reference_data_pb2.DESCRIPTOR.services_by_name["ReferenceDataService"].full_name,
    controls_pb2.DESCRIPTOR.services_by_name["ControlService"].full_name,
    lineage_pb2.DESCRIPTOR.services_by_name["LineageService"].full_name,
    operations_pb2.DESCRIPTOR.services_by_name["OperationsService"].full_name,
)


class ListenError(RuntimeError):
    pass


class O2cServer:
    def __init__(self, server: grpc.Server, health_servicer: health.HealthServicer) -> None:
        self.server = server
        self.health = health_servicer

    def start(self) -> None:
        self.server.start()
        for name in ("", *SERVICE_NAMES):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stop(self, grace: float) -> None:
        """Flip health to NOT_SERVING so balancers drain, then finish in-flight calls."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()

    def wait(self) -> None:
        self.server.wait_for_termination()


def create_server(
    address: str,
    provisioning: ProvisioningPorts,
    billing: BillingPorts,
    max_workers: int = 16,
    max_message_bytes: int = 4 * 1024 * 1024,
    credentials: grpc.ServerCredentials | None = None,
    *,
    authentication: grpc.ServerInterceptor,
    auditor: CallAuditor | None = None,
    rate_limits: TokenBuckets | None = None,
    credit_checks: CreditChecks | None = None,
    reference_sync: ReferenceSync | None = None,
    exception_retry: ExceptionRetry | None = None,
    controls: Controls | None = None,
    lineage: LineageReaders | None = None,
    observers: Sequence[grpc.ServerInterceptor] = (),
    metrics: Callable[[], Figures] | None = None,
) -> tuple[O2cServer, int]:
    """`credentials` serve TLS (see `transport.TransportSecurity`); without them, plaintext."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        interceptors=[
            CorrelationIds(),
            *observers,
            ErrorBoundary(),
            authentication,
            *([CallAudit(auditor)] if auditor else []),
            *([RateLimit(rate_limits)] if rate_limits else []),
            DeclaredLimits(),
        ],
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            # A second server on a port already served must fail, not share the traffic.
            ("grpc.so_reuseport", 0),
        ],
    )
    engagement_pb2_grpc.add_EngagementServiceServicer_to_server(
        EngagementServicer(provisioning, billing), server
    )
    billing_pb2_grpc.add_BillingServiceServicer_to_server(BillingServicer(billing), server)
    erp_routing_pb2_grpc.add_ErpRoutingServiceServicer_to_server(
        ErpRoutingServicer(billing), server
    )
    exceptions_pb2_grpc.add_ExceptionServiceServicer_to_server(
        ExceptionServicer(ExceptionDesk(billing.uow_factory, billing.clock), exception_retry),
        server,
    )
    if credit_checks is not None:
        customers_pb2_grpc.add_CustomerServiceServicer_to_server(
            CustomerServicer(credit_checks), server
        )
    if reference_sync is not None:
        reference_data_pb2_grpc.add_ReferenceDataServiceServicer_to_server(
            ReferenceDataServicer(reference_sync), server
        )
    if controls is not None:
        controls_pb2_grpc.add_ControlServiceServicer_to_server(ControlServicer(controls), server)
    if auditor is not None:
        audit_pb2_grpc.add_AuditServiceServicer_to_server(
            AuditServicer(auditor.uow_factory), server
        )
    if metrics is not None:
        operations_pb2_grpc.add_OperationsServiceServicer_to_server(
            OperationsServicer(metrics), server
        )
    if lineage is not None:
        lineage_pb2_grpc.add_LineageServiceServicer_to_server(LineageServicer(lineage), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    try:
        port = (
            server.add_secure_port(address, credentials)
            if credentials is not None
            else server.add_insecure_port(address)
        )
    except RuntimeError:
        raise ListenError(
            f"cannot listen on {address}: another process serves it, or it is not this "
            "machine's address (set O2C_GRPC_ADDRESS)"
        ) from None
    return O2cServer(server, health_servicer), port
