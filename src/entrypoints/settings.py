"""Configuration from the environment: every variable o2c reads, with its default."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, str] = {
    "O2C_DATABASE_URL": "sqlite:///var/o2c.db",
    "O2C_NATS_URL": "",
    "O2C_EMBEDDED_NATS_PORT": "14222",
    "O2C_EMBEDDED_NATS_DIR": "var/nats",
    "O2C_STREAM": "O2C",
    "O2C_SUBJECT_PREFIX": "o2c.v1",
    "O2C_STREAM_REPLICAS": "1",
    "O2C_OUTBOX_STALE_SECONDS": "60",
    "O2C_GRPC_ADDRESS": "127.0.0.1:50051",
    "O2C_DASHBOARD_ADDRESS": "127.0.0.1:8080",
    "O2C_GRPC_MAX_WORKERS": "16",
    "O2C_GRPC_MAX_MESSAGE_BYTES": str(4 * 1024 * 1024),
    "O2C_RATE_LIMIT_PER_SECOND": "50",
    "O2C_RATE_LIMIT_BURST": "100",
    "O2C_SHUTDOWN_GRACE_SECONDS": "10",
    "O2C_ERP": "sandbox",
    "O2C_PSA": "sandbox",
    "O2C_SALESFORCE_LOGIN_URL": "",
    "O2C_SALESFORCE_CLIENT_ID": "",
    "O2C_SALESFORCE_USERNAME": "",
    "O2C_SALESFORCE_PRIVATE_KEY_FILE": "",
    "O2C_SALESFORCE_AUDIENCE": "https://login.salesforce.com",
    "O2C_SALESFORCE_MAPPING": "",
    "O2C_CERTINIA_MAPPING": "",
    "O2C_CERTINIA_REMOVAL": "delete",
    "O2C_KANTATA_URL": "",
    "O2C_KANTATA_TOKEN_FILE": "",
    "O2C_KANTATA_MAPPING": "",
    "O2C_CRM": "sandbox",
    "O2C_SANDBOX_LEGAL_ENTITIES": (
        "US01=USMF:US-EIN-12-3456789,GB01=GBSI:GB-VAT-123456789,DE01=DEMF:DE-USTID-123456789,"
        "JP01=JPMF:JP-T1234567890123,KW01=KWMF:KW-TIN-123456789"
    ),
    "O2C_BILLING_REFERENCE": "",
    "O2C_BILLING_PLATFORM": "sandbox",
    "O2C_BILLING_PLATFORM_SECONDS": "600",
    "O2C_BILLING_CHUNK_WORKER": "off",
    "O2C_BILLING_CHUNK_ACK_SECONDS": "60",
    "O2C_ZUORA_URL": "",
    "O2C_ZUORA_CLIENT_ID": "",
    "O2C_ZUORA_CLIENT_SECRET_FILE": "",
    "O2C_ZUORA_ENTITY_ID": "",
    "O2C_ZUORA_MAPPING": "",
    "O2C_VENDOR_RETRY_ATTEMPTS": "4",
    "O2C_VENDOR_RETRY_FIRST_DELAY": "0.2",
    "O2C_VENDOR_MAX_RETRY_AFTER": "30",
    "O2C_SAGA_LEASE_SECONDS": "60",
    "O2C_SAGA_SWEEP_SECONDS": "5",
    "O2C_ERP_PAYMENTS_SECONDS": "60",
    "O2C_PSA_WORK_SECONDS": "60",
    "O2C_REFERENCE_SYNC_SECONDS": "3600",
    "O2C_CONTROLS_SECONDS": "86400",
    "O2C_CONTROLS_LOOK_BACK_DAYS": "60",
    "O2C_CREDIT_CHECK_DEADLINE_SECONDS": "2",
    "O2C_CREDIT_CACHE_SECONDS": "300",
    "O2C_VENDOR_EVENTS": "on",
    "O2C_VENDOR_EVENT_STREAM": "O2C_VENDOR_EVENTS",
    "O2C_VENDOR_EVENT_PREFIX": "vendor",
    "O2C_VENDOR_EVENT_MAX_DELIVERIES": "5",
    "O2C_OWNERSHIP_OVERRIDES": "",
    "O2C_LOG_LEVEL": "INFO",
    "O2C_LOG_FORMAT": "json",
    "O2C_METRICS_ADDRESS": "127.0.0.1:9464",
    "O2C_METRICS_TOKEN_FILE": "",
    "O2C_METRICS_CACHE_SECONDS": "10",
    "O2C_OTEL_EXPORTER_OTLP_ENDPOINT": "",
    "O2C_TLS_CERT_FILE": "",
    "O2C_TLS_KEY_FILE": "",
    "O2C_TLS_CLIENT_CA_FILE": "",
    "O2C_TLS_CLIENT_AUTH": "none",
    "O2C_CLIENT_CERT_PRINCIPALS": "",
    "O2C_CLIENT_TLS_CA_FILE": "",
    "O2C_CLIENT_TLS_CERT_FILE": "",
    "O2C_CLIENT_TLS_KEY_FILE": "",
    "O2C_AUTH_JWKS_FILE": "",
    "O2C_AUTH_ISSUER": "o2c-dev",
    "O2C_AUTH_AUDIENCE": "o2c",
    "O2C_AUTH_MAX_TOKEN_SECONDS": "86400",
    "O2C_AUTH_DEV_KEYS": "",
    "O2C_AUTH_DEV_KEYS_DIR": "var/keys",
    "O2C_NETSUITE_URL": "",
    "O2C_NETSUITE_CLIENT_ID": "",
    "O2C_NETSUITE_CERTIFICATE_ID": "",
    "O2C_NETSUITE_PRIVATE_KEY_FILE": "",
    "O2C_NETSUITE_CONCURRENCY_LIMIT": "15",
    "O2C_DYNAMICS365_URL": "",
    "O2C_DYNAMICS365_TENANT": "",
    "O2C_DYNAMICS365_CLIENT_ID": "",
    "O2C_DYNAMICS365_CLIENT_SECRET_FILE": "",
    "O2C_DYNAMICS365_CLIENT_SECRET": "",
    "O2C_DYNAMICS365_AUTHORITY": "https://login.microsoftonline.com",
    "O2C_DYNAMICS365_CONCURRENCY_LIMIT": "52",
    "O2C_DYNAMICS365_COMPANIES": "",
    "O2C_LEGACY_ERP_DATABASE_URL": "",
    "O2C_LEGACY_ERP_MAX_SESSIONS": "4",
    "O2C_LEGACY_ERP_IMPORT_WAIT": "10",
    "O2C_ERP_SIMULATORS": "",
    "O2C_ERP_SIMULATORS_DIR": "var/erp",
}
ERP_URLS = ("O2C_NETSUITE_URL", "O2C_DYNAMICS365_URL", "O2C_LEGACY_ERP_DATABASE_URL")


class SettingError(ValueError):
    """A variable whose value o2c cannot use; the message names it and what it takes."""


CRMS = ("sandbox", "salesforce")
SALESFORCE = ("LOGIN_URL", "CLIENT_ID", "USERNAME", "PRIVATE_KEY_FILE", "AUDIENCE", "MAPPING")


def crm(values: Mapping[str, str]) -> dict[str, Any]:
    kind = values["O2C_CRM"].strip()
    if kind not in CRMS:
        raise SettingError(f"O2C_CRM must be one of {', '.join(CRMS)}, got {kind!r}")
    salesforce = {name.lower(): values[f"O2C_SALESFORCE_{name}"] for name in SALESFORCE}
    missing = [
        f"O2C_SALESFORCE_{name}"
        for name in ("CLIENT_ID", "USERNAME", "PRIVATE_KEY_FILE")
        if not values[f"O2C_SALESFORCE_{name}"]
    ]
    if kind == "salesforce" and values["O2C_SALESFORCE_LOGIN_URL"] and missing:
        raise SettingError(f"O2C_CRM=salesforce needs {', '.join(missing)}")
    return {"kind": kind, "salesforce": salesforce}


PSAS = ("sandbox", "kantata", "certinia")


def psa(values: Mapping[str, str]) -> dict[str, Any]:
    kind = values["O2C_PSA"].strip()
    if kind not in PSAS:
        raise SettingError(f"O2C_PSA must be one of {', '.join(PSAS)}, got {kind!r}")
    kantata = {
        "url": values["O2C_KANTATA_URL"],
        "token_file": values["O2C_KANTATA_TOKEN_FILE"],
        "mapping": values["O2C_KANTATA_MAPPING"],
    }
    if kind == "kantata" and values["O2C_KANTATA_URL"] and not values["O2C_KANTATA_TOKEN_FILE"]:
        raise SettingError("O2C_PSA=kantata with O2C_KANTATA_URL needs O2C_KANTATA_TOKEN_FILE")
    removal = values["O2C_CERTINIA_REMOVAL"].strip()
    if removal not in ("delete", "deactivate"):
        raise SettingError(f"O2C_CERTINIA_REMOVAL must be delete or deactivate, got {removal!r}")
    certinia = {"mapping": values["O2C_CERTINIA_MAPPING"], "removal": removal}
    return {"kind": kind, "kantata": kantata, "certinia": certinia}


BILLING_PLATFORMS = ("sandbox", "zuora")


def billing_platform(values: Mapping[str, str]) -> dict[str, Any]:
    """The platform that bills the legal entities the billing reference data gives to one."""
    kind = values["O2C_BILLING_PLATFORM"].strip()
    if kind not in BILLING_PLATFORMS:
        raise SettingError(
            f"O2C_BILLING_PLATFORM must be one of {', '.join(BILLING_PLATFORMS)}, got {kind!r}"
        )
    zuora = {
        "url": values["O2C_ZUORA_URL"],
        "client_id": values["O2C_ZUORA_CLIENT_ID"],
        "client_secret_file": values["O2C_ZUORA_CLIENT_SECRET_FILE"],
        "entity_id": values["O2C_ZUORA_ENTITY_ID"],
        "mapping": values["O2C_ZUORA_MAPPING"],
    }
    if kind == "zuora" and zuora["url"]:
        for name in ("O2C_ZUORA_CLIENT_ID", "O2C_ZUORA_CLIENT_SECRET_FILE"):
            if not values[name].strip():
                raise SettingError(f"O2C_BILLING_PLATFORM=zuora with O2C_ZUORA_URL needs {name}")
    return {
        "kind": kind,
        "zuora": zuora,
        "read_seconds": number(values, "O2C_BILLING_PLATFORM_SECONDS"),
    }


def vendor_events(values: Mapping[str, str]) -> dict[str, Any]:
    switch = values["O2C_VENDOR_EVENTS"].strip().lower()
    if switch not in ("on", "off"):
        raise SettingError(
            f"O2C_VENDOR_EVENTS must be on or off, got {values['O2C_VENDOR_EVENTS']!r}"
        )
    prefix = values["O2C_VENDOR_EVENT_PREFIX"].strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", prefix):
        raise SettingError(
            f"O2C_VENDOR_EVENT_PREFIX must be NATS subject tokens such as vendor, got {prefix!r}"
        )
    deliveries = whole_number(values, "O2C_VENDOR_EVENT_MAX_DELIVERIES")
    if deliveries < 1:
        raise SettingError("O2C_VENDOR_EVENT_MAX_DELIVERIES must be at least 1")
    return {
        "enabled": switch == "on",
        "stream": values["O2C_VENDOR_EVENT_STREAM"],
        "prefix": prefix,
        "max_deliveries": deliveries,
    }


def dashboard_address(values: Mapping[str, str]) -> str:
    """host:port for the dashboard's web page; empty turns it off."""
    address = values["O2C_DASHBOARD_ADDRESS"].strip()
    host, colon, port = address.rpartition(":")
    if address and not (colon and host and port.isdigit() and int(port) < 65536):
        raise SettingError(
            f"O2C_DASHBOARD_ADDRESS must be host:port, or empty for no dashboard, got {address!r}"
        )
    return address


