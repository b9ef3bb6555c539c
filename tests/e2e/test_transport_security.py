"""The whole service over TLS and mutual TLS, with certificates made for the test.

With client certificates required, a caller without one, or with one from a CA the server does
not trust, never gets past the handshake: nothing it sent is done. A trusted certificate mapped
to a principal calls as that principal, held to the same per-RPC policy as a token; a trusted
certificate that is not mapped proves nothing, so the call needs a token."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import grpc
import pytest
from support.auth import call_metadata
from support.certificates import (
    certificate_authority,
    channel_credentials,
    principals_file,
    server_settings,
)
from support.databases import sqlite_url
from support.requests import closed_won, time_entry
from support.service import running_service
from support.statuses import refusal_of

from e2e.test_front_door import free_port, o2c_serve
from entrypoints.grpc.policies import scopes_granted_to
from entrypoints.status import run_status
from o2c.v1 import billing_pb2_grpc, engagement_pb2, engagement_pb2_grpc

CERTINIA = "spiffe://o2c/psa/certinia"
CRM_GATEWAY = "crm-gateway"


def principal(system: str) -> dict[str, object]:
    """Every legal entity, and every scope the policies grant to `system`."""
    return {"system": system, "legal_entities": ["*"], "scopes": sorted(scopes_granted_to(system))}


def principals() -> dict[str, dict[str, object]]:
    return {CERTINIA: principal("psa"), CRM_GATEWAY: principal("crm")}


@pytest.fixture(scope="module")
def authority():
    return certificate_authority()


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory, nats_url, authority):
    directory = tmp_path_factory.mktemp("mtls")
    with running_service(
        sqlite_url(directory),
        nats_url,
        **server_settings(directory, authority, client_auth="require"),
        O2C_CLIENT_CERT_PRINCIPALS=principals_file(directory, principals()),
    ) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def tls_only(tmp_path_factory, nats_url, authority):
    directory = tmp_path_factory.mktemp("tls")
    settings = server_settings(directory, authority, client_auth="none")
    with running_service(sqlite_url(directory), nats_url, **settings) as runtime:
        yield runtime


@contextlib.contextmanager
def stubs(port: int, credentials: grpc.ChannelCredentials) -> Iterator[tuple]:
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        yield (
            engagement_pb2_grpc.EngagementServiceStub(channel),
            billing_pb2_grpc.BillingServiceStub(channel),
        )


@pytest.fixture
def as_crm_gateway(mutual_tls, authority):
    crm = authority.client(common_name=CRM_GATEWAY)
    with stubs(mutual_tls.port, channel_credentials(authority, crm)) as s:
        yield s


@pytest.fixture
def as_certinia(mutual_tls, authority):
    psa = authority.client(uri=CERTINIA, common_name="certinia-prod")
    with stubs(mutual_tls.port, channel_credentials(authority, psa)) as s:
        yield s


def lookup(request: engagement_pb2.CreateServiceEngagementRequest):
    return engagement_pb2.GetServiceEngagementRequest(
        opportunity_id=request.opportunity.opportunity_id
    )


def test_a_psa_certificate_approves_time_as_the_psa_without_a_token(
    as_crm_gateway, as_certinia, run_key
):
    engagements, _ = as_crm_gateway
    engagement = engagements.CreateServiceEngagement(closed_won(run_key)).engagement
    _, billing = as_certinia
    staged = billing.ApproveBillableEvent(time_entry(run_key, engagement.engagement_id))
    assert staged.staged_line.amount.amount == "1050.00"


def test_the_same_psa_certificate_may_not_create_an_engagement(
    as_certinia, as_crm_gateway, run_key
):
    engagements, _ = as_certinia
    request = closed_won(run_key)
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert refusal.code == grpc.StatusCode.PERMISSION_DENIED
    assert refusal.reason == "CALLER_NOT_ALLOWED"
    crm, _ = as_crm_gateway
    assert refusal_of(lambda: crm.GetServiceEngagement(lookup(request))).code == (
        grpc.StatusCode.NOT_FOUND
    )


def assert_handshake_fails_and_nothing_is_created(port, credentials, as_crm_gateway, run_key):
    request = closed_won(run_key)
    with stubs(port, credentials) as (engagements, _):
        refusal = refusal_of(
            lambda: engagements.CreateServiceEngagement(
                request, metadata=call_metadata("crm"), timeout=10
            )
        )
    assert refusal.code == grpc.StatusCode.UNAVAILABLE
    crm, _ = as_crm_gateway
    assert refusal_of(lambda: crm.GetServiceEngagement(lookup(request))).code == (
        grpc.StatusCode.NOT_FOUND
    )


def test_a_caller_without_a_client_certificate_fails_the_handshake_even_with_a_token(
    mutual_tls, authority, as_crm_gateway, run_key
):
    assert_handshake_fails_and_nothing_is_created(
        mutual_tls.port, channel_credentials(authority), as_crm_gateway, run_key
    )


def test_a_certificate_from_an_untrusted_ca_fails_the_handshake_even_with_a_token(
    mutual_tls, authority, as_crm_gateway, run_key
):
    forged = certificate_authority("rogue").client(uri=CERTINIA, common_name=CRM_GATEWAY)
    # The caller trusts the server's CA; the server does not trust the one that signed `forged`.
    credentials = channel_credentials(authority, forged)
    assert_handshake_fails_and_nothing_is_created(
        mutual_tls.port, credentials, as_crm_gateway, run_key
    )


def test_a_trusted_certificate_that_is_not_mapped_needs_a_token(mutual_tls, authority, run_key):
    stranger = authority.client(uri="spiffe://o2c/crm/unlisted")
    with stubs(mutual_tls.port, channel_credentials(authority, stranger)) as (engagements, _):
        refusal = refusal_of(lambda: engagements.CreateServiceEngagement(closed_won(run_key)))
        assert refusal.code == grpc.StatusCode.UNAUTHENTICATED
        created = engagements.CreateServiceEngagement(
            closed_won(run_key), metadata=call_metadata("crm")
        )
    assert created.engagement.opportunity_id == closed_won(run_key).opportunity.opportunity_id


def test_tls_without_client_authentication_serves_a_caller_with_a_token(
    tls_only, authority, run_key
):
    with stubs(tls_only.port, channel_credentials(authority)) as (engagements, _):
        refusal = refusal_of(lambda: engagements.CreateServiceEngagement(closed_won(run_key)))
        assert refusal.code == grpc.StatusCode.UNAUTHENTICATED
        created = engagements.CreateServiceEngagement(
            closed_won(run_key), metadata=call_metadata("crm")
        )
    assert created.engagement.engagement_id


def test_a_plaintext_caller_gets_no_answer_from_a_tls_server(tls_only, run_key):
    with grpc.insecure_channel(f"127.0.0.1:{tls_only.port}") as channel:
        engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
        refusal = refusal_of(
            lambda: engagements.CreateServiceEngagement(
                closed_won(run_key), metadata=call_metadata("crm"), timeout=10
            )
        )
    assert refusal.code == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("left_out", "says"),
    [
        ("O2C_TLS_CLIENT_CA_FILE", "O2C_TLS_CLIENT_AUTH=require but no client CA is loaded"),
        ("O2C_TLS_KEY_FILE", "O2C_TLS_CERT_FILE is set but O2C_TLS_KEY_FILE is not"),
    ],
)
def test_o2c_serve_refuses_to_start_in_one_line_when_tls_is_half_configured(
    tmp_path, authority, left_out, says
):
    settings = server_settings(tmp_path, authority, client_auth="require")
    del settings[left_out]
    done = o2c_serve({"O2C_GRPC_ADDRESS": f"127.0.0.1:{free_port()}", **settings}, tmp_path)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"o2c: cannot start: {says}")
    assert "Traceback" not in done.stdout
    assert not (tmp_path / "nats").exists(), "the broker started before the refusal"
    assert not (tmp_path / "o2c.db").exists(), "the database was opened before the refusal"


def test_o2c_status_reaches_a_mutual_tls_server_with_its_own_client_certificate(
    mutual_tls, authority, tmp_path, capsys
):
    client_certificate, client_key = authority.client(common_name="on-call").write(
        tmp_path, "on-call"
    )
    values = {
        **mutual_tls.values,
        "O2C_GRPC_ADDRESS": f"127.0.0.1:{mutual_tls.port}",
        "O2C_CLIENT_TLS_CA_FILE": str(authority.write(tmp_path)),
        "O2C_CLIENT_TLS_CERT_FILE": str(client_certificate),
        "O2C_CLIENT_TLS_KEY_FILE": str(client_key),
    }
    run_status(values)
    assert "live SERVING, ready SERVING" in capsys.readouterr().out


def test_o2c_status_without_a_client_certificate_hears_no_answer_from_mutual_tls(
    mutual_tls, authority, tmp_path, capsys
):
    values = {
        **mutual_tls.values,
        "O2C_GRPC_ADDRESS": f"127.0.0.1:{mutual_tls.port}",
        "O2C_CLIENT_TLS_CA_FILE": str(authority.write(tmp_path)),
    }
    assert run_status(values) == 1
    assert "not answering (UNAVAILABLE)" in capsys.readouterr().out
