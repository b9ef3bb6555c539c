"""Bearer tokens for NetSuite: a client assertion (a JWT signed with the integration's private
key, `kid` the certificate id) exchanged for an access token, kept until shortly before it
expires and fetched again when NetSuite answers 401."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
from attrs import define, field

from adapters.vendors.netsuite.settings import NetSuiteSettings

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPES = ["restlets", "rest_webservices"]


def client_assertion(settings: NetSuiteSettings, now: float) -> str:
    claims = {
        "iss": settings.client_id,
        "scope": SCOPES,
        "aud": settings.url + TOKEN_PATH,
        "iat": int(now),
        "exp": int(now) + settings.assertion_seconds,
    }
    headers = {"kid": settings.certificate_id, "typ": "JWT"}
    return jwt.encode(claims, settings.private_key_pem, settings.algorithm, headers=headers)


def token_form(settings: NetSuiteSettings, now: float) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(settings, now),
    }


@define
class CachedToken:
    """One access token shared by every call, renewed by whichever call finds it stale."""

    fetch: Callable[[dict[str, str]], dict[str, Any]]  # posts the form, returns NetSuite's answer
    settings: NetSuiteSettings
    ticks: Callable[[], float] = time.monotonic  # when the token expires; the JWT uses time.time
    _token: str = ""
    _expires_at: float = 0.0
    _lock: threading.Lock = field(factory=threading.Lock)

    def current(self) -> str:
        with self._lock:
            if not self._token or self.ticks() >= self._expires_at:
                self._renew()
            return self._token

    def refused(self, token: str) -> None:
        """NetSuite answered 401 to `token`: the next call fetches another."""
        with self._lock:
            if self._token == token:
                self._token = ""

    def _renew(self) -> None:
        asked_at = self.ticks()
        answer = self.fetch(token_form(self.settings, time.time()))
        self._token = str(answer["access_token"])
        lifetime = float(answer.get("expires_in", 3600))
        self._expires_at = asked_at + lifetime - self.settings.token_margin_seconds
