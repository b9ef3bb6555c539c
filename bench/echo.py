"""The gRPC baseline: an echo server with o2c's server settings (thread pool size, message
limits; no interceptors), run as a process of its own like o2c's, printing its port."""

from __future__ import annotations

from concurrent import futures

import grpc

from entrypoints import settings

METHOD = "/bench.Echo/Echo"


def _echo(request: bytes, _context: grpc.ServicerContext) -> bytes:
    return request


def serve() -> None:
    values = settings.read()
    limit = int(values["O2C_GRPC_MAX_MESSAGE_BYTES"])
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=int(values["O2C_GRPC_MAX_WORKERS"])),
        options=[
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", limit),
        ],
    )
    handler = grpc.unary_unary_rpc_method_handler(_echo)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("bench.Echo", {"Echo": handler}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"echo serving gRPC on port {port}", flush=True)
    server.wait_for_termination()


def echo_call(channel: grpc.Channel) -> grpc.UnaryUnaryMultiCallable:
    return channel.unary_unary(METHOD)


if __name__ == "__main__":
    serve()
