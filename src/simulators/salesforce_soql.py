"""The SOQL this org answers: `SELECT field, Parent.field FROM SObject [WHERE condition [AND
condition] ...] [ORDER BY field [ASC|DESC], ...] [LIMIT n]`, where a condition is `field = value`,
`field != value`, `field IN (value, ...)` or, on a number, date or datetime field, `field < value`
(`<=`, `>`, `>=`); a value is a quoted string, a number, a date (2026-12-01), a datetime
(2026-12-01T00:00:00Z, or with an offset and milliseconds), true, false or null. A date, datetime
or number field is compared only with a value of its type, as Salesforce insists. Anything else
(OR, subqueries, functions, other operators, ranges over text) is refused with MALFORMED_QUERY,
as is a statement longer than 100,000 characters; a field or relationship the object does not
have with INVALID_FIELD, an unknown object with INVALID_TYPE. Text compares without regard to
case, ids exactly, as Salesforce does."""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulators.salesforce_records import Record, Records, Refusal
from simulators.salesforce_schema import NUMBERS, Field, SObject

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')"
    r"|(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?P<date>\d{4}-\d{2}-\d{2}(?![\d.T]))"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)"
    r"|(?P<symbol>!=|<=|>=|=|<|>|,|\(|\)))"
)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
LONGEST_STATEMENT = 100_000
RANGES: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
LITERAL_KINDS = {"date": "date", "datetime": "datetime", **{n: "number" for n in NUMBERS}}


@dataclass
class Literal:
    kind: str  # string, number, date, datetime, boolean or null
    value: Any
    position: int


@dataclass
class Condition:
    path: str
    operator: str  # =, !=, IN, <, <=, >, >=
    literals: list[Literal]
    position: int = 0
    type: str = "string"  # the field's, once resolved


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

    def literal(self) -> Literal:
        kind, text, position = self.peek()
        self.at += 1
        try:
            if kind == "string":
                value = re.sub(r"\\(.)", lambda m: ESCAPES.get(m[1], m[1]), text[1:-1])
                return Literal("string", value, position)
            if kind == "number":
                return Literal("number", Decimal(text), position)
            if kind == "date":
                return Literal("date", dt.date.fromisoformat(text), position)
            if kind == "datetime":
                return Literal("datetime", moment(text), position)
        except ValueError:
            raise malformed(self.soql, position, f"invalid {kind}: {text}") from None
        if kind == "name" and text.lower() in ("true", "false"):
            return Literal("boolean", text.lower() == "true", position)
        if kind == "name" and text.lower() == "null":
            return Literal("null", None, position)
        raise malformed(self.soql, position, f"unexpected token: {text or '<EOF>'}")

    def condition(self) -> Condition:
        position = self.peek()[2]
        path = self.take("name")
        if self.keyword("IN"):
            self.take("symbol", "(")
            literals = [self.literal()]
            while self.peek()[1] == ",":
                self.take("symbol", ",")
                literals.append(self.literal())
            self.take("symbol", ")")
            return Condition(path, "IN", literals, position)
        _, symbol, at = self.peek()
        if symbol not in ("=", "!=", *RANGES):
            raise malformed(self.soql, at, f"unexpected token: {symbol or '<EOF>'}")
        self.at += 1
        return Condition(path, symbol, [self.literal()], position)

    def ordering(self) -> tuple[str, bool]:
        path = self.take("name")
        descending = self.keyword("DESC")
        if not descending:
            self.keyword("ASC")
        return path, descending


def parse(soql: str, records: Records) -> Query:
    if len(soql) > LONGEST_STATEMENT:
        message = f"SOQL statements cannot be longer than {LONGEST_STATEMENT} characters"
        raise Refusal(400, "MALFORMED_QUERY", message)
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
    for path in [*paths, *(p for p, _ in query.order)]:
        resolve(soql, records, sobject, path)
    for condition in query.conditions:
        found = resolve(soql, records, sobject, condition.path)
        check_comparable(soql, condition, found)
        condition.type = found.type
    return query


def check_comparable(soql: str, condition: Condition, found: Field) -> None:
    """Dates with dates, datetimes with datetimes, numbers with numbers; ranges only on those."""
    wanted = LITERAL_KINDS.get(found.type)
    if condition.operator in RANGES and wanted is None:
        message = f"{condition.operator} compares numbers, dates and datetimes, not {found.type}"
        raise malformed(soql, condition.position, message)
    for literal in condition.literals:
        if literal.kind == "null" and condition.operator not in RANGES:
            continue
        if wanted != literal.kind and (wanted or literal.kind in ("date", "datetime")):
            kind = {"number": "double", "datetime": "dateTime", None: "string"}.get(wanted, wanted)
            quoted = "be enclosed" if kind == "string" else "not be enclosed"
            message = (
                f"value of filter criterion for field '{found.name}' must be of type {kind} "
                f"and should {quoted} in quotes"
            )
            raise malformed(soql, literal.position, message)


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


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
    return all(holds(query, records, row, condition) for condition in query.conditions)


def holds(query: Query, records: Records, row: Record, condition: Condition) -> bool:
    value = typed(condition.type, value_at(query, records, row, condition.path))
    wanted = [literal.value for literal in condition.literals]
    if condition.operator in RANGES:
        return value is not None and RANGES[condition.operator](value, wanted[0])
    found = any(same(value, each) for each in wanted)
    return found != (condition.operator == "!=")


def typed(field_type: str, value: Any) -> Any:
    """A date or datetime as the org keeps it (text), as one, to compare with SOQL's literals."""
    if value is None:
        return None
    if field_type == "date":
        return dt.date.fromisoformat(value)
    if field_type == "datetime":
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    return value


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
