"""How o2c's own commands (`o2c status`, `o2c demo`) reach a server: plaintext on the embedded
default; TLS when O2C_CLIENT_TLS_CA_FILE names the CA that signed the server's certificate, with
a client certificate of its own where the server requires mutual TLS."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import grpc

from entrypoints.settings import SettingError

CA, CERT, KEY = "O2C_CLIENT_TLS_CA_FILE", "O2C_CLIENT_TLS_CERT_FILE", "O2C_CLIENT_TLS_KEY_FILE"


def open_channel(values: Mapping[str, str]) -> grpc.Channel:
    address = values["O2C_GRPC_ADDRESS"]
    if not values[CA]:
        return grpc.insecure_channel(address)
    return grpc.secure_channel(address, client_credentials(values))


def client_credentials(values: Mapping[str, str]) -> grpc.ChannelCredentials:
    if bool(values[CERT]) != bool(values[KEY]):
        raise SettingError(f"{CERT} and {KEY} go together: set both for mutual TLS, or neither")
    return grpc.ssl_channel_credentials(
        root_certificates=read(values, CA),
        private_key=read(values, KEY) if values[KEY] else None,
        certificate_chain=read(values, CERT) if values[CERT] else None,
    )


def read(values: Mapping[str, str], name: str) -> bytes:
    try:
        return Path(values[name]).read_bytes()
    except OSError as error:
        raise SettingError(f"{name}: cannot read {values[name]!r} ({error.strerror})") from None
