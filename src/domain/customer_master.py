"""One customer as the CRM keeps it and as an ERP keeps it: where they disagree on the name, the
tax registration or the legal entity, sales operations settles which is right.

Spelling that means nothing is not a disagreement: case and runs of spaces in a name, and the
spaces, dots and dashes people type into a tax number. A value one side holds and the other
lacks is one."""

from __future__ import annotations

import re

from attrs import frozen

COMPARED = ("name", "tax_registration", "legal_entity")


@frozen
class CustomerView:
    name: str
    tax_registration: str
    legal_entity_codes: frozenset[str]  # the o2c legal entities this side places the customer in


@frozen
class Disagreement:
    field: str
    crm: str
    erp: str


def disagreements(crm: CustomerView, erp: CustomerView) -> tuple[Disagreement, ...]:
    """Each compared field on which the two sides differ. Legal entities differ when the CRM
    names some and the ERP's entity serves none of them."""
    found = []
    if plain_name(crm.name) != plain_name(erp.name):
        found.append(Disagreement("name", crm.name, erp.name))
    if plain_tax_number(crm.tax_registration) != plain_tax_number(erp.tax_registration):
        found.append(Disagreement("tax_registration", crm.tax_registration, erp.tax_registration))
    if crm.legal_entity_codes and not crm.legal_entity_codes & erp.legal_entity_codes:
        found.append(
            Disagreement(
                "legal_entity",
                ",".join(sorted(crm.legal_entity_codes)),
                ",".join(sorted(erp.legal_entity_codes)),
            )
        )
    return tuple(found)


def plain_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def plain_tax_number(number: str) -> str:
    return re.sub(r"[\s.\-]", "", number).upper()
