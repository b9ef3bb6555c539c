"""A change order reaching the PSA, as a saga: a project for each work package it adds, then
the change order on each project it touches. Each call carries its external id, so a retry or
a resumed saga never makes a second project or change order. The amendment itself is already
in force; a lasting PSA failure is parked for integration support."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from application.billing_ports import ChangeOrder, PsaChangeOrders
from application.errors import VendorError
from application.ports import Psa, UnitOfWork
from application.provisioning import project_request
from application.saga_definition import Setback, Step
from domain.billing.agreement import Amendment
from domain.engagement import Engagement, WorkPackage
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.saga import Saga, Verdict

KIND = "change_order_to_psa"


def failed(reason: ReasonCode) -> Callable[[VendorError], Setback]:
    return lambda error: Setback(Verdict.FAILED, reason, OwnerRole.INTEGRATION_SUPPORT, str(error))


@frozen
class ChangeOrderToPsa:
    psa: Psa
    change_orders: PsaChangeOrders
    kind: str = KIND
    workflow: Workflow = Workflow.CHANGE_ORDER_TO_PSA

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        engagement = engagement_of(uow, saga)
        amendment = amendment_of(uow, engagement, int(str(saga.context["version"])))
        added = [t.work_package_code for t in amendment.new_terms]
        steps: list[Step[Any]] = [
            self.project(engagement, engagement.work_package(code)) for code in added
        ]
        if all(f"psa.create_project[{code}]" in done for code in added):
            codes = [c.work_package_code for c in amendment.changes] + added
            steps += [self.change_order(uow, saga, engagement, amendment, code) for code in codes]
        return steps

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        answer = {
            "engagement_id": saga.context["engagement_id"],
            "version": saga.context["version"],
        }
        return answer if setback is None else {**answer, "exception_id": setback.id}

    def project(self, engagement: Engagement, package: WorkPackage) -> Step[str]:
        code = package.code
        request = project_request(engagement, package)
        return Step[str](
            name=f"psa.create_project[{code}]",
            external_id=request.external_id,
            action=lambda: self.psa.create_project(request),
            failure=failed(ReasonCode.PSA_PROVISIONING_FAILED),
            record=lambda uow, project: engagement_in(uow, engagement.id).attach_added_project(
                code, project
            ),
            undo=self.psa.remove_project,
            record_undo=lambda uow: engagement_in(uow, engagement.id).detach_added_project(code),
        )

    def change_order(
        self, uow: UnitOfWork, saga: Saga, engagement: Engagement, amendment: Amendment, code: str
    ) -> Step[str]:
        project_id = engagement_in(uow, engagement.id).work_package(code).psa_project_id or ""
        order = ChangeOrder(
            external_id=f"{engagement.id}:v{amendment.version}:{code}",
            project_id=project_id,
            engagement_id=engagement.id,
            version=amendment.version,
            effective_on=amendment.effective_on.isoformat(),
            summary=summary(amendment, code),
        )
        return Step[str](
            name=f"psa.change_order[{code}]",
            external_id=order.external_id,
            action=lambda: self.change_orders.apply_change_order(order),
            failure=failed(ReasonCode.PSA_CHANGE_ORDER_FAILED),
        )


def summary(amendment: Amendment, code: str) -> str:
    change = next((c for c in amendment.changes if c.work_package_code == code), None)
    if change is None:
        return f"{amendment.reason}: work package {code} added"
    parts = [f"cap {change.cap}" if change.cap else "", f"fee {change.fee}" if change.fee else ""]
    parts += [f"{len(change.milestones)} milestones" if change.milestones else ""]
    parts += [f"{r.role} at {r.price} from {r.effective_from}" for r in change.rate_changes]
    return f"{amendment.reason}: " + ", ".join(p for p in parts if p)


def amendment_of(uow: UnitOfWork, engagement: Engagement, version: int) -> Amendment:
    agreement = uow.billing_agreements.get(engagement.id)
    found = agreement and next((a for a in agreement.amendments if a.version == version), None)
    if not found:
        raise NotFound(f"engagement {engagement.id} has no amendment {version}", field="version")
    return found


def engagement_of(uow: UnitOfWork, saga: Saga) -> Engagement:
    return engagement_in(uow, str(saga.context["engagement_id"]))


def engagement_in(uow: UnitOfWork, engagement_id: str) -> Engagement:
    engagement = uow.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found", field="engagement_id")
    return engagement
