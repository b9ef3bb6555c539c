"""How much each part of the bench does: `BENCH_SCALE=smoke` (seconds, for `make test`),
`small` (the default) or `full`; BENCH_CYCLE_SIZES="a,b,c" overrides the cycle's sizes."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    seconds_per_load: float
    copy_rows: int
    commit_seconds: float
    published: int
    bulk_events: int
    batch: int
    saga_seconds: float
    cycle_sizes: tuple[int, ...]
    postings: int
    events_per_engagement: int = 100


SMOKE = Scale(
    name="smoke",
    seconds_per_load=0.25,
    copy_rows=20_000,
    commit_seconds=0.5,
    published=5_000,
    bulk_events=200,
    batch=50,
    saga_seconds=1.0,
    cycle_sizes=(60, 120, 240),
    postings=6,
    events_per_engagement=30,
)
SMALL = Scale(
    name="small",
    seconds_per_load=5.0,
    copy_rows=1_000_000,
    commit_seconds=3.0,
    published=200_000,
    bulk_events=10_000,
    batch=1000,
    saga_seconds=10.0,
    cycle_sizes=(10_000, 30_000, 100_000),
    postings=200,
)
FULL = replace(
    SMALL,
    name="full",
    seconds_per_load=10.0,
    copy_rows=3_000_000,
    published=500_000,
    bulk_events=100_000,
    saga_seconds=20.0,
    cycle_sizes=(100_000, 300_000, 1_000_000),
    postings=1000,
)
SCALES = {scale.name: scale for scale in (SMOKE, SMALL, FULL)}


def chosen() -> Scale:
    scale = SCALES[os.environ.get("BENCH_SCALE", "small").strip() or "small"]
    sizes = os.environ.get("BENCH_CYCLE_SIZES", "").strip()
    if sizes:
        scale = replace(scale, cycle_sizes=tuple(int(size) for size in sizes.split(",")))
    return scale
