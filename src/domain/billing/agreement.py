"""An engagement's billing terms, amended by numbered change orders, one version at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from attrs import define, field, frozen

from domain.billing.amendments import Invoiced, TermsChange, amend_terms
from domain.billing.state import TermsState
from domain.billing.terms import BillingTerms
from domain.errors import ConcurrentUpdate, InvalidField, NotFound
from domain.events import AggregateRef, BusinessKey, BusinessKeyKind, Event


@frozen
class Amendment:
    version: int
    effective_on: dt.date
    reason: str
    changes: tuple[TermsChange, ...] = field(default=(), converter=tuple)
    new_terms: tuple[BillingTerms, ...] = field(default=(), converter=tuple)


@frozen(kw_only=True)
class EngagementAmended(Event):
    engagement_id: str
    version: int
    effective_on: dt.date
    reason: str
    work_package_codes: tuple[str, ...]

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("engagement", self.engagement_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.ENGAGEMENT, self.engagement_id)


@define(slots=False, eq=False)
class BillingAgreement:
    engagement_id: str
    terms: dict[str, BillingTerms]
    version: int = 0
    events: list[Event] = field(factory=list)

    def amend(
        self,
        amendment: Amendment,
        *,
        states: Mapping[str, TermsState],
        invoiced: Mapping[str, Invoiced],
        occurred_at: dt.datetime,
    ) -> dict[str, BillingTerms]:
        """The new terms of every work package the amendment touches; all or nothing."""
        self.check_next_version(amendment)
        check_each_package_once(amendment)
        amended = {
            change.work_package_code: self.amended(change, states, invoiced)
            for change in amendment.changes
        }
        for terms in amendment.new_terms:
            self.check_new(terms.work_package_code)
            amended[terms.work_package_code] = terms
        self.terms, self.version = {**self.terms, **amended}, amendment.version
        self.events.append(self.amended_event(amendment, tuple(amended), occurred_at))
        return amended

    def amended(
        self,
        change: TermsChange,
        states: Mapping[str, TermsState],
        invoiced: Mapping[str, Invoiced],
    ) -> BillingTerms:
        code = change.work_package_code
        terms = self.terms.get(code)
        if terms is None:
            raise NotFound(
                f"work package {code!r} has no terms to amend",
                field="changes.work_package_code",
                keys={"work_package": code},
            )
        state = states.get(code) or TermsState.start(terms.currency)
        return amend_terms(terms, change, state, invoiced.get(code, Invoiced()))

    def check_next_version(self, amendment: Amendment) -> None:
        if amendment.version != self.version + 1:
            raise ConcurrentUpdate(
                f"the next amendment is version {self.version + 1}",
                field="version",
                keys={"engagement": self.engagement_id, "version": str(amendment.version)},
            )
        if not amendment.reason.strip():
            raise InvalidField("an amendment gives its reason", field="reason")
        if not (amendment.changes or amendment.new_terms):
            raise InvalidField("an amendment changes some terms", field="changes")

    def check_new(self, code: str) -> None:
        if code in self.terms:
            raise InvalidField(
                f"work package {code!r} has terms; amend them instead",
                field="new_terms.work_package_code",
                keys={"work_package": code},
            )

    def amended_event(
        self, amendment: Amendment, codes: tuple[str, ...], occurred_at: dt.datetime
    ) -> EngagementAmended:
        return EngagementAmended(
            occurred_at=occurred_at,
            engagement_id=self.engagement_id,
            version=amendment.version,
            effective_on=amendment.effective_on,
            reason=amendment.reason,
            work_package_codes=codes,
        )


def check_each_package_once(amendment: Amendment) -> None:
    codes = [c.work_package_code for c in amendment.changes]
    codes += [t.work_package_code for t in amendment.new_terms]
    for code in codes:
        if codes.count(code) > 1:
            raise InvalidField(
                f"work package {code!r} is amended once per amendment",
                field="changes.work_package_code",
                keys={"work_package": code},
            )
