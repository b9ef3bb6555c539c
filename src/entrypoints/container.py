"""The one composition root: engines and clients as singletons, a unit of work per call,
vendor adapters chosen by configuration."""

from __future__ import annotations

import time

from dependency_injector import containers, providers

from adapters.messaging.chunk_queue import ChunkQueue
from adapters.messaging.event_codec import encoder_for, stream_subjects
from adapters.messaging.outbox_health import OutboxHealthCheck
from adapters.messaging.relay import OutboxRelay, RelayThread
from adapters.persistence.control_runs import SqlControlRuns
from adapters.persistence.dashboard_queries import SqlDashboardQueries
from adapters.persistence.engine import create_engine_for, session_factory
from adapters.persistence.job_locks import JobLocks
from adapters.persistence.lineage_reader import sql_lineage_readers
from adapters.persistence.outbox_claims import outbox_store
from adapters.persistence.reference_data import SqlReferenceData
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from adapters.persistence.vendor_calls import VendorCallWriter
from adapters.reference.billing_reference import load_billing_reference
from adapters.vendors.call_log import VendorCallLog
from adapters.vendors.sandbox.billing_platform import SandboxBillingPlatform
from adapters.vendors.sandbox.crm import SandboxCrm
from adapters.vendors.sandbox.erp import SandboxErp, parse_legal_entities
from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_ports import BillingPorts
from application.controls.ports import ControlPorts
from application.controls.run import Controls
from application.create_engagement import ProvisioningPorts, saga_runner
from application.credit_check import CreditChecks
from application.crm_status import CrmStatus
from application.exception_retry import exception_retry_of
from application.intercompany import Intercompany
from application.platform_handoff import PlatformHandoffs, with_platform
from application.posting_saga import Postings
from application.psa_invoiced import PsaInvoiced
from application.reference_sync import ReferenceSync
from application.retry import RetryPolicy
from application.vendor_events import ApprovedWorkEvents, ClosedWonEvents
from domain.ownership import OwnershipMatrix, System
from entrypoints.billing_platforms import platform_invoice_reader, zuora_platform
from entrypoints.chunk_worker import chunk_biller
from entrypoints.controls_worker import controls_worker
from entrypoints.crm_adapters import salesforce_crm
from entrypoints.dashboard.app import DashboardApp
from entrypoints.dashboard.server import DashboardServer
from entrypoints.erp_adapters import erp_ledgers
from entrypoints.grpc.authentication import Authentication
from entrypoints.grpc.call_audit import CallAuditor
from entrypoints.grpc.peer_identity import certificate_authenticators
from entrypoints.grpc.rate_limit import token_buckets
from entrypoints.grpc.trust import token_verifier
from entrypoints.psa_adapters import certinia_psa, kantata_psa
from entrypoints.saga_worker import SagaWorker, payment_reader, reference_syncer
from entrypoints.settings import SettingError
from entrypoints.system import SystemClock, UuidIds, node_name
from entrypoints.vendor_events import psa_work_poller, vendor_event_thread

SYSTEMS = frozenset(system.value for system in System)


