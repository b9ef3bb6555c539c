"""One replica at a time per background job, through PostgreSQL's advisory locks.

A round of a job (a payment read, a reference sync, a sweep of abandoned sagas) runs only in
the replica that holds the job's session lock; the others skip that round. A replica killed
mid-round loses its connection and PostgreSQL frees the lock. SQLite is one process: every
round is its own.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from sqlalchemy import Engine, func, select


class JobLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextlib.contextmanager
    def round_of(self, job: str) -> Iterator[bool]:
        """Whether this replica runs this round of `job`, held until the round ends."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        key = lock_key(job)
        with self.engine.connect() as connection:
            held = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar_one())
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(select(func.pg_advisory_unlock(key)))
                    connection.commit()


def lock_key(job: str) -> int:
    """A stable signed 64-bit key per job name, the same in every replica."""
    digest = hashlib.blake2b(f"o2c.job.{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
