"""Authentication and per-RPC authorisation, before any handler of o2c runs.

Each call of an o2c RPC proves a principal (the pluggable authenticators first, e.g. the mTLS
client certificate, then the bearer token), passes the RPC's declared policy, and only then
runs its handler, inside `calling_as(principal)`. Every refusal is reported to `on_denied`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import grpc
from google.rpc import code_pb2

from adapters.security.jwt_tokens import TokenVerifier
from domain import errors
from domain.principal import Principal
from entrypoints.grpc.errors import abort_with, status_code_for
from entrypoints.grpc.policies import (
    CALLER_NOT_ALLOWED,
    SCOPE_MISSING,
    CallPolicy,
    policies,
    policy_for,
)
from entrypoints.grpc.principal_context import calling_as
from entrypoints.grpc.rate_limit import TokenBuckets, rate_limited

Authenticator = Callable[[grpc.ServicerContext], Principal | None]
DeniedCallback = Callable[[str, object, Principal | None, grpc.StatusCode, str], None]
Behaviour = Callable[[Any, grpc.ServicerContext], Any]
Continuation = Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None]

BEARER = "bearer "
UNPROVEN = "unproven caller at "
REFUSALS: Mapping[str, type[errors.CallerNotAllowed]] = {
    CALLER_NOT_ALLOWED: errors.CallerNotAllowed,
    SCOPE_MISSING: errors.ScopeMissing,
}
KINDS = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


def not_reported(*_: object) -> None:
    return None


class Authentication(grpc.ServerInterceptor):
    def __init__(
        self,
        verifier: TokenVerifier,
        authenticators: Sequence[Authenticator] = (),
        on_denied: DeniedCallback | None = None,
        policy_table: Mapping[str, CallPolicy] | None = None,
        unproven_limits: TokenBuckets | None = None,
    ) -> None:
        self.verifier = verifier
        self.authenticators = tuple(authenticators)
        self.on_denied = on_denied or not_reported
        self.unproven_limits = unproven_limits
        self.policies = policies() if policy_table is None else policy_table

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        policy = policy_for(method, self.policies)
        if handler is None or policy is None:
            return handler
        for kind, make in KINDS.items():
            behaviour = getattr(handler, kind)
            if behaviour is not None:
                return make(
                    self.guarded(behaviour, method, policy, streams=kind.endswith("stream")),
                    request_deserializer=handler.request_deserializer,
                    response_serializer=handler.response_serializer,
                )
        return handler

    def guarded(
        self, inner: Behaviour, method: str, policy: CallPolicy, streams: bool
    ) -> Behaviour:
        def guard(request: Any, context: grpc.ServicerContext) -> Any:
            principal = self.admitted(context, method, request, policy)
            with calling_as(principal):
                return inner(request, context)

        def guard_stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            principal = self.admitted(context, method, request, policy)
            with calling_as(principal):  # around every response the handler yields
                yield from inner(request, context)

        return guard_stream if streams else guard

    def admitted(
        self, context: grpc.ServicerContext, method: str, request: object, policy: CallPolicy
    ) -> Principal:
        """The proven principal that the policy admits; otherwise the call is aborted."""
        principal = None
        try:
            principal = self.principal(context)
            check_policy(policy, principal)
        except errors.DomainError as error:
            self.refuse(context, error, method, request, principal)
        assert principal is not None  # refuse() has aborted the call otherwise
        return principal

    def principal(self, context: grpc.ServicerContext) -> Principal:
        for authenticate in self.authenticators:
            principal = authenticate(context)
            if principal is not None:
                return principal
        return self.verifier.principal_of(bearer_token(context))

    def refuse(
        self,
        context: grpc.ServicerContext,
        error: errors.DomainError,
        method: str,
        request: object,
        principal: Principal | None,
    ) -> None:
        if principal is None:
            self.limit_unproven(context)
        code = grpc.StatusCode[status_name(error)]
        self.on_denied(method, request, principal, code, error.reason)
        abort_with(context, error)

    def limit_unproven(self, context: grpc.ServicerContext) -> None:
        """Calls that prove no principal share a bucket per network peer: a flood of bad tokens
        is slowed down, and fills the audit no faster than a caller's own calls could."""
        if self.unproven_limits is None:
            return
        wait = self.unproven_limits.take(UNPROVEN + peer_host(context.peer()))
        if wait > 0:
            context.abort_with_status(rate_limited(wait))


def peer_host(peer: str) -> str:
    """ "ipv4:10.0.0.7:51234" → "ipv4:10.0.0.7": one bucket per host, whatever its ports."""
    return peer.rsplit(":", 1)[0] if peer.count(":") > 1 else peer


def status_name(error: errors.DomainError) -> str:
    return code_pb2.Code.Name(status_code_for(error))


def bearer_token(context: grpc.ServicerContext) -> str:
    values = [value for key, value in context.invocation_metadata() if key == "authorization"]
    if not values:
        raise errors.TokenMissing("the call carries no `authorization: Bearer <token>` metadata")
    value = values[0] if isinstance(values[0], str) else ""
    if len(values) > 1 or not value.lower().startswith(BEARER):
        raise errors.TokenInvalid("the `authorization` metadata must be one `Bearer <token>`")
    return value[len(BEARER) :].strip()


def with_article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeio' else 'a'} {word}"


def check_policy(policy: CallPolicy, principal: Principal) -> None:
    if not policy.systems:
        raise errors.PolicyMissing("this RPC declares no policy, so nobody may call it")
    refusal = policy.refusal(principal)
    if refusal is not None:
        raise REFUSALS[refusal](
            f"{with_article(principal.system.value)} caller may not call this RPC"
            + (" without the scopes it requires" if refusal == SCOPE_MISSING else ""),
            keys={"system": principal.system.value, "scopes": " ".join(sorted(policy.scopes))},
        )
