"""The client harness every figure is driven by: threads calling as fast as they are answered
(closed loop), or at a fixed rate (paced), each call timed."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

Call = Callable[[int], object]


@dataclass(frozen=True)
class Load:
    threads: int
    calls: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    first_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(latencies: list[float], fraction: float) -> float:
    if len(latencies) < 2:
        return latencies[0] * 1000 if latencies else 0.0
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1] * 1000


def closed_loop(call: Call, threads: int, seconds: float, numbers: itertools.count[int]) -> Load:
    """`threads` callers, each calling again as soon as it is answered, for `seconds`."""
    return _run(call, threads, seconds, numbers, interval=0.0)


def paced(
    call: Call, rps: float, threads: int, seconds: float, numbers: itertools.count[int]
) -> Load:
    """`rps` calls a second spread over `threads` callers, whatever the answers' speed."""
    return _run(call, threads, seconds, numbers, interval=threads / rps)


def _run(
    call: Call, threads: int, seconds: float, numbers: itertools.count[int], interval: float
) -> Load:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    first_error: list[str] = []
    start = time.perf_counter() + 0.05
    deadline = start + seconds

    def caller(index: int) -> None:
        next_at = start + index * interval / threads
        while True:
            now = time.perf_counter()
            if interval:
                if next_at > now:
                    time.sleep(next_at - now)
                next_at += interval
            elif now < start:
                time.sleep(start - now)
            began = time.perf_counter()
            if began >= deadline:
                return
            try:
                call(next(numbers))
            except Exception as error:
                errors[index] += 1
                first_error[:1] = first_error[:1] or [repr(error)[:500]]
            latencies[index].append(time.perf_counter() - began)

    workers = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = max(time.perf_counter(), deadline) - start
    every = sorted(itertools.chain.from_iterable(latencies))
    good = len(every) - sum(errors)
    return Load(
        threads=threads,
        calls=len(every),
        errors=sum(errors),
        seconds=round(elapsed, 3),
        rps=good / elapsed,
        p50_ms=percentile(every, 0.50),
        p99_ms=percentile(every, 0.99),
        first_error=first_error[0] if first_error else "",
    )
