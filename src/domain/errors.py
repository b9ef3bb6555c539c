"""One hierarchy of domain errors, each with a stable reason code."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    reason = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str = "", keys: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.keys = dict(keys or {})


class InvalidField(DomainError):
    reason = "INVALID_FIELD"


class UnknownCurrency(InvalidField):
    reason = "UNKNOWN_CURRENCY"


class FieldTooLong(InvalidField):
    reason = "FIELD_TOO_LONG"


class TooManyItems(InvalidField):
    reason = "TOO_MANY_ITEMS"


class ControlCharacters(InvalidField):
    reason = "CONTROL_CHARACTERS"


class UnknownValue(InvalidField):
    reason = "UNKNOWN_VALUE"


class LookAlikeIdentifier(InvalidField):
    reason = "IDENTIFIER_NOT_CANONICAL"


class MalformedRequest(InvalidField):
    reason = "MALFORMED_REQUEST"


class CurrencyMismatch(DomainError):
    reason = "CURRENCY_MISMATCH"


class NotFound(DomainError):
    reason = "NOT_FOUND"


class EngagementExists(DomainError):
    reason = "ENGAGEMENT_EXISTS"


class OwnershipViolation(DomainError):
    reason = "OWNERSHIP_VIOLATION"


class SourceSystemMismatch(OwnershipViolation):
    """The request names a source system other than the one the caller was proven to be."""

    reason = "SOURCE_SYSTEM_MISMATCH"


class Unauthenticated(DomainError):
    """The caller proved no identity o2c trusts; the message never quotes the credential."""

    reason = "UNAUTHENTICATED"


class TokenMissing(Unauthenticated):
    reason = "TOKEN_MISSING"


class TokenInvalid(Unauthenticated):
    reason = "TOKEN_INVALID"


class TokenExpired(Unauthenticated):
    reason = "TOKEN_EXPIRED"


class KeyUnknown(Unauthenticated):
    reason = "KEY_UNKNOWN"


class CallerNotAllowed(DomainError):
    """A proven caller whose calling system or scopes the RPC's policy does not admit."""

    reason = "CALLER_NOT_ALLOWED"


class ScopeMissing(CallerNotAllowed):
    reason = "SCOPE_MISSING"


class PolicyMissing(CallerNotAllowed):
    reason = "POLICY_MISSING"


class LegalEntityNotAllowed(CallerNotAllowed):
    """The caller may not act for this legal entity."""

    reason = "LEGAL_ENTITY_NOT_ALLOWED"


class EngagementNotActive(DomainError):
    reason = "ENGAGEMENT_NOT_ACTIVE"


class RoleNotOnRateCard(DomainError):
    reason = "ROLE_NOT_ON_RATE_CARD"


class OutsideEngagementDates(DomainError):
    reason = "OUTSIDE_ENGAGEMENT_DATES"


class BillableEventConflict(DomainError):
    reason = "BILLABLE_EVENT_CONFLICT"


class InvalidTransition(DomainError):
    reason = "INVALID_TRANSITION"


class RequestIdReused(DomainError):
    reason = "REQUEST_ID_REUSED"


class RequestInProgress(DomainError):
    reason = "REQUEST_IN_PROGRESS"


class ConcurrentUpdate(DomainError):
    reason = "CONCURRENT_UPDATE"


class StorageUnavailable(DomainError):
    """The database did not answer (down, restarting, locked past the busy timeout): nothing
    was changed, and the same request may be sent again."""

    reason = "STORAGE_UNAVAILABLE"


class ErpUnavailable(DomainError):
    """An ERP did not answer, or asked to be called later: what was done is kept, and the same
    request may be sent again to finish."""

    reason = "ERP_UNAVAILABLE"


class ErpRefused(DomainError):
    """An ERP refused a document as it stands."""

    reason = "ERP_REFUSED"


class SagaTakenOver(ConcurrentUpdate):
    """Another owner took the saga over when this one's lease ran out: this one stops."""

    reason = "SAGA_TAKEN_OVER"


class RatesOverlap(InvalidField):
    """Two rates for one role and currency in effect on the same day."""

    reason = "RATES_OVERLAP"


class NoRateInEffect(DomainError):
    reason = "NO_RATE_IN_EFFECT"


class MilestonesNotFee(InvalidField):
    reason = "MILESTONES_DO_NOT_SUM_TO_FEE"


class MilestoneNotOnTerms(DomainError):
    reason = "MILESTONE_NOT_ON_TERMS"


class NotRatedByTerms(DomainError):
    """The work package's billing method does not bill this kind of work."""

    reason = "NOT_RATED_BY_TERMS"


class TaxRuleMissing(DomainError):
    """No rule in the tax table for a legal entity's country, a customer's and a service type."""

    reason = "TAX_RULE_MISSING"


class InvoiceImmutable(InvalidTransition):
    """A finalised invoice is immutable: a change is a credit note, never an edit."""

    reason = "INVOICE_IMMUTABLE"


class CreditExceedsInvoice(InvalidField):
    reason = "CREDIT_EXCEEDS_INVOICE"


class NumberOutOfSequence(InvalidField):
    reason = "NUMBER_OUT_OF_SEQUENCE"


class AmendmentRewritesInvoiced(InvalidField):
    """A change order applies to work not yet invoiced: it never re-rates an invoice."""

    reason = "AMENDMENT_REWRITES_INVOICED"
