"""An engagement's billing terms per work package, the running state that rating keeps for
each, and the numbered change orders that amended them, one version at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from attrs import define, field, frozen

from domain.billing.amendments import Invoiced, TermsChange, amend_terms
from domain.billing.rating import Rated, approve_overage, rate, write_off
from domain.billing.releasing import release_held
from domain.billing.state import TermsState
from domain.billing.terms import BillingTerms
from domain.billing.work import Work
from domain.errors import ConcurrentUpdate, InvalidField, NotFound
from domain.events import AggregateRef, BusinessKey, BusinessKeyKind, Event


def change_tuple(items: Iterable[TermsChange]) -> tuple[TermsChange, ...]:
    return tuple(items)


def terms_tuple(items: Iterable[BillingTerms]) -> tuple[BillingTerms, ...]:
    return tuple(items)


@frozen
class Amendment:
    version: int
    effective_on: dt.date
    reason: str
    changes: tuple[TermsChange, ...] = field(default=(), converter=change_tuple)
    new_terms: tuple[BillingTerms, ...] = field(default=(), converter=terms_tuple)


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
    version: int = 0  # the number of the last amendment; 0 for the terms first agreed
    events: list[Event] = field(factory=list)
    states: dict[str, TermsState] = field(factory=dict)
    amendments: list[Amendment] = field(factory=list)
    row_version: int = 1

    @classmethod
    def open(cls, engagement_id: str, terms: Sequence[BillingTerms]) -> BillingAgreement:
        """The terms first agreed, one per work package."""
        if not terms:
            raise InvalidField("every engagement is billed by some terms", field="billing_terms")
        by_code: dict[str, BillingTerms] = {}
        for index, item in enumerate(terms):
            if item.work_package_code in by_code:
                raise InvalidField(
                    f"work package {item.work_package_code!r} has terms twice",
                    field=f"billing_terms[{index}].work_package_code",
                    keys={"work_package": item.work_package_code},
                )
            by_code[item.work_package_code] = item
        states = {code: TermsState.start(item.currency) for code, item in by_code.items()}
        return cls(engagement_id, by_code, states=states)

    def terms_of(self, code: str, field_name: str) -> BillingTerms:
        terms = self.terms.get(code)
        if terms is None:
            raise NotFound(
                f"engagement {self.engagement_id} has no work package {code!r} with terms",
                field=field_name,
                keys={"engagement_id": self.engagement_id, "work_package": code},
            )
        return terms

    def state_of(self, code: str) -> TermsState:
        return self.states.get(code) or TermsState.start(self.terms[code].currency)

    def rate(self, code: str, work: Work, field_name: str) -> Rated:
        """Rates `work` by the work package's terms and keeps the new running state."""
        rated = rate(self.terms_of(code, field_name), self.state_of(code), work)
        self.states = {**self.states, code: rated.state}
        return rated

    def decide_held(self, code: str, source_id: str, *, bill: bool) -> Rated:
        """Work held over the cap, billed as overage (`bill`) or written off."""
        self.terms_of(code, "work_package_code")
        state = self.state_of(code)
        rated = approve_overage(state, source_id) if bill else write_off(state, source_id)
        self.states = {**self.states, code: rated.state}
        return rated

    def release_held(self, code: str) -> Rated:
        """Held work that now fits under a raised cap, first held first."""
        rated = release_held(self.terms_of(code, "work_package_code"), self.state_of(code))
        self.states = {**self.states, code: rated.state}
        return rated

    def amend(
        self,
        amendment: Amendment,
        *,
        invoiced: Mapping[str, Invoiced],
        occurred_at: dt.datetime,
        states: Mapping[str, TermsState] | None = None,
    ) -> dict[str, BillingTerms]:
        """The new terms of every work package the amendment touches; all or nothing."""
        states = self.states if states is None else states
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
        for terms in amendment.new_terms:
            self.states = {**self.states, terms.work_package_code: TermsState.start(terms.currency)}
        self.amendments = [*self.amendments, amendment]
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
