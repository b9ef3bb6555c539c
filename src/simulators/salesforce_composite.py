"""`POST /services/data/vXX.X/composite`: up to 25 subrequests run in order as one API call, a
later one naming an earlier one's result as `@{referenceId.field}` in its URL or body, each
with its own `httpHeaders` (If-Unmodified-Since, say). With
allOrNone, the first failure rolls every write back and every other subrequest answers 400
PROCESSING_HALTED; without it, only the subrequests that depend on a failed one are halted.
The answer is 200 either way, each subrequest's outcome inside it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from simulators.salesforce_records import Records, Refusal

MOST_SUBREQUESTS = 25  # [3p]
REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)\.([^}]+)\}")
REFERENCE_ID = re.compile(r"[A-Za-z0-9_]+")
SUBREQUEST_PATH = re.compile(r"/services/data/v(\d+\.\d)/(.+)")
ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)
# route(method, version, rest, query, body, headers) -> (status, headers, body)
Route = Callable[[str, str, str, str, Any, Mapping[str, str]], tuple[int, dict[str, str], Any]]


def halted(reference_id: str, message: str = ROLLED_BACK) -> dict[str, Any]:
    body = [{"errorCode": "PROCESSING_HALTED", "message": message}]
    return {"body": body, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference_id}


def run_composite(records: Records, route: Route, body: Any) -> dict[str, Any]:
    subrequests = checked_request(body)
    all_or_none = bool(body.get("allOrNone", False))
    saved = records.snapshot()
    results: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    failed = False
    for subrequest in subrequests:
        reference_id = subrequest["referenceId"]
        if failed and all_or_none:
            answers.append(halted(reference_id))
            continue
        answer = one(route, subrequest, results)
        answers.append(answer)
        if answer["httpStatusCode"] < 300:
            results[reference_id] = answer["body"]
        else:
            failed = True
    if failed and all_or_none:
        records.restore(saved)
        answers = [a if a["httpStatusCode"] >= 300 else halted(a["referenceId"]) for a in answers]
    return {"compositeResponse": answers}


def checked_request(body: Any) -> list[dict[str, Any]]:
    subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subrequests, list) or not subrequests:
        raise Refusal(400, "JSON_PARSER_ERROR", "compositeRequest is a list of subrequests")
    if len(subrequests) > MOST_SUBREQUESTS:
        # The error code over the limit is not confirmed; this one is the simulator's own.
        message = f"Composite requests may contain at most {MOST_SUBREQUESTS} subrequests"
        raise Refusal(400, "INVALID_BATCH_REQUEST", message)
    seen: set[str] = set()
    for subrequest in subrequests:
        reference_id = subrequest.get("referenceId") if isinstance(subrequest, dict) else None
        if not isinstance(reference_id, str) or not REFERENCE_ID.fullmatch(reference_id):
            message = f"Invalid referenceId: {reference_id!r}"
            raise Refusal(400, "INVALID_BATCH_REQUEST", message)
        if reference_id in seen:
            raise Refusal(400, "INVALID_BATCH_REQUEST", f"Duplicate referenceId: {reference_id}")
        seen.add(reference_id)
    return subrequests


def one(route: Route, subrequest: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    reference_id = subrequest["referenceId"]
    try:
        url = substituted(str(subrequest.get("url", "")), results)
        body = substituted(subrequest.get("body"), results)
    except LookupError as missing:
        return halted(reference_id, f"Invalid reference specified. {missing.args[0]}")
    parts = urlsplit(url)
    found = SUBREQUEST_PATH.fullmatch(parts.path)
    method = str(subrequest.get("method", "")).upper()
    try:
        if found is None or found[2] == "composite":
            raise Refusal(400, "INVALID_BATCH_REQUEST", f"Not a composite subrequest: {url}")
        given = subrequest.get("httpHeaders") or {}
        if not isinstance(given, dict):
            raise Refusal(400, "INVALID_BATCH_REQUEST", "httpHeaders is an object of headers")
        status, headers, answer = route(method, found[1], found[2], parts.query, body, given)
    except Refusal as refusal:
        status, headers, answer = refusal.status, {}, refusal.body
    return {
        "body": answer,
        "httpHeaders": headers,
        "httpStatusCode": status,
        "referenceId": reference_id,
    }


def substituted(value: Any, results: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: substituted(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [substituted(v, results) for v in value]
    if not isinstance(value, str):
        return value
    whole = REFERENCE.fullmatch(value)
    if whole:
        return referenced(whole, results)
    return REFERENCE.sub(lambda m: str(referenced(m, results)), value)


def referenced(reference: re.Match[str], results: dict[str, Any]) -> Any:
    reference_id, path = reference[1], reference[2]
    if reference_id not in results:
        raise LookupError(f"No response for {reference_id}.")
    value = results[reference_id]
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        try:
            value = value[int(step[1:-1])] if step.startswith("[") else value[step]
        except (KeyError, IndexError, TypeError):
            raise LookupError(
                f"No value for {reference_id}.{path} found in {reference_id}."
            ) from None
    return value
