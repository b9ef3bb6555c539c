"""How `o2c` commands reach the server: a channel to O2C_GRPC_ADDRESS (or --address) whose calls
each carry a bearer token: the one given (--token, O2C_TOKEN), or a development token for the
system the RPC's policy admits, as `o2c token` would print it."""

from __future__ import annotations

import collections
import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Annotated, Any

import grpc
import typer

from entrypoints import settings
from entrypoints.cli_output import Output
from entrypoints.client_channel import open_channel
from entrypoints.grpc.dev_tokens import bearer_metadata, development_principal, development_token
from entrypoints.grpc.policies import policies

# An operator's command calls as operations where it may, as admin where only an admin may.
PREFERRED_SYSTEMS = ("operations", "admin")
TOKEN_SECONDS = 600

AddressOption = Annotated[
    str,
    typer.Option(
        "--address", envvar="O2C_GRPC_ADDRESS", help="the server, host:port", show_default=False
    ),
]
TokenOption = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="O2C_TOKEN",
        help="bearer token to call with; a development token when empty",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="plain JSON on stdout, for scripts")]


def system_for(method: str) -> str:
    """The calling system a development token is made for: one the RPC's policy admits."""
    policy = policies().get(method)
    admitted = sorted(system.value for system in policy.systems) if policy else []
    preferred = [system for system in PREFERRED_SYSTEMS if system in admitted]
    return (preferred or admitted or ["operations"])[0]


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    pass


class SignedCalls(grpc.UnaryUnaryClientInterceptor):
    """Adds `authorization` to each call: the given token, or a development one per system."""

    def __init__(self, values: dict[str, str], token: str) -> None:
        self.values = values
        self.token = token

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        method = details.method.decode() if isinstance(details.method, bytes) else details.method
        metadata = (*(details.metadata or ()), *bearer_metadata(self.token_for(method)))
        signed = _CallDetails(
            method,
            details.timeout,
            metadata,
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )
        return continuation(signed, request)

    def token_for(self, method: str) -> str:
        return self.token or self.development_token(system_for(method))

    @functools.cache  # noqa: B019 - one token per system for the life of one command
    def development_token(self, system: str) -> str:
        principal = development_principal(system, subject=f"o2c-cli-{system}")
        return development_token(self.values, principal, TOKEN_SECONDS)


@contextlib.contextmanager
def server_channel(address: str, token: str, output: Output) -> Iterator[grpc.Channel]:
    """A signed channel to the server; a refused call ends the command with its status."""
    values = settings.read({**os.environ, **({"O2C_GRPC_ADDRESS": address} if address else {})})
    with open_channel(values) as channel:
        try:
            yield grpc.intercept_channel(channel, SignedCalls(values, token))
        except grpc.RpcError as error:
            output.refusal(error)
            raise typer.Exit(1) from None
