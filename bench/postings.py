"""Postings to the simulated NetSuite account, whose concurrency limit is N: how busy o2c keeps
those N slots while posting a month's invoices, from o2c's own record of each vendor call."""

from __future__ import annotations

import time
from typing import Any

import psycopg

from bench import figures, requests
from bench.scratch import libpq_url
from bench.service import Service
from entrypoints.erp_simulators import NETSUITE_SUBSIDIARIES
from o2c.v1 import erp_routing_pb2_grpc

LEGAL_ENTITY = "GB01"  # the other figures bill US01: this one's postings are its own
CALLS = """
SELECT count(*), coalesce(sum(latency_ms), 0),
       extract(epoch FROM max(called_at + latency_ms * interval '1 millisecond') - min(called_at)),
       count(*) FILTER (WHERE status = '429')
FROM vendor_calls WHERE system = 'netsuite'
"""
POSTED = "SELECT count(*) FROM erp_postings WHERE erp = 'netsuite'"


def postings(service: Service, invoices: int, wait_seconds: float) -> dict[str, Any]:
    limit = int(service.values["O2C_NETSUITE_CONCURRENCY_LIMIT"])
    with service.channel() as channel:
        stub = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)
        route = requests.route_to_netsuite(LEGAL_ENTITY, NETSUITE_SUBSIDIARIES[LEGAL_ENTITY])
        stub.SetErpRoute(route, metadata=service.metadata("admin"))
    ids = figures.engagements(service, "POST", invoices, legal_entity=LEGAL_ENTITY)
    figures.approve_in_batches(service, "POST", ids, len(ids), batch=200, threads=2)
    cycle = figures.billing_cycle(service, "POST", ids)
    posted = _wait_for_postings(service, cycle["invoices"], wait_seconds)
    calls, busy_ms, window, throttled = _calls(service)
    busy = busy_ms / 1000 / window / limit if window else 0.0
    return {
        "limit": limit,
        "invoices": cycle["invoices"],
        "posted": posted,
        "netsuite_calls": calls,
        "throttled_429": throttled,
        "unposted": cycle["invoices"] - posted,
        "window_seconds": round(window, 3),
        "average_busy": busy,
    }


def _wait_for_postings(service: Service, invoices: int, wait_seconds: float) -> int:
    deadline = time.monotonic() + wait_seconds
    while True:
        posted = _one(service, POSTED)
        if posted >= invoices or time.monotonic() > deadline:
            return posted
        time.sleep(0.2)


def _one(service: Service, query: str) -> int:
    return int(_row(service, query)[0])


def _calls(service: Service) -> tuple[int, float, float, int]:
    count, busy_ms, window, throttled = _row(service, CALLS)
    return int(count), float(busy_ms), float(window or 0), int(throttled)


def _row(service: Service, query: str) -> tuple[Any, ...]:
    with psycopg.connect(libpq_url(service.values["O2C_DATABASE_URL"])) as connection:
        row = connection.execute(query).fetchone()
    assert row is not None
    return tuple(row)
