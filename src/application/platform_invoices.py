"""Invoices an external billing platform made for the work o2c handed it, read back into o2c:
every account o2c handed work to is asked for its invoices since its first engagement began,
and each is kept once per (platform, invoice number), its amounts, balance and status updated
by every read. An account the platform cannot answer for now is tried again next time; the
others are read all the same. Runs every O2C_BILLING_PLATFORM_SECONDS and on demand."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from application.billing_platform_ports import BillingPlatform, PlatformInvoice
from application.billing_ports import BillingPorts
from application.errors import VendorError
from application.platform_invoice_ports import (
    HandedAccount,
    PlatformInvoiceFilter,
    RecordedInvoice,
)
from domain.errors import InvalidField, LegalEntityNotAllowed
from domain.principal import Principal

MAX_PAGE = 500


@frozen
class PlatformInvoiceRead:
    accounts: int  # platform accounts read
    new: int  # invoices o2c had not seen before
    changed: int  # invoices whose amount, balance, status or due date moved
    unreachable: tuple[str, ...]  # accounts that could not be read this time


def read_platform_invoices(
    ports: BillingPorts, legal_entity_code: str = "", viewer: Principal | None = None
) -> PlatformInvoiceRead:
    """Every handed-over account's invoices, or those of one legal entity's accounts."""
    if viewer is not None and not viewer.sees(legal_entity_code or "*"):
        raise LegalEntityNotAllowed(
            f"the caller may not read the platform invoices of {legal_entity_code or '*'!r}",
            field="legal_entity_code",
            keys={"legal_entity_code": legal_entity_code},
        )
    platform = ports.billing_platform
    if platform is None:
        return PlatformInvoiceRead(0, 0, 0, ())
    with ports.uow_factory() as uow:
        handed = uow.platform_invoices.accounts()
    wanted = to_read(handed, legal_entity_code)
    new = changed = 0
    unreachable: list[str] = []
    for account in wanted:
        try:
            found = platform_invoices(platform, account)
        except VendorError:
            unreachable.append(account.account_key)
            continue
        added, moved = record(ports, account, found)
        new, changed = new + added, changed + moved
    return PlatformInvoiceRead(len(wanted), new, changed, tuple(unreachable))


def to_read(handed: Sequence[HandedAccount], legal_entity_code: str) -> list[HandedAccount]:
    """One per (platform, account), from the earliest day any of its engagements began."""
    earliest: dict[tuple[str, str], HandedAccount] = {}
    for account in handed:
        if legal_entity_code and account.legal_entity_code != legal_entity_code:
            continue
        key = (account.platform, account.account_key)
        if key not in earliest or account.since < earliest[key].since:
            earliest[key] = account
    return [earliest[key] for key in sorted(earliest)]


def platform_invoices(platform: BillingPlatform, account: HandedAccount) -> list[PlatformInvoice]:
    return platform.invoices(account.account_key, account.since)


def record(
    ports: BillingPorts, account: HandedAccount, found: Sequence[PlatformInvoice]
) -> tuple[int, int]:
    new = changed = 0
    with ports.uow_factory() as uow:
        for invoice in found:
            recorded = recorded_invoice(account, invoice, ports)
            known = uow.platform_invoices.get(account.platform, invoice.number)
            if known is not None and same(known, recorded):
                continue
            new, changed = (new + 1, changed) if known is None else (new, changed + 1)
            uow.platform_invoices.record(recorded)
        uow.commit()
    return new, changed


def recorded_invoice(
    account: HandedAccount, invoice: PlatformInvoice, ports: BillingPorts
) -> RecordedInvoice:
    return RecordedInvoice(
        platform=account.platform,
        number=invoice.number,
        account_key=account.account_key,
        legal_entity_code=account.legal_entity_code,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        amount=invoice.amount,
        balance=invoice.balance,
        status=invoice.status,
        read_at=ports.clock.now(),
    )


def same(known: RecordedInvoice, read: RecordedInvoice) -> bool:
    return (known.amount, known.balance, known.status, known.due_date, known.invoice_date) == (
        read.amount,
        read.balance,
        read.status,
        read.due_date,
        read.invoice_date,
    )


def list_platform_invoices(
    ports: BillingPorts,
    viewer: Principal,
    *,
    legal_entity_code: str = "",
    engagement_id: str = "",
    after: str = "",
    limit: int = 50,
) -> list[RecordedInvoice]:
    """A page of the invoices read back, by platform and number; an engagement's are those of
    the platform account it is billed under."""
    if limit < 1:
        raise InvalidField("page_size is at least 1", field="page_size")
    visible = None if viewer.sees_every_legal_entity() else frozenset(viewer.legal_entities)
    with ports.uow_factory() as uow:
        keys = None
        if engagement_id:
            account = uow.platform_invoices.account_of(engagement_id)
            keys = () if account is None else (account.account_key,)
        where = PlatformInvoiceFilter(
            legal_entity_code=legal_entity_code, account_keys=keys, visible=visible
        )
        return uow.platform_invoices.page(where, after, min(limit, MAX_PAGE + 1))
