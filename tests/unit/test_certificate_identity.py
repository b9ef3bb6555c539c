"""A client certificate's identity and the principal it is mapped to, without a network."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs

from adapters.security.certificate_principals import MappingProblem, principals_by_identity
from domain.principal import CallingSystem, Principal
from entrypoints.grpc.peer_identity import CertificatePrincipals, certificate_identity
from entrypoints.grpc.transport import TransportSecurity, is_loopback, warn_if_exposed

CERTINIA = "spiffe://o2c/psa/certinia"
PSA_ENTRY = {"system": "psa", "legal_entities": ["US01"], "scopes": ["billable-events:write"]}


def verified(**properties: list[bytes]) -> dict[str, list[bytes]]:
    return {"transport_security_type": [b"ssl"], **properties}


def test_the_identity_is_the_san_uri_even_when_the_certificate_has_a_common_name():
    auth = verified(peer_uri=[CERTINIA.encode()], x509_common_name=[b"certinia-prod"])
    assert certificate_identity(auth) == CERTINIA


def test_without_a_san_uri_the_identity_is_the_common_name():
    assert certificate_identity(verified(x509_common_name=[b"crm-gateway"])) == "crm-gateway"


def test_a_certificate_with_two_san_uris_has_no_identity_rather_than_the_first_one():
    auth = verified(peer_uri=[CERTINIA.encode(), b"spiffe://o2c/admin/console"])
    assert certificate_identity(auth) is None


def test_a_plaintext_caller_has_no_certificate_identity_whatever_its_properties_say():
    auth = {"transport_security_type": [b"insecure"], "x509_common_name": [b"crm-gateway"]}
    assert certificate_identity(auth) is None
    assert certificate_identity({}) is None


class Context:
    def __init__(self, auth: dict[str, list[bytes]]) -> None:
        self.auth = auth

    def auth_context(self) -> dict[str, list[bytes]]:
        return self.auth


def test_a_mapped_identity_becomes_its_principal_and_an_unmapped_one_proves_nothing():
    authenticate = CertificatePrincipals(principals_by_identity(json.dumps({CERTINIA: PSA_ENTRY})))
    principal = authenticate(Context(verified(peer_uri=[CERTINIA.encode()])))
    assert principal == Principal(
        CERTINIA, CallingSystem.PSA, frozenset({"US01"}), frozenset({"billable-events:write"})
    )
    assert authenticate(Context(verified(x509_common_name=[b"stranger"]))) is None


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("{not json", "is not JSON"),
        ("[]", "is not a JSON object"),
        (json.dumps({CERTINIA: "psa"}), f"maps {CERTINIA!r} to no object"),
        (json.dumps({CERTINIA: {**PSA_ENTRY, "system": "sap"}}), "the system 'sap', not one of"),
        (json.dumps({CERTINIA: {"system": "psa", "scopes": []}}), "as legal_entities"),
        (json.dumps({CERTINIA: {**PSA_ENTRY, "scopes": "billable-events:write"}}), "as scopes"),
    ],
)
def test_a_mapping_o2c_cannot_use_is_refused_naming_the_identity_and_the_problem(document, says):
    with pytest.raises(MappingProblem, match=says):
        principals_by_identity(document)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:50051", True),
        ("localhost:50051", True),
        ("[::1]:50051", True),
        ("0.0.0.0:50051", False),
        ("[::]:50051", False),
        ("10.1.2.3:50051", False),
        ("o2c.internal:50051", False),
    ],
)
def test_only_a_loopback_address_counts_as_this_machine_alone(address, loopback):
    assert is_loopback(address) is loopback


def test_plaintext_on_an_address_beyond_this_machine_is_warned_about():
    with capture_logs() as logs:
        warn_if_exposed("0.0.0.0:50051", None)
        warn_if_exposed("127.0.0.1:50051", None)
        warn_if_exposed("0.0.0.0:50051", TransportSecurity(b"chain", b"key"))
    [warning] = logs
    assert warning["log_level"] == "warning"
    assert warning["address"] == "0.0.0.0:50051"
    assert "O2C_TLS_CERT_FILE" in warning["fix"]


def test_a_common_name_that_is_not_utf8_is_no_identity_rather_than_an_error():
    assert certificate_identity(verified(x509_common_name=[b"crm-\xff"])) is None
