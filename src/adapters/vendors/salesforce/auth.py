"""Access for o2c's integration user by the OAuth 2.0 JWT bearer flow: a JWT signed (RS256)
with the connected app's private key, issuer the consumer key, subject the user, audience the
login host, posted to /services/oauth2/token for an access token and the org's instance URL.
The flow gives no expiry, so a session is kept for `session_seconds` or until a 401."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
from attrs import define, field, frozen

from adapters.vendors.salesforce.errors import SYSTEM
from adapters.vendors.salesforce.settings import SalesforceSettings
from application.errors import VendorRejected

TOKEN_PATH = "/services/oauth2/token"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@frozen
class Session:
    access_token: str
    instance_url: str


def assertion(settings: SalesforceSettings, now: float) -> str:
    claims = {
        "iss": settings.client_id,
        "sub": settings.username,
        "aud": settings.audience,
        "exp": int(now) + settings.assertion_seconds,
    }
    try:
        return jwt.encode(claims, settings.private_key_pem, "RS256")
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise VendorRejected(SYSTEM, f"cannot sign the JWT with the private key: {error}") from None


def token_form(settings: SalesforceSettings, now: float) -> dict[str, str]:
    return {"grant_type": GRANT_TYPE, "assertion": assertion(settings, now)}


@define
class CachedSession:
    """One session shared by every call, renewed by whichever call finds it stale."""

    fetch: Callable[[dict[str, str]], dict[str, Any]]  # posts the form, returns the answer
    settings: SalesforceSettings
    ticks: Callable[[], float] = time.monotonic
    _session: Session | None = None
    _expires_at: float = 0.0
    _lock: threading.Lock = field(factory=threading.Lock)

    def current(self) -> Session:
        with self._lock:
            if self._session is None or self.ticks() >= self._expires_at:
                asked_at = self.ticks()
                answer = self.fetch(token_form(self.settings, time.time()))
                self._session = Session(
                    str(answer["access_token"]), str(answer["instance_url"]).rstrip("/")
                )
                self._expires_at = asked_at + self.settings.session_seconds
            return self._session

    def refused(self, session: Session) -> None:
        """Salesforce answered 401 INVALID_SESSION_ID: the next call signs in again."""
        with self._lock:
            if self._session == session:
                self._session = None
