"""Servers started as processes of their own, so that the client harness never shares their
interpreter: each prints `... serving gRPC on port N` once it is ready."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

READY = re.compile(r"serving gRPC on port (\d+)")


class ServerFailed(RuntimeError):
    pass


@contextlib.contextmanager
def server_process(
    command: Sequence[str], env: Mapping[str, str], log: Path, wait_seconds: float = 120
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """The server running, with its port; its output goes to `log`. Stopped with SIGTERM."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            yield process, _port_of(process, log, wait_seconds)
        finally:
            _stop(process)


def python_module(module: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", module, *arguments]


def o2c_command(*arguments: str) -> list[str]:
    return [str(Path(sys.executable).with_name("o2c")), *arguments]


def _port_of(process: subprocess.Popen[bytes], log: Path, wait_seconds: float) -> int:
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        found = READY.search(log.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            raise ServerFailed(f"{process.args!r} exited: {_tail(log)}")
        time.sleep(0.05)
    raise ServerFailed(f"{process.args!r} not ready in {wait_seconds}s: {_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


__all__ = ["ServerFailed", "o2c_command", "python_module", "server_process"]
