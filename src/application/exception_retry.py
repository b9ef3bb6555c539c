"""RetryException: the parked unit of work run again from its stored payload.

Each workflow's handler re-runs it under the keys of its first attempt, so nothing is done
twice: a saga is started again with the context it parked (its steps carry the same external
ids), a vendor event is handled again under its own event id (its request id), and a customer
master mismatch is compared again for its account. A retry that succeeds resolves the case
("resolved by retry"); one that fails puts the case back to open, the attempt kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from attrs import frozen

from application.exception_commands import case_in, check_sees_all
from application.exception_hooks import RETRY_OF, SAGA_KIND
from application.pipeline import Answer, Pipeline
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.reference_sync import ReferenceSync
from application.saga_runner import SagaRunner
from application.vendor_events import Outcome, VendorMessage
from domain.errors import DomainError, InvalidTransition
from domain.exception_case import ExceptionCase, ExceptionStatus, Workflow
from domain.principal import Principal
from domain.requests import RequestKey
from domain.saga import Verdict

SAGA_KINDS = {  # the saga each workflow parked before its payload named it (version 1)
    Workflow.CLOSED_WON_TO_ENGAGEMENT: "engagement_provisioning",
    Workflow.INVOICE_TO_ERP: "invoice_to_erp",
    Workflow.CHANGE_ORDER_TO_PSA: "change_order_to_psa",
}


class NotRetryable(InvalidTransition):
    """No handler can run the case's unit of work again: resolve or discard it."""

    reason = "EXCEPTION_NOT_RETRYABLE"


class RetryHandler(Protocol):
    def handles(self, case: ExceptionCase) -> bool: ...
    def rerun(self, case: ExceptionCase) -> str | None:
        """None when the unit of work succeeded, else why it failed."""
        ...


@frozen
class RetryException:
    request_id: str
    exception_id: str
    caller: Principal


@frozen
class ExceptionRetry:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    handlers: Sequence[RetryHandler]

    def retry(self, cmd: RetryException) -> ExceptionCase:
        check_sees_all(cmd.caller)
        started: list[ExceptionCase] = []

        def work(uow: UnitOfWork) -> Answer:
            case = case_in(uow, cmd.exception_id)
            self.handler_for(case)
            case.start_retry(self.clock.now())
            started.append(case)
            return {"exception_id": case.id}

        key = RequestKey(cmd.caller.subject, "RetryException", cmd.request_id)
        Pipeline(self.uow_factory, self.clock).run(key, cmd, work)
        if started:
            self.rerun(cmd.exception_id)
        with self.uow_factory() as uow:
            return case_in(uow, cmd.exception_id)

    def rerun(self, exception_id: str) -> None:
        with self.uow_factory() as uow:
            case = case_in(uow, exception_id)
        try:
            failure = self.handler_for(case).rerun(case)
        except DomainError as error:
            failure = error.message
        except Exception as error:  # whatever the unit of work raised, the case must not hang
            failure = f"the retry failed: {type(error).__name__}: {error}"
        self.settle(exception_id, failure)

    def settle(self, exception_id: str, failure: str | None) -> None:
        with self.uow_factory() as uow:
            case = case_in(uow, exception_id)
            if case.status is not ExceptionStatus.RETRYING:
                return  # the unit of work recorded its own outcome on the case
            now = self.clock.now()
            if failure is None:
                case.retry_succeeded(now)
            else:
                case.retry_failed(failure[:2000], now)
            uow.commit()

    def handler_for(self, case: ExceptionCase) -> RetryHandler:
        handler = next((h for h in self.handlers if h.handles(case)), None)
        if handler is None:
            raise NotRetryable(
                f"exception {case.id} ({case.workflow.value}, {case.reason_code.value}) has no "
                "unit of work o2c can run again: resolve or discard it",
                field="exception_id",
                keys={"exception_id": case.id, "workflow": case.workflow.value},
            )
        return handler