def number(values: Mapping[str, str], name: str) -> float:
    try:
        return float(values[name])
    except ValueError:
        raise SettingError(f"{name} must be a number, got {values[name]!r}") from None


def whole_number(values: Mapping[str, str], name: str) -> int:
    try:
        return int(values[name])
    except ValueError:
        raise SettingError(f"{name} must be a whole number, got {values[name]!r}") from None


def read(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    source = os.environ if environ is None else environ
    return {name: source.get(name, default) for name, default in DEFAULTS.items()}


def as_config(values: Mapping[str, str]) -> dict[str, Any]:
    return {
        "database": {"url": values["O2C_DATABASE_URL"]},
        "nats": {
            "url": values["O2C_NATS_URL"],
            "stream": values["O2C_STREAM"],
            "subject_prefix": values["O2C_SUBJECT_PREFIX"],
            "replicas": whole_number(values, "O2C_STREAM_REPLICAS"),
        },
        "outbox": {"stale_seconds": number(values, "O2C_OUTBOX_STALE_SECONDS")},
        "grpc": {
            "address": values["O2C_GRPC_ADDRESS"],
            "max_workers": whole_number(values, "O2C_GRPC_MAX_WORKERS"),
            "max_message_bytes": whole_number(values, "O2C_GRPC_MAX_MESSAGE_BYTES"),
        },
        "erp": {"kind": values["O2C_ERP"], "legal_entities": values["O2C_SANDBOX_LEGAL_ENTITIES"]},
        "billing": {
            "reference": values["O2C_BILLING_REFERENCE"],
            "platform": billing_platform(values),
            "chunks": billing_chunks(values),
        },
        "psa": psa(values),
        "crm": crm(values),
        "vendors": {
            "retry_attempts": whole_number(values, "O2C_VENDOR_RETRY_ATTEMPTS"),
            "retry_first_delay": number(values, "O2C_VENDOR_RETRY_FIRST_DELAY"),
            "max_retry_after": number(values, "O2C_VENDOR_MAX_RETRY_AFTER"),
        },
        "sagas": {
            "lease_seconds": number(values, "O2C_SAGA_LEASE_SECONDS"),
            "sweep_seconds": number(values, "O2C_SAGA_SWEEP_SECONDS"),
            "payments_seconds": number(values, "O2C_ERP_PAYMENTS_SECONDS"),
            "psa_work_seconds": number(values, "O2C_PSA_WORK_SECONDS"),
            "reference_sync_seconds": number(values, "O2C_REFERENCE_SYNC_SECONDS"),
        },
        "controls": {
            "seconds": number(values, "O2C_CONTROLS_SECONDS"),
            "look_back_days": whole_number(values, "O2C_CONTROLS_LOOK_BACK_DAYS"),
        },
        "vendor_events": vendor_events(values),
        "dashboard": {"address": dashboard_address(values)},
        "credit": {
            "deadline_seconds": number(values, "O2C_CREDIT_CHECK_DEADLINE_SECONDS"),
            "cache_seconds": number(values, "O2C_CREDIT_CACHE_SECONDS"),
        },
        "ownership": {"changes": values["O2C_OWNERSHIP_OVERRIDES"]},
        "observability": observability(values),
        "rate_limit": rate_limit(values),
        "tls": {
            "client_auth": values["O2C_TLS_CLIENT_AUTH"],
            "client_cert_principals": values["O2C_CLIENT_CERT_PRINCIPALS"],
        },
        "auth": {
            "jwks_file": values["O2C_AUTH_JWKS_FILE"],
            "issuer": values["O2C_AUTH_ISSUER"],
            "audience": values["O2C_AUTH_AUDIENCE"],
            "max_token_seconds": whole_number(values, "O2C_AUTH_MAX_TOKEN_SECONDS"),
            "dev_keys": development_keys_wanted(values),
            "dev_keys_dir": values["O2C_AUTH_DEV_KEYS_DIR"],
        },
        "erps": erps(values),
        "runtime": {
            "shutdown_grace_seconds": number(values, "O2C_SHUTDOWN_GRACE_SECONDS"),
            "embedded_nats_port": whole_number(values, "O2C_EMBEDDED_NATS_PORT"),
            "erp_simulators": erp_simulators_wanted(values),
        },
    }


def observability(values: Mapping[str, str]) -> dict[str, Any]:
    """Logs, the Prometheus endpoint (an empty address turns it off) and tracing (off unless an
    OTLP endpoint is given)."""
    log_format = values["O2C_LOG_FORMAT"].strip().lower()
    if log_format not in ("json", "console"):
        raise SettingError(f"O2C_LOG_FORMAT must be json or console, got {log_format!r}")
    address = values["O2C_METRICS_ADDRESS"].strip()
    if address and not re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^:\s]*):\d{1,5}", address):
        raise SettingError(f"O2C_METRICS_ADDRESS must be HOST:PORT or empty, got {address!r}")
    return {
        "log_format": log_format,
        "metrics_address": address,
        "metrics_token_file": values["O2C_METRICS_TOKEN_FILE"],
        "metrics_cache_seconds": number(values, "O2C_METRICS_CACHE_SECONDS"),
        "otlp_endpoint": values["O2C_OTEL_EXPORTER_OTLP_ENDPOINT"].strip(),
    }


