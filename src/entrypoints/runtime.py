"""Starting and stopping the whole service: database, broker, simulated ERPs, relay and gRPC
server."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

import structlog

from adapters.messaging.embedded_nats import EmbeddedNats
from adapters.messaging.relay import RelayThread
from adapters.persistence.migrate import migrate
from adapters.persistence.orm import start_mappers
from adapters.vendors import call_log
from adapters.vendors.call_log import VendorCallLog
from adapters.vendors.sandbox.erp import SandboxErp
from adapters.vendors.sandbox.ledger import SandboxLedger
from entrypoints import settings
from entrypoints.billing_platforms import EmbeddedZuora
from entrypoints.container import Container
from entrypoints.dashboard.server import DashboardServer
from entrypoints.erp_simulators import EmbeddedErps
from entrypoints.grpc import transport
from entrypoints.grpc.server import O2cServer, create_server
from entrypoints.metrics_runtime import Observability
from entrypoints.psa_simulators import EmbeddedKantata, EmbeddedSalesforce
from entrypoints.readiness import ReadinessWatcher, interval_for
from entrypoints.saga_worker import SagaWorker
from entrypoints.sandbox_master_data import keep_sandbox_master_data

log = structlog.get_logger("o2c")


class Runtime:
    def __init__(self, values: Mapping[str, str]) -> None:
        settings.as_config(values)  # a setting o2c cannot use stops it before anything starts
        self.values = dict(values)
        self.nats: EmbeddedNats | None = None
        self.erp_simulators: EmbeddedErps | None = None
        self.relay: RelayThread | None = None
        self.server: O2cServer | None = None
        self.readiness: ReadinessWatcher | None = None
        self.saga_worker: SagaWorker | None = None
        self.payment_reader: SagaWorker | None = None
        self.reference_syncer: SagaWorker | None = None
        self.psa_work: SagaWorker | None = None
        self.vendor_events: RelayThread | None = None
        self.kantata: EmbeddedKantata | None = None
        self.salesforce: EmbeddedSalesforce | None = None
        self.zuora: EmbeddedZuora | None = None
        self.platform_invoices: SagaWorker | None = None
        self.controls: SagaWorker | None = None
        self.chunk_worker: RelayThread | None = None
        self.observability: Observability | None = None
        self.dashboard: DashboardServer | None = None
        self.port = 0
        self.vendor_calls: VendorCallLog | None = None
        self.container = Container()

    @classmethod
    def from_environment(cls) -> Runtime:
        return cls(settings.read())

    def start(self) -> Runtime:
        security = transport.transport_security(self.values)  # before anything starts
        if not self.values["O2C_NATS_URL"]:
            self.values["O2C_NATS_URL"] = self.start_embedded_nats()
        if settings.erp_simulators_wanted(self.values):
            self.values.update(self.start_erp_simulators())
        if self.values["O2C_PSA"].strip() == "kantata" and not self.values["O2C_KANTATA_URL"]:
            self.kantata = EmbeddedKantata(Path(self.values["O2C_ERP_SIMULATORS_DIR"]))
            self.values.update(self.kantata.start())
        wants_salesforce = (
            self.values["O2C_CRM"].strip() == "salesforce"
            or self.values["O2C_PSA"].strip() == "certinia"
        )
        if wants_salesforce and not self.values["O2C_SALESFORCE_LOGIN_URL"]:
            self.salesforce = EmbeddedSalesforce(Path(self.values["O2C_ERP_SIMULATORS_DIR"]))
            self.values.update(self.salesforce.start())
        if (
            self.values["O2C_BILLING_PLATFORM"].strip() == "zuora"
            and not self.values["O2C_ZUORA_URL"]
        ):
            self.zuora = EmbeddedZuora(Path(self.values["O2C_ERP_SIMULATORS_DIR"]))
            self.values.update(self.zuora.start())
        self.container.config.from_dict(settings.as_config(self.values))
        prepare_database(self.values["O2C_DATABASE_URL"])
        start_mappers()
        migrate(self.container.engine())
        self.vendor_calls = self.container.vendor_call_log().start()
        call_log.install(self.vendor_calls)
        self.keep_sandbox_master_data()
        self.relay = self.container.relay_thread()
        self.relay.start()
        self.saga_worker = self.container.saga_worker().start()  # sagas have leases of their own
        rounds = self.container.job_locks().round_of  # one replica at a time per scheduled job
        self.payment_reader = self.container.payment_reader().one_replica_at_a_time(rounds).start()
        self.platform_invoices = (
            self.container.platform_invoice_reader().one_replica_at_a_time(rounds).start()
        )
        self.reference_syncer = (
            self.container.reference_syncer().one_replica_at_a_time(rounds).start()
        )
        self.psa_work = self.container.psa_work_poller().one_replica_at_a_time(rounds).start()
        self.controls = self.container.controls_worker().one_replica_at_a_time(rounds).start()
        if self.container.config.billing.chunks.worker():
            self.chunk_worker = self.container.chunk_worker()
            self.chunk_worker.start()
        if self.container.config.vendor_events.enabled():
            self.vendor_events = self.container.vendor_events()
            self.vendor_events.start()
        config = self.container.config
        self.observability = Observability(
            config.observability(), self.container.engine(), self.container.clock()
        )
        self.server, self.port = create_server(
            config.grpc.address(),
            self.container.provisioning(),
            self.container.billing(),
            max_workers=config.grpc.max_workers(),
            max_message_bytes=config.grpc.max_message_bytes(),
            authentication=self.container.authentication(),
            auditor=self.container.call_auditor(),
            rate_limits=self.container.rate_limits(),
            credit_checks=self.container.credit_checks(),
            reference_sync=self.container.reference_sync(),
            exception_retry=self.container.exception_retry(),
            lineage=self.container.lineage_readers(),
            controls=self.container.controls(),
            credentials=security.credentials() if security else None,
            observers=self.observability.interceptors(),
            metrics=self.observability.figures,
        )
        transport.warn_if_exposed(config.grpc.address(), security)
        self.server.start()
        self.observability.start()
        if config.dashboard.address():
            self.dashboard = self.container.dashboard().start()
        outbox_health = self.container.outbox_health()
        self.readiness = ReadinessWatcher(
            outbox_health.check, self.server.health, interval_for(outbox_health.stale_after)
        ).start()
        log.info(
            "o2c serving",
            port=self.port,
            transport=transport.mode_of(security),
            database=settings.redact(self.values["O2C_DATABASE_URL"]),
            nats=self.values["O2C_NATS_URL"],
        )
        return self

    def keep_sandbox_master_data(self) -> None:
        sandbox = self.container.ledgers()["sandbox"]
        master_data = self.container.erp()
        assert isinstance(sandbox, SandboxLedger) and isinstance(master_data, SandboxErp)
        keep_sandbox_master_data(
            sandbox, master_data.legal_entities, self.container.billing_reference()
        )

    def start_embedded_nats(self) -> str:
        self.nats = EmbeddedNats(
            Path(self.values["O2C_EMBEDDED_NATS_DIR"]),
            port=settings.whole_number(self.values, "O2C_EMBEDDED_NATS_PORT"),
        )
        self.nats.start()
        return self.nats.url

    def start_erp_simulators(self) -> dict[str, str]:
        self.erp_simulators = EmbeddedErps(
            Path(self.values["O2C_ERP_SIMULATORS_DIR"]),
            Path(self.values["O2C_AUTH_DEV_KEYS_DIR"]),
        )
        return self.erp_simulators.start(self.values)

    def stop(self) -> None:
        grace = settings.number(self.values, "O2C_SHUTDOWN_GRACE_SECONDS")
        if self.readiness is not None:
            self.readiness.stop()
        if self.dashboard is not None:
            self.dashboard.stop(grace)
        if self.server is not None:
            self.server.stop(grace)
        if self.observability is not None:
            self.observability.stop()
        if self.saga_worker is not None:
            self.saga_worker.stop(grace)
        if self.payment_reader is not None:
            self.payment_reader.stop(grace)
        if self.platform_invoices is not None:
            self.platform_invoices.stop(grace)
        if self.reference_syncer is not None:
            self.reference_syncer.stop(grace)
        if self.psa_work is not None:
            self.psa_work.stop(grace)
        if self.controls is not None:
            self.controls.stop(grace)
        if self.vendor_events is not None:
            self.vendor_events.stop(grace)
        if self.chunk_worker is not None:
            self.chunk_worker.stop(grace)
        if self.relay is not None:
            self.relay.stop(grace)
        if self.vendor_calls is not None:
            call_log.uninstall(self.vendor_calls)
            self.vendor_calls.stop(grace)
        with contextlib.suppress(Exception):
            self.container.shutdown_resources()
        with contextlib.suppress(Exception):
            self.container.engine().dispose()
        if self.erp_simulators is not None:
            self.erp_simulators.stop()
        if self.kantata is not None:
            self.kantata.stop()
        if self.salesforce is not None:
            self.salesforce.stop()
        if self.zuora is not None:
            self.zuora.stop()
        if self.nats is not None:
            self.nats.stop()
        log.info("o2c stopped")


def prepare_database(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)