def saga_kind(case: ExceptionCase) -> str:
    named = case.payload.get(SAGA_KIND)
    if isinstance(named, str):
        return named
    if is_vendor_event(case):
        return ""
    return SAGA_KINDS.get(case.workflow, "")


def is_vendor_event(case: ExceptionCase) -> bool:
    return {"subject", "event_id", "payload"} <= case.payload.keys()


@frozen
class SagaRetry:
    """Starts the parked saga again from its context, as the case's retry: a setback is
    recorded on this case (not parked anew), and the engagement or invoice it works on is
    found by the ids in the context."""

    sagas: SagaRunner

    def handles(self, case: ExceptionCase) -> bool:
        return saga_kind(case) in self.sagas.definitions

    def rerun(self, case: ExceptionCase) -> str | None:
        context = {k: v for k, v in case.payload.items() if k != SAGA_KIND}
        context[RETRY_OF] = case.id
        with self.sagas.ports.uow_factory() as uow:
            saga = self.sagas.start(
                uow,
                kind=saga_kind(case),
                business_key=case.business_key,
                context=context,
                request=None,
            )
            uow.commit()
        self.sagas.drive(saga.id, saga.owner)
        with self.sagas.ports.uow_factory() as uow:
            driven = uow.sagas.get(saga.id)
        if driven is not None and driven.verdict is Verdict.DONE:
            return None
        ended = "unknown" if driven is None or driven.verdict is None else driven.verdict.value
        return f"the retried saga {saga.id} ended {ended}"


@frozen
class VendorEventRetry:
    """Handles the parked vendor event again, under its own event id."""

    handlers: Mapping[Workflow, Callable[[VendorMessage], Outcome]]

    def handles(self, case: ExceptionCase) -> bool:
        return is_vendor_event(case) and case.workflow in self.handlers

    def rerun(self, case: ExceptionCase) -> str | None:
        deliveries = case.payload.get("deliveries")
        message = VendorMessage(
            subject=str(case.payload["subject"]),
            event_id=str(case.payload["event_id"]),
            payload=str(case.payload["payload"]).encode(),
            delivery=(deliveries if isinstance(deliveries, int) else 0) + 1,
            max_deliveries=0,
        )
        try:
            outcome = self.handlers[case.workflow](message)
        except Exception as error:  # Rejected, a refusal or a fault: the retry failed
            return str(error) or type(error).__name__
        return None if outcome in (Outcome.DONE, Outcome.IGNORED) else outcome.value


@frozen
class CustomerMasterRetry:
    """Compares the account's customers with the CRM again: done once they agree."""

    sync: ReferenceSync

    def handles(self, case: ExceptionCase) -> bool:
        return case.workflow is Workflow.CUSTOMER_MASTER_SYNC and "account_id" in case.payload

    def rerun(self, case: ExceptionCase) -> str | None:
        account, erp = str(case.payload["account_id"]), case.payload.get("erp")
        report = self.sync.run(account)
        unread = [e for e in report.erps if e.erp == erp and not e.synced]
        if unread:
            return f"{unread[0].erp} could not be read: {unread[0].detail}"
        if (account, erp, case.payload.get("erp_legal_entity")) in report.disagreeing:
            return "the CRM account and the ERP's customer still disagree"
        return None  # another ERP's disagreement is its own case's


def exception_retry_of(
    sagas: SagaRunner,
    closed_won: Callable[[VendorMessage], Outcome],
    approved_work: Callable[[VendorMessage], Outcome],
    reference_sync: ReferenceSync | None,
) -> ExceptionRetry:
    """Every workflow's handler: its sagas, its vendor events, the customer master."""
    handlers: list[RetryHandler] = [
        SagaRetry(sagas),
        VendorEventRetry(
            {
                Workflow.CLOSED_WON_TO_ENGAGEMENT: closed_won,
                Workflow.APPROVED_WORK_TO_STAGING: approved_work,
            }
        ),
    ]
    if reference_sync is not None:
        handlers.append(CustomerMasterRetry(reference_sync))
    ports = sagas.ports
    return ExceptionRetry(ports.uow_factory, ports.clock, handlers)
