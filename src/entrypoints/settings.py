"""Configuration from the environment: every variable o2c reads, with its default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, str] = {
    "O2C_DATABASE_URL": "sqlite:///var/o2c.db",
    "O2C_NATS_URL": "",
    "O2C_EMBEDDED_NATS_PORT": "14222",
    "O2C_EMBEDDED_NATS_DIR": "var/nats",
    "O2C_STREAM": "O2C",
    "O2C_SUBJECT_PREFIX": "o2c.v1",
    "O2C_OUTBOX_STALE_SECONDS": "60",
    "O2C_GRPC_ADDRESS": "127.0.0.1:50051",
    "O2C_GRPC_MAX_WORKERS": "16",
    "O2C_GRPC_MAX_MESSAGE_BYTES": str(4 * 1024 * 1024),
    "O2C_SHUTDOWN_GRACE_SECONDS": "10",
    "O2C_ERP": "sandbox",
    "O2C_PSA": "sandbox",
    "O2C_CRM": "sandbox",
    "O2C_SANDBOX_LEGAL_ENTITIES": (
        "US01=USMF:US-EIN-12-3456789,GB01=GBSI:GB-VAT-123456789,DE01=DEMF:DE-USTID-123456789"
    ),
    "O2C_VENDOR_RETRY_ATTEMPTS": "4",
    "O2C_VENDOR_RETRY_FIRST_DELAY": "0.2",
    "O2C_VENDOR_MAX_RETRY_AFTER": "30",
    "O2C_SAGA_LEASE_SECONDS": "60",
    "O2C_SAGA_SWEEP_SECONDS": "5",
    "O2C_OWNERSHIP_OVERRIDES": "",
    "O2C_LOG_LEVEL": "INFO",
}


class SettingError(ValueError):
    """A variable whose value o2c cannot use; the message names it and what it takes."""


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
        },
        "outbox": {"stale_seconds": number(values, "O2C_OUTBOX_STALE_SECONDS")},
        "grpc": {
            "address": values["O2C_GRPC_ADDRESS"],
            "max_workers": whole_number(values, "O2C_GRPC_MAX_WORKERS"),
            "max_message_bytes": whole_number(values, "O2C_GRPC_MAX_MESSAGE_BYTES"),
        },
        "erp": {"kind": values["O2C_ERP"], "legal_entities": values["O2C_SANDBOX_LEGAL_ENTITIES"]},
        "psa": {"kind": values["O2C_PSA"]},
        "crm": {"kind": values["O2C_CRM"]},
        "vendors": {
            "retry_attempts": whole_number(values, "O2C_VENDOR_RETRY_ATTEMPTS"),
            "retry_first_delay": number(values, "O2C_VENDOR_RETRY_FIRST_DELAY"),
            "max_retry_after": number(values, "O2C_VENDOR_MAX_RETRY_AFTER"),
        },
        "sagas": {
            "lease_seconds": number(values, "O2C_SAGA_LEASE_SECONDS"),
            "sweep_seconds": number(values, "O2C_SAGA_SWEEP_SECONDS"),
        },
        "ownership": {"changes": values["O2C_OWNERSHIP_OVERRIDES"]},
        "runtime": {
            "shutdown_grace_seconds": number(values, "O2C_SHUTDOWN_GRACE_SECONDS"),
            "embedded_nats_port": whole_number(values, "O2C_EMBEDDED_NATS_PORT"),
        },
    }


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
