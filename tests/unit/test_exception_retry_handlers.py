"""RetryException's handlers for vendor events and the customer master, with fakes: a parked
vendor event is handled again under its own event id, a customer master case is compared again
for its account, and either resolves itself "by retry" once its cause is gone; while the cause
remains, the case opens again with the attempt kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pytest
from support.billing_api import ReferenceData
from support.builders import closed_won as engagement_request
from support.builders import integration

from application.billing_ports import BillingPorts
from application.create_engagement import create_service_engagement, saga_runner
from application.errors import VendorUnavailable
from application.exception_retry import (
    CustomerMasterRetry,
    ExceptionRetry,
    NotRetryable,
    RetryException,
    RetryHandler,
    VendorEventRetry,
)
from application.reference_ports import (
    CrmAccount,
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)
from application.reference_sync import Counts, HeldRecord, ReferenceFilter, ReferenceSync
from application.vendor_events import (
    ApprovedWorkEvents,
    ClosedWonEvents,
    Outcome,
    Parking,
    VendorMessage,
    receive,
)
from domain.engagement import EngagementStatus
from domain.errors import StorageUnavailable
from domain.exception_case import (
    AttemptOutcome,
    ExceptionCase,
    ExceptionStatus,
    OwnerRole,
    ReasonCode,
    Resolution,
    Workflow,
)
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeClock, FakeErp, FakeUnitOfWork, SequentialIds, Store
from unit.test_vendor_events import DEAL, Deals, change_event, work_event

OPERATIONS = integration("operations", subject="ops.anna")
CDC_SUBJECT = "salesforce.cdc.OpportunityChangeEvent"
ACME = "001-ACME"


def retry_of(
    store: Store, clock: FakeClock, *handlers: RetryHandler
) -> Callable[[str], ExceptionCase]:
    queue = ExceptionRetry(lambda: FakeUnitOfWork(store), clock, handlers)
    requests = iter(range(1, 1000))

    def retry(exception_id: str) -> ExceptionCase:
        clock.current += dt.timedelta(minutes=30)  # someone looks at the queue later on
        request = RetryException(f"retry-{next(requests)}", exception_id, OPERATIONS)
        return queue.retry(request)

    return retry


def only_case(store: Store) -> ExceptionCase:
    [case] = store.exceptions.values()
    return case


def attempts_of(case: ExceptionCase) -> list[AttemptOutcome]:
    return [attempt.outcome for attempt in case.attempt_log]


# Vendor events


@pytest.fixture
def parking(store, clock):
    return Parking(lambda: FakeUnitOfWork(store), clock, SequentialIds("x"))


@pytest.fixture
def deals():
    return Deals()  # the CRM has not got the deal yet


@pytest.fixture
def closed_won(deals, provisioning):
    return ClosedWonEvents(deals, provisioning)


def delivered(closed_won, parking, delivery: int = 1) -> Outcome:
    message = VendorMessage(CDC_SUBJECT, "nats-7", change_event(), delivery, 3)
    return receive(
        message,
        closed_won.handle,
        parking,
        Workflow.CLOSED_WON_TO_ENGAGEMENT,
        OwnerRole.SALES_OPS,
    )


def test_a_closed_won_event_parked_before_the_crm_had_the_deal_opens_it_when_retried(
    store, clock, deals, closed_won, parking
):
    assert delivered(closed_won, parking) is Outcome.PARKED
    parked = only_case(store)
    assert (parked.reason_code, parked.business_key) == (
        ReasonCode.VENDOR_EVENT_REJECTED,
        "006-CDC-1",
    )
    deals.deals[DEAL.opportunity_id] = DEAL
    retry = retry_of(
        store, clock, VendorEventRetry({Workflow.CLOSED_WON_TO_ENGAGEMENT: closed_won.handle})
    )

    case = retry(parked.id)

    assert (case.status, case.resolution, case.attempts) == (
        ExceptionStatus.RESOLVED,
        Resolution.BY_RETRY,
        2,
    )
    assert case.time_to_resolution == dt.timedelta(minutes=30)
    [engagement] = store.engagements.values()
    assert (engagement.opportunity_id, engagement.status) == ("006-CDC-1", EngagementStatus.ACTIVE)
    handled_as = {key.request_id for key in store.requests if key.request_id.startswith("cdc-")}
    assert handled_as == {"cdc-006-CDC-1-0002a9f1-6c3e-4d2b:1"}  # the change event's own id
    assert delivered(closed_won, parking, delivery=2) is Outcome.DONE
    assert len(store.engagements) == 1 and len(store.exceptions) == 1


def test_a_vendor_event_whose_cause_remains_is_open_again_after_each_retry_without_a_cap(
    store, clock, closed_won, parking
):
    delivered(closed_won, parking)
    retry = retry_of(
        store, clock, VendorEventRetry({Workflow.CLOSED_WON_TO_ENGAGEMENT: closed_won.handle})
    )

    for _ in range(3):
        case = retry(only_case(store).id)

    assert (case.status, case.attempts) == (ExceptionStatus.OPEN, 4)
    assert attempts_of(case) == [AttemptOutcome.FAILED] * 4
    assert all("the CRM has no opportunity '006-CDC-1'" in a.detail for a in case.attempt_log)
    assert store.engagements == {}


class Outage:
    """The billing database, away while `down`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.down = False

    def __call__(self) -> FakeUnitOfWork:
        if self.down:
            raise StorageUnavailable("the billing database is away")
        return FakeUnitOfWork(self.store)


