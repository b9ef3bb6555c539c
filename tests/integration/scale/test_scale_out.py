"""The scale-out test: three o2c replicas on one PostgreSQL and a three-node NATS JetStream
cluster; one replica is killed with SIGKILL as soon as the first chunk of the billing cycle,
handed out through the work-queue stream, is billed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from support.databases import POSTGRES_URL

from entrypoints.cluster.run import run_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def test_a_replica_killed_mid_cycle_loses_and_duplicates_no_invoice_and_no_event(
    tmp_path: Path,
) -> None:
    outcome = run_cluster(tmp_path, POSTGRES_URL, engagements=6, entries_each=6)

    assert outcome.stream_replicas == 3
    assert outcome.killed_exit_code == -signal.SIGKILL
    assert outcome.invoices == outcome.engagements == 6
    assert outcome.engagements_without_invoice == outcome.engagements_invoiced_twice == []
    assert outcome.events_staged == outcome.approvals_sent == 36
    assert outcome.invoices_posted == 6
    assert outcome.outbox_pending == 0
    assert outcome.stream_messages == outcome.outbox_rows > 0
    assert outcome.events_missing == outcome.events_published_twice == 0
    assert outcome.events_not_in_outbox == 0
