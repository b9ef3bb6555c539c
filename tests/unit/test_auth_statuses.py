"""Refusals of authentication and authorisation reach the caller with their gRPC code."""

import grpc
import pytest

from domain import errors
from entrypoints.grpc.errors import to_status

CODES = [
    (errors.TokenMissing("no token"), grpc.StatusCode.UNAUTHENTICATED),
    (errors.TokenInvalid("bad token"), grpc.StatusCode.UNAUTHENTICATED),
    (errors.TokenExpired("old token"), grpc.StatusCode.UNAUTHENTICATED),
    (errors.KeyUnknown("unknown key"), grpc.StatusCode.UNAUTHENTICATED),
    (errors.CallerNotAllowed("not you"), grpc.StatusCode.PERMISSION_DENIED),
    (errors.ScopeMissing("no scope"), grpc.StatusCode.PERMISSION_DENIED),
    (errors.PolicyMissing("no policy"), grpc.StatusCode.PERMISSION_DENIED),
    (errors.LegalEntityNotAllowed("not yours"), grpc.StatusCode.PERMISSION_DENIED),
    (errors.SourceSystemMismatch("not you"), grpc.StatusCode.PERMISSION_DENIED),
]


@pytest.mark.parametrize(("error", "code"), CODES, ids=lambda item: getattr(item, "reason", ""))
def test_an_auth_refusal_has_its_own_code(error, code):
    assert to_status(error).code is code
