"""Microsoft Entra ID's token endpoint as the simulator answers it: its refusals and the body
they come with."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

ENTRA_FAULTS = {
    "invalid_client": (401, "AADSTS7000215: Invalid client secret provided."),
    "unauthorized_client": (400, "AADSTS700016: Application not found in the directory."),
    "unsupported_grant_type": (400, "AADSTS70003: The app requested an unsupported grant type."),
    "invalid_scope": (400, "AADSTS70011: The provided value for the input parameter 'scope' "),
    "invalid_request": (400, "AADSTS90002: Tenant not found."),
}


def entra_error(code: str, description: str) -> dict[str, Any]:
    return {
        "error": code,
        "error_description": f"{description}\r\nTrace ID: {uuid.uuid4()}",
        "error_codes": [int(re.findall(r"AADSTS(\d+)", description)[0])],
        "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
