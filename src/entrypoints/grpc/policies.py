"""Who may call which RPC, read from the `(o2c.v1.policy)` option declared beside each RPC.

Default deny: an RPC of o2c's package without a policy, or with one naming no system, is
refused to everyone. Services of other packages (health, reflection) stay open."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable, Mapping

from attrs import frozen
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from domain.principal import CallingSystem, Principal
from o2c.v1 import options_pb2

O2C_PACKAGE = "o2c.v1"
CALLER_NOT_ALLOWED = "CALLER_NOT_ALLOWED"
SCOPE_MISSING = "SCOPE_MISSING"
POLICY_MISSING = "POLICY_MISSING"


@frozen
class CallPolicy:
    systems: frozenset[CallingSystem]
    scopes: frozenset[str]

    def refusal(self, principal: Principal) -> str | None:
        """Why `principal` may not call; None when it may."""
        if principal.system not in self.systems:
            return CALLER_NOT_ALLOWED
        if not principal.has_scopes(self.scopes):
            return SCOPE_MISSING
        return None


NOBODY = CallPolicy(frozenset(), frozenset())


def method_path(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


def declared_policy(method: MethodDescriptor) -> CallPolicy | None:
    options = method.GetOptions()
    if not options.HasExtension(options_pb2.policy):
        return None
    declared = options.Extensions[options_pb2.policy]
    return CallPolicy(
        systems=frozenset(CallingSystem(name) for name in declared.systems),
        scopes=frozenset(declared.scopes),
    )


@functools.cache
def o2c_services() -> tuple[ServiceDescriptor, ...]:
    """Every service of o2c's package, found in the generated modules: a new one joins alone."""
    package = importlib.import_module(O2C_PACKAGE.replace(".", "."))
    found: list[ServiceDescriptor] = []
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.endswith("_pb2"):
            generated = importlib.import_module(f"{O2C_PACKAGE}.{module.name}")
            found.extend(generated.DESCRIPTOR.services_by_name.values())
    return tuple(found)


def o2c_methods(
    services: Iterable[ServiceDescriptor] | None = None,
) -> tuple[MethodDescriptor, ...]:
    return tuple(method for service in (services or o2c_services()) for method in service.methods)


@functools.cache
def policies() -> Mapping[str, CallPolicy]:
    """Every o2c RPC by its path; an RPC that declares no policy is refused to everyone."""
    return {method_path(m): declared_policy(m) or NOBODY for m in o2c_methods()}


def policy_for(path: str, table: Mapping[str, CallPolicy]) -> CallPolicy | None:
    """The policy guarding `path`; None for the open services outside o2c's package."""
    if path in table:
        return table[path]
    return NOBODY if path.startswith(f"/{O2C_PACKAGE}.") else None


def scopes_granted_to(system: str) -> frozenset[str]:
    """Every scope some RPC open to `system` asks for: what a development token carries."""
    caller = CallingSystem(system)
    return frozenset(
        scope
        for policy in policies().values()
        if caller in policy.systems
        for scope in policy.scopes
    )
