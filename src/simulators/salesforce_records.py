"""The org's records, held to their sObject's schema: an unknown field is refused with
INVALID_FIELD, a required one left out with REQUIRED_FIELD_MISSING, a read-only one written with
INVALID_FIELD_FOR_INSERT_UPDATE, a lookup to no record with INVALID_CROSS_REFERENCE_KEY, a
second value of a unique field with DUPLICATE_VALUE. Upsert by external id follows REST: no
match creates, one match updates, several are refused with 300 and their URLs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from simulators.salesforce_schema import NUMBERS, Field, Schemas, SObject

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Record = dict[str, Any]


class Refusal(Exception):
    """An answer other than success, with Salesforce's error body unless `body` replaces it."""

    def __init__(
        self, status: int, code: str, message: str, fields: tuple[str, ...] = (), body: Any = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields
        self.body = (
            body
            if body is not None
            else [{"message": message, "errorCode": code, "fields": list(fields)}]
        )


def not_found() -> Refusal:
    return Refusal(404, "NOT_FOUND", "The requested resource does not exist")


def sf_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


class Records:
    def __init__(self, schemas: Schemas, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.schemas = schemas
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.rows: dict[str, dict[str, Record]] = {}  # sObject name -> id -> record
        self.counter = 0
        self.numbers: dict[str, int] = {}

    def sobject(self, name: str) -> SObject:
        sobject = self.schemas.get(name)
        if sobject is None:
            raise Refusal(404, "NOT_FOUND", f"The requested resource does not exist: {name}")
        return sobject

    def all(self, name: str) -> Iterator[Record]:
        yield from self.rows.get(self.sobject(name).name, {}).values()

    def get(self, name: str, record_id: str) -> Record:
        record = self.rows.get(self.sobject(name).name, {}).get(record_id)
        if record is None:
            raise not_found()
        return record

    def record_by_id(self, record_id: str) -> Record | None:
        sobject = self.schemas.by_prefix(record_id)
        return None if sobject is None else self.rows.get(sobject.name, {}).get(record_id)

    def create(
        self, name: str, body: Mapping[str, Any], *, admin: bool = False, record_id: str = ""
    ) -> str:
        sobject = self.sobject(name)
        values = self.checked(sobject, body, admin=admin, creating=True)
        missing = [
            f.name for f in sobject.fields.values() if f.required and values.get(f.name) is None
        ]
        if missing:
            message = f"Required fields are missing: [{', '.join(missing)}]"
            raise Refusal(400, "REQUIRED_FIELD_MISSING", message, tuple(missing))
        record_id = record_id or self.new_id(sobject)
        self.check_unique(sobject, values, record_id)
        now = sf_datetime(self.clock())
        record: Record = {f.name: None for f in sobject.fields.values()}
        record.update(Id=record_id, CreatedDate=now, LastModifiedDate=now, SystemModstamp=now)
        record.update(self.auto_numbers(sobject))
        record.update(values)
        self.rows.setdefault(sobject.name, {})[record_id] = record
        return record_id

    def update(
        self, name: str, record_id: str, body: Mapping[str, Any], *, admin: bool = False
    ) -> None:
        sobject = self.sobject(name)
        record = self.get(sobject.name, record_id)
        values = self.checked(sobject, body, admin=admin, creating=False)
        cleared = [n for n, v in values.items() if v is None and sobject.fields[n.lower()].required]
        if cleared:
            message = f"Required fields are missing: [{', '.join(cleared)}]"
            raise Refusal(400, "REQUIRED_FIELD_MISSING", message, tuple(cleared))
        self.check_unique(sobject, values, record_id)
        record.update(values)
        record["LastModifiedDate"] = record["SystemModstamp"] = sf_datetime(self.clock())

    def delete(self, name: str, record_id: str) -> None:
        self.get(name, record_id)
        del self.rows[self.sobject(name).name][record_id]

    def matching(self, name: str, field_name: str, value: str) -> list[str]:
        sobject = self.sobject(name)
        found = sobject.field(field_name)
        if found is None or not (found.external_id or found.name == "Id"):
            message = (
                f"Provided external ID field does not exist or is not accessible: {field_name}"
            )
            raise Refusal(404, "NOT_FOUND", message)
        return [r["Id"] for r in self.all(sobject.name) if r.get(found.name) == value]

    def upsert(
        self, name: str, field_name: str, value: str, body: Mapping[str, Any], version_url: str
    ) -> tuple[str, bool]:
        """The record's id, and whether it was created."""
        sobject = self.sobject(name)
        for given in body:
            if given.lower() in ("id", field_name.lower()):
                message = f"The {given} field should not be specified in the sobject data."
                raise Refusal(400, "INVALID_FIELD", message, (given,))
        matches = self.matching(sobject.name, field_name, value)
        if len(matches) > 1:
            urls = [f"{version_url}/sobjects/{sobject.name}/{m}" for m in matches]
            raise Refusal(300, "MULTIPLE_CHOICES", "several records match", body=urls)
        if matches:
            self.update(sobject.name, matches[0], body)
            return matches[0], False
        canonical = sobject.field(field_name)
        assert canonical is not None
        return self.create(sobject.name, {**body, canonical.name: value}, admin=True), True

    def snapshot(self) -> tuple[dict[str, dict[str, Record]], int, dict[str, int]]:
        rows = {
            name: {i: dict(r) for i, r in records.items()} for name, records in self.rows.items()
        }
        return rows, self.counter, dict(self.numbers)

    def restore(self, saved: tuple[dict[str, dict[str, Record]], int, dict[str, int]]) -> None:
        self.rows, self.counter, self.numbers = saved

    def new_id(self, sobject: SObject) -> str:
        self.counter += 1
        number, digits = self.counter, ""
        while number or len(digits) < 5:
            number, digit = divmod(number, 62)
            digits = BASE62[digit] + digits
        return f"{sobject.key_prefix}5g00000{digits}AAA"

    def auto_numbers(self, sobject: SObject) -> Record:
        numbered: Record = {}
        for f in sobject.fields.values():
            if f.auto_number:
                self.numbers[sobject.name] = self.numbers.get(sobject.name, 0) + 1
                numbered[f.name] = f"{f.auto_number}{self.numbers[sobject.name]:05d}"
        return numbered

    def checked(
        self, sobject: SObject, body: Mapping[str, Any], *, admin: bool, creating: bool
    ) -> Record:
        values: Record = {}
        for given, value in body.items():
            if given == "attributes":
                continue
            found = sobject.field(given)
            if found is None:
                message = f"No such column '{given}' on sobject of type {sobject.name}"
                raise Refusal(400, "INVALID_FIELD", message, (given,))
            if not found.writable and not admin:
                verb = "create" if creating else "update"
                message = (
                    f"Unable to {verb} fields: {found.name}. Please check the security settings "
                    "of this field and verify that it is read/write for your profile or "
                    "permission set."
                )
                raise Refusal(400, "INVALID_FIELD_FOR_INSERT_UPDATE", message, (found.name,))
            values[found.name] = self.value(sobject, found, value)
        return values

    def value(self, sobject: SObject, found: Field, value: Any) -> Any:
        if value is None:
            return None
        if found.type in NUMBERS:
            return number(found, value)
        if found.type == "boolean":
            return expect(found, value, isinstance(value, bool))
        expect(found, value, isinstance(value, str))
        if found.type == "date":
            return a_date(found, value)
        if found.type == "datetime":
            return a_datetime(found, value)
        if found.type == "reference":
            return self.reference(found, value)
        if len(value) > found.length:
            message = (
                f"{found.name}: data value too large: {value[:40]} (max length={found.length})"
            )
            raise Refusal(400, "STRING_TOO_LONG", message, (found.name,))
        return value

    def reference(self, found: Field, value: str) -> str:
        target = self.rows.get(self.sobject(found.reference_to).name, {})
        if value not in target:
            message = f"{found.name}: id value of incorrect type or not found: {value}"
            raise Refusal(400, "INVALID_CROSS_REFERENCE_KEY", message, (found.name,))
        return value

    def check_unique(self, sobject: SObject, values: Record, record_id: str) -> None:
        for name, value in values.items():
            if value is None or not sobject.fields[name.lower()].unique:
                continue
            for other in self.all(sobject.name):
                if other[name] == value and other["Id"] != record_id:
                    message = (
                        f"duplicate value found: {name} duplicates value on record with id: "
                        f"{other['Id']}"
                    )
                    raise Refusal(400, "DUPLICATE_VALUE", message, (name,))


def bad_value(found: Field, value: Any) -> Refusal:
    message = f"Cannot deserialize instance of {found.type} from value {value!r} ({found.name})"
    return Refusal(400, "JSON_PARSER_ERROR", message, (found.name,))


def expect(found: Field, value: Any, holds: bool) -> Any:
    if not holds:
        raise bad_value(found, value)
    return value


def number(found: Field, value: Any) -> Decimal:
    expect(found, value, isinstance(value, int | Decimal | float) and not isinstance(value, bool))
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-found.scale), ROUND_HALF_UP)


def a_date(found: Field, value: str) -> str:
    expect(found, value, bool(DATE.fullmatch(value)))
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise bad_value(found, value) from None


def a_datetime(found: Field, value: str) -> str:
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.replace("Z", "+00:00"))
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad_value(found, value) from None
    return sf_datetime(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
