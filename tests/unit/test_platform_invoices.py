"""The invoices an external billing platform made, read back into o2c: kept once per number,
their balance and status following the platform's, listed by legal entity or engagement."""

from __future__ import annotations

import datetime as dt

import pytest
from support.billing_api import ReferenceData
from support.billing_platforms import FakeBillingPlatform
from support.builders import integration

from application.billing_platform_ports import PlatformAccount
from application.billing_ports import BillingPorts
from application.errors import VendorUnavailable
from application.platform_invoice_ports import HandedAccount
from application.platform_invoices import list_platform_invoices, read_platform_invoices
from domain.errors import LegalEntityNotAllowed
from domain.money import Money
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeUnitOfWork, SequentialIds

DAY = dt.date(2026, 12, 31)
ACME, GLOBEX = "001-ACME:GB01", "001-GLOBEX:GB01"


@pytest.fixture
def platform() -> FakeBillingPlatform:
    platform = FakeBillingPlatform()
    for key, name in ((ACME, "Acme"), (GLOBEX, "Globex")):
        platform.upsert_account(PlatformAccount(key, name, "GBP", "GB01", "GB"))
    return platform


@pytest.fixture
def ports(store, clock, platform) -> BillingPorts:
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("p"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData({"GB01": "zuora"}),
        billing_platform=platform,
    )


def handed_over(ports, engagement_id: str, account_key: str) -> None:
    with ports.uow_factory() as uow:
        uow.platform_invoices.hand_over(
            HandedAccount(
                platform="zuora",
                engagement_id=engagement_id,
                account_key=account_key,
                legal_entity_code="GB01",
                since=dt.date(2026, 12, 1),
            )
        )
        uow.commit()


def everything(ports, **filters):
    return list_platform_invoices(ports, integration("billing"), **filters)


def test_each_invoice_is_recorded_once_however_often_it_is_read(ports, platform):
    handed_over(ports, "eng-1", ACME)
    number = platform.issue_invoice(ACME, DAY, "1140.00")

    first = read_platform_invoices(ports)
    again = read_platform_invoices(ports)

    assert (first.new, first.changed, again.new, again.changed) == (1, 0, 0, 0)
    [invoice] = everything(ports)
    assert (invoice.number, invoice.amount, invoice.balance, invoice.status) == (
        number,
        Money.of("1140.00", "GBP"),
        Money.of("1140.00", "GBP"),
        "Posted",
    )


def test_a_payment_on_the_platform_moves_the_balance_and_status_kept_in_o2c(ports, platform):
    handed_over(ports, "eng-1", ACME)
    number = platform.issue_invoice(ACME, DAY, "1140.00")
    read_platform_invoices(ports)
    platform.settle(number, "0.00", status="Paid")

    read = read_platform_invoices(ports)

    assert (read.new, read.changed) == (0, 1)
    [invoice] = everything(ports)
    assert (invoice.balance, invoice.status) == (Money.of("0.00", "GBP"), "Paid")


def test_an_account_of_two_engagements_is_read_once(ports, platform):
    handed_over(ports, "eng-1", ACME)
    handed_over(ports, "eng-2", ACME)
    platform.issue_invoice(ACME, DAY, "100.00")

    assert read_platform_invoices(ports).accounts == 1


def test_an_account_the_platform_cannot_answer_for_is_tried_next_time_and_others_are_read(
    ports, platform
):
    handed_over(ports, "eng-1", ACME)
    handed_over(ports, "eng-2", GLOBEX)
    platform.issue_invoice(GLOBEX, DAY, "300.00")
    platform.fail_next(VendorUnavailable("zuora", "503"))

    read = read_platform_invoices(ports)

    assert read.unreachable == (ACME,) and read.new == 1


def test_invoices_are_listed_by_engagement_through_its_account(ports, platform):
    handed_over(ports, "eng-1", ACME)
    handed_over(ports, "eng-2", GLOBEX)
    platform.issue_invoice(ACME, DAY, "100.00")
    platform.issue_invoice(GLOBEX, DAY, "300.00")
    read_platform_invoices(ports)

    assert [i.account_key for i in everything(ports, engagement_id="eng-2")] == [GLOBEX]
    assert everything(ports, engagement_id="eng-unknown") == []
    assert len(everything(ports, legal_entity_code="GB01")) == 2
    assert everything(ports, legal_entity_code="US01") == []


def test_pages_follow_one_another_by_number(ports, platform):
    handed_over(ports, "eng-1", ACME)
    for amount in ("1.00", "2.00", "3.00"):
        platform.issue_invoice(ACME, DAY, amount)
    read_platform_invoices(ports)

    first = everything(ports, limit=2)
    rest = everything(ports, limit=2, after=f"zuora/{first[-1].number}")

    assert [i.amount.amount_text() for i in first + rest] == ["1.00", "2.00", "3.00"]


def test_a_caller_sees_only_the_invoices_of_its_legal_entities(ports, platform):
    handed_over(ports, "eng-1", ACME)
    platform.issue_invoice(ACME, DAY, "100.00")
    read_platform_invoices(ports)
    us_only = integration("billing", legal_entities=frozenset({"US01"}))

    assert list_platform_invoices(ports, us_only) == []
    with pytest.raises(LegalEntityNotAllowed):
        read_platform_invoices(ports, "GB01", viewer=us_only)
