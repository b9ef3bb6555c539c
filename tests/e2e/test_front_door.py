from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def list_services(channel: grpc.Channel) -> set[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    [reply] = list(stub.ServerReflectionInfo(iter([request])))
    return {service.name for service in reply.list_services_response.service}


def test_reflection_lists_the_process_apis(service):
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        services = list_services(channel)
    assert {
        "o2c.v1.EngagementService",
        "o2c.v1.BillingService",
        "o2c.v1.ErpRoutingService",
        "o2c.v1.CustomerService",
        "grpc.health.v1.Health",
    } <= services


def files_for(channel: grpc.Channel, symbol: str) -> set[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol)
    [reply] = list(stub.ServerReflectionInfo(iter([request])))
    return {
        descriptor_pb2.FileDescriptorProto.FromString(raw).name
        for raw in reply.file_descriptor_response.file_descriptor_proto
    }


def test_reflection_serves_the_imported_date_type_so_grpcurl_can_build_requests(service):
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        files = files_for(channel, "o2c.v1.EngagementService")
    assert {"o2c/v1/engagement.proto", "o2c/v1/exceptions.proto", "google/type/date.proto"} <= files


def wait_until_serving(address: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                time.sleep(0.2)
    raise AssertionError(f"o2c did not serve on {address}")


def test_o2c_serve_stops_gracefully_on_sigterm(tmp_path, nats_url):
    address = f"127.0.0.1:{free_port()}"
    env = dict(
        os.environ,
        O2C_DATABASE_URL=f"sqlite:///{tmp_path / 'o2c.db'}",
        O2C_NATS_URL=nats_url,
        O2C_GRPC_ADDRESS=address,
        O2C_SHUTDOWN_GRACE_SECONDS="2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(address, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read().decode() if process.stdout else ""
    assert "o2c stopped" in output
    assert "Traceback" not in output


def o2c_serve(env_overrides: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}",
        "O2C_EMBEDDED_NATS_PORT": "0",
        "O2C_EMBEDDED_NATS_DIR": str(tmp_path / "nats"),
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_server_on_an_address_already_served_refuses_to_start(service, tmp_path):
    done = o2c_serve({"O2C_GRPC_ADDRESS": f"127.0.0.1:{service.port}"}, tmp_path)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{service.port}" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("O2C_OUTBOX_STALE_SECONDS", "abc", "O2C_OUTBOX_STALE_SECONDS must be a number"),
        ("O2C_OWNERSHIP_OVERRIDES", "invoice=nobody", "O2C_OWNERSHIP_OVERRIDES: 'invoice=nobody'"),
        ("O2C_DATABASE_URL", "postgresql://o2c@127.0.0.1:1/o2c", "the database postgresql://o2c@"),
        ("O2C_DATABASE_URL", "mysql://o2c@db/o2c", "O2C_DATABASE_URL mysql://o2c@db/o2c names"),
        ("O2C_DATABASE_URL", "not a url", "is not a database URL"),
    ],
)
def test_a_setting_o2c_cannot_use_is_one_line_naming_it_not_a_traceback(
    tmp_path, setting, value, named
):
    done = o2c_serve({"O2C_GRPC_ADDRESS": f"127.0.0.1:{free_port()}", setting: value}, tmp_path)
    assert done.returncode in (1, 2)
    assert named in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_o2c_status_with_no_database_there_says_so_and_creates_none(tmp_path):
    env = {
        **os.environ,
        "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'o2c.db'}",
        "O2C_GRPC_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "no database file there" in done.stdout
    assert not (tmp_path / "var").exists()