def ownership_matrix(changes: str) -> OwnershipMatrix:
    """`invoice=erp,credit_note=erp` moves those data to another system of record."""
    owners = dict(OwnershipMatrix.default().owners)
    for item in filter(None, (part.strip() for part in changes.split(","))):
        data, _, system = (part.strip() for part in item.partition("="))
        if data not in owners or system not in SYSTEMS:
            raise SettingError(
                f"O2C_OWNERSHIP_OVERRIDES: {item!r} is not DATA=SYSTEM, with DATA one of "
                f"{', '.join(sorted(owners))} and SYSTEM one of {', '.join(sorted(SYSTEMS))}"
            )
        owners[data] = System(system)
    return OwnershipMatrix(owners)


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    engine = providers.Singleton(create_engine_for, config.database.url)
    sessions = providers.Singleton(session_factory, engine)
    outbox = providers.Singleton(outbox_store, engine)
    job_locks = providers.Singleton(JobLocks, engine)
    relay = providers.Singleton(
        OutboxRelay,
        outbox,
        config.nats.url,
        stream=config.nats.stream,
        subjects=providers.Callable(stream_subjects, config.nats.subject_prefix),
        replicas=config.nats.replicas,
    )
    relay_thread = providers.Singleton(RelayThread, relay)
    outbox_health = providers.Singleton(
        OutboxHealthCheck, outbox, relay, stale_after=config.outbox.stale_seconds
    )
    unit_of_work = providers.Factory(
        SqlAlchemyUnitOfWork,
        sessions,
        encode=providers.Singleton(encoder_for, config.nats.subject_prefix),
        after_commit=relay_thread.provided.wake,
    )

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIds)
    retry = providers.Singleton(
        RetryPolicy,
        attempts=config.vendors.retry_attempts,
        first_delay=config.vendors.retry_first_delay,
        max_retry_after=config.vendors.max_retry_after,
    )
    ownership = providers.Singleton(ownership_matrix, config.ownership.changes)

    erp = providers.Selector(
        config.erp.kind,
        sandbox=providers.Singleton(
            SandboxErp,
            providers.Singleton(SandboxRecords, engine, "erp"),
            providers.Singleton(parse_legal_entities, config.erp.legal_entities),
        ),
    )
    psa = providers.Selector(
        config.psa.kind,
        sandbox=providers.Singleton(SandboxPsa, providers.Singleton(SandboxRecords, engine, "psa")),
        kantata=providers.Resource(kantata_psa, config.psa.kantata),
        certinia=providers.Resource(certinia_psa, config.psa.certinia, config.crm.salesforce),
    )

    crm = providers.Selector(
        config.crm.kind,
        sandbox=providers.Singleton(SandboxCrm, providers.Singleton(SandboxRecords, engine, "crm")),
        salesforce=providers.Resource(salesforce_crm, config.crm.salesforce),
    )

    ledgers = providers.Resource(
        erp_ledgers, providers.Singleton(SandboxRecords, engine, "erp"), config.erps
    )
    provisioning = providers.Singleton(
        ProvisioningPorts,
        uow_factory=unit_of_work.provider,
        master_data=erp,
        customers=erp,
        psa=psa,
        crm=crm,
        clock=clock,
        ids=ids,
        retry=retry,
        lease_seconds=config.sagas.lease_seconds,
        node=providers.Callable(node_name),
        change_orders=psa,
        ledgers=ledgers,
        crm_status=crm,
        psa_work=psa,
    )
    billing_platform = providers.Selector(
        config.billing.platform.kind,
        sandbox=providers.Singleton(
            SandboxBillingPlatform, providers.Singleton(SandboxRecords, engine, "billing")
        ),
        zuora=providers.Resource(zuora_platform, config.billing.platform.zuora),
    )
    sagas = providers.Singleton(
        with_platform, providers.Singleton(saga_runner, provisioning), billing_platform
    )
    saga_worker = providers.Singleton(
        SagaWorker, sagas.provided.resume_abandoned, config.sagas.sweep_seconds
    )
    token_verifier = providers.Singleton(token_verifier, config.auth)
    client_certificates = providers.Singleton(certificate_authenticators, config.tls)
    call_auditor = providers.Singleton(CallAuditor, unit_of_work.provider, clock, ids)
    vendor_call_writer = providers.Singleton(VendorCallWriter, engine)
    vendor_call_log = providers.Singleton(VendorCallLog, vendor_call_writer)
    lineage_readers = providers.Singleton(sql_lineage_readers, engine)
    rate_limits = providers.Singleton(
        token_buckets,
        config.rate_limit.per_second,
        config.rate_limit.burst,
        providers.Object(time.monotonic),
    )
    authentication = providers.Singleton(
        Authentication,
        token_verifier,
        authenticators=client_certificates,
        on_denied=call_auditor.provided.on_denied,
        unproven_limits=rate_limits,
    )
    billing_reference = providers.Singleton(load_billing_reference, config.billing.reference)
    billing = providers.Singleton(
        BillingPorts,
        uow_factory=unit_of_work.provider,
        clock=clock,
        ids=ids,
        ownership=ownership,
        reference=billing_reference,
        psa=psa,
        change_orders=psa,
        sagas=sagas,
        postings=providers.Singleton(Postings, sagas),
        intercompany=providers.Singleton(Intercompany, sagas),
        crm_status=providers.Singleton(CrmStatus, sagas),
        psa_invoiced=providers.Singleton(PsaInvoiced, sagas),
        platform_handoffs=providers.Singleton(PlatformHandoffs, sagas),
        billing_platform=billing_platform,
        ledgers=ledgers,
    )
    payment_reader = providers.Singleton(payment_reader, billing, config.sagas.payments_seconds)
    controls = providers.Singleton(
        Controls,
        providers.Singleton(
            ControlPorts,
            billing=billing,
            runs=providers.Singleton(SqlControlRuns, sessions),
            psa_work=psa,
            crm_status=crm,
            look_back_days=config.controls.look_back_days,
        ),
    )
    controls_worker = providers.Singleton(controls_worker, controls, config.controls.seconds)
    platform_invoice_reader = providers.Singleton(
        platform_invoice_reader, billing, config.billing.platform.read_seconds
    )
    chunk_queue = providers.Singleton(
        ChunkQueue,
        config.nats.url,
        providers.Singleton(chunk_biller, billing),
        replicas=config.nats.replicas,
        ack_wait=config.billing.chunks.ack_seconds,
    )
    chunk_worker = providers.Singleton(RelayThread, chunk_queue, name="billing chunk worker")
    reference_sync = providers.Singleton(
        ReferenceSync,
        store=providers.Singleton(SqlReferenceData, sessions),
        ledgers=ledgers,
        crm=crm,
        uow_factory=unit_of_work.provider,
        clock=clock,
        ids=ids,
        master_data=erp,
        default_erp="sandbox",
    )
    reference_syncer = providers.Singleton(
        reference_syncer, reference_sync, config.sagas.reference_sync_seconds
    )
    exception_retry = providers.Singleton(
        exception_retry_of,
        sagas,
        providers.Singleton(ClosedWonEvents, crm, provisioning).provided.handle,
        providers.Singleton(ApprovedWorkEvents, billing).provided.handle,
        reference_sync,
    )
    credit_checks = providers.Singleton(
        CreditChecks,
        unit_of_work.provider,
        clock,
        ledgers,
        erp,
        config.credit.deadline_seconds,
        config.credit.cache_seconds,
    )
    psa_work_poller = providers.Singleton(
        psa_work_poller, psa, billing, config.sagas.psa_work_seconds
    )
    vendor_events = providers.Singleton(
        vendor_event_thread, config.vendor_events, config.nats.url, crm, provisioning, billing
    )
    dashboard_queries = providers.Singleton(SqlDashboardQueries, engine)
    dashboard = providers.Singleton(
        DashboardServer,
        config.dashboard.address,
        providers.Singleton(
            DashboardApp, token_verifier, dashboard_queries, clock, lineage_readers
        ),
    )
