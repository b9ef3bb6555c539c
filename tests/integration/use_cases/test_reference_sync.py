"""SyncReferenceData on real databases: each ERP's master data held as the ERP reports it, a
second run changing nothing, and a customer the CRM and an ERP disagree on parked once for sales
operations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from support.builders import closed_won

from adapters.persistence.engine import session_factory
from adapters.persistence.reference_data import SqlReferenceData
from application.create_engagement import create_service_engagement
from application.errors import VendorUnavailable
from application.reference_ports import (
    CrmAccount,
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)
from application.reference_sync import Counts, ReferenceFilter, ReferenceSync
from domain.erp_routing import Erp, ErpRoute, ErpTarget, RouteBook
from domain.exception_case import OwnerRole, ReasonCode, Workflow
from entrypoints.system import SystemClock, UuidIds

ACME = "001-ACME"


class KeptErp:
    """An ERP's master data as its own users keep it; o2c only reads it."""

    def __init__(self, erp: str) -> None:
        self.erp = erp
        self.entities = [
            ErpLegalEntityRecord("USMF", "Example Consulting Inc.", "US", "USD"),
            ErpLegalEntityRecord("GBSI", "Example Consulting Ltd", "GB", "GBP"),
        ]
        self.taxes = {
            "USMF": [ErpTaxCode("USMF", "US-EXEMPT", "Exempt", Decimal("0"), "US")],
            "GBSI": [ErpTaxCode("GBSI", "GB-S-20", "UK VAT standard", Decimal("20.000"), "GB")],
        }
        self.centres = {"USMF": [ErpCostCentre("USMF", "CC-100", "Consulting East", True)]}
        self.kept = {
            "USMF": [
                customer("C-1", ACME, "Acme Corp", "US-EIN-12-3456789"),
                customer("C-2", "", "Walk-in Customer", ""),
            ]
        }
        self.down_at = ""

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        self.fail_if("legal_entities")
        return list(self.entities)

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        return list(self.taxes.get(erp_legal_entity, []))

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        return list(self.centres.get(erp_legal_entity, []))

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        self.fail_if("customers")
        return list(self.kept.get(erp_legal_entity, []))

    def fail_if(self, where: str) -> None:
        if self.down_at == where:
            raise VendorUnavailable(self.erp, "not answering")


def customer(erp_id: str, external_id: str, name: str, tax: str, entity: str = "USMF"):
    return ErpCustomerRecord(entity, erp_id, external_id, name, tax, "US", "USD")


class KeptCrm:
    def __init__(self) -> None:
        self.kept = {ACME: CrmAccount(ACME, "Acme Corp", "US-EIN-12-3456789", "US", "US01")}
        self.asked: list[Sequence[str]] = []

    def accounts(self, account_ids: Sequence[str]) -> dict[str, CrmAccount]:
        self.asked.append(list(account_ids))
        return {i: self.kept[i] for i in account_ids if i in self.kept}


@pytest.fixture
def world(engine: Engine, uow_factory, erp, provisioning):
    create_service_engagement(closed_won(), provisioning)
    ledgers = {"sandbox": KeptErp("sandbox"), "netsuite": KeptErp("netsuite")}
    ledgers["netsuite"].kept["USMF"] = [customer("N-1", "", "Walk-in Customer", "")]
    crm = KeptCrm()
    sync = ReferenceSync(
        store=SqlReferenceData(session_factory(engine)),
        ledgers=ledgers,  # type: ignore[arg-type]
        crm=crm,
        uow_factory=uow_factory,
        clock=SystemClock(),
        ids=UuidIds(),
        master_data=erp,
    )
    return sync, ledgers, crm


def held(sync: ReferenceSync, **where: object) -> list:
    return sync.store.page(ReferenceFilter(**where), "", 500)  # type: ignore[arg-type]


def mismatches(uow_factory) -> list:
    with uow_factory() as uow:
        return [
            case
            for case in uow.exceptions.open_cases(ACME)
            if case.reason_code is ReasonCode.CUSTOMER_MASTER_MISMATCH
        ]


def test_every_erp_is_held_as_it_reports_and_a_second_run_changes_nothing(world):
    sync, _, _ = world

    first = sync.run()
    second = sync.run()

    assert [(r.erp, r.synced) for r in first.erps] == [("netsuite", True), ("sandbox", True)]
    assert first.erps[1].counts == {
        "legal_entity": Counts(created=2),
        "tax_code": Counts(created=2),
        "cost_centre": Counts(created=1),
        "customer": Counts(created=2),
    }
    assert second.erps[1].counts == {
        "legal_entity": Counts(unchanged=2),
        "tax_code": Counts(unchanged=2),
        "cost_centre": Counts(unchanged=1),
        "customer": Counts(unchanged=2),
    }
    taxes = held(sync, erp="sandbox", kind="tax_code")
    assert [(t.erp_legal_entity, t.key, t.payload["percent"]) for t in taxes] == [
        ("GBSI", "GB-S-20", "20.000"),
        ("USMF", "US-EXEMPT", "0"),
    ]


