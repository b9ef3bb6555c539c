"""Mutual TLS over a real handshake on loopback: who gets through, and as whom.

The server holds the credentials o2c builds from its settings and a handler that answers with
the principal the client certificate stands for; it counts the calls that reach it."""

from __future__ import annotations

from concurrent import futures

import grpc
import pytest
from support.certificates import (
    certificate_authority,
    channel_credentials,
    principals_file,
    server_settings,
)

from entrypoints import settings
from entrypoints.grpc.peer_identity import certificate_authenticators
from entrypoints.grpc.transport import transport_security

CERTINIA = "spiffe://o2c/psa/certinia"
WHO = "/o2c.test.Identity/Who"
PRINCIPALS = {
    CERTINIA: {"system": "psa", "legal_entities": ["US01"], "scopes": []},
    "crm-gateway": {"system": "crm", "legal_entities": ["*"], "scopes": []},
}


class IdentityServer:
    def __init__(self, values: dict[str, str]) -> None:
        security = transport_security(values)
        [self.authenticate] = certificate_authenticators(settings.as_config(values)["tls"])
        self.calls = 0
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        who = grpc.unary_unary_rpc_method_handler(self.who)
        handlers = grpc.method_handlers_generic_handler("o2c.test.Identity", {"Who": who})
        self.server.add_generic_rpc_handlers([handlers])
        self.port = self.server.add_secure_port("127.0.0.1:0", security.credentials())
        self.server.start()

    def who(self, _request: bytes, context: grpc.ServicerContext) -> bytes:
        self.calls += 1
        principal = self.authenticate(context)
        return (
            b"" if principal is None else f"{principal.system.value} {principal.subject}".encode()
        )

    def ask(self, credentials: grpc.ChannelCredentials) -> str:
        with grpc.secure_channel(f"127.0.0.1:{self.port}", credentials) as channel:
            return channel.unary_unary(WHO)(b"", timeout=5).decode()


@pytest.fixture(scope="module")
def authority():
    return certificate_authority()


def serving(directory, authority, client_auth: str):
    values = settings.read(
        {
            **server_settings(directory, authority, client_auth),
            "O2C_CLIENT_CERT_PRINCIPALS": principals_file(directory, PRINCIPALS),
        }
    )
    server = IdentityServer(values)
    yield server
    server.server.stop(0)


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory, authority):
    yield from serving(tmp_path_factory.mktemp("mtls"), authority, "require")


@pytest.fixture(scope="module")
def tls_only(tmp_path_factory, authority):
    yield from serving(tmp_path_factory.mktemp("tls"), authority, "none")


def refused_handshake(server: IdentityServer, credentials: grpc.ChannelCredentials) -> None:
    calls = server.calls
    with pytest.raises(grpc.RpcError) as refused:
        server.ask(credentials)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert server.calls == calls, "the handler ran for a caller the handshake refused"


def test_a_certificate_with_a_mapped_san_uri_calls_as_its_principal(mutual_tls, authority):
    psa = authority.client(uri=CERTINIA, common_name="certinia-prod")
    assert mutual_tls.ask(channel_credentials(authority, psa)) == f"psa {CERTINIA}"


def test_a_certificate_without_a_san_uri_is_mapped_by_its_common_name(mutual_tls, authority):
    crm = authority.client(common_name="crm-gateway")
    assert mutual_tls.ask(channel_credentials(authority, crm)) == "crm crm-gateway"


def test_a_trusted_certificate_whose_identity_is_not_mapped_proves_no_principal(
    mutual_tls, authority
):
    stranger = authority.client(uri="spiffe://o2c/psa/kantata")
    assert mutual_tls.ask(channel_credentials(authority, stranger)) == ""


def test_a_client_without_a_certificate_fails_the_handshake(mutual_tls, authority):
    refused_handshake(mutual_tls, channel_credentials(authority))


def test_a_certificate_from_an_untrusted_ca_fails_the_handshake_whatever_it_claims(mutual_tls):
    rogue = certificate_authority("rogue")
    forged = rogue.client(uri=CERTINIA, common_name="crm-gateway")
    refused_handshake(mutual_tls, channel_credentials(rogue, forged))


def test_a_plaintext_client_gets_no_answer_from_a_tls_server(mutual_tls):
    calls = mutual_tls.calls
    with (
        grpc.insecure_channel(f"127.0.0.1:{mutual_tls.port}") as channel,
        pytest.raises(grpc.RpcError) as refused,
    ):
        channel.unary_unary(WHO)(b"", timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert mutual_tls.calls == calls


def test_without_client_authentication_a_client_needs_no_certificate(tls_only, authority):
    assert tls_only.ask(channel_credentials(authority)) == ""


def test_without_client_authentication_an_offered_certificate_proves_nothing(tls_only, authority):
    psa = authority.client(uri=CERTINIA)
    assert tls_only.ask(channel_credentials(authority, psa)) == ""
