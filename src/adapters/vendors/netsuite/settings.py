"""How o2c reaches one NetSuite account. What vendors.md does not confirm is a setting here
rather than a fixed value: currency internal ids, the assertion's algorithm and lifetime. What
the account's admin chose is one too: the custom body field marking intercompany transactions."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen
from attrs.validators import matches_re

# USD, GBP, CAD, EUR are internal ids 1-4 in a new account [3p]; each account maps its own.
NEW_ACCOUNT_CURRENCIES = {"USD": "1", "GBP": "2", "CAD": "3", "EUR": "4"}


@frozen
class NetSuiteSettings:
    url: str  # https://<account>.suitetalk.api.netsuite.com
    client_id: str
    certificate_id: str
    private_key_pem: bytes = field(repr=False)
    concurrency_limit: int = 15  # shared tier with one SuiteCloud Plus licence
    algorithm: str = "PS256"  # or RS256
    assertion_seconds: int = 300  # NetSuite accepts at most an hour
    token_margin_seconds: float = 60.0  # a token is renewed this long before it expires
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    currency_ids: Mapping[str, str] = NEW_ACCOUNT_CURRENCIES
    page_size: int = 1000
    # A checkbox on invoices and bills (Customization > Transaction Body Fields), so SuiteQL
    # tells an intercompany invoice from a customer's and an intercompany bill from a supplier's.
    intercompany_field: str = field(
        default="custbody_o2c_intercompany", validator=matches_re(r"custbody[a-z0-9_]+")
    )

    def currency_id(self, code: str) -> str:
        return self.currency_ids[code]

    def currency_code(self, currency_id: str) -> str:
        return next(code for code, known in self.currency_ids.items() if known == currency_id)
