"""NetSuite's OAuth 2.0 client credentials flow with a signed JWT client assertion: the client
signs with its private key, the account checks it with the certificate registered for it
(by certificate id, the JWT's `kid`) and answers a bearer token good for an hour.

The token endpoint's own error body is not in vendors.md; it answers RFC 6749's
`{"error", "error_description"}` here."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt

from simulators.netsuite_books import Refusal

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["PS256", "RS256"]
TOKEN_SECONDS = 3600
LONGEST_ASSERTION = 3600


class TokenRefused(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.body = {"error": error, "error_description": description}


@dataclass
class Integration:
    """The integration record and certificate mapping set up in the account."""

    client_id: str
    certificate_id: str
    public_key_pem: bytes


@dataclass
class TokenDesk:
    integration: Integration
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry, monotonic
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, form_body: bytes, token_url: str) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise TokenRefused("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenRefused("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        self.check_assertion(form.get("client_assertion", ""), token_url)
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + TOKEN_SECONDS
            self.issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}

    def check_assertion(self, assertion: str, token_url: str) -> None:
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                self.integration.public_key_pem,
                algorithms=ALGORITHMS,
                audience=token_url,
                issuer=self.integration.client_id,
                options={"require": ["exp", "iat", "iss", "aud", "scope"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused("invalid_client", f"client_assertion refused: {error}") from None
        if header.get("kid") != self.integration.certificate_id:
            raise TokenRefused("invalid_client", "kid is not a certificate of this integration")
        if claims["exp"] - claims["iat"] > LONGEST_ASSERTION:
            raise TokenRefused("invalid_client", "the assertion may last at most one hour")
        if "rest_webservices" not in scopes_of(claims["scope"]):
            raise TokenRefused("invalid_scope", "scope must include rest_webservices")

    def check_bearer(self, authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ")
        with self.lock:
            expiry = self.tokens.get(token)
        if not authorization or expiry is None or expiry < time.monotonic():
            raise Refusal(401, "INVALID_LOGIN", "Invalid login attempt.")

    def expire_all(self) -> None:
        with self.lock:
            self.tokens.clear()


def scopes_of(scope: Any) -> set[str]:
    if isinstance(scope, list):
        return {str(s) for s in scope}
    return set(str(scope).replace(",", " ").split())
