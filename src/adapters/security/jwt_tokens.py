"""Bearer tokens (JWT) verified against trusted public keys, and turned into a Principal.

Only asymmetric signatures are accepted, each key with the one algorithm of its type: a token
whose header names another (`none`, an HS* with the public key as its secret) is refused
before its signature is looked at. Refusals never quote the token."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from attrs import frozen

from domain.errors import KeyUnknown, TokenExpired, TokenInvalid
from domain.principal import MAX_SUBJECT_LENGTH, CallingSystem, Principal

ALLOWED_ALGORITHMS = frozenset({"ES256", "RS256", "EdDSA"})
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "o2c_system", "o2c_legal_entities")
SYSTEM_CLAIM = "o2c_system"
LEGAL_ENTITIES_CLAIM = "o2c_legal_entities"
LEEWAY_SECONDS = 30
TIME_CLAIMS = ("exp", "nbf", "iat")
MAX_LIFETIME_SECONDS = 86_400


@frozen
class TrustedKeys:
    """Public keys by key id (`kid`)."""

    by_id: Mapping[str, jwt.PyJWK]

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> TrustedKeys:
        keys = (jwt.PyJWK.from_dict(entry) for entry in jwks.get("keys", ()))
        return cls({key.key_id: key for key in keys if key.key_id})

    @classmethod
    def from_file(cls, path: Path) -> TrustedKeys:
        return cls.from_jwks(json.loads(path.read_text()))

    def __add__(self, other: TrustedKeys) -> TrustedKeys:
        return TrustedKeys({**self.by_id, **other.by_id})

    def key_for(self, header: Mapping[str, Any]) -> jwt.PyJWK:
        key = self.by_id.get(str(header.get("kid", "")))
        if key is None:
            raise KeyUnknown("the token is signed by a key o2c does not trust")
        if header.get("alg") != key.algorithm_name or key.algorithm_name not in ALLOWED_ALGORITHMS:
            raise TokenInvalid("the token's algorithm is not the one of its key")
        return key


@frozen
class TokenVerifier:
    keys: TrustedKeys
    issuer: str
    audience: str
    max_lifetime_seconds: int = MAX_LIFETIME_SECONDS

    def principal_of(self, token: str) -> Principal:
        claims = self.verified_claims(token)
        check_times(claims, self.max_lifetime_seconds)
        return principal_from(claims)

    def verified_claims(self, token: str) -> Mapping[str, Any]:
        try:
            key = self.keys.key_for(jwt.get_unverified_header(token))
            return jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired("the token has expired") from None
        except jwt.PyJWTError as error:
            raise TokenInvalid(f"the token is not valid: {why(error)}") from None


def why(error: jwt.PyJWTError) -> str:
    """PyJWT's own words, which name a claim or a check but never the token's content."""
    reasons = {
        jwt.InvalidAudienceError: "wrong audience",
        jwt.InvalidIssuerError: "wrong issuer",
        jwt.ImmatureSignatureError: "not valid yet",
        jwt.InvalidSignatureError: "bad signature",
        jwt.MissingRequiredClaimError: f"claim {getattr(error, 'claim', '')!r} is missing",
        jwt.InvalidAlgorithmError: "algorithm not allowed",
    }
    for error_type, reason in reasons.items():
        if isinstance(error, error_type):
            return reason
    return "malformed"


def check_times(claims: Mapping[str, Any], max_lifetime_seconds: int) -> None:
    """Times are whole seconds since the epoch (PyJWT would also read "123" or 1.5), and a
    token may not be valid for longer than o2c allows: a stolen one expires soon."""
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if value is not None and (type(value) is not int):
            raise TokenInvalid(f"the token's claim {name!r} must be whole seconds")
    if claims["exp"] - int(time.time()) > max_lifetime_seconds + LEEWAY_SECONDS:
        raise TokenInvalid(f"the token is valid for longer than {max_lifetime_seconds} s")


def principal_from(claims: Mapping[str, Any]) -> Principal:
    return Principal(
        subject=subject_claim(claims),
        system=calling_system(claims),
        legal_entities=legal_entities(claims),
        scopes=frozenset(text_claim(claims, "scope", required=False).split()),
    )


def subject_claim(claims: Mapping[str, Any]) -> str:
    """The caller's id, kept beside its idempotency keys and in the audit: printable, bounded."""
    subject = text_claim(claims, "sub")
    if len(subject) > MAX_SUBJECT_LENGTH or not subject.isprintable():
        raise TokenInvalid(
            f"the token's claim 'sub' must be printable and at most {MAX_SUBJECT_LENGTH} characters"
        )
    return subject


def text_claim(claims: Mapping[str, Any], name: str, required: bool = True) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise TokenInvalid(f"the token's claim {name!r} must be a non-empty string")
    return value.strip()


def calling_system(claims: Mapping[str, Any]) -> CallingSystem:
    try:
        return CallingSystem(claims[SYSTEM_CLAIM])
    except (ValueError, TypeError):
        names = ", ".join(system.value for system in CallingSystem)
        raise TokenInvalid(f"the token's claim {SYSTEM_CLAIM!r} must be one of {names}") from None


def legal_entities(claims: Mapping[str, Any]) -> frozenset[str]:
    codes = claims[LEGAL_ENTITIES_CLAIM]
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise TokenInvalid(f"the token's claim {LEGAL_ENTITIES_CLAIM!r} must list codes")
    found = frozenset(code.strip() for code in codes if code.strip())
    if not found:
        raise TokenInvalid(f"the token's claim {LEGAL_ENTITIES_CLAIM!r} names no legal entity")
    return found


def token_claims(
    *,
    issuer: str,
    audience: str,
    principal: Principal,
    issued_at: int,
    ttl_seconds: int,
) -> dict[str, object]:
    """The claims of a token that proves `principal`: what `principal_of` reads back."""
    return {
        "iss": issuer,
        "aud": audience,
        "sub": principal.subject,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl_seconds,
        SYSTEM_CLAIM: principal.system.value,
        LEGAL_ENTITIES_CLAIM: sorted(principal.legal_entities),
        "scope": " ".join(sorted(principal.scopes)),
    }