def billing_chunks(values: Mapping[str, str]) -> dict[str, Any]:
    """Whether this replica takes chunks of the billing cycle from the work-queue stream."""
    switch = values["O2C_BILLING_CHUNK_WORKER"].strip().lower()
    if switch not in ("on", "off"):
        raise SettingError(f"O2C_BILLING_CHUNK_WORKER must be on or off, got {switch!r}")
    return {
        "worker": switch == "on",
        "ack_seconds": number(values, "O2C_BILLING_CHUNK_ACK_SECONDS"),
    }


def development_keys_wanted(values: Mapping[str, str]) -> bool:
    """Development keys by default only while no JWKS is configured: production names its keys."""
    wanted = values["O2C_AUTH_DEV_KEYS"].strip().lower()
    if wanted not in ("", "true", "false"):
        raise SettingError(f"O2C_AUTH_DEV_KEYS must be true or false, got {wanted!r}")
    if wanted == "false" and not values["O2C_AUTH_JWKS_FILE"]:
        raise SettingError("O2C_AUTH_DEV_KEYS=false needs O2C_AUTH_JWKS_FILE: no key to trust")
    return wanted == "true" or (not wanted and not values["O2C_AUTH_JWKS_FILE"])


def at_least_one(values: Mapping[str, str], name: str) -> int:
    count = whole_number(values, name)
    if count < 1:
        raise SettingError(f"{name} must be 1 or more, got {values[name]!r}")
    return count


