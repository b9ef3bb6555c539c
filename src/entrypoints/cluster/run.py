"""The whole run: NATS cluster, database, three replicas, the month-end, the report."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from adapters.messaging.chunk_queue import ChunkQueue
from adapters.persistence.engine import create_engine_for
from adapters.security.dev_keys import DevelopmentKeys
from entrypoints import settings
from entrypoints.cluster.database import fresh_schema
from entrypoints.cluster.nats_cluster import NatsCluster
from entrypoints.cluster.replicas import Replica, replica_settings
from entrypoints.cluster.report import Report, invoices_in, report, wait_until_settled
from entrypoints.cluster.scenario import month_end
from entrypoints.demo import development_caller

REPLICAS = 3


def run_cluster(
    directory: Path,
    postgres_url: str,
    engagements: int,
    entries_each: int,
    chunk_size: int = 1,
    settle_seconds: float = 60.0,
) -> Report:
    shutil.rmtree(directory / "nats", ignore_errors=True)  # no stream left by an earlier run
    directory.mkdir(parents=True, exist_ok=True)
    with NatsCluster(directory / "nats") as nats, fresh_schema(postgres_url) as database_url:
        shared = replica_settings(database_url, nats.url, directory / "keys")
        DevelopmentKeys(directory / "keys").ensure()  # once, before replicas race to make it
        engine = create_engine_for(database_url)
        chunks = ChunkQueue(nats.url, replicas=REPLICAS)
        try:
            with running(REPLICAS, shared, directory) as started:
                result = month_end(
                    started,
                    development_caller(settings.read(shared)),
                    uuid.uuid4().hex[:6].upper(),
                    (engagements, entries_each, chunk_size),
                    chunks,
                    lambda: invoices_in(engine),
                )
                wait_until_settled(engine, result.engagement_ids, settle_seconds)
                return report(engine, nats.url, "O2C", result, asyncio.run(redelivered(chunks)))
        finally:
            engine.dispose()


async def redelivered(chunks: ChunkQueue) -> int:
    try:
        return await chunks.redelivered()
    finally:
        await chunks.close()


@contextlib.contextmanager
def running(count: int, shared: dict[str, str], directory: Path) -> Iterator[list[Replica]]:
    replicas = [Replica(f"o2c{number}", shared, directory) for number in range(1, count + 1)]
    try:
        for replica in replicas:
            replica.start()
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(lambda replica: replica.wait_until_serving(), replicas))
        yield replicas
    finally:
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(lambda replica: replica.stop(), replicas))
