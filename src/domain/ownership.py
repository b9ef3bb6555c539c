"""Who owns what: the system-of-record matrix as data, checked by a named rule."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from attrs import frozen

from domain.errors import OwnershipViolation


class System(enum.Enum):
    CRM = "crm"
    PSA = "psa"
    ERP = "erp"
    BILLING = "billing"


DEFAULT_OWNERS: Mapping[str, System] = {
    "account": System.CRM,
    "opportunity": System.CRM,
    "commercial_terms": System.CRM,
    "legal_entity": System.ERP,
    "tax_registration": System.ERP,
    "gl_dimensions": System.ERP,
    "customer_number": System.ERP,
    "accounts_receivable": System.ERP,
    "payment": System.ERP,
    "project": System.PSA,
    "task": System.PSA,
    "assignment": System.PSA,
    "time_approval": System.PSA,
    "expense_approval": System.PSA,
    "milestone_completion": System.PSA,
    "billing_eligibility": System.PSA,
    "usage_record": System.BILLING,
    "invoice_plan": System.BILLING,
    "charge_rule": System.BILLING,
    "invoice": System.BILLING,
    "credit_note": System.BILLING,
    "crm_payment_status": System.ERP,
}


@frozen
class OwnershipMatrix:
    owners: Mapping[str, System]

    @classmethod
    def default(cls) -> OwnershipMatrix:
        return cls(dict(DEFAULT_OWNERS))

    def owner_of(self, data: str) -> System:
        return self.owners[data]

    def check_write(self, data: str, writer: System) -> None:
        check_rule(OnlySystemOfRecordMayWrite(self, data, writer))


@frozen
class OnlySystemOfRecordMayWrite:
    matrix: OwnershipMatrix
    data: str
    writer: System

    def is_broken(self) -> bool:
        return self.matrix.owner_of(self.data) is not self.writer

    @property
    def message(self) -> str:
        owner = self.matrix.owner_of(self.data).value
        return f"{self.data} is owned by {owner}; {self.writer.value} may only read it"


def check_rule(rule: OnlySystemOfRecordMayWrite) -> None:
    if rule.is_broken():
        raise OwnershipViolation(
            rule.message,
            field="source_system",
            keys={"data": rule.data, "writer": rule.writer.value},
        )
