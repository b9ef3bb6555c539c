"""Tokens that must be refused, each broken in one way, built from a valid caller's claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from support.auth import caller, claims_for, new_signer, signed_token, trusted_signer

Forgery = Callable[[dict[str, Any]], str]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    """`alg: none`, naming the trusted key."""
    header = {"alg": "none", "typ": "JWT", "kid": trusted_signer().key_id}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."


def hmac_with_the_public_key(claims: dict[str, Any]) -> str:
    """HS256 with the trusted public key as the shared secret: the classic key confusion."""
    public_pem = (
        trusted_signer()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": trusted_signer().key_id}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def signed_by_an_impostor_under_the_trusted_kid(claims: dict[str, Any]) -> str:
    impostor = new_signer()
    return jwt.encode(
        claims, impostor.private_key, algorithm="ES256", headers={"kid": trusted_signer().key_id}
    )


def signed_by_an_unknown_key(claims: dict[str, Any]) -> str:
    return signed_token(claims, new_signer())


def without_kid(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, trusted_signer().private_key, algorithm="ES256")


def changed(**changes: Any) -> Forgery:
    def forge(claims: dict[str, Any]) -> str:
        return signed_token({**claims, **changes})

    return forge


def without(claim: str) -> Forgery:
    def forge(claims: dict[str, Any]) -> str:
        return signed_token({name: value for name, value in claims.items() if name != claim})

    return forge


def expired(claims: dict[str, Any]) -> str:
    return signed_token({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600})


def not_yet_valid(claims: dict[str, Any]) -> str:
    return signed_token({**claims, "nbf": claims["iat"] + 3600})


FORGERIES: dict[str, tuple[Forgery, str]] = {
    "alg none": (unsigned, "TOKEN_INVALID"),
    "HS256 keyed with the public key": (hmac_with_the_public_key, "TOKEN_INVALID"),
    "bad signature": (signed_by_an_impostor_under_the_trusted_kid, "TOKEN_INVALID"),
    "unknown key": (signed_by_an_unknown_key, "KEY_UNKNOWN"),
    "no key id": (without_kid, "KEY_UNKNOWN"),
    "expired": (expired, "TOKEN_EXPIRED"),
    "not yet valid": (not_yet_valid, "TOKEN_INVALID"),
    "wrong audience": (changed(aud="another-service"), "TOKEN_INVALID"),
    "wrong issuer": (changed(iss="https://idp.example.com"), "TOKEN_INVALID"),
    "no expiry": (without("exp"), "TOKEN_INVALID"),
    "no subject": (without("sub"), "TOKEN_INVALID"),
    "no calling system": (without("o2c_system"), "TOKEN_INVALID"),
    "no legal entities": (without("o2c_legal_entities"), "TOKEN_INVALID"),
    "an unknown calling system": (changed(o2c_system="gateway"), "TOKEN_INVALID"),
    "no legal entity listed": (changed(o2c_legal_entities=[]), "TOKEN_INVALID"),
}


def forged(name: str, system: str = "psa") -> str:
    forge, _reason = FORGERIES[name]
    return forge(claims_for(caller(system)))
