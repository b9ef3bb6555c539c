"""Each invoice's payment status on the account: one record per account and invoice, found by
its external id. A late status never goes back in time: o2c reads the record first and leaves it
when it holds a newer as_of; otherwise it writes on condition that nobody wrote in between. An
update carries If-Unmodified-Since with the LastModifiedDate o2c read, a create needs the key
still free (the external id is unique); either refused means someone did write, so o2c reads
again and decides again. Many statuses go 25 to a composite request, read in one query each.

Salesforce's If-Unmodified-Since is a weak validator, to the second (ETags are for Accounts
only): a write landing in the same second as the change o2c read is not seen by it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from adapters.vendors.salesforce import payloads
from adapters.vendors.salesforce.client import MOST_SUBREQUESTS, SalesforceClient, Subrequest
from adapters.vendors.salesforce.errors import SYSTEM, SalesforceRejected, reading
from adapters.vendors.salesforce.mapping import SalesforceMapping
from adapters.vendors.salesforce.payloads import StoredStatus, status_key
from application.crm_ports import AccountPaymentStatus
from application.errors import VendorUnavailable

MOST_ATTEMPTS = 5
T = TypeVar("T")


class PaymentStatuses:
    def __init__(self, client: SalesforceClient, mapping: SalesforceMapping) -> None:
        self.client = client
        self.mapping = mapping

    def record(self, status: AccountPaymentStatus) -> str:
        return self.until_unchanged(lambda: self.write([status])[0])

    def record_many(self, statuses: Sequence[AccountPaymentStatus]) -> list[str]:
        written: list[str] = []
        for start in range(0, len(statuses), MOST_SUBREQUESTS):
            batch = statuses[start : start + MOST_SUBREQUESTS]
            written += self.until_unchanged(lambda batch=batch: self.write(batch))
        return written

    def until_unchanged(self, write: Callable[[], T]) -> T:
        for _ in range(MOST_ATTEMPTS):
            try:
                return write()
            except SalesforceRejected as refused:
                if not self.written_meanwhile(refused):
                    raise
        raise VendorUnavailable(SYSTEM, "payment status records kept changing while o2c wrote")

    def write(self, statuses: Sequence[AccountPaymentStatus]) -> list[str]:
        stored = self.stored(statuses)
        ids = {key: found.record_id for key, found in stored.items()}
        sending = {
            key: request
            for index, (key, status) in enumerate(newest_by_key(statuses).items())
            if (request := self.request(status, stored.get(key), f"status{index}")) is not None
        }
        for key, body in zip(sending, self.send(list(sending.values())), strict=True):
            ids[key] = ids.get(key) or created_id(body)
        return [ids[status_key(status)] for status in statuses]

    def request(
        self, status: AccountPaymentStatus, stored: StoredStatus | None, reference: str
    ) -> Subrequest | None:
        """The write the status needs: none over a newer one, a create, or a conditional update."""
        sobject = self.mapping.payment_status.object
        if stored is None:
            body = payloads.new_status_body(self.mapping, status)
            return Subrequest("POST", f"sobjects/{sobject}", reference, body)
        if stored.newer_than(status):
            return None
        url = f"sobjects/{sobject}/{stored.record_id}"
        body = payloads.status_body(self.mapping, status)
        return Subrequest("PATCH", url, reference, body, stored.unmodified_since)

    def send(self, requests: list[Subrequest]) -> list[Any]:
        """The answers' bodies: one request on its own, more as one composite written whole or
        not at all."""
        if len(requests) > 1:
            return [reply.body for reply in self.client.composite(requests, all_or_none=True)]
        return [
            self.client.call(r.method, r.url, body=r.body, headers=dict(r.headers)).body
            for r in requests
        ]

    def stored(self, statuses: Sequence[AccountPaymentStatus]) -> dict[str, StoredStatus]:
        keys = list(dict.fromkeys(status_key(status) for status in statuses))
        rows = self.client.query(payloads.stored_statuses_query(self.mapping, keys))
        with reading(f"{self.mapping.payment_status.object} records"):
            return dict(payloads.stored_status(self.mapping, row) for row in rows)

    def written_meanwhile(self, refused: SalesforceRejected) -> bool:
        """Changed since read (412), removed (404), or made by another writer first."""
        key = self.mapping.payment_status["external_id"].lower()
        taken = "DUPLICATE_VALUE" in refused.codes and key in {f.lower() for f in refused.fields}
        return refused.status in (404, 412) or taken


def newest_by_key(statuses: Sequence[AccountPaymentStatus]) -> dict[str, AccountPaymentStatus]:
    """One status per record: the newest, the later one sent when two are as old."""
    newest: dict[str, AccountPaymentStatus] = {}
    for status in statuses:
        key = status_key(status)
        if key not in newest or status.as_of >= newest[key].as_of:
            newest[key] = status
    return newest


def created_id(body: Any) -> str:
    with reading("the created payment status"):
        return str(body["id"])