def test_approved_work_undelivered_while_the_database_was_away_is_staged_once_by_its_retry(
    store, clock, provisioning, psa, parking
):
    outage = Outage(store)
    billing = BillingPorts(
        uow_factory=outage,
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        sagas=saga_runner(provisioning),
    )
    create_service_engagement(engagement_request(), provisioning)
    project = store.engagements["eng-1"].work_packages[0].psa_project_id
    assert project
    work = ApprovedWorkEvents(billing)
    message = VendorMessage("psa.work.approved", "W-1", work_event(project), 1, 3)
    outage.down = True
    outcomes = [
        receive(
            VendorMessage(message.subject, message.event_id, message.payload, n, 3),
            work.handle,
            parking,
            Workflow.APPROVED_WORK_TO_STAGING,
            OwnerRole.PMO,
        )
        for n in (1, 2, 3)
    ]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.PARKED]
    assert only_case(store).reason_code is ReasonCode.VENDOR_EVENT_UNDELIVERED
    outage.down = False
    retry = retry_of(
        store, clock, VendorEventRetry({Workflow.APPROVED_WORK_TO_STAGING: work.handle})
    )

    case = retry(only_case(store).id)

    assert (case.status, case.resolution) == (ExceptionStatus.RESOLVED, Resolution.BY_RETRY)
    [event] = store.billable_events.values()
    assert (event.source_id, str(event.work.hours)) == ("TC-77", "7.5")
    assert work.handle(message) is Outcome.DONE  # the broker's own redelivery, late
    assert len(store.billable_events) == 1


def test_a_case_no_handler_can_run_again_is_refused_and_left_open(store, clock):
    store.exceptions["x-1"] = ExceptionCase.park(
        exception_id="x-1",
        workflow=Workflow.INVOICE_TO_ERP,
        business_key="INV-US01-000001",
        reason_code=ReasonCode.LEDGER_VARIANCE,
        owner_role=OwnerRole.FINANCE,
        detail="billing and the ERP disagree by 10.00 USD",
        payload={"variance": "10.00"},
        now=clock.now(),
    )
    retry = retry_of(store, clock, VendorEventRetry({}))

    with pytest.raises(NotRetryable) as refused:
        retry("x-1")

    assert refused.value.reason == "EXCEPTION_NOT_RETRYABLE"
    assert (store.exceptions["x-1"].status, store.exceptions["x-1"].attempts) == (
        ExceptionStatus.OPEN,
        1,
    )


# The customer master


class KeptErp:
    """An ERP's master data as its users keep it: one entity, and Acme as its customer."""

    def __init__(self) -> None:
        self.acme = customer_named("Acme Corp")
        self.down = False

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        if self.down:
            raise VendorUnavailable("sandbox", "503 not answering")
        return [ErpLegalEntityRecord("USMF", "Example Consulting Inc.", "US", "USD")]

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        return []

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        return []

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        return [self.acme]


def customer_named(name: str) -> ErpCustomerRecord:
    return ErpCustomerRecord("USMF", "C-1", ACME, name, "US-EIN-12-3456789", "US", "USD")


