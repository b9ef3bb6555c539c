"""Every o2c RPC as its descriptor says: called generically, served by a spy that records
whether it ran. The matrices built from these grow by themselves when an RPC is added."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
from attrs import define, field
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from entrypoints.grpc.policies import method_path, o2c_methods, o2c_services
from entrypoints.grpc.principal_context import current_principal


def request_of(method: MethodDescriptor) -> Message:
    return GetMessageClass(method.input_type)()


def call(
    channel: grpc.Channel,
    method: MethodDescriptor,
    metadata: tuple[tuple[str, str], ...] = (),
    request: Message | None = None,
) -> Message:
    stub = channel.unary_unary(
        method_path(method),
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=GetMessageClass(method.output_type).FromString,
    )
    return stub(request or request_of(method), metadata=metadata, timeout=10)


@define
class Spy:
    """Which handlers ran, as whom; and which refusals the interceptor reported."""

    ran: list[tuple[str, Any]] = field(factory=list)
    denied: list[tuple[str, Any, grpc.StatusCode, str]] = field(factory=list)

    def handler(self, method: MethodDescriptor) -> grpc.RpcMethodHandler:
        def handle(_request: Message, _context: grpc.ServicerContext) -> Message:
            self.ran.append((method_path(method), current_principal()))
            return GetMessageClass(method.output_type)()

        return grpc.unary_unary_rpc_method_handler(
            handle,
            request_deserializer=GetMessageClass(method.input_type).FromString,
            response_serializer=lambda message: message.SerializeToString(),
        )

    def on_denied(
        self, method: str, _request: object, principal: Any, code: grpc.StatusCode, reason: str
    ) -> None:
        self.denied.append((method, principal, code, reason))


@contextlib.contextmanager
def spied_server(interceptor: grpc.ServerInterceptor, spy: Spy) -> Iterator[grpc.Channel]:
    """Every o2c RPC served by `spy` behind `interceptor`; a channel to it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), interceptors=[interceptor])
    for service in o2c_services():
        handlers = {method.name: spy.handler(method) for method in service.methods}
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(service.full_name, handlers),)
        )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        server.stop(0)


def every_rpc() -> list[MethodDescriptor]:
    return list(o2c_methods())
