"""A test server that simulates NetSuite, Dynamics 365 and the legacy ERP itself, and the
routes of US01, GB01 and DE01 to them, in the codes each simulated ERP knows them by."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from entrypoints.erp_simulators import DYNAMICS365_COMPANIES, LEGACY_ORG_IDS, NETSUITE_SUBSIDIARIES
from entrypoints.runtime import Runtime
from o2c.v1 import erp_routing_pb2
from support.service import service_on

NETSUITE, DYNAMICS365, LEGACY = (
    erp_routing_pb2.ERP_NETSUITE,
    erp_routing_pb2.ERP_DYNAMICS365,
    erp_routing_pb2.ERP_LEGACY,
)


def netsuite(code: str) -> tuple[int, str]:
    return NETSUITE, NETSUITE_SUBSIDIARIES[code]


def dynamics365(code: str) -> tuple[int, str]:
    return DYNAMICS365, DYNAMICS365_COMPANIES[code]


def legacy(code: str) -> tuple[int, str]:
    return LEGACY, LEGACY_ORG_IDS[code]


def service_with_erp_simulators(
    backend: str, scratch: os.PathLike[str], nats_url: str
) -> Iterator[Runtime]:
    """The service on `backend`, its ERPs simulated in `scratch` and its sagas swept often."""
    directory = Path(scratch)
    yield from service_on(
        backend,
        directory,
        nats_url,
        O2C_ERP_SIMULATORS="true",
        O2C_ERP_SIMULATORS_DIR=str(directory / "erp"),
        O2C_AUTH_DEV_KEYS_DIR=str(directory / "keys"),
        O2C_SAGA_SWEEP_SECONDS="0.2",
    )
