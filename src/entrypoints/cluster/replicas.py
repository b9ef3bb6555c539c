"""o2c replicas as separate `o2c serve` processes, each on its own ports, all on one database
and one NATS cluster: what a killed replica leaves behind is really left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from entrypoints.cluster.ports import free_ports


def replica_settings(database_url: str, nats_url: str, keys_dir: Path) -> dict[str, str]:
    """What every replica shares: the database, the broker, the stream kept on three nodes,
    and the development keys the scenario signs its calls with."""
    return {
        "O2C_DATABASE_URL": database_url,
        "O2C_NATS_URL": nats_url,
        "O2C_STREAM_REPLICAS": "3",
        "O2C_ERP_SIMULATORS": "false",
        "O2C_VENDOR_EVENTS": "off",
        "O2C_DASHBOARD_ADDRESS": "",
        "O2C_AUTH_DEV_KEYS": "true",
        "O2C_AUTH_DEV_KEYS_DIR": str(keys_dir),
        "O2C_RATE_LIMIT_PER_SECOND": "10000",
        "O2C_RATE_LIMIT_BURST": "10000",
        "O2C_SAGA_LEASE_SECONDS": "10",  # long enough for a loaded machine: no ping-pong
        "O2C_SAGA_SWEEP_SECONDS": "1",
        "O2C_BILLING_CHUNK_WORKER": "on",
        "O2C_BILLING_CHUNK_ACK_SECONDS": "10",
        "O2C_SHUTDOWN_GRACE_SECONDS": "2",
        "O2C_LOG_LEVEL": "WARNING",
    }


class Replica:
    def __init__(self, name: str, shared: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        grpc_port, metrics_port = free_ports(2)
        self.address = f"127.0.0.1:{grpc_port}"
        self.environment = {
            **shared,
            "O2C_GRPC_ADDRESS": self.address,
            "O2C_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "O2C_ERP_SIMULATORS_DIR": str(log_dir / name / "erp"),
            "O2C_EMBEDDED_NATS_DIR": str(log_dir / name / "nats"),
        }
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Replica:
        o2c = Path(sys.executable).parent / "o2c"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(o2c), "serve"],
                env={**os.environ, **self.environment},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_until_serving(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while not self._serving(health):
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"replica {self.name} exited: see {self.log_path}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"replica {self.name} not serving after {timeout}s")
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback, no goodbye to PostgreSQL or NATS."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @staticmethod
    def _serving(health: health_pb2_grpc.HealthStub) -> bool:
        try:
            reply = health.Check(health_pb2.HealthCheckRequest(), timeout=1)
        except grpc.RpcError:
            return False
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