def erps(values: Mapping[str, str]) -> dict[str, Any]:
    """Each ERP o2c can post to; one whose URL is empty is not configured."""
    return {
        "netsuite": netsuite(values),
        "dynamics365": dynamics365(values),
        "legacy": {
            "url": values["O2C_LEGACY_ERP_DATABASE_URL"],
            "max_sessions": at_least_one(values, "O2C_LEGACY_ERP_MAX_SESSIONS"),
            "import_wait": number(values, "O2C_LEGACY_ERP_IMPORT_WAIT"),
        },
    }


def netsuite(values: Mapping[str, str]) -> dict[str, Any]:
    needed = (
        "O2C_NETSUITE_CLIENT_ID",
        "O2C_NETSUITE_CERTIFICATE_ID",
        "O2C_NETSUITE_PRIVATE_KEY_FILE",
    )
    required_with("O2C_NETSUITE_URL", values, needed)
    return {
        "url": values["O2C_NETSUITE_URL"],
        "client_id": values["O2C_NETSUITE_CLIENT_ID"],
        "certificate_id": values["O2C_NETSUITE_CERTIFICATE_ID"],
        "private_key_file": values["O2C_NETSUITE_PRIVATE_KEY_FILE"],
        "concurrency_limit": at_least_one(values, "O2C_NETSUITE_CONCURRENCY_LIMIT"),
    }


