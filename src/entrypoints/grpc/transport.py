"""TLS, and mutual TLS where configured, read from files the settings name.

Without a certificate and key the server speaks plaintext, as the embedded default does on
127.0.0.1; on any other address that is worth a warning. Whatever is wrong with the files stops
the server before it starts, in one line naming the setting, and never quotes the key."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path

import grpc
import structlog
from attrs import field, frozen

from adapters.security.certificates import CertificateProblem, certificates_in, check_key_pair
from entrypoints.settings import SettingError

CERT, KEY, CLIENT_CA, CLIENT_AUTH = (
    "O2C_TLS_CERT_FILE",
    "O2C_TLS_KEY_FILE",
    "O2C_TLS_CLIENT_CA_FILE",
    "O2C_TLS_CLIENT_AUTH",
)
CLIENT_AUTH_MODES = ("none", "require")
log = structlog.get_logger("o2c.transport")


@frozen
class TransportSecurity:
    certificate_chain: bytes
    private_key: bytes = field(repr=False)
    client_ca: bytes | None = None
    require_client_certificate: bool = False

    @property
    def mode(self) -> str:
        return "mutual TLS" if self.require_client_certificate else "TLS"

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(self.private_key, self.certificate_chain)],
            root_certificates=self.client_ca,
            require_client_auth=self.require_client_certificate,
        )


def transport_security(values: Mapping[str, str]) -> TransportSecurity | None:
    """The server's TLS as the settings configure it; None for plaintext."""
    require = client_auth_required(values)
    if not (values[CERT] or values[KEY]):
        if require:
            raise SettingError(f"{CLIENT_AUTH}=require needs TLS: set {CERT} and {KEY}")
        return None
    if not (values[CERT] and values[KEY]):
        given, missing = (CERT, KEY) if values[CERT] else (KEY, CERT)
        raise SettingError(f"{given} is set but {missing} is not: TLS needs both")
    chain, key = certificate_file(values, CERT), read(values, KEY)
    about(KEY, values, lambda: check_key_pair(chain, key))
    return TransportSecurity(chain, key, client_ca(values, require), require)


def client_auth_required(values: Mapping[str, str]) -> bool:
    mode = values[CLIENT_AUTH].strip().lower()
    if mode not in CLIENT_AUTH_MODES:
        raise SettingError(f"{CLIENT_AUTH} must be none or require, got {values[CLIENT_AUTH]!r}")
    return mode == "require"


def client_ca(values: Mapping[str, str], required: bool) -> bytes | None:
    if not values[CLIENT_CA]:
        if required:
            raise SettingError(
                f"{CLIENT_AUTH}=require but no client CA is loaded: set {CLIENT_CA} to the PEM "
                "bundle of the CAs that issue client certificates"
            )
        return None
    if not required:
        log.warning("client CA not used", setting=CLIENT_CA, reason=f"{CLIENT_AUTH} is none")
    return certificate_file(values, CLIENT_CA)


def certificate_file(values: Mapping[str, str], name: str) -> bytes:
    content = read(values, name)
    about(name, values, lambda: certificates_in(content))
    return content


def read(values: Mapping[str, str], name: str) -> bytes:
    path = Path(values[name])
    try:
        return path.read_bytes()
    except OSError as error:
        raise SettingError(f"{name}: cannot read {path}: {error.strerror}") from None


def about(name: str, values: Mapping[str, str], check: Callable[[], object]) -> None:
    """Runs `check`; a problem it finds stops o2c with the setting and file it is about."""
    try:
        check()
    except CertificateProblem as problem:
        raise SettingError(f"{name} ({values[name]}) {problem}") from None


def mode_of(security: TransportSecurity | None) -> str:
    return "plaintext" if security is None else security.mode


def warn_if_exposed(address: str, security: TransportSecurity | None) -> None:
    if security is None and not is_loopback(address):
        log.warning(
            "serving plaintext beyond this machine",
            address=address,
            fix=f"set {CERT} and {KEY} (and {CLIENT_CA} with {CLIENT_AUTH}=require for mTLS)",
        )


def is_loopback(address: str) -> bool:
    host = address.rpartition(":")[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
