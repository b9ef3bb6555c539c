"""The operations dashboard in headless Chromium, against the whole service on a seeded database.

Finance, the PMO and sales operations each sign in with their own token and see their own open
items and none of another role's; a lineage link opens the key's timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from integration.persistence.builders import (
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait
from support.auth import caller, claims_for, signed_token
from support.browser import headless_chromium
from support.databases import BACKENDS
from support.forged_tokens import expired, signed_by_an_unknown_key
from support.service import service_on

from domain.call_record import Caller, CallRecord
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from entrypoints.runtime import Runtime

NOW = dt.datetime.now(dt.UTC)
ROLES = ("finance", "pmo", "sales-ops")
POSTING_FAILED = "INV-US01-000042"
VARIANCE = "INV-US01-000077"
PROJECT_FAILED = "006PMOPROJECTFAIL"
MASTER_MISMATCH = "001SALESMASTER01"
REJECTED_DEAL = "006SALESREJECTED"
PARKED = {
    "finance": (
        (POSTING_FAILED, Workflow.INVOICE_TO_ERP, ReasonCode.ERP_POSTING_FAILED),
        (VARIANCE, Workflow.INVOICE_TO_ERP, ReasonCode.LEDGER_VARIANCE),
    ),
    "pmo": (
        (PROJECT_FAILED, Workflow.CLOSED_WON_TO_ENGAGEMENT, ReasonCode.PSA_PROVISIONING_FAILED),
    ),
    "sales-ops": (
        (MASTER_MISMATCH, Workflow.CUSTOMER_MASTER_SYNC, ReasonCode.CUSTOMER_MASTER_MISMATCH),
        (REJECTED_DEAL, Workflow.CLOSED_WON_TO_ENGAGEMENT, ReasonCode.LEGAL_ENTITY_NOT_MAPPED),
    ),
}
UNBILLED_DAYS = (10, 45, 100)


@pytest.fixture(params=BACKENDS)
def dashboard(request: pytest.FixtureRequest, tmp_path: Path, nats_url: str) -> Iterator[Runtime]:
    yield from service_on(request.param, tmp_path, nats_url, O2C_DASHBOARD_ADDRESS="127.0.0.1:0")


def test_each_role_sees_its_own_items_and_none_of_another_roles(
    dashboard: Runtime, tmp_path: Path
) -> None:
    unbilled_key = seed(dashboard)
    expected = {role: {key for key, _, _ in PARKED[role]} for role in ROLES}
    expected["pmo"].add(unbilled_key)
    assert dashboard.dashboard is not None
    base = dashboard.dashboard.url
    with headless_chromium() as browser:
        for role in ROLES:
            sign_in(browser, base, token_for(role))
            assert browser.find_element(By.ID, "view").get_attribute("data-role") == role
            assert keys_shown(browser) == expected[role]
            others = {key for other in ROLES if other != role for key in expected[other]}
            assert not keys_shown(browser) & others
            for other in (other for other in ROLES if other != role):
                browser.get(f"{base}/view/{other}")
                assert browser.find_element(By.ID, "error").text == "Not for your role"
            foreign = next(iter(others))
            browser.get(f"{base}/lineage/{quote(foreign, safe='')}")
            assert browser.find_element(By.ID, "error").text == "Not found"

        sign_in(browser, base, token_for("finance"))
        assert browser.find_elements(By.CSS_SELECTOR, "svg.chart")
        browser.save_screenshot(str(tmp_path / "finance.png"))
        browser.find_element(By.CSS_SELECTOR, f'tr[data-key="{POSTING_FAILED}"] a.lineage').click()
        page_with(browser, "lineage")
        assert browser.find_element(By.ID, "lineage").get_attribute("data-key") == POSTING_FAILED
        timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
        assert "/o2c.v1.BillingService/PostInvoice" in timeline
        assert "invoice_to_erp: ERP_POSTING_FAILED" in timeline

        sign_in(browser, base, token_for("pmo"))
        buckets = browser.find_element(By.CSS_SELECTOR, "table.buckets").text
        assert all(f"{label} 1 7.5" in buckets for label in ("0 to 30 days", "31 to 60 days"))
        assert "over 90 days 1 7.5" in buckets
        browser.find_element(By.CSS_SELECTOR, f'tr[data-key="{unbilled_key}"] a.lineage').click()
        page_with(browser, "lineage")
        assert browser.find_element(By.ID, "lineage").get_attribute("data-key") == unbilled_key

    screenshot = tmp_path / "finance.png"
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 1000


def test_the_token_lives_in_a_strict_http_only_cookie_and_a_bad_one_is_refused(
    dashboard: Runtime,
) -> None:
    assert dashboard.dashboard is not None
    base = dashboard.dashboard.url
    with headless_chromium() as browser:
        sign_in(browser, base, token_for("sales-ops"))
        (cookie,) = browser.get_cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert browser.execute_script("return document.cookie") == ""

    claims = claims_for(caller("operations", scopes=("dashboard:finance",)))
    for token in (expired(claims), signed_by_an_unknown_key(claims), "not-a-token"):
        answer = httpx.get(f"{base}/view/finance", cookies={"o2c_dashboard": token})
        assert answer.status_code == 401 and "Sign in again" in answer.text
        answer = httpx.post(f"{base}/signin", data={"token": token})
        assert answer.status_code == 401 and "o2c_dashboard" not in answer.headers.get(
            "set-cookie", ""
        )
    assert httpx.get(f"{base}/view/finance").status_code == 401
    crm = signed_token(claims_for(caller("crm", scopes=("dashboard:finance",))))
    assert httpx.get(f"{base}/view/finance", cookies={"o2c_dashboard": crm}).status_code == 403


def sign_in(browser: WebDriver, base: str, token: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}/signin")
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "signin").click()
    page_with(browser, "view")


def page_with(browser: WebDriver, element_id: str) -> None:
    """Waits for the page the click led to: the one with `element_id`, or an error page."""
    shown = (By.CSS_SELECTOR, f"#{element_id}, #error")
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located(shown))
    assert browser.find_elements(By.ID, element_id), browser.find_element(By.TAG_NAME, "main").text


def keys_shown(browser: WebDriver) -> set[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.item")
    return {str(row.get_attribute("data-key")) for row in rows}


def token_for(role: str) -> str:
    return signed_token(
        claims_for(caller("operations", subject=f"{role}-lead", scopes=(f"dashboard:{role}",)))
    )


def seed(runtime: Runtime) -> str:
    """Each role's open items; returns the opportunity of the PMO's unbilled time."""
    engagement = an_active_engagement()
    with runtime.container.unit_of_work() as uow:
        for role, parked in PARKED.items():
            for key, workflow, reason in parked:
                uow.exceptions.add(a_case(key, workflow, reason, OwnerRole(role)))
        uow.engagements.add(engagement)
        uow.commit()
    with runtime.container.unit_of_work() as uow:
        for days in UNBILLED_DAYS:
            event = a_staged_time_entry(engagement, a_time_entry(engagement))
            event.approved_at = NOW - dt.timedelta(days=days)
            uow.billable_events.add(event)
        uow.call_records.add(a_failed_posting_call(POSTING_FAILED))
        uow.commit()
    return engagement.opportunity_id


def a_case(key: str, workflow: Workflow, reason: ReasonCode, owner: OwnerRole) -> ExceptionCase:
    return ExceptionCase.park(
        exception_id=str(uuid.uuid4()),
        workflow=workflow,
        business_key=key,
        reason_code=reason,
        owner_role=owner,
        detail=f"{reason.value} for {key}",
        payload={"business_key": key},
        now=NOW - dt.timedelta(days=3),
    )


def a_failed_posting_call(key: str) -> CallRecord:
    return CallRecord(
        id=str(uuid.uuid4()),
        recorded_at=NOW - dt.timedelta(days=3, minutes=1),
        caller=Caller("billing", "billing"),
        method="/o2c.v1.BillingService/PostInvoice",
        request_id="req-1",
        business_key=key,
        code="OK",
    )
