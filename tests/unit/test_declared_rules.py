"""Every rule `proto/` declares with protovalidate on what a caller can send is enforced before
any handler runs, naming the field as the caller wrote it; a rule declared in a proto and
nowhere else is enforced too."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from attrs import frozen
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor
from google.protobuf.message import Message
from support.billing_requests import (
    amendment,
    batch_of,
    billing_cycle,
    closed_won_with_terms,
    credit_note,
    expense,
    fixed_fee,
    payment,
    raised_cap,
    time_and_materials,
)
from support.erp_routes import cutover_request, route_request
from support.requests import closed_won, time_entry, usd

from adapters.declared_lengths import reachable_fields
from buf.validate import validate_pb2
from domain.errors import (
    FieldTooLong,
    InvalidField,
    LookAlikeIdentifier,
    TooManyItems,
    UnknownValue,
)
from entrypoints.grpc.declared_rules import rule_violations
from entrypoints.grpc.limits import check_request
from o2c.v1 import (
    audit_pb2,
    billing_pb2,
    controls_pb2,
    customers_pb2,
    engagement_pb2,
    erp_routing_pb2,
    exceptions_pb2,
    invoicing_pb2,
    lineage_pb2,
    operations_pb2,
    options_pb2,
    reference_data_pb2,
)

SERVICES = (
    engagement_pb2.DESCRIPTOR.services_by_name["EngagementService"],
    billing_pb2.DESCRIPTOR.services_by_name["BillingService"],
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"],
    erp_routing_pb2.DESCRIPTOR.services_by_name["ErpRoutingService"],
    customers_pb2.DESCRIPTOR.services_by_name["CustomerService"],
    reference_data_pb2.DESCRIPTOR.services_by_name["ReferenceDataService"],
    lineage_pb2.DESCRIPTOR.services_by_name["LineageService"],
    controls_pb2.DESCRIPTOR.services_by_name["ControlService"],
    exceptions_pb2.DESCRIPTOR.services_by_name["ExceptionService"],
    operations_pb2.DESCRIPTOR.services_by_name["OperationsService"],
)
VALID_REQUESTS: dict[str, Callable[[], Message]] = {
    "o2c.v1.GetMetricsSummaryRequest": operations_pb2.GetMetricsSummaryRequest,
    "o2c.v1.GetLineageRequest": lambda: lineage_pb2.GetLineageRequest(business_key="006-K1"),
    "o2c.v1.CreateServiceEngagementRequest": lambda: closed_won("K1"),
    "o2c.v1.ApproveBillableEventRequest": lambda: time_entry("K1", "eng-1"),
    "o2c.v1.GetServiceEngagementRequest": lambda: engagement_pb2.GetServiceEngagementRequest(
        engagement_id="eng-1"
    ),
    "o2c.v1.ListCallRecordsRequest": lambda: audit_pb2.ListCallRecordsRequest(subject="ops"),
    "o2c.v1.AmendServiceEngagementRequest": lambda: with_new_package(
        amendment("eng-1", 1, raised_cap("NA", "20000"))
    ),
    "o2c.v1.ApproveBillableEventsRequest": lambda: batch_of(
        "K1", time_entry("K1", "eng-1"), expense("K1", "eng-1")
    ),
    "o2c.v1.ImportBillableEventsRequest": lambda: billing_pb2.ImportBillableEventsRequest(
        request_id="import-1", items=batch_of("K1", time_entry("K1", "eng-1")).items
    ),
    "o2c.v1.DecideHeldWorkRequest": lambda: billing_pb2.DecideHeldWorkRequest(
        request_id="decide-1",
        billable_event_id="be-1",
        decision=billing_pb2.HELD_WORK_DECISION_BILL_AS_OVERAGE,
        reason="Agreed with the client",
    ),
    "o2c.v1.RunBillingCycleRequest": lambda: with_legal_entity(billing_cycle("K1", "eng-1")),
    "o2c.v1.GetInvoiceRequest": lambda: billing_pb2.GetInvoiceRequest(invoice_id="inv-1"),
    "o2c.v1.ListInvoicesRequest": lambda: billing_pb2.ListInvoicesRequest(
        engagement_id="eng-1", status=invoicing_pb2.INVOICE_STATUS_FINALISED
    ),
    "o2c.v1.PreviewInvoiceRequest": lambda: billing_pb2.PreviewInvoiceRequest(invoice_id="inv-1"),
    "o2c.v1.IssueCreditNoteRequest": lambda: credit_note(
        "K1", "inv-1", billing_pb2.CreditLineRequest(line_number=1, net=usd("10.00"))
    ),
    "o2c.v1.RecordPaymentRequest": lambda: payment("K1", "inv-1", "100.00"),
    "o2c.v1.GetInvoiceStatusRequest": lambda: billing_pb2.GetInvoiceStatusRequest(
        invoice_number="US01-2026-000001"
    ),
    "o2c.v1.ReadPlatformInvoicesRequest": lambda: billing_pb2.ReadPlatformInvoicesRequest(
        legal_entity_code="GB01"
    ),
    "o2c.v1.ListPlatformInvoicesRequest": lambda: billing_pb2.ListPlatformInvoicesRequest(
        legal_entity_code="GB01", engagement_id="eng-1", page_size=10
    ),
    "o2c.v1.SetErpRouteRequest": lambda: route_request(
        "K1",
        "DE01",
        "2026-12-15",
        (erp_routing_pb2.ERP_DYNAMICS365, "DE01"),
        shadow=(erp_routing_pb2.ERP_LEGACY, "DE-OU-1"),
    ),
    "o2c.v1.ListErpRoutesRequest": lambda: erp_routing_pb2.ListErpRoutesRequest(
        legal_entity_code="DE01"
    ),
    "o2c.v1.ListErpRouteChangesRequest": lambda: erp_routing_pb2.ListErpRouteChangesRequest(
        legal_entity_code="DE01"
    ),
    "o2c.v1.CutOverLegalEntityRequest": lambda: cutover_request(
        "K1", "GB01", "2027-01-01", (erp_routing_pb2.ERP_NETSUITE, "3")
    ),
    "o2c.v1.ReconcileDualWriteRequest": lambda: erp_routing_pb2.ReconcileDualWriteRequest(
        legal_entity_code="DE01"
    ),
    "o2c.v1.ReadErpPaymentsRequest": lambda: erp_routing_pb2.ReadErpPaymentsRequest(
        legal_entity_code="US01"
    ),
    "o2c.v1.ListIntercompanyChargesRequest": lambda: erp_routing_pb2.ListIntercompanyChargesRequest(
        legal_entity_code="GB01", page_size=10
    ),
    "o2c.v1.CheckCustomerCreditRequest": lambda: customers_pb2.CheckCustomerCreditRequest(
        legal_entity_code="US01", account_id="001-ACME"
    ),
    "o2c.v1.ReconcileIntercompanyRequest": lambda: erp_routing_pb2.ReconcileIntercompanyRequest(
        legal_entity_code="GB01"
    ),
    "o2c.v1.RunControlsRequest": lambda: controls_pb2.RunControlsRequest(
        control=controls_pb2.CONTROL_BILLING_VS_ERP, legal_entity_code="GB01"
    ),
    "o2c.v1.ListControlRunsRequest": lambda: controls_pb2.ListControlRunsRequest(
        control=controls_pb2.CONTROL_DUAL_WRITE, legal_entity_code="GB01", page_size=10
    ),
    "o2c.v1.ListExceptionsRequest": lambda: exceptions_pb2.ListExceptionsRequest(
        owner_role=exceptions_pb2.OWNER_ROLE_FINANCE,
        workflow=exceptions_pb2.WORKFLOW_INVOICE_TO_ERP,
        business_key="INV-GB01-000001",
        status=exceptions_pb2.EXCEPTION_STATUS_OPEN,
        page_size=10,
    ),
    "o2c.v1.GetExceptionRequest": lambda: exceptions_pb2.GetExceptionRequest(exception_id="x-1"),
    "o2c.v1.RetryExceptionRequest": lambda: exceptions_pb2.RetryExceptionRequest(
        request_id="r-1", exception_id="x-1"
    ),
    "o2c.v1.AssignExceptionRequest": lambda: exceptions_pb2.AssignExceptionRequest(
        request_id="r-1", exception_id="x-1", assignee="ops.anna"
    ),
    "o2c.v1.ResolveExceptionRequest": lambda: exceptions_pb2.ResolveExceptionRequest(
        request_id="r-1", exception_id="x-1", note="mapped by hand"
    ),
    "o2c.v1.DiscardExceptionRequest": lambda: exceptions_pb2.DiscardExceptionRequest(
        request_id="r-1", exception_id="x-1", reason="a test deal"
    ),
    "o2c.v1.SyncReferenceDataRequest": lambda: reference_data_pb2.SyncReferenceDataRequest(
        account_id="001-ACME"
    ),
    "o2c.v1.ListReferenceDataRequest": lambda: reference_data_pb2.ListReferenceDataRequest(
        erp=erp_routing_pb2.ERP_NETSUITE,
        erp_legal_entity="1",
        kind=reference_data_pb2.REFERENCE_KIND_CUSTOMER,
        account_id="001-ACME",
        page_size=10,
    ),
}
VALID_REQUESTS["o2c.v1.CreateServiceEngagementRequest"] = lambda: closed_won_with_terms(
    "K1", [time_and_materials("NA", cap="20000"), fixed_fee("EU")], payment_terms_days=45
)


def with_new_package(
    request: engagement_pb2.AmendServiceEngagementRequest,
) -> engagement_pb2.AmendServiceEngagementRequest:
    request.new_work_packages.add(
        work_package=engagement_pb2.WorkPackage(code="APAC", name="Rollout", region="APAC"),
        terms=time_and_materials("APAC"),
    )
    return request


def with_legal_entity(
    request: billing_pb2.RunBillingCycleRequest,
) -> billing_pb2.RunBillingCycleRequest:
    request.legal_entity_codes.append("US01")
    return request


@frozen
class Rule:
    """One rule a proto declares: where it sits, how a caller breaks it, what they are told."""

    steps: tuple[FieldDescriptor, ...]
    kind: str
    refused_as: type[InvalidField]
    refused_field: str

    def __str__(self) -> str:
        return f"{self.refused_field}:{self.kind}"


def test_every_rpc_has_a_valid_request_here_that_no_rule_refuses():
    inputs = {method.input_type.full_name for service in SERVICES for method in service.methods}
    assert inputs == set(VALID_REQUESTS)
    for valid in VALID_REQUESTS.values():
        check_request(valid())


def declared_rules(message: Descriptor, steps: tuple[FieldDescriptor, ...] = ()) -> Iterator[Rule]:
    for oneof in message.oneofs:
        if oneof.GetOptions().Extensions[validate_pb2.oneof].required:
            yield oneof_rule(steps, oneof.name, [field.name for field in oneof.fields])
    for field in message.fields:
        rules = field.GetOptions().Extensions[validate_pb2.field]
        here = (*steps, field)
        yield from field_rules(here, rules)
        if field.message_type is not None and field.message_type.full_name.startswith("o2c."):
            yield from declared_rules(field.message_type, here)


def field_rules(here: tuple[FieldDescriptor, ...], rules: validate_pb2.FieldRules) -> list[Rule]:
    path = caller_path(here)
    declared = [
        (rules.required, "required", InvalidField),
        (rules.string.HasField("max_len"), "max_len", FieldTooLong),
        (rules.repeated.HasField("max_items"), "max_items", TooManyItems),
        (rules.enum.defined_only, "defined_only", UnknownValue),
    ]
    return [Rule(here, kind, refused, path) for present, kind, refused in declared if present]


def oneof_rule(steps: tuple[FieldDescriptor, ...], name: str, fields: list[str]) -> Rule:
    named = fields[0] if len(fields) == 1 else name
    return Rule(steps, f"oneof:{name}", InvalidField, caller_path(steps, named))


def caller_path(steps: tuple[FieldDescriptor, ...], last: str = "") -> str:
    names = [field.name + ("[0]" if field.is_repeated else "") for field in steps]
    if last:
        return ".".join([*names, last])
    return ".".join([*names[:-1], steps[-1].name])


def broken(request: Message, rule: Rule) -> Message:
    parent = request
    for field in rule.steps[:-1] if not rule.kind.startswith("oneof") else rule.steps:
        parent = first_item(parent, field) if field.is_repeated else getattr(parent, field.name)
    if rule.kind.startswith("oneof"):
        parent.ClearField(rule.kind.removeprefix("oneof:"))
        return request
    BREAKS[rule.kind](parent, rule.steps[-1])
    return request


def first_item(parent: Message, field: FieldDescriptor) -> Message:
    items = getattr(parent, field.name)
    return items[0] if items else items.add()


def one_too_many(parent: Message, field: FieldDescriptor) -> None:
    items = getattr(parent, field.name)
    most = field.GetOptions().Extensions[validate_pb2.field].repeated.max_items
    for _ in range(most + 1 - len(items)):
        items.add() if field.message_type else items.append(items[0] if items else "")


BREAKS: dict[str, Callable[[Message, FieldDescriptor], None]] = {
    "required": lambda parent, field: parent.ClearField(field.name),
    "max_len": lambda parent, field: setattr(
        parent,
        field.name,
        "x" * (field.GetOptions().Extensions[validate_pb2.field].string.max_len + 1),
    ),
    "max_items": one_too_many,
    "defined_only": lambda parent, field: setattr(parent, field.name, 12345),
}
RULES = [
    (name, rule)
    for name in VALID_REQUESTS
    for rule in declared_rules(VALID_REQUESTS[name]().DESCRIPTOR)
]


@pytest.mark.parametrize(("request_name", "rule"), RULES, ids=lambda value: str(value))
def test_each_declared_rule_refuses_the_request_naming_the_field(request_name, rule):
    request = broken(VALID_REQUESTS[request_name](), rule)
    refusals = [(type(refusal), refusal.field) for refusal in rule_violations(request)]
    assert (rule.refused_as, rule.refused_field) in refusals


def test_the_requests_declare_the_rules_their_handlers_rely_on():
    declared = {str(rule) for _, rule in RULES}
    assert {
        "opportunity:required",
        "opportunity.contract_value:required",
        "opportunity.start_date:required",
        "opportunity.end_date:required",
        "opportunity.rate_card[0].hourly_rate:required",
        "opportunity.billing_method:defined_only",
        "event:oneof:event",
        "items:max_items",
        "time_entry.work_date:required",
        "source_system:defined_only",
        "key:oneof:key",
    } <= declared


@pytest.mark.parametrize("request_name", VALID_REQUESTS)
def test_every_enum_a_caller_can_send_refuses_numbers_its_enum_does_not_define(request_name):
    fields = reachable_fields(VALID_REQUESTS[request_name]().DESCRIPTOR)
    enums = [field for field in fields if field.type == FieldDescriptor.TYPE_ENUM]
    open_ended = [
        field.full_name
        for field in enums
        if not field.GetOptions().Extensions[validate_pb2.field].enum.defined_only
    ]
    assert open_ended == []


def test_an_absent_required_field_is_named_as_required_before_any_handler():
    request = closed_won("K1")
    request.opportunity.rate_card[0].ClearField("hourly_rate")
    with pytest.raises(InvalidField) as refused:
        check_request(request)
    assert refused.value.message == "opportunity.rate_card[0].hourly_rate is required"


def test_no_field_declares_a_limit_twice_with_the_superseded_options():
    files = [
        engagement_pb2.DESCRIPTOR,
        billing_pb2.DESCRIPTOR,
        invoicing_pb2.DESCRIPTOR,
        audit_pb2.DESCRIPTOR,
    ]
    superseded = (options_pb2.max_length, options_pb2.max_items)
    doubled = [
        field.full_name
        for field in every_field(files)
        if any(field.GetOptions().HasExtension(option) for option in superseded)
    ]
    assert doubled == []


def every_field(files: list[FileDescriptor]) -> Iterator[FieldDescriptor]:
    seen: set[str] = set()
    for file in files:
        for message in file.message_types_by_name.values():
            for field in message.fields:
                if field.full_name not in seen:
                    seen.add(field.full_name)
                    yield field


def test_a_rule_declared_only_in_a_proto_is_enforced_with_no_python_for_it():
    probe_type = message_with_rule(lambda rules: setattr(rules.string, "min_len", 2))
    with pytest.raises(InvalidField) as refused:
        check_request(probe_type(account_name="A"))
    assert refused.value.field == "account_name"
    assert refused.value.message == "account_name must be at least 2 characters"
    check_request(probe_type(account_name="AB"))


def message_with_rule(declare: Callable[[validate_pb2.FieldRules], None]) -> type[Message]:
    """A request type of one string field, `account_name`, carrying the rule `declare` sets."""
    pool = descriptor_pool.DescriptorPool()
    for file in with_imports(validate_pb2.DESCRIPTOR):
        pool.AddSerializedFile(file.serialized_pb)
    probe = descriptor_pb2.FileDescriptorProto(
        name="probe/v1/probe.proto",
        package="probe.v1",
        syntax="proto3",
        dependency=["buf/validate/validate.proto"],
    )
    field = probe.message_type.add(name="ProbeRequest").field.add(
        name="account_name",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )
    declare(field.options.Extensions[validate_pb2.field])
    pool.AddSerializedFile(probe.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("probe.v1.ProbeRequest"))


def with_imports(file: FileDescriptor) -> list[FileDescriptor]:
    imported = [each for dependency in file.dependencies for each in with_imports(dependency)]
    return [*dict.fromkeys([*imported, file])]


def test_a_delivering_legal_entity_is_declared_as_the_contracting_legal_entity_is():
    delivering = engagement_pb2.WorkPackage.DESCRIPTOR.fields_by_name[
        "delivering_legal_entity_code"
    ]
    contracting = engagement_pb2.ClosedWonOpportunity.DESCRIPTOR.fields_by_name["legal_entity_code"]
    assert delivering.GetOptions() == contracting.GetOptions()


@pytest.mark.parametrize(
    ("code", "refused_as"),
    [("G" * 33, FieldTooLong), ("\uff27\uff22\uff10\uff11", LookAlikeIdentifier)],
    ids=["too long", "full-width"],
)
def test_a_delivering_legal_entity_unlike_a_legal_entity_code_is_refused_naming_it(
    code, refused_as
):
    request = closed_won("K1")
    request.opportunity.work_packages[1].delivering_legal_entity_code = code

    with pytest.raises(refused_as) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.work_packages[1].delivering_legal_entity_code"
