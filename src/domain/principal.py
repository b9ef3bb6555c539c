"""Who is calling: a proven identity bound to one calling system and the legal entities it may
see. Authentication proves it (a signed token or a client certificate); these rules use it."""

from __future__ import annotations

import enum

from attrs import frozen

from domain.ownership import System


class CallingSystem(enum.Enum):
    CRM = "crm"
    PSA = "psa"
    ERP = "erp"
    BILLING = "billing"
    OPERATIONS = "operations"
    ADMIN = "admin"

    @property
    def system_of_record(self) -> System | None:
        """The vendor system it speaks for, whose data it may write; None for people's tools."""
        try:
            return System(self.value)
        except ValueError:
            return None


EVERY_LEGAL_ENTITY = frozenset({"*"})
# A subject is stored beside every idempotency key and call record, so it has a bounded length.
MAX_SUBJECT_LENGTH = 255


@frozen
class Principal:
    """`subject` is unique per caller (a token's `sub`, a certificate's identity); idempotency
    keys and rate limits are scoped to it. `legal_entities` holds CRM legal-entity codes, or
    "*" for all of them."""

    subject: str
    system: CallingSystem
    legal_entities: frozenset[str]
    scopes: frozenset[str] = frozenset()

    def sees(self, legal_entity_code: str) -> bool:
        return self.sees_every_legal_entity() or legal_entity_code in self.legal_entities

    def sees_every_legal_entity(self) -> bool:
        return "*" in self.legal_entities

    def has_scopes(self, required: frozenset[str]) -> bool:
        return required <= self.scopes
