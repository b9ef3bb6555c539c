"""TLS settings read from real files: what o2c serves with, and what stops it before it starts,
in one line naming the setting — never quoting the key."""

from __future__ import annotations

import pytest
from support.certificates import certificate_authority, principals_file, server_settings

from entrypoints import settings
from entrypoints.grpc.peer_identity import certificate_authenticators
from entrypoints.grpc.transport import transport_security
from entrypoints.settings import SettingError

TLS_SETTINGS = ("O2C_TLS_CERT_FILE", "O2C_TLS_KEY_FILE", "O2C_TLS_CLIENT_CA_FILE")


@pytest.fixture(scope="module")
def authority():
    return certificate_authority()


@pytest.fixture
def mutual(tmp_path, authority):
    """Settings for mutual TLS, every file in place."""
    return server_settings(tmp_path, authority, client_auth="require")


def values(**given: str) -> dict[str, str]:
    return settings.read(given)


def refusal(**given: str) -> str:
    with pytest.raises(SettingError) as refused:
        transport_security(values(**given))
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_without_a_certificate_and_key_the_server_speaks_plaintext():
    assert transport_security(values()) is None


def test_a_certificate_and_key_serve_tls_without_asking_for_client_certificates(mutual):
    security = transport_security(values(**{**mutual, "O2C_TLS_CLIENT_AUTH": "none"}))
    assert security is not None
    assert not security.require_client_certificate


def test_required_client_authentication_loads_the_client_ca(mutual):
    security = transport_security(values(**mutual))
    assert security.require_client_certificate
    assert security.client_ca.startswith(b"-----BEGIN CERTIFICATE-----")


def test_client_authentication_required_without_a_client_ca_refuses_to_start(mutual):
    del mutual["O2C_TLS_CLIENT_CA_FILE"]
    assert "O2C_TLS_CLIENT_AUTH=require but no client CA is loaded" in refusal(**mutual)


def test_client_authentication_required_without_tls_refuses_to_start():
    assert "O2C_TLS_CLIENT_AUTH=require needs TLS" in refusal(O2C_TLS_CLIENT_AUTH="require")


@pytest.mark.parametrize(("given", "missing"), [("CERT", "KEY"), ("KEY", "CERT")])
def test_a_certificate_without_its_key_or_a_key_without_its_certificate_refuses_to_start(
    mutual, given, missing
):
    del mutual[f"O2C_TLS_{missing}_FILE"]
    message = refusal(**mutual)
    assert f"O2C_TLS_{given}_FILE is set but O2C_TLS_{missing}_FILE is not" in message


@pytest.mark.parametrize("setting", TLS_SETTINGS)
def test_a_file_that_cannot_be_read_refuses_to_start_naming_the_setting_and_path(
    mutual, tmp_path, setting
):
    mutual[setting] = str(tmp_path / "absent.pem")
    assert refusal(**mutual) == f"{setting}: cannot read {tmp_path / 'absent.pem'}: " + (
        "No such file or directory"
    )


@pytest.mark.parametrize("setting", ["O2C_TLS_CERT_FILE", "O2C_TLS_CLIENT_CA_FILE"])
def test_a_file_without_a_certificate_refuses_to_start(mutual, tmp_path, setting):
    (tmp_path / "notes.txt").write_text("not a certificate")
    mutual[setting] = str(tmp_path / "notes.txt")
    assert refusal(**mutual).endswith("holds no PEM certificate")


def test_a_key_that_is_not_the_certificates_refuses_to_start_without_quoting_either(
    mutual, tmp_path, authority
):
    other = authority.server()
    _, other_key = other.write(tmp_path, "other")
    mutual["O2C_TLS_KEY_FILE"] = str(other_key)
    message = refusal(**mutual)
    assert message.endswith("is not the private key of the certificate")
    assert "PRIVATE KEY" not in message


def test_a_certificate_given_as_the_key_is_refused_as_no_private_key(mutual):
    mutual["O2C_TLS_KEY_FILE"] = mutual["O2C_TLS_CERT_FILE"]
    assert refusal(**mutual).endswith("holds no unencrypted PEM private key")


def test_an_unknown_client_authentication_mode_refuses_to_start(mutual):
    mutual["O2C_TLS_CLIENT_AUTH"] = "optional"
    assert "O2C_TLS_CLIENT_AUTH must be none or require, got 'optional'" in refusal(**mutual)


def test_the_private_key_is_never_in_the_repr_of_what_the_server_holds(mutual, tmp_path):
    security = transport_security(values(**mutual))
    key = (tmp_path / "server.key").read_bytes()
    assert security.private_key == key
    assert "PRIVATE" not in repr(security)


def tls_config(**given: str) -> dict[str, str]:
    return settings.as_config(values(**given))["tls"]


def test_no_mapping_file_means_no_certificate_authenticator():
    assert certificate_authenticators(tls_config()) == ()


def test_a_mapping_file_gives_the_certificate_authenticator(tmp_path):
    mapping = principals_file(
        tmp_path, {"crm-gateway": {"system": "crm", "legal_entities": ["*"], "scopes": []}}
    )
    [authenticator] = certificate_authenticators(
        tls_config(O2C_CLIENT_CERT_PRINCIPALS=mapping, O2C_TLS_CLIENT_AUTH="require")
    )
    assert set(authenticator.by_identity) == {"crm-gateway"}


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "cannot read"), ('{"crm-gateway": {"system": "crm"}}', "'crm-gateway' no list")],
)
def test_a_mapping_file_o2c_cannot_use_refuses_to_start_naming_it(tmp_path, content, says):
    path = tmp_path / "principals.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SettingError) as refused:
        certificate_authenticators(tls_config(O2C_CLIENT_CERT_PRINCIPALS=str(path)))
    assert str(refused.value).startswith("O2C_CLIENT_CERT_PRINCIPALS")
    assert says in str(refused.value)
