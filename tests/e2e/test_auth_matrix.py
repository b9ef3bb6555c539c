"""Every o2c RPC against every way to fail authentication or authorisation: each is refused
with UNAUTHENTICATED or PERMISSION_DENIED, reported to the audit, and its handler never runs.

The RPCs come from the service descriptors, so a new RPC joins the matrix by itself."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from support.auth import call_metadata, caller, trusting_test_tokens
from support.forged_tokens import FORGERIES, forged
from support.rpcs import Spy, call, every_rpc, spied_server
from support.statuses import refusal_from

from domain.principal import CallingSystem
from entrypoints.grpc.dev_tokens import bearer_metadata
from entrypoints.grpc.policies import method_path, policies

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
BASIC_AUTH = (("authorization", "Basic cHNhOnNlY3JldA=="),)


def rightful_system(path: str) -> str:
    return sorted(system.value for system in policies()[path].systems)[0]


def wrongful_system(path: str) -> str | None:
    allowed = policies()[path].systems
    others = sorted(system.value for system in CallingSystem if system not in allowed)
    return others[0] if others else None


def failures(path: str) -> dict[str, tuple[tuple[tuple[str, str], ...], grpc.StatusCode, str]]:
    """Each failure: the call's metadata, the code and the ErrorInfo reason it must get."""
    system = rightful_system(path)
    cases = {
        "no token": ((), UNAUTHENTICATED, "TOKEN_MISSING"),
        "another scheme": (BASIC_AUTH, UNAUTHENTICATED, "TOKEN_INVALID"),
        "malformed": (bearer_metadata("not-a-token"), UNAUTHENTICATED, "TOKEN_INVALID"),
        "wrong scope": (
            call_metadata(system, scopes=("reports:read",)),
            PERMISSION_DENIED,
            "SCOPE_MISSING",
        ),
    }
    for name, (_forge, reason) in FORGERIES.items():
        cases[name] = (bearer_metadata(forged(name, system)), UNAUTHENTICATED, reason)
    wrongful = wrongful_system(path)
    if wrongful is not None:
        cases["wrong system"] = (call_metadata(wrongful), PERMISSION_DENIED, "CALLER_NOT_ALLOWED")
    return cases


MATRIX = [
    pytest.param(method, failure, id=f"{method.name}-{failure}")
    for method in every_rpc()
    for failure in failures(method_path(method))
]


@pytest.fixture(scope="module")
def spy() -> Spy:
    return Spy()


@pytest.fixture(scope="module")
def channel(spy):
    with spied_server(trusting_test_tokens(on_denied=spy.on_denied), spy) as channel:
        yield channel


@pytest.mark.parametrize(("method", "failure"), MATRIX)
def test_every_rpc_refuses_every_auth_failure_before_its_handler_runs(
    channel, spy, method, failure, capsys
):
    path = method_path(method)
    metadata, code, reason = failures(path)[failure]
    spy.ran.clear()
    spy.denied.clear()

    with pytest.raises(grpc.RpcError) as caught:
        call(channel, method, metadata)

    refusal = refusal_from(caught.value)
    assert (refusal.code, refusal.reason) == (code, reason)
    assert refusal.detail(error_details_pb2.ErrorInfo).domain == "o2c.v1"
    assert spy.ran == []
    assert [(m, c, r) for m, _principal, c, r in spy.denied] == [(path, code, reason)]
    credential = metadata[0][1].split()[-1] if metadata else None
    if credential:
        assert credential not in refusal.message and credential not in capsys.readouterr().out


@pytest.mark.parametrize("method", every_rpc(), ids=lambda method: method.name)
def test_the_rightful_caller_reaches_the_handler_as_its_principal(channel, spy, method):
    path = method_path(method)
    spy.ran.clear()

    call(channel, method, call_metadata(rightful_system(path), ("US01",), subject="integration"))

    expected = caller(rightful_system(path), ("US01",), subject="integration")
    assert spy.ran == [(path, expected)]


def test_a_denied_caller_is_reported_with_its_principal(channel, spy):
    [method] = [m for m in every_rpc() if m.name == "ApproveBillableEvent"]
    spy.denied.clear()

    with pytest.raises(grpc.RpcError):
        call(channel, method, call_metadata("crm"))

    [(_path, principal, _code, _reason)] = spy.denied
    assert principal == caller("crm")


def test_an_o2c_rpc_without_a_policy_is_refused_to_everyone():
    spy = Spy()
    undeclared = trusting_test_tokens(on_denied=spy.on_denied, policy_table={})
    with spied_server(undeclared, spy) as channel:
        for method in every_rpc():
            for system in CallingSystem:
                with pytest.raises(grpc.RpcError) as caught:
                    call(channel, method, call_metadata(system.value))
                assert refusal_from(caught.value).reason == "POLICY_MISSING"
    assert spy.ran == []


def test_an_authenticator_proves_the_caller_before_any_token_is_read():
    spy = Spy()
    certificate_holder = caller("psa", subject="CN=psa.example.com")
    by_certificate = trusting_test_tokens(authenticators=[lambda _context: certificate_holder])
    [method] = [m for m in every_rpc() if m.name == "ApproveBillableEvent"]
    with spied_server(by_certificate, spy) as channel:
        call(channel, method)
    assert spy.ran == [(method_path(method), certificate_holder)]


def test_an_authenticator_that_knows_no_caller_leaves_it_to_the_token():
    spy = Spy()
    unknown = trusting_test_tokens(authenticators=[lambda _context: None])
    [method] = [m for m in every_rpc() if m.name == "ApproveBillableEvent"]
    with spied_server(unknown, spy) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            call(channel, method)
        call(channel, method, call_metadata("psa"))
    assert refusal_from(caught.value).reason == "TOKEN_MISSING"
    assert len(spy.ran) == 1