def test_a_change_in_the_erp_is_updated_and_a_record_it_no_longer_reports_is_marked_removed(
    world,
):
    sync, ledgers, _ = world
    sync.run()
    kept = ledgers["sandbox"]
    kept.centres["USMF"] = [ErpCostCentre("USMF", "CC-100", "Consulting East", False)]
    kept.taxes["GBSI"] = []

    report = sync.run()

    counts = report.erps[1].counts
    assert (counts["cost_centre"], counts["tax_code"]) == (
        Counts(updated=1),
        Counts(unchanged=1, removed=1),
    )
    assert [c.payload["active"] for c in held(sync, erp="sandbox", kind="cost_centre")] == ["false"]
    gone = [t for t in held(sync, erp="sandbox", include_removed=True) if t.removed_at]
    assert [(t.kind, t.key) for t in gone] == [("tax_code", "GB-S-20")]
    kept.taxes["GBSI"] = [ErpTaxCode("GBSI", "GB-S-20", "UK VAT standard", Decimal("20.000"), "GB")]
    assert sync.run().erps[1].counts["tax_code"] == Counts(updated=1, unchanged=1)


@pytest.mark.parametrize("down_at", ["legal_entities", "customers"])
def test_an_erp_that_fails_half_way_changes_nothing_and_the_others_are_synced(world, down_at):
    sync, ledgers, _ = world
    ledgers["netsuite"].down_at = down_at

    report = sync.run()

    assert [(r.erp, r.synced) for r in report.erps] == [("netsuite", False), ("sandbox", True)]
    assert "not answering" in report.erps[0].detail
    assert held(sync, erp="netsuite") == []
    ledgers["netsuite"].down_at = ""
    assert sync.run().erps[0].counts["customer"] == Counts(created=1)


def test_customers_that_agree_with_the_crm_park_nothing(world, uow_factory):
    sync, _, crm = world

    report = sync.run()

    assert (report.accounts_compared, report.parked) == (1, ())
    assert crm.asked == [[ACME]]  # the hand-made customer and unknown accounts are not asked
    assert mismatches(uow_factory) == []


def test_a_customer_the_erp_renamed_is_parked_for_sales_operations_once(world, uow_factory):
    sync, ledgers, _ = world
    ledgers["sandbox"].kept["USMF"][0] = customer("C-1", ACME, "Acme Corporation", "US EIN 99")

    first = sync.run()
    again = sync.run()

    [case] = mismatches(uow_factory)
    assert first.parked == (case.id,)
    assert (again.parked, again.already_open) == ((), 1)
    assert (case.owner_role, case.workflow) == (OwnerRole.SALES_OPS, Workflow.CUSTOMER_MASTER_SYNC)
    assert [d["field"] for d in case.payload["disagreements"]] == ["name", "tax_registration"]
    assert (case.payload["erp"], case.payload["erp_customer_id"]) == ("sandbox", "C-1")
    assert "Acme Corporation" in case.detail


def test_spelling_that_means_nothing_is_not_a_disagreement(world, uow_factory):
    sync, ledgers, _ = world
    ledgers["sandbox"].kept["USMF"][0] = customer("C-1", ACME, "ACME  corp", "us-ein-12.3456789")

    assert sync.run().parked == ()


def test_a_customer_in_an_erp_entity_its_legal_entity_never_routes_to_is_parked(world, uow_factory):
    sync, ledgers, _ = world
    ledgers["netsuite"].kept["GBSI"] = [
        customer("N-7", ACME, "Acme Corp", "US-EIN-12-3456789", "GBSI")
    ]

    report = sync.run()

    [case] = mismatches(uow_factory)
    assert report.parked == (case.id,)
    assert (case.payload["erp"], case.payload["erp_legal_entity"]) == ("netsuite", "GBSI")
    assert [d["field"] for d in case.payload["disagreements"]] == ["legal_entity"]


def test_an_erp_entity_a_route_names_serves_its_legal_entity_past_routes_included(
    world, uow_factory
):
    sync, ledgers, _ = world
    ledgers["netsuite"].kept["GBSI"] = [
        customer("N-7", ACME, "Acme Corp", "US-EIN-12-3456789", "GBSI")
    ]
    with uow_factory() as uow:
        uow.erp_routes.add(
            RouteBook(
                "US01",
                [
                    ErpRoute("US01", dt.date(2020, 1, 1), ErpTarget(Erp.NETSUITE, "GBSI")),
                    ErpRoute("US01", dt.date(2026, 1, 1), ErpTarget(Erp.SANDBOX, "USMF")),
                ],
            )
        )
        uow.commit()

    assert sync.run().parked == ()
