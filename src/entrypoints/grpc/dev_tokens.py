"""Development tokens, signed by the development key of `make run`: for `o2c token`, the demo
and grpcurl. A token carries every scope the policies grant to its calling system."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from adapters.security.dev_keys import DevelopmentKeys
from adapters.security.jwt_tokens import token_claims
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal
from entrypoints.grpc.policies import scopes_granted_to
from entrypoints.settings import SettingError, development_keys_wanted

DEFAULT_TTL_SECONDS = 3600


def development_principal(
    system: str, legal_entities: frozenset[str] = EVERY_LEGAL_ENTITY, subject: str = ""
) -> Principal:
    try:
        caller = CallingSystem(system)
    except ValueError:
        names = ", ".join(known.value for known in CallingSystem)
        raise SettingError(f"--system must be one of {names}, got {system!r}") from None
    return Principal(
        subject=subject or f"{caller.value}-dev",
        system=caller,
        legal_entities=legal_entities,
        scopes=scopes_granted_to(caller.value),
    )


def development_token(
    values: Mapping[str, str], principal: Principal, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> str:
    if not development_keys_wanted(values):
        raise SettingError("development keys are off: O2C_AUTH_JWKS_FILE names the trusted keys")
    keys = DevelopmentKeys(Path(values["O2C_AUTH_DEV_KEYS_DIR"]))
    keys.ensure()  # the first token may come before the first start
    signer = keys.signer()
    claims = token_claims(
        issuer=values["O2C_AUTH_ISSUER"],
        audience=values["O2C_AUTH_AUDIENCE"],
        principal=principal,
        issued_at=int(time.time()),
        ttl_seconds=ttl_seconds,
    )
    return signer.sign(claims)


def bearer_metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)
