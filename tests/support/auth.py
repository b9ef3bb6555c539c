"""Callers of the test server: bearer tokens signed by a key the server is told to trust.

`running_service` starts every test server with `trusted_key_settings()`, so a test only asks
for `call_metadata("psa")` and passes it as the call's `metadata`. A token without explicit
scopes carries every scope that the policies grant to its system."""

from __future__ import annotations

import collections
import functools
import json
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.security.dev_keys import ALGORITHM, Signer, key_id_of
from adapters.security.jwt_tokens import TokenVerifier, TrustedKeys, token_claims
from domain.principal import Principal
from entrypoints.grpc.authentication import Authentication
from entrypoints.grpc.dev_tokens import bearer_metadata
from entrypoints.grpc.policies import policies, scopes_granted_to
from support.builders import integration

ISSUER = "o2c-tests"
AUDIENCE = "o2c"
Metadata = tuple[tuple[str, str], ...]


def new_signer() -> Signer:
    private_key = ec.generate_private_key(ec.SECP256R1())
    return Signer(key_id_of(private_key), private_key)


@functools.cache
def trusted_signer() -> Signer:
    return new_signer()


@functools.cache
def trusted_key_settings() -> Mapping[str, str]:
    """Settings that make a test server trust `trusted_signer()` and nothing else."""
    jwks_file = Path(tempfile.mkdtemp(prefix="o2c-test-keys-")) / "jwks.json"
    jwks_file.write_text(json.dumps(trusted_signer().public_jwks()))
    return {
        "O2C_AUTH_JWKS_FILE": str(jwks_file),
        "O2C_AUTH_ISSUER": ISSUER,
        "O2C_AUTH_AUDIENCE": AUDIENCE,
        "O2C_AUTH_DEV_KEYS": "false",
    }


def trusting_test_tokens(**options: Any) -> Authentication:
    """The authentication interceptor of a server built by hand, trusting `trusted_signer()`."""
    keys = TrustedKeys.from_jwks(trusted_signer().public_jwks())
    return Authentication(TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE), **options)


def caller(
    system: str,
    legal_entities: tuple[str, ...] = ("*",),
    subject: str | None = None,
    scopes: tuple[str, ...] = (),
) -> Principal:
    granted = frozenset(scopes) or scopes_granted_to(system)
    return integration(system, frozenset(legal_entities), subject, granted)


def claims_for(principal: Principal, ttl_seconds: int = 3600) -> dict[str, Any]:
    """An hour: tokens made when a module is collected must outlast a slow suite."""
    return token_claims(
        issuer=ISSUER,
        audience=AUDIENCE,
        principal=principal,
        issued_at=int(time.time()),
        ttl_seconds=ttl_seconds,
    )


def signed_token(claims: Mapping[str, Any], signer: Signer | None = None, **headers: Any) -> str:
    key = signer or trusted_signer()
    return jwt.encode(
        dict(claims), key.private_key, algorithm=ALGORITHM, headers={"kid": key.key_id, **headers}
    )


def call_metadata(
    system: str,
    legal_entities: tuple[str, ...] = ("*",),
    subject: str | None = None,
    scopes: tuple[str, ...] = (),
) -> Metadata:
    """gRPC metadata for a call as `system`, with a valid token the test server trusts."""
    return bearer_metadata(
        signed_token(claims_for(caller(system, legal_entities, subject, scopes)))
    )


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    pass


class RightfulCaller(grpc.UnaryUnaryClientInterceptor):
    """Signs each call as the first system its RPC's policy admits (crm for creates, psa for
    approvals, which the billing platform may also send), unless the call carries its own
    `authorization`."""

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = tuple(details.metadata or ())
        if not any(key == "authorization" for key, _ in metadata):
            metadata += rightful_metadata(details.method)
        return continuation(
            _CallDetails(
                details.method,
                details.timeout,
                metadata,
                details.credentials,
                details.wait_for_ready,
                details.compression,
            ),
            request,
        )


def rightful_metadata(method: str | bytes) -> Metadata:
    path = method.decode() if isinstance(method, bytes) else method
    policy = policies().get(path)
    if policy is None or not policy.systems:
        return ()
    systems = sorted(system.value for system in policy.systems)
    return call_metadata("psa" if "psa" in systems else systems[0])


def as_rightful_callers(channel: grpc.Channel) -> grpc.Channel:
    return grpc.intercept_channel(channel, RightfulCaller())