def dynamics365(values: Mapping[str, str]) -> dict[str, Any]:
    required_with(
        "O2C_DYNAMICS365_URL", values, ("O2C_DYNAMICS365_TENANT", "O2C_DYNAMICS365_CLIENT_ID")
    )
    secret, secret_file = (
        values["O2C_DYNAMICS365_CLIENT_SECRET"],
        values["O2C_DYNAMICS365_CLIENT_SECRET_FILE"],
    )
    if values["O2C_DYNAMICS365_URL"] and bool(secret) == bool(secret_file):
        raise SettingError(
            "O2C_DYNAMICS365_URL is set: give its client secret in exactly one of "
            "O2C_DYNAMICS365_CLIENT_SECRET_FILE and O2C_DYNAMICS365_CLIENT_SECRET"
        )
    return {
        "url": values["O2C_DYNAMICS365_URL"],
        "tenant": values["O2C_DYNAMICS365_TENANT"],
        "client_id": values["O2C_DYNAMICS365_CLIENT_ID"],
        "client_secret": secret,
        "client_secret_file": secret_file,
        "authority": values["O2C_DYNAMICS365_AUTHORITY"],
        "concurrency_limit": at_least_one(values, "O2C_DYNAMICS365_CONCURRENCY_LIMIT"),
        "companies": pairs(values, "O2C_DYNAMICS365_COMPANIES"),
    }


