"""Fuzz cases for every RPC of o2c's services, found in the service descriptors: a new RPC joins
by itself, starting from an empty request filled at random; RPCs whose valid requests are known
start from those. Case `index` of an RPC is the same bytes for the same seed, whatever ran
before it or beside it."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Mapping

from attrs import frozen
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from support.auth import call_metadata
from support.billing_requests import batch_of, billing_cycle, expense
from support.erp_routes import route_request
from support.requests import closed_won, time_entry
from support.rpcs import request_of

from entrypoints.grpc.policies import declared_policy, method_path, o2c_methods
from fuzz.mutations import fill, mutated_bytes
from o2c.v1 import billing_pb2, engagement_pb2, erp_routing_pb2

Metadata = tuple[tuple[str, str], ...]
StartingRequest = Callable[[str, random.Random], Message]
LEGAL_ENTITIES = ("US01", "GB01", "DE01", "XX99")
FIRST_ROUTED_DAY = dt.date(2030, 1, 1)  # after today, as a route set after the first must be
TOKEN_LIFETIME_SECONDS = 60  # tokens are renewed well before they expire in a long run


@frozen
class Case:
    path: str
    index: int
    payload: bytes
    metadata: Metadata


def rpcs() -> tuple[MethodDescriptor, ...]:
    return o2c_methods()


def starting_requests(engagement_id: str, opportunity_id: str) -> Mapping[str, StartingRequest]:
    """Valid requests of the RPCs whose requests are known, by request type."""
    lookups = (
        engagement_pb2.GetServiceEngagementRequest(engagement_id=engagement_id),
        engagement_pb2.GetServiceEngagementRequest(opportunity_id=opportunity_id),
    )
    return {
        "o2c.v1.CreateServiceEngagementRequest": opportunity,
        "o2c.v1.ApproveBillableEventRequest": lambda key, _: time_entry(key, engagement_id),
        "o2c.v1.GetServiceEngagementRequest": lambda _, rng: rng.choice(lookups),
        "o2c.v1.ApproveBillableEventsRequest": lambda key, _: batch_of(
            key, time_entry(key, engagement_id), expense(key, engagement_id)
        ),
        "o2c.v1.RunBillingCycleRequest": lambda key, rng: billing_cycle(
            key, engagement_id, finalise=rng.random() < 0.5
        ),
        "o2c.v1.ListInvoicesRequest": lambda _, rng: billing_pb2.ListInvoicesRequest(
            engagement_id=engagement_id, page_size=rng.randrange(0, 4)
        ),
        "o2c.v1.SetErpRouteRequest": lambda key, rng: erp_route(key, rng),
        "o2c.v1.ListErpRoutesRequest": lambda _, rng: erp_routing_pb2.ListErpRoutesRequest(
            legal_entity_code=rng.choice(("", *LEGAL_ENTITIES)), page_size=rng.randrange(0, 4)
        ),
        "o2c.v1.ListErpRouteChangesRequest": lambda _, rng: (
            erp_routing_pb2.ListErpRouteChangesRequest(
                legal_entity_code=rng.choice(LEGAL_ENTITIES), page_size=rng.randrange(0, 4)
            )
        ),
        "o2c.v1.ListIntercompanyChargesRequest": lambda _, rng: (
            erp_routing_pb2.ListIntercompanyChargesRequest(
                legal_entity_code=rng.choice(("", *LEGAL_ENTITIES)), page_size=rng.randrange(0, 4)
            )
        ),
    }


def opportunity(key: str, rng: random.Random) -> Message:
    """A closed-won opportunity whose second work package another legal entity may deliver."""
    request = closed_won(key, rng.choice(LEGAL_ENTITIES))
    delivering = rng.choice(("", *LEGAL_ENTITIES))
    request.opportunity.work_packages[1].delivering_legal_entity_code = delivering
    return request


def erp_route(key: str, rng: random.Random) -> Message:
    """A single route or a dual-write pilot, a day later for each later case (its key is
    "FZ<index>"), so that most are accepted and each legal entity's book grows."""
    primary, shadow = rng.sample(list(erp_routing_pb2.Erp.values())[1:], 2)
    index = int(key.removeprefix("FZ")) if key.removeprefix("FZ").isdigit() else 0
    day = (FIRST_ROUTED_DAY + dt.timedelta(days=index)).isoformat()
    pilot = (shadow, "SHADOW-1") if rng.random() < 0.5 else None
    return route_request(key, rng.choice(LEGAL_ENTITIES), day, (primary, "ERP-1"), pilot)


class CaseMaker:
    def __init__(self, seed: int, known: Mapping[str, StartingRequest]) -> None:
        self.seed = seed
        self.known = known
        self.tokens = Tokens()

    def case(self, method: MethodDescriptor, index: int) -> Case:
        rng = random.Random(f"{self.seed}:{method.full_name}:{index}")
        start = self.starting_request(method, index, rng)
        system = rng.choice(allowed_systems(method))
        return Case(method_path(method), index, mutated_bytes(start, rng), self.tokens.of(system))

    def starting_request(self, method: MethodDescriptor, index: int, rng: random.Random) -> Message:
        known = self.known.get(method.input_type.full_name)
        if known is not None and rng.random() < 0.9:
            return known(f"FZ{index}", rng)
        request = request_of(method)
        if rng.random() < 0.5:  # the empty request is valid for many an RPC: lists, lookups
            fill(request, rng)
        return request


def allowed_systems(method: MethodDescriptor) -> list[str]:
    """The systems the RPC's policy lets in, so that calls get past authorisation."""
    policy = declared_policy(method)
    systems = sorted(system.value for system in policy.systems) if policy else []
    return systems or ["admin"]


class Tokens:
    """A valid token per calling system, renewed before it expires; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.issued: dict[str, tuple[float, Metadata]] = {}

    def of(self, system: str) -> Metadata:
        with self.lock:
            issued_at, metadata = self.issued.get(system, (0.0, ()))
            if time.monotonic() - issued_at > TOKEN_LIFETIME_SECONDS:
                metadata = call_metadata(system)
                self.issued[system] = (time.monotonic(), metadata)
            return metadata
