"""Scheduled jobs on several replicas: a round of each job runs in one replica at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from adapters.persistence.job_locks import JobLocks
from entrypoints.saga_worker import SagaWorker

pytestmark = pytest.mark.postgres


def test_a_job_held_by_one_replica_is_skipped_by_another_until_the_round_ends(
    shared_postgres: Engine,
) -> None:
    first, second = JobLocks(shared_postgres), JobLocks(shared_postgres)

    with first.round_of("payment-reader") as first_runs:
        with second.round_of("payment-reader") as second_runs:
            assert (first_runs, second_runs) == (True, False)
        with second.round_of("reference-sync") as other_job_runs:
            assert other_job_runs
    with second.round_of("payment-reader") as second_runs_later:
        assert second_runs_later


def test_two_replicas_workers_never_run_one_round_at_the_same_time(
    shared_postgres: Engine,
) -> None:
    rounds: list[str] = []

    def the_other_replicas_round() -> int:
        rounds.append("other")
        return 1

    other = SagaWorker(the_other_replicas_round, 0, name="payment-reader")
    other.one_replica_at_a_time(JobLocks(shared_postgres).round_of)

    def one_round_that_meets_the_other_replica() -> int:
        rounds.append("first")
        other.sweep()  # the other replica's timer fires while this round runs
        return 1

    first = SagaWorker(one_round_that_meets_the_other_replica, 0, name="payment-reader")
    first.one_replica_at_a_time(JobLocks(shared_postgres).round_of)

    first.sweep()
    other.sweep()

    assert rounds == ["first", "other"]
