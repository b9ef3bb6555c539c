"""The `o2c` command as an operator uses it against a running server: each command calls the
API with a development token for the system its RPC admits, prints a table for people and with
--json plain JSON for scripts, and a refused call exits non-zero naming its status and field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import structlog
from support.billing_requests import closed_won_with_terms, time_and_materials
from support.requests import time_entry
from support.service import service_on
from typer.testing import CliRunner, Result

from entrypoints.cli import app
from entrypoints.grpc.dev_tokens import bearer_metadata, development_principal, development_token
from entrypoints.runtime import Runtime
from o2c.v1 import billing_pb2_grpc, engagement_pb2_grpc

CLIENT_SETTINGS = (
    "O2C_AUTH_ISSUER",
    "O2C_AUTH_AUDIENCE",
    "O2C_AUTH_JWKS_FILE",
    "O2C_AUTH_DEV_KEYS",
    "O2C_AUTH_DEV_KEYS_DIR",
)


@pytest.fixture(scope="module")
def server_logs_aside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The in-process server logs to a file, so that a command's stdout is the command's own."""
    saved = structlog.get_config()
    with (tmp_path_factory.mktemp("logs") / "server.log").open("w") as log:
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(log))
        yield
    structlog.configure(**saved)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, server_logs_aside: None
) -> Iterator[Runtime]:
    """A server trusting the development keys of its directory, as `make run` does."""
    keys = Path(tmp_path_factory.mktemp("keys"))
    yield from service_on(
        "sqlite",
        tmp_path_factory.mktemp("o2c"),
        nats_url,
        O2C_AUTH_JWKS_FILE="",
        O2C_AUTH_DEV_KEYS="true",
        O2C_AUTH_DEV_KEYS_DIR=str(keys),
    )


@pytest.fixture(scope="module")
def environment(server: Runtime) -> dict[str, str]:
    """What an operator's shell beside that server holds."""
    named = {name: server.values[name] for name in CLIENT_SETTINGS}
    address = f"127.0.0.1:{server.port}"
    return {**named, "O2C_GRPC_ADDRESS": address, "O2C_TOKEN": "", "COLUMNS": "160"}


def o2c(environment: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=environment, catch_exceptions=False)


def as_json(result: Result) -> dict:
    return json.loads(result.stdout)


