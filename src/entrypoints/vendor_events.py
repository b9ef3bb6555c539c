"""The vendor-event consumers the server runs: the CRM's change events for closed-won deals and
the PSA's approved work, on subjects under O2C_VENDOR_EVENT_PREFIX in O2C_VENDOR_EVENT_STREAM."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from adapters.messaging.relay_thread import RelayThread
from adapters.messaging.vendor_consumer import (
    ConsumerSettings,
    Subscription,
    VendorEventConsumer,
)
from application.billing_ports import BillingPorts
from application.create_engagement import ProvisioningPorts
from application.crm_ports import CrmDeals
from application.psa_work_ports import PsaWork
from application.psa_work_reader import PsaWorkReader
from application.vendor_events import (
    ApprovedWorkEvents,
    ClosedWonEvents,
    Parking,
    receive,
)
from domain.exception_case import OwnerRole, Workflow
from entrypoints.saga_worker import SagaWorker

CLOSED_WON = "salesforce.cdc.OpportunityChangeEvent"
APPROVED_WORK = "psa.work.approved"


def subjects(prefix: str) -> dict[str, str]:
    return {"closed_won": f"{prefix}.{CLOSED_WON}", "approved_work": f"{prefix}.{APPROVED_WORK}"}


def vendor_event_thread(
    config: Mapping[str, Any],
    nats_url: str,
    crm: CrmDeals,
    provisioning: ProvisioningPorts,
    billing: BillingPorts,
) -> RelayThread:
    parking = Parking(billing.uow_factory, billing.clock, billing.ids)
    closed_won = ClosedWonEvents(crm, provisioning)
    approved_work = ApprovedWorkEvents(billing)
    named = subjects(config["prefix"])
    consumer = VendorEventConsumer(
        ConsumerSettings(
            nats_url=nats_url,
            stream=config["stream"],
            stream_subjects=(f"{config['prefix']}.>",),
            max_deliveries=config["max_deliveries"],
        ),
        [
            Subscription(
                named["closed_won"],
                "o2c-closed-won",
                partial(
                    receive,
                    handle=closed_won.handle,
                    parking=parking,
                    workflow=Workflow.CLOSED_WON_TO_ENGAGEMENT,
                    owner=OwnerRole.SALES_OPS,
                ),
            ),
            Subscription(
                named["approved_work"],
                "o2c-approved-work",
                partial(
                    receive,
                    handle=approved_work.handle,
                    parking=parking,
                    workflow=Workflow.APPROVED_WORK_TO_STAGING,
                    owner=OwnerRole.PMO,
                ),
            ),
        ],
    )
    return RelayThread(consumer, name="vendor event consumer")


def psa_work_poller(psa: PsaWork, billing: BillingPorts, every_seconds: float) -> SagaWorker:
    """Reads the work the PSA approved and stages it, every `every_seconds` (0: never)."""
    reader = PsaWorkReader(
        psa,
        ApprovedWorkEvents(billing),
        Parking(billing.uow_factory, billing.clock, billing.ids),
        billing.clock,
    )
    return SagaWorker(
        reader.read,
        every_seconds,
        name="psa-work-reader",
        doing="reading approved PSA work",
        done="staged approved PSA work",
    )
