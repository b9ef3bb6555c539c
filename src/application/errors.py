"""Errors that ports raise, in the application's words rather than a vendor's."""

from __future__ import annotations


class VendorError(Exception):
    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.message = message


class VendorUnavailable(VendorError):
    """A transient failure (timeout, 429, 5xx): worth retrying."""

    def __init__(self, system: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(system, message)
        self.retry_after = retry_after


class VendorRejected(VendorError):
    """The vendor refused the request as it stands: retrying will not help."""