class HeldReference:
    """What o2c holds of the ERPs' master data; the engagements' legal entities from `store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.held: dict[tuple[str, str, str], list[HeldRecord]] = {}

    def replace(
        self,
        erp: str,
        kind: str,
        erp_legal_entity: str,
        records: Sequence[HeldRecord],
        now: dt.datetime,
    ) -> Counts:
        before = self.held.get((erp, kind, erp_legal_entity), [])
        self.held[(erp, kind, erp_legal_entity)] = list(records)
        changed = sum(record not in before for record in records)
        return Counts(updated=changed, unchanged=len(records) - changed)

    def page(self, where: ReferenceFilter, after: str, limit: int) -> list[HeldRecord]:
        return []

    def engagement_legal_entities(self, account_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {}
        for engagement in self.store.engagements.values():
            if engagement.account_id in account_ids:
                codes = found.get(engagement.account_id, frozenset())
                found[engagement.account_id] = codes | {engagement.legal_entity_code}
        return found


class KeptCrm:
    def accounts(self, account_ids: Sequence[str]) -> Mapping[str, CrmAccount]:
        acme = CrmAccount(ACME, "Acme Corp", "US-EIN-12-3456789", "US", "US01")
        return {ACME: acme} if ACME in account_ids else {}


@pytest.fixture
def kept_erp() -> KeptErp:
    return KeptErp()


@pytest.fixture
def sync(store, clock, erp: FakeErp, provisioning, kept_erp) -> ReferenceSync:
    create_service_engagement(engagement_request(), provisioning)
    return ReferenceSync(
        store=HeldReference(store),
        ledgers={"sandbox": kept_erp},  # type: ignore[dict-item]
        crm=KeptCrm(),  # type: ignore[arg-type]
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("cm"),
        master_data=erp,
    )


def mismatch_parked(sync: ReferenceSync, kept_erp: KeptErp, store: Store) -> ExceptionCase:
    kept_erp.acme = customer_named("Acme Corporation")
    [exception_id] = sync.run().parked
    return store.exceptions[exception_id]


def test_a_customer_master_case_resolves_by_retry_once_the_erp_and_the_crm_agree(
    store, clock, sync, kept_erp
):
    parked = mismatch_parked(sync, kept_erp, store)
    assert (parked.reason_code, parked.owner_role) == (
        ReasonCode.CUSTOMER_MASTER_MISMATCH,
        OwnerRole.SALES_OPS,
    )
    retry = retry_of(store, clock, CustomerMasterRetry(sync))

    still = retry(parked.id)
    assert (still.status, still.attempts) == (ExceptionStatus.OPEN, 2)
    assert still.attempt_log[-1].detail == "the CRM account and the ERP's customer still disagree"

    kept_erp.acme = customer_named("Acme Corp")  # sales operations put the ERP right
    case = retry(parked.id)

    assert (case.status, case.resolution, case.attempts) == (
        ExceptionStatus.RESOLVED,
        Resolution.BY_RETRY,
        3,
    )
    assert case.time_to_resolution == dt.timedelta(hours=1)
    assert len(store.exceptions) == 1  # compared again, never parked again


def test_a_customer_master_retry_while_the_erp_cannot_be_read_keeps_the_case_open_saying_so(
    store, clock, sync, kept_erp
):
    parked = mismatch_parked(sync, kept_erp, store)
    kept_erp.acme = customer_named("Acme Corp")
    kept_erp.down = True

    case = retry_of(store, clock, CustomerMasterRetry(sync))(parked.id)

    assert (case.status, case.attempts) == (ExceptionStatus.OPEN, 2)
    assert case.attempt_log[-1].detail == "sandbox could not be read: sandbox: 503 not answering"


def test_a_customer_master_case_resolves_by_retry_while_another_erps_case_stays_open(
    store, clock, sync, kept_erp
):
    sync.ledgers = {"sandbox": kept_erp, "netsuite": KeptErp()}  # US01 never routes to NetSuite
    kept_erp.acme = customer_named("Acme Corporation")
    parked = {store.exceptions[i].payload["erp"]: i for i in sync.run().parked}
    assert sorted(parked) == ["netsuite", "sandbox"]
    kept_erp.acme = customer_named("Acme Corp")

    case = retry_of(store, clock, CustomerMasterRetry(sync))(parked["sandbox"])

    assert (case.status, case.resolution) == (ExceptionStatus.RESOLVED, Resolution.BY_RETRY)
    assert store.exceptions[parked["netsuite"]].status is ExceptionStatus.OPEN