def signed_as(server: Runtime, system: str) -> tuple[tuple[str, str], ...]:
    return bearer_metadata(development_token(server.values, development_principal(system), 60))


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def engagement_with_approved_time(server: Runtime) -> str:
    """A US01 engagement at 140 USD an hour, with 7.5 hours approved in December."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
        request = closed_won_with_terms("CLI", [time_and_materials("NA")])
        created = engagements.CreateServiceEngagement(request, metadata=signed_as(server, "crm"))
        engagement_id = created.engagement.engagement_id
        billing = billing_pb2_grpc.BillingServiceStub(channel)
        billing.ApproveBillableEvent(
            time_entry("CLI", engagement_id), metadata=signed_as(server, "psa")
        )
    return engagement_id


def test_a_route_set_by_the_cli_is_listed_as_json_and_as_a_table(environment):
    day = in_days(1)
    set_route = o2c(
        environment, "routes", "set", "DE01", "--primary", "legacy:DE-OU-1", "--from", day, "--json"
    )
    listed = o2c(environment, "routes", "--legal-entity", "DE01", "--json")
    shown = o2c(environment, "routes")

    assert set_route.exit_code == 0, set_route.output
    [routes] = as_json(set_route)["legal_entities"]
    assert routes["routes"][-1]["primary"] == {"erp": "ERP_LEGACY", "erp_legal_entity": "DE-OU-1"}
    assert as_json(listed)["legal_entities"] == as_json(set_route)["legal_entities"]
    assert shown.exit_code == 0
    assert "DE01" in shown.stdout and "legacy:DE-OU-1" in shown.stdout and day in shown.stdout


def test_a_route_the_server_refuses_exits_non_zero_naming_the_field(environment):
    mirrored_in_itself = ("routes", "set", "GB01", "--primary", "netsuite:3", "--from", in_days(1))
    mirrored_in_itself += ("--shadow", "netsuite:4")

    refused = o2c(environment, *mirrored_in_itself, "--json")
    said = o2c(environment, *mirrored_in_itself)

    assert refused.exit_code == 1
    error = as_json(refused)["error"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "route.shadow.erp")
    assert said.exit_code == 1
    assert "INVALID_ARGUMENT" in said.stderr and "(field route.shadow.erp)" in said.stderr
    assert said.stdout == ""


def test_a_call_with_a_token_of_a_system_the_rpc_does_not_admit_is_refused(environment, server):
    crm_token = development_token(server.values, development_principal("crm"), 60)

    refused = o2c(environment, "routes", "--token", crm_token, "--json")

    assert refused.exit_code == 1
    assert as_json(refused)["error"]["code"] == "PERMISSION_DENIED"


def test_the_billing_cycle_drafts_an_entitys_invoices_then_issues_them_with_progress(
    environment, engagement_with_approved_time
):
    drafted = o2c(
        environment, "billing-cycle", "--as-of", "2026-12-31", "--legal-entity", "US01", "--json"
    )
    issued = o2c(environment, "billing-cycle", "--as-of", "2026-12-31", "--finalise")

    assert drafted.exit_code == 0, drafted.output
    report = as_json(drafted)
    [draft] = [i for i in report["invoices"] if i["engagement_id"] == engagement_with_approved_time]
    assert (draft["status"], draft["total"]) == (
        "INVOICE_STATUS_DRAFT",
        {"amount": "1050.00", "currency_code": "USD"},
    )
    assert (report["legal_entities"], report["finalised"]) == (["US01"], False)
    assert issued.exit_code == 0, issued.output
    assert engagement_with_approved_time in issued.stdout
    assert "finalised" in issued.stdout and "1050.00 USD" in issued.stdout
    assert "billed" in issued.stderr  # the progress bar, run over every legal entity


def test_a_billing_cycle_for_a_legal_entity_o2c_does_not_bill_names_the_field(environment):
    refused = o2c(
        environment, "billing-cycle", "--as-of", "2026-12-31", "--legal-entity", "ZZ99", "--json"
    )

    assert refused.exit_code == 1
    error = as_json(refused)["error"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "legal_entity_codes[0]")


@pytest.fixture(scope="module")
def psa_vs_billing(environment, engagement_with_approved_time) -> dict:
    """The PSA-vs-billing control run from the CLI: the sandbox PSA holds none of the approved
    time o2c staged, so the 7.5 hours of TC-1-CLI are a variance parked for the PMO."""
    ran = o2c(environment, "reconcile", "psa-vs-billing", "--json")
    assert ran.exit_code == 0, ran.output
    [report] = as_json(ran)["reports"]
    return report


def test_reconcile_reports_the_variance_a_control_finds_by_business_key(
    environment, psa_vs_billing
):
    shown = o2c(environment, "reconcile", "psa-vs-billing", "--strict")

    assert psa_vs_billing["control"] == "CONTROL_PSA_VS_BILLING"
    [variance] = [v for v in psa_vs_billing["variances"] if v["business_key"] == "TC-1-CLI"]
    assert variance["kind"] == "CONTROL_VARIANCE_KIND_MISSING_ON_LEFT"
    assert variance["right"]["amount"] == "7.5000" and variance["right"]["unit"] == "h"
    assert shown.exit_code == 3  # --strict: a report with variances
    assert "TC-1-CLI" in shown.stdout and "missing-on-left" in shown.stdout


def test_an_unknown_control_is_a_usage_error_listing_the_known_ones(environment):
    refused = o2c(environment, "reconcile", "psa-vs-crm")

    assert refused.exit_code == 2
    assert "psa-vs-billing, billing-vs-erp, payments-vs-crm, dual-write" in refused.stderr


def test_the_parked_variance_is_listed_shown_taken_and_resolved_with_a_note(
    environment, psa_vs_billing
):
    listed = o2c(environment, "exceptions", "list", "--owner", "pmo", "--key", "TC-1-CLI", "--json")
    [case] = as_json(listed)["exceptions"]
    case_id = case["exception_id"]
    shown = o2c(environment, "exceptions", "show", case_id)
    taken = o2c(environment, "exceptions", "assign", case_id, "--to", "ann@firm.example", "--json")
    no_note = o2c(environment, "exceptions", "resolve", case_id, "--note", "", "--json")
    resolved = o2c(
        environment, "exceptions", "resolve", case_id, "--note", "approved in the PSA", "--json"
    )
    discarded = o2c(environment, "exceptions", "discard", case_id, "--reason", "late", "--json")

    assert (case["reason_code"], case["status"]) == (
        "REASON_CODE_RECONCILIATION_VARIANCE",
        "EXCEPTION_STATUS_OPEN",
    )
    assert "reconciliation-variance" in shown.stdout and "7.5000 h" in shown.stdout
    assert as_json(taken)["exception"]["assignee"] == "ann@firm.example"
    assert no_note.exit_code == 1
    assert as_json(no_note)["error"] | {"message": ""} == {
        "code": "INVALID_ARGUMENT",
        "field": "note",
        "message": "",
        "reason": "INVALID_FIELD",
    }
    closed = as_json(resolved)["exception"]
    assert (closed["status"], closed["resolution"], closed["resolution_note"]) == (
        "EXCEPTION_STATUS_RESOLVED",
        "EXCEPTION_RESOLUTION_BY_HAND",
        "approved in the PSA",
    )
    assert "time_to_resolution" in closed
    assert discarded.exit_code == 1
    assert as_json(discarded)["error"]["code"] == "FAILED_PRECONDITION"


def test_a_variance_has_no_unit_of_work_to_retry_and_says_so(environment, psa_vs_billing):
    listed = o2c(environment, "exceptions", "list", "--key", "TC-1-CLI", "--json")
    case_id = as_json(listed)["exceptions"][0]["exception_id"]

    refused = o2c(environment, "exceptions", "retry", case_id)

    assert refused.exit_code == 1
    assert "FAILED_PRECONDITION [EXCEPTION_NOT_RETRYABLE]" in refused.stderr


def test_lineage_shows_the_engagement_a_key_names_from_its_creation_on(
    environment, engagement_with_approved_time
):
    timeline = o2c(environment, "lineage", "006-CLI-US01", "--json")
    shown = o2c(environment, "lineage", "006-CLI-US01")
    blank = o2c(environment, "lineage", "", "--json")

    assert timeline.exit_code == 0, timeline.output
    found = as_json(timeline)
    assert found["keys"]["engagement_id"] == engagement_with_approved_time
    operations = [entry["operation"] for entry in found["entries"]]
    assert "/o2c.v1.EngagementService/CreateServiceEngagement" in operations
    assert engagement_with_approved_time in shown.stdout
    assert as_json(blank)["error"]["field"] == "business_key"


def test_the_metrics_summary_counts_the_engagement_provisioned(
    environment, engagement_with_approved_time
):
    summary = o2c(environment, "metrics", "--json")
    shown = o2c(environment, "metrics")

    assert summary.exit_code == 0, summary.output
    assert int(as_json(summary)["project_creation"]["succeeded"]) >= 1
    assert "project creation" in shown.stdout and "approved time to invoice" in shown.stdout
