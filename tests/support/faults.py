"""Process death on cue: a fuse that blows at the n-th boundary (before or after a vendor call,
before or after a commit), standing for the process being killed there."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import attrs


class ProcessDied(BaseException):
    """Not an Exception: nothing in o2c may catch it, as nothing survives a killed process."""


class Fuse:
    """Blows at the n-th boundary, or at the first one named `where` (e.g. "after commit")."""

    def __init__(self, blows_at: int = 0, where: str = "") -> None:
        self.blows_at = blows_at
        self.where = where
        self.boundaries = 0
        self.blown = False

    def boundary(self, where: str) -> None:
        self.boundaries += 1
        due = where == self.where if self.where else self.boundaries == self.blows_at
        if due and not self.blown:
            self.blown = True
            raise ProcessDied(where)


class FusedVendor:
    """A vendor whose every call is a boundary before and after it."""

    def __init__(self, vendor: Any, fuse: Fuse) -> None:
        self.vendor = vendor
        self.fuse = fuse

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.vendor, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.fuse.boundary(f"before {name}")
            result = method(*args, **kwargs)
            self.fuse.boundary(f"after {name}")
            return result

        return call


class FusedUnitOfWork:
    """A unit of work whose every commit is a boundary before and after it."""

    def __init__(self, uow: Any, fuse: Fuse) -> None:
        self.uow = uow
        self.fuse = fuse

    def __enter__(self) -> FusedUnitOfWork:
        self.uow.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uow.__exit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.uow, name)

    def commit(self) -> None:
        self.fuse.boundary("before commit")
        self.uow.commit()
        self.fuse.boundary("after commit")


def fused(ports: Any, fuse: Fuse) -> Any:
    """The same ports, with process death wired into every vendor call and every commit."""
    factory = ports.uow_factory
    return attrs.evolve(
        ports,
        uow_factory=lambda: FusedUnitOfWork(factory(), fuse),
        master_data=FusedVendor(ports.master_data, fuse),
        customers=FusedVendor(ports.customers, fuse),
        psa=FusedVendor(ports.psa, fuse),
        crm=FusedVendor(ports.crm, fuse),
    )
