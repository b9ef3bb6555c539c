"""The firm's mapping of Kantata's fields to o2c's words, from a TOML file: the one packaged
here, or the firm's own. A file o2c cannot use is refused at start, naming the row and field."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen

PACKAGED_FILE = "mapping.toml"
# An association o2c asks Kantata to include → the item's key to it and the top-level collection.
ASSOCIATIONS = {
    "user": ("user_id", "users"),
    "role": ("role_id", "roles"),
    "workspace": ("workspace_id", "workspaces"),
    "story": ("story_id", "stories"),
}
ROWS = {"time_entries": ("resource", "role"), "expenses": ("resource", "category", "currency")}
PATH = re.compile(r"(?:([a-z_]+)\.)?([a-z_]+)", re.ASCII)


class KantataMappingError(ValueError):
    """A mapping o2c cannot use; the message names the row and the field."""


@frozen
class FieldPath:
    association: str  # "" for a field of the item itself
    name: str

    def value(self, item: Mapping[str, Any], envelope: Mapping[str, Any]) -> str:
        record: Mapping[str, Any] | None = item
        if self.association:
            key, collection = ASSOCIATIONS[self.association]
            record = envelope.get(collection, {}).get(str(item.get(key)))
        return text(None if record is None else record.get(self.name))


@frozen
class KindMapping:
    fields: Mapping[str, FieldPath]
    extensions: Mapping[str, FieldPath]

    def value(self, row: str, item: Mapping[str, Any], envelope: Mapping[str, Any]) -> str:
        return self.fields[row].value(item, envelope)

    def extension_values(
        self, item: Mapping[str, Any], envelope: Mapping[str, Any]
    ) -> dict[str, str]:
        return {name: path.value(item, envelope) for name, path in self.extensions.items()}

    def associations(self) -> list[str]:
        paths = [*self.fields.values(), *self.extensions.values()]
        return sorted({p.association for p in paths if p.association})


@frozen
class KantataMapping:
    time_entries: KindMapping
    expenses: KindMapping


def load_mapping(path: str = "") -> KantataMapping:
    """The file at `path`, or the one packaged with o2c when `path` is empty."""
    source = Path(path) if path else resources.files(__package__).joinpath(PACKAGED_FILE)
    try:
        return parse_mapping(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, KantataMappingError) as error:
        raise KantataMappingError(f"kantata mapping {source}: {error}") from error


def parse_mapping(text_: str) -> KantataMapping:
    document = tomllib.loads(text_)
    check_keys(document, set(ROWS), "the file", needed=set(ROWS))
    return KantataMapping(
        time_entries=kind_mapping(document["time_entries"], "time_entries"),
        expenses=kind_mapping(document["expenses"], "expenses"),
    )


def kind_mapping(table: Any, where: str) -> KindMapping:
    if not isinstance(table, dict):
        raise KantataMappingError(f"{where}: is a table of o2c's words and Kantata's fields")
    rows = set(ROWS[where])
    check_keys(table, rows | {"extensions"}, where, needed=rows)
    extensions = table.get("extensions", {})
    if not isinstance(extensions, dict):
        raise KantataMappingError(f"{where}.extensions: is a table of names and fields")
    return KindMapping(
        fields={row: field_path(table[row], f"{where}.{row}") for row in ROWS[where]},
        extensions={
            name: field_path(value, f"{where}.extensions.{name}")
            for name, value in extensions.items()
        },
    )


def field_path(value: Any, where: str) -> FieldPath:
    found = PATH.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise KantataMappingError(
            f'{where}: is a Kantata field such as "category" or "user.full_name", got {value!r}'
        )
    association = found[1] or ""
    if association and association not in ASSOCIATIONS:
        known = ", ".join(ASSOCIATIONS)
        raise KantataMappingError(
            f"{where}: {association!r} is not a record Kantata includes here ({known})"
        )
    return FieldPath(association, found[2])


def check_keys(table: Mapping[str, Any], known: set[str], where: str, needed: set[str]) -> None:
    for key in table:
        if key not in known:
            raise KantataMappingError(f"{where}: {key!r} is not one of {sorted(known)}")
    for key in sorted(needed - set(table)):
        raise KantataMappingError(f"{where}.{key}: is missing")


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
