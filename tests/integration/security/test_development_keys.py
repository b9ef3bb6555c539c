"""The embedded default's development keys: made once, private to their owner, trusted only
while no JWKS is configured, and never part of what is logged."""

import json
import stat
import time

import pytest

from adapters.security.dev_keys import DevelopmentKeys, NoDevelopmentKey
from adapters.security.jwt_tokens import TokenVerifier
from entrypoints import settings
from entrypoints.cli import main
from entrypoints.grpc.dev_tokens import development_principal, development_token
from entrypoints.grpc.trust import token_verifier


def test_the_private_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    keys = DevelopmentKeys(tmp_path / "keys")

    first = keys.ensure()
    second = keys.ensure()

    assert first.by_id.keys() == second.by_id.keys()
    mode = stat.S_IMODE(keys.private_key_path.stat().st_mode)
    assert mode == 0o600


def test_the_published_key_set_holds_no_private_part(tmp_path):
    keys = DevelopmentKeys(tmp_path / "keys")
    keys.ensure()

    [jwk] = json.loads(keys.jwks_path.read_text())["keys"]

    assert "d" not in jwk and jwk["alg"] == "ES256"


def test_without_a_key_no_token_can_be_minted(tmp_path):
    with pytest.raises(NoDevelopmentKey):
        DevelopmentKeys(tmp_path / "keys").signer()


def values(**overrides: str) -> dict[str, str]:
    return settings.read(overrides)


def test_development_keys_are_used_only_while_no_jwks_is_configured():
    assert settings.as_config(values())["auth"]["dev_keys"] is True
    assert (
        settings.as_config(values(O2C_AUTH_JWKS_FILE="/etc/o2c/jwks.json"))["auth"]["dev_keys"]
        is False
    )


def test_turning_development_keys_off_without_a_jwks_is_refused():
    with pytest.raises(settings.SettingError, match="O2C_AUTH_JWKS_FILE"):
        settings.as_config(values(O2C_AUTH_DEV_KEYS="false"))


def test_a_development_token_is_trusted_by_the_server_of_the_same_directory(tmp_path, capsys):
    configured = values(O2C_AUTH_DEV_KEYS_DIR=str(tmp_path / "keys"))
    verifier: TokenVerifier = token_verifier(settings.as_config(configured)["auth"])

    token = development_token(configured, development_principal("psa"), ttl_seconds=60)

    assert verifier.principal_of(token).subject == "psa-dev"
    logged = capsys.readouterr().out + capsys.readouterr().err
    private_pem = (tmp_path / "keys" / "dev-signing-key.pem").read_text()
    assert private_pem.splitlines()[1] not in logged


def test_o2c_token_prints_a_token_limited_to_the_legal_entities_asked_for(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("O2C_AUTH_DEV_KEYS_DIR", str(tmp_path / "keys"))
    configured = values(O2C_AUTH_DEV_KEYS_DIR=str(tmp_path / "keys"))
    verifier = token_verifier(settings.as_config(configured)["auth"])
    capsys.readouterr()

    assert main(["token", "--system", "psa", "--legal-entities", "US01,GB01", "--ttl", "60"]) == 0

    principal = verifier.principal_of(capsys.readouterr().out.strip())
    assert principal.legal_entities == {"US01", "GB01"}
    assert verifier.verified_claims(development_token(configured, principal, 60))["exp"] <= (
        time.time() + 61
    )


def test_no_development_token_is_minted_once_a_jwks_is_configured(tmp_path):
    configured = values(
        O2C_AUTH_DEV_KEYS_DIR=str(tmp_path / "keys"), O2C_AUTH_JWKS_FILE="/etc/o2c/jwks.json"
    )

    with pytest.raises(settings.SettingError, match="development keys are off"):
        development_token(configured, development_principal("crm"))
    assert not (tmp_path / "keys").exists()


def test_o2c_token_refuses_an_unknown_system(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("O2C_AUTH_DEV_KEYS_DIR", str(tmp_path / "keys"))

    assert main(["token", "--system", "gateway"]) == 2
    assert "--system must be one of" in capsys.readouterr().err
