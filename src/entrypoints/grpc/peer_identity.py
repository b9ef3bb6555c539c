"""The principal a verified client certificate stands for (mutual TLS).

The certificate's identity is its SAN URI (`spiffe://o2c/psa/certinia`), or else its subject
CN; O2C_CLIENT_CERT_PRINCIPALS maps identities to principals. A certificate whose identity is not
in the mapping proves nothing here: the call then needs a token. Only a handshake gRPC verified
against the client CA yields an identity, so a plaintext caller cannot claim one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
import structlog

from adapters.security.certificate_principals import MappingProblem, principals_by_identity
from domain.principal import Principal
from entrypoints.settings import SettingError

PRINCIPALS = "O2C_CLIENT_CERT_PRINCIPALS"
log = structlog.get_logger("o2c.peer_identity")


class CertificatePrincipals:
    """An authenticator: the principal of the caller's client certificate, or None."""

    def __init__(self, by_identity: Mapping[str, Principal]) -> None:
        self.by_identity = dict(by_identity)

    def __call__(self, context: grpc.ServicerContext) -> Principal | None:
        identity = certificate_identity(context.auth_context())
        return None if identity is None else self.by_identity.get(identity)


def certificate_identity(auth: Mapping[str, list[bytes]]) -> str | None:
    """The verified peer certificate's one SAN URI, else its CN; None without one (or with
    several URIs, which would make the identity a matter of order)."""
    if auth.get("transport_security_type") != [b"ssl"]:
        return None
    uris = auth.get("peer_uri", [])
    if uris:
        return text(uris[0]) if len(uris) == 1 else None
    names = auth.get("x509_common_name", [])
    return text(names[0]) if names else None


def text(value: bytes) -> str | None:
    try:
        return value.decode()
    except UnicodeDecodeError:  # no mapping can name it, so it proves nothing
        return None


def certificate_authenticators(tls: Mapping[str, Any]) -> tuple[CertificatePrincipals, ...]:
    """The client-certificate authenticator when a mapping is configured; none otherwise."""
    if not tls["client_cert_principals"]:
        return ()
    path = Path(tls["client_cert_principals"])
    try:
        mapping = principals_by_identity(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingError(f"{PRINCIPALS}: cannot read {path}: {error.strerror}") from None
    except (MappingProblem, UnicodeDecodeError) as problem:
        raise SettingError(f"{PRINCIPALS} ({path}) {problem}") from None
    if tls["client_auth"].strip().lower() != "require":
        log.warning("client certificates not asked for", setting=PRINCIPALS, mapped=len(mapping))
    return (CertificatePrincipals(mapping),)
