"""The engagement: the contract-and-delivery aggregate born from a closed-won opportunity."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from attrs import define, evolve, field

from domain.engagement_rules import (
    check_contract_value,
    check_dates,
    check_rate_card,
    check_work_packages,
)
from domain.erp_routing import Erp
from domain.errors import (
    EngagementNotActive,
    InvalidField,
    InvalidTransition,
    NotFound,
    OutsideEngagementDates,
)
from domain.events import EngagementActivated, EngagementProvisioningFailed, Event
from domain.money import Money
from domain.rate_card import RateCard


class EngagementStatus(enum.Enum):
    PENDING_DATA = "pending_data"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    CLOSED = "closed"
    PROVISIONING_FAILED = "provisioning_failed"


PROVISIONED = frozenset({EngagementStatus.ACTIVE, EngagementStatus.CLOSED})


class BillingMethod(enum.Enum):
    TIME_AND_MATERIALS = "time_and_materials"
    FIXED_FEE = "fixed_fee"
    RETAINER = "retainer"
    SUBSCRIPTION_PLUS_SERVICES = "subscription_plus_services"
    USAGE = "usage"


MASTER_DATA_ERP = Erp.SANDBOX.value  # where provisioning finds or creates the customer


@define(slots=False, eq=False)
class WorkPackage:
    code: str
    name: str
    region: str
    psa_project_id: str | None = None
    delivering_legal_entity_code: str = ""  # "" when the contracting legal entity delivers it

    def delivered_within(self, contracting_legal_entity_code: str) -> WorkPackage:
        """The package with the contracting entity, named as its deliverer, left blank."""
        if self.delivering_legal_entity_code != contracting_legal_entity_code:
            return self
        return evolve(self, delivering_legal_entity_code="")


@define(slots=False, eq=False)
class ErpCustomerAccount:
    """The customer as one ERP knows it, under that ERP's code for the legal entity: one per
    (erp, erp_legal_entity), several while a legal entity posts to more than one ERP."""

    erp: str
    erp_legal_entity: str
    customer_number: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.erp, self.erp_legal_entity)


@define(slots=False, eq=False)
class Engagement:
    id: str
    opportunity_id: str
    account_id: str
    account_name: str
    legal_entity_code: str
    currency: str
    billing_method: BillingMethod
    rate_card: RateCard
    start_date: dt.date
    end_date: dt.date
    contract_value: Money
    work_packages: list[WorkPackage]
    status: EngagementStatus = EngagementStatus.PENDING_DATA
    erp_legal_entity: str | None = None
    tax_registration: str | None = None
    erp_customer_number: str | None = None
    exception_id: str | None = None
    version: int = 1
    events: list[Event] = field(factory=list, eq=False)
    customer_country: str = ""  # "" when the customer is in the legal entity's own country
    customer_vat_number: str = ""
    payment_terms_days: int = 30
    # The ERP's records, not the contract's: recorded apart, they never move `version`.
    erp_customer_accounts: list[ErpCustomerAccount] = field(factory=list)

    @classmethod
    def open(
        cls,
        *,
        engagement_id: str,
        opportunity_id: str,
        account_id: str,
        account_name: str,
        legal_entity_code: str,
        billing_method: BillingMethod,
        rate_card: RateCard,
        start_date: dt.date,
        end_date: dt.date,
        contract_value: Money,
        work_packages: Sequence[WorkPackage],
        customer_country: str = "",
        customer_vat_number: str = "",
        payment_terms_days: int = 30,
    ) -> Engagement:
        """A new engagement awaiting its ERP data; the only way to make one that is valid."""
        check_customer(customer_country, payment_terms_days)
        check_dates(start_date, end_date)
        check_rate_card(rate_card)
        check_contract_value(contract_value, rate_card.currency)
        check_work_packages(work_packages)
        return cls(
            id=engagement_id,
            opportunity_id=opportunity_id,
            account_id=account_id,
            account_name=account_name,
            legal_entity_code=legal_entity_code,
            currency=rate_card.currency,
            billing_method=billing_method,
            rate_card=rate_card,
            start_date=start_date,
            end_date=end_date,
            contract_value=contract_value,
            work_packages=[wp.delivered_within(legal_entity_code) for wp in work_packages],
            customer_country=customer_country,
            customer_vat_number=customer_vat_number,
            payment_terms_days=payment_terms_days,
        )

    def enrich(self, erp_legal_entity: str, tax_registration: str) -> None:
        self.check_status(EngagementStatus.PENDING_DATA, "enrich")
        self.erp_legal_entity = erp_legal_entity
        self.tax_registration = tax_registration
        self.status = EngagementStatus.PROVISIONING

    def hold_for_data(self, exception_id: str) -> None:
        self.check_status(EngagementStatus.PENDING_DATA, "hold for data")
        self.exception_id = exception_id

    def assign_erp_customer(self, customer_number: str, erp: str = MASTER_DATA_ERP) -> None:
        """The customer provisioning found or created in the master data ERP."""
        self.check_status(EngagementStatus.PROVISIONING, "assign an ERP customer to")
        self.erp_customer_number = customer_number
        self.keep_account(ErpCustomerAccount(erp, self.erp_legal_entity or "", customer_number))

    def release_erp_customer(self, erp: str = MASTER_DATA_ERP) -> None:
        self.check_status(EngagementStatus.PROVISIONING, "release the ERP customer of")
        self.erp_customer_number = None
        released = self.erp_customer_account(erp, self.erp_legal_entity or "")
        if released is not None:
            self.erp_customer_accounts.remove(released)

    def record_erp_customer(self, account: ErpCustomerAccount) -> None:
        """The customer as an ERP that an invoice of the engagement was posted to keeps it:
        the same again changes nothing, a new number replaces the one that ERP had."""
        self.check_provisioned("record an ERP customer of")
        self.keep_account(account)

    def erp_customer_account(self, erp: str, erp_legal_entity: str) -> ErpCustomerAccount | None:
        key = (erp, erp_legal_entity)
        return next((a for a in self.erp_customer_accounts if a.key == key), None)

    def keep_account(self, account: ErpCustomerAccount) -> None:
        kept = self.erp_customer_account(account.erp, account.erp_legal_entity)
        if kept is not None:
            kept.customer_number = account.customer_number
            return
        accounts = self.erp_customer_accounts
        after = next((i for i, a in enumerate(accounts) if a.key > account.key), len(accounts))
        accounts.insert(after, account)

    def attach_project(self, work_package_code: str, psa_project_id: str) -> None:
        self.check_status(EngagementStatus.PROVISIONING, "attach a project to")
        self.work_package(work_package_code).psa_project_id = psa_project_id

    def detach_project(self, work_package_code: str) -> None:
        self.check_status(EngagementStatus.PROVISIONING, "detach a project from")
        self.work_package(work_package_code).psa_project_id = None

    def activate(self, now: dt.datetime) -> None:
        self.check_status(EngagementStatus.PROVISIONING, "activate")
        self.status = EngagementStatus.ACTIVE
        self.events.append(
            EngagementActivated(
                occurred_at=now,
                engagement_id=self.id,
                opportunity_id=self.opportunity_id,
                erp_legal_entity=self.erp_legal_entity or "",
                erp_customer_number=self.erp_customer_number or "",
                psa_project_ids=tuple(wp.psa_project_id or "" for wp in self.work_packages),
            )
        )

    def fail_provisioning(self, reason: str, exception_id: str, now: dt.datetime) -> None:
        self.check_status(EngagementStatus.PROVISIONING, "fail provisioning")
        self.status = EngagementStatus.PROVISIONING_FAILED
        self.exception_id = exception_id
        self.events.append(
            EngagementProvisioningFailed(
                occurred_at=now,
                engagement_id=self.id,
                opportunity_id=self.opportunity_id,
                reason=reason,
            )
        )

    def add_work_package(self, package: WorkPackage) -> None:
        """A work package a change order adds to a running engagement, its project made."""
        self.check_status(EngagementStatus.ACTIVE, "add a work package to")
        if any(existing.code == package.code for existing in self.work_packages):
            raise InvalidField(
                f"engagement {self.id} has a work package {package.code!r} already",
                field="new_work_packages.work_package.code",
                keys={"engagement_id": self.id, "work_package": package.code},
            )
        check_work_packages([*self.work_packages, package])
        self.work_packages.append(package.delivered_within(self.legal_entity_code))

    def attach_added_project(self, work_package_code: str, psa_project_id: str) -> None:
        """The PSA project of a work package a change order added."""
        self.check_status(EngagementStatus.ACTIVE, "attach a project to")
        self.work_package(work_package_code).psa_project_id = psa_project_id

    def detach_added_project(self, work_package_code: str) -> None:
        self.check_status(EngagementStatus.ACTIVE, "detach a project from")
        self.work_package(work_package_code).psa_project_id = None

    def work_package(self, code: str) -> WorkPackage:
        for package in self.work_packages:
            if package.code == code:
                return package
        raise NotFound(
            f"engagement {self.id} has no work package {code!r}",
            keys={"engagement_id": self.id, "work_package": code},
        )

    def check_status(self, expected: EngagementStatus, action: str) -> None:
        if self.status is not expected:
            raise InvalidTransition(
                f"cannot {action} an engagement that is {self.status.value}",
                keys={"engagement_id": self.id, "status": self.status.value},
            )

    def check_provisioned(self, action: str) -> None:
        if self.status not in PROVISIONED:
            raise InvalidTransition(
                f"cannot {action} an engagement that is {self.status.value}",
                keys={"engagement_id": self.id, "status": self.status.value},
            )

    def check_billable(self, work_date: dt.date) -> None:
        if self.status is not EngagementStatus.ACTIVE:
            raise EngagementNotActive(
                f"engagement {self.id} is {self.status.value}, not active",
                field="time_entry.engagement_id",
                keys={"engagement_id": self.id, "status": self.status.value},
            )
        if not self.start_date <= work_date <= self.end_date:
            raise OutsideEngagementDates(
                f"{work_date} is outside the engagement's dates "
                f"{self.start_date} to {self.end_date}",
                field="time_entry.work_date",
                keys={"engagement_id": self.id, "work_date": work_date.isoformat()},
            )

    def rate_for(self, role: str) -> Money:
        return self.rate_card.rate_for(role)


def check_customer(country: str, payment_terms_days: int) -> None:
    if country and not (len(country) == 2 and country.isascii() and country.isupper()):
        raise InvalidField(
            f"customer_country is an ISO 3166 alpha-2 code such as GB, got {country!r}",
            field="customer_country",
        )
    if not 0 <= payment_terms_days <= 366:
        raise InvalidField("payment terms are 0 to 366 days", field="payment_terms_days")
