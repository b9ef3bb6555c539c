"""The ERPs' settings: an ERP whose URL is empty is not configured, a configured one needs its
credentials, a value o2c cannot use is refused naming its setting, a secret never shows, and
the simulators stand in by default only while no ERP is configured."""

from __future__ import annotations

from typing import Any

import pytest

from entrypoints import settings
from entrypoints.erp_adapters import dynamics365_ledger, erp_ledgers, netsuite_ledger
from entrypoints.settings import SettingError

NETSUITE = {
    "O2C_NETSUITE_URL": "https://1234567.suitetalk.api.netsuite.com",
    "O2C_NETSUITE_CLIENT_ID": "o2c-integration",
    "O2C_NETSUITE_CERTIFICATE_ID": "cert-1",
    "O2C_NETSUITE_PRIVATE_KEY_FILE": "/etc/o2c/netsuite.pem",
}
DYNAMICS365 = {
    "O2C_DYNAMICS365_URL": "https://contoso.operations.dynamics.com",
    "O2C_DYNAMICS365_TENANT": "contoso.onmicrosoft.com",
    "O2C_DYNAMICS365_CLIENT_ID": "o2c-client",
    "O2C_DYNAMICS365_CLIENT_SECRET": "s3cr3t-value",
}


def erps(**given: str) -> dict[str, Any]:
    config: dict[str, Any] = settings.as_config(settings.read(given))["erps"]
    return config


def refusal(**given: str) -> str:
    with pytest.raises(SettingError) as refused:
        settings.as_config(settings.read(given))
    return str(refused.value)


def test_by_default_no_erp_is_configured_and_the_simulators_stand_in():
    config = settings.as_config(settings.read({}))

    assert [config["erps"][erp]["url"] for erp in ("netsuite", "dynamics365", "legacy")] == [
        "",
        "",
        "",
    ]
    assert config["runtime"]["erp_simulators"] is True


def test_once_an_erp_is_configured_the_simulators_stay_off_unless_asked_for():
    legacy = {"O2C_LEGACY_ERP_DATABASE_URL": "postgresql://erp@legacy/ebs"}

    assert settings.erp_simulators_wanted(settings.read(legacy)) is False
    wanted = settings.read({**legacy, "O2C_ERP_SIMULATORS": "true"})
    assert settings.erp_simulators_wanted(wanted) is True


def test_a_configured_netsuite_account_is_read_with_its_limit():
    config = erps(**NETSUITE, O2C_NETSUITE_CONCURRENCY_LIMIT="5")["netsuite"]

    assert config["url"] == NETSUITE["O2C_NETSUITE_URL"]
    assert (config["client_id"], config["certificate_id"]) == ("o2c-integration", "cert-1")
    assert (config["private_key_file"], config["concurrency_limit"]) == ("/etc/o2c/netsuite.pem", 5)


def test_a_netsuite_url_without_its_credentials_is_refused_naming_what_is_missing():
    message = refusal(O2C_NETSUITE_URL=NETSUITE["O2C_NETSUITE_URL"])

    assert "O2C_NETSUITE_CLIENT_ID" in message
    assert "O2C_NETSUITE_PRIVATE_KEY_FILE" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("O2C_NETSUITE_CONCURRENCY_LIMIT", "0"),
        ("O2C_NETSUITE_CONCURRENCY_LIMIT", "many"),
        ("O2C_DYNAMICS365_CONCURRENCY_LIMIT", "-1"),
        ("O2C_LEGACY_ERP_MAX_SESSIONS", "1.5"),
        ("O2C_LEGACY_ERP_IMPORT_WAIT", "soon"),
        ("O2C_ERP_SIMULATORS", "yes"),
        ("O2C_DYNAMICS365_COMPANIES", "DE01"),
    ],
)
def test_a_value_o2c_cannot_use_is_refused_naming_its_setting(name, value):
    assert name in refusal(**{name: value})


def test_a_dynamics365_secret_is_given_once_as_a_file_or_a_value():
    without = {k: v for k, v in DYNAMICS365.items() if k != "O2C_DYNAMICS365_CLIENT_SECRET"}
    both = {**DYNAMICS365, "O2C_DYNAMICS365_CLIENT_SECRET_FILE": "/run/secrets/d365"}

    assert "O2C_DYNAMICS365_CLIENT_SECRET_FILE" in refusal(**without)
    assert "s3cr3t-value" not in refusal(**both)


def test_dynamics365_companies_map_the_erp_entities_to_data_area_ids():
    config = erps(**DYNAMICS365, O2C_DYNAMICS365_COMPANIES="DE-1=DEMF, US-1=USMF")["dynamics365"]

    assert config["companies"] == {"DE-1": "DEMF", "US-1": "USMF"}


def test_an_unconfigured_erp_has_no_adapter_and_the_sandbox_is_always_there():
    config = erps()

    assert netsuite_ledger(config["netsuite"]) is None
    built = erp_ledgers(object(), config)  # type: ignore[arg-type]
    assert list(next(built)) == ["sandbox"]
    built.close()


def test_an_unreadable_key_file_is_refused_naming_its_setting(tmp_path):
    config = erps(**{**NETSUITE, "O2C_NETSUITE_PRIVATE_KEY_FILE": str(tmp_path / "absent.pem")})

    with pytest.raises(SettingError, match="O2C_NETSUITE_PRIVATE_KEY_FILE"):
        netsuite_ledger(config["netsuite"])


def test_a_dynamics365_secret_read_from_its_file_never_shows(tmp_path):
    secret_file = tmp_path / "d365-secret"
    secret_file.write_text("from-the-file\n")
    given = {k: v for k, v in DYNAMICS365.items() if k != "O2C_DYNAMICS365_CLIENT_SECRET"}
    config = erps(**given, O2C_DYNAMICS365_CLIENT_SECRET_FILE=str(secret_file))

    ledger = dynamics365_ledger(config["dynamics365"])

    assert ledger is not None
    assert ledger.settings.client_secret == "from-the-file"
    assert "from-the-file" not in repr(ledger.settings)
    ledger.close()
