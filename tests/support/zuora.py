"""A Zuora tenant on loopback and o2c's adapter signed in to it, for the billing platform
contract and the wire-format tests; invoices are made in it the way a bill run makes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from attrs import define

from adapters.vendors.zuora.platform import ZuoraBillingPlatform
from adapters.vendors.zuora.settings import ZuoraSettings
from simulators.zuora import ZuoraSimulator
from simulators.zuora_records import Tenant

CLIENT_ID = "o2c-billing"
CLIENT_SECRET = "zuora-client-secret"


@define
class ZuoraWorld:
    tenant: ZuoraSimulator
    platform: ZuoraBillingPlatform

    def issue_invoice(
        self, account_key: str, invoice_date: dt.date, amount: Decimal, **details: Any
    ) -> str:
        """A bill run's invoice on the account o2c keeps by `account_key`."""
        return self.tenant.issue_invoice(account_key, invoice_date, amount, **details)

    def close(self) -> None:
        self.platform.close()
        self.tenant.stop()


def settings_for(tenant: ZuoraSimulator, **changes: Any) -> ZuoraSettings:
    settings = ZuoraSettings(
        url=tenant.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        import_poll_seconds=0.01,
        read_timeout=10.0,
    )
    return attrs.evolve(settings, **changes)


def a_zuora_world(
    *,
    tenant: Tenant | None = None,
    rate_limit: int | None = None,
    rate_window_seconds: float = 60.0,
    errors_as_http_200: bool = True,
    token_seconds: int = 3600,
    **settings: Any,
) -> ZuoraWorld:
    simulator = ZuoraSimulator(
        CLIENT_ID,
        CLIENT_SECRET,
        tenant=tenant,
        rate_limit=rate_limit,
        rate_window_seconds=rate_window_seconds,
        errors_as_http_200=errors_as_http_200,
        token_seconds=token_seconds,
    ).start()
    return ZuoraWorld(simulator, ZuoraBillingPlatform(settings_for(simulator, **settings)))
