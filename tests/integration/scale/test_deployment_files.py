"""The image and compose file operators run: the same topology as `make cluster`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from entrypoints import settings

ROOT = Path(__file__).resolve().parents[3]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def services_named(prefix: str) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose()["services"].items() if name.startswith(prefix)}


def test_three_replicas_share_one_postgresql_and_publish_to_every_nats_node() -> None:
    replicas = services_named("o2c")
    nats_nodes = services_named("nats")

    assert len(replicas) == 3 and len(nats_nodes) == 3
    for replica in replicas.values():
        environment = replica["environment"]
        assert environment["O2C_DATABASE_URL"].endswith("@postgres:5432/o2c")
        assert environment["O2C_NATS_URL"].split(",") == [
            f"nats://{node}:4222" for node in sorted(nats_nodes)
        ]
        assert int(environment["O2C_STREAM_REPLICAS"]) == len(nats_nodes)
        assert set(replica["depends_on"]) == {"postgres", *nats_nodes}


def test_every_replica_setting_is_one_o2c_accepts() -> None:
    for replica in services_named("o2c").values():
        environment = replica["environment"]
        assert set(environment) <= set(settings.DEFAULTS)
        settings.as_config(settings.read({**environment, "O2C_AUTH_JWKS_FILE": ""}))


def test_each_replica_answers_grpc_on_a_port_of_its_own() -> None:
    replicas = services_named("o2c").values()
    grpc_ports = [port for r in replicas for port in r["ports"] if port.endswith(":50051")]

    assert len({port.split(":")[0] for port in grpc_ports}) == 3
    assert all(r["environment"]["O2C_GRPC_ADDRESS"] == "0.0.0.0:50051" for r in replicas)


def test_the_nats_nodes_form_one_jetstream_cluster_with_routes_to_each_other() -> None:
    nodes = services_named("nats")
    routes = {f"nats://{name}:6222" for name in nodes}

    for name, node in nodes.items():
        flags = dict(flag.removeprefix("--").partition("=")[::2] for flag in node["command"])
        assert "jetstream" in flags and flags["cluster_name"] == "o2c"
        assert flags["server_name"] == name
        assert set(flags["routes"].split(",")) == routes


def test_the_image_installs_o2c_on_python_3_11_slim_and_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    stages = [line.split()[1] for line in dockerfile if line.startswith("FROM ")]

    assert stages and all(stage == "python:3.11-slim" for stage in stages)
    assert 'ENTRYPOINT ["o2c"]' in dockerfile and 'CMD ["serve"]' in dockerfile
    assert any("pip install" in line for line in dockerfile)
