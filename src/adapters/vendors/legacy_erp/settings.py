from __future__ import annotations

from attrs import frozen


@frozen
class LegacyErpSettings:
    """Where the legacy database is and how o2c may use it. `import_wait` bounds how long one
    posting waits for the import job; past it the posting is reported unavailable and its retry
    finds the import's outcome under the same interface key."""

    url: str
    max_sessions: int = 4
    import_wait: float = 10.0
    poll_every: float = 0.05
    session_wait: float = 5.0  # for a free session, before the call counts as unavailable
    connect_timeout: int = 5
    context: str = "O2C"
    batch_source: str = "O2C"
    opening_batch_source: str = "O2C OPENING BALANCES"
    # Intercompany: receivables in a batch source the ERP numbers itself (o2c's intercompany
    # numbers outgrow TRX_NUMBER), payables through the Payables open interface under o2c's
    # source, to the delivering entity's supplier site.
    intercompany_batch_source: str = "O2C INTERCOMPANY"
    payables_source: str = "O2C"
    supplier_site: str = "INTERCOMPANY"
    customers_per_page: int = 500  # customer accounts read per statement, by account id

    def __repr__(self) -> str:
        return f"LegacyErpSettings(max_sessions={self.max_sessions})"
