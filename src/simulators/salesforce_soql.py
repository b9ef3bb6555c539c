"""The SOQL this org answers: `SELECT field, Parent.field FROM SObject [WHERE field = value
[AND field IN (value, ...)] ...] [ORDER BY field [ASC|DESC], ...] [LIMIT n]`, where a value
is a quoted string, a number, a date, true, false or null and `!=` may stand for `=`. Anything
else (OR, subqueries, functions, other operators) is refused with MALFORMED_QUERY; a field or
relationship the object does not have with INVALID_FIELD, an unknown object with INVALID_TYPE.
Text compares without regard to case, ids exactly, as Salesforce does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulators.salesforce_records import Record, Records, Refusal
from simulators.salesforce_schema import Field, SObject

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')"
    r"|(?P<date>\d{4}-\d{2}-\d{2}(?![\d.]))"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)"
    r"|(?P<symbol>!=|=|,|\(|\)))"
)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


@dataclass
class Condition:
    path: str
    values: list[Any]
    negated: bool = False


@dataclass
class Query:
    sobject: SObject
    paths: list[str]
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # path, descending
    limit: int | None = None


def malformed(soql: str, at: int, what: str) -> Refusal:
    return Refusal(
        400, "MALFORMED_QUERY", f"\n{soql}\n{' ' * at}^\nERROR at Row:1:Column:{at + 1}\n{what}"
    )


class Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(soql.rstrip()):
            found = TOKEN.match(soql, position)
            if found is None or found.lastgroup is None:
                raise malformed(soql, position, f"unexpected token: {soql[position:][:20]!r}")
            self.tokens.append(
                (found.lastgroup, found[found.lastgroup], found.start(found.lastgroup))
            )
            position = found.end()
        self.at = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "", len(self.soql))

    def take(self, kind: str, text: str = "") -> str:
        token_kind, token_text, position = self.peek()
        if token_kind != kind or (text and token_text.upper() != text):
            raise malformed(self.soql, position, f"unexpected token: {token_text or '<EOF>'}")
        self.at += 1
        return token_text

    def keyword(self, text: str) -> bool:
        kind, token_text, _ = self.peek()
        if kind == "name" and token_text.upper() == text:
            self.at += 1
            return True
        return False

    def names(self) -> list[str]:
        found = [self.take("name")]
        while self.peek()[1] == ",":
            self.take("symbol", ",")
            found.append(self.take("name"))
        return found

    def literal(self) -> Any:
        kind, text, position = self.peek()
        self.at += 1
        if kind == "string":
            return re.sub(r"\\(.)", lambda m: ESCAPES.get(m[1], m[1]), text[1:-1])
        if kind == "number":
            return Decimal(text)
        if kind == "date":
            return text
        if kind == "name" and text.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text.lower()]
        raise malformed(self.soql, position, f"unexpected token: {text or '<EOF>'}")

    def condition(self) -> Condition:
        path = self.take("name")
        if self.keyword("IN"):
            self.take("symbol", "(")
            values = [self.literal()]
            while self.peek()[1] == ",":
                self.take("symbol", ",")
                values.append(self.literal())
            self.take("symbol", ")")
            return Condition(path, values)
        _, operator, position = self.peek()
        if operator not in ("=", "!="):
            raise malformed(self.soql, position, f"unexpected token: {operator or '<EOF>'}")
        self.at += 1
        return Condition(path, [self.literal()], negated=operator == "!=")

    def ordering(self) -> tuple[str, bool]:
        path = self.take("name")
        descending = self.keyword("DESC")
        if not descending:
            self.keyword("ASC")
        return path, descending


def parse(soql: str, records: Records) -> Query:
    parser = Parser(soql)
    parser.take("name", "SELECT")
    paths = parser.names()
    parser.take("name", "FROM")
    name_position = parser.peek()[2]
    name = parser.take("name")
    sobject = records.schemas.get(name)
    if sobject is None:
        message = f"\n{soql}\n{' ' * name_position}^\nsObject type '{name}' is not supported."
        raise Refusal(400, "INVALID_TYPE", message)
    query = Query(sobject, paths)
    if parser.keyword("WHERE"):
        query.conditions.append(parser.condition())
        while parser.keyword("AND"):
            query.conditions.append(parser.condition())
    if parser.keyword("ORDER"):
        parser.take("name", "BY")
        query.order.append(parser.ordering())
        while parser.peek()[1] == ",":
            parser.take("symbol", ",")
            query.order.append(parser.ordering())
    if parser.keyword("LIMIT"):
        query.limit = int(parser.take("number"))
    parser.take("end")
    for path in [*paths, *(c.path for c in query.conditions), *(p for p, _ in query.order)]:
        resolve(soql, records, sobject, path)
    return query


def resolve(soql: str, records: Records, sobject: SObject, path: str) -> Field:
    *parents, last = path.split(".")
    for relationship in parents:
        lookup = sobject.relationship(relationship)
        if lookup is None:
            raise invalid_field(soql, path, relationship, sobject.name)
        sobject = records.sobject(lookup.reference_to)
    found = sobject.field(last)
    if found is None:
        raise invalid_field(soql, path, last, sobject.name)
    return found


def invalid_field(soql: str, path: str, name: str, sobject: str) -> Refusal:
    at = max(soql.find(path), 0)
    return Refusal(
        400,
        "INVALID_FIELD",
        f"\n{soql}\n{' ' * at}^\nERROR at Row:1:Column:{at + 1}\n"
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names.",
    )


def run(soql: str, records: Records, version_url: str) -> list[Record]:
    query = parse(soql, records)
    rows = [r for r in records.all(query.sobject.name) if matches(query, records, r)]
    for path, descending in reversed(query.order):
        rows.sort(
            key=lambda r, p=path: sort_key(value_at(query, records, r, p)), reverse=descending
        )
    if query.limit is not None:
        rows = rows[: query.limit]
    return [shaped(query.sobject, records, row, query.paths, version_url) for row in rows]


def matches(query: Query, records: Records, row: Record) -> bool:
    for condition in query.conditions:
        value = value_at(query, records, row, condition.path)
        found = any(same(value, wanted) for wanted in condition.values)
        if found == condition.negated:
            return False
    return True


def value_at(query: Query, records: Records, row: Record | None, path: str) -> Any:
    sobject = query.sobject
    *parents, last = path.split(".")
    for relationship in parents:
        lookup = sobject.relationship(relationship)
        assert lookup is not None
        row = records.record_by_id(row[lookup.name]) if row and row.get(lookup.name) else None
        sobject = records.sobject(lookup.reference_to)
    found = sobject.field(last)
    assert found is not None
    return None if row is None else row.get(found.name)


def same(value: Any, wanted: Any) -> bool:
    if value is None or wanted is None:
        return value is None and wanted is None
    if isinstance(value, str) and isinstance(wanted, str):
        return value.casefold() == wanted.casefold()
    return bool(value == wanted)


def sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, str):
        return 1, value.casefold()
    return (0, "") if value is None else (1, value)


def shaped(
    sobject: SObject, records: Records, row: Record | None, paths: list[str], version_url: str
) -> Record:
    """A query row as REST answers it: attributes, then each field, a parent as a nested row."""
    assert row is not None
    shaped_row: Record = {"attributes": attributes(sobject, row["Id"], version_url)}
    for path in paths:
        name, _, rest = path.partition(".")
        if not rest:
            found = sobject.field(name)
            assert found is not None
            shaped_row[found.name] = row.get(found.name)
            continue
        lookup = sobject.relationship(name)
        assert lookup is not None
        parent = records.record_by_id(row[lookup.name]) if row.get(lookup.name) else None
        if parent is None:
            shaped_row[lookup.relationship] = None
            continue
        target = records.sobject(lookup.reference_to)
        nested = shaped(target, records, parent, [rest], version_url)
        existing = shaped_row.get(lookup.relationship) or {}
        shaped_row[lookup.relationship] = {**nested, **existing}
    return shaped_row


def attributes(sobject: SObject, record_id: str, version_url: str) -> dict[str, str]:
    return {"type": sobject.name, "url": f"{version_url}/sobjects/{sobject.name}/{record_id}"}
