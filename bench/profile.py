"""py-spy on the server while it serves (BENCH_PROFILE=1): a flame graph, and the functions the
samples were in most, on their own and with what they called."""

from __future__ import annotations

import collections
import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def sampled(pid: int, directory: Path, name: str, seconds: float) -> Iterator[None]:
    """py-spy sampling `pid` for `seconds` while the body runs; nothing without py-spy."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        yield
        return
    record = [py_spy, "record", "--nonblocking", "-p", str(pid), "-d", str(int(seconds) + 1)]
    samplers = [
        subprocess.Popen([*record, "-f", "flamegraph", "-o", str(directory / f"{name}.svg")]),
        subprocess.Popen([*record, "-f", "raw", "-o", str(directory / f"{name}.txt")]),
    ]
    try:
        yield
    finally:
        for sampler in samplers:
            sampler.wait(seconds + 60)
        summary = summarise(directory / f"{name}.txt")
        (directory / f"{name}-top.txt").write_text(summary)


OURS = ("domain/", "application/", "adapters/", "entrypoints/")


def _function(frame: str) -> str:
    """`name (path:line)` as `name (path)`: samples counted by function, not by line."""
    name, _, place = frame.partition(" (")
    return f"{name} ({place.rsplit(':', 1)[0]})" if place else name


def _ours(frame: str) -> bool:
    return any(f"({package}" in frame or f"/src/{package}" in frame for package in OURS)


def summarise(raw: Path, shown: int = 25) -> str:
    """The busiest functions of py-spy's collapsed stacks: own samples and inclusive samples."""
    if not raw.exists():
        return "no samples\n"
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    lines = [f"{total} samples", "", "own samples:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(shown)]
    lines += ["", "inclusive samples (o2c's code):"]
    ours = [(f, n) for f, n in inclusive.most_common() if _ours(f)][:shown]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in ours]
    return "\n".join(lines) + "\n"
