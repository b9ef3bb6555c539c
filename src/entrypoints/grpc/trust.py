"""The keys o2c trusts: the operator's JWKS, and development keys when the embedded default
runs without one (a warning says so, naming the directory, never a key)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
import structlog

from adapters.security.dev_keys import DevelopmentKeys
from adapters.security.jwt_tokens import TokenVerifier, TrustedKeys
from entrypoints.settings import SettingError

log = structlog.get_logger("o2c.auth")


def token_verifier(auth: Mapping[str, Any]) -> TokenVerifier:
    keys = TrustedKeys({})
    if auth["jwks_file"]:
        keys = keys + operator_keys(Path(auth["jwks_file"]))
    if auth["dev_keys"]:
        keys = keys + DevelopmentKeys(Path(auth["dev_keys_dir"])).ensure()
        log.warning(
            "development keys in use: not for production (set O2C_AUTH_JWKS_FILE)",
            directory=auth["dev_keys_dir"],
        )
    return TokenVerifier(
        keys,
        issuer=auth["issuer"],
        audience=auth["audience"],
        max_lifetime_seconds=auth["max_token_seconds"],
    )


def operator_keys(path: Path) -> TrustedKeys:
    try:
        keys = TrustedKeys.from_file(path)
    except (OSError, ValueError, jwt.PyJWTError) as error:
        raise SettingError(f"O2C_AUTH_JWKS_FILE: cannot read keys from {path}: {error}") from None
    if not keys.by_id:
        raise SettingError(f"O2C_AUTH_JWKS_FILE: {path} holds no key with a `kid`")
    return keys
