"""What the figures were measured on: CPU, cores, memory, Python, PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import os
import platform
from pathlib import Path
from typing import Any

import nats

from bench.scratch import NATS_URL, server_versions


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(_memory_kb() / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        **server_versions(),
        "nats": asyncio.run(_nats_version()),
    }


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_kb() -> int:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def _read(path: str) -> str:
    file = Path(path)
    return file.read_text() if file.exists() else ""


async def _nats_version() -> str:
    client = await nats.connect(NATS_URL)
    try:
        version = client.connected_server_version
        return f"{version.major}.{version.minor}.{version.patch}"
    finally:
        await client.close()
