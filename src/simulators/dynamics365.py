"""Microsoft Dynamics 365 Finance & Operations as o2c meets it on the wire: Entra ID client
credentials, the OData service root `/data/` with `CustomersV3`, `FreeTextInvoiceHeaders`,
`FreeTextInvoiceLines` and a customer payment journal on the receivable side, `VendorsV2`,
`VendorInvoiceHeaders` and `VendorInvoiceLines` on the payable side, a customer's credit limit
and hold on `CustomersV3` and its open transactions, `$batch` with atomic
changesets, company visibility by `dataAreaId` and `cross-company=true`, server paging, 429 with
Retry-After over the concurrency limit, and D365's error body.

Invoice headers of both sides carry a posting profile, defaulted as the module parameters do
and refused when it is not set up; a vendor invoice needs a known vendor and an invoice number
not yet used for that vendor (accounts payable's duplicate check). A credit note on either side
is an invoice with negative amounts whose reference to the original invoice must name one the
company holds for the same customer or vendor.

Field names beyond the five header fields vendors.md lists are this simulator's own (the
document number, the credited invoice, line amounts, the payment journal): gaps in vendors.md,
which the adapter takes from its settings. The vendor's side: it imports nothing of o2c's.

The master data the environment's users keep (legal entities and their ledgers, tax codes and
their values, financial dimension values, customers made by hand) is kept through `keep` and
`enter_customer`, and read-only on the wire: see dynamics365_master. A $filter or $select
naming a property the entity does not have is refused, as D365 refuses it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import secrets
import threading
import time
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

from simulators.dynamics365_batch import Operation, http_part, parse_batch
from simulators.dynamics365_entra import ENTRA_FAULTS, entra_error
from simulators.dynamics365_master import SHARED
from simulators.dynamics365_odata import (
    DEFAULTS,
    INVOICE_HEADER_SETS,
    KEYS,
    OPEN_TRANSACTIONS_SET,
    PAYMENT_SET,
    REFERENCES,
    WRITABLE_SETS,
    Answer,
    Key,
    ODataError,
    Row,
    add_to_total,
    check_fields,
    check_invoice_number_unused,
    check_original_held,
    check_posting_profile,
    check_properties,
    context,
    decoded,
    duplicate,
    key_of,
    matches,
    open_transactions,
    parse_entity_path,
    parse_filter,
    selected,
    selected_names,
    split_target,
    throttled,
)


class Dynamics365Simulator:
    def __init__(
        self,
        *,
        tenant: str = "contoso.onmicrosoft.com",
        client_id: str = "o2c-client",
        client_secret: str = "o2c-secret",
        companies: tuple[str, ...] = ("USMF", "GBSI", "DEMF"),
        default_company: str = "USMF",
        concurrency_limit: int = 52,
        page_size: int = 10_000,
        token_lifetime: int = 3599,
        posting_profiles: tuple[str, ...] = ("GEN", "IC", "OPEN"),
    ) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.companies = companies
        self.default_company = default_company
        self.concurrency_limit = concurrency_limit
        self.page_size = page_size
        self.token_lifetime = token_lifetime
        self.posting_profiles = posting_profiles  # the first is the parameters' default
        self.tables: dict[str, dict[Key, Row]] = {name: {} for name in KEYS}
        self.lock = threading.RLock()
        self.tokens: dict[str, float] = {}
        self.in_flight = 0
        self.most_concurrent = 0
        self.requests_seen = 0
        self.token_requests = 0
        self.throttle_next = 0
        self.throttle_retry_after = 1
        self.answers_to_lose = 0
        self.lookups_to_miss = 0
        self.hold_seconds = 0.0
        self.server: ThreadingHTTPServer | None = None
        self.customer_numbers = 0
        for company in companies:
            self.keep("LegalEntities", unnamed_legal_entity(company))
            self.keep("Ledgers", {"LegalEntityId": company, "AccountingCurrency": "USD"})

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Dynamics365Simulator:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the simulator first"
        return f"http://127.0.0.1:{self.server.server_port}"

    # -- test hooks ------------------------------------------------------------------------
    def throttle(self, requests: int, retry_after: int = 1) -> None:
        """Answer the next `requests` data calls with 429 and Retry-After: a storm."""
        with self.lock:
            self.throttle_next = requests
            self.throttle_retry_after = retry_after

    def lose_next_answer(self) -> None:
        """Commit the next write, then drop the connection before answering."""
        with self.lock:
            self.answers_to_lose += 1

    def miss_next_lookups(self, count: int) -> None:
        """Answer the next invoice header queries (either side) as if nothing were there yet."""
        with self.lock:
            self.lookups_to_miss = count

    def answer_slowly(self, seconds: float) -> None:
        """Take this long over every data call, so that calls overlap (or time out)."""
        self.hold_seconds = seconds

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def rows(self, entity_set: str) -> list[Row]:
        with self.lock:
            return copy.deepcopy(list(self.tables[entity_set].values()))

    def receive_payment(
        self,
        *,
        company: str,
        payment_reference: str,
        document_number: str,
        amount: Decimal,
        currency: str,
        received_on: dt.date,
    ) -> None:
        """The ERP's cash application: a payment journal line marked against the invoice."""
        with self.lock:
            header = next(
                row
                for row in self.tables["FreeTextInvoiceHeaders"].values()
                if row["dataAreaId"] == company and row.get("DocumentNumber") == document_number
            )
            journal = self.tables[PAYMENT_SET]
            line = {
                "dataAreaId": company,
                "JournalBatchNumber": "CPJ-000001",
                "LineNumber": len(journal) + 1,
                "TransactionDate": f"{received_on.isoformat()}T12:00:00Z",
                "AccountDisplayValue": header["CustomerAccount"],
                "MarkedInvoice": header["InvoiceIdentifier"],
                "PaymentReference": payment_reference,
                "CreditAmount": amount,
                "CurrencyCode": currency,
            }
            journal[key_of(PAYMENT_SET, line)] = line

    def set_credit(
        self,
        *,
        company: str,
        customer_account: str,
        credit_limit: Decimal,
        mandatory: bool,
        on_hold: str,
    ) -> None:
        """The customer's credit management: a limit of 0 is none unless it is mandatory;
        on_hold is the CustVendorBlocked member ("No", "Invoice", "All", ...)."""
        changes = {
            "CreditLimit": credit_limit,
            "CreditLimitIsMandatory": "Yes" if mandatory else "No",
            "OnHoldStatus": on_hold,
        }
        with self.lock:
            if (company, customer_account) not in self.tables["CustomersV3"]:
                raise LookupError(f"no customer {customer_account} in company {company}")
            self.update(self.tables, "CustomersV3", (company, customer_account), changes)

    def keep(self, entity_set: str, row: Row) -> None:
        """Master data as the environment's users keep it: created, or replaced, by its key."""
        with self.lock:
            row = {**DEFAULTS.get(entity_set, {}), **row}
            check_fields(entity_set, row, creating=True)
            if entity_set == "LegalEntities" and row["LegalEntityId"] not in self.companies:
                self.companies = (*self.companies, row["LegalEntityId"])
            if entity_set not in SHARED:
                self.check_company(row["dataAreaId"])
            self.check_references(self.tables, entity_set, row)
            self.tables[entity_set][key_of(entity_set, row)] = row

    def enter_customer(self, row: Row) -> str:
        """A customer made in the client: its account from the customer number sequence."""
        with self.lock:
            self.customer_numbers += 1
            account = f"CUS-{self.customer_numbers:06d}"
            self.keep("CustomersV3", {**row, "CustomerAccount": account})
            return account

    # -- the wire --------------------------------------------------------------------------
    def admit(self) -> Answer | None:
        """A data call may go on, or is refused as over the limit (or by a storm)."""
        with self.lock:
            self.requests_seen += 1
            self.in_flight += 1
            self.most_concurrent = max(self.most_concurrent, self.in_flight)
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return throttled(self.throttle_retry_after)
            if self.in_flight > self.concurrency_limit:
                return throttled(1)
        return None

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def authorised(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        with self.lock:
            expiry = self.tokens.get(token)
        return header.startswith("Bearer ") and expiry is not None and expiry > time.monotonic()

    def issue_token(self, tenant: str, form: dict[str, str]) -> Answer:
        with self.lock:
            self.token_requests += 1
        fault = self.token_fault(tenant, form)
        if fault:
            status, description = ENTRA_FAULTS[fault]
            return Answer(status, entra_error(fault, description))
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
        body = {"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token}
        return Answer(200, body)

    def token_fault(self, tenant: str, form: dict[str, str]) -> str:
        if tenant != self.tenant:
            return "invalid_request"
        if form.get("grant_type") != "client_credentials":
            return "unsupported_grant_type"
        if form.get("client_id") != self.client_id:
            return "unauthorized_client"
        if not secrets.compare_digest(form.get("client_secret", ""), self.client_secret):
            return "invalid_client"
        if form.get("scope") != f"{self.url}/.default":
            return "invalid_scope"
        return ""

    def handle(self, method: str, target: str, body: bytes, content_type: str) -> Answer:
        path, query = split_target(target)
        if path == "/data/$batch" and method == "POST":
            return self.batch(body, content_type)
        entity_set, key = parse_entity_path(path)
        if method == "GET":
            return self.read(entity_set, key, query)
        with self.lock:
            return self.write(self.tables, method, entity_set, key, decoded(body))

    def read(self, entity_set: str, key: Key | None, query: dict[str, str]) -> Answer:
        cross_company = query.get("cross-company", "").lower() == "true"
        with self.lock:
            held = (
                open_transactions(self.tables)
                if entity_set == OPEN_TRANSACTIONS_SET
                else self.tables[entity_set].values()
            )
            rows = [
                copy.deepcopy(row)
                for row in held
                if entity_set in SHARED
                or cross_company
                or row["dataAreaId"] == self.default_company
            ]
            if entity_set in INVOICE_HEADER_SETS and self.lookups_to_miss > 0:
                self.lookups_to_miss -= 1
                rows = []
        if key is not None:
            found = [row for row in rows if key_of(entity_set, row) == key]
            if not found:
                raise ODataError(404, "No resources were found when selecting for update.")
            return Answer(200, {"@odata.context": context(self.url, entity_set), **found[0]})
        return Answer(200, self.page(entity_set, rows, query))

    def page(self, entity_set: str, rows: list[Row], query: dict[str, str]) -> Row:
        clauses = parse_filter(query.get("$filter", ""))
        check_properties(entity_set, [name for name, _, _ in clauses])
        check_properties(entity_set, selected_names(query.get("$select", "")))
        rows = [row for row in rows if matches(row, clauses)]
        rows.sort(key=lambda row: key_of(entity_set, row))
        skip = int(query.get("$skiptoken", query.get("$skip", "0")))
        top = int(query.get("$top", str(len(rows))))
        window = rows[skip : skip + min(top, self.page_size)]
        body: Row = {
            "@odata.context": context(self.url, entity_set),
            "value": [selected(row, query.get("$select", "")) for row in window],
        }
        if skip + self.page_size < min(len(rows), skip + top):
            rest = {k: v for k, v in query.items() if k not in ("$skip", "$skiptoken")}
            rest["$skiptoken"] = str(skip + self.page_size)
            body["@odata.nextLink"] = f"{self.url}/data/{entity_set}?{urlencode(rest)}"
        return body

    def write(
        self,
        tables: dict[str, dict[Key, Row]],
        method: str,
        entity_set: str,
        key: Key | None,
        row: Row,
    ) -> Answer:
        if entity_set not in WRITABLE_SETS:
            raise ODataError(405, f"The entity set '{entity_set}' is read-only.")
        if method == "POST" and key is None:
            created = self.create(tables, entity_set, row)
            return Answer(201, {"@odata.context": context(self.url, entity_set), **created})
        if method == "PATCH" and key is not None:
            self.update(tables, entity_set, key, row)
            return Answer(204)
        raise ODataError(405, f"{method} is not supported on this resource.")

    def create(self, tables: dict[str, dict[Key, Row]], entity_set: str, row: Row) -> Row:
        row = {**DEFAULTS.get(entity_set, {}), **row}
        check_fields(entity_set, row, creating=True)
        self.check_company(row["dataAreaId"])
        self.check_references(tables, entity_set, row)
        key = key_of(entity_set, row)
        if key in tables[entity_set]:
            raise duplicate(entity_set, key)
        if entity_set in INVOICE_HEADER_SETS:
            row.setdefault("PostingProfile", self.posting_profiles[0])
            check_posting_profile(row, self.posting_profiles)
            check_original_held(tables, entity_set, row)
        if entity_set == "VendorInvoiceHeaders":
            check_invoice_number_unused(tables, row)
        tables[entity_set][key] = row
        if entity_set == "FreeTextInvoiceLines":
            add_to_total(tables, row)
        return copy.deepcopy(row)

    def update(
        self, tables: dict[str, dict[Key, Row]], entity_set: str, key: Key, row: Row
    ) -> None:
        check_fields(entity_set, row, creating=False)
        current = tables[entity_set].get(key)
        if current is None:
            raise ODataError(404, "No resources were found when selecting for update.")
        if any(row.get(name, current[name]) != current[name] for name in KEYS[entity_set]):
            raise ODataError(400, "Key fields cannot be changed.")
        current.update(row)

    def check_company(self, company: str) -> None:
        if company not in self.companies:
            raise ODataError(
                400,
                "An error has occurred.",
                f"Company '{company}' does not exist. The legal entity (dataAreaId) is unknown.",
            )

    def check_references(
        self, tables: dict[str, dict[Key, Row]], entity_set: str, row: Row
    ) -> None:
        if entity_set not in REFERENCES:
            return
        parent, fields, message = REFERENCES[entity_set]
        company, reference = (row[name] for name in fields)
        if (company, reference) not in tables[parent]:
            raise ODataError(400, "An error has occurred.", message.format(reference, company))

    def batch(self, body: bytes, content_type: str) -> Answer:
        parts = parse_batch(body, content_type)
        boundary = f"batchresponse_{uuid.uuid4()}"
        answers = [self.changeset(operations) for operations in parts]
        text = "".join(f"--{boundary}\r\n{answer}" for answer in answers) + f"--{boundary}--\r\n"
        return Answer(200, text.encode(), {"Content-Type": f"multipart/mixed; boundary={boundary}"})

    def changeset(self, operations: list[Operation]) -> str:
        """All or nothing: applied to a copy of the tables, kept only when every one succeeds."""
        with self.lock:
            tables = copy.deepcopy(self.tables)
            try:
                answers = [self.apply(tables, operation) for operation in operations]
            except ODataError as error:
                return http_part(error.status, error.body())
            self.tables = tables
        boundary = f"changesetresponse_{uuid.uuid4()}"
        inner = "".join(
            f"--{boundary}\r\nContent-ID: {operation.content_id}\r\n{http_part(a.status, a.body)}"
            for operation, a in zip(operations, answers, strict=True)
        )
        return (
            f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{inner}--{boundary}--\r\n"
        )

    def apply(self, tables: dict[str, dict[Key, Row]], operation: Operation) -> Answer:
        path, _ = split_target(operation.target(self.url))
        entity_set, key = parse_entity_path(path)
        return self.write(tables, operation.method, entity_set, key, decoded(operation.body))


def unnamed_legal_entity(company: str) -> Row:
    """A company its users have not described yet: a US one, keeping its books in USD."""
    return {"LegalEntityId": company, "Name": company, "AddressCountryRegionId": "USA"}


def handler_for(simulator: Dynamics365Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.serve("GET")

        def do_POST(self) -> None:
            self.serve("POST")

        def do_PATCH(self) -> None:
            self.serve("PATCH")

        def serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            token_path = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", self.path)
            if token_path and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
                return self.answer(simulator.issue_token(token_path.group(1), form))
            refusal = simulator.admit()
            try:
                answer = refusal or self.data_call(method, body)
            finally:
                simulator.leave()
            if answer.status < 300 and method != "GET" and self.lose_answer():
                self.close_connection = True
                return None
            return self.answer(answer)

        def data_call(self, method: str, body: bytes) -> Answer:
            if not simulator.authorised(self.headers.get("Authorization", "")):
                return Answer(401, None, {"WWW-Authenticate": "Bearer"})
            if simulator.hold_seconds:
                time.sleep(simulator.hold_seconds)
            try:
                return simulator.handle(
                    method, self.path, body, self.headers.get("Content-Type", "")
                )
            except ODataError as error:
                return Answer(error.status, error.body())

        def lose_answer(self) -> bool:
            with simulator.lock:
                lose = simulator.answers_to_lose > 0
                simulator.answers_to_lose -= int(lose)
            return lose

        def answer(self, answer: Answer) -> None:
            payload = answer.body if isinstance(answer.body, bytes) else b""
            if answer.body is not None and not isinstance(answer.body, bytes):
                payload = json.dumps(answer.body, default=float).encode()
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json; odata.metadata=minimal", **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
