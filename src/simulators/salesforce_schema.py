"""The sObjects a simulated Salesforce org knows, each with its fields: their type, whether a
create must give them, whether the API may write them, external ids and lookups. Names are
matched without regard to case, as Salesforce does, and answered in their own spelling.

An org starts with the standard objects o2c reads (Account, Opportunity, OpportunityStage) and
the custom objects and fields of o2c's default mapping; a firm's own fields, or another
product's objects on the same org (Certinia's `pse__` objects), are registered as more schemas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

TYPES = frozenset(
    {"id", "string", "picklist", "textarea", "boolean", "currency", "double", "percent", "int"}
    | {"date", "datetime", "reference"}
)
NUMBERS = frozenset({"currency", "double", "percent", "int"})


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    required: bool = False  # a create must give it, an update may not clear it
    writable: bool = True
    external_id: bool = False
    unique: bool = False
    reference_to: str = ""  # the sObject a lookup points at
    relationship: str = ""  # the lookup's name in SOQL paths: Account for AccountId
    length: int = 255
    scale: int = 2
    auto_number: str = ""  # e.g. "IST-" for a Name numbered by the org

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: unknown field type {self.type!r}")
        if self.type == "reference" and not (self.reference_to and self.relationship):
            raise ValueError(f"{self.name}: a lookup names its sObject and its relationship")


def lookup(name: str, to: str, *, required: bool = False) -> Field:
    relationship = name.removesuffix("Id") if name.endswith("Id") else name[:-1] + "r"
    return Field(name, "reference", required, reference_to=to, relationship=relationship)


SYSTEM_FIELDS = (
    Field("Id", "id", writable=False),
    Field("CreatedDate", "datetime", writable=False),
    Field("LastModifiedDate", "datetime", writable=False),
    Field("SystemModstamp", "datetime", writable=False),
)


@dataclass(frozen=True)
class SObject:
    name: str
    key_prefix: str  # the first three characters of its record ids
    fields: Mapping[str, Field] = field(default_factory=dict)  # by lower-case name

    @staticmethod
    def of(name: str, key_prefix: str, *fields: Field) -> SObject:
        return SObject(name, key_prefix, by_name((*SYSTEM_FIELDS, *fields)))

    def with_fields(self, *fields: Field) -> SObject:
        return replace(self, fields={**self.fields, **by_name(fields)})

    def field(self, name: str) -> Field | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        return next(
            (f for f in self.fields.values() if f.relationship.lower() == name.lower()), None
        )


def by_name(fields: Iterable[Field]) -> dict[str, Field]:
    return {f.name.lower(): f for f in fields}


class Schemas:
    """The org's sObjects by name; register more to simulate more of the org."""

    def __init__(self, sobjects: Iterable[SObject] = ()) -> None:
        self._sobjects: dict[str, SObject] = {}
        for sobject in sobjects:
            self.register(sobject)

    def register(self, sobject: SObject) -> None:
        self._sobjects[sobject.name.lower()] = sobject

    def add_fields(self, name: str, *fields: Field) -> None:
        self.register(self.get_required(name).with_fields(*fields))

    def get(self, name: str) -> SObject | None:
        return self._sobjects.get(name.lower())

    def get_required(self, name: str) -> SObject:
        sobject = self.get(name)
        if sobject is None:
            raise KeyError(name)
        return sobject

    def by_prefix(self, record_id: str) -> SObject | None:
        return next(
            (s for s in self._sobjects.values() if record_id.startswith(s.key_prefix)), None
        )


def money(name: str) -> Field:
    return Field(name, "currency", scale=2)


CURRENCY = Field("CurrencyIsoCode", "picklist", length=3)  # a multi-currency org

ACCOUNT = SObject.of(
    "Account",
    "001",
    Field("Name", required=True),
    Field("AccountNumber", length=40),
    Field("Industry", "picklist"),
    Field("BillingCountry", length=80),
    Field("BillingCountryCode", "picklist", length=2),
    CURRENCY,
    Field("o2c_VAT_Number__c", length=40),
    Field("o2c_Legal_Entity__c", length=20),
)
OPPORTUNITY = SObject.of(
    "Opportunity",
    "006",
    Field("Name", required=True, length=120),
    lookup("AccountId", "Account"),
    Field("StageName", "picklist", required=True),
    Field("CloseDate", "date", required=True),
    money("Amount"),
    Field("Probability", "percent", scale=0),
    CURRENCY,
    Field("o2c_Legal_Entity__c", length=20),
    Field("o2c_Billing_Method__c", "picklist"),
    Field("o2c_Start_Date__c", "date"),
    Field("o2c_End_Date__c", "date"),
    Field("o2c_Payment_Terms_Days__c", "double", scale=0),
    Field("o2c_Engagement_Id__c", length=64),
    Field("o2c_Engagement_Status__c", "picklist"),
    Field("o2c_Exception_Id__c", length=64),
)
OPPORTUNITY_STAGE = SObject.of(
    "OpportunityStage",
    "01J",
    Field("ApiName", writable=False),
    Field("MasterLabel", writable=False),
    Field("IsActive", "boolean", writable=False),
    Field("IsClosed", "boolean", writable=False),
    Field("IsWon", "boolean", writable=False),
    Field("SortOrder", "int", writable=False),
    Field("DefaultProbability", "percent", writable=False),
)
RATE_CARD_LINE = SObject.of(
    "o2c_Rate_Card_Line__c",
    "a01",
    Field("Name", writable=False, auto_number="RCL-"),
    lookup("o2c_Opportunity__c", "Opportunity", required=True),
    Field("o2c_Role__c", required=True, length=80),
    money("o2c_Rate__c"),
    CURRENCY,
)
WORK_PACKAGE = SObject.of(
    "o2c_Work_Package__c",
    "a02",
    Field("Name", required=True, length=80),
    lookup("o2c_Opportunity__c", "Opportunity", required=True),
    Field("o2c_Code__c", required=True, length=20),
    Field("o2c_Region__c", length=40),
    Field("o2c_Delivering_Legal_Entity__c", length=20),
)
INVOICE_STATUS = SObject.of(
    "o2c_Invoice_Status__c",
    "a03",
    Field("Name", writable=False, auto_number="IST-"),
    Field("o2c_Key__c", external_id=True, unique=True),
    lookup("o2c_Account__c", "Account", required=True),
    Field("o2c_Invoice_Number__c", required=True, length=40),
    Field("o2c_Status__c", "picklist"),
    CURRENCY,
    money("o2c_Total__c"),
    money("o2c_Paid__c"),
    money("o2c_Balance__c"),
    Field("o2c_As_Of__c", "datetime"),
)

# Salesforce's default sales process [3p for the list; each org edits its own].
STANDARD_STAGES = (
    ("Prospecting", False, False, 10),
    ("Qualification", False, False, 10),
    ("Needs Analysis", False, False, 20),
    ("Value Proposition", False, False, 50),
    ("Id. Decision Makers", False, False, 60),
    ("Perception Analysis", False, False, 70),
    ("Proposal/Price Quote", False, False, 75),
    ("Negotiation/Review", False, False, 90),
    ("Closed Won", True, True, 100),
    ("Closed Lost", True, False, 0),
)


def default_schemas() -> Schemas:
    return Schemas(
        [ACCOUNT, OPPORTUNITY, OPPORTUNITY_STAGE, RATE_CARD_LINE, WORK_PACKAGE, INVOICE_STATUS]
    )
