"""Salesforce's OAuth 2.0 JWT bearer flow: the connected app's client signs a JWT (RS256) whose
issuer is the app's consumer key, subject the integration user and audience the login host;
`POST /services/oauth2/token` with grant_type jwt-bearer answers an access token and the
instance URL to call. The flow issues no refresh token and no expiry: a session lasts the
org's session timeout, after which REST answers 401 INVALID_SESSION_ID."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt

from simulators.salesforce_records import Refusal

TOKEN_PATH = "/services/oauth2/token"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LONGEST_ASSERTION = 300  # exp at most this far ahead [3p: three to five minutes]
ORG_ID = "00D5g00000O2CSIM"


class TokenRefused(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.body = {"error": error, "error_description": description}


@dataclass
class ConnectedApp:
    """The connected app with its certificate, and the integration user pre-authorised on it."""

    consumer_key: str
    username: str
    public_key_pem: bytes
    audience: str = "https://login.salesforce.com"


@dataclass
class Sessions:
    app: ConnectedApp
    session_seconds: float = 7200.0
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry, monotonic
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, form_body: bytes, instance_url: str) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != GRANT_TYPE:
            raise TokenRefused("unsupported_grant_type", "grant type not supported")
        self.check_assertion(form.get("assertion", ""))
        token = f"{ORG_ID}!{secrets.token_urlsafe(32)}"
        with self.lock:
            self.tokens[token] = time.monotonic() + self.session_seconds
            self.issued += 1
        return {
            "access_token": token,
            "scope": "api",
            "instance_url": instance_url,
            "id": f"{self.app.audience}/id/{ORG_ID}/0055g00000O2CUSR",
            "token_type": "Bearer",
        }

    def check_assertion(self, assertion: str) -> None:
        try:
            claims = jwt.decode(
                assertion,
                self.app.public_key_pem,
                algorithms=["RS256"],
                audience=self.app.audience,
                options={"require": ["iss", "sub", "aud", "exp"]},
            )
        except jwt.InvalidAudienceError:
            raise TokenRefused("invalid_grant", "audience is invalid") from None
        except jwt.PyJWTError as error:
            raise TokenRefused("invalid_grant", f"invalid assertion: {error}") from None
        if claims["iss"] != self.app.consumer_key:
            raise TokenRefused("invalid_client_id", "client identifier invalid")
        if claims["sub"] != self.app.username:
            raise TokenRefused("invalid_grant", "user hasn't approved this consumer")
        if claims["exp"] - time.time() > LONGEST_ASSERTION:
            raise TokenRefused("invalid_grant", "invalid assertion: exp is too far ahead")

    def check_bearer(self, authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ")
        with self.lock:
            expiry = self.tokens.get(token)
        if not authorization or expiry is None or expiry < time.monotonic():
            raise Refusal(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def expire_all(self) -> None:
        with self.lock:
            self.tokens.clear()
