"""A Kantata account on loopback and o2c's adapter signed in to it, for the PSA contracts and
the wire-format tests; work is approved in it the way a project manager approves it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from attrs import define

from adapters.vendors.kantata.psa import KantataPsa
from adapters.vendors.kantata.settings import KantataSettings
from application.psa_work_ports import ApprovedWork
from simulators.kantata import KantataSimulator

TOKEN = "kantata-api-token"


@define
class KantataWorld:
    account: KantataSimulator
    psa: KantataPsa

    def approve(self, work: ApprovedWork, approved_on: dt.date) -> str:
        """The consultant enters the item, and the project manager approves its submission."""
        workspace_id = work.project_id or self.account.workspace()
        if work.kind == "time":
            entry_id = self.account.log_time(
                workspace_id,
                performed=work.day,
                minutes=int(Decimal(work.hours) * 60),
                user=work.resource,
                role=work.role,
                entry_id=work.source_id,
            )
            self.account.approve_time([entry_id], approved_on)
            return entry_id
        expense_id = self.account.spend(
            workspace_id,
            on=work.day,
            category=work.category,
            amount_in_cents=int(Decimal(work.cost_amount) * 100),
            currency=work.cost_currency,
            user=work.resource,
            expense_id=work.source_id,
        )
        self.account.approve_expenses([expense_id], approved_on)
        return expense_id

    def invoice_of(self, source_id: str) -> str | None:
        for subject_type in ("TimeEntry", "Expense"):
            written = self.account.reference_of(subject_type, source_id, "Invoice")
            if written is not None:
                return str(written["service_model_ref"])
        return None

    def close(self) -> None:
        self.psa.close()
        self.account.stop()


def settings_for(account: KantataSimulator, **changes: Any) -> KantataSettings:
    return attrs.evolve(KantataSettings(url=account.url, token=TOKEN, read_timeout=10.0), **changes)


def a_kantata_world(
    *, rate_limit: int | None = None, rate_window_seconds: float = 1.0, **settings: Any
) -> KantataWorld:
    account = KantataSimulator(
        TOKEN, rate_limit=rate_limit, rate_window_seconds=rate_window_seconds
    ).start()
    return KantataWorld(account, KantataPsa(settings_for(account, **settings)))
