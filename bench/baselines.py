"""The baselines, measured on the same PostgreSQL and NATS as o2c in the same run: psycopg
`COPY` rows/s, one-row transactions/s, and JetStream publish msg/s with many acks in flight."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import nats
import psycopg

from bench.scratch import libpq_url

COPY_TABLE = "CREATE TABLE bench_rows (id text PRIMARY KEY, engagement text, hours numeric)"


def copy_rows_per_second(database_url: str, rows: int) -> float:
    """Rows a single `COPY` puts into an indexed table, committed, per second."""
    with psycopg.connect(libpq_url(database_url)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_rows")
        connection.execute(COPY_TABLE)
        connection.commit()
        began = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy("COPY bench_rows FROM STDIN") as copy:
            for row in _rows(rows):
                copy.write_row(row)
        connection.commit()
        elapsed = time.perf_counter() - began
        connection.execute("DROP TABLE bench_rows")
    return rows / elapsed


def commits_per_second(database_url: str, seconds: float) -> float:
    """One-row transactions a second, each committed on its own: a durable state transition."""
    with psycopg.connect(libpq_url(database_url)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_rows")
        connection.execute(COPY_TABLE)
        connection.commit()
        rows = _rows(10**9)
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            connection.execute("INSERT INTO bench_rows VALUES (%s, %s, %s)", next(rows))
            connection.commit()
            done += 1
        elapsed = time.perf_counter() - began
        connection.execute("DROP TABLE bench_rows")
    return done / elapsed


def jetstream_publish_per_second(nats_url: str, messages: int, in_flight: int = 500) -> float:
    return asyncio.run(_publish(nats_url, messages, in_flight))


async def _publish(nats_url: str, messages: int, in_flight: int) -> float:
    client = await nats.connect(nats_url)
    stream = f"BENCH_{uuid.uuid4().hex[:10].upper()}"
    subject = f"bench.{stream.lower()}"
    js = client.jetstream()
    await js.add_stream(name=stream, subjects=[subject])
    try:
        payload = b"x" * 300  # about an o2c event's size
        began = time.perf_counter()
        for first in range(0, messages, in_flight):
            count = min(in_flight, messages - first)
            acks = [await js.publish_async(subject, payload) for _ in range(count)]
            await asyncio.gather(*acks)
        elapsed = time.perf_counter() - began
    finally:
        await js.delete_stream(stream)
        await client.close()
    return messages / elapsed


def _rows(count: int) -> Iterator[tuple[str, str, str]]:
    for number in range(count):
        yield (f"TC-{number:09d}", f"ENG-{number % 1000:04d}", "7.5")
