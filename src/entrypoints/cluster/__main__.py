"""`make cluster`: CLUSTER_ENGAGEMENTS engagements with CLUSTER_ENTRIES approved time entries
each, across three replicas on one PostgreSQL (O2C_CLUSTER_POSTGRES_URL) and three NATS nodes."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from entrypoints.cluster.run import run_cluster


def main() -> int:
    engagements = int(os.environ.get("CLUSTER_ENGAGEMENTS", "100"))
    entries = int(os.environ.get("CLUSTER_ENTRIES", "20"))
    chunk_size = int(os.environ.get("CLUSTER_CHUNK", "5"))
    postgres = os.environ.get(
        "O2C_CLUSTER_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    print(f"three replicas, three NATS nodes: {engagements} engagements x {entries} time entries")
    started = time.monotonic()
    outcome = run_cluster(
        Path("var/cluster"), postgres, engagements, entries, chunk_size, settle_seconds=300
    )
    for line in outcome.lines():
        print(f"  {line}")
    print(f"  in {time.monotonic() - started:.1f}s")
    return 0 if outcome.holds else 1


if __name__ == "__main__":
    sys.exit(main())
