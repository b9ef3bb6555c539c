"""Usage uploaded to a Zuora tenant as a CSV file (`POST /v1/usage`, multipart form data, the
file in the `file` part): the columns of Zuora's usage template, dates in the user's locale,
and the whole file imported or none of it. A record whose UNIQUE_KEY the tenant holds already
(from an earlier file, or earlier in the same one) is not imported again: the import completes
without it, and its ImportedCount says how many records it did import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from simulators.zuora_records import (
    GENERAL,
    INVALID,
    MALFORMED,
    MISSING,
    USAGE,
    Refusal,
    Tenant,
    a_number,
    now,
    refused,
)

REQUIRED_COLUMNS = ("ACCOUNT_ID", "UOM", "QTY", "STARTDATE")
COLUMNS = frozenset(
    {*REQUIRED_COLUMNS, "ENDDATE", "SUBSCRIPTION_ID", "CHARGE_ID", "DESCRIPTION", "UNIQUE_KEY"}
)
LONGEST_FILE_NAME = 50
LARGEST_FILE = 4 * 1024 * 1024


class RowError(Exception):
    """A row the import cannot take: the whole file fails, naming it."""


def uploaded_file(content_type: str, body: bytes) -> tuple[str, bytes]:
    """The `file` part's name and content, from a multipart/form-data body."""
    if not content_type.startswith("multipart/form-data"):
        raise refused(GENERAL, MALFORMED, "The usage file must be sent as multipart/form-data.")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_param("name", header="content-disposition") == "file":
            content = part.get_payload(decode=True)
            return str(part.get_filename() or ""), content if isinstance(content, bytes) else b""
    raise refused(USAGE, MISSING, "The request has no file part named 'file'.")


def check_file(name: str, content: bytes) -> None:
    if not name.lower().endswith(".csv"):
        raise refused(USAGE, INVALID, "The usage file must be a .csv file.")
    if len(name) > LONGEST_FILE_NAME:
        raise refused(USAGE, INVALID, f"The file name is longer than {LONGEST_FILE_NAME}.")
    if len(content) > LARGEST_FILE:
        raise refused(USAGE, INVALID, "The usage file is larger than 4 MB.")


def start_import(tenant: Tenant, name: str, content: bytes) -> dict[str, Any]:
    """Recorded and processed at once; its status shows Pending until it is first looked at."""
    check_file(name, content)
    import_id = tenant.new_id()
    job: dict[str, Any] = {
        "Id": import_id,
        "Name": name,
        "ImportType": "Usage",
        "Status": "Pending",
        "TotalCount": 0,
        "ImportedCount": 0,
        "StatusReason": "",
        "CreatedDate": now(),
        "polls": 0,
    }
    tenant.imports[import_id] = job
    try:
        rows = parsed_rows(tenant, content)
    except RowError as error:
        job.update(Status="Failed", StatusReason=str(error))
        return job
    held = tenant.held_unique_keys()
    fresh = []
    for row in rows:
        key = row.get("uniqueKey")
        if key and key in held:
            continue
        if key:
            held.add(key)
        fresh.append(row)
    for row in fresh:
        tenant.usage[row["id"]] = {**row, "importId": import_id}
    job.update(TotalCount=len(rows), ImportedCount=len(fresh))
    return job


def parsed_rows(tenant: Tenant, content: bytes) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RowError("The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise RowError(f"Invalid header: missing {missing}, unknown {unknown}.")
    return [row_of(tenant, number, row) for number, row in enumerate(reader, start=2)]


def row_of(tenant: Tenant, line: int, row: dict[str, str | None]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    for name in REQUIRED_COLUMNS:
        if not cell(name):
            raise RowError(f"Line {line}: {name} is required.")
    account = next(
        (a for a in tenant.accounts.values() if a["accountNumber"] == cell("ACCOUNT_ID")), None
    )
    if account is None:
        raise RowError(f"Line {line}: no account numbered {cell('ACCOUNT_ID')}.")
    if cell("UOM") not in tenant.units:
        raise RowError(f"Line {line}: unknown unit of measure {cell('UOM')}.")
    try:
        quantity = a_number(cell("QTY"), USAGE, "QTY")
    except Refusal:
        raise RowError(f"Line {line}: QTY {cell('QTY')!r} is not a number.") from None
    start = a_day(tenant, line, "STARTDATE", cell("STARTDATE"))
    end = a_day(tenant, line, "ENDDATE", cell("ENDDATE")) if cell("ENDDATE") else start
    subscription = charged(tenant, line, account, cell("SUBSCRIPTION_ID"), cell("CHARGE_ID"))
    if subscription and cell("CHARGE_ID"):
        charge = next(
            c
            for plan in subscription["ratePlans"]
            for c in plan["ratePlanCharges"]
            if c["number"] == cell("CHARGE_ID")
        )
        if charge["type"] != "Usage" or charge["uom"] != cell("UOM"):
            raise RowError(f"Line {line}: charge {cell('CHARGE_ID')} takes no {cell('UOM')}.")
    return {
        "id": tenant.new_id(),
        "accountNumber": account["accountNumber"],
        "subscriptionNumber": cell("SUBSCRIPTION_ID") or None,
        "chargeNumber": cell("CHARGE_ID") or None,
        "unitOfMeasure": cell("UOM"),
        "quantity": quantity,
        "startDateTime": start,
        "endDateTime": end,
        "description": cell("DESCRIPTION"),
        "uniqueKey": cell("UNIQUE_KEY") or None,
    }


def charged(
    tenant: Tenant, line: int, account: dict[str, Any], number: str, charge: str
) -> dict[str, Any] | None:
    if not number:
        if charge:
            raise RowError(f"Line {line}: CHARGE_ID needs a SUBSCRIPTION_ID.")
        return None
    found = next(
        (s for s in tenant.subscriptions.values() if s["subscriptionNumber"] == number), None
    )
    if found is None or found["accountId"] != account["id"]:
        raise RowError(
            f"Line {line}: no subscription {number} on account {account['accountNumber']}."
        )
    numbers = {c["number"] for plan in found["ratePlans"] for c in plan["ratePlanCharges"]}
    if charge and charge not in numbers:
        raise RowError(f"Line {line}: no charge {charge} on subscription {number}.")
    return found


def a_day(tenant: Tenant, line: int, column: str, value: str) -> str:
    try:
        return dt.datetime.strptime(value, tenant.date_format).date().isoformat()
    except ValueError:
        raise RowError(
            f"Line {line}: {column} {value!r} is not a date in the format {tenant.date_format}."
        ) from None


def import_status(tenant: Tenant, import_id: str) -> dict[str, Any]:
    """What `checkImportStatus` shows: Pending the first time it is looked at, then the end."""
    job = tenant.imports.get(import_id)
    if job is None:
        raise refused(USAGE, 40, f"Cannot find the usage import {import_id}.")
    job["polls"] += 1
    if job["Status"] == "Pending" and job["polls"] > 1:
        job["Status"] = "Completed"
    return {"success": True, "importStatus": job["Status"], "message": job["StatusReason"]}


def import_object(tenant: Tenant, import_id: str) -> dict[str, Any]:
    job = tenant.imports.get(import_id)
    if job is None:
        raise refused(USAGE, 40, f"Cannot find the import {import_id}.")
    return {k: v for k, v in job.items() if k != "polls"}