def required_with(url_name: str, values: Mapping[str, str], names: tuple[str, ...]) -> None:
    missing = [name for name in names if values[url_name] and not values[name].strip()]
    if missing:
        raise SettingError(f"{url_name} is set: {', '.join(missing)} must be set too")


def pairs(values: Mapping[str, str], name: str) -> dict[str, str]:
    """`A=B,C=D` as a mapping."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in values[name].split(","))):
        key, equals, value = (part.strip() for part in item.partition("="))
        if not (key and equals and value):
            raise SettingError(f"{name}: {item!r} is not ERP_ENTITY=DATA_AREA_ID")
        found[key] = value
    return found


def erp_simulators_wanted(values: Mapping[str, str]) -> bool:
    """The ERPs' simulators by default only while no ERP is configured: the embedded default."""
    wanted = values["O2C_ERP_SIMULATORS"].strip().lower()
    if wanted not in ("", "true", "false"):
        raise SettingError(f"O2C_ERP_SIMULATORS must be true or false, got {wanted!r}")
    return wanted == "true" or (not wanted and not any(values[name] for name in ERP_URLS))


def rate_limit(values: Mapping[str, str]) -> dict[str, float]:
    per_second = number(values, "O2C_RATE_LIMIT_PER_SECOND")
    burst = whole_number(values, "O2C_RATE_LIMIT_BURST")
    if per_second < 0 or burst < 1:
        raise SettingError(
            "O2C_RATE_LIMIT_PER_SECOND must be 0 (no limit) or more, "
            "and O2C_RATE_LIMIT_BURST at least 1"
        )
    return {"per_second": per_second, "burst": burst}


def embedded_nats_url(values: Mapping[str, str]) -> str:
    return f"nats://127.0.0.1:{values['O2C_EMBEDDED_NATS_PORT']}"


def nats_url(values: Mapping[str, str]) -> str:
    """The broker o2c uses: the configured one, else the embedded server it starts."""
    return values["O2C_NATS_URL"] or embedded_nats_url(values)


def redact(url: str) -> str:
    """The URL without its password, fit for a log line."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}{sep}{user}{':***' if colon else ''}{at}{host}"
