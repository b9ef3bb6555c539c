"""What the CRM-deal and PSA-work contracts are given for each adapter: the adapter, and the
vendor's own way of making what o2c only reads (a deal closed by sales, an account kept or
renamed by the CRM's users, work approved by a project manager), written in the vendor's
format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from attrs import frozen

from application.commands import RateLine, WorkPackageLine
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.psa_work_ports import ApprovedWork
from application.reference_ports import CrmAccount


@frozen
class CrmWorld:
    crm: Any  # CrmDeals, CrmPaymentStatus and CrmAccounts
    close_deal: Callable[[CrmDeal], object]
    payment_status: Callable[[str, str], AccountPaymentStatus | None]
    keep_account: Callable[[CrmAccount], object]


@frozen
class PsaWorkWorld:
    psa: Any  # PsaWork
    approve: Callable[[ApprovedWork, dt.date], object]
    invoice_of: Callable[[str], str | None]


def a_deal(opportunity_id: str = "006-ACME-1", **changes: Any) -> CrmDeal:
    fields: dict[str, Any] = {
        "opportunity_id": opportunity_id,
        "stage": "Closed Won",
        "is_won": True,
        "account_id": "001-ACME",
        "account_name": "Acme Corp",
        "legal_entity_code": "US01",
        "currency": "USD",
        "billing_method": "time_and_materials",
        "start_date": "2026-12-01",
        "end_date": "2027-06-30",
        "contract_value": "120000.00",
        "rate_card": (
            RateLine("consultant", "150.00", "USD"),
            RateLine("architect", "210.00", "USD"),
        ),
        "work_packages": (
            WorkPackageLine("NA", "North America rollout", "NA"),
            WorkPackageLine("UK", "UK rollout", "EMEA", delivering_legal_entity_code="GB01"),
        ),
        "customer_country": "US",
        "customer_vat_number": "",
        "payment_terms_days": "45",
        "extensions": {"Industry": "Manufacturing"},
    }
    fields.update(changes)
    return CrmDeal(**fields)


def time_approved(source_id: str, day: str = "2026-12-02", **changes: Any) -> ApprovedWork:
    fields: dict[str, Any] = {
        "source_id": source_id,
        "kind": "time",
        "project_id": "",
        "day": day,
        "resource": "Ada Lovelace",
        "role": "consultant",
        "hours": "7.5",
    }
    fields.update(changes)
    return ApprovedWork(**fields)


def expense_approved(source_id: str, day: str = "2026-12-03", **changes: Any) -> ApprovedWork:
    fields: dict[str, Any] = {
        "source_id": source_id,
        "kind": "expense",
        "project_id": "",
        "day": day,
        "resource": "Ada Lovelace",
        "category": "travel",
        "cost_amount": "412.50",
        "cost_currency": "USD",
    }
    fields.update(changes)
    return ApprovedWork(**fields)
