"""`make month-end`: seed PostgreSQL (COPY) with active engagements and approved, rated,
staged time, run the finalising billing cycle a chunk at a time, print the time, events/s and
peak RSS, then check that every staged event is on exactly one invoice, that every invoice's
total is the sum of its lines, and that numbers are gapless per legal entity.

The rows are the real mapping's: one engagement, agreement and event per legal entity are
written through the ORM, read back as stored, and copied with new ids.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import resource
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.engine import make_url

from adapters.messaging.event_codec import encode
from adapters.persistence.engine import create_engine_for, session_factory
from adapters.persistence.migrate import migrate
from adapters.persistence.orm import start_mappers
from adapters.persistence.tables import billable_events, billed_work
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from adapters.reference.billing_reference import load_billing_reference
from application.billing_chunks import CHUNK_SIZE, CycleTally, run_month_end
from application.billing_ports import BillingPorts
from application.billing_terms import flat_terms
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.agreement import BillingAgreement
from domain.billing.charges import Charge, ChargeKind
from domain.billing.rating import Rated
from domain.billing.state import TermsState
from domain.billing.work import TimeWorked
from domain.engagement import BillingMethod, Engagement, EngagementStatus, WorkPackage
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.money import Money
from domain.ownership import OwnershipMatrix, System
from domain.rate_card import RateCard, RoleRate
from domain.unit_price import UnitPrice
from entrypoints.system import SystemClock, UuidIds

ENTITIES = (("US01", "USD", "US"), ("GB01", "GBP", "GB"))  # (legal entity, currency, country)
TABLES = ("engagements", "work_packages", "billing_agreements", "billable_events")
HOURS = Decimal("7.5")


def engagement_id(n: int) -> str:
    return f"e0000000-0000-4000-8000-{n:012d}"


def event_id(n: int) -> str:
    return f"b0000000-0000-4000-8000-{n:012d}"


# --- seeding --------------------------------------------------------------------------------


def seed(engine: Engine, size: int, engagements: int, today: dt.date) -> None:
    templates = [template(engine, entity, today) for entity in ENTITIES]
    with engine.begin() as connection:
        for table in reversed(TABLES):
            connection.execute(text(f"DELETE FROM {table}"))  # the templates, copied below
        write(connection, "engagements", engagement_rows(templates, engagements))
        write(connection, "work_packages", owned_rows(templates, "work_packages", engagements))
        agreements = owned_rows(templates, "billing_agreements", engagements)
        write(connection, "billing_agreements", agreements)
        write(connection, "billable_events", event_rows(templates, size, engagements))


def template(engine: Engine, entity: tuple[str, str, str], today: dt.date) -> dict[str, Any]:
    """One engagement of the entity, its agreement and a staged time entry, as stored."""
    code, currency, country = entity
    engagement = an_active_engagement(code, currency, country, today)
    event = a_staged_time_entry(engagement, today - dt.timedelta(days=5))
    with session_factory(engine)() as session:
        session.add(engagement)
        session.flush()
        session.add_all([event, agreement_of(engagement)])
        session.commit()
    with engine.connect() as connection:
        rows = {
            table: raw_rows(connection, table, engagement.id)
            for table in ("engagements", "work_packages", "billing_agreements")
        }
        [event_row] = raw_rows(connection, "billable_events", engagement.id)
    return {**rows, "billable_events": event_row, "ids": (engagement, event)}


def agreement_of(engagement: Engagement) -> BillingAgreement:
    terms = [flat_terms(engagement, package.code) for package in engagement.work_packages]
    return BillingAgreement.open(engagement.id, terms)


def an_active_engagement(code: str, currency: str, country: str, today: dt.date) -> Engagement:
    rate = Money(currency, Decimal("185.25"))
    return Engagement(
        id=str(uuid.uuid4()),
        opportunity_id="006" + uuid.uuid4().hex[:15],
        account_id="001" + uuid.uuid4().hex[:15],
        account_name="Globex Corporation",
        legal_entity_code=code,
        currency=currency,
        billing_method=BillingMethod.TIME_AND_MATERIALS,
        rate_card=RateCard(currency, (RoleRate("consultant", rate),)),
        start_date=today - dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=270),
        contract_value=Money(currency, Decimal("1000000")),
        work_packages=[WorkPackage("EMEA-1", "Rollout EMEA-1", "EMEA")],
        status=EngagementStatus.ACTIVE,
        customer_country=country,
    )


def a_staged_time_entry(engagement: Engagement, day: dt.date) -> BillableEvent:
    new_id = str(uuid.uuid4())
    rate = engagement.rate_for("consultant")
    charge = Charge(ChargeKind.TIME, new_id, rate.times(HOURS), HOURS)
    return BillableEvent.approve(
        event_id=new_id,
        source_system=System.PSA,
        source_id="a1D" + uuid.uuid4().hex[:15],
        engagement_id=engagement.id,
        work_package_code="EMEA-1",
        resource="Ada Lovelace",
        work=TimeWorked(new_id, "consultant", day, HOURS),
        rated=Rated((charge,), TermsState.start(engagement.currency)),
        currency=engagement.currency,
        unit_price=UnitPrice.of_money(rate),
        now=dt.datetime.now(dt.UTC),
    )


def raw_rows(connection: Connection, table: str, owner: str) -> list[dict[str, Any]]:
    column = "id" if table == "engagements" else "engagement_id"
    query = text(f"SELECT * FROM {table} WHERE {column} = :owner")
    return [dict(row._mapping) for row in connection.execute(query, {"owner": owner})]


def copied(row: Mapping[str, Any], swaps: Mapping[str, str]) -> dict[str, Any]:
    return {name: swapped(value, swaps) for name, value in row.items()}


def swapped(value: Any, swaps: Mapping[str, str]) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value)
    if isinstance(value, str):
        for old, new in swaps.items():
            value = value.replace(old, new)
    return value


def engagement_rows(templates: Sequence[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        model = templates[n % len(templates)]
        engagement = model["ids"][0]
        swaps = {
            engagement.id: engagement_id(n),
            engagement.opportunity_id: f"006{n:015d}",
        }
        yield copied(model["engagements"][0], swaps)


def owned_rows(
    templates: Sequence[dict[str, Any]], table: str, count: int
) -> Iterator[dict[str, Any]]:
    for n in range(count):
        model = templates[n % len(templates)]
        for row in model[table]:
            yield copied(row, {model["ids"][0].id: engagement_id(n)})


def event_rows(
    templates: Sequence[dict[str, Any]], size: int, engagements: int
) -> Iterator[dict[str, Any]]:
    for n in range(size):
        owner = n % engagements
        model = templates[owner % len(templates)]
        engagement, event = model["ids"]
        swaps = {
            engagement.id: engagement_id(owner),
            event.id: event_id(n),
            event.source_id: f"a1D{n:015d}",
        }
        yield copied(model["billable_events"], swaps)


def write(connection: Connection, table: str, rows: Iterator[dict[str, Any]]) -> None:
    """COPY on PostgreSQL; batches of plain inserts on SQLite."""
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write_row([first[c] for c in columns])
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    names = ", ".join(columns)
    values = ", ".join(f":{c}" for c in columns)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), [first, *rows])


# --- the cycle ------------------------------------------------------------------------------


def billing_ports(engine: Engine) -> BillingPorts:
    encoder = functools.partial(encode, prefix="o2c.monthend.v1")
    return BillingPorts(
        uow_factory=functools.partial(SqlAlchemyUnitOfWork, session_factory(engine), encoder),
        clock=SystemClock(),
        ids=UuidIds(),
        ownership=OwnershipMatrix.default(),
        reference=load_billing_reference(""),
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the invariants -------------------------------------------------------------------------


def broken_invariants(engine: Engine, size: int) -> list[str]:
    """What is wrong after the cycle, in words; nothing when all is well."""
    broken: list[str] = []
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                select(billable_events.c.status, func.count()).group_by(billable_events.c.status)
            ).all()
        )
        billed = connection.scalar(select(func.count()).select_from(billed_work))
        per_invoice = dict(
            connection.execute(
                select(billed_work.c.invoice_id, func.count()).group_by(billed_work.c.invoice_id)
            ).all()
        )
    if counts != {BillableEventStatus.INVOICED: size}:
        broken.append(f"events by status {counts}, not {size} invoiced")
    if billed != size:
        broken.append(f"{billed} charges recorded as billed, not {size}")
    broken.extend(invoice_faults(engine, per_invoice))
    return broken


def invoice_faults(engine: Engine, per_invoice: Mapping[str, int]) -> Iterator[str]:
    numbers: dict[str, list[int]] = {}
    seen = 0
    with session_factory(engine)() as session:
        found = session.scalars(select(Invoice).execution_options(yield_per=500))
        for invoice in found:
            seen += 1
            if invoice.status is not InvoiceStatus.FINALISED:
                yield f"invoice {invoice.id} is {invoice.status.value}"
            lines = sum((line.total.amount for line in invoice.lines), Decimal(0))
            if invoice.total.amount != lines or invoice.total_minor_units != (
                invoice.total.minor_units()
            ):
                yield f"invoice {invoice.id} totals {invoice.total}, its lines {lines}"
            charges = sum(len(line.charges) for line in invoice.lines)
            if charges != per_invoice.get(invoice.id, 0):
                yield f"invoice {invoice.id} bills {charges} charges, billed work says otherwise"
            number = invoice.number
            assert number is not None
            numbers.setdefault(number.legal_entity_code, []).append(number.sequence)
            session.expunge(invoice)
    if seen != len(per_invoice):
        yield f"{seen} invoices, billed work names {len(per_invoice)}"
    for code, taken in numbers.items():
        if sorted(taken) != list(range(1, len(taken) + 1)):
            yield f"{code}'s invoice numbers have gaps or repeats"


# --- the command ----------------------------------------------------------------------------


def month_end(url: str, size: int, engagements: int, chunk_size: int) -> int:
    """On PostgreSQL, in a schema of its own, dropped afterwards."""
    start_mappers()
    if not url.startswith("postgresql"):
        return measured(url, size, engagements, chunk_size)
    schema = f"o2c_month_end_{uuid.uuid4().hex[:8]}"
    admin = create_engine_for(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        return measured(
            in_schema.render_as_string(hide_password=False), size, engagements, chunk_size
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measured(url: str, size: int, engagements: int, chunk_size: int) -> int:
    engine = create_engine_for(url)
    migrate(engine)
    today = dt.datetime.now(dt.UTC).date()
    started = time.perf_counter()
    seed(engine, size, engagements, today)
    print(f"seeded {size:,} staged events over {engagements:,} engagements", end=" ")
    print(f"in {time.perf_counter() - started:.1f} s")
    started, cpu_started = time.perf_counter(), time.process_time()
    tally: CycleTally = run_month_end(billing_ports(engine), today, str(uuid.uuid4()), chunk_size)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"billed {size:,} events into {tally.invoices:,} invoices in {tally.chunks} chunks")
    print(f"  {took:.1f} s, {size / took:,.0f} events/s, {took / size * 1e6:.1f} µs/event")
    # On a shared machine the wall clock counts waiting for a core; this counts o2c's own work
    # (PostgreSQL's is not in it).
    print(f"  o2c's CPU {cpu:.1f} s, {cpu / size * 1e6:.1f} µs/event")
    print(f"  peak RSS {peak_rss_mb():.0f} MB")
    broken = broken_invariants(engine, size)
    for fault in broken[:20]:
        print(f"BROKEN: {fault}")
    print("invariants hold" if not broken else f"{len(broken)} invariants broken")
    engine.dispose()
    return 1 if broken else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--engagements", type=int, default=10_000)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    args = parser.parse_args()
    raise SystemExit(month_end(args.url, args.size, args.engagements, args.chunk_size))


if __name__ == "__main__":
    main()
